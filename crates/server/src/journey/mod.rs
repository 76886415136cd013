//! The journey after DigiLocker sends the person back: exchange the code, fetch the consented
//! documents and the profile, store them sealed, and send the person on to the business.

pub mod erasure;
mod fetch;
pub mod lifecycle;
mod records;
pub mod return_address;
mod trust;

use crate::envelope::now_ms;
use crate::vault::sha256_hex;
use crate::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use digigate_core::{FailureReason, SessionStatus};
use digigate_store::{AuthorizationRecord, StoreError};
use rand::RngCore;

/// 256 random bits, base64url: link ids, `state` values and browser bindings.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// The name of the cookie that binds the browser to one authorization, so that several
/// journeys in one browser do not overwrite each other's binding.
pub fn binding_cookie_name(state_token: &str) -> String {
    format!("dgb_{}", &sha256_hex(state_token.as_bytes())[..16])
}

/// Why the journey could not end in a recorded outcome.
#[derive(Debug, thiserror::Error)]
pub enum JourneyError {
    /// Storage failed; the session stays `authorized` until it expires.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// The session of a consumed authorization is gone.
    #[error("session of the authorization is missing")]
    MissingSession,
    /// The task running the journey panicked or was cancelled.
    #[error("the journey task ended abnormally")]
    Aborted,
    /// The outcome could not be written to the audit log.
    #[error("the audit log could not be written")]
    Audit(#[source] crate::audit::AuditError),
}

/// How fetching ended when it did not succeed.
enum Failure {
    Reason(FailureReason),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// Runs the rest of the journey for a consumed authorization and returns where to send the
/// browser: the business's `redirect_url` with `session_id` and `status`.
pub async fn complete(
    state: &AppState,
    auth: &AuthorizationRecord,
    code: Option<&str>,
    error: Option<&str>,
) -> Result<String, JourneyError> {
    let store = &state.inner.store;
    let session = store
        .session(&auth.session_id)
        .await?
        .ok_or(JourneyError::MissingSession)?;
    let session = lifecycle::expire_if_due(state, session).await?;
    if session.status == SessionStatus::Authorized {
        let outcome = match (error, code) {
            (Some("access_denied"), _) => Err(Failure::Reason(FailureReason::ConsentDenied)),
            (Some(_), _) | (None, None) => {
                Err(Failure::Reason(FailureReason::UpstreamAuthorizationError))
            }
            (None, Some(code)) => fetch::exchange_and_fetch(state, &session, auth, code).await,
        };
        match outcome {
            Ok(()) => {}
            Err(Failure::Reason(reason)) => {
                tracing::info!(session_id = %session.id, reason = reason.as_str(), "session failed");
                store
                    .transition(&session.id, SessionStatus::Failed, Some(reason), now_ms())
                    .await?;
                state
                    .metrics()
                    .transition(SessionStatus::Failed, Some(reason));
            }
            Err(Failure::Store(e)) => return Err(e.into()),
        }
    }
    // Whatever the outcome, a DigiLocker token obtained for this session does not outlive it.
    erasure::revoke_upstream_token(state, &session.id).await;
    let status = store
        .session(&session.id)
        .await?
        .map_or(session.status, |s| s.status);
    let detail = Some(status.as_str());
    crate::audit::record(
        state,
        None,
        &session.id,
        crate::audit::Action::CallbackCompleted,
        detail,
    )
    .await
    .map_err(JourneyError::Audit)?;
    return_address::for_session(state, &session, status)
        .await?
        .ok_or(JourneyError::MissingSession)
}
