//! The end of a session's data: revoking the DigiLocker token, erasure on request (DELETE) and
//! the retention sweep, which destroys a session's data key, and with it its documents.

use crate::audit::{self, Action, AuditError};
use crate::envelope::now_ms;
use crate::error::ApiError;
use crate::vault::kek_context;
use crate::AppState;
use digigate_digilocker::AccessToken;
use digigate_store::{SealedKind, StoreError};
use std::time::Duration;

/// Revokes the session's DigiLocker token upstream if it is still live; failures are logged
/// (the token expires on its own within the hour).
pub async fn revoke_upstream_token(state: &AppState, session_id: &str) {
    let inner = &state.inner;
    let record = match inner.store.upstream_token(session_id).await {
        Ok(Some(r))
            if r.revoked_at_ms.is_none() && r.expires_at_ms.is_none_or(|at| at > now_ms()) =>
        {
            r
        }
        Ok(_) => return,
        Err(e) => {
            return tracing::warn!(error = %e, %session_id, "could not read the DigiLocker token")
        }
    };
    let context = kek_context(SealedKind::AccessToken, session_id);
    let Ok(raw) = inner
        .vault
        .open_secret(&context, &record.access_token_sealed)
    else {
        return tracing::error!(%session_id, "a stored DigiLocker token could not be opened");
    };
    let token = AccessToken::new(String::from_utf8_lossy(&raw).into_owned());
    let revoke = inner.digilocker.revoke(&token);
    if let Err(e) = inner
        .metrics
        .upstream(crate::metrics::Upstream::Revoke, revoke)
        .await
    {
        return tracing::warn!(error = %e, %session_id, "could not revoke the DigiLocker token");
    }
    if let Err(e) = inner
        .store
        .mark_upstream_token_revoked(session_id, now_ms())
        .await
    {
        tracing::warn!(error = %e, %session_id, "could not record the token revocation");
    }
    let _ = audit::record(state, None, session_id, Action::UpstreamTokenRevoked, None).await;
}

/// Deletes the caller's session: its documents and profile are erased at once and every
/// later read answers 404. Returns when it was deleted (the first time, on a repeat).
pub async fn delete(state: &AppState, api_key_id: &str, session_id: &str) -> Result<i64, ApiError> {
    let not_found = || ApiError::session_not_found(session_id);
    if session_id.len() > 64 {
        return Err(not_found());
    }
    let at = state
        .inner
        .store
        .delete_session(session_id, api_key_id, now_ms())
        .await?
        .ok_or_else(not_found)?;
    audit::record(
        state,
        Some(api_key_id),
        session_id,
        Action::SessionDeleted,
        None,
    )
    .await?;
    tracing::info!(%session_id, "session deleted on request");
    state.metrics().erased("request");
    // The erasure wrote its `session.erased` event: send it now.
    state.inner.deliveries.wake();
    revoke_upstream_token(state, session_id).await;
    Ok(at)
}

/// Why the retention sweep stopped before it was done.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sessions due for erasure could not be read or erased.
    #[error("retention sweep storage failed")]
    Store(#[from] StoreError),
    /// An erasure could not be recorded in the audit log.
    #[error("retention sweep could not record an erasure")]
    Audit(#[from] AuditError),
}

/// Erases the data of sessions that succeeded longer than the retention period ago; returns
/// how many were erased.
pub async fn sweep(state: &AppState) -> Result<usize, SweepError> {
    let retention = i64::try_from(state.inner.config.retention.as_millis()).unwrap_or(i64::MAX);
    let store = &state.inner.store;
    let mut erased = 0;
    loop {
        let ids = store
            .sessions_due_for_erasure(now_ms().saturating_sub(retention), 100)
            .await?;
        if ids.is_empty() {
            return Ok(erased);
        }
        for id in ids {
            if store.erase_session_data(&id, now_ms()).await? {
                audit::record(state, None, &id, Action::SessionErased, Some("retention")).await?;
                revoke_upstream_token(state, &id).await;
                state.metrics().erased("retention");
                state.inner.deliveries.wake();
                erased += 1;
            }
        }
    }
}

/// Runs the retention sweep every `every` until the process ends.
pub fn spawn_sweeper(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match sweep(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "retention sweep erased session data"),
                Err(e) => tracing::error!(error = %e, "retention sweep failed"),
            }
        }
    })
}
