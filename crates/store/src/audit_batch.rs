//! Audit lines appended together. A journey writes about ten audit lines of its own (the link
//! opened, the outcome, the token revoked, every document read and download), and each one
//! committed alone cost SQLite's one writer a statement, a commit and a disk flush. Here one task
//! takes every line waiting when it is free and appends them with one multi-row `INSERT` (one
//! statement, so one atomic commit), answering each caller only after it: an answered request's
//! audit line is on disk, and a burst costs one flush. At low load the task finds one line and
//! writes it at once, so nothing waits for company. Lines that belong to a change are still
//! written in that change's transaction (`append_audit_in`), not here.

use crate::records::AuditEntry;
use crate::StoreError;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

/// The most lines one statement carries (five parameters each, far below either database's
/// limit on parameters).
const MAX_BATCH: usize = 128;

/// A line to append, and who waits for the outcome.
struct Line {
    entry: AuditEntry,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The queue in front of the appending task.
pub(crate) struct AuditBatcher {
    queue: mpsc::UnboundedSender<Line>,
}

impl AuditBatcher {
    /// Starts the appending task on the current runtime, writing through `pool`.
    pub(crate) fn start(pool: AnyPool) -> AuditBatcher {
        let (queue, waiting) = mpsc::unbounded_channel();
        tokio::spawn(append_waiting(pool, waiting));
        AuditBatcher { queue }
    }

    /// Appends `entry`, durably, in some statement.
    pub(crate) async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let (done, outcome) = oneshot::channel();
        let line = Line {
            entry: entry.clone(),
            done,
        };
        let stopped = || StoreError::Unavailable(sqlx::Error::WorkerCrashed);
        self.queue.send(line).map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

async fn append_waiting(pool: AnyPool, mut waiting: mpsc::UnboundedReceiver<Line>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let lines = std::mem::take(&mut batch);
        match insert_all(&pool, &lines).await {
            Ok(()) => {
                for line in lines {
                    let _ = line.done.send(Ok(()));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, size = lines.len(), "audit lines could not be appended");
                for line in lines {
                    let each = StoreError::Unavailable(sqlx::Error::Protocol(e.to_string()));
                    let _ = line.done.send(Err(each));
                }
            }
        }
    }
}

/// The statement appending `n` lines.
fn insert_sql(n: usize) -> String {
    crate::rows::insert_rows_sql("audit_log", crate::rows::AUDIT_COLUMNS, n)
}

async fn insert_all(pool: &AnyPool, lines: &[Line]) -> Result<(), StoreError> {
    let sql = insert_sql(lines.len());
    let mut query = sqlx::query(&sql);
    for Line { entry: e, .. } in lines {
        query = query
            .bind(e.at_ms)
            .bind(&e.api_key_id)
            .bind(&e.session_id)
            .bind(&e.action)
            .bind(&e.detail);
    }
    query.execute(pool).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::insert_sql;

    #[test]
    fn each_line_gets_its_own_five_parameters_in_order() {
        assert_eq!(
            insert_sql(2),
            "INSERT INTO audit_log (at_ms, api_key_id, session_id, action, detail) \
             VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)"
        );
    }
}
