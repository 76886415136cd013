//! The code between DigiLocker's callback and its exchange: the callback's transaction keeps
//! it (sealed) and enqueues the fetch job, the job takes it once for the one exchange, and the
//! exchange's token is stored with the consented documents so that a resumed fetch starts
//! from them.

use crate::events::record_event;
use crate::jobs::{insert_job_in, JobRecord, NewJob, FETCH_JOB};
use crate::records::{AuthorizationRecord, UpstreamTokenRecord};
use crate::sql_store::{guard, SqlStore};
use crate::transitions::consume_in;
use crate::StoreError;
use digigate_core::{DocType, FailureReason, SessionEventType, SessionStatus};
use sqlx::Row;

impl SqlStore {
    pub(crate) async fn consume_callback_tx(
        &self,
        state_hash: &str,
        binding_hash: &str,
        now_ms: i64,
        then: &AfterCallback<'_>,
    ) -> Result<Option<CallbackConsumed>, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let Some(auth) = consume_in(&mut tx, state_hash, binding_hash, now_ms).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let session_id = auth.session_id.as_str();
        let mut claimed = None;
        match then {
            AfterCallback::Fetch {
                seal_code,
                claim_lease_ms,
            } => {
                sqlx::query(
                    "INSERT INTO code_exchanges (session_id, code_sealed, pkce_verifier_sealed, \
                     created_at_ms, sent_at_ms) VALUES ($1, $2, $3, $4, NULL)",
                )
                .bind(session_id)
                .bind(seal_code(session_id))
                .bind(&auth.pkce_verifier_sealed)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                let job = NewJob {
                    kind: FETCH_JOB.to_owned(),
                    session_id: Some(session_id.to_owned()),
                    payload: "{}".to_owned(),
                    run_at_ms: now_ms,
                };
                let lease_until = claim_lease_ms.map(|lease| now_ms + lease);
                let stored = insert_job_in(&mut tx, &job, now_ms, lease_until).await?;
                claimed = lease_until.map(|_| stored);
            }
            AfterCallback::Fail(reason) => {
                sqlx::query(
                    "UPDATE sessions SET status = $1, updated_at_ms = $2, failure_reason = $3 \
                     WHERE id = $4",
                )
                .bind(SessionStatus::Failed.as_str())
                .bind(now_ms)
                .bind(reason.as_str())
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
                record_event(&mut tx, session_id, SessionEventType::Failed, now_ms).await?;
            }
        }
        tx.commit().await?;
        Ok(Some(CallbackConsumed {
            authorization: auth,
            claimed_job: claimed,
        }))
    }

    pub(crate) async fn take_code_tx(
        &self,
        session_id: &str,
        now_ms: i64,
    ) -> Result<Option<PendingExchange>, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let row = sqlx::query(
            "SELECT code_sealed, pkce_verifier_sealed FROM code_exchanges \
             WHERE session_id = $1 AND sent_at_ms IS NULL",
        )
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?;
        // Marking it sent is the guard: of two takers (an instance resuming a job another
        // one still runs) only one changes the row, so the exchange is never sent twice.
        let taken = sqlx::query(
            "UPDATE code_exchanges SET sent_at_ms = $1, code_sealed = NULL, pkce_verifier_sealed = NULL \
             WHERE session_id = $2 AND sent_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
        let (Some(row), 1) = (row, taken.rows_affected()) else {
            tx.rollback().await?;
            return Ok(None);
        };
        let bad = |c: &str| StoreError::Corrupt(format!("code_exchanges.{c} could not be read"));
        let code: Option<Vec<u8>> = row.try_get("code_sealed").map_err(|_| bad("code_sealed"))?;
        let verifier: Option<Vec<u8>> = row
            .try_get("pkce_verifier_sealed")
            .map_err(|_| bad("pkce_verifier_sealed"))?;
        let (Some(code_sealed), Some(pkce_verifier_sealed)) = (code, verifier) else {
            tx.rollback().await?;
            return Err(bad("code_sealed"));
        };
        tx.commit().await?;
        Ok(Some(PendingExchange {
            code_sealed,
            pkce_verifier_sealed,
        }))
    }

    pub(crate) async fn store_exchange_tx(
        &self,
        token: &UpstreamTokenRecord,
        documents_consented: &[DocType],
    ) -> Result<bool, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let guarding = sqlx::query(
            "UPDATE sessions SET documents_consented = $1 WHERE id = $2 AND status = $3",
        )
        .bind(DocType::join(documents_consented))
        .bind(&token.session_id)
        .bind(SessionStatus::Authorized.as_str());
        if !guard(&mut tx, guarding).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        crate::sql_store::put_upstream_token_in(&mut tx, token).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// What the callback's transaction does besides consuming the authorization.
pub enum AfterCallback<'a> {
    /// DigiLocker sent a code: keep it, sealed by `seal_code` (given the session id) with the
    /// key-encryption key, for the fetch job enqueued in the same transaction.
    Fetch {
        /// Seals the code for the session with this id.
        seal_code: &'a (dyn Fn(&str) -> Vec<u8> + Send + Sync),
        /// Store the job already claimed by the caller, leased for this many milliseconds, so
        /// that the caller's runner starts it with no claim of its own (one write fewer on the
        /// journey); `None` leaves it to whichever runner claims it first.
        claim_lease_ms: Option<i64>,
    },
    /// DigiLocker sent an error: the session fails with this reason at once.
    Fail(FailureReason),
}

/// What a consumed callback changed.
#[derive(Debug)]
pub struct CallbackConsumed {
    /// The authorization that was consumed.
    pub authorization: AuthorizationRecord,
    /// The fetch job, when it was stored claimed by the caller ([`AfterCallback::Fetch`]'s
    /// `claim_lease_ms`): the caller must run it, or its lease lapses and another run claims it.
    pub claimed_job: Option<JobRecord>,
}

/// The sealed code and PKCE verifier of a session, taken for its one code exchange.
pub struct PendingExchange {
    /// DigiLocker's authorization code, sealed with the KEK ([`crate::SealedKind::AuthorizationCode`]).
    pub code_sealed: Vec<u8>,
    /// The PKCE verifier, sealed with the KEK ([`crate::SealedKind::PkceVerifier`]).
    pub pkce_verifier_sealed: Vec<u8>,
}

impl std::fmt::Debug for PendingExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingExchange").finish_non_exhaustive()
    }
}
