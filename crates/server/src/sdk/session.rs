//! Making an SDK session: the API (`routes::sdk`) and the development demo both create them here.

use crate::audit::{self, Action};
use crate::envelope::now_ms;
use crate::error::ApiError;
use crate::new_session::{created, Asked};
use crate::AppState;
use digigate_core::{SdkSessionRequest, SessionOptions, SessionStatus};
use digigate_store::{ApiKeyRecord, SessionRecord};
use serde_json::Value;

/// Validates an SDK session request and stores the session for `key`.
pub(crate) async fn create(
    state: &AppState,
    key: &ApiKeyRecord,
    body: &Value,
) -> Result<SessionRecord, ApiError> {
    let cfg = &state.inner.config;
    let now = now_ms();
    let req = SdkSessionRequest::from_json(body, now)?;
    if super::allowed_origins(cfg, key).is_empty() {
        return Err(ApiError::BadRequest(
            "Invalid request body: this API key has no registered redirect URLs, whose origins \
             are the pages allowed to embed the SDK; create a key with digigate keys create \
             --redirect-url"
                .into(),
        ));
    }
    let asked = Asked {
        flow: req.flow,
        doc_types: req.doc_types,
        redirect_url: super::return_address(cfg),
        options: SessionOptions::default(),
        consent_expiry_ms: req.consent_expiry_ms,
        expected_sealed: None,
    };
    let session = created(state, uuid::Uuid::new_v4().to_string(), &key.id, asked, now)?;
    // The session and the audit line of its creation are one commit, as init's.
    let created = audit::entry(Some(&key.id), &session.id, Action::SessionCreated, None);
    state.inner.store.create_session(&session, &created).await?;
    tracing::info!(session_id = %session.id, api_key = %key.id, "SDK session created");
    state.transition_committed(SessionStatus::Created, None);
    Ok(session)
}
