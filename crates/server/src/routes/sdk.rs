//! Sandbox's DigiLocker SDK variant of the API (`/kyc/digilocker-sdk/sessions/…`). An SDK session
//! is a session: it is made by `sdk/session.rs` without a `redirect_url` (its journey ends on the gateway's
//! completion page, `sdk::COMPLETE_PATH`), and its status, documents and profile are served by
//! the same handlers as the other sessions', with the SDK's entity tag where Sandbox uses it.

use super::extract::{ApiPath, JsonBody};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::{SdkSessionCreated, SessionStatusData};
use digigate_core::SDK_SESSION_ENTITY;

/// `POST /kyc/digilocker-sdk/sessions/create`: validates the request and stores a `created`
/// session whose journey the web SDK opens.
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
pub async fn session_status(
    state: State<AppState>,
    caller: Caller,
    path: ApiPath<String>,
) -> Result<Data<SessionStatusData>, ApiError> {
    let Data(mut data) = super::status::session_status(state, caller, path).await?;
    data.entity = SDK_SESSION_ENTITY.to_owned();
    Ok(Data(data))
}
