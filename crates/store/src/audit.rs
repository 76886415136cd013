//! The append-only audit log, erasure on request and the retention sweep's work list.

// Every writer appends its line the same way; `group_commit.rs` names it here.
pub(crate) use crate::audit_line::append_audit_in;
use crate::records::AuditEntry;
use crate::sql_store::SqlStore;
use crate::StoreError;
use digigate_core::SessionStatus;
use sqlx::Row;

impl SqlStore {
    pub(crate) async fn append_audit_row(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.audit.append(e).await
    }

    pub(crate) async fn audit_rows(
        &self,
        session_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = match session_id {
            Some(id) => {
                sqlx::query(
                    "SELECT at_ms, api_key_id, session_id, action, detail FROM audit_log \
                     WHERE session_id = $1 ORDER BY id LIMIT $2",
                )
                .bind(id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT at_ms, api_key_id, session_id, action, detail FROM audit_log ORDER BY id LIMIT $1")
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let bad = |_| StoreError::Corrupt("audit_log row could not be read".into());
                Ok(AuditEntry {
                    at_ms: r.try_get("at_ms").map_err(bad)?,
                    api_key_id: r.try_get("api_key_id").map_err(bad)?,
                    session_id: r.try_get("session_id").map_err(bad)?,
                    action: r.try_get("action").map_err(bad)?,
                    detail: r.try_get("detail").map_err(bad)?,
                })
            })
            .collect()
    }

    /// Marks the key's session deleted and erases its data in one transaction; answers the
    /// deletion time (the first one on a repeat), or None when the key has no such session.
    pub(crate) async fn delete_session_tx(
        &self,
        session_id: &str,
        api_key_id: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        if !crate::backend::storable_key(session_id) {
            return Ok(None);
        }
        let mut tx = self.backend.begin_write(&self.writer).await?;
        // Erasing now (not before, by retention or an earlier erasure) writes its event.
        let erased_now = sqlx::query(
            "UPDATE sessions SET erased_at_ms = $1 \
             WHERE id = $2 AND api_key_id = $3 AND deleted_at_ms IS NULL AND erased_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(session_id)
        .bind(api_key_id)
        .execute(&mut *tx)
        .await?;
        if erased_now.rows_affected() == 1 {
            crate::events::record_event(
                &mut tx,
                session_id,
                digigate_core::SessionEventType::Erased,
                now_ms,
            )
            .await?;
        }
        sqlx::query(
            "UPDATE sessions SET deleted_at_ms = $1, erased_at_ms = COALESCE(erased_at_ms, $1) \
             WHERE id = $2 AND api_key_id = $3 AND deleted_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(session_id)
        .bind(api_key_id)
        .execute(&mut *tx)
        .await?;
        let deleted: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT deleted_at_ms FROM sessions WHERE id = $1 AND api_key_id = $2",
        )
        .bind(session_id)
        .bind(api_key_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(Some(at)) = deleted else {
            tx.rollback().await?;
            return Ok(None);
        };
        erase_in(&mut tx, session_id).await?;
        tx.commit().await?;
        // Also on a repeat, so a scrub that could not finish the first time is retried.
        self.backend.scrub_after_erasure(&self.writer).await?;
        Ok(Some(at))
    }

    pub(crate) async fn due_for_erasure(
        &self,
        before_ms: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE status IN ($1, $2, $3) AND erased_at_ms IS NULL \
             AND updated_at_ms < $4 ORDER BY updated_at_ms LIMIT $5",
        )
        .bind(SessionStatus::Succeeded.as_str())
        .bind(SessionStatus::Failed.as_str())
        .bind(SessionStatus::Expired.as_str())
        .bind(before_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }
}

/// Inside a transaction: deletes a session's documents, profile and data key, and forgets the
/// business's expected details and the page options (erasure on request and by retention alike).
pub(crate) async fn erase_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    session_id: &str,
) -> Result<(), StoreError> {
    for table in ["documents", "profiles", "data_keys", "code_exchanges"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE session_id = $1"))
            .bind(session_id)
            .execute(&mut **tx)
            .await?;
    }
    // Finished jobs are kept for inspection until the session's data goes (they hold no
    // personal data; this bounds how many are kept). An open job finds the session erased.
    sqlx::query("DELETE FROM jobs WHERE session_id = $1 AND done_at_ms IS NOT NULL")
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    // The options may hold a verified mobile number; nothing else in them is needed afterwards.
    sqlx::query("UPDATE sessions SET expected_sealed = NULL, options = '{}' WHERE id = $1")
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
