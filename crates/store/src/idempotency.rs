//! Idempotency keys: the first request with a key claims it; repeats see its body hash and,
//! once it finished, its answer.
//!
//! A claim left unanswered for a minute looks abandoned and is taken over, but the request
//! that held it may merely be slow. Each claim therefore carries a random owner token, and a
//! request stores its session and its answer in one transaction whose first statement is
//! conditioned on that token: once a claim is taken over, the earlier request's commit
//! writes nothing, so one key never yields two sessions.

use crate::records::{AuditEntry, SessionRecord};
use crate::sql_store::{guard, SqlStore};
use crate::StoreError;
use sqlx::Row;

/// After this long an unanswered claim is considered abandoned.
const STALE_CLAIM_MS: i64 = 60_000;

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// This request holds the key (first with it, or taking over an abandoned claim); it must
    /// answer or release it, proving it still holds it with `owner`.
    New {
        /// The random token that identifies this holder of the claim.
        owner: String,
    },
    /// An earlier request holds the key.
    Existing {
        /// The SHA-256 of that request's body.
        request_hash: String,
        /// Its answer, or `None` while it is still in flight.
        response: Option<String>,
    },
}

impl SqlStore {
    pub(crate) async fn claim_key(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
        now_ms: i64,
    ) -> Result<IdempotencyClaim, StoreError> {
        let owner = uuid::Uuid::new_v4().to_string();
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (api_key_id, idempotency_key, request_hash, response, created_at_ms, claim_token) \
             VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT (api_key_id, idempotency_key) DO NOTHING",
        )
        .bind(api_key_id)
        .bind(key)
        .bind(request_hash)
        .bind(now_ms)
        .bind(&owner)
        .execute(&self.writer)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(IdempotencyClaim::New { owner });
        }
        // A claim whose request never finished (a crash, a lost connection) is taken over.
        // The new owner token ends the old holder's right to answer (see the module comment).
        let reclaimed = sqlx::query(
            "UPDATE idempotency_keys SET request_hash = $1, created_at_ms = $2, claim_token = $3 \
             WHERE api_key_id = $4 AND idempotency_key = $5 AND response IS NULL AND created_at_ms < $6",
        )
        .bind(request_hash)
        .bind(now_ms)
        .bind(&owner)
        .bind(api_key_id)
        .bind(key)
        .bind(now_ms - STALE_CLAIM_MS)
        .execute(&self.writer)
        .await?;
        if reclaimed.rows_affected() == 1 {
            return Ok(IdempotencyClaim::New { owner });
        }
        let row = sqlx::query(
            "SELECT request_hash, response FROM idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2",
        )
        .bind(api_key_id)
        .bind(key)
        .fetch_one(&self.pool)
        .await?;
        let bad = |_| StoreError::Corrupt("idempotency_keys row could not be read".into());
        Ok(IdempotencyClaim::Existing {
            request_hash: row.try_get("request_hash").map_err(bad)?,
            response: row.try_get("response").map_err(bad)?,
        })
    }

    pub(crate) async fn release_key(
        &self,
        api_key_id: &str,
        key: &str,
        owner: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2 \
             AND claim_token = $3 AND response IS NULL",
        )
        .bind(api_key_id)
        .bind(key)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub(crate) async fn insert_session_answering_tx(
        &self,
        session: &SessionRecord,
        created: &AuditEntry,
        key: &str,
        owner: &str,
        response: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        // The guard: only the current holder of the claim may answer it.
        let guarding = sqlx::query(
            "UPDATE idempotency_keys SET response = $1 WHERE api_key_id = $2 AND idempotency_key = $3 \
             AND claim_token = $4 AND response IS NULL",
        )
        .bind(response)
        .bind(&session.api_key_id)
        .bind(key)
        .bind(owner);
        if !guard(&mut tx, guarding).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        crate::rows::insert_session_in(&mut tx, session).await?;
        crate::audit_line::append_audit_in(&mut *tx, created).await?;
        tx.commit().await?;
        Ok(true)
    }
}
