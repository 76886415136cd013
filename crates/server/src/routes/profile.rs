//! `GET /kyc/digilocker/sessions/{id}/user/profile`.

use super::extract::{succeeded_session, ApiPath, SessionData};
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::UserProfile;

/// The DigiLocker user's profile in Sandbox's shape, decrypted from storage.
#[utoipa::path(
    get,
    path = "/kyc/digilocker/sessions/{session_id}/user/profile",
    operation_id = "userProfile",
    tag = "digilocker",
    summary = "The DigiLocker profile of the person who consented",
    params(crate::openapi::SessionPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The profile.", body = digigate_core::api::Envelope<digigate_core::api::UserProfile>), crate::openapi::ResultErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn user_profile(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Data<UserProfile>, ApiError> {
    let session = succeeded_session(&state, &caller, &id).await?;
    let value = SessionData::open(&state, &session.id)
        .await?
        .profile(&state)
        .await?;
    // Stored in this shape by `journey::records` when the session succeeded. serde's message
    // could quote a stored value (personal data), so the cause logged is only the shape's.
    let profile = serde_json::from_value(value)
        .map_err(|_| ApiError::Internal("the stored profile is not in Sandbox's shape".into()))?;
    audit::record(
        &state,
        Some(&caller.key.id),
        &session.id,
        Action::ProfileRead,
        None,
    )
    .await?;
    Ok(Data(profile))
}
