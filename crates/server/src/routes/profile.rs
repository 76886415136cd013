//! `GET /kyc/digilocker/sessions/{id}/user/profile`.

use super::extract::{succeeded_session, ApiPath, SessionData};
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use serde_json::Value;

/// The DigiLocker user's profile in Sandbox's shape, decrypted from storage.
pub async fn user_profile(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Data<Value>, ApiError> {
    let session = succeeded_session(&state, &caller, &id).await?;
    let value = SessionData::open(&state, &session.id)
        .await?
        .profile(&state)
        .await?;
    audit::record(
        &state,
        Some(&caller.key.id),
        &session.id,
        Action::ProfileRead,
        None,
    )
    .await?;
    Ok(Data(value))
}
