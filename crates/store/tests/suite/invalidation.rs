//! Records kept in memory and changes made elsewhere. On PostgreSQL, two stores on one database
//! stand for two instances. They keep what they read for an hour (`connect_with_cache_ttl`), far
//! longer than any test, so a change shows on the other store only if it was told of it.

use crate::fixtures::{key, session, NOW};
use digigate_core::SessionStatus;
use digigate_store::testing::TestDatabase;
use digigate_store::Store;
use sqlx::{Connection, PgConnection};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

const AN_HOUR: Duration = Duration::from_secs(3600);

async fn instance(db: &TestDatabase) -> Arc<dyn Store> {
    let store = digigate_store::connect_with_cache_ttl(&db.url, AN_HOUR)
        .await
        .expect("the test database opens");
    store.migrate().await.expect("migrations apply");
    store
}

/// Waits (for at most ten seconds) until `seen` holds; whatever it last saw, on timeout.
async fn eventually<F, Fut>(what: &str, mut seen: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen().await {
        assert!(Instant::now() < deadline, "never saw: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `sql` on a connection of its own with triggers off, so that the database announces
/// nothing: a change no store can hear of, as if its announcement had been lost.
async fn change_unannounced(db: &TestDatabase, sql: &str) {
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut conn)
        .await
        .unwrap();
    let changed = sqlx::query(sql).execute(&mut conn).await.unwrap();
    assert_eq!(changed.rows_affected(), 1, "{sql}");
}

/// Waits until `store` serves key `id` from memory: its name changed unannounced and the store
/// still answers the old one. (Until its listener is subscribed a store reads every time.)
async fn until_served_from_memory(db: &TestDatabase, store: &dyn Store, id: &str) {
    let mut round = 0;
    eventually("the key served from memory", || {
        round += 1;
        let name = format!("renamed {round}");
        async move {
            let before = store.api_key(id).await.unwrap().unwrap().name;
            let sql = format!("UPDATE api_keys SET name = '{name}' WHERE id = '{id}'");
            change_unannounced(db, &sql).await;
            store.api_key(id).await.unwrap().unwrap().name == before
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_disabled_and_a_session_changed_on_one_instance_are_seen_on_the_other() {
    let db = TestDatabase::postgres().await;
    let (a, b) = (instance(&db).await, instance(&db).await);
    b.insert_api_key(&key("key_test_k", NOW)).await.unwrap();
    b.insert_session(&session("s", "key_test_k")).await.unwrap();
    until_served_from_memory(&db, &*a, "key_test_k").await;
    // A remembers the key, the session and its (empty) history.
    assert!(a.api_key("key_test_k").await.unwrap().is_some());
    let on_a = a.session_for_key("s", "key_test_k").await.unwrap().unwrap();
    assert_eq!(on_a.status, SessionStatus::Created);
    assert!(a.session_events("s").await.unwrap().is_empty());

    assert!(b
        .set_api_key_disabled("key_test_k", Some(NOW + 1))
        .await
        .unwrap());
    assert!(b
        .transition("s", SessionStatus::Expired, None, NOW + 2)
        .await
        .unwrap());

    eventually("the key disabled on A", || async {
        let key = a.api_key("key_test_k").await.unwrap().unwrap();
        key.disabled_at_ms == Some(NOW + 1)
    })
    .await;
    eventually("the session expired on A, with its history", || async {
        let s = a.session_for_key("s", "key_test_k").await.unwrap().unwrap();
        let history = a.session_events("s").await.unwrap();
        s.status == SessionStatus::Expired && history.len() == 1
    })
    .await;

    // A rotation too, and a deletion: the session is gone on A.
    assert!(b
        .set_api_key_secret_hash("key_test_k", "$argon2id$new")
        .await
        .unwrap());
    b.delete_session("s", "key_test_k", NOW + 3).await.unwrap();
    eventually("the rotation and the deletion on A", || async {
        let key = a.api_key("key_test_k").await.unwrap().unwrap();
        let gone = a
            .session_for_key("s", "key_test_k")
            .await
            .unwrap()
            .is_none();
        key.generation == 1 && gone
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_whose_listener_was_cut_off_serves_nothing_it_read_before() {
    let db = TestDatabase::postgres().await;
    let a = instance(&db).await;
    a.insert_api_key(&key("key_test_k", NOW)).await.unwrap();
    a.insert_session(&session("s", "key_test_k")).await.unwrap();
    until_served_from_memory(&db, &*a, "key_test_k").await;
    let read = || async { a.session_for_key("s", "key_test_k").await.unwrap().unwrap() };
    assert_eq!(read().await.status, SessionStatus::Created);

    // Expired while no announcement reaches A: A still answers what it read.
    change_unannounced(&db, "UPDATE sessions SET status = 'expired' WHERE id = 's'").await;
    assert_eq!(read().await.status, SessionStatus::Created);

    // Its listener's connection is cut: A may have missed anything since, so it forgets all.
    let mut admin = PgConnection::connect(&db.url).await.unwrap();
    let cut = sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query = 'LISTEN \"digigate_changes\"'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(cut.len(), 1, "one listener on the database");
    eventually("the expiry on A", || async {
        read().await.status == SessionStatus::Expired
    })
    .await;

    // Once it listens again, A serves from memory again.
    until_served_from_memory(&db, &*a, "key_test_k").await;
}

/// On both backends: a session's history, read as often as a status poll reads it, shows each
/// change made through the store at the next read.
pub async fn a_polled_history_shows_every_change_made_through_the_store_at_once(
    store: Arc<dyn Store>,
) {
    store
        .insert_session(&session("h", "key_test_k"))
        .await
        .unwrap();
    let history = || async {
        let events = store.session_events("h").await.unwrap();
        events.iter().map(|e| e.status).collect::<Vec<_>>()
    };
    assert!(history().await.is_empty());
    assert!(history().await.is_empty());
    assert!(store
        .transition("h", SessionStatus::Expired, None, NOW + 1)
        .await
        .unwrap());
    assert_eq!(history().await, [SessionStatus::Expired]);
}
