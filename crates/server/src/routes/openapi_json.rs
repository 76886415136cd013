//! `GET /openapi.json`: the description of this gateway, from the route table's operations.

use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::Value;

/// `GET /openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    summary = "This description",
    responses((status = 200, description = "OpenAPI 3.1.", body = Object))
)]
pub async fn serve(State(state): State<AppState>) -> Json<Value> {
    Json(crate::openapi_document(&state.inner.config))
}
