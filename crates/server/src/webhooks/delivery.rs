//! Delivery from the outbox: claim due deliveries under a lease, send each signed as Standard
//! Webhooks says, log the attempt, and schedule the next one or give up when the published
//! schedule is spent. Any number of instances run this over one database: a delivery is claimed
//! by one of them at a time (see `digigate_store`'s webhooks module), and a claim whose instance
//! died is taken over when its lease lapses, so every event is delivered at least once.

use super::{SigningSecret, TargetPolicy, WebhookConfig};
use crate::envelope::now_ms;
use crate::AppState;
use digigate_store::{
    ClaimedDelivery, DeliveryOutcome, SealedKind, StoreError, WebhookAttemptRecord,
    WebhookEndpointRecord,
};
use rand::Rng;
use std::time::{Duration, Instant};
use url::Host;

/// Starts the deliverer of this instance in the background.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    let owner = format!("deliverer-{}", uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        let config = state.inner.config.webhooks.clone();
        let mut unavailable = 0u32;
        let mut pruned_at: Option<tokio::time::Instant> = None;
        loop {
            if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                pruned_at = Some(tokio::time::Instant::now());
                prune(&state).await;
            }
            let wait = match claim_and_send(&state, &owner).await {
                Ok(sent) => {
                    if unavailable > 0 {
                        tracing::info!("webhook deliveries can be claimed again");
                        unavailable = 0;
                    }
                    // After a batch there may be more to send at once: the rest of a full
                    // batch, or a session's next event that waited for the one just
                    // acknowledged (its wake may have been spent on the batch's claim).
                    if sent > 0 {
                        Duration::ZERO
                    } else {
                        config.poll_interval
                    }
                }
                Err(e) => {
                    // Logged once per outage rather than ten times a second; the wait grows
                    // to 5 s.
                    if unavailable == 0 {
                        tracing::warn!(error = %e, "webhook deliveries could not be claimed");
                    }
                    unavailable = unavailable.saturating_add(1);
                    let backoff = config.poll_interval.saturating_mul(unavailable.min(50));
                    backoff.min(Duration::from_secs(5))
                }
            };
            // This instance's own events wake it at once; other instances' wait for the poll.
            tokio::select! {
                () = state.inner.deliveries.woken() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    })
}

/// How often an instance forgets finished deliveries older than the log's retention.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

async fn prune(state: &AppState) {
    let keep = state.inner.config.webhooks.log_retention;
    let before = now_ms().saturating_sub(i64::try_from(keep.as_millis()).unwrap_or(i64::MAX));
    match state.inner.store.prune_webhook_log(before).await {
        Ok(0) => {}
        Ok(pruned) => tracing::info!(pruned, "old webhook deliveries forgotten"),
        Err(e) => tracing::warn!(error = %e, "old webhook deliveries could not be forgotten"),
    }
}

/// Claims and sends one batch of due deliveries; answers how many were claimed (none when the
/// database does not answer).
pub async fn deliver_due(state: &AppState, owner: &str) -> usize {
    claim_and_send(state, owner).await.unwrap_or(0)
}

async fn claim_and_send(state: &AppState, owner: &str) -> Result<usize, StoreError> {
    let config = &state.inner.config.webhooks;
    let lease = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    let limit = i64::try_from(config.concurrency.max(1)).unwrap_or(1);
    let claimed = state
        .inner
        .store
        .claim_webhook_deliveries(owner, now_ms(), lease, limit)
        .await?;
    let count = claimed.len();
    let mut sending = tokio::task::JoinSet::new();
    for delivery in claimed {
        let (state, owner) = (state.clone(), owner.to_owned());
        sending.spawn(async move { attempt(&state, &owner, delivery).await });
    }
    while sending.join_next().await.is_some() {}
    Ok(count)
}

/// What one attempt came to.
struct Sent {
    http_status: Option<i64>,
    error: Option<&'static str>,
}

impl Sent {
    fn failed(error: &'static str) -> Self {
        Sent {
            http_status: None,
            error: Some(error),
        }
    }

    fn succeeded(&self) -> bool {
        self.http_status.is_some_and(|s| (200..300).contains(&s))
    }
}

async fn attempt(state: &AppState, owner: &str, delivery: ClaimedDelivery) {
    let started_ms = now_ms();
    let clock = Instant::now();
    let endpoint = state
        .inner
        .store
        .webhook_endpoint(&delivery.endpoint_id)
        .await;
    let sent = match endpoint {
        Ok(Some(endpoint)) if endpoint.removed_at_ms.is_none() => {
            send(state, &endpoint, &delivery).await
        }
        Ok(_) => Sent::failed("endpoint_removed"),
        Err(e) => {
            tracing::warn!(error = %e, "webhook endpoint could not be read");
            Sent::failed("storage")
        }
    };
    // The receiver may have the event now, and nothing says so yet: after a crash here the
    // lease lapses and the event is sent again with the same `webhook-id` (at least once).
    crate::crash::point(crate::crash::CrashPoint::DuringWebhookDelivery);
    let config = &state.inner.config.webhooks;
    let outcome = if sent.succeeded() {
        DeliveryOutcome::Delivered
    } else if sent.error == Some("endpoint_removed") {
        DeliveryOutcome::Abandoned
    } else {
        next_attempt(config, delivery.attempts + 1, now_ms())
    };
    let result = match &outcome {
        DeliveryOutcome::Delivered => "delivered",
        DeliveryOutcome::Abandoned => "abandoned",
        DeliveryOutcome::RetryAt(_) => "retrying",
    };
    state.metrics().webhook_attempt(result, sent.error);
    let log = WebhookAttemptRecord {
        id: format!("wa_{}", uuid::Uuid::new_v4().simple()),
        delivery_id: delivery.id.clone(),
        endpoint_id: delivery.endpoint_id.clone(),
        event_id: delivery.event.id.clone(),
        event_type: delivery.event.event_type.clone(),
        attempted_at_ms: started_ms,
        duration_ms: i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX),
        http_status: sent.http_status,
        error: sent.error.map(str::to_owned),
        delivery_state: String::new(),
    };
    tracing::info!(
        event_id = %delivery.event.id,
        endpoint_id = %delivery.endpoint_id,
        http_status = ?sent.http_status,
        error = ?sent.error,
        outcome = ?outcome,
        "webhook attempt"
    );
    if let Err(e) = state
        .inner
        .store
        .finish_webhook_attempt(&delivery.id, owner, &log, outcome)
        .await
    {
        // The lease lapses and another attempt follows: at least once, never lost.
        tracing::warn!(error = %e, event_id = %delivery.event.id, "webhook attempt could not be recorded");
    }
}

/// After `failed_attempts` failures: when to try again, or give up once the schedule is spent.
pub fn next_attempt(config: &WebhookConfig, failed_attempts: i64, now_ms: i64) -> DeliveryOutcome {
    let index = usize::try_from(failed_attempts - 1).unwrap_or(usize::MAX);
    let Some(wait) = config.retry_schedule.get(index) else {
        return DeliveryOutcome::Abandoned;
    };
    let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    // Up to 10% later, so receivers that failed together are not retried together.
    let jitter = rand::thread_rng().gen_range(0..=wait / 10);
    DeliveryOutcome::RetryAt(now_ms.saturating_add(wait).saturating_add(jitter))
}

/// The body of an event: its type, when it happened, and the session's id, status and reason
/// (no personal data).
pub fn body(delivery: &ClaimedDelivery) -> String {
    let event = &delivery.event;
    let timestamp = chrono::DateTime::from_timestamp_millis(event.at_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let body = digigate_core::api::WebhookEvent {
        data: digigate_core::api::WebhookEventData {
            reason: event.reason.clone(),
            session_id: event.session_id.clone(),
            status: event.status.clone(),
        },
        timestamp,
        event_type: event.event_type.clone(),
    };
    serde_json::to_string(&body).expect("an event serialises")
}

/// The `webhook-signature` header: the current secret's signature and, during a rotation, the
/// previous one's, space-separated.
fn signatures(state: &AppState, endpoint: &WebhookEndpointRecord, signed: &[u8]) -> Option<String> {
    let vault = &state.inner.vault;
    let open = |sealed: &[u8]| {
        SigningSecret::open(vault, SealedKind::WebhookSecret, &endpoint.id, sealed).ok()
    };
    let mut header = open(&endpoint.secret_sealed)?.sign(signed);
    let previous = endpoint.previous_secret_sealed.as_deref().filter(|_| {
        endpoint
            .previous_secret_until_ms
            .is_some_and(|t| t > now_ms())
    });
    if let Some(previous) = previous {
        header.push(' ');
        header.push_str(&open(previous)?.sign(signed));
    }
    Some(header)
}

async fn send(
    state: &AppState,
    endpoint: &WebhookEndpointRecord,
    delivery: &ClaimedDelivery,
) -> Sent {
    let config = &state.inner.config.webhooks;
    let policy = TargetPolicy {
        development: state.inner.config.development,
        allow_private: config.allow_private_targets,
    };
    let Ok(url) = url::Url::parse(&endpoint.url) else {
        return Sent::failed("refused_target");
    };
    // Checked again now: the name may resolve elsewhere than when the endpoint was added.
    let address = match policy.resolve(&url).await {
        Ok(address) => address,
        Err(e) => return Sent::failed(e.class()),
    };
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(config.timeout)
        .connect_timeout(config.timeout.min(Duration::from_secs(5)))
        .user_agent("digigate-webhooks");
    if let Some(Host::Domain(name)) = url.host() {
        // Connect to the address that was checked, not to whatever a second lookup answers.
        client = client.resolve(name, address);
    }
    let Ok(client) = client.build() else {
        return Sent::failed("client");
    };
    let body = body(delivery);
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signed = format!("{}.{timestamp}.{body}", delivery.event.id);
    let Some(signature) = signatures(state, endpoint, signed.as_bytes()) else {
        tracing::error!(endpoint_id = %endpoint.id, "a webhook secret could not be opened");
        return Sent::failed("secret");
    };
    let answer = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.event.id)
        .header("webhook-timestamp", &timestamp)
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match answer {
        // A redirect is not followed and counts as a failure (its status is logged).
        Ok(response) => Sent {
            http_status: Some(i64::from(response.status().as_u16())),
            error: None,
        },
        Err(e) if e.is_timeout() => Sent::failed("timeout"),
        Err(e) if e.is_connect() => Sent::failed("connect"),
        Err(_) => Sent::failed("request"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_waits_as_published_with_at_most_ten_percent_jitter_then_gives_up() {
        let config = WebhookConfig::default();
        let expected = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
        for (failures, secs) in (1..).zip(expected) {
            let DeliveryOutcome::RetryAt(at) = next_attempt(&config, failures, 0) else {
                panic!("attempt {failures} is retried");
            };
            assert!(
                (secs * 1000..=secs * 1100).contains(&at),
                "{failures}: {at}"
            );
        }
        let total: u64 = config.retry_schedule.iter().map(Duration::as_secs).sum();
        assert!(total >= 24 * 3600, "retried for at least a day: {total} s");
        assert_eq!(next_attempt(&config, 8, 0), DeliveryOutcome::Abandoned);
    }
}
