//! Idempotency keys: the first request with a key claims it; repeats see its body hash and,
//! once it finished, its answer.

use crate::sql_store::SqlStore;
use crate::StoreError;
use sqlx::Row;

/// After this long an unanswered claim is considered abandoned.
const STALE_CLAIM_MS: i64 = 60_000;

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// This request is the first with the key; it must complete or release it.
    New,
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
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (api_key_id, idempotency_key, request_hash, response, created_at_ms) \
             VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (api_key_id, idempotency_key) DO NOTHING",
        )
        .bind(api_key_id)
        .bind(key)
        .bind(request_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(IdempotencyClaim::New);
        }
        // A claim whose request never finished (a crash, a lost connection) is taken over.
        let reclaimed = sqlx::query(
            "UPDATE idempotency_keys SET request_hash = $1, created_at_ms = $2 \
             WHERE api_key_id = $3 AND idempotency_key = $4 AND response IS NULL AND created_at_ms < $5",
        )
        .bind(request_hash)
        .bind(now_ms)
        .bind(api_key_id)
        .bind(key)
        .bind(now_ms - STALE_CLAIM_MS)
        .execute(&self.pool)
        .await?;
        if reclaimed.rows_affected() == 1 {
            return Ok(IdempotencyClaim::New);
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

    pub(crate) async fn finish_key(
        &self,
        api_key_id: &str,
        key: &str,
        response: Option<&str>,
    ) -> Result<(), StoreError> {
        let q = match response {
            Some(r) => sqlx::query(
                "UPDATE idempotency_keys SET response = $1 WHERE api_key_id = $2 AND idempotency_key = $3",
            )
            .bind(r.to_owned()),
            None => sqlx::query(
                "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2 AND response IS NULL",
            ),
        };
        q.bind(api_key_id).bind(key).execute(&self.pool).await?;
        Ok(())
    }
}
