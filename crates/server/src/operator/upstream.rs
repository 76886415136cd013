//! The upstream's health as the operator page shows it: DigiLocker calls by endpoint and
//! outcome, as this process counted them for `/metrics`, and the state of the circuit breaker
//! in front of each endpoint (`breaker.rs`, the same states `/readyz` reports).
//!
//! This is the one place the page learns about DigiLocker's health; `page.rs` shows whatever
//! is here.

use crate::breaker::{Circuit, UpstreamClass};
use crate::metrics::{endpoint_label, Upstream};
use crate::AppState;
use std::time::Instant;

/// How one DigiLocker endpoint has been answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndpointHealth {
    /// The endpoint, as the metrics' `endpoint` label names it.
    pub endpoint: &'static str,
    /// Calls that were answered as expected.
    pub ok: u64,
    /// Calls that failed, by outcome (`timeout`, `server_error`, …), most frequent first.
    pub failed: Vec<(&'static str, u64)>,
    /// The circuit the endpoint's calls go through and its state now; `None` for calls no
    /// circuit guards (the account lookup, revocation).
    pub circuit: Option<(UpstreamClass, Circuit)>,
}

impl EndpointHealth {
    /// Every call, answered or not.
    pub(crate) fn calls(&self) -> u64 {
        self.ok + self.failed.iter().map(|(_, n)| n).sum::<u64>()
    }
}

/// The circuit that guards an endpoint's calls (as `journey/fetch.rs` admits them).
fn class_of(endpoint: Upstream) -> Option<UpstreamClass> {
    match endpoint {
        Upstream::Token => Some(UpstreamClass::Token),
        Upstream::User | Upstream::IssuedFiles => Some(UpstreamClass::Account),
        Upstream::Eaadhaar | Upstream::File => Some(UpstreamClass::Documents),
        Upstream::Account | Upstream::Revoke => None,
    }
}

/// DigiLocker's health per endpoint, every endpoint listed (those never called with no calls).
pub(crate) fn upstream_health(state: &AppState) -> Vec<EndpointHealth> {
    let calls = state.metrics().upstream_calls();
    let now = Instant::now();
    let mut health: Vec<EndpointHealth> = Vec::new();
    for endpoint in Upstream::ALL {
        let name = endpoint_label(endpoint);
        let mut e = EndpointHealth {
            endpoint: name,
            ok: 0,
            failed: Vec::new(),
            circuit: class_of(endpoint)
                .map(|class| (class, state.inner.breakers.state(class, now))),
        };
        for &(_, outcome, n) in calls.iter().filter(|(called, _, _)| *called == name) {
            if outcome == "ok" {
                e.ok += n;
            } else if n > 0 {
                e.failed.push((outcome, n));
            }
        }
        e.failed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        health.push(e);
    }
    health
}
