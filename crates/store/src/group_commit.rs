//! Group commit of new sessions.
//!
//! A SQLite file takes one writer at a time and every commit waits for the disk (`synchronous =
//! FULL`), so sixty-four inits each committing alone queue behind sixty-four disk flushes. Here
//! one writer task takes every creation waiting when it is free, writes them in one transaction
//! and answers each caller only after the commit: an answered init is on disk, and a burst costs
//! one flush. At low load the writer finds one creation and commits it at once, so nothing waits
//! for company.
//!
//! PostgreSQL groups concurrent flushes itself, but each init alone still cost four round trips
//! (`BEGIN`, two `INSERT`s, `COMMIT`) and a commit's work in a server that shares the machine's
//! cores; a few writers (see `Backend::creation_writers`) share the queue there, each taking
//! what waits while the others commit.

use crate::backend::Backend;
use crate::records::{AuditEntry, SessionRecord};
use crate::StoreError;
use sqlx::AnyPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// The most creations one transaction carries.
const MAX_BATCH: usize = 128;

/// A session to create with its audit line, and who waits for the outcome.
struct Creation {
    session: SessionRecord,
    created: AuditEntry,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The queue in front of the writer task.
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<Creation>,
}

impl GroupCommit {
    /// Starts the backend's writer tasks on the current runtime.
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> GroupCommit {
        let (queue, waiting) = mpsc::unbounded_channel();
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..backend.creation_writers() {
            tokio::spawn(writer(pool.clone(), backend, Arc::clone(&waiting)));
        }
        GroupCommit { queue }
    }

    /// Creates `session` and appends `created` to the audit log, durably, in some commit.
    pub(crate) async fn create(
        &self,
        session: &SessionRecord,
        created: &AuditEntry,
    ) -> Result<(), StoreError> {
        let (done, outcome) = oneshot::channel();
        let creation = Creation {
            session: session.clone(),
            created: created.clone(),
            done,
        };
        self.queue.send(creation).map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable(sqlx::Error::WorkerCrashed)
}

/// Takes what waits (holding the queue while it waits, so the other writers queue behind it)
/// and commits it; ends when the store is dropped.
async fn writer(
    pool: AnyPool,
    backend: Backend,
    waiting: Arc<Mutex<mpsc::UnboundedReceiver<Creation>>>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = waiting.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        commit(&pool, backend, std::mem::take(&mut batch)).await;
    }
}

/// Writes `batch` in one transaction and tells each caller its outcome once it is durable. If
/// any creation is refused (a used id: random ids make that all but impossible), nothing of the
/// batch is kept and each creation is tried in a transaction of its own, so that only the refused
/// one fails.
async fn commit(pool: &AnyPool, backend: Backend, batch: Vec<Creation>) {
    let together = async {
        let mut tx = backend.begin_write(pool).await?;
        for c in &batch {
            write(&mut tx, c).await?;
        }
        tx.commit().await?;
        Ok::<(), StoreError>(())
    };
    match together.await {
        Ok(()) => {
            for c in batch {
                let _ = c.done.send(Ok(()));
            }
        }
        Err(StoreError::Conflict) => {
            for c in batch {
                let alone = async {
                    let mut tx = backend.begin_write(pool).await?;
                    write(&mut tx, &c).await?;
                    tx.commit().await?;
                    Ok(())
                };
                let outcome = alone.await;
                let _ = c.done.send(outcome);
            }
        }
        Err(e) => fail_all(batch, &e),
    }
}

/// One creation's two rows, inside `tx`.
async fn write(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    c: &Creation,
) -> Result<(), StoreError> {
    crate::rows::insert_session_in(tx, &c.session).await?;
    crate::audit::append_audit_in(&mut **tx, &c.created).await
}

/// Answers every caller of a batch whose transaction failed as a whole.
fn fail_all(batch: Vec<Creation>, e: &StoreError) {
    tracing::warn!(error = %e, size = batch.len(), "a group commit of new sessions failed");
    for c in batch {
        let each = StoreError::Unavailable(sqlx::Error::Protocol(e.to_string()));
        let _ = c.done.send(Err(each));
    }
}
