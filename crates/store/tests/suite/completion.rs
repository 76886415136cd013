//! Completing a session (documents, profile, data key in one go) and erasing its data.

use crate::fixtures::{all_bytes, authorized_session, completion, document, session, NOW};
use digigate_core::{DocType, SessionStatus};
use digigate_store::{CompletedSession, SessionRecord, Store, StoreError};
use std::sync::Arc;

/// Asserts the session kept its record and has no documents, profile or data key.
async fn assert_nothing_written(store: &dyn Store, before: &SessionRecord) {
    assert_eq!(
        store.session(&before.id).await.unwrap().as_ref(),
        Some(before)
    );
    assert_eq!(store.documents(&before.id).await.unwrap(), vec![]);
    assert_eq!(store.profile(&before.id).await.unwrap(), None);
    assert_eq!(store.data_key(&before.id).await.unwrap(), None);
}

pub async fn completing_an_authorized_session_stores_everything_at_once(store: Arc<dyn Store>) {
    authorized_session(&*store, "s").await;
    let c = completion("s");
    assert!(store.complete_session(&c).await.unwrap());

    let s = store.session("s").await.unwrap().unwrap();
    assert_eq!(s.status, SessionStatus::Succeeded);
    assert_eq!(s.updated_at_ms, c.now_ms);
    assert_eq!(s.documents_consented, c.documents_consented);
    assert_eq!(s.documents_missing, c.documents_missing);
    assert_eq!(store.documents("s").await.unwrap(), c.documents);
    assert_eq!(
        store.document("s", DocType::Pan).await.unwrap().as_ref(),
        Some(&c.documents[1])
    );
    assert_eq!(
        store.document("s", DocType::DrivingLicense).await.unwrap(),
        None
    );
    assert_eq!(
        store.document_by_id("doc-a-s").await.unwrap().as_ref(),
        Some(&c.documents[0])
    );
    assert_eq!(store.document_by_id("doc-missing").await.unwrap(), None);
    assert_eq!(store.profile("s").await.unwrap(), c.profile);
    assert_eq!(store.data_key("s").await.unwrap(), Some(c.data_key.clone()));

    // Completing twice is refused: the session is no longer authorized.
    let again = CompletedSession {
        documents: vec![],
        profile: None,
        ..completion("s")
    };
    assert!(!store.complete_session(&again).await.unwrap());
    assert_eq!(store.documents("s").await.unwrap(), c.documents);
}

pub async fn completing_a_session_that_is_not_authorized_writes_nothing(store: Arc<dyn Store>) {
    let created = session("s", "key_test_tenantone");
    store.insert_session(&created).await.unwrap();
    assert!(!store.complete_session(&completion("s")).await.unwrap());
    assert_nothing_written(&*store, &created).await;

    let failed = authorized_session(&*store, "f").await;
    assert!(store
        .transition("f", SessionStatus::Failed, None, NOW + 2)
        .await
        .unwrap());
    let failed = SessionRecord {
        status: SessionStatus::Failed,
        updated_at_ms: NOW + 2,
        ..failed
    };
    assert!(!store.complete_session(&completion("f")).await.unwrap());
    assert_nothing_written(&*store, &failed).await;

    assert!(!store
        .complete_session(&completion("missing"))
        .await
        .unwrap());
}

pub async fn two_documents_of_one_type_are_a_conflict_and_nothing_is_written(
    store: Arc<dyn Store>,
) {
    let authorized = authorized_session(&*store, "s").await;
    let mut c = completion("s");
    c.documents.push(document("doc-c-s", "s", DocType::Aadhaar));
    let refused = store.complete_session(&c).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_nothing_written(&*store, &authorized).await;

    // The refused attempt left the session completable.
    assert!(store.complete_session(&completion("s")).await.unwrap());
    assert_eq!(store.documents("s").await.unwrap().len(), 2);
}

pub async fn erasing_twice_erases_once(store: Arc<dyn Store>) {
    authorized_session(&*store, "s").await;
    assert!(store.complete_session(&completion("s")).await.unwrap());
    let before = store.session("s").await.unwrap().unwrap();

    assert!(store.erase_session_data("s", NOW + 10).await.unwrap());
    let erased = SessionRecord {
        erased_at_ms: Some(NOW + 10),
        ..before
    };
    assert_nothing_written(&*store, &erased).await;
    assert_eq!(store.document_by_id("doc-a-s").await.unwrap(), None);

    assert!(!store.erase_session_data("s", NOW + 20).await.unwrap());
    assert_nothing_written(&*store, &erased).await;
    assert!(!store.erase_session_data("missing", NOW).await.unwrap());
}

pub async fn sealed_blobs_round_trip_byte_for_byte(store: Arc<dyn Store>) {
    let auth_session = session("a", "key_test_tenantone");
    store.insert_session(&auth_session).await.unwrap();
    let auth = crate::fixtures::authorization("a", "blob");
    assert!(store.start_authorization(&auth, NOW).await.unwrap());
    let consumed = store
        .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(consumed.pkce_verifier_sealed, all_bytes());

    authorized_session(&*store, "s").await;
    let mut c = completion("s");
    c.documents = vec![
        document("empty", "s", DocType::Aadhaar),
        document("full", "s", DocType::Pan),
    ];
    c.documents[0].sealed = vec![];
    c.documents[1].sealed = all_bytes().repeat(64);
    assert!(store.complete_session(&c).await.unwrap());
    let stored = store.documents("s").await.unwrap();
    assert_eq!(stored[0].sealed, Vec::<u8>::new());
    assert_eq!(stored[1].sealed, all_bytes().repeat(64));
    assert_eq!(
        store.profile("s").await.unwrap().unwrap().sealed,
        all_bytes()
    );
    assert_eq!(
        store.data_key("s").await.unwrap().unwrap().wrapped_key,
        all_bytes()
    );
}
