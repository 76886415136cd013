//! The gateway's routes, in the order a session meets them.

mod authenticate;
mod callback;
mod checks;
mod connect;
mod delete;
mod documents;
mod download;
mod extract;
mod health;
mod init;
mod profile;
mod sdk;
mod status;
mod verify;
pub(crate) mod wait;
mod webhooks;

use crate::envelope::with_transaction_id;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};
use axum::{middleware, Router};

/// One route of the gateway: what the router serves, and what `/openapi.json` must document
/// (`openapi`'s tests compare the two lists, so neither can gain a route the other lacks).
pub(crate) struct Route {
    /// The method, from which the handler's method filter is made too.
    #[cfg_attr(not(test), allow(dead_code))] // read by `openapi`'s tests
    pub method: Method,
    /// The path template as axum writes it (`/files/{document_id}`), also OpenAPI's form.
    pub path: String,
    handler: MethodRouter<AppState>,
}

/// A route answering `method` on `path` with `handler`.
fn route<H, T>(method: Method, path: impl Into<String>, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a method axum can route");
    Route {
        method,
        path: path.into(),
        handler: axum::routing::on(filter, handler),
    }
}

/// Every route of the gateway, in the order a session meets them; the one route table.
pub(crate) fn table() -> Vec<Route> {
    let sessions = "/kyc/digilocker/sessions";
    let sdk_sessions = "/kyc/digilocker-sdk/sessions";
    let endpoint = "/webhooks/endpoints/{endpoint_id}";
    let (get, post, delete) = (Method::GET, Method::POST, Method::DELETE);
    vec![
        route(post.clone(), "/authenticate", authenticate::authenticate),
        route(
            post.clone(),
            "/kyc/digilocker/user/verify",
            verify::verify_user,
        ),
        route(post.clone(), format!("{sessions}/init"), init::init_session),
        route(
            delete.clone(),
            format!("{sessions}/{{session_id}}"),
            delete::delete_session,
        ),
        route(
            get.clone(),
            format!("{sessions}/{{session_id}}/status"),
            status::session_status,
        ),
        route(
            get.clone(),
            format!("{sessions}/{{session_id}}/user/profile"),
            profile::user_profile,
        ),
        route(
            get.clone(),
            format!("{sessions}/{{session_id}}/checks"),
            checks::session_checks,
        ),
        route(
            get.clone(),
            format!("{sessions}/{{session_id}}/documents/{{doc_type}}"),
            documents::fetch_document,
        ),
        route(post.clone(), "/webhooks/endpoints", webhooks::add_endpoint),
        route(get.clone(), "/webhooks/endpoints", webhooks::list_endpoints),
        route(delete, endpoint, webhooks::remove_endpoint),
        route(
            post.clone(),
            format!("{endpoint}/rotate-secret"),
            webhooks::rotate_secret,
        ),
        route(
            get.clone(),
            format!("{endpoint}/deliveries"),
            webhooks::deliveries,
        ),
        route(
            post.clone(),
            format!("{endpoint}/redeliver"),
            webhooks::redeliver,
        ),
        route(post, format!("{sdk_sessions}/create"), sdk::create_session),
        route(
            get.clone(),
            format!("{sdk_sessions}/{{session_id}}/status"),
            sdk::session_status,
        ),
        route(
            get.clone(),
            format!("{sdk_sessions}/{{session_id}}/user/profile"),
            profile::user_profile,
        ),
        route(
            get.clone(),
            format!("{sdk_sessions}/{{session_id}}/documents/{{doc_type}}"),
            documents::fetch_document,
        ),
        route(get.clone(), "/sdk/{script}", crate::sdk::script::serve),
        route(
            get.clone(),
            "/sdk/start/{session_id}",
            crate::sdk::pages::start,
        ),
        route(get.clone(), "/sdk/complete", crate::sdk::pages::complete),
        route(get.clone(), "/sdk/demo", crate::sdk::demo::demo),
        route(get.clone(), "/connect/{link_id}", connect::open_link),
        route(
            get.clone(),
            "/callbacks/digilocker",
            callback::digilocker_callback,
        ),
        route(
            get.clone(),
            "/callbacks/digilocker/wait",
            wait::wait_for_outcome,
        ),
        route(get.clone(), "/files/{document_id}", download::download),
        route(get.clone(), "/health", health::alive),
        route(get.clone(), "/healthz", health::alive),
        route(get.clone(), "/ready", health::ready),
        route(get.clone(), "/readyz", health::readyz),
        route(get, "/openapi.json", crate::openapi::serve),
    ]
}

/// All routes of the gateway (`table`), with the fallbacks, the body limit and the
/// transaction id around them.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for r in table() {
        // Two methods on one path (`/webhooks/endpoints`) merge into one method router.
        router = router.route(&r.path, r.handler);
    }
    router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.inner.config.max_body_bytes))
        .layer(middleware::from_fn(with_transaction_id))
        .with_state(state)
}
