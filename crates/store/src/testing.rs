//! Fresh, throw-away databases for tests (feature `testing`): a SQLite file in its own temp
//! directory, or a PostgreSQL database of its own. Both are removed when dropped.

use crate::{SessionRecord, Store};
use digigate_core::{DocType, Flow, SessionOptions, SessionStatus};
use rand::distributions::{Alphanumeric, DistString};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};
use std::path::PathBuf;
use std::str::FromStr;

/// The environment variable naming the PostgreSQL server tests create databases on.
pub const POSTGRES_URL_VAR: &str = "DIGIGATE_TEST_POSTGRES_URL";
/// The server used when [`POSTGRES_URL_VAR`] is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists for one test, removed when dropped. (No `Debug`: the admin
/// connection options may hold a password.)
pub struct TestDatabase {
    /// The URL to hand to [`crate::connect`].
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresDatabase {
        admin: Box<PgConnectOptions>,
        name: String,
    },
}

/// A `created` sign-in session of `api_key_id` asking for a PAN, made at `now_ms`: its link
/// (`link-{id}`) lapses in ten minutes and consent in an hour. For tests and tools that write
/// sessions to a store directly.
pub fn created_session(id: &str, api_key_id: &str, now_ms: i64) -> SessionRecord {
    SessionRecord {
        id: id.to_owned(),
        api_key_id: api_key_id.to_owned(),
        status: SessionStatus::Created,
        flow: Flow::Signin,
        doc_types: vec![DocType::Pan],
        redirect_url: "https://shop.example/done".to_owned(),
        options: SessionOptions::default(),
        consent_expiry_ms: now_ms + 3_600_000,
        link_id: format!("link-{id}"),
        link_expires_at_ms: now_ms + 600_000,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
        failure_reason: None,
        documents_consented: vec![],
        documents_missing: vec![],
        erased_at_ms: None,
        expected_sealed: None,
    }
}

/// How many lines of the audit log (its latest 10,000; of `session_id` only, if given) record
/// `action`.
pub async fn audit_count(store: &dyn Store, session_id: Option<&str>, action: &str) -> usize {
    let log = store
        .audit_log(session_id, 10_000)
        .await
        .expect("the audit log reads");
    log.iter().filter(|line| line.action == action).count()
}

fn random_suffix() -> String {
    Alphanumeric
        .sample_string(&mut rand::thread_rng(), 16)
        .to_ascii_lowercase()
}

impl TestDatabase {
    /// A URL for a SQLite file that does not exist yet, in a fresh directory under the
    /// system temp dir (the file, its WAL and the directory go away on drop).
    pub fn sqlite() -> TestDatabase {
        let dir = std::env::temp_dir().join(format!("digigate-test-{}", random_suffix()));
        std::fs::create_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot create the test directory {}: {e}", dir.display()));
        let url = format!("sqlite://{}?mode=rwc", dir.join("digigate.db").display());
        TestDatabase {
            url,
            cleanup: Cleanup::SqliteDir(dir),
        }
    }

    /// A fresh database `digigate_test_<random>` on the PostgreSQL server at
    /// `DIGIGATE_TEST_POSTGRES_URL` (default [`DEFAULT_POSTGRES_URL`]), dropped on drop.
    ///
    /// # Panics
    /// If the server cannot be reached or refuses to create the database: a test that was
    /// asked to run on PostgreSQL never passes without it.
    pub async fn postgres() -> TestDatabase {
        let from_env = std::env::var(POSTGRES_URL_VAR).ok();
        let admin_url = from_env.as_deref().unwrap_or(DEFAULT_POSTGRES_URL);
        let where_ = if from_env.is_some() {
            format!("the server in {POSTGRES_URL_VAR}")
        } else {
            admin_url.to_owned()
        };
        let admin = PgConnectOptions::from_str(admin_url)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a PostgreSQL URL: {e}"));
        let mut conn = admin.connect().await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {where_} ({e}). Start PostgreSQL, or set \
                 {POSTGRES_URL_VAR} to a server where databases can be created."
            )
        });
        let name = format!("digigate_test_{}", random_suffix());
        conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database on {where_}: {e}"));
        // Closing is best effort: the database exists either way.
        let _ = conn.close().await;
        let url = admin.clone().database(&name).to_url_lossy().to_string();
        TestDatabase {
            url,
            cleanup: Cleanup::PostgresDatabase {
                admin: Box::new(admin),
                name,
            },
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin, name } => {
                // Drop may run inside a runtime (at the end of a `#[tokio::test]`), where
                // blocking on another future is not allowed: do the work on a thread of its own.
                let (admin, name) = (PgConnectOptions::clone(admin), name.clone());
                let dropped =
                    std::thread::spawn(move || drop_postgres_database(admin, &name)).join();
                if let Ok(Err(e)) = dropped {
                    eprintln!("warning: could not drop a PostgreSQL test database: {e}");
                }
            }
        }
    }
}

fn drop_postgres_database(admin: PgConnectOptions, name: &str) -> Result<(), sqlx::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut conn = admin.connect().await?;
        // FORCE ends the connections a test's pool may still hold.
        conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
            .await?;
        conn.close().await
    })
}
