//! The operator page (`/operator`): the consent funnel per API key for the last hour, day or
//! week, the recent failures by reason and DigiLocker's health, for the people who run the
//! gateway. Off unless an operator token is configured (`--operator-token-file`); then every
//! page but the sign-in form needs the cookie signing in with the token sets (`access.rs`).
//! `docs/operator.md` says what each number means.

mod access;
mod page;
mod report;
mod token;
mod upstream;

pub use token::{OperatorToken, OperatorTokenError, MIN_TOKEN_CHARS};

use crate::envelope::now_ms;
use crate::vault::Vault;
use crate::{limits, AppState};
pub(crate) use access::OperatorAccess;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use report::{Report, Window};
use std::net::SocketAddr;
use url::Url;

/// The largest sign-in form accepted: a token is a line, not a file.
const MAX_FORM_BYTES: usize = 4096;

/// The operator access of a gateway configured with `token` at `public_url`, `None` without a
/// token.
pub(crate) fn access_for(
    token: Option<OperatorToken>,
    public_url: &Url,
    vault: &Vault,
) -> Option<OperatorAccess> {
    Some(OperatorAccess::new(
        token?,
        vault.derive("operator-sign-in/v1"),
        base_path(public_url),
        public_url.scheme() == "https",
    ))
}

/// The operator pages' path as the browser sees it: under the public URL's path.
fn base_path(public_url: &Url) -> String {
    format!("{}/operator", public_url.path().trim_end_matches('/'))
}

/// The operator routes; none at all when no token is configured, so `/operator` is the
/// gateway's plain 404 and nothing says that an operator page could exist.
pub(crate) fn router(state: AppState) -> Router {
    if state.inner.operator.is_none() {
        return Router::new();
    }
    Router::new()
        .route("/operator", get(show_report))
        .route("/operator/sign-in", post(sign_in).get(to_report))
        .route("/operator/sign-out", post(sign_out))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        // Its log lines (a sign-in, a refusal) carry a transaction id like the API's.
        .layer(axum::middleware::from_fn(
            crate::envelope::with_transaction_id,
        ))
        .with_state(state)
}

/// The access of a gateway whose operator routes exist (they are mounted only with one).
fn access(state: &AppState) -> &OperatorAccess {
    state
        .inner
        .operator
        .as_ref()
        .expect("operator routes are mounted only with operator access")
}

/// `GET /operator[?window=hour|day|week]`: the report, or the sign-in form (401).
async fn show_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let base = base_path(&state.inner.config.public_url);
    if !access(&state).signed_in(&headers, now_ms()) {
        return page::sign_in(StatusCode::UNAUTHORIZED, &base, None);
    }
    let asked = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "window")
            .map(|(_, v)| v.into_owned())
    });
    let Some(window) = Window::parse(asked.as_deref()) else {
        return page::problem(
            StatusCode::BAD_REQUEST,
            &base,
            "Unknown window",
            "The window must be hour, day or week.",
        );
    };
    match Report::gather(&state, window).await {
        Ok(report) => page::report(&base, &report),
        Err(e) => {
            tracing::error!(error = %e, "the operator report could not be read");
            page::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                &base,
                "Storage unavailable",
                "The report could not be read from the database. Try again in a moment.",
            )
        }
    }
}

/// What the sign-in form sends.
#[derive(serde::Deserialize)]
struct SignIn {
    token: String,
}

/// `POST /operator/sign-in`: a right token sets the cookie and goes to the report (303); a
/// wrong one shows the form again (401). Attempts are limited per client address.
async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignIn>, FormRejection>,
) -> Response {
    let base = base_path(&state.inner.config.public_url);
    let access = access(&state);
    let address = limits::client_address(peer.ip(), &headers, &state.inner.config.trusted_proxies);
    if let Err(wait) = access.attempt(limits::address_bucket(address)) {
        tracing::warn!("operator sign-in refused: too many attempts");
        let mut res = page::sign_in(
            StatusCode::TOO_MANY_REQUESTS,
            &base,
            Some("Too many sign-in attempts. Wait a minute, then try again."),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
        return res;
    }
    let Ok(Form(form)) = form else {
        return page::sign_in(
            StatusCode::BAD_REQUEST,
            &base,
            Some("The sign-in form could not be read. Enter the token and try again."),
        );
    };
    if !access.token_matches(&form.token) {
        tracing::warn!("operator sign-in refused: wrong token");
        return page::sign_in(
            StatusCode::UNAUTHORIZED,
            &base,
            Some("That is not the operator token."),
        );
    }
    tracing::info!("operator signed in");
    redirect_to(&base, access.sign_in_cookie(now_ms()))
}

/// `GET /operator/sign-in` (the address bar after a refused attempt, reloaded or bookmarked):
/// 303 to the report, which shows the form to whoever is not signed in.
async fn to_report(State(state): State<AppState>) -> Response {
    let base = base_path(&state.inner.config.public_url);
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&base) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    crate::html::secure(res)
}

/// `POST /operator/sign-out`: removes the cookie and goes back to the sign-in form.
async fn sign_out(State(state): State<AppState>) -> Response {
    let base = base_path(&state.inner.config.public_url);
    redirect_to(&base, access(&state).sign_out_cookie())
}

/// A 303 to the report that sets `cookie`.
fn redirect_to(base: &str, cookie: HeaderValue) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie)]).into_response();
    match HeaderValue::from_str(base) {
        Ok(location) => {
            res.headers_mut().insert(header::LOCATION, location);
        }
        Err(_) => *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
    }
    crate::html::secure(res)
}
