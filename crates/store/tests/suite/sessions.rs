//! Sessions: round trips, tenant scoping, uniqueness and the state machine's guard.

use crate::fixtures::{add_session, full_session, session, NOW};
use digigate_core::{FailureReason, SessionStatus};
use digigate_store::{SessionRecord, Store, StoreError};
use std::sync::Arc;

pub async fn sessions_round_trip_by_id_and_by_link(store: Arc<dyn Store>) {
    let plain = session("plain", "key_test_tenantone");
    let full = full_session("full", "key_test_tenantone");
    store.insert_session(&plain).await.unwrap();
    store.insert_session(&full).await.unwrap();
    assert_eq!(store.session("plain").await.unwrap(), Some(plain.clone()));
    assert_eq!(store.session("full").await.unwrap(), Some(full.clone()));
    assert_eq!(
        store.session_by_link("link-full").await.unwrap(),
        Some(full)
    );
    assert_eq!(
        store.session_by_link("link-plain").await.unwrap(),
        Some(plain)
    );
    assert_eq!(store.session("missing").await.unwrap(), None);
    assert_eq!(store.session_by_link("link-missing").await.unwrap(), None);
}

pub async fn a_session_is_invisible_to_another_key(store: Arc<dyn Store>) {
    let mine = session("mine", "key_test_tenantone");
    store.insert_session(&mine).await.unwrap();
    assert_eq!(
        store
            .session_for_key("mine", "key_test_tenantone")
            .await
            .unwrap(),
        Some(mine)
    );
    assert_eq!(
        store
            .session_for_key("mine", "key_test_tenanttwo")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .session_for_key("missing", "key_test_tenantone")
            .await
            .unwrap(),
        None
    );
}

pub async fn a_second_session_with_a_used_id_or_link_is_a_conflict(store: Arc<dyn Store>) {
    let first = session("first", "key_test_tenantone");
    store.insert_session(&first).await.unwrap();

    let same_id = SessionRecord {
        link_id: "link-other".to_owned(),
        ..session("first", "key_test_tenanttwo")
    };
    let refused = store.insert_session(&same_id).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");

    let same_link = SessionRecord {
        link_id: "link-first".to_owned(),
        ..session("second", "key_test_tenanttwo")
    };
    let refused = store.insert_session(&same_link).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");

    assert_eq!(store.session("first").await.unwrap(), Some(first));
    assert_eq!(store.session("second").await.unwrap(), None);
}

pub async fn illegal_transitions_are_refused_and_change_nothing(store: Arc<dyn Store>) {
    let created = session("s", "key_test_tenantone");
    store.insert_session(&created).await.unwrap();
    for illegal in [
        SessionStatus::Succeeded,
        SessionStatus::Authorized,
        SessionStatus::Failed,
        SessionStatus::Created,
    ] {
        assert!(
            !store.transition("s", illegal, None, NOW + 1).await.unwrap(),
            "created → {illegal}"
        );
    }
    assert_eq!(store.session("s").await.unwrap(), Some(created));

    assert!(store
        .transition("s", SessionStatus::Expired, None, NOW + 2)
        .await
        .unwrap());
    let expired = store.session("s").await.unwrap().unwrap();
    assert_eq!(
        (expired.status, expired.updated_at_ms),
        (SessionStatus::Expired, NOW + 2)
    );
    for after_end in [
        SessionStatus::Initialized,
        SessionStatus::Expired,
        SessionStatus::Succeeded,
    ] {
        assert!(
            !store
                .transition("s", after_end, None, NOW + 3)
                .await
                .unwrap(),
            "expired → {after_end}"
        );
    }
    assert_eq!(store.session("s").await.unwrap(), Some(expired));
    assert!(!store
        .transition("missing", SessionStatus::Expired, None, NOW)
        .await
        .unwrap());
}

pub async fn a_failed_session_records_its_reason(store: Arc<dyn Store>) {
    add_session(&*store, "s").await;
    assert!(store
        .transition("s", SessionStatus::Initialized, None, NOW + 1)
        .await
        .unwrap());
    assert!(store
        .transition(
            "s",
            SessionStatus::Failed,
            Some(FailureReason::ConsentDenied),
            NOW + 2
        )
        .await
        .unwrap());
    let failed = store.session("s").await.unwrap().unwrap();
    assert_eq!(failed.status, SessionStatus::Failed);
    assert_eq!(failed.failure_reason, Some(FailureReason::ConsentDenied));
    assert_eq!(failed.updated_at_ms, NOW + 2);
}

pub async fn an_id_with_a_nul_finds_nothing_rather_than_failing(store: Arc<dyn Store>) {
    add_session(&*store, "s-nul").await;
    let nul = "s-nul\0";
    assert_eq!(store.session(nul).await.unwrap(), None);
    assert_eq!(
        store
            .session_for_key(nul, "key_test_tenantone")
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.session_by_link("link-s-nul\0").await.unwrap(), None);
    assert_eq!(store.documents(nul).await.unwrap(), vec![]);
    assert_eq!(store.document_by_id(nul).await.unwrap(), None);
    assert_eq!(store.api_key("key\0").await.unwrap(), None);
    assert_eq!(
        store
            .delete_session(nul, "key_test_tenantone", 1)
            .await
            .unwrap(),
        None
    );
    assert!(store.session("s-nul").await.unwrap().is_some());
}

pub async fn a_polled_session_shows_every_change_made_through_the_store_at_once(
    store: Arc<dyn Store>,
) {
    let key = "key_test_tenantone";
    store.insert_session(&session("p", key)).await.unwrap();
    // Polls fill the cache of recent reads (on SQLite); each change must show at the next poll.
    let poll = || async { store.session_for_key("p", key).await.unwrap().unwrap() };
    assert_eq!(poll().await.status, SessionStatus::Created);
    assert!(store
        .transition("p", SessionStatus::Expired, None, NOW + 1)
        .await
        .unwrap());
    assert_eq!(poll().await.status, SessionStatus::Expired);
    assert!(store
        .session_for_key("p", "key_test_other")
        .await
        .unwrap()
        .is_none());
    store.delete_session("p", key, NOW + 2).await.unwrap();
    assert!(store.session_for_key("p", key).await.unwrap().is_none());
}
