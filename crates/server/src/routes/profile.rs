//! `GET /kyc/digilocker/sessions/{id}/user/profile`.

use super::api::succeeded_session;
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use serde_json::Value;

/// The DigiLocker user's profile in Sandbox's shape, decrypted from storage.
pub async fn user_profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Data<Value>, ApiError> {
    let session = succeeded_session(&state, &caller, &id).await?;
    let store = &state.inner.store;
    let (Some(profile), Some(key)) = (
        store.profile(&session.id).await?,
        store.data_key(&session.id).await?,
    ) else {
        return Err(ApiError::Erased);
    };
    let vault = &state.inner.vault;
    let data_key = vault
        .unwrap_data_key(&session.id, &key.wrapped_key)
        .map_err(ApiError::internal)?;
    let plain = data_key
        .open(&format!("profile:{}", session.id), &profile.sealed)
        .map_err(ApiError::internal)?;
    let value: Value = serde_json::from_slice(&plain).map_err(ApiError::internal)?;
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
