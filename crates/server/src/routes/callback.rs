//! `GET /callbacks/digilocker`: DigiLocker sends the person back here. The `state` is consumed
//! atomically together with the browser binding; only then is DigiLocker called.

use crate::browser_input::{cookie, parse_query};
use crate::envelope::now_ms;
use crate::journey::{self, binding_cookie_name};
use crate::navigation;
use crate::page_error::PageError;
use crate::vault::sha256_hex;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;

/// Completes the journey: consume `state`, exchange the code, fetch and store the documents,
/// and send the person back to the business (through [`navigation::forward`]: see there why a page).
pub async fn digilocker_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let Some(params) = parse_query(raw.as_deref()) else {
        return Err(PageError::CallbackRejected);
    };
    let Some(state_token) = params
        .get("state")
        .filter(|s| !s.is_empty() && s.len() <= 256)
    else {
        return Err(PageError::CallbackRejected);
    };
    let Some(binding) = cookie(&headers, &binding_cookie_name(state_token)) else {
        return Err(PageError::CallbackRejected);
    };
    let store = &state.inner.store;
    let consumed = store
        .consume_authorization(
            &sha256_hex(state_token.as_bytes()),
            &sha256_hex(binding.as_bytes()),
            now_ms(),
        )
        .await;
    let auth = consumed
        .map_err(|e| PageError::internal("could not consume the callback state", e))?
        .ok_or(PageError::CallbackRejected)?;
    state
        .metrics()
        .transition(digigate_core::SessionStatus::Authorized, None);
    // The journey runs in its own task: `state` is spent, so it must finish (and revoke the
    // DigiLocker token) even if the browser goes away while documents are fetched.
    let (code, error) = (params.get("code").cloned(), params.get("error").cloned());
    let (task_state, task_auth) = (state.clone(), auth.clone());
    let outcome = tokio::spawn(async move {
        journey::complete(&task_state, &task_auth, code.as_deref(), error.as_deref()).await
    })
    .await
    .unwrap_or(Err(journey::JourneyError::Aborted));
    let location = outcome.map_err(|e| PageError::JourneyFailed {
        session_id: auth.session_id.clone(),
        cause: Box::new(e),
    })?;
    let mut res = navigation::forward(&location);
    let expire = format!(
        "{}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax",
        binding_cookie_name(state_token),
        state.inner.config.callback_path()
    );
    res.headers_mut()
        .append(header::SET_COOKIE, expire.parse().expect("ascii cookie"));
    Ok(res)
}
