//! What operators scrape at `/metrics` (Prometheus/OpenMetrics text): requests by route
//! template, session transitions, the consent funnel, DigiLocker calls and signature outcomes.
//!
//! Every label value comes from a fixed set (route templates, statuses, reason codes), so a
//! scrape can never carry a session id, a link id, a key secret or anything about a person.
//! Each gateway has its own registry: two gateways in one process (tests, the benchmark) keep
//! separate counts. `docs/metrics.md` lists every metric and its labels.

mod http;
mod labels;

pub use http::{router, track_requests};
pub use labels::{Stage, Upstream};

use digigate_core::{FailureReason, SessionStatus};
use digigate_digilocker::DigiLockerError;
use digigate_store::DocumentRecord;
use labels::{
    code_label, upstream_outcome, EndpointLabels, ErasureLabels, RequestLabels, SignatureLabels,
    StageLabels, TransitionLabels, UpstreamLabels, WebhookLabels, UPSTREAM_OUTCOMES,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// The `endpoint` label value of a DigiLocker endpoint.
pub fn endpoint_label(endpoint: Upstream) -> &'static str {
    endpoint.as_str()
}

/// Request latency buckets: 1 ms to about 16 s.
fn request_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// DigiLocker call buckets: 5 ms to about 40 s (its timeouts are in seconds).
fn upstream_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 14))
}

/// The gateway's metrics and the registry they are scraped from. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<MetricsInner>,
}

struct MetricsInner {
    registry: Registry,
    requests: Family<RequestLabels, Histogram>,
    transitions: Family<TransitionLabels, Counter>,
    funnel: Family<StageLabels, Counter>,
    upstream: Family<UpstreamLabels, Counter>,
    upstream_seconds: Family<EndpointLabels, Histogram>,
    signatures: Family<SignatureLabels, Counter>,
    erasures: Family<ErasureLabels, Counter>,
    webhooks: Family<WebhookLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("digigate");
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(
            request_histogram as fn() -> Histogram,
        );
        let transitions = Family::<TransitionLabels, Counter>::default();
        let funnel = Family::<StageLabels, Counter>::default();
        let upstream = Family::<UpstreamLabels, Counter>::default();
        let upstream_seconds = Family::<EndpointLabels, Histogram>::new_with_constructor(
            upstream_histogram as fn() -> Histogram,
        );
        let signatures = Family::<SignatureLabels, Counter>::default();
        let erasures = Family::<ErasureLabels, Counter>::default();
        let webhooks = Family::<WebhookLabels, Counter>::default();
        registry.register(
            "http_request_duration_seconds",
            "API and page requests by route template, method and status (its _count is the request count)",
            requests.clone(),
        );
        registry.register(
            "session_transitions",
            "Sessions moved to a status, with the failure reason for failed ones",
            transitions.clone(),
        );
        registry.register(
            "funnel",
            "Consent journeys reaching each stage of the funnel",
            funnel.clone(),
        );
        registry.register(
            "upstream_requests",
            "DigiLocker calls by endpoint and outcome (each retry counts)",
            upstream.clone(),
        );
        registry.register(
            "upstream_request_duration_seconds",
            "Time DigiLocker took to answer, by endpoint",
            upstream_seconds.clone(),
        );
        registry.register(
            "document_signatures",
            "Fetched documents by signature verification outcome",
            signatures.clone(),
        );
        registry.register(
            "session_erasures",
            "Sessions whose data was erased, on request or by the retention sweep",
            erasures.clone(),
        );
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts by result (delivered, retrying, abandoned) and error class",
            webhooks.clone(),
        );
        Metrics {
            inner: Arc::new(MetricsInner {
                registry,
                requests,
                transitions,
                funnel,
                upstream,
                upstream_seconds,
                signatures,
                erasures,
                webhooks,
            }),
        }
    }

    /// Counts a session reaching a funnel stage.
    pub fn stage(&self, stage: Stage) {
        let stage = stage.as_str().to_owned();
        self.inner
            .funnel
            .get_or_create(&StageLabels { stage })
            .inc();
    }

    /// Counts a session's move to `to` (with the failure reason of a failed one); for
    /// `succeeded` the funnel's last stage too.
    pub fn transition(&self, to: SessionStatus, reason: Option<FailureReason>) {
        let labels = TransitionLabels {
            to: to.as_str().to_owned(),
            reason: reason.map_or("none", FailureReason::as_str).to_owned(),
        };
        self.inner.transitions.get_or_create(&labels).inc();
        match to {
            SessionStatus::Created => self.stage(Stage::Created),
            SessionStatus::Authorized => self.stage(Stage::Returned),
            SessionStatus::Succeeded => self.stage(Stage::Succeeded),
            _ => {}
        }
    }

    /// Counts fetched documents (the funnel's `documents_fetched` once, when there are any)
    /// and each one's signature verification outcome, read from its stored report.
    pub fn documents_fetched(&self, documents: &[DocumentRecord]) {
        if documents.is_empty() {
            return;
        }
        self.stage(Stage::DocumentsFetched);
        for d in documents {
            let report: serde_json::Value = d
                .verification
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or_default();
            let field = |name: &str| report.get(name).and_then(serde_json::Value::as_str);
            let labels = SignatureLabels {
                doc_type: d.doc_type.as_str().to_owned(),
                status: code_label(field("status").unwrap_or("unknown")),
                reason: code_label(field("reason").unwrap_or("none")),
            };
            self.inner.signatures.get_or_create(&labels).inc();
        }
    }

    /// Counts a session's data erased; `cause` is `request` or `retention`.
    pub fn erased(&self, cause: &'static str) {
        let labels = ErasureLabels {
            cause: cause.to_owned(),
        };
        self.inner.erasures.get_or_create(&labels).inc();
    }

    /// Counts a webhook delivery attempt: `result` is `delivered`, `retrying` or `abandoned`,
    /// `error` the deliverer's fixed error class of a failed attempt.
    pub fn webhook_attempt(&self, result: &'static str, error: Option<&'static str>) {
        let labels = WebhookLabels {
            result: result.to_owned(),
            error: error.unwrap_or("none").to_owned(),
        };
        self.inner.webhooks.get_or_create(&labels).inc();
    }

    /// Runs one DigiLocker call, counting it by endpoint and outcome and timing it.
    pub async fn upstream<T>(
        &self,
        endpoint: Upstream,
        call: impl Future<Output = Result<T, DigiLockerError>>,
    ) -> Result<T, DigiLockerError> {
        let started = Instant::now();
        let result = call.await;
        let name = endpoint.as_str().to_owned();
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => upstream_outcome(e),
        };
        self.inner
            .upstream_seconds
            .get_or_create(&EndpointLabels {
                endpoint: name.clone(),
            })
            .observe(started.elapsed().as_secs_f64());
        let labels = UpstreamLabels {
            endpoint: name,
            outcome: outcome.to_owned(),
        };
        self.inner.upstream.get_or_create(&labels).inc();
        result
    }

    /// The DigiLocker calls this process made, per endpoint (in [`Upstream::ALL`]'s order) and
    /// outcome, for the operator page; outcomes never seen are left out.
    pub fn upstream_calls(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut calls = Vec::new();
        for endpoint in Upstream::ALL {
            for outcome in UPSTREAM_OUTCOMES {
                let labels = UpstreamLabels {
                    endpoint: endpoint.as_str().to_owned(),
                    outcome: outcome.to_owned(),
                };
                // `get` reads without creating, so looking adds no zero series to /metrics.
                if let Some(counter) = self.inner.upstream.get(&labels) {
                    calls.push((endpoint.as_str(), outcome, counter.get()));
                }
            }
        }
        calls
    }

    /// The metrics in the OpenMetrics text format, which Prometheus scrapes.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.inner.registry)
            .expect("writing to a String cannot fail");
        out
    }

    fn observe_request(&self, labels: RequestLabels, seconds: f64) {
        self.inner.requests.get_or_create(&labels).observe(seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_never_becomes_a_label_value() {
        assert_eq!(code_label("digest_mismatch"), "digest_mismatch");
        assert_eq!(code_label("Ramesh Kumar"), "other");
        assert_eq!(code_label("chain: CN=x"), "other");
        assert_eq!(code_label(""), "other");
        assert_eq!(code_label(&"a".repeat(41)), "other");
    }

    #[test]
    fn a_transition_to_succeeded_is_counted_and_closes_the_funnel() {
        let m = Metrics::new();
        m.transition(SessionStatus::Failed, Some(FailureReason::ConsentDenied));
        m.transition(SessionStatus::Succeeded, None);
        let text = m.render();
        assert!(text.contains(
            "digigate_session_transitions_total{to=\"failed\",reason=\"consent_denied\"} 1"
        ));
        assert!(text.contains("digigate_funnel_total{stage=\"succeeded\"} 1"));
        assert!(text.ends_with("# EOF\n"));
    }

    #[tokio::test]
    async fn an_upstream_call_is_counted_by_endpoint_and_outcome() {
        let m = Metrics::new();
        let _ = m
            .upstream(Upstream::User, async {
                Err::<(), _>(DigiLockerError::Timeout)
            })
            .await;
        let _ = m.upstream(Upstream::User, async { Ok(()) }).await;
        let text = m.render();
        assert!(text
            .contains("digigate_upstream_requests_total{endpoint=\"user\",outcome=\"timeout\"} 1"));
        assert!(
            text.contains("digigate_upstream_requests_total{endpoint=\"user\",outcome=\"ok\"} 1")
        );
        assert!(
            text.contains("digigate_upstream_request_duration_seconds_count{endpoint=\"user\"} 2")
        );
        assert_eq!(
            m.upstream_calls(),
            vec![("user", "ok", 1), ("user", "timeout", 1)],
            "the operator page reads the same counts"
        );
    }
}
