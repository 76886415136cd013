//! `GET /callbacks/digilocker`: DigiLocker sends the person back here. The `state` is consumed
//! atomically together with the browser binding; only then is DigiLocker called.

use crate::browser_input::{cookie, parse_query};
use crate::envelope::now_ms;
use crate::html;
use crate::journey::{self, binding_cookie_name};
use crate::vault::sha256_hex;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;

fn rejected() -> Response {
    html::page(
        StatusCode::BAD_REQUEST,
        "This sign-in could not be completed",
        "The link is invalid, was already used, or was opened in another browser. Please start again from the business's website.",
    )
}

/// Completes the journey: consume `state`, exchange the code, fetch and store the documents,
/// and send the person back to the business (through [`html::forward`]: see there why a page).
pub async fn digilocker_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(params) = parse_query(raw.as_deref()) else {
        return rejected();
    };
    let Some(state_token) = params
        .get("state")
        .filter(|s| !s.is_empty() && s.len() <= 256)
    else {
        return rejected();
    };
    let Some(binding) = cookie(&headers, &binding_cookie_name(state_token)) else {
        return rejected();
    };
    let store = &state.inner.store;
    let consumed = store
        .consume_authorization(
            &sha256_hex(state_token.as_bytes()),
            &sha256_hex(binding.as_bytes()),
            now_ms(),
        )
        .await;
    let auth = match consumed {
        Ok(Some(auth)) => auth,
        Ok(None) => return rejected(),
        Err(e) => {
            tracing::error!(error = %e, "could not consume the callback state");
            return html::page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Please try again in a moment.",
            );
        }
    };
    // The journey runs in its own task: `state` is spent, so it must finish (and revoke the
    // DigiLocker token) even if the browser goes away while documents are fetched.
    let (code, error) = (params.get("code").cloned(), params.get("error").cloned());
    let (task_state, task_auth) = (state.clone(), auth.clone());
    let outcome = tokio::spawn(async move {
        journey::complete(&task_state, &task_auth, code.as_deref(), error.as_deref()).await
    })
    .await
    .unwrap_or(Err(journey::JourneyError::Aborted));
    match outcome {
        Ok(location) => {
            let mut res = html::forward(&location);
            let expire = format!(
                "{}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax",
                binding_cookie_name(state_token),
                state.inner.config.callback_path()
            );
            res.headers_mut()
                .append(header::SET_COOKIE, expire.parse().expect("ascii cookie"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, session_id = %auth.session_id, "journey could not be completed");
            html::page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Your verification could not be completed. Please try again later.",
            )
        }
    }
}
