//! The pages of the SDK's popup. `GET /sdk/start/{session_id}?origin=…` is where the script
//! opens the popup: it checks that the embedding page's origin is allowed for the session's key,
//! remembers it in a cookie for the completion page and sends the browser into the ordinary
//! journey (`/connect/{link_id}`). `GET /sdk/complete` is the session's return address: it posts
//! the outcome to that origin alone and closes the popup.

use super::{allowed_origins, is_sdk_session, COMPLETE_PATH};
use crate::browser_input::{cookie, parse_query};
use crate::expiry;
use crate::html::{csp_hash, inline_script, page, scripted_document};
use crate::navigation;
use crate::page_error::PageError;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use digigate_core::SessionStatus;
use digigate_store::SessionRecord;
use maud::html;
use std::sync::LazyLock;

/// The completion page's one script: posts the outcome written into `#outcome` to the opener,
/// with the embedding page's origin as the target (the browser delivers it to no other), and
/// closes the popup.
const COMPLETE_SCRIPT: &str = "(function(){var o=document.getElementById('outcome');\
var t=window.opener;if(!o||!t||t.closed)return;var d=o.dataset;\
var m={type:d.event,session_id:d.session,status:d.status};if(d.reason)m.reason=d.reason;\
t.postMessage(m,d.origin);setTimeout(function(){window.close();},150);})();";

static COMPLETE_SCRIPT_SRC: LazyLock<String> = LazyLock::new(|| csp_hash(COMPLETE_SCRIPT));

const STYLE: &str = ".outcome{font-weight:600}";

/// The cookie that carries the embedding page's origin from the start page to the completion
/// page (one per session, so two journeys in one browser keep theirs).
fn origin_cookie_name(session_id: &str) -> String {
    format!("dgsdk_{session_id}")
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> PageError {
    PageError::internal("could not serve an SDK page", e)
}

/// The SDK session `id` and the origins allowed to embed it, or "link not found".
async fn sdk_session(
    state: &AppState,
    id: &str,
) -> Result<(SessionRecord, Vec<String>), PageError> {
    if id.is_empty() || id.len() > 64 {
        return Err(PageError::LinkNotFound);
    }
    let store = &state.inner.store;
    let session = store
        .session(id)
        .await
        .map_err(internal)?
        .filter(|s| is_sdk_session(&state.inner.config, s))
        .ok_or(PageError::LinkNotFound)?;
    let key = store
        .api_key(&session.api_key_id)
        .await
        .map_err(internal)?
        .ok_or(PageError::LinkNotFound)?;
    let session = expiry::expire_if_due(state, session)
        .await
        .map_err(internal)?;
    Ok((session, allowed_origins(&state.inner.config, &key)))
}

/// `GET /sdk/start/{session_id}?origin=…`: where the web SDK's popup starts.
#[utoipa::path(
    get,
    path = "/sdk/start/{session_id}",
    operation_id = "sdkStart",
    tag = "digilocker-sdk",
    summary = "Where the SDK's popup starts: checks the embedding origin and redirects into the journey",
    params(crate::openapi::SessionPath, ("origin" = String, Query, description = "The embedding page's origin; must be allowed for the session's API key.")),
    responses(
        (status = 303, description = "To `/connect/{link_id}`, or to the completion page for an ended session, with the origin cookie.", headers(("location" = String, description = "Where the browser goes next."))),
        (status = 403, description = "The origin is not allowed for the session's key.", content_type = "text/html", body = String),
        (status = 404, description = "No SDK session with this id.", content_type = "text/html", body = String),
        (status = 409, description = "The journey is being completed in another window.", content_type = "text/html", body = String),
        (status = 500, description = "An internal failure.", content_type = "text/html", body = String)
    )
)]
pub async fn start(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = path.map(|Path(id)| id).unwrap_or_default();
    let (session, origins) = sdk_session(&state, &id).await?;
    let origin = parse_query(raw.as_deref())
        .and_then(|q| q.get("origin").cloned())
        .unwrap_or_default();
    if !origins.contains(&origin) {
        tracing::info!(session_id = %session.id, "SDK opened from an origin not allowed for its key");
        return Ok(page(
            StatusCode::FORBIDDEN,
            "This site cannot start the verification",
            "The page that opened this window is not registered with the verification service. \
             Close this window and contact the business.",
        ));
    }
    let cfg = &state.inner.config;
    let next = match session.status {
        SessionStatus::Created | SessionStatus::Initialized => {
            cfg.public_link(&format!("/connect/{}", session.link_id))
        }
        SessionStatus::Authorized => {
            return Ok(page(
                StatusCode::CONFLICT,
                "Verification in progress",
                "This verification is being completed in another window.",
            ))
        }
        // An ended session's outcome is reported again by the completion page.
        _ => cfg.public_link(&format!("{COMPLETE_PATH}?session_id={}", session.id)),
    };
    let secure = if cfg.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let lifetime = cfg.link_ttl + cfg.authorization_ttl;
    let cookie = format!(
        "{}={origin}; Path={}{COMPLETE_PATH}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        origin_cookie_name(&session.id),
        cfg.public_url.path().trim_end_matches('/'),
        lifetime.as_secs()
    );
    let mut res = navigation::redirect(&next);
    let cookie = HeaderValue::from_str(&cookie).map_err(internal)?;
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

/// What the completion page says and posts for a session's status: (event, title, message).
fn outcome(status: SessionStatus) -> Option<(&'static str, &'static str, &'static str)> {
    match status {
        SessionStatus::Succeeded => Some((
            "in.co.sandbox.kyc.digilocker_sdk.session.completed",
            "Verification complete",
            "Your documents were shared. You can close this window.",
        )),
        SessionStatus::Failed | SessionStatus::Expired => Some((
            "in.co.sandbox.kyc.digilocker_sdk.session.failed",
            "Verification not completed",
            "Your documents were not shared. You can close this window.",
        )),
        _ => None,
    }
}

/// `GET /sdk/complete?session_id=…`: the return address of every SDK session.
#[utoipa::path(
    get,
    path = "/sdk/complete",
    operation_id = "sdkComplete",
    tag = "digilocker-sdk",
    summary = "The return address of SDK sessions: posts the outcome to the embedding page and closes the popup",
    params(("session_id" = Option<String>, Query), ("status" = Option<String>, Query)),
    responses(
        (status = 200, description = "The outcome, posted to the embedding page's origin.", content_type = "text/html", body = String),
        (status = 404, description = "No SDK session with this id.", content_type = "text/html", body = String),
        (status = 409, description = "The session has not ended yet.", content_type = "text/html", body = String),
        (status = 500, description = "An internal failure.", content_type = "text/html", body = String)
    )
)]
pub async fn complete(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_query(raw.as_deref())
        .and_then(|q| q.get("session_id").cloned())
        .unwrap_or_default();
    let (session, origins) = sdk_session(&state, &id).await?;
    let Some((event, title, message)) = outcome(session.status) else {
        return Ok(page(
            StatusCode::CONFLICT,
            "Verification in progress",
            "This verification has not finished yet.",
        ));
    };
    // Only the origin the start page checked, and only while the key still allows it.
    let origin = cookie(&headers, &origin_cookie_name(&session.id))
        .filter(|o| origins.iter().any(|a| a == o));
    let reason = session.failure_reason.map_or("", |r| r.as_str());
    let body = html! {
        p.outcome { (message) }
        @if let Some(origin) = origin {
            div id="outcome" hidden data-event=(event) data-session=(session.id)
                data-status=(session.status.as_str()) data-reason=(reason) data-origin=(origin) {}
        }
        (inline_script(COMPLETE_SCRIPT))
    };
    Ok(scripted_document(
        StatusCode::OK,
        title,
        STYLE,
        body,
        &COMPLETE_SCRIPT_SRC,
    ))
}
