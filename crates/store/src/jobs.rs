//! Durable jobs: work that outlives the request that caused it (the fetch after the callback),
//! kept in the same database as the change that causes it and written in the same transaction.
//!
//! A job is claimed by setting a lease (`locked_until_ms`) and counting the attempt in one
//! conditional `UPDATE … RETURNING`; on PostgreSQL its row is picked with `FOR UPDATE SKIP
//! LOCKED`, so instances sharing the database never claim the same job, and on SQLite the one
//! writer serialises claims. A claimer that dies leaves its lease to lapse, after which any
//! instance claims the job again: that is how work resumes after a crash. The attempt count
//! is the claim's fencing token: only the holder of the latest claim can finish the job.
//!
//! No kept crate fits: the queues that run on both SQLite and PostgreSQL (apalis' storages,
//! for one) need sqlx's per-database pools rather than the `Any` pool every statement here
//! goes through, and could not join the transaction of the state change.

use crate::backend::Backend;
use crate::sql_store::SqlStore;
use crate::StoreError;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// The kind of the job that exchanges the code and fetches the documents of a session.
pub const FETCH_JOB: &str = "fetch";

const JOB_COLUMNS: &str = "id, kind, session_id, payload, run_at_ms, attempts, locked_until_ms, \
                           last_error, created_at_ms, done_at_ms";

/// A job to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What to do (e.g. [`FETCH_JOB`]).
    pub kind: String,
    /// The session the job works for, if any; a session has at most one open job of a kind.
    pub session_id: Option<String>,
    /// JSON input; never personal data, and a secret only sealed.
    pub payload: String,
    /// Not claimable before this time, epoch milliseconds.
    pub run_at_ms: i64,
}

/// A stored job, as claimed or inspected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    /// `job_` and a random UUID.
    pub id: String,
    /// What to do.
    pub kind: String,
    /// The session the job works for, if any.
    pub session_id: Option<String>,
    /// JSON input.
    pub payload: String,
    /// Not claimable before this time, epoch milliseconds.
    pub run_at_ms: i64,
    /// Claims so far, this one included; the fencing token of the current claim.
    pub attempts: i64,
    /// The current claim's lease: until then no one else claims the job.
    pub locked_until_ms: Option<i64>,
    /// Why the last attempt failed (a word or short sentence, never personal data).
    pub last_error: Option<String>,
    /// When the job was stored, epoch milliseconds.
    pub created_at_ms: i64,
    /// When the job was finished (done, or given up), epoch milliseconds.
    pub done_at_ms: Option<i64>,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The work is done.
    Done,
    /// Try again from `run_at_ms`, after this failure.
    Retry {
        /// When the job becomes claimable again, epoch milliseconds.
        run_at_ms: i64,
        /// Why this attempt failed (no personal data).
        error: String,
    },
    /// Stop trying, after this failure.
    GiveUp {
        /// Why (no personal data).
        error: String,
    },
}

/// Inside a transaction: stores a job and answers it as stored. With `claimed_until_ms` the job
/// is stored already claimed (its first attempt, leased until then) by the caller, who runs it
/// itself: no other claim takes it before that lease lapses, as if the caller had claimed it.
pub(crate) async fn insert_job_in(
    tx: &mut Transaction<'_, Any>,
    job: &NewJob,
    now_ms: i64,
    claimed_until_ms: Option<i64>,
) -> Result<JobRecord, StoreError> {
    let id = format!("job_{}", uuid::Uuid::new_v4().simple());
    let attempts = i64::from(claimed_until_ms.is_some());
    let sql = format!(
        "INSERT INTO jobs ({JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, NULL)"
    );
    sqlx::query(&sql)
        .bind(&id)
        .bind(&job.kind)
        .bind(&job.session_id)
        .bind(&job.payload)
        .bind(job.run_at_ms)
        .bind(attempts)
        .bind(claimed_until_ms)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    Ok(JobRecord {
        id,
        kind: job.kind.clone(),
        session_id: job.session_id.clone(),
        payload: job.payload.clone(),
        run_at_ms: job.run_at_ms,
        attempts,
        locked_until_ms: claimed_until_ms,
        last_error: None,
        created_at_ms: now_ms,
        done_at_ms: None,
    })
}

fn job(row: &AnyRow) -> Result<JobRecord, StoreError> {
    let bad = |column: &str| StoreError::Corrupt(format!("jobs.{column} could not be read"));
    macro_rules! col {
        ($name:literal) => {
            row.try_get($name).map_err(|_| bad($name))?
        };
    }
    Ok(JobRecord {
        id: col!("id"),
        kind: col!("kind"),
        session_id: col!("session_id"),
        payload: col!("payload"),
        run_at_ms: col!("run_at_ms"),
        attempts: col!("attempts"),
        locked_until_ms: col!("locked_until_ms"),
        last_error: col!("last_error"),
        created_at_ms: col!("created_at_ms"),
        done_at_ms: col!("done_at_ms"),
    })
}

impl Backend {
    /// What makes concurrent claimers pass over each other's rows instead of waiting: on
    /// PostgreSQL, rows locked by another claim are skipped; SQLite has one writer at a time.
    fn skip_locked(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }
}

impl SqlStore {
    pub(crate) async fn enqueue(&self, job: &NewJob, now_ms: i64) -> Result<String, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let stored = insert_job_in(&mut tx, job, now_ms, None).await?;
        tx.commit().await?;
        Ok(stored.id)
    }

    pub(crate) async fn claim(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<JobRecord>, StoreError> {
        const CLAIMABLE: &str = "done_at_ms IS NULL AND run_at_ms <= $1 \
             AND (locked_until_ms IS NULL OR locked_until_ms <= $1)";
        // Most polls find nothing (this instance's own jobs are handed to its runner by the
        // callback's transaction, claimed): asked on the read pool first, they never take
        // SQLite's one writer (nor a PostgreSQL write) for nothing.
        let due = sqlx::query(&format!("SELECT id FROM jobs WHERE {CLAIMABLE} LIMIT 1"))
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE jobs SET attempts = attempts + 1, locked_until_ms = $2 \
             WHERE id IN (SELECT id FROM jobs WHERE {CLAIMABLE} \
             ORDER BY run_at_ms, id LIMIT $3{}) \
             RETURNING {JOB_COLUMNS}",
            self.backend.skip_locked()
        );
        let rows = sqlx::query(&sql)
            .bind(now_ms)
            .bind(now_ms + lease_ms)
            .bind(limit)
            .fetch_all(&self.writer)
            .await?;
        let mut claimed = rows.iter().map(job).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by(|a, b| (a.run_at_ms, &a.id).cmp(&(b.run_at_ms, &b.id)));
        Ok(claimed)
    }

    pub(crate) async fn finish(
        &self,
        id: &str,
        attempt: i64,
        outcome: &JobOutcome,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let (done_at, run_at, error) = match outcome {
            JobOutcome::Done => (Some(now_ms), None, None),
            JobOutcome::Retry { run_at_ms, error } => (None, Some(*run_at_ms), Some(error)),
            JobOutcome::GiveUp { error } => (Some(now_ms), None, Some(error)),
        };
        // Only the latest claim may finish the job: a claimer whose lease lapsed and whose
        // job was claimed again finds `attempts` moved on and changes nothing.
        let changed = sqlx::query(
            "UPDATE jobs SET done_at_ms = $1, run_at_ms = COALESCE($2, run_at_ms), \
             last_error = $3, locked_until_ms = NULL \
             WHERE id = $4 AND attempts = $5 AND done_at_ms IS NULL",
        )
        .bind(done_at)
        .bind(run_at)
        .bind(error)
        .bind(id)
        .bind(attempt)
        .execute(&self.writer)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    pub(crate) async fn renew(
        &self,
        id: &str,
        attempt: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE jobs SET locked_until_ms = $1 WHERE id = $2 AND attempts = $3 AND done_at_ms IS NULL",
        )
        .bind(until_ms)
        .bind(id)
        .bind(attempt)
        .execute(&self.writer)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    pub(crate) async fn jobs_of(&self, session_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        if !crate::backend::storable_key(session_id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE session_id = $1 ORDER BY created_at_ms, id"
        );
        sqlx::query(&sql)
            .bind(session_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(job)
            .collect()
    }
}
