//! digigate's HTTP server. A consent session flows through the modules in this order:
//! `routes::init` → `routes::connect` → `routes::callback` → `jobs` running `journey` (fetch
//! and store) while the person waits on `routes::wait` →
//! `routes::status`, `routes::documents`, `routes::profile` and `routes::download` (serve).
//!
//! The CLI, the tests and the benchmark all start it the same way: build a [`Gateway`],
//! bind a listener and call [`serve`].

mod audit;
pub mod auth;
pub mod breaker;
pub mod browser_input;
pub mod config;
pub mod crash;
mod envelope;
mod erasure;
mod error;
mod expiry;
mod hash_error;
mod html;
pub mod jobs;
mod journey;
mod limits;
pub mod links;
mod listener;
mod metrics;
mod navigation;
mod new_session;
pub mod openapi;
pub mod operator;
mod page_error;
mod routes;
mod sdk;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
pub mod webhooks;

pub use config::GatewayConfig;
pub use erasure::SweepError;
pub use error::ApiError;

use axum::Router;
use digigate_digilocker::DigiLockerClient;
use digigate_store::Store;
use std::sync::Arc;

/// Everything a request handler needs, shared across requests.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: GatewayConfig,
    store: Arc<dyn Store>,
    digilocker: DigiLockerClient,
    vault: vault::Vault,
    tokens: auth::TokenIssuer,
    hasher: auth::SecretHasher,
    links: links::LinkSigner,
    api_limiter: limits::RateLimiter<String>,
    auth_limiter: limits::RateLimiter<String>,
    metrics: metrics::Metrics,
    /// The operator page's token and sign-in cookie key, when it is enabled.
    operator: Option<operator::OperatorAccess>,
    /// The circuits in front of DigiLocker, shared by every request of this process.
    breakers: breaker::Breakers,
    jobs: jobs::Handoff,
    /// Wakes the pages of this process waiting for a fetch to end.
    fetch_ended: journey::FetchEnded,
    /// Wakes this instance's webhook deliverer when it committed an event.
    deliveries: jobs::Wakeup,
}

impl AppState {
    /// The gateway's metrics, for the one-line counts at the journey's steps.
    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    /// Reports a session transition this process committed: counted in the metrics and, when
    /// it has an event, the webhook deliverer woken at once, since the same commit wrote the
    /// event's deliveries (other instances' events wait for its poll).
    pub(crate) fn transition_committed(
        &self,
        to: digigate_core::SessionStatus,
        reason: Option<digigate_core::FailureReason>,
    ) {
        self.inner.metrics.transition(to, reason);
        if digigate_core::SessionEventType::on_entering(to).is_some() {
            self.inner.deliveries.wake();
        }
    }
}

/// The gateway: configuration, storage and the DigiLocker client wired together.
#[derive(Clone)]
pub struct Gateway {
    state: AppState,
}

impl Gateway {
    /// Wires a gateway. The store must already be migrated.
    pub fn new(config: GatewayConfig, store: Arc<dyn Store>, digilocker: DigiLockerClient) -> Self {
        let vault = vault::Vault::new(&config.master_key);
        let tokens =
            auth::TokenIssuer::new(&config.jwt_secret, config.issuer.clone(), config.token_ttl);
        let hasher = auth::SecretHasher::new(config.max_concurrent_hashes);
        let links = links::LinkSigner::new(vault.derive("download-links/v1"));
        let minute = std::time::Duration::from_secs(60);
        let api_limiter = limits::RateLimiter::new(config.rate_limit_per_minute, minute);
        let auth_limiter = limits::RateLimiter::new(config.auth_attempts_per_minute, minute);
        let operator =
            operator::access_for(config.operator_token.clone(), &config.public_url, &vault);
        let breakers = breaker::Breakers::new(config.circuit_breaker);
        let inner = Inner {
            config,
            store,
            digilocker,
            vault,
            tokens,
            hasher,
            links,
            api_limiter,
            auth_limiter,
            metrics: metrics::Metrics::new(),
            operator,
            breakers,
            jobs: jobs::Handoff::default(),
            fetch_ended: journey::FetchEnded::default(),
            deliveries: jobs::Wakeup::default(),
        };
        Gateway {
            state: AppState {
                inner: Arc::new(inner),
            },
        }
    }

    /// The gateway's routes (API, consent journey and downloads).
    pub fn router(&self) -> Router {
        let metrics = self.state.metrics().clone();
        routes::router(self.state.clone())
            .merge(operator::router(self.state.clone()))
            .layer(axum::middleware::from_fn_with_state(
                metrics,
                metrics::track_requests,
            ))
    }

    /// `GET /metrics` (Prometheus/OpenMetrics text) on a router of its own, to be served on a
    /// separate listener that only the operators' scraper can reach (`--metrics-listen`).
    pub fn metrics_router(&self) -> Router {
        metrics::router(self.state.metrics().clone())
    }

    /// The metrics as `/metrics` serves them (Prometheus/OpenMetrics text).
    pub fn metrics_text(&self) -> String {
        self.state.metrics().render()
    }

    /// Starts the retention sweep, run every `every` in the background.
    pub fn spawn_retention_sweeper(
        &self,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        erasure::spawn_sweeper(self.state.clone(), every)
    }

    /// Starts the job runner (the fetch after each callback, expiry on time) until `shutdown`
    /// resolves; the handle ends once running jobs finished or were left to their leases.
    pub fn spawn_job_runner(
        &self,
        settings: jobs::JobSettings,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(jobs::run(self.state.clone(), settings, shutdown))
    }

    /// Starts this instance's webhook deliverer in the background (any number of instances may
    /// run one over the same database).
    pub fn spawn_webhook_deliverer(&self) -> tokio::task::JoinHandle<()> {
        webhooks::delivery::spawn(self.state.clone())
    }

    /// Wakes this instance's webhook deliverer, for code that commits session transitions
    /// through the store directly (the latency example) rather than through the gateway,
    /// whose own transitions wake it.
    pub fn wake_webhook_deliverer(&self) {
        self.state.inner.deliveries.wake();
    }

    /// Claims and sends one batch of due webhook deliveries as `owner`; how many were claimed.
    pub async fn deliver_webhooks_once(&self, owner: &str) -> usize {
        webhooks::delivery::deliver_due(&self.state, owner).await
    }

    /// Runs the retention sweep once; returns how many sessions' data were erased.
    pub async fn sweep_retention(&self) -> Result<usize, SweepError> {
        erasure::sweep(&self.state).await
    }

    /// The storage the gateway uses (for the CLI's key management).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.inner.store
    }

    /// Hashes an API secret the way `/authenticate` verifies it.
    pub async fn hash_secret(&self, secret: &str) -> Result<String, auth::HashError> {
        self.state.inner.hasher.hash(secret).await
    }
}

pub use listener::serve;

/// Every operation this gateway serves and documents (method and path), from the route table.
pub fn documented_operations() -> Vec<openapi::Operation> {
    openapi::operations(routes::table().into_openapi())
}

/// The OpenAPI document of a gateway configured as `config`, as `GET /openapi.json` serves it.
pub fn openapi_document(config: &GatewayConfig) -> serde_json::Value {
    openapi::document(routes::table().into_openapi(), config)
}
