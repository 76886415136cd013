//! The guarded changes of a session's journey: status transitions, authorizations,
//! completion and erasure. The guard is always part of the first `UPDATE`, so two racing
//! callers cannot both pass it. Multi-statement changes run in one transaction: when the
//! guarding `UPDATE` changes no row the transaction is rolled back, so a refused change writes
//! nothing, and an error half-way (a duplicate document type, say) undoes the steps before it.
//! Every change of `sessions.status` (and every erasure) writes its event with
//! [`record_event`] in the same transaction, so an event exists exactly when its change does.

use crate::events::record_event;
use crate::records::{AuthorizationRecord, CompletedSession, SessionRecord};
use crate::rows::{self, to_json};
use crate::sql_store::{guard, SqlStore};
use crate::StoreError;
use digigate_core::{DocType, FailureReason, SessionEventType, SessionStatus};
use sqlx::{Any, Transaction};

impl SqlStore {
    pub(crate) async fn transition_guarded(
        &self,
        id: &str,
        to: SessionStatus,
        reason: Option<FailureReason>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let from = SessionStatus::allowed_predecessors(to);
        let Some(event) = SessionEventType::on_entering(to) else {
            return Ok(false);
        };
        if from.is_empty() {
            return Ok(false);
        }
        // The guard is part of the UPDATE, so two racing transitions cannot both pass it.
        let placeholders: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
        let sql = format!(
            "UPDATE sessions SET status = $1, updated_at_ms = $2, failure_reason = $3 \
             WHERE id = $4 AND status IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(to.as_str())
            .bind(now_ms)
            .bind(reason.map(FailureReason::as_str))
            .bind(id);
        for status in from {
            query = query.bind(status.as_str());
        }
        let mut tx = self.backend.begin_write(&self.writer).await?;
        if !guard(&mut tx, query).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        record_event(&mut tx, id, event, now_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn start_authorization_tx(
        &self,
        auth: &AuthorizationRecord,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        // Opening the link for the first time is the move to `initialized` and writes its
        // event; opening it again only starts a fresh authorization (no change, no event).
        let mut moved = false;
        for (from, event) in [
            (SessionStatus::Created, Some(SessionEventType::Initialized)),
            (SessionStatus::Initialized, None),
        ] {
            let changed = sqlx::query(
                "UPDATE sessions SET status = $1, updated_at_ms = $2 \
                 WHERE id = $3 AND status = $4 AND link_expires_at_ms > $2",
            )
            .bind(SessionStatus::Initialized.as_str())
            .bind(now_ms)
            .bind(&auth.session_id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() == 1 {
                if let Some(event) = event {
                    record_event(&mut tx, &auth.session_id, event, now_ms).await?;
                }
                moved = true;
                break;
            }
        }
        if !moved {
            tx.rollback().await?;
            return Ok(false);
        }
        let sql = format!(
            "INSERT INTO authorizations ({}, consumed_at_ms) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
            rows::AUTHORIZATION_COLUMNS
        );
        sqlx::query(&sql)
            .bind(&auth.state_hash)
            .bind(&auth.session_id)
            .bind(&auth.binding_hash)
            .bind(&auth.pkce_verifier_sealed)
            .bind(auth.created_at_ms)
            .bind(auth.expires_at_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn consume_authorization_tx(
        &self,
        state_hash: &str,
        binding_hash: &str,
        now_ms: i64,
    ) -> Result<Option<AuthorizationRecord>, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        // Consuming is one conditional UPDATE: of racing callers, exactly one sees the row.
        let Some(auth) = consume_in(&mut tx, state_hash, binding_hash, now_ms).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        tx.commit().await?;
        Ok(Some(auth))
    }

    pub(crate) async fn complete_session_tx(
        &self,
        c: &CompletedSession,
    ) -> Result<bool, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let guarding = sqlx::query(
            "UPDATE sessions SET status = $1, updated_at_ms = $2, documents_consented = $3, documents_missing = $4 \
             WHERE id = $5 AND status = $6 AND erased_at_ms IS NULL",
        )
        .bind(SessionStatus::Succeeded.as_str())
        .bind(c.now_ms)
        .bind(DocType::join(&c.documents_consented))
        .bind(to_json(&c.documents_missing))
        .bind(&c.session_id)
        .bind(SessionStatus::Authorized.as_str());
        if !guard(&mut tx, guarding).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        record_event(
            &mut tx,
            &c.session_id,
            SessionEventType::Succeeded,
            c.now_ms,
        )
        .await?;
        let key = &c.data_key;
        let sql = rows::insert_sql("data_keys", rows::DATA_KEY_COLUMNS);
        sqlx::query(&sql)
            .bind(&c.session_id)
            .bind(&key.wrapped_key)
            .bind(&key.kek_id)
            .bind(key.created_at_ms)
            .execute(&mut *tx)
            .await?;
        // One statement for every document: on SQLite each statement is a round trip to the
        // connection's worker thread.
        let sql = rows::insert_rows_sql("documents", rows::DOCUMENT_COLUMNS, c.documents.len());
        let mut insert = sqlx::query(&sql);
        for d in &c.documents {
            insert = insert
                .bind(&d.id)
                .bind(&c.session_id)
                .bind(d.doc_type.as_str())
                .bind(&d.content_type)
                .bind(d.size)
                .bind(&d.sha256)
                .bind(&d.uri)
                .bind(&d.issuer_id)
                .bind(&d.issuer)
                .bind(&d.description)
                .bind(&d.last_modified)
                .bind(&d.sealed)
                .bind(d.created_at_ms)
                .bind(&d.verification)
                .bind(&d.normalised_sealed);
        }
        if !c.documents.is_empty() {
            insert.execute(&mut *tx).await?;
        }
        if let Some(profile) = &c.profile {
            let sql = rows::insert_sql("profiles", rows::PROFILE_COLUMNS);
            sqlx::query(&sql)
                .bind(&c.session_id)
                .bind(&profile.sealed)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn erase_session_data_tx(
        &self,
        session_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let guarding = sqlx::query(
            "UPDATE sessions SET erased_at_ms = $1 WHERE id = $2 AND erased_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(session_id);
        if !guard(&mut tx, guarding).await? {
            tx.rollback().await?;
            // A repeat scrubs again, in case the first erasure's scrub could not finish.
            self.backend.scrub_after_erasure(&self.writer).await?;
            return Ok(false);
        }
        crate::audit::erase_in(&mut tx, session_id).await?;
        record_event(&mut tx, session_id, SessionEventType::Erased, now_ms).await?;
        tx.commit().await?;
        self.backend.scrub_after_erasure(&self.writer).await?;
        Ok(true)
    }
}

impl SqlStore {
    pub(crate) async fn due_for_expiry(
        &self,
        now_ms: i64,
        authorization_ttl_ms: i64,
        limit: i64,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        // The same rule as the server's `lifecycle::expiry_due`, which checks each one again.
        let sql = format!(
            "SELECT {} FROM sessions WHERE deleted_at_ms IS NULL AND ( \
             (status = $1 AND (link_expires_at_ms <= $2 OR consent_expiry_ms <= $2)) \
             OR (status = $3 AND (link_expires_at_ms + $4 <= $2 OR consent_expiry_ms <= $2)) \
             OR (status = $5 AND consent_expiry_ms <= $2)) \
             ORDER BY updated_at_ms LIMIT $6",
            rows::SESSION_COLUMNS
        );
        sqlx::query(&sql)
            .bind(SessionStatus::Created.as_str())
            .bind(now_ms)
            .bind(SessionStatus::Initialized.as_str())
            .bind(authorization_ttl_ms)
            .bind(SessionStatus::Authorized.as_str())
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::session)
            .collect()
    }
}

/// Consumes an authorization (the guard of every callback change) and moves its session
/// initialized → authorized with its event; `None` when nothing may be consumed.
pub(crate) async fn consume_in(
    tx: &mut Transaction<'_, Any>,
    state_hash: &str,
    binding_hash: &str,
    now_ms: i64,
) -> Result<Option<AuthorizationRecord>, StoreError> {
    let sql = format!(
        "UPDATE authorizations SET consumed_at_ms = $1 \
         WHERE state_hash = $2 AND binding_hash = $3 AND consumed_at_ms IS NULL AND expires_at_ms > $1 \
         RETURNING {}",
        rows::AUTHORIZATION_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(now_ms)
        .bind(state_hash)
        .bind(binding_hash)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let auth = rows::authorization(&row)?;
    let moved = sqlx::query(
        "UPDATE sessions SET status = $1, updated_at_ms = $2 WHERE id = $3 AND status = $4",
    )
    .bind(SessionStatus::Authorized.as_str())
    .bind(now_ms)
    .bind(&auth.session_id)
    .bind(SessionStatus::Initialized.as_str())
    .execute(&mut **tx)
    .await?;
    if moved.rows_affected() != 1 {
        // The session moved on (failed, expired): leave the state unconsumed, as it was.
        return Ok(None);
    }
    record_event(tx, &auth.session_id, SessionEventType::Authorized, now_ms).await?;
    Ok(Some(auth))
}
