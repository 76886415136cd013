//! The durable-commit probe: how many single-row write transactions per second the database can
//! make durable on this disk, one after another, with the settings the gateway uses (SQLite: WAL
//! and `synchronous=FULL`; PostgreSQL: its defaults, `synchronous_commit=on`). It is the ceiling
//! an init that commits on its own cannot pass, and the figure group commit is measured against.

use anyhow::Context;
use sqlx::{AnyConnection, Connection};
use std::path::Path;
use std::time::{Duration, Instant};

const PAYLOAD: &str = "a row about the size of a session's, a row about the size of a session's";

/// Commits per second of single-row transactions on a SQLite file in `dir`.
pub async fn sqlite(dir: &Path, duration: Duration) -> anyhow::Result<f64> {
    let file = dir.join("commit-probe.db");
    let mut conn = connect(&format!("sqlite://{}?mode=rwc", file.display())).await?;
    for setup in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)",
    ] {
        sqlx::query(setup).execute(&mut conn).await?;
    }
    let rate = commit_loop(
        &mut conn,
        "INSERT INTO probe (payload) VALUES ($1)",
        duration,
    )
    .await;
    conn.close().await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    rate
}

/// Commits per second of single-row transactions on the PostgreSQL database at `url`.
pub async fn postgres(url: &str, duration: Duration) -> anyhow::Result<f64> {
    let mut conn = connect(url).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS digigate_commit_probe \
         (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)",
    )
    .execute(&mut conn)
    .await?;
    let rate = commit_loop(
        &mut conn,
        "INSERT INTO digigate_commit_probe (payload) VALUES ($1)",
        duration,
    )
    .await;
    sqlx::query("DROP TABLE digigate_commit_probe")
        .execute(&mut conn)
        .await?;
    rate
}

async fn connect(url: &str) -> anyhow::Result<AnyConnection> {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url)
        .await
        .context("connecting for the commit probe")
}

/// Runs the single-row `insert` (each its own transaction) back to back for `duration`;
/// returns commits per second.
async fn commit_loop(
    conn: &mut AnyConnection,
    insert: &str,
    duration: Duration,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut commits = 0u64;
    while started.elapsed() < duration {
        sqlx::query(insert)
            .bind(PAYLOAD)
            .execute(&mut *conn)
            .await
            .context("a probe commit")?;
        commits += 1;
    }
    Ok(commits as f64 / started.elapsed().as_secs_f64())
}
