//! Webhooks in the Standard Webhooks form, and the secret that also signs the redirect back to
//! the business: endpoints per API key (`endpoints.rs`), their targets' checks (`target.rs`) and
//! delivery from the outbox (`delivery.rs`). `docs/webhooks.md` is the contract.

pub mod delivery;
pub mod endpoints;
pub mod secret;
pub mod target;

pub use secret::SigningSecret;
pub use target::{TargetError, TargetPolicy};

use std::time::Duration;

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Deliver to private, link-local, unique-local and CGNAT addresses (never to cloud
    /// metadata ones): the operator's explicit choice, for receivers on an internal network.
    pub allow_private_targets: bool,
    /// The wait after each failed attempt; when it is spent the delivery is given up. Each
    /// wait gets up to 10% of random jitter.
    pub retry_schedule: Vec<Duration>,
    /// How long one attempt may take (connect, send, answer).
    pub timeout: Duration,
    /// How often an idle deliverer looks for due deliveries (the bulk of the delivery latency:
    /// `examples/webhook_latency.rs` measures it).
    pub poll_interval: Duration,
    /// How long a claimed delivery stays with its instance before another may take it over.
    pub lease: Duration,
    /// How long the previous secret keeps signing after a rotation.
    pub rotation_overlap: Duration,
    /// How many deliveries one instance sends at once.
    pub concurrency: usize,
    /// How long delivered and given-up deliveries stay in the log (and can be redelivered).
    pub log_retention: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        let (s, m, h) = (1, 60, 3600);
        WebhookConfig {
            allow_private_targets: false,
            // Svix's published schedule: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
            // 10 h (about 28 hours in all).
            retry_schedule: [5 * s, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(100),
            lease: Duration::from_secs(60),
            rotation_overlap: Duration::from_secs(24 * 3600),
            concurrency: 16,
            log_retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}
