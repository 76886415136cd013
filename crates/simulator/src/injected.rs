//! Faults injected while the simulator runs, per partner endpoint, on top of the personas'
//! fixed faults: status answers, delays, malformed or tampered documents and access tokens
//! that expire early. A test arms one (`Simulator::inject`), drives a journey, and reads how
//! often each endpoint was called (`Simulator::endpoint_calls`).
//!
//! Every fault applies as a layer around the endpoint's handler, so the handlers stay as
//! DigiLocker answers and a fault looks, on the wire, like the failure it names.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::api_error::ApiError;
use crate::form::bearer;
use crate::Simulator;

/// Largest document body a fault that rewrites documents reads back (the simulator's own
/// documents are far smaller).
const MAX_REWRITTEN_BYTES: usize = 8 * 1024 * 1024;

/// The partner endpoints that faults can target and that are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST /oauth2/{1,2}/token`: code exchanges and refreshes.
    Token,
    /// `GET /oauth2/1/user`.
    User,
    /// `GET /oauth2/{1,2}/files/issued`.
    IssuedFiles,
    /// The document reads: `GET /oauth2/1/xml/{uri}`, `/oauth2/1/file/{uri}` and
    /// `/oauth2/3/xml/eaadhaar`.
    Documents,
}

const ENDPOINTS: [Endpoint; 4] = [
    Endpoint::Token,
    Endpoint::User,
    Endpoint::IssuedFiles,
    Endpoint::Documents,
];

/// One fault, applied to the next calls of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFault {
    /// Answer with this HTTP status and DigiLocker's envelope
    /// (`unexpected_error` / `Internal server error`), without running the endpoint: an
    /// outage of DigiLocker itself (5xx) or of its gateway.
    Status(u16),
    /// Answer normally, but only after this long: a slow DigiLocker, or a timeout when longer
    /// than the caller waits.
    Delay(Duration),
    /// A document whose XML is cut off halfway, sent with a matching `hmac` (what a broken
    /// repository sends; DigiLocker's own check passes).
    MalformedXml,
    /// A document whose `hmac` header does not match its body (tampered with on the way).
    WrongHmac,
    /// The presented access token expires now (as an hour-old token does): this call and
    /// every later one with it answer 401 `invalid_token`; the grant's refresh token still works.
    ExpiredToken,
}

/// The armed faults and the per-endpoint call counters of one simulator.
#[derive(Default)]
pub(crate) struct Injections {
    armed: Mutex<HashMap<Endpoint, Vec<Armed>>>,
    calls: [AtomicU64; 4],
}

struct Armed {
    fault: InjectedFault,
    /// Calls left; `None` until cleared.
    remaining: Option<u32>,
}

impl Injections {
    fn index(endpoint: Endpoint) -> usize {
        ENDPOINTS
            .iter()
            .position(|e| *e == endpoint)
            .unwrap_or_default()
    }

    pub(crate) fn arm(&self, endpoint: Endpoint, fault: InjectedFault, times: Option<u32>) {
        if times == Some(0) {
            return;
        }
        self.lock().entry(endpoint).or_default().push(Armed {
            fault,
            remaining: times,
        });
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    pub(crate) fn calls(&self, endpoint: Endpoint) -> u64 {
        self.calls[Self::index(endpoint)].load(Ordering::SeqCst)
    }

    /// Counts a call and takes the fault it meets, if any (the oldest armed one first).
    fn next(&self, endpoint: Endpoint) -> Option<InjectedFault> {
        self.calls[Self::index(endpoint)].fetch_add(1, Ordering::SeqCst);
        let mut armed = self.lock();
        let queue = armed.get_mut(&endpoint)?;
        let first = queue.first_mut()?;
        let fault = first.fault;
        if let Some(left) = first.remaining.as_mut() {
            *left -= 1;
            if *left == 0 {
                queue.remove(0);
            }
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Endpoint, Vec<Armed>>> {
        // A panic elsewhere cannot leave the map half-updated in a way that matters here.
        self.armed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The layer in front of each partner endpoint: counts the call and applies its fault.
pub(crate) async fn apply(
    State((sim, endpoint)): State<(Simulator, Endpoint)>,
    request: Request,
    next: Next,
) -> Response {
    let Some(fault) = sim.shared.injections.next(endpoint) else {
        return next.run(request).await;
    };
    tracing::debug!(?endpoint, ?fault, "injected fault");
    match fault {
        InjectedFault::Status(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(status, "unexpected_error", "Internal server error").into_response()
        }
        InjectedFault::Delay(wait) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        InjectedFault::ExpiredToken => {
            if let Some(token) = bearer(request.headers()) {
                sim.ledger().expire_access_token(token, Instant::now());
            }
            next.run(request).await
        }
        InjectedFault::MalformedXml | InjectedFault::WrongHmac => {
            let response = next.run(request).await;
            rewrite_document(&sim, response, fault).await
        }
    }
}

/// Cuts the body in half (with a matching `hmac`) or spoils its `hmac`, on a 200 only.
async fn rewrite_document(sim: &Simulator, response: Response, fault: InjectedFault) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_REWRITTEN_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut bytes = bytes.to_vec();
    let secret = sim
        .config()
        .client_secret
        .expose_secret()
        .as_bytes()
        .to_vec();
    let tag = match fault {
        InjectedFault::MalformedXml => {
            bytes.truncate(bytes.len() / 2);
            hmac_b64(&secret, &bytes)
        }
        _ => hmac_b64(b"not-the-client-secret", &bytes),
    };
    if let Ok(value) = tag.parse() {
        parts.headers.insert("hmac", value);
    }
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

fn hmac_b64(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}
