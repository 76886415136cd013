//! Sandbox's DigiLocker SDK variant of the API (`/kyc/digilocker-sdk/sessions/…`). An SDK session
//! is a session: it is created here without a `redirect_url` (its journey ends on the gateway's
//! completion page, `sdk::COMPLETE_PATH`), and its status, documents and profile are served by
//! the same handlers as the other sessions', with the SDK's entity tag where Sandbox uses it.

use super::extract::{ApiPath, JsonBody};
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::{now_ms, Data};
use crate::error::ApiError;
use crate::journey::random_token;
use crate::AppState;
use axum::extract::{RawQuery, State};
use digigate_core::api::{SdkSessionCreated, SessionStatusData};
use digigate_core::{SdkSessionRequest, SessionOptions, SessionStatus, SDK_SESSION_ENTITY};
use digigate_store::{ApiKeyRecord, SessionRecord};
use serde_json::Value;

/// `POST /kyc/digilocker-sdk/sessions/create`: validates the request and stores a `created`
/// session whose journey the web SDK opens.
#[utoipa::path(
    post,
    path = "/kyc/digilocker-sdk/sessions/create",
    operation_id = "createSdkSession",
    tag = "digilocker-sdk",
    summary = "Start a consent session for the web SDK (no redirect_url: the journey ends in the embedding page)",
    request_body = digigate_core::api::SdkSessionBody,
    params(crate::openapi::ApiHeaders),
    responses((status = 200, description = "The session, for `DigilockerSDK.open`.", body = digigate_core::api::Envelope<digigate_core::api::SdkSessionCreated>), crate::openapi::BodyErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn create_session(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Data<SdkSessionCreated>, ApiError> {
    let session = create(&state, &caller.key, &body).await?;
    Ok(Data(SdkSessionCreated {
        entity: SDK_SESSION_ENTITY.to_owned(),
        created_at: session.created_at_ms,
        id: session.id,
        status: session.status.as_str().to_owned(),
    }))
}

/// `GET /kyc/digilocker-sdk/sessions/{id}/status`: the status handler's answer with the SDK
/// session's entity tag.
#[utoipa::path(
    get,
    path = "/kyc/digilocker-sdk/sessions/{session_id}/status",
    operation_id = "sdkSessionStatus",
    tag = "digilocker-sdk",
    summary = "The SDK session's status (as `sessionStatus`, with the SDK's entity tag)",
    params(crate::openapi::SessionPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The session.", body = digigate_core::api::Envelope<digigate_core::api::SessionStatusData>), crate::openapi::CallerErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn session_status(
    state: State<AppState>,
    caller: Caller,
    path: ApiPath<String>,
) -> Result<Data<SessionStatusData>, ApiError> {
    let Data(mut data) = super::status::session_status(state, caller, path).await?;
    data.entity = SDK_SESSION_ENTITY.to_owned();
    Ok(Data(data))
}

/// `GET /kyc/digilocker-sdk/sessions/{id}/user/profile`: the profile handler's answer.
#[utoipa::path(
    get,
    path = "/kyc/digilocker-sdk/sessions/{session_id}/user/profile",
    operation_id = "sdkUserProfile",
    tag = "digilocker-sdk",
    summary = "The DigiLocker profile of the person who consented (as `userProfile`)",
    params(crate::openapi::SessionPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The profile.", body = digigate_core::api::Envelope<digigate_core::api::UserProfile>), crate::openapi::ResultErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn user_profile(
    state: State<AppState>,
    caller: Caller,
    path: ApiPath<String>,
) -> Result<Data<digigate_core::api::UserProfile>, ApiError> {
    super::profile::user_profile(state, caller, path).await
}

/// `GET /kyc/digilocker-sdk/sessions/{id}/documents/{doc_type}`: the document handler's
/// answer.
#[utoipa::path(
    get,
    path = "/kyc/digilocker-sdk/sessions/{session_id}/documents/{doc_type}",
    operation_id = "sdkFetchDocument",
    tag = "digilocker-sdk",
    summary = "A consented document (as `fetchDocument`)",
    params(
        crate::openapi::SessionPath,
        crate::openapi::DocumentParams,
        crate::openapi::ApiHeaders
    ),
    responses((status = 200, description = "The document's file, its normalised fields and its verification.", body = digigate_core::api::Envelope<digigate_core::api::DocumentAnswer>), crate::openapi::DocumentErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn fetch_document(
    state: State<AppState>,
    caller: Caller,
    path: ApiPath<(String, String)>,
    query: RawQuery,
) -> Result<Data<digigate_core::api::DocumentAnswer>, ApiError> {
    super::documents::fetch_document(state, caller, path, query).await
}

/// Validates an SDK session request and stores the session for `key` (the API and the
/// development demo both create sessions here).
pub async fn create(
    state: &AppState,
    key: &ApiKeyRecord,
    body: &Value,
) -> Result<SessionRecord, ApiError> {
    let cfg = &state.inner.config;
    let now = now_ms();
    let req = SdkSessionRequest::from_json(body, now)?;
    if crate::sdk::allowed_origins(cfg, key).is_empty() {
        return Err(ApiError::BadRequest(
            "Invalid request body: this API key has no registered redirect URLs, whose origins \
             are the pages allowed to embed the SDK; create a key with digigate keys create \
             --redirect-url"
                .into(),
        ));
    }
    state
        .inner
        .breakers
        .journeys_can_start(std::time::Instant::now())?;
    let session = SessionRecord {
        id: uuid::Uuid::new_v4().to_string(),
        api_key_id: key.id.clone(),
        status: SessionStatus::Created,
        flow: req.flow,
        doc_types: req.doc_types,
        redirect_url: crate::sdk::return_address(cfg),
        options: SessionOptions::default(),
        consent_expiry_ms: req.consent_expiry_ms,
        link_id: random_token(),
        link_expires_at_ms: now + cfg.link_ttl.as_millis() as i64,
        created_at_ms: now,
        updated_at_ms: now,
        failure_reason: None,
        documents_consented: Vec::new(),
        documents_missing: Vec::new(),
        erased_at_ms: None,
        expected_sealed: None,
    };
    // The session and the audit line of its creation are one commit, as init's.
    let created = audit::entry(Some(&key.id), &session.id, Action::SessionCreated, None);
    state.inner.store.create_session(&session, &created).await?;
    tracing::info!(session_id = %session.id, api_key = %key.id, "SDK session created");
    state.transition_committed(SessionStatus::Created, None);
    Ok(session)
}
