//! The append-only audit log, deletion on request and the retention sweep's work list.

use crate::fixtures::{authorized_session, completion, session, NOW};
use digigate_core::SessionStatus;
use digigate_store::{AuditEntry, Store};
use std::sync::Arc;

fn entry(session: &str, action: &str, at_ms: i64) -> AuditEntry {
    AuditEntry {
        at_ms,
        api_key_id: Some("key_test_aaaaaaaaaaaa".to_owned()),
        session_id: Some(session.to_owned()),
        action: action.to_owned(),
        detail: Some("pan".to_owned()),
    }
}

pub async fn audit_lines_are_kept_in_order_and_cannot_be_changed(store: Arc<dyn Store>) {
    let lines = [
        entry("s1", "session.created", NOW),
        entry("s2", "session.created", NOW + 1),
        entry("s1", "document.read", NOW + 2),
    ];
    for l in &lines {
        store.append_audit(l).await.unwrap();
    }
    assert_eq!(
        store.audit_log(Some("s1"), 100).await.unwrap(),
        vec![lines[0].clone(), lines[2].clone()]
    );
    assert_eq!(store.audit_log(None, 100).await.unwrap().len(), 3);
    assert_eq!(store.audit_log(None, 2).await.unwrap().len(), 2);
    // Erasing a session's data never touches its audit lines.
    store.insert_session(&session("s1", "k")).await.unwrap();
    store.erase_session_data("s1", NOW + 3).await.unwrap();
    assert_eq!(store.audit_log(Some("s1"), 100).await.unwrap().len(), 2);
}

pub async fn deleting_erases_at_once_hides_the_session_and_repeats_harmlessly(
    store: Arc<dyn Store>,
) {
    authorized_session(&*store, "s").await;
    assert!(store.complete_session(&completion("s")).await.unwrap());
    let owner = store.session("s").await.unwrap().unwrap().api_key_id;
    let at = store.delete_session("s", &owner, NOW + 100).await.unwrap();
    assert_eq!(at, Some(NOW + 100));
    assert_eq!(store.session("s").await.unwrap(), None);
    assert_eq!(store.session_for_key("s", &owner).await.unwrap(), None);
    assert_eq!(store.documents("s").await.unwrap(), vec![]);
    assert_eq!(store.profile("s").await.unwrap(), None);
    assert_eq!(store.data_key("s").await.unwrap(), None);
    // A repeat answers the first deletion time and changes nothing.
    assert_eq!(
        store.delete_session("s", &owner, NOW + 200).await.unwrap(),
        Some(NOW + 100)
    );
}

pub async fn another_key_cannot_delete_a_session(store: Arc<dyn Store>) {
    authorized_session(&*store, "s").await;
    assert!(store.complete_session(&completion("s")).await.unwrap());
    assert_eq!(
        store
            .delete_session("s", "key_test_someoneelse", NOW)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .delete_session("missing", "key_test_someoneelse", NOW)
            .await
            .unwrap(),
        None
    );
    let s = store.session("s").await.unwrap().unwrap();
    assert_eq!(s.status, SessionStatus::Succeeded);
    assert_eq!(
        store.documents("s").await.unwrap().len(),
        completion("s").documents.len()
    );
}

pub async fn only_old_succeeded_sessions_are_due_for_erasure(store: Arc<dyn Store>) {
    authorized_session(&*store, "old").await;
    assert!(store.complete_session(&completion("old")).await.unwrap());
    store.insert_session(&session("fresh", "k")).await.unwrap();
    let done_at = store.session("old").await.unwrap().unwrap().updated_at_ms;
    assert_eq!(
        store.sessions_due_for_erasure(done_at, 10).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store
            .sessions_due_for_erasure(done_at + 1, 10)
            .await
            .unwrap(),
        vec!["old".to_owned()]
    );
    assert!(store.erase_session_data("old", done_at + 1).await.unwrap());
    assert_eq!(
        store
            .sessions_due_for_erasure(done_at + 1, 10)
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}

pub async fn erasure_also_forgets_the_expected_details(store: Arc<dyn Store>) {
    let mut with_expected = digigate_store::SessionRecord {
        expected_sealed: Some(vec![1, 2, 3]),
        ..session("e", "k")
    };
    with_expected.options.verified_mobile = Some("9876543210".to_owned());
    store.insert_session(&with_expected).await.unwrap();
    assert!(store.erase_session_data("e", NOW + 1).await.unwrap());
    let after = store.session("e").await.unwrap().unwrap();
    assert_eq!(after.expected_sealed, None);
    assert_eq!(
        after.options.verified_mobile, None,
        "a verified mobile is personal data too"
    );
    assert_eq!(after.erased_at_ms, Some(NOW + 1));
}

/// The owner token of a claim that must be new.
fn owner_of(claim: digigate_store::IdempotencyClaim) -> String {
    match claim {
        digigate_store::IdempotencyClaim::New { owner } => owner,
        other => panic!("expected a new claim, got {other:?}"),
    }
}

/// Claims `key` of the key `k` for a request hashed `hash`; the claim must be new.
async fn new_claim(store: &dyn Store, key: &str, hash: &str, at: i64) -> String {
    owner_of(
        store
            .claim_idempotency_key("k", key, hash, at)
            .await
            .unwrap(),
    )
}

/// Creates session `id` of the key `k` as init does under an idempotency `key` that `owner`
/// claimed, with `response` as the key's answer.
async fn create_answering(
    store: &dyn Store,
    id: &str,
    key: &str,
    owner: &str,
    response: &str,
) -> Result<bool, digigate_store::StoreError> {
    let created = entry(id, "session.created", NOW);
    store
        .insert_session_answering(&session(id, "k"), &created, key, owner, response)
        .await
}

pub async fn an_abandoned_idempotency_claim_is_taken_over_after_a_minute(store: Arc<dyn Store>) {
    use digigate_store::IdempotencyClaim;
    let claim = |hash: &'static str, at: i64| {
        let store = store.clone();
        async move {
            store
                .claim_idempotency_key("k", "order-1", hash, at)
                .await
                .unwrap()
        }
    };
    let first = owner_of(claim("h1", NOW).await);
    let in_flight = IdempotencyClaim::Existing {
        request_hash: "h1".into(),
        response: None,
    };
    assert_eq!(claim("h1", NOW + 1_000).await, in_flight);
    let second = owner_of(claim("h2", NOW + 61_000).await);
    assert_ne!(
        first, second,
        "abandoned claims are reclaimed by a new owner"
    );
    assert!(create_answering(&*store, "s-2", "order-1", &second, "{}")
        .await
        .unwrap());
    let done = IdempotencyClaim::Existing {
        request_hash: "h2".into(),
        response: Some("{}".into()),
    };
    assert_eq!(
        claim("h2", NOW + 600_000).await,
        done,
        "answered claims are kept"
    );
    store
        .release_idempotency_key("k", "order-1", &second)
        .await
        .unwrap();
    assert_eq!(
        claim("h2", NOW + 600_000).await,
        done,
        "an answered claim is never released"
    );
}

pub async fn a_slow_request_whose_claim_was_taken_over_stores_no_second_session(
    store: Arc<dyn Store>,
) {
    let slow = new_claim(&*store, "order-7", "h", NOW).await;
    // A retry a minute later takes the claim over, stores its session and answers.
    let retry = new_claim(&*store, "order-7", "h", NOW + 61_000).await;
    assert!(create_answering(
        &*store,
        "by-retry",
        "order-7",
        &retry,
        r#"{"id":"by-retry"}"#
    )
    .await
    .unwrap());
    // The first request was merely slow: its commit must write nothing.
    assert!(
        !create_answering(&*store, "by-slow", "order-7", &slow, r#"{"id":"by-slow"}"#)
            .await
            .unwrap()
    );
    store
        .release_idempotency_key("k", "order-7", &slow)
        .await
        .unwrap();
    let stored: Vec<String> = [
        store.session_for_key("by-retry", "k").await.unwrap(),
        store.session_for_key("by-slow", "k").await.unwrap(),
    ]
    .into_iter()
    .flatten()
    .map(|s| s.id)
    .collect();
    assert_eq!(
        stored,
        vec!["by-retry".to_owned()],
        "one session for one key"
    );
    assert_eq!(
        store
            .claim_idempotency_key("k", "order-7", "h", NOW + 600_000)
            .await
            .unwrap(),
        digigate_store::IdempotencyClaim::Existing {
            request_hash: "h".into(),
            response: Some(r#"{"id":"by-retry"}"#.into()),
        },
        "the key answers the retry's session"
    );
}

pub async fn a_session_that_cannot_be_stored_leaves_its_claim_unanswered(store: Arc<dyn Store>) {
    store.insert_session(&session("taken", "k")).await.unwrap();
    let owner = new_claim(&*store, "order-9", "h", NOW).await;
    let clash = create_answering(&*store, "taken", "order-9", &owner, "{}").await;
    assert!(
        matches!(clash, Err(digigate_store::StoreError::Conflict)),
        "{clash:?}"
    );
    assert_eq!(
        store
            .claim_idempotency_key("k", "order-9", "h", NOW + 1)
            .await
            .unwrap(),
        digigate_store::IdempotencyClaim::Existing {
            request_hash: "h".into(),
            response: None,
        },
        "the answer was rolled back with the session"
    );
}

pub async fn sessions_created_together_are_each_stored_with_their_audit_line(
    store: Arc<dyn Store>,
) {
    store.insert_session(&session("taken", "k")).await.unwrap();
    // Forty creations at once (a group commit on SQLite), one of them with a used id.
    let creations = (0..40).map(|i| {
        let store = store.clone();
        let id = if i == 17 {
            "taken".to_owned()
        } else {
            format!("new-{i}")
        };
        tokio::spawn(async move {
            let outcome = store
                .create_session(&session(&id, "k"), &entry(&id, "session.created", NOW))
                .await;
            (id, outcome)
        })
    });
    for created in creations.collect::<Vec<_>>() {
        let (id, outcome) = created.await.unwrap();
        let lines = store.audit_log(Some(&id), 10).await.unwrap();
        if id == "taken" {
            assert!(
                matches!(outcome, Err(digigate_store::StoreError::Conflict)),
                "{outcome:?}"
            );
            assert!(lines.is_empty(), "a refused creation writes no audit line");
        } else {
            outcome.unwrap();
            assert!(
                store.session_for_key(&id, "k").await.unwrap().is_some(),
                "{id}"
            );
            assert_eq!(lines.len(), 1, "{id} has its audit line");
        }
    }
}
