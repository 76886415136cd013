//! The webhook outbox: a delivery per event and active endpoint written with the event, claims
//! under a lease that lapses, per-session order, removal, and re-sealing of webhook secrets.

use crate::fixtures::{key, session, NOW};
use digigate_core::{FailureReason, SessionStatus};
use digigate_store::{
    ClaimedDelivery, DeliveryOutcome, SealedKind, Store, WebhookAttemptRecord,
    WebhookEndpointRecord,
};
use std::sync::Arc;

fn endpoint(id: &str, api_key_id: &str) -> WebhookEndpointRecord {
    WebhookEndpointRecord {
        id: id.to_owned(),
        api_key_id: api_key_id.to_owned(),
        url: "https://hooks.example/in".to_owned(),
        secret_sealed: format!("secret-of-{id}").into_bytes(),
        previous_secret_sealed: None,
        previous_secret_until_ms: None,
        created_at_ms: NOW,
        removed_at_ms: None,
    }
}

fn attempt(delivery_id: &str, endpoint_id: &str, status: i64) -> WebhookAttemptRecord {
    WebhookAttemptRecord {
        id: format!("wa_{}", uuid::Uuid::new_v4().simple()),
        delivery_id: delivery_id.to_owned(),
        endpoint_id: endpoint_id.to_owned(),
        event_id: String::new(),
        event_type: String::new(),
        attempted_at_ms: NOW,
        duration_ms: 3,
        http_status: Some(status),
        error: None,
        delivery_state: String::new(),
    }
}

/// A key with endpoint `we_1` and session `s` that was initialized and then failed: two events.
async fn two_events(store: &dyn Store) {
    store.insert_api_key(&key("k", NOW)).await.unwrap();
    store
        .insert_webhook_endpoint(&endpoint("we_1", "k"))
        .await
        .unwrap();
    store.insert_session(&session("s", "k")).await.unwrap();
    let to = |status, reason| store.transition("s", status, reason, NOW);
    assert!(to(SessionStatus::Initialized, None).await.unwrap());
    let denied = Some(FailureReason::ConsentDenied);
    assert!(to(SessionStatus::Failed, denied).await.unwrap());
}

/// The deliveries `owner` claims at `at`, for a lease of a second.
async fn claim(store: &dyn Store, owner: &str, at: i64) -> Vec<ClaimedDelivery> {
    store
        .claim_webhook_deliveries(owner, at, 1000, 10)
        .await
        .unwrap()
}

/// Logs `owner`'s attempt at delivery `id` to `we_1`, answered `status`, and ends it as `outcome`.
async fn finish(store: &dyn Store, id: &str, owner: &str, status: i64, outcome: DeliveryOutcome) {
    let said = attempt(id, "we_1", status);
    store
        .finish_webhook_attempt(id, owner, &said, outcome)
        .await
        .unwrap();
}

pub async fn each_event_is_claimed_by_one_owner_until_its_lease_lapses(store: Arc<dyn Store>) {
    two_events(store.as_ref()).await;
    let a = claim(&*store, "a", NOW).await;
    assert_eq!(a.len(), 1, "only the session's first event is due: {a:?}");
    assert_eq!(a[0].event.event_type, "session.initialized");
    assert_eq!(a[0].event.seq, 1);
    assert_eq!(a[0].id, format!("{}.we_1", a[0].event.id));
    let held = claim(&*store, "b", NOW + 999).await;
    assert!(held.is_empty(), "held under a's lease");
    let taken = claim(&*store, "b", NOW + 1000).await;
    assert_eq!(taken.len(), 1, "a's lease lapsed");
    assert_eq!(taken[0].id, a[0].id);
    // a's late outcome does not move b's delivery on; it is still logged.
    finish(&*store, &a[0].id, "a", 200, DeliveryOutcome::Delivered).await;
    let log = store.webhook_attempts("we_1", 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].delivery_state, "pending");
    assert!(
        claim(&*store, "c", NOW + 3000).await.len() == 1,
        "b's lease lapses too; the second event still waits"
    );
}

pub async fn a_later_event_of_a_session_waits_until_the_earlier_one_is_done(store: Arc<dyn Store>) {
    two_events(store.as_ref()).await;
    let first = claim(&*store, "a", NOW).await;
    let id = first[0].id.clone();
    let retry = DeliveryOutcome::RetryAt(NOW + 5000);
    finish(&*store, &id, "a", 500, retry).await;
    let waiting = claim(&*store, "a", NOW + 100).await;
    assert!(
        waiting.is_empty(),
        "the first is pending its retry, the second waits for it"
    );
    let again = claim(&*store, "a", NOW + 5000).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, id);
    assert_eq!(again[0].attempts, 1);
    finish(&*store, &id, "a", 204, DeliveryOutcome::Delivered).await;
    let second = claim(&*store, "a", NOW + 5001).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event.event_type, "session.failed");
    assert_eq!(second[0].event.reason.as_deref(), Some("consent_denied"));
    let log = store.webhook_attempts("we_1", 10).await.unwrap();
    let statuses: Vec<Option<i64>> = log.iter().map(|l| l.http_status).collect();
    assert_eq!(statuses.len(), 2);
    assert!(log.iter().all(|l| l.delivery_state == "delivered"));
}

pub async fn a_removed_endpoint_gets_no_new_deliveries_and_its_pending_ones_are_given_up(
    store: Arc<dyn Store>,
) {
    two_events(store.as_ref()).await;
    assert!(!store
        .remove_webhook_endpoint("we_1", "another key", NOW)
        .await
        .unwrap());
    assert!(store
        .remove_webhook_endpoint("we_1", "k", NOW)
        .await
        .unwrap());
    assert!(
        !store
            .remove_webhook_endpoint("we_1", "k", NOW)
            .await
            .unwrap(),
        "once"
    );
    assert!(store.webhook_endpoints("k").await.unwrap().is_empty());
    assert!(claim(&*store, "a", NOW).await.is_empty());
    store.insert_session(&session("t", "k")).await.unwrap();
    assert!(store
        .transition("t", SessionStatus::Expired, None, NOW)
        .await
        .unwrap());
    assert!(claim(&*store, "a", NOW).await.is_empty());
    assert!(!store
        .rotate_webhook_secret("we_1", "k", b"new", NOW)
        .await
        .unwrap());
}

pub async fn pruning_forgets_only_finished_deliveries_older_than_the_bound(store: Arc<dyn Store>) {
    two_events(store.as_ref()).await;
    let first = claim(&*store, "a", NOW).await;
    let id = first[0].id.clone();
    let done = DeliveryOutcome::Delivered;
    finish(&*store, &id, "a", 200, done).await;
    assert_eq!(store.prune_webhook_log(NOW).await.unwrap(), 0, "not older");
    assert_eq!(store.prune_webhook_log(NOW + 1).await.unwrap(), 1);
    assert!(store.webhook_attempts("we_1", 10).await.unwrap().is_empty());
    let event = first[0].event.id.clone();
    assert!(!store
        .redeliver_webhook("we_1", "k", &event, NOW)
        .await
        .unwrap());
    // The second event, still pending, stays however old it is.
    let second = claim(&*store, "a", NOW).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event.event_type, "session.failed");
}

pub async fn redelivery_and_rotation_are_scoped_to_the_endpoints_key(store: Arc<dyn Store>) {
    two_events(store.as_ref()).await;
    let event = store.session_events("s").await.unwrap()[0].id.clone();
    assert!(!store
        .redeliver_webhook("we_1", "another key", &event, NOW)
        .await
        .unwrap());
    assert!(!store
        .redeliver_webhook("we_1", "k", "evt_unknown", NOW)
        .await
        .unwrap());
    assert!(store
        .redeliver_webhook("we_1", "k", &event, NOW)
        .await
        .unwrap());
    assert!(!store
        .rotate_webhook_secret("we_1", "another key", b"new", NOW)
        .await
        .unwrap());
    assert!(store
        .rotate_webhook_secret("we_1", "k", b"new", NOW + 10)
        .await
        .unwrap());
    let e = store.webhook_endpoint("we_1").await.unwrap().unwrap();
    assert_eq!(e.secret_sealed, b"new");
    assert_eq!(
        e.previous_secret_sealed.as_deref(),
        Some(&b"secret-of-we_1"[..])
    );
    assert_eq!(e.previous_secret_until_ms, Some(NOW + 10));
}

pub async fn a_master_key_rotation_reseals_webhook_and_redirect_secrets(store: Arc<dyn Store>) {
    two_events(store.as_ref()).await;
    assert!(store
        .rotate_webhook_secret("we_1", "k", b"new", NOW)
        .await
        .unwrap());
    let seen = std::sync::Mutex::new(Vec::new());
    let reseal = |kind: SealedKind, owner: &str, sealed: &[u8]| {
        seen.lock().unwrap().push((kind, owner.to_owned()));
        Some([b"re:", sealed].concat())
    };
    store.reseal_all(&reseal, "kek2").await.unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort_by_key(|(k, o)| (format!("{k:?}"), o.clone()));
    assert_eq!(
        seen,
        [
            (SealedKind::RedirectSecret, "k".to_owned()),
            (SealedKind::WebhookSecret, "we_1".to_owned()),
            (SealedKind::WebhookSecret, "we_1".to_owned()),
        ]
    );
    let e = store.webhook_endpoint("we_1").await.unwrap().unwrap();
    assert_eq!(e.secret_sealed, b"re:new");
    assert_eq!(
        e.previous_secret_sealed.as_deref(),
        Some(&b"re:secret-of-we_1"[..])
    );
    let k = store.api_key("k").await.unwrap().unwrap();
    assert!(k.redirect_secret_sealed.unwrap().starts_with(b"re:"));
}
