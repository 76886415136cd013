//! `/webhooks/endpoints…`: the caller's webhook endpoints (add, list, remove, rotate the
//! secret), their delivery log and redelivery. Another key's endpoint is a 404, as an unknown
//! one is.

use super::extract::JsonBody;
use crate::auth::Caller;
use crate::envelope::{now_ms, Data};
use crate::error::ApiError;
use crate::webhooks::endpoints::{self, EndpointError};
use crate::webhooks::TargetPolicy;
use crate::AppState;
use axum::extract::{Path, State};
use digigate_core::api::{
    EndpointAdded, EndpointList, EndpointRemoved, Redelivery, SecretRotated, WebhookDeliveries,
    WebhookDeliveryAttempt, WebhookEndpoint,
};
use serde_json::Value;

/// How many delivery log lines one request answers.
const LOG_LINES: i64 = 100;

impl From<EndpointError> for ApiError {
    fn from(e: EndpointError) -> Self {
        match e {
            EndpointError::Target(_) | EndpointError::TooMany => {
                ApiError::BadRequest(format!("Invalid request body: {e}"))
            }
            EndpointError::NotFound => ApiError::NotFound,
            EndpointError::Store(s) => s.into(),
        }
    }
}

fn policy(state: &AppState) -> TargetPolicy {
    TargetPolicy {
        development: state.inner.config.development,
        allow_private: state.inner.config.webhooks.allow_private_targets,
    }
}

/// The string field `name` of a JSON object body.
fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadRequest(format!("Invalid request body: {name} is required")))
}

/// `POST /webhooks/endpoints` `{"url": …}`: answers the endpoint id and its secret, once.
#[utoipa::path(
    post,
    path = "/webhooks/endpoints",
    operation_id = "addWebhookEndpoint",
    tag = "webhooks",
    summary = "Add a webhook endpoint for the caller's key; answers its signing secret, once",
    request_body = digigate_core::api::AddEndpointBody,
    params(crate::openapi::ApiHeaders),
    responses((status = 200, description = "The endpoint and its secret.", body = digigate_core::api::Envelope<digigate_core::api::EndpointAdded>), crate::openapi::BodyErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn add_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Data<EndpointAdded>, ApiError> {
    let url = field(&body, "url")?;
    let added = endpoints::add(
        state.inner.store.as_ref(),
        &state.inner.vault,
        policy(&state),
        &caller.key.id,
        url,
        now_ms(),
    )
    .await?;
    Ok(Data(EndpointAdded {
        endpoint_id: added.endpoint_id,
        secret: added.secret,
    }))
}

/// `GET /webhooks/endpoints`: the caller's endpoints (never their secrets).
#[utoipa::path(
    get,
    path = "/webhooks/endpoints",
    operation_id = "listWebhookEndpoints",
    tag = "webhooks",
    summary = "The caller's webhook endpoints (never their secrets)",
    params(crate::openapi::ApiHeaders),
    responses((status = 200, description = "The endpoints.", body = digigate_core::api::Envelope<digigate_core::api::EndpointList>), crate::openapi::ListErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Data<EndpointList>, ApiError> {
    let now = now_ms();
    let endpoints: Vec<WebhookEndpoint> = state
        .inner
        .store
        .webhook_endpoints(&caller.key.id)
        .await?
        .iter()
        .map(|e| endpoints::describe(e, now))
        .collect();
    Ok(Data(EndpointList { endpoints }))
}

/// `DELETE /webhooks/endpoints/{endpoint_id}`: no further deliveries go to it.
#[utoipa::path(
    delete,
    path = "/webhooks/endpoints/{endpoint_id}",
    operation_id = "removeWebhookEndpoint",
    tag = "webhooks",
    summary = "Remove an endpoint; what was still to be sent to it is given up",
    params(crate::openapi::EndpointPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "Removed.", body = digigate_core::api::Envelope<digigate_core::api::EndpointRemoved>), crate::openapi::CallerErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn remove_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Data<EndpointRemoved>, ApiError> {
    if !state
        .inner
        .store
        .remove_webhook_endpoint(&id, &caller.key.id, now_ms())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    Ok(Data(EndpointRemoved {
        endpoint_id: id,
        removed: true,
    }))
}

/// `POST /webhooks/endpoints/{endpoint_id}/rotate-secret`: a new secret, once; the previous
/// one signs too until `previous_secret_valid_until`.
#[utoipa::path(
    post,
    path = "/webhooks/endpoints/{endpoint_id}/rotate-secret",
    operation_id = "rotateWebhookSecret",
    tag = "webhooks",
    summary = "A new signing secret, once; the previous one keeps signing beside it for a while",
    params(crate::openapi::EndpointPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The new secret.", body = digigate_core::api::Envelope<digigate_core::api::SecretRotated>), crate::openapi::CallerErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Data<SecretRotated>, ApiError> {
    let (secret, until) = endpoints::rotate_secret(
        state.inner.store.as_ref(),
        &state.inner.vault,
        &caller.key.id,
        &id,
        state.inner.config.webhooks.rotation_overlap,
        now_ms(),
    )
    .await?;
    Ok(Data(SecretRotated {
        endpoint_id: id,
        previous_secret_valid_until: until,
        secret,
    }))
}

/// `GET /webhooks/endpoints/{endpoint_id}/deliveries`: the delivery log, newest first.
#[utoipa::path(
    get,
    path = "/webhooks/endpoints/{endpoint_id}/deliveries",
    operation_id = "webhookDeliveries",
    tag = "webhooks",
    summary = "The endpoint's delivery log, newest attempt first (never response bodies)",
    params(crate::openapi::EndpointPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The delivery log.", body = digigate_core::api::Envelope<digigate_core::api::WebhookDeliveries>), crate::openapi::CallerErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Data<WebhookDeliveries>, ApiError> {
    let endpoint = endpoints::owned(state.inner.store.as_ref(), &caller.key.id, &id).await?;
    let attempts: Vec<WebhookDeliveryAttempt> = state
        .inner
        .store
        .webhook_attempts(&endpoint.id, LOG_LINES)
        .await?
        .iter()
        .map(endpoints::describe_attempt)
        .collect();
    Ok(Data(WebhookDeliveries {
        attempts,
        endpoint_id: id,
    }))
}

/// `POST /webhooks/endpoints/{endpoint_id}/redeliver` `{"id": event or delivery id}`: sends
/// it again (due now, with a fresh schedule), whatever became of it before.
#[utoipa::path(
    post,
    path = "/webhooks/endpoints/{endpoint_id}/redeliver",
    operation_id = "redeliverWebhook",
    tag = "webhooks",
    summary = "Send an event (or a delivery) to the endpoint again, now, on a fresh schedule",
    request_body = digigate_core::api::RedeliverBody,
    params(crate::openapi::EndpointPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "Redelivery scheduled.", body = digigate_core::api::Envelope<digigate_core::api::Redelivery>), crate::openapi::RedeliverErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Data<Redelivery>, ApiError> {
    let which = field(&body, "id")?;
    if !state
        .inner
        .store
        .redeliver_webhook(&id, &caller.key.id, which, now_ms())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    Ok(Data(Redelivery {
        endpoint_id: id,
        redelivering: which.to_owned(),
    }))
}
