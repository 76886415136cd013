//! Re-sealing under a new key-encryption key is all or nothing: a rotation that stops part way
//! (a value that cannot be re-sealed, a crash before the commit) leaves every value as it was,
//! still opening with the old key, and running it again finishes it.

use crate::fixtures::{authorization, authorize, completion, session, NOW};
use digigate_store::{SealedKind, Store};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Every KEK-sealed value the store holds for the session, as stored.
async fn sealed_values(store: &dyn Store, id: &str) -> Vec<Vec<u8>> {
    let session = store.session(id).await.unwrap().unwrap();
    let token = store.upstream_token(id).await.unwrap().unwrap();
    vec![
        store.data_key(id).await.unwrap().unwrap().wrapped_key,
        token.access_token_sealed,
        token.refresh_token_sealed.unwrap(),
        session.expected_sealed.unwrap(),
    ]
}

/// A stand-in for sealing under a new key: the bytes reversed, tagged with the key's number.
fn sealed_under(key: u8, plain: &[u8]) -> Vec<u8> {
    std::iter::once(key)
        .chain(plain.iter().rev().copied())
        .collect()
}

fn opened(key: u8, sealed: &[u8]) -> Option<Vec<u8>> {
    let (&tag, rest) = sealed.split_first()?;
    (tag == key).then(|| rest.iter().rev().copied().collect())
}

pub async fn a_rotation_that_stops_part_way_changes_nothing_and_can_be_run_again(
    store: Arc<dyn Store>,
) {
    let with_expected = digigate_store::SessionRecord {
        expected_sealed: Some(sealed_under(1, b"expected")),
        ..session("s", "k")
    };
    let auth = digigate_store::AuthorizationRecord {
        pkce_verifier_sealed: sealed_under(1, b"verifier"),
        ..authorization("s", "state")
    };
    authorize(&*store, &with_expected, &auth).await;
    let mut c = completion("s");
    c.data_key.wrapped_key = sealed_under(1, b"data key");
    assert!(store.complete_session(&c).await.unwrap());
    store
        .put_upstream_token(&digigate_store::UpstreamTokenRecord {
            session_id: "s".into(),
            access_token_sealed: sealed_under(1, b"access"),
            refresh_token_sealed: Some(sealed_under(1, b"refresh")),
            expires_at_ms: Some(NOW + 3_600_000),
            revoked_at_ms: None,
        })
        .await
        .unwrap();
    let before = sealed_values(store.as_ref(), "s").await;

    // Stops at the third value, as a crash or a value the old key cannot open would.
    let seen = AtomicUsize::new(0);
    let stopping = |_: SealedKind, _: &str, sealed: &[u8]| {
        if seen.fetch_add(1, Ordering::SeqCst) == 2 {
            return None;
        }
        Some(sealed_under(2, &opened(1, sealed)?))
    };
    assert!(store.reseal_all(&stopping, "kek-2").await.is_err());
    assert_eq!(
        sealed_values(store.as_ref(), "s").await,
        before,
        "nothing was re-sealed"
    );
    assert_eq!(
        store.data_key("s").await.unwrap().unwrap().kek_id,
        "kek-2025"
    );

    let finishing =
        |_: SealedKind, _: &str, sealed: &[u8]| Some(sealed_under(2, &opened(1, sealed)?));
    let count = store.reseal_all(&finishing, "kek-2").await.unwrap();
    assert_eq!(count, 5, "data key, two tokens, verifier, expected details");
    let after = sealed_values(store.as_ref(), "s").await;
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(
            opened(2, new),
            opened(1, old),
            "every value opens under the new key"
        );
    }
    assert_eq!(store.data_key("s").await.unwrap().unwrap().kek_id, "kek-2");
}
