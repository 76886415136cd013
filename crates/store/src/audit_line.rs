//! The one INSERT of an audit line, for every writer: the audit log's own methods
//! (`audit.rs`) and the transactions that change a session and audit it in one commit
//! (`sql_store.rs`, `idempotency.rs`, `group_commit.rs`).

use crate::records::AuditEntry;
use crate::StoreError;

/// Appends an audit line through `executor` (the pool, or a transaction the line belongs to).
pub(crate) async fn append_audit_in<'e, E>(executor: E, e: &AuditEntry) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = crate::rows::insert_sql("audit_log", crate::rows::AUDIT_COLUMNS);
    sqlx::query(&sql)
        .bind(e.at_ms)
        .bind(&e.api_key_id)
        .bind(&e.session_id)
        .bind(&e.action)
        .bind(&e.detail)
        .execute(executor)
        .await?;
    Ok(())
}
