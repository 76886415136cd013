//! Session events: exactly one per status change (and per erasure), written in the change's
//! own transaction, numbered 1, 2, 3 … per session.

use crate::fixtures::{
    add_session, authorization, authorized_session, completion, document, open_link, session, NOW,
    TENANT,
};
use digigate_core::{DocType, FailureReason, SessionEventType, SessionStatus};
use digigate_store::{SessionEventRecord, Store, StoreError};
use std::sync::Arc;

/// The (type, status after, reason) of each event of `id`, asserting the numbering and ids.
async fn events(store: &dyn Store, id: &str) -> Vec<(SessionEventType, SessionStatus)> {
    let found = store.session_events(id).await.unwrap();
    assert_ordered_and_well_formed(&found, id);
    found.iter().map(|e| (e.event_type, e.status)).collect()
}

fn assert_ordered_and_well_formed(found: &[SessionEventRecord], id: &str) {
    for (i, e) in found.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "seq is contiguous from 1: {found:?}");
        assert_eq!(e.session_id, id);
        assert_eq!(e.api_key_id, "key_test_tenantone");
        let hex =
            e.id.strip_prefix("evt_")
                .expect("event ids start with evt_");
        assert_eq!(hex.len(), 32, "{}", e.id);
        assert!(hex
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }
    let mut ids: Vec<_> = found.iter().map(|e| &e.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), found.len(), "event ids are unique");
}

pub async fn a_journey_writes_one_event_per_transition_in_order(store: Arc<dyn Store>) {
    use SessionEventType as E;
    use SessionStatus as S;
    add_session(&*store, "s").await;
    assert_eq!(
        events(&*store, "s").await,
        vec![],
        "being created is no event"
    );
    assert!(store
        .start_authorization(&authorization("s", "first"), NOW + 1)
        .await
        .unwrap());
    // Opening the link again starts a fresh authorization but changes no status.
    let again = authorization("s", "again");
    assert!(store.start_authorization(&again, NOW + 2).await.unwrap());
    assert_eq!(
        events(&*store, "s").await,
        vec![(E::Initialized, S::Initialized)]
    );
    store
        .consume_authorization(&again.state_hash, &again.binding_hash, NOW + 3)
        .await
        .unwrap()
        .unwrap();
    let mut done = completion("s");
    done.now_ms = NOW + 4;
    assert!(store.complete_session(&done).await.unwrap());
    assert!(store.erase_session_data("s", NOW + 5).await.unwrap());
    assert!(!store.erase_session_data("s", NOW + 6).await.unwrap());
    assert_eq!(
        events(&*store, "s").await,
        vec![
            (E::Initialized, S::Initialized),
            (E::Authorized, S::Authorized),
            (E::Succeeded, S::Succeeded),
            (E::Erased, S::Succeeded),
        ]
    );
    let times: Vec<i64> = store
        .session_events("s")
        .await
        .unwrap()
        .iter()
        .map(|e| e.at_ms)
        .collect();
    assert_eq!(times, vec![NOW + 1, NOW + 3, NOW + 4, NOW + 5]);
}

pub async fn refused_transitions_write_no_event(store: Arc<dyn Store>) {
    add_session(&*store, "s").await;
    for refused in [
        SessionStatus::Created,
        SessionStatus::Authorized,
        SessionStatus::Succeeded,
        SessionStatus::Failed,
    ] {
        assert!(!store.transition("s", refused, None, NOW).await.unwrap());
    }
    assert_eq!(events(&*store, "s").await, vec![]);
    assert!(store
        .transition("s", SessionStatus::Expired, None, NOW + 1)
        .await
        .unwrap());
    for after_end in [SessionStatus::Expired, SessionStatus::Failed] {
        assert!(!store
            .transition("s", after_end, None, NOW + 2)
            .await
            .unwrap());
    }
    assert!(!store
        .start_authorization(&authorization("s", "late"), NOW + 2)
        .await
        .unwrap());
    assert_eq!(
        events(&*store, "s").await,
        vec![(SessionEventType::Expired, SessionStatus::Expired)]
    );
    assert_eq!(store.session_events("missing").await.unwrap(), vec![]);
}

pub async fn a_failure_event_carries_its_reason(store: Arc<dyn Store>) {
    authorized_session(&*store, "s").await;
    assert!(store
        .transition(
            "s",
            SessionStatus::Failed,
            Some(FailureReason::RepositoryUnavailable),
            NOW + 9
        )
        .await
        .unwrap());
    let found = store.session_events("s").await.unwrap();
    let last = found.last().unwrap();
    assert_eq!(
        (
            last.event_type,
            last.status,
            last.reason,
            last.at_ms,
            last.seq
        ),
        (
            SessionEventType::Failed,
            SessionStatus::Failed,
            Some(FailureReason::RepositoryUnavailable),
            NOW + 9,
            3
        )
    );
    assert!(found[..2].iter().all(|e| e.reason.is_none()));
}

pub async fn an_event_is_written_only_when_its_change_commits(store: Arc<dyn Store>) {
    authorized_session(&*store, "s").await;
    let before = events(&*store, "s").await;
    // A completion that fails half-way (two documents of one type) rolls back its event too.
    let mut c = completion("s");
    c.documents.push(document("doc-c-s", "s", DocType::Aadhaar));
    let refused = store.complete_session(&c).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_eq!(events(&*store, "s").await, before);
    assert!(store.complete_session(&completion("s")).await.unwrap());
    assert_eq!(
        events(&*store, "s").await.last(),
        Some(&(SessionEventType::Succeeded, SessionStatus::Succeeded))
    );
}

pub async fn racing_changes_write_one_event_each(store: Arc<dyn Store>) {
    let auth = authorization("s", "raced");
    open_link(&*store, &session("s", TENANT), &auth).await;
    // Ten callbacks race for the state and ten expiries for the session: one of each kind
    // of change at most, and the events agree with what the session went through.
    let mut racers = Vec::new();
    for i in 0..10 {
        let (store, auth) = (store.clone(), auth.clone());
        racers.push(tokio::spawn(async move {
            if i % 2 == 0 {
                store
                    .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + 1)
                    .await
                    .map(|won| won.is_some())
            } else {
                store
                    .transition("s", SessionStatus::Expired, None, NOW + 1)
                    .await
            }
        }));
    }
    let mut changes = 0;
    for racer in racers {
        changes += usize::from(racer.await.unwrap().unwrap());
    }
    let found = events(&*store, "s").await;
    assert_eq!(found.len(), 1 + changes, "{found:?}");
    assert_eq!(found.last().unwrap().1, SessionStatus::Expired);
}

pub async fn deleting_a_session_writes_one_erasure_event(store: Arc<dyn Store>) {
    let key = "key_test_tenantone";
    authorized_session(&*store, "s").await;
    assert!(store.complete_session(&completion("s")).await.unwrap());
    assert!(store
        .delete_session("s", "key_test_other", NOW + 5)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .delete_session("s", key, NOW + 6)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .delete_session("s", key, NOW + 7)
        .await
        .unwrap()
        .is_some());
    assert!(!store.erase_session_data("s", NOW + 8).await.unwrap());
    let found = events(&*store, "s").await;
    assert_eq!(
        found
            .iter()
            .filter(|e| e.0 == SessionEventType::Erased)
            .count(),
        1,
        "{found:?}"
    );
    assert_eq!(found.len(), 4);

    // A session erased by retention first writes no second event when it is deleted.
    authorized_session(&*store, "r").await;
    assert!(store.complete_session(&completion("r")).await.unwrap());
    assert!(store.erase_session_data("r", NOW + 5).await.unwrap());
    assert!(store
        .delete_session("r", key, NOW + 6)
        .await
        .unwrap()
        .is_some());
    assert_eq!(events(&*store, "r").await.len(), 4);
}
