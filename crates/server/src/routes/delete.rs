//! `DELETE /kyc/digilocker/sessions/{id}`: erase a session's documents and profile now.

use super::extract::ApiPath;
use crate::auth::Caller;
use crate::envelope::Data;
use crate::erasure;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::{Erasure, ERASURE_ENTITY};

/// Erases the session and answers a receipt; repeating it answers the same receipt.
#[utoipa::path(
    delete,
    path = "/kyc/digilocker/sessions/{session_id}",
    operation_id = "deleteSession",
    tag = "digilocker",
    summary = "Erase a session's documents and profile now (repeating answers the same receipt)",
    params(crate::openapi::SessionPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The erasure receipt.", body = digigate_core::api::Envelope<digigate_core::api::Erasure>), crate::openapi::CallerErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
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
