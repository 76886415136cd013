//! The journey after DigiLocker sends the person back: exchange the code, fetch the consented
//! documents and the profile and store them sealed (the fetch job, [`run_fetch`]), while the
//! person waits on a page that forwards them to the business once the session has ended.

mod fetch;
mod records;
pub mod return_address;
mod trust;

use crate::envelope::now_ms;
use crate::vault::sha256_hex;
use crate::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use digigate_core::{FailureReason, SessionStatus};
use digigate_digilocker::{AccessToken, TokenGrant};
use digigate_store::{SealedKind, SessionRecord, StoreError};
use rand::RngCore;
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError};

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
    /// Storage failed; the job retries, and the session expires at the end of its window.
    #[error("storage failed")]
    Store(#[from] StoreError),
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

/// The fetch job's work for one session (see `crate::jobs`): exchange the kept code once,
/// store the token, fetch and store the documents, and record the outcome. Run again after a
/// crash, it picks up where the stored state says the last run stopped:
/// - the session is no longer `authorized` (finished, expired): nothing to fetch;
/// - a token is stored: the exchange happened; fetch again with it;
/// - no token, and the code was taken for an exchange: that exchange may have reached
///   DigiLocker, and a code works once, so the session fails as `fetch_interrupted`;
/// - otherwise: exchange the code.
///
/// `Err` only for failures of storage, which the job retries.
pub async fn run_fetch(state: &AppState, session_id: &str) -> Result<(), JourneyError> {
    let store = &state.inner.store;
    let Some(session) = store.session(session_id).await? else {
        return Ok(());
    };
    let session = crate::expiry::expire_if_due(state, session).await?;
    if session.status == SessionStatus::Authorized {
        match fetch_for(state, &session).await {
            Ok(()) => {}
            Err(Failure::Reason(reason)) => {
                tracing::info!(session_id = %session.id, reason = reason.as_str(), "session failed");
                store
                    .transition(&session.id, SessionStatus::Failed, Some(reason), now_ms())
                    .await?;
                state.transition_committed(SessionStatus::Failed, Some(reason));
            }
            Err(Failure::Store(e)) => return Err(e.into()),
        }
    }
    // The outcome is stored: the person's page may forward them now, while the token is
    // revoked and the outcome audited.
    state.inner.fetch_ended.announce(&session.id);
    // Whatever the outcome, a DigiLocker token obtained for this session does not outlive it.
    crate::erasure::revoke_upstream_token(state, &session.id).await;
    let status = store
        .session(&session.id)
        .await?
        .map_or(session.status, |s| s.status);
    crate::audit::record(
        state,
        None,
        &session.id,
        crate::audit::Action::CallbackCompleted,
        Some(status.as_str()),
    )
    .await
    .map_err(JourneyError::Audit)?;
    Ok(())
}

/// Announces, to the pages of this process waiting on a person's fetch, which session's fetch
/// has ended: only the pages of that session read it again (announcing to every waiter made
/// each of them read its session at every fetch's end).
pub struct FetchEnded(broadcast::Sender<Arc<str>>);

/// Announcements kept for a waiter that is slow to read them; one that falls further behind
/// reads its session again.
const FETCH_ENDED_BACKLOG: usize = 256;

impl Default for FetchEnded {
    fn default() -> Self {
        FetchEnded(broadcast::channel(FETCH_ENDED_BACKLOG).0)
    }
}

impl FetchEnded {
    fn announce(&self, session_id: &str) {
        // No receiver (no page waiting) is not an error.
        let _ = self.0.send(Arc::from(session_id));
    }
}

/// The session once it has ended, if it ends within `bound`; `None` if it has not by then (or
/// is gone). Wakes on [`FetchEnded`], so a fetch run by this process is seen at once; one run
/// by another instance is seen by the waiting page's next reload. This holds a page for at
/// most `bound`, never for the whole fetch.
pub async fn ended_within(
    state: &AppState,
    session_id: &str,
    bound: std::time::Duration,
) -> Result<Option<SessionRecord>, StoreError> {
    let deadline = tokio::time::Instant::now() + bound;
    // Subscribed before the read, so an end announced between the two is not missed.
    let mut ended = state.inner.fetch_ended.0.subscribe();
    loop {
        match state.inner.store.session(session_id).await? {
            Some(s) if s.status.is_terminal() => return Ok(Some(s)),
            Some(_) => {}
            None => return Ok(None),
        }
        loop {
            match tokio::time::timeout_at(deadline, ended.recv()).await {
                Err(_) | Ok(Err(RecvError::Closed)) => return Ok(None),
                Ok(Ok(id)) if *id == *session_id => break,
                Ok(Ok(_)) => {}
                // Announcements were missed, this session's perhaps: read it again.
                Ok(Err(RecvError::Lagged(_))) => break,
            }
        }
    }
}

/// Exchanges (or resumes after the exchange) and fetches for an `authorized` session.
async fn fetch_for(state: &AppState, session: &SessionRecord) -> Result<(), Failure> {
    let store = &state.inner.store;
    if let Some(token) = store.upstream_token(&session.id).await? {
        tracing::info!(session_id = %session.id, "resuming a fetch after its code exchange");
        let grant = stored_grant(state, &session.id, &token)
            .ok_or(Failure::Reason(FailureReason::UpstreamUnavailable))?;
        let granted = session.documents_consented.clone();
        return fetch::fetch_and_store(state, session, &grant, granted).await;
    }
    let Some(pending) = store.take_code_for_exchange(&session.id, now_ms()).await? else {
        tracing::warn!(session_id = %session.id, "a code exchange was interrupted");
        return Err(Failure::Reason(FailureReason::FetchInterrupted));
    };
    crate::crash::point(crate::crash::CrashPoint::BeforeExchange);
    let grant = fetch::exchange(
        state,
        session,
        &pending.code_sealed,
        &pending.pkce_verifier_sealed,
    )
    .await?;
    let granted = fetch::consented(&grant, session);
    if !fetch::store_exchange(state, &session.id, &grant, &granted).await? {
        return Ok(()); // the session moved on (expired) meanwhile
    }
    crate::crash::point(crate::crash::CrashPoint::AfterExchangeStored);
    fetch::fetch_and_store(state, session, &grant, granted).await
}

/// The grant a resumed fetch works with: the stored token, and no scope (the documents the
/// person consented to were stored with the token).
fn stored_grant(
    state: &AppState,
    session_id: &str,
    token: &digigate_store::UpstreamTokenRecord,
) -> Option<TokenGrant> {
    let vault = &state.inner.vault;
    let open = |kind, sealed: &[u8]| {
        let plain = vault
            .open_secret(&crate::vault::kek_context(kind, session_id), sealed)
            .ok()?;
        String::from_utf8(plain).ok().map(AccessToken::new)
    };
    let refresh_token = match &token.refresh_token_sealed {
        Some(sealed) => Some(open(SealedKind::RefreshToken, sealed)?),
        None => None,
    };
    Some(TokenGrant {
        access_token: open(SealedKind::AccessToken, &token.access_token_sealed)?,
        refresh_token,
        expires_in: None,
        scope: String::new(),
        consent_valid_till: None,
        digilocker_id: None,
        name: None,
        dob: None,
        gender: None,
        eaadhaar: None,
        reference_key: None,
        id_token: None,
    })
}

/// The failure a callback's `error` (or a callback with neither `error` nor `code`) means.
pub fn callback_failure(error: Option<&str>, code: Option<&str>) -> Option<FailureReason> {
    match (error, code) {
        (Some("access_denied"), _) => Some(FailureReason::ConsentDenied),
        (Some(_), _) | (None, None) => Some(FailureReason::UpstreamAuthorizationError),
        (None, Some(_)) => None,
    }
}
