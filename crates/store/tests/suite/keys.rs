//! API keys, and migrating an existing database.

use crate::fixtures::{key, session, NOW};
use digigate_store::{Store, StoreError};
use std::sync::Arc;

pub async fn migrating_again_changes_nothing(store: Arc<dyn Store>) {
    store
        .insert_api_key(&key("key_test_first", NOW))
        .await
        .unwrap();
    store
        .insert_session(&session("s1", "key_test_first"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(
        store.api_key("key_test_first").await.unwrap(),
        Some(key("key_test_first", NOW))
    );
    assert_eq!(
        store.session("s1").await.unwrap(),
        Some(session("s1", "key_test_first"))
    );
}

pub async fn api_keys_round_trip_and_list_oldest_first(store: Arc<dyn Store>) {
    assert_eq!(store.list_api_keys().await.unwrap(), vec![]);
    let newer = key("key_test_newer", NOW + 1);
    let mut older = key("key_test_older", NOW);
    older.disabled_at_ms = Some(NOW + 2);
    older.redirect_urls = vec![];
    store.insert_api_key(&newer).await.unwrap();
    store.insert_api_key(&older).await.unwrap();
    assert_eq!(
        store.api_key("key_test_newer").await.unwrap(),
        Some(newer.clone())
    );
    assert_eq!(
        store.api_key("key_test_older").await.unwrap(),
        Some(older.clone())
    );
    assert_eq!(store.api_key("key_test_missing").await.unwrap(), None);
    assert_eq!(store.list_api_keys().await.unwrap(), vec![older, newer]);
}

pub async fn inserting_a_key_with_an_existing_id_is_a_conflict(store: Arc<dyn Store>) {
    let original = key("key_test_same", NOW);
    store.insert_api_key(&original).await.unwrap();
    let mut impostor = key("key_test_same", NOW + 1);
    impostor.secret_hash = "another hash".to_owned();
    let refused = store.insert_api_key(&impostor).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_eq!(
        store.api_key("key_test_same").await.unwrap(),
        Some(original)
    );
}

pub async fn a_key_can_be_disabled_and_enabled_again(store: Arc<dyn Store>) {
    store
        .insert_api_key(&key("key_test_toggle", NOW))
        .await
        .unwrap();
    assert!(store
        .set_api_key_disabled("key_test_toggle", Some(NOW + 9))
        .await
        .unwrap());
    let disabled = store.api_key("key_test_toggle").await.unwrap().unwrap();
    assert_eq!(disabled.disabled_at_ms, Some(NOW + 9));
    assert!(store
        .set_api_key_disabled("key_test_toggle", None)
        .await
        .unwrap());
    assert_eq!(
        store.api_key("key_test_toggle").await.unwrap(),
        Some(key("key_test_toggle", NOW))
    );
    assert!(!store
        .set_api_key_disabled("key_test_missing", Some(NOW))
        .await
        .unwrap());
}

pub async fn rotating_a_secret_replaces_its_hash_and_bumps_its_generation(store: Arc<dyn Store>) {
    store
        .insert_api_key(&key("key_test_rotate", NOW))
        .await
        .unwrap();
    assert!(store
        .set_api_key_secret_hash("key_test_rotate", "new hash")
        .await
        .unwrap());
    let mut expected = key("key_test_rotate", NOW);
    expected.secret_hash = "new hash".to_owned();
    expected.generation = 1;
    assert_eq!(
        store.api_key("key_test_rotate").await.unwrap(),
        Some(expected)
    );
    assert!(!store
        .set_api_key_secret_hash("key_test_missing", "x")
        .await
        .unwrap());
}
