//! The few places where SQLite and PostgreSQL differ: which backend a URL names, how its
//! connections are set up, its migrations, and how a write transaction begins.

use crate::StoreError;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Row, Transaction};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a SQLite writer waits for another one before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// How long a caller waits for a pooled SQLite connection: the file cannot go away, so a wait
/// here is a queue behind the one writer (an erasure's checkpoint may hold it for the busy
/// timeout), not an outage.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a caller waits for a PostgreSQL connection, including opening a new one (sqlx
/// bounds the connect, handshake and liveness check by it: it is the connect timeout too).
/// Short, so that with PostgreSQL away a request is answered 503 within seconds instead of
/// hanging; a healthy pool hands out connections in microseconds and a busy one queues callers
/// for far less (docs/performance.md). Once PostgreSQL is back the next acquire reconnects.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// The database engine behind a store, chosen once from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names, or [`StoreError::UnsupportedUrl`].
    pub(crate) fn from_url(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl),
        }
    }

    /// Opens the pool writes go through. On a SQLite file that is one connection: the file
    /// takes one writer at a time, and writers queued here are woken the moment the connection
    /// is free, where writers contending inside SQLite sleep in its busy handler (1, 2, 5, 10 …
    /// 100 ms) whether or not the lock was released meanwhile. Elsewhere it is `pool` itself.
    pub(crate) async fn open_writer(
        self,
        url: &str,
        pool: &AnyPool,
    ) -> Result<AnyPool, StoreError> {
        if self == Backend::Postgres || is_sqlite_memory(&sqlite_url_creating_file(url)) {
            return Ok(pool.clone());
        }
        self.open_sqlite(url, AnyPoolOptions::new().max_connections(1))
            .await
    }

    /// Opens a connection pool with this backend's per-connection setup.
    pub(crate) async fn open_pool(self, url: &str) -> Result<AnyPool, StoreError> {
        sqlx::any::install_default_drivers();
        let pool = match self {
            // Sixty-four polling clients on ten connections queued for them (status p99 31 ms
            // either way, but inits 2,235 → 2,898 a second with 24 on the 2-core machine).
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(24)
                .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
                .connect(url)
                .await
                .map_err(StoreError::from)?,
            Backend::Sqlite => {
                let options = if is_sqlite_memory(&sqlite_url_creating_file(url)) {
                    // Every connection to `:memory:` would open its own empty database, so
                    // keep exactly one connection alive for the life of the pool.
                    AnyPoolOptions::new()
                        .max_connections(1)
                        .min_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None)
                } else {
                    AnyPoolOptions::new().max_connections(8)
                };
                let pool = self.open_sqlite(url, options).await?;
                // The journal mode is a property of the file: set it once, not per connection.
                let mode: String = sqlx::query("PRAGMA journal_mode = WAL")
                    .fetch_one(&pool)
                    .await
                    .and_then(|row: AnyRow| row.try_get(0))
                    .map_err(StoreError::Unavailable)?;
                if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
                    return Err(StoreError::Corrupt(
                        "the SQLite file refused WAL journaling".to_owned(),
                    ));
                }
                pool
            }
        };
        Ok(pool)
    }

    /// A SQLite pool with every connection set up as the gateway needs it.
    async fn open_sqlite(self, url: &str, options: AnyPoolOptions) -> Result<AnyPool, StoreError> {
        let url = sqlite_url_creating_file(url);
        options
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA synchronous = FULL".to_owned(),
                        format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"),
                        "PRAGMA foreign_keys = ON".to_owned(),
                        // Deleted rows are overwritten with zeros rather than left
                        // in free pages, so erased data keys and documents are gone
                        // from the file, not merely unlinked.
                        "PRAGMA secure_delete = ON".to_owned(),
                    ] {
                        sqlx::query(&pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(StoreError::Unavailable)
    }

    /// How many tasks commit new sessions in groups (`group_commit.rs`): one on SQLite, which
    /// takes one writer at a time; on PostgreSQL a few, each collecting a group while the
    /// others commit theirs.
    pub(crate) fn creation_writers(self) -> usize {
        match self {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        }
    }

    /// This backend's embedded migrations.
    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Begins a transaction that will write. SQLite takes the write lock up front so that
    /// concurrent writers wait on the busy timeout rather than fail on a stale read snapshot.
    pub(crate) async fn begin_write(
        self,
        pool: &AnyPool,
    ) -> Result<Transaction<'static, Any>, StoreError> {
        let tx = match self {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => pool.begin().await,
        };
        tx.map_err(StoreError::from)
    }
}

impl Backend {
    /// Runs after a committed erasure. On SQLite the deleted rows' old pages still sit in the
    /// write-ahead log until a checkpoint copies the zeroed pages back; a `TRUNCATE` checkpoint
    /// does that and empties the log file. It waits (on the busy timeout) for readers of older
    /// snapshots; if one outlives it the caller is told, and a repeat of the erasure tries
    /// again. Callers run it on the writer pool, so that no write of this process is between
    /// its steps (on a read connection it sometimes waited out the whole busy timeout). PostgreSQL
    /// keeps dead tuples until VACUUM: see `docs/security.md`.
    pub(crate) async fn scrub_after_erasure(self, pool: &AnyPool) -> Result<(), StoreError> {
        if self != Backend::Sqlite {
            return Ok(());
        }
        let row: AnyRow = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(pool)
            .await
            .map_err(StoreError::Unavailable)?;
        let busy: i64 = row.try_get(0).map_err(StoreError::Unavailable)?;
        if busy != 0 {
            return Err(StoreError::ScrubIncomplete);
        }
        Ok(())
    }
}

/// Whether a lookup key could be stored at all. PostgreSQL text cannot hold NUL and refuses a
/// query that binds one (an error, not "no row"); nothing digigate stores holds one either, so
/// on both backends a key with NUL finds nothing, as any other unknown key.
pub(crate) fn storable_key(key: &str) -> bool {
    !key.contains('\0')
}

/// Adds `mode=rwc` to a SQLite URL that names no mode, so a missing file is created.
fn sqlite_url_creating_file(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    if query.split('&').any(|pair| pair.starts_with("mode=")) || is_sqlite_memory(base) {
        return url.to_owned();
    }
    if query.is_empty() {
        format!("{base}?mode=rwc")
    } else {
        format!("{base}?{query}&mode=rwc")
    }
}

fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_is_chosen_from_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://digigate.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("sqlite:///var/lib/digigate.db?mode=rwc").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        for bad in ["mysql://u@h/db", "digigate.db", ""] {
            assert!(
                matches!(Backend::from_url(bad), Err(StoreError::UnsupportedUrl)),
                "{bad}"
            );
        }
    }

    #[test]
    fn sqlite_urls_without_a_mode_create_the_file() {
        assert_eq!(
            sqlite_url_creating_file("sqlite://a.db"),
            "sqlite://a.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite:///a.db?mode=ro"),
            "sqlite:///a.db?mode=ro"
        );
        assert_eq!(
            sqlite_url_creating_file("sqlite::memory:"),
            "sqlite::memory:"
        );
    }

    #[tokio::test]
    async fn sqlite_connections_are_durable_wait_for_writers_check_foreign_keys_and_zero_deletions()
    {
        let pool = Backend::Sqlite.open_pool("sqlite::memory:").await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        for (pragma, expected) in [
            ("synchronous", 2),
            ("busy_timeout", i64::from(SQLITE_BUSY_TIMEOUT_MS)),
            ("foreign_keys", 1),
            ("secure_delete", 1),
        ] {
            let row = sqlx::query(&format!("PRAGMA {pragma}"))
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(row.get::<i64, _>(0), expected, "{pragma}");
        }
    }
}
