//! The indexes the background scans rely on exist after migrating, on both backends (a scan
//! that silently reads the whole table is only noticed under load).

use digigate_store::testing::TestDatabase;
use sqlx::Row;

/// The indexes of migration 0008: the expiry scan's and the delivery log prune's.
const EXPECTED: [&str; 2] = ["sessions_status_updated", "webhook_attempts_delivery"];

/// The names of the database's indexes, read from its catalogue.
async fn index_names(db: &TestDatabase) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let sql = if db.url.starts_with("sqlite:") {
        "SELECT name FROM sqlite_master WHERE type = 'index'"
    } else {
        "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = current_schema()"
    };
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows.iter().map(|r| r.get::<String, _>("name")).collect()
}

async fn the_scans_indexes_exist_after_migrating(db: TestDatabase) {
    let store = super::migrated(&db).await;
    let names = index_names(&db).await;
    for index in EXPECTED {
        assert!(names.iter().any(|n| n == index), "{index} in {names:?}");
    }
    drop(store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_has_the_scans_indexes() {
    the_scans_indexes_exist_after_migrating(TestDatabase::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_has_the_scans_indexes() {
    the_scans_indexes_exist_after_migrating(TestDatabase::postgres().await).await;
}

/// On SQLite the expiry scan's query (the same conditions as `sessions_due_for_expiry`) is
/// planned on the index, one range per status, rather than as a scan of the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_plans_the_expiry_scan_on_the_status_index() {
    let db = TestDatabase::sqlite();
    let store = super::migrated(&db).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let plan = sqlx::query(
        "EXPLAIN QUERY PLAN SELECT id FROM sessions WHERE deleted_at_ms IS NULL AND ( \
         (status = 'created' AND (link_expires_at_ms <= 1 OR consent_expiry_ms <= 1)) \
         OR (status = 'initialized' AND (link_expires_at_ms + 1 <= 1 OR consent_expiry_ms <= 1)) \
         OR (status = 'authorized' AND consent_expiry_ms <= 1)) \
         ORDER BY updated_at_ms LIMIT 500",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let detail: Vec<String> = plan.iter().map(|r| r.get::<String, _>("detail")).collect();
    assert!(
        detail
            .iter()
            .any(|d| d.contains("USING INDEX sessions_status_updated")),
        "{detail:?}"
    );
    assert!(!detail.iter().any(|d| d == "SCAN sessions"), "{detail:?}");
    drop(store);
}
