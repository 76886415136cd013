//! Writing the append-only audit log: identifiers and outcome words only, never personal data.

use crate::envelope::now_ms;
use crate::AppState;
use digigate_store::{AuditEntry, StoreError};

/// An audit line could not be written; whatever it would have recorded must not be served.
#[derive(Debug, thiserror::Error)]
#[error("the audit log could not be written")]
pub struct AuditError(#[from] StoreError);

/// What happened, as recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A business created a session.
    SessionCreated,
    /// The person opened the consent link and was sent to DigiLocker.
    LinkOpened,
    /// DigiLocker sent the person back; the detail is the outcome status.
    CallbackCompleted,
    /// A business read a document's metadata and download link; the detail is the type.
    DocumentRead,
    /// A document was downloaded through a signed link; the detail is the type.
    DocumentDownloaded,
    /// A business read the profile.
    ProfileRead,
    /// A business read the cross-document checks.
    ChecksRead,
    /// A business deleted the session (erasure on request).
    SessionDeleted,
    /// The retention sweep erased the session's data.
    SessionErased,
    /// The DigiLocker token was revoked.
    UpstreamTokenRevoked,
}

impl Action {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SessionCreated => "session.created",
            Action::LinkOpened => "link.opened",
            Action::CallbackCompleted => "callback.completed",
            Action::DocumentRead => "document.read",
            Action::DocumentDownloaded => "document.downloaded",
            Action::ProfileRead => "profile.read",
            Action::ChecksRead => "checks.read",
            Action::SessionDeleted => "session.deleted",
            Action::SessionErased => "session.erased",
            Action::UpstreamTokenRevoked => "upstream_token.revoked",
        }
    }
}

/// Appends an audit line. A failure fails the request: an access that cannot be recorded is
/// not served.
pub async fn record(
    state: &AppState,
    api_key_id: Option<&str>,
    session_id: &str,
    action: Action,
    detail: Option<&str>,
) -> Result<(), AuditError> {
    let line = entry(api_key_id, session_id, action, detail);
    Ok(state.inner.store.append_audit(&line).await?)
}

/// The audit line of `action`, for a store call that writes it with its change.
pub fn entry(
    api_key_id: Option<&str>,
    session_id: &str,
    action: Action,
    detail: Option<&str>,
) -> AuditEntry {
    AuditEntry {
        at_ms: now_ms(),
        api_key_id: api_key_id.map(str::to_owned),
        session_id: Some(session_id.to_owned()),
        action: action.as_str().to_owned(),
        detail: detail.map(str::to_owned),
    }
}
