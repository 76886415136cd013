//! `GET /callbacks/digilocker`: DigiLocker sends the person back here. The `state` is consumed
//! atomically together with the browser binding, and in the same transaction the code is kept
//! (sealed) and the fetch job enqueued; the person then waits on the waiting page
//! (`routes/wait.rs`) while the job runs. Nothing here calls DigiLocker.

use crate::browser_input::{cookie, parse_query};
use crate::crash::{self, CrashPoint};
use crate::envelope::now_ms;
use crate::journey::{self, binding_cookie_name, return_address};
use crate::navigation;
use crate::page_error::PageError;
use crate::vault::{kek_context, sha256_hex};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use digigate_core::SessionStatus;
use digigate_store::{AfterCallback, SealedKind};

/// Consumes `state`; on a code, keeps it for the fetch job and answers the waiting page; on an
/// error from DigiLocker, fails the session in the same transaction and sends the person back
/// to the business at once (through [`navigation::forward`]: see there why a page).
#[utoipa::path(
    get,
    path = "/callbacks/digilocker",
    operation_id = "digilockerCallback",
    tag = "journey",
    summary = "DigiLocker's redirect back: consumes `state`, enqueues the fetch and answers the waiting page (or, on an error, returns the person to the business)",
    params(
        ("state" = Option<String>, Query, max_length = 2048),
        ("code" = Option<String>, Query, max_length = 2048),
        ("error" = Option<String>, Query, max_length = 2048),
        ("error_description" = Option<String>, Query, max_length = 2048)
    ),
    responses(
        (status = 200, description = "The waiting page (`Refresh: 1;url=` the waiting page's address, with its cookie), or on an error from DigiLocker the page forwarding to the business's `redirect_url` with `session_id` and `status`.", content_type = "text/html", body = String),
        (status = 400, description = "Unknown, used, expired, duplicated or unbound `state`.", content_type = "text/html", body = String),
        (status = 500, description = "An internal failure.", content_type = "text/html", body = String)
    )
)]
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
    let (code, error) = (params.get("code"), params.get("error"));
    let failure = journey::callback_failure(error.map(String::as_str), code.map(String::as_str));
    let vault = &state.inner.vault;
    let code = code.map(String::as_str).unwrap_or_default();
    let seal_code = |session_id: &str| {
        let context = kek_context(SealedKind::AuthorizationCode, session_id);
        vault.seal_secret(&context, code.as_bytes())
    };
    let then = match failure {
        Some(reason) => AfterCallback::Fail(reason),
        // Claimed for this instance's runner in the same transaction: it starts at once,
        // with no claim round trip through the store.
        None => AfterCallback::Fetch {
            seal_code: &seal_code,
            claim_lease_ms: state.inner.jobs.lease_ms(),
        },
    };
    let store = &state.inner.store;
    let consumed = store
        .consume_callback(
            &sha256_hex(state_token.as_bytes()),
            &sha256_hex(binding.as_bytes()),
            now_ms(),
            &then,
        )
        .await;
    let consumed = consumed
        .map_err(|e| PageError::internal("could not consume the callback state", e))?
        .ok_or(PageError::CallbackRejected)?;
    let auth = consumed.authorization;
    crash::point(CrashPoint::AfterCallback);
    let mut res = match failure {
        None => {
            state.transition_committed(SessionStatus::Authorized, None);
            match consumed.claimed_job {
                Some(job) => state.inner.jobs.hand(job),
                None => state.inner.jobs.wake(),
            }
            let hold = crate::routes::wait::CALLBACK_HOLD;
            match journey::ended_within(&state, &auth.session_id, hold).await {
                Ok(Some(ended)) => crate::routes::wait::forward_to_business(&state, &ended).await?,
                // Not ended yet (or not readable now): the waiting page takes over.
                _ => crate::routes::wait::first_page(&state, &auth.session_id),
            }
        }
        Some(reason) => {
            tracing::info!(session_id = %auth.session_id, reason = reason.as_str(), "session failed");
            // The person came back from DigiLocker, though without consent to fetch with.
            state.metrics().stage(crate::metrics::Stage::Returned);
            state.transition_committed(SessionStatus::Failed, Some(reason));
            failed_now(&state, &auth.session_id).await?
        }
    };
    let expire = format!(
        "{}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax",
        binding_cookie_name(state_token),
        state.inner.config.callback_path()
    );
    res.headers_mut()
        .append(header::SET_COOKIE, expire.parse().expect("ascii cookie"));
    Ok(res)
}

/// The page sending the person of a session that just failed back to the business.
async fn failed_now(state: &AppState, session_id: &str) -> Result<Response, PageError> {
    let journey_failed =
        |cause: Box<dyn std::error::Error + Send + Sync>| PageError::JourneyFailed {
            session_id: session_id.to_owned(),
            cause,
        };
    let session = state
        .inner
        .store
        .session(session_id)
        .await
        .map_err(|e| journey_failed(Box::new(e)))?
        .ok_or_else(|| journey_failed("the session of the callback is missing".into()))?;
    crate::audit::record(
        state,
        None,
        session_id,
        crate::audit::Action::CallbackCompleted,
        Some(SessionStatus::Failed.as_str()),
    )
    .await
    .map_err(|e| journey_failed(Box::new(e)))?;
    let location = return_address::for_session(state, &session, session.status)
        .await
        .map_err(|e| PageError::internal("could not open the key's redirect secret", e))?
        .ok_or(PageError::InvalidReturnAddress)?;
    Ok(navigation::forward(&location))
}
