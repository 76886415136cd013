//! The page the person waits on while the fetch job exchanges the code and fetches the
//! documents (`GET /callbacks/digilocker/wait`), so no request is held open for the fetch.
//!
//! It reloads itself every [`REFRESH_SECS`] (a `Refresh` header and a `<meta http-equiv>`,
//! no JavaScript) and, once the session has ended, forwards the person to the business with
//! [`navigation::forward`]. After [`WAIT_BOUND`] it forwards with the status the session has
//! then (`authorized`): the business learns the outcome from the status or its webhook, and
//! the person is not left on a page they cannot leave.
//!
//! Its address cannot be guessed and carries no `code` or `state`: it names the session, a
//! deadline and an HMAC over both and the hash of a random cookie set with the page (path
//! `/callbacks/digilocker/wait`, HttpOnly), keyed by a key derived from the KEK. Another
//! browser, without that cookie, gets the callback's refusal page.

use crate::browser_input::{cookie, parse_query};
use crate::envelope::now_ms;
use crate::expiry;
use crate::journey::{random_token, return_address};
use crate::navigation;
use crate::page_error::PageError;
use crate::vault::sha256_hex;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use maud::html;
use std::time::Duration;

/// How often the waiting page reloads itself.
pub const REFRESH_SECS: u64 = 1;
/// How long the callback waits for the fetch before answering the waiting page: most fetches
/// end well within it, and the person then goes straight on to the business.
pub const CALLBACK_HOLD: Duration = Duration::from_secs(2);
/// How long a reload of the waiting page waits for the fetch before answering it again: the
/// end of a fetch is then seen at once unless it falls in the second between two reloads.
const RELOAD_HOLD: Duration = Duration::from_secs(2);
/// How long the person waits at most before being sent on with the status as it is. A fetch
/// takes a few seconds; one that runs longer is retrying a failing DigiLocker, and a person
/// kept on a spinner for more than a minute gives up anyway.
pub const WAIT_BOUND: Duration = Duration::from_secs(60);

/// The route's path under the public URL (as `routes/mod.rs` registers it).
pub const WAIT_PATH: &str = "/callbacks/digilocker/wait";

fn wait_cookie_name(session_id: &str) -> String {
    format!("dgw_{}", &sha256_hex(session_id.as_bytes())[..16])
}

fn mac(state: &AppState, session_id: &str, until_ms: i64, binding: &str) -> Hmac<sha2::Sha256> {
    let key = state.inner.vault.derive("journey-wait/v1");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(
        format!(
            "wait:{session_id}:{until_ms}:{}",
            sha256_hex(binding.as_bytes())
        )
        .as_bytes(),
    );
    mac
}

/// The first waiting page, answered by the callback once the fetch is enqueued: it binds the
/// browser to the waiting page with a fresh cookie and starts the reloads.
pub fn first_page(state: &AppState, session_id: &str) -> Response {
    let cfg = &state.inner.config;
    let binding = random_token();
    let until_ms = now_ms() + WAIT_BOUND.as_millis() as i64;
    let sig = B64.encode(
        mac(state, session_id, until_ms, &binding)
            .finalize()
            .into_bytes(),
    );
    let address = cfg.public_link(&format!(
        "{WAIT_PATH}?session={session_id}&until={until_ms}&sig={sig}"
    ));
    let secure = if cfg.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let path = format!("{}{WAIT_PATH}", cfg.public_url.path().trim_end_matches('/'));
    let cookie = format!(
        "{}={binding}; Path={path}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        wait_cookie_name(session_id),
        WAIT_BOUND.as_secs() + 60,
    );
    let mut res = waiting_page(&address);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    res
}

/// The page that says the documents are being fetched and reloads `address`.
fn waiting_page(address: &str) -> Response {
    let body = html! {
        p {
            "DigiLocker confirmed your consent. Your documents are being fetched; this page \
             moves on by itself in a few seconds."
        }
        p { a.continue href=(address) { "Check again" } }
    };
    navigation::refreshing_page(REFRESH_SECS, address, "Fetching your documents", body)
}

/// `GET /callbacks/digilocker/wait`: the waiting page again, or the page forwarding to the
/// business once the session has ended or the wait is over.
#[utoipa::path(
    get,
    path = "/callbacks/digilocker/wait",
    operation_id = "waitForOutcome",
    tag = "journey",
    summary = "The page the person waits on while documents are fetched; forwards to the business once the session has ended (at most a minute)",
    params(
        ("session" = String, Query, min_length = 1, max_length = 256),
        ("until" = String, Query, min_length = 1, max_length = 256),
        ("sig" = String, Query, min_length = 1, max_length = 256)
    ),
    responses(
        (status = 200, description = "Still waiting (`Refresh: 1;url=…`), or the page forwarding to the business's `redirect_url` with `session_id` and `status`.", content_type = "text/html", body = String),
        (status = 400, description = "A changed address, or another browser (no waiting cookie).", content_type = "text/html", body = String),
        (status = 500, description = "An internal failure.", content_type = "text/html", body = String)
    )
)]
pub async fn wait_for_outcome(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = parse_query(raw.as_deref()).ok_or(PageError::CallbackRejected)?;
    let (Some(session_id), Some(until), Some(sig)) = (
        params.get("session").filter(|s| s.len() <= 64),
        params.get("until").and_then(|u| u.parse::<i64>().ok()),
        params.get("sig").and_then(|s| B64.decode(s).ok()),
    ) else {
        return Err(PageError::CallbackRejected);
    };
    let binding =
        cookie(&headers, &wait_cookie_name(session_id)).ok_or(PageError::CallbackRejected)?;
    mac(&state, session_id, until, binding)
        .verify_slice(&sig)
        .map_err(|_| PageError::CallbackRejected)?;
    let session = state
        .inner
        .store
        .session(session_id)
        .await
        .map_err(|e| PageError::internal("could not read the session being fetched", e))?
        .ok_or(PageError::CallbackRejected)?;
    let session = expiry::expire_if_due(&state, session)
        .await
        .map_err(|e| PageError::internal("could not expire a lapsed session", e))?;
    let left = Duration::from_millis(u64::try_from(until - now_ms()).unwrap_or(0));
    let session = if session.status.is_terminal() || left.is_zero() {
        session
    } else {
        crate::journey::ended_within(&state, session_id, left.min(RELOAD_HOLD))
            .await
            .map_err(|e| PageError::internal("could not read the session being fetched", e))?
            .unwrap_or(session)
    };
    if !session.status.is_terminal() && now_ms() < until {
        // The same address, rebuilt from the checked values rather than echoed.
        let address = state.inner.config.public_link(&format!(
            "{WAIT_PATH}?session={session_id}&until={until}&sig={}",
            B64.encode(&sig)
        ));
        return Ok(waiting_page(&address));
    }
    let mut res = forward_to_business(&state, &session).await?;
    let expire = format!(
        "{}=; Path={}{WAIT_PATH}; Max-Age=0; HttpOnly; SameSite=Lax",
        wait_cookie_name(session_id),
        state.inner.config.public_url.path().trim_end_matches('/')
    );
    if let Ok(value) = HeaderValue::from_str(&expire) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(res)
}

/// The page sending the person of an ended (or no longer awaited) session on to the business,
/// by its signed return address.
pub async fn forward_to_business(
    state: &AppState,
    session: &digigate_store::SessionRecord,
) -> Result<Response, PageError> {
    let location = return_address::for_session(state, session, session.status)
        .await
        .map_err(|e| PageError::internal("could not open the key's redirect secret", e))?
        .ok_or(PageError::InvalidReturnAddress)?;
    Ok(navigation::forward(&location))
}
