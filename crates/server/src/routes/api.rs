//! Pieces shared by the API handlers: the JSON body extractor and loading the caller's session.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::journey::lifecycle;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use digigate_store::SessionRecord;
use serde_json::Value;

/// A JSON request body; malformed or oversized bodies get Sandbox-style 400 / 413 answers.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("Invalid request body".into())
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|_| {
            ApiError::BadRequest("Invalid request body: body is not valid JSON".into())
        })
    }
}

/// The caller's session, with a lapsed session moved to `expired` first. Another key's
/// session is indistinguishable from one that does not exist.
pub async fn caller_session(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<SessionRecord, ApiError> {
    let not_found = || ApiError::SessionNotFound(id.chars().take(64).collect());
    if id.len() > 64 {
        return Err(not_found());
    }
    let session = state
        .inner
        .store
        .session_for_key(id, &caller.key.id)
        .await?
        .ok_or_else(not_found)?;
    Ok(lifecycle::expire_if_due(state, session).await?)
}

/// The caller's session, required to have succeeded and to still hold its data.
pub async fn succeeded_session(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<SessionRecord, ApiError> {
    let session = caller_session(state, caller, id).await?;
    if session.erased_at_ms.is_some() {
        return Err(ApiError::Erased);
    }
    if session.status != digigate_core::SessionStatus::Succeeded {
        return Err(ApiError::InvalidLifecycle);
    }
    Ok(session)
}

/// A session's data key, unwrapped for the length of one request.
pub struct SessionData {
    session_id: String,
    key: crate::vault::DataKey,
}

impl SessionData {
    /// Unwraps the session's data key; its absence means the data was erased.
    pub async fn open(state: &AppState, session_id: &str) -> Result<Self, ApiError> {
        let wrapped = state
            .inner
            .store
            .data_key(session_id)
            .await?
            .ok_or(ApiError::Erased)?;
        let key = state
            .inner
            .vault
            .unwrap_data_key(session_id, &wrapped.wrapped_key)
            .map_err(ApiError::internal)?;
        Ok(SessionData {
            session_id: session_id.to_owned(),
            key,
        })
    }

    /// Decrypts a sealed JSON value stored under `context`.
    pub fn json(&self, context: &str, sealed: &[u8]) -> Result<Value, ApiError> {
        let plain = self.key.open(context, sealed).map_err(ApiError::internal)?;
        serde_json::from_slice(&plain).map_err(ApiError::internal)
    }

    /// The session's profile in Sandbox's shape.
    pub async fn profile(&self, state: &AppState) -> Result<Value, ApiError> {
        let profile = state
            .inner
            .store
            .profile(&self.session_id)
            .await?
            .ok_or(ApiError::Erased)?;
        self.json(&format!("profile:{}", self.session_id), &profile.sealed)
    }

    /// A document's normalised form: `{"document": …, "subject": …}`, if it has one.
    pub fn normalised(
        &self,
        doc: &digigate_store::DocumentRecord,
    ) -> Result<Option<Value>, ApiError> {
        doc.normalised_sealed
            .as_deref()
            .map(|sealed| self.json(&format!("normalised:{}", doc.id), sealed))
            .transpose()
    }
}
