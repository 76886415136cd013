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
mod openapi_json;
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
use axum::{middleware, Router};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// The route table: it takes only handlers with their `#[utoipa::path]` operation (through
/// `routes!`), and gives both the router and the operations from them, so no route is served
/// undocumented and no documented operation is missing from the router.
pub(crate) struct Table(OpenApiRouter<AppState>);

impl Table {
    fn with(self, routes: UtoipaMethodRouter<AppState>) -> Self {
        Table(self.0.routes(routes))
    }

    /// The operations (the paths of `/openapi.json`, with the schemas they name).
    pub(crate) fn into_openapi(self) -> utoipa::openapi::OpenApi {
        self.0.into_openapi()
    }
}

/// Every route of the gateway, in the order a session meets them; the one route table.
pub(crate) fn table() -> Table {
    Table(OpenApiRouter::new())
        .with(routes!(authenticate::authenticate))
        .with(routes!(verify::verify_user))
        .with(routes!(init::init_session))
        .with(routes!(delete::delete_session))
        .with(routes!(status::session_status))
        .with(routes!(profile::user_profile))
        .with(routes!(checks::session_checks))
        .with(routes!(documents::fetch_document))
        .with(routes!(webhooks::add_endpoint, webhooks::list_endpoints))
        .with(routes!(webhooks::remove_endpoint))
        .with(routes!(webhooks::rotate_secret))
        .with(routes!(webhooks::deliveries))
        .with(routes!(webhooks::redeliver))
        .with(routes!(sdk::create_session))
        .with(routes!(sdk::session_status))
        .with(routes!(sdk::user_profile))
        .with(routes!(sdk::fetch_document))
        .with(routes!(crate::sdk::script::serve))
        .with(routes!(crate::sdk::pages::start))
        .with(routes!(crate::sdk::pages::complete))
        .with(routes!(crate::sdk::demo::demo))
        .with(routes!(connect::open_link))
        .with(routes!(callback::digilocker_callback))
        .with(routes!(wait::wait_for_outcome))
        .with(routes!(download::download))
        .with(routes!(health::alive))
        .with(routes!(health::healthz))
        .with(routes!(health::ready))
        .with(routes!(health::readyz))
        .with(routes!(openapi_json::serve))
}

/// All routes of the gateway (`table`), with the fallbacks, the body limit and the
/// transaction id around them.
pub fn router(state: AppState) -> Router {
    let (router, _) = table().0.split_for_parts();
    router
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.inner.config.max_body_bytes))
        .layer(middleware::from_fn(with_transaction_id))
        .with_state(state)
}
