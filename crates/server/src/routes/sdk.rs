//! Sandbox's DigiLocker SDK variant of the API (`/kyc/digilocker-sdk/sessions/…`). An SDK session
//! is a session: it is made by `sdk/session.rs` without a `redirect_url` (its journey ends on the gateway's
//! completion page, `sdk::COMPLETE_PATH`), and its status, documents and profile are served by
//! the same handlers as the other sessions', with the SDK's entity tag where Sandbox uses it.

use super::extract::{ApiPath, JsonBody};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{RawQuery, State};
use digigate_core::api::{SdkSessionCreated, SessionStatusData};
use digigate_core::SDK_SESSION_ENTITY;

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
    let session = crate::sdk::create_session(&state, &caller.key, &body).await?;
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
