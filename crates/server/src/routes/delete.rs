//! `DELETE /kyc/digilocker/sessions/{id}`: erase a session's documents and profile now.

use super::extract::ApiPath;
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::journey::erasure;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::{Erasure, ERASURE_ENTITY};

/// Erases the session and answers a receipt; repeating it answers the same receipt.
pub async fn delete_session(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Data<Erasure>, ApiError> {
    let erased_at = erasure::delete(&state, &caller.key.id, &id).await?;
    Ok(Data(Erasure {
        entity: ERASURE_ENTITY.to_owned(),
        erased_at,
        session_id: id,
    }))
}
