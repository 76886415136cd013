//! `POST /kyc/digilocker/user/verify`: does a DigiLocker account exist for this number.

use super::extract::JsonBody;
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::{UserVerification, USER_VERIFICATION_ENTITY};
use digigate_core::VerifyUserRequest;
use digigate_digilocker::AccountLookup;

/// Asks DigiLocker whether the account exists.
#[utoipa::path(
    post,
    path = "/kyc/digilocker/user/verify",
    operation_id = "verifyUser",
    tag = "digilocker",
    summary = "Whether a DigiLocker account exists for a mobile or Aadhaar number",
    request_body = digigate_core::api::VerifyUserBody,
    params(crate::openapi::ApiHeaders),
    responses((status = 200, description = "Whether the account exists.", body = digigate_core::api::Envelope<digigate_core::api::UserVerification>), crate::openapi::BodyErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn verify_user(
    State(state): State<AppState>,
    _caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Data<UserVerification>, ApiError> {
    let lookup = match VerifyUserRequest::from_json(&body)? {
        VerifyUserRequest::Mobile(m) => AccountLookup::Mobile(m),
        VerifyUserRequest::Aadhaar(a) => AccountLookup::Aadhaar(a),
    };
    let lookup = state.inner.digilocker.account_exists(lookup);
    let status = state
        .metrics()
        .upstream(crate::metrics::Upstream::Account, lookup)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "DigiLocker account lookup failed");
            ApiError::UpstreamUnavailable
        })?;
    Ok(Data(UserVerification {
        entity: USER_VERIFICATION_ENTITY.to_owned(),
        user_exists: status.registered,
    }))
}
