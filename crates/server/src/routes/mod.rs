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

pub(crate) use sdk::create as sdk_create;

use crate::envelope::with_transaction_id;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::{middleware, Router};

/// All routes of the gateway.
pub fn router(state: AppState) -> Router {
    let sessions = "/kyc/digilocker/sessions";
    let sdk_sessions = "/kyc/digilocker-sdk/sessions";
    Router::new()
        .route("/authenticate", post(authenticate::authenticate))
        .route("/kyc/digilocker/user/verify", post(verify::verify_user))
        .route(&format!("{sessions}/init"), post(init::init_session))
        .route(
            &format!("{sessions}/{{session_id}}"),
            delete(delete::delete_session),
        )
        .route(
            &format!("{sessions}/{{session_id}}/status"),
            get(status::session_status),
        )
        .route(
            &format!("{sessions}/{{session_id}}/user/profile"),
            get(profile::user_profile),
        )
        .route(
            &format!("{sessions}/{{session_id}}/checks"),
            get(checks::session_checks),
        )
        .route(
            &format!("{sessions}/{{session_id}}/documents/{{doc_type}}"),
            get(documents::fetch_document),
        )
        .route(
            "/webhooks/endpoints",
            post(webhooks::add_endpoint).get(webhooks::list_endpoints),
        )
        .route(
            "/webhooks/endpoints/{endpoint_id}",
            delete(webhooks::remove_endpoint),
        )
        .route(
            "/webhooks/endpoints/{endpoint_id}/rotate-secret",
            post(webhooks::rotate_secret),
        )
        .route(
            "/webhooks/endpoints/{endpoint_id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/webhooks/endpoints/{endpoint_id}/redeliver",
            post(webhooks::redeliver),
        )
        .route(&format!("{sdk_sessions}/create"), post(sdk::create_session))
        .route(
            &format!("{sdk_sessions}/{{session_id}}/status"),
            get(sdk::session_status),
        )
        .route(
            &format!("{sdk_sessions}/{{session_id}}/user/profile"),
            get(profile::user_profile),
        )
        .route(
            &format!("{sdk_sessions}/{{session_id}}/documents/{{doc_type}}"),
            get(documents::fetch_document),
        )
        .route("/sdk/{script}", get(crate::sdk::script::serve))
        .route("/sdk/start/{session_id}", get(crate::sdk::pages::start))
        .route("/sdk/complete", get(crate::sdk::pages::complete))
        .route("/sdk/demo", get(crate::sdk::demo::demo))
        .route("/connect/{link_id}", get(connect::open_link))
        .route("/callbacks/digilocker", get(callback::digilocker_callback))
        .route("/callbacks/digilocker/wait", get(wait::wait_for_outcome))
        .route("/files/{document_id}", get(download::download))
        .route("/health", get(health::alive))
        .route("/healthz", get(health::alive))
        .route("/ready", get(health::ready))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(crate::openapi::serve))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.inner.config.max_body_bytes))
        .layer(middleware::from_fn(with_transaction_id))
        .with_state(state)
}
