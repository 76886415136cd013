//! A faithful, in-memory DigiLocker partner API simulator.
//!
//! [`Simulator::router`] serves every path under `/public/...` the way DigiLocker does, so a
//! DigiLocker client pointed at `http://host:port/public` cannot tell it from the real service
//! except by its base URL. The browser pages (sign-in, OTP, PIN, sign-up, consent) use relative
//! form actions, so the router can also be nested under a prefix. See `docs/simulator.md` for the
//! automation contract, the personas and fault injection.

#![forbid(unsafe_code)]

mod account;
mod api_error;
mod config;
mod documents;
mod error;
mod form;
mod html;
mod ids;
mod injected;
mod issued;
mod ledger;
mod oauth;
mod oidc;
mod pages;
mod pdf;
mod personas;
mod resources;
mod signing;
mod uploaded;
pub mod verhoeff;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::routing::{get, post};
use axum::Router;

pub use config::SimulatorConfig;
pub use error::SimulatorError;
pub use injected::{Endpoint, InjectedFault};
pub use oidc::IdTokenKey;
pub use personas::{
    AadhaarRecord, Address, DrivingLicenceRecord, Fault, Gender, LocalLanguageData, PanRecord,
    Persona, UploadedFile, VehicleClass,
};

use ledger::Ledger;

/// A running simulated DigiLocker: configuration plus shared in-memory state. Cloning is cheap and
/// every clone sees the same accounts, codes and tokens.
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

struct Shared {
    config: SimulatorConfig,
    ledger: Mutex<Ledger>,
    /// Signed XML per (persona index, document): signing is deterministic, so it is done once.
    signed_xml: Mutex<signing::SignedXmlCache>,
    /// How often the partner endpoints were called, for tests that assert calls were not made.
    counters: Counters,
    /// The `id_token` key generated on first use when the configuration has none.
    id_token_key: OnceLock<Arc<oidc::IdTokenKey>>,
    /// Faults armed at run time, and how often each partner endpoint was called.
    injections: injected::Injections,
}

#[derive(Default)]
struct Counters {
    token_requests: AtomicU64,
    code_exchanges: AtomicU64,
    refreshes: AtomicU64,
    revocations: AtomicU64,
    eaadhaar_requests: AtomicU64,
}

/// How many times the simulator's partner endpoints were called since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallCounts {
    /// `POST /oauth2/{1,2}/token` requests, whatever their outcome.
    pub token_requests: u64,
    /// Of those, the ones with `grant_type=authorization_code`, whatever their outcome.
    pub code_exchanges: u64,
    /// Of those, the ones with `grant_type=refresh_token`, whatever their outcome.
    pub refreshes: u64,
    /// `POST /oauth2/1/revoke` requests, whatever their outcome.
    pub revocations: u64,
    /// `GET /oauth2/3/xml/eaadhaar` requests, whatever their outcome.
    pub eaadhaar_requests: u64,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("client_id", &self.shared.config.client_id)
            .field("personas", &self.shared.config.personas.len())
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// A simulator with empty state; accounts start as the personas' `registered` flags say.
    pub fn new(config: SimulatorConfig) -> Self {
        let registered = config.personas.iter().map(|p| p.registered).collect();
        Self {
            shared: Arc::new(Shared {
                config,
                ledger: Mutex::new(Ledger::new(registered)),
                signed_xml: Mutex::new(signing::SignedXmlCache::new()),
                counters: Counters::default(),
                id_token_key: OnceLock::new(),
                injections: injected::Injections::default(),
            }),
        }
    }

    /// How many token, revoke and e-Aadhaar requests the simulator has answered so far.
    pub fn call_counts(&self) -> CallCounts {
        let c = &self.shared.counters;
        CallCounts {
            token_requests: c.token_requests.load(Ordering::SeqCst),
            code_exchanges: c.code_exchanges.load(Ordering::SeqCst),
            refreshes: c.refreshes.load(Ordering::SeqCst),
            revocations: c.revocations.load(Ordering::SeqCst),
            eaadhaar_requests: c.eaadhaar_requests.load(Ordering::SeqCst),
        }
    }

    /// Arms `fault` for the next `times` calls of `endpoint` (`None`: until
    /// [`clear_faults`](Self::clear_faults)). Faults armed for one endpoint apply in the order
    /// they were armed; a call meets at most one.
    pub fn inject(&self, endpoint: Endpoint, fault: InjectedFault, times: Option<u32>) {
        self.shared.injections.arm(endpoint, fault, times);
    }

    /// Disarms every fault armed with [`inject`](Self::inject); the personas' faults stay.
    pub fn clear_faults(&self) {
        self.shared.injections.clear();
    }

    /// How many requests `endpoint` has received since the simulator started, whatever their
    /// outcome (including those a fault answered).
    pub fn endpoint_calls(&self, endpoint: Endpoint) -> u64 {
        self.shared.injections.calls(endpoint)
    }

    pub(crate) fn count_token_request(&self) {
        self.shared
            .counters
            .token_requests
            .fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a token request by its grant type (`authorization_code` or `refresh_token`).
    pub(crate) fn count_grant(&self, grant_type: Option<&str>) {
        let c = &self.shared.counters;
        let counter = match grant_type {
            Some("authorization_code") => &c.code_exchanges,
            Some("refresh_token") => &c.refreshes,
            _ => return,
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn count_eaadhaar_request(&self) {
        self.shared
            .counters
            .eaadhaar_requests
            .fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn count_revocation(&self) {
        self.shared
            .counters
            .revocations
            .fetch_add(1, Ordering::SeqCst);
    }

    /// The routes, all under `/public/...`, as DigiLocker serves them.
    pub fn router(&self) -> Router {
        let faulty = |endpoint: Endpoint| {
            axum::middleware::from_fn_with_state((self.clone(), endpoint), injected::apply)
        };
        Router::new()
            .route(
                "/public/oauth2/1/authorize",
                get(pages::authorize).post(pages::step),
            )
            .route(
                "/public/oauth2/2/authorize",
                get(pages::authorize).post(pages::step),
            )
            .route(
                "/public/oauth2/1/token",
                post(oauth::token_v1).layer(faulty(Endpoint::Token)),
            )
            .route(
                "/public/oauth2/2/token",
                post(oauth::token_v2).layer(faulty(Endpoint::Token)),
            )
            .route("/public/oauth2/1/certs", get(oidc::certs))
            .route("/public/oauth2/1/revoke", post(oauth::revoke))
            .route(
                "/public/oauth2/1/user",
                get(resources::user).layer(faulty(Endpoint::User)),
            )
            .route("/public/oauth2/1/files", get(uploaded::root))
            .route("/public/oauth2/1/files/", get(uploaded::root))
            .route("/public/oauth2/1/files/{id}", get(uploaded::folder))
            .route(
                "/public/oauth2/1/files/issued",
                get(resources::issued_v1).layer(faulty(Endpoint::IssuedFiles)),
            )
            .route(
                "/public/oauth2/2/files/issued",
                get(resources::issued_v2).layer(faulty(Endpoint::IssuedFiles)),
            )
            .route("/public/oauth2/1/xml/", get(resources::uri_missing))
            .route(
                "/public/oauth2/1/xml/{uri}",
                get(resources::xml).layer(faulty(Endpoint::Documents)),
            )
            .route("/public/oauth2/1/file/", get(resources::uri_missing))
            .route(
                "/public/oauth2/1/file/{uri}",
                get(resources::file).layer(faulty(Endpoint::Documents)),
            )
            .route(
                "/public/oauth2/3/xml/eaadhaar",
                get(resources::eaadhaar).layer(faulty(Endpoint::Documents)),
            )
            .route("/public/account/2/verify", post(account::verify))
            .method_not_allowed_fallback(resources::method_not_allowed)
            .fallback(resources::not_found)
            .with_state(self.clone())
    }

    pub(crate) fn config(&self) -> &SimulatorConfig {
        &self.shared.config
    }

    pub(crate) fn persona(&self, index: usize) -> Option<&Persona> {
        self.shared.config.personas.get(index)
    }

    /// The state lock; never held across an `.await`. A panic elsewhere cannot leave the maps
    /// half-updated in a way that matters to a simulator, so a poisoned lock is recovered.
    pub(crate) fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.shared
            .ledger
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Serves `sim` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    sim: Simulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, sim.router())
        .with_graceful_shutdown(shutdown)
        .await
}
