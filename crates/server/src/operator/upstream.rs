//! The upstream's health as the operator page shows it: DigiLocker calls by endpoint and
//! outcome, as this process counted them for `/metrics`.
//!
//! This is the one place the page learns about DigiLocker's health: the circuit breaker's
//! state per endpoint class belongs here too, as another field of [`EndpointHealth`] filled in
//! [`upstream_health`], and `page.rs` shows whatever is here.

use crate::AppState;

/// How one DigiLocker endpoint has been answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndpointHealth {
    /// The endpoint, as the metrics' `endpoint` label names it.
    pub endpoint: &'static str,
    /// Calls that were answered as expected.
    pub ok: u64,
    /// Calls that failed, by outcome (`timeout`, `server_error`, …), most frequent first.
    pub failed: Vec<(&'static str, u64)>,
}

impl EndpointHealth {
    /// Every call, answered or not.
    pub(crate) fn calls(&self) -> u64 {
        self.ok + self.failed.iter().map(|(_, n)| n).sum::<u64>()
    }
}

/// DigiLocker's health per endpoint, every endpoint listed (those never called with no calls).
pub(crate) fn upstream_health(state: &AppState) -> Vec<EndpointHealth> {
    let calls = state.metrics().upstream_calls();
    let mut health: Vec<EndpointHealth> = Vec::new();
    for endpoint in crate::metrics::Upstream::ALL {
        let endpoint = crate::metrics::endpoint_label(endpoint);
        let mut e = EndpointHealth {
            endpoint,
            ok: 0,
            failed: Vec::new(),
        };
        for &(_, outcome, n) in calls.iter().filter(|(name, _, _)| *name == endpoint) {
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
