//! Authorizations (start, consume once) and upstream tokens.

use crate::fixtures::{
    add_session, all_bytes, authorization, open_link, session, MINUTE, NOW, TENANT,
};
use digigate_core::SessionStatus;
use digigate_store::{Store, StoreError, UpstreamTokenRecord};
use std::sync::Arc;

async fn status(store: &dyn Store, id: &str) -> SessionStatus {
    store
        .session(id)
        .await
        .unwrap()
        .expect("the session exists")
        .status
}

pub async fn starting_an_authorization_on_an_expired_link_writes_nothing(store: Arc<dyn Store>) {
    let s = session("s", "key_test_tenantone");
    store.insert_session(&s).await.unwrap();
    let auth = authorization("s", "late");
    assert!(!store
        .start_authorization(&auth, s.link_expires_at_ms)
        .await
        .unwrap());
    assert_eq!(store.session("s").await.unwrap(), Some(s.clone()));
    // Had the authorization been written, it could be consumed now.
    assert!(store
        .transition("s", SessionStatus::Initialized, None, NOW)
        .await
        .unwrap());
    assert_eq!(
        store
            .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW)
            .await
            .unwrap(),
        None
    );
    assert_eq!(status(&*store, "s").await, SessionStatus::Initialized);
}

pub async fn starting_an_authorization_on_a_finished_session_writes_nothing(store: Arc<dyn Store>) {
    add_session(&*store, "s").await;
    assert!(store
        .transition("s", SessionStatus::Expired, None, NOW)
        .await
        .unwrap());
    assert!(!store
        .start_authorization(&authorization("s", "a"), NOW)
        .await
        .unwrap());
    assert_eq!(status(&*store, "s").await, SessionStatus::Expired);
    assert!(!store
        .start_authorization(&authorization("missing", "b"), NOW)
        .await
        .unwrap());
}

pub async fn an_authorization_is_consumed_exactly_once_when_ten_tasks_race(store: Arc<dyn Store>) {
    add_session(&*store, "s").await;
    // Opening the link twice is allowed; only the second state is raced for.
    assert!(store
        .start_authorization(&authorization("s", "first"), NOW)
        .await
        .unwrap());
    let auth = authorization("s", "second");
    assert!(store.start_authorization(&auth, NOW + 1).await.unwrap());
    let racers: Vec<_> = (0..10)
        .map(|_| {
            let (store, auth) = (store.clone(), auth.clone());
            tokio::spawn(async move {
                store
                    .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + 2)
                    .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        if let Some(won) = racer.await.unwrap().unwrap() {
            winners.push(won);
        }
    }
    assert_eq!(winners, vec![auth.clone()]);
    let s = store.session("s").await.unwrap().unwrap();
    assert_eq!(
        (s.status, s.updated_at_ms),
        (SessionStatus::Authorized, NOW + 2)
    );
    assert_eq!(
        store
            .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + 3)
            .await
            .unwrap(),
        None
    );
}

pub async fn a_wrong_binding_hash_consumes_nothing(store: Arc<dyn Store>) {
    let auth = authorization("s", "a");
    open_link(&*store, &session("s", TENANT), &auth).await;
    assert_eq!(
        store
            .consume_authorization(&auth.state_hash, "binding-of-another-browser", NOW)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .consume_authorization("state-unknown", &auth.binding_hash, NOW)
            .await
            .unwrap(),
        None
    );
    assert_eq!(status(&*store, "s").await, SessionStatus::Initialized);
    let consumed = store
        .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW)
        .await
        .unwrap();
    assert_eq!(consumed, Some(auth));
}

pub async fn an_expired_state_is_not_consumed(store: Arc<dyn Store>) {
    let auth = authorization("s", "a");
    open_link(&*store, &session("s", TENANT), &auth).await;
    let late = auth.expires_at_ms;
    assert_eq!(
        store
            .consume_authorization(&auth.state_hash, &auth.binding_hash, late)
            .await
            .unwrap(),
        None
    );
    assert_eq!(status(&*store, "s").await, SessionStatus::Initialized);
}

pub async fn a_state_is_not_consumed_when_its_session_moved_on(store: Arc<dyn Store>) {
    let auth = authorization("s", "a");
    open_link(&*store, &session("s", TENANT), &auth).await;
    assert!(store
        .transition("s", SessionStatus::Expired, None, NOW + MINUTE)
        .await
        .unwrap());
    let before = store.session("s").await.unwrap();
    assert_eq!(
        store
            .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + MINUTE)
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.session("s").await.unwrap(), before);
}

pub async fn upstream_tokens_are_replaced_and_revoked_once(store: Arc<dyn Store>) {
    add_session(&*store, "s").await;
    assert_eq!(store.upstream_token("s").await.unwrap(), None);
    let first = UpstreamTokenRecord {
        session_id: "s".to_owned(),
        access_token_sealed: all_bytes(),
        refresh_token_sealed: Some(all_bytes().into_iter().rev().collect()),
        expires_at_ms: Some(NOW + 60 * MINUTE),
        revoked_at_ms: None,
    };
    store.put_upstream_token(&first).await.unwrap();
    assert_eq!(store.upstream_token("s").await.unwrap(), Some(first));
    let second = UpstreamTokenRecord {
        session_id: "s".to_owned(),
        access_token_sealed: vec![0, 1, 2],
        refresh_token_sealed: None,
        expires_at_ms: None,
        revoked_at_ms: None,
    };
    store.put_upstream_token(&second).await.unwrap();
    assert_eq!(
        store.upstream_token("s").await.unwrap(),
        Some(second.clone())
    );
    store
        .mark_upstream_token_revoked("s", NOW + 1)
        .await
        .unwrap();
    store
        .mark_upstream_token_revoked("s", NOW + 2)
        .await
        .unwrap();
    let revoked = UpstreamTokenRecord {
        revoked_at_ms: Some(NOW + 1),
        ..second
    };
    assert_eq!(store.upstream_token("s").await.unwrap(), Some(revoked));
}

pub async fn an_upstream_token_for_an_unknown_session_is_refused(store: Arc<dyn Store>) {
    let orphan = UpstreamTokenRecord {
        session_id: "missing".to_owned(),
        access_token_sealed: vec![1],
        refresh_token_sealed: None,
        expires_at_ms: None,
        revoked_at_ms: None,
    };
    let refused = store.put_upstream_token(&orphan).await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_))),
        "{refused:?}"
    );
    assert_eq!(store.upstream_token("missing").await.unwrap(), None);
}
