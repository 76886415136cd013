//! Erased means gone from the SQLite files too: after erasure neither the database file nor its
//! write-ahead log holds a byte sequence of the session's wrapped data key, sealed documents,
//! sealed profile or sealed expected details.

use crate::fixtures::{authorization, authorize, completion, session, NOW, TENANT};
use digigate_store::testing::TestDatabase;
use digigate_store::{DocumentRecord, Store};
use std::sync::Arc;

/// 64 random bytes: a value that can only be in the files because this test stored it.
fn unique_blob() -> Vec<u8> {
    (0..64).map(|_| rand::random::<u8>()).collect()
}

/// The database file and its WAL, concatenated (the files exist as long as the store is open).
fn raw_sqlite_files(db: &TestDatabase) -> Vec<u8> {
    let path = db
        .url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let mut bytes = std::fs::read(&path).expect("the database file exists");
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Completes session `id` with unique sealed values; answers them as stored.
async fn completed_with_unique_blobs(store: &dyn Store, id: &str) -> Vec<(String, Vec<u8>)> {
    let with_expected = digigate_store::SessionRecord {
        expected_sealed: Some(unique_blob()),
        ..session(id, TENANT)
    };
    authorize(store, &with_expected, &authorization(id, id)).await;
    let mut c = completion(id);
    c.data_key.wrapped_key = unique_blob();
    for d in &mut c.documents {
        d.sealed = unique_blob();
        d.normalised_sealed = Some(unique_blob());
    }
    if let Some(p) = &mut c.profile {
        p.sealed = unique_blob();
    }
    assert!(store.complete_session(&c).await.unwrap());
    let mut stored = vec![
        (
            "wrapped data key".to_owned(),
            store.data_key(id).await.unwrap().unwrap().wrapped_key,
        ),
        (
            "sealed expected details".to_owned(),
            store
                .session(id)
                .await
                .unwrap()
                .unwrap()
                .expected_sealed
                .unwrap(),
        ),
    ];
    for DocumentRecord {
        doc_type,
        sealed,
        normalised_sealed,
        ..
    } in store.documents(id).await.unwrap()
    {
        stored.push((format!("sealed {doc_type:?}"), sealed));
        stored.push((
            format!("normalised {doc_type:?}"),
            normalised_sealed.unwrap(),
        ));
    }
    stored.push((
        "sealed profile".to_owned(),
        store.profile(id).await.unwrap().unwrap().sealed,
    ));
    stored
}

async fn assert_erasure_leaves_no_trace(erase: fn(Arc<dyn Store>, String) -> BoxedErase) {
    let db = TestDatabase::sqlite();
    let store = crate::migrated(&db).await;
    let stored = completed_with_unique_blobs(store.as_ref(), "s-1").await;
    let before = raw_sqlite_files(&db);
    for (what, bytes) in &stored {
        assert!(
            contains(&before, bytes),
            "the scan finds the {what} before erasure"
        );
    }
    erase(store.clone(), "s-1".to_owned()).await;
    assert_eq!(store.data_key("s-1").await.unwrap(), None);
    let after = raw_sqlite_files(&db);
    for (what, bytes) in &stored {
        assert!(
            !contains(&after, bytes),
            "the {what} is still in the SQLite files after erasure"
        );
    }
}

type BoxedErase = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_session_leaves_no_sealed_bytes_in_the_sqlite_file_or_its_wal() {
    assert_erasure_leaves_no_trace(|store, id| {
        Box::pin(async move {
            let at = store
                .delete_session(&id, "key_test_tenantone", NOW + 10)
                .await
                .unwrap();
            assert_eq!(at, Some(NOW + 10));
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_erasure_leaves_no_sealed_bytes_in_the_sqlite_file_or_its_wal() {
    assert_erasure_leaves_no_trace(|store, id| {
        Box::pin(async move {
            assert!(store.erase_session_data(&id, NOW + 10).await.unwrap());
        })
    })
    .await;
}
