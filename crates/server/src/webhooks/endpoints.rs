//! The operations on an API key's webhook endpoints, shared by the API (`routes/webhooks.rs`)
//! and the `digigate webhooks` command, so both check targets and seal secrets the same way.

use super::{SigningSecret, TargetError, TargetPolicy};
use crate::vault::Vault;
use digigate_core::api::{WebhookDeliveryAttempt, WebhookEndpoint};
use digigate_store::{SealedKind, Store, StoreError, WebhookEndpointRecord};
use std::time::Duration;

/// Why an endpoint operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The target URL is refused (the message says which rule).
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The key already has [`MAX_ENDPOINTS_PER_KEY`] endpoints.
    #[error(
        "this API key already has {MAX_ENDPOINTS_PER_KEY} webhook endpoints; remove one first"
    )]
    TooMany,
    /// No such endpoint for this key (or it was removed).
    #[error("no such webhook endpoint")]
    NotFound,
    /// Storage failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
}

/// How many endpoints one key may have: each event is sent once per endpoint, so an unbounded
/// number would let one key multiply the gateway's outgoing traffic.
pub const MAX_ENDPOINTS_PER_KEY: usize = 10;

/// An endpoint just added: its id and its secret (`whsec_…`), shown once.
pub struct AddedEndpoint {
    /// The endpoint's id (`we_…`).
    pub endpoint_id: String,
    /// The signing secret, shown once and stored sealed.
    pub secret: String,
}

/// Adds an endpoint for `api_key_id` after checking its target (form, then every address its
/// host resolves to). Nothing is stored when the target is refused.
pub async fn add(
    store: &dyn Store,
    vault: &Vault,
    policy: TargetPolicy,
    api_key_id: &str,
    url: &str,
    now_ms: i64,
) -> Result<AddedEndpoint, EndpointError> {
    let url = policy.check_url(url)?;
    policy.resolve(&url).await?;
    if store.webhook_endpoints(api_key_id).await?.len() >= MAX_ENDPOINTS_PER_KEY {
        return Err(EndpointError::TooMany);
    }
    let id = format!("we_{}", uuid::Uuid::new_v4().simple());
    let secret = SigningSecret::generate();
    store
        .insert_webhook_endpoint(&WebhookEndpointRecord {
            id: id.clone(),
            api_key_id: api_key_id.to_owned(),
            url: url.to_string(),
            secret_sealed: secret.seal(vault, SealedKind::WebhookSecret, &id),
            previous_secret_sealed: None,
            previous_secret_until_ms: None,
            created_at_ms: now_ms,
            removed_at_ms: None,
        })
        .await?;
    Ok(AddedEndpoint {
        endpoint_id: id,
        secret: secret.to_whsec(),
    })
}

/// The endpoint `id` of `api_key_id` (a removed one or another key's is [`EndpointError::NotFound`]).
pub async fn owned(
    store: &dyn Store,
    api_key_id: &str,
    id: &str,
) -> Result<WebhookEndpointRecord, EndpointError> {
    store
        .webhook_endpoint(id)
        .await?
        .filter(|e| e.api_key_id == api_key_id && e.removed_at_ms.is_none())
        .ok_or(EndpointError::NotFound)
}

/// Gives the endpoint a new secret (shown once); the current one keeps signing beside it for
/// `overlap`, so receivers can switch without dropping a delivery.
pub async fn rotate_secret(
    store: &dyn Store,
    vault: &Vault,
    api_key_id: &str,
    id: &str,
    overlap: Duration,
    now_ms: i64,
) -> Result<(String, i64), EndpointError> {
    let secret = SigningSecret::generate();
    let until = now_ms.saturating_add(i64::try_from(overlap.as_millis()).unwrap_or(i64::MAX));
    let sealed = secret.seal(vault, SealedKind::WebhookSecret, id);
    if !store
        .rotate_webhook_secret(id, api_key_id, &sealed, until)
        .await?
    {
        return Err(EndpointError::NotFound);
    }
    Ok((secret.to_whsec(), until))
}

/// An endpoint as it is listed (never its secrets).
pub fn describe(e: &WebhookEndpointRecord, now_ms: i64) -> WebhookEndpoint {
    let rotating = e
        .previous_secret_until_ms
        .filter(|until| *until > now_ms && e.previous_secret_sealed.is_some());
    WebhookEndpoint {
        created_at: e.created_at_ms,
        endpoint_id: e.id.clone(),
        previous_secret_valid_until: rotating,
        url: e.url.clone(),
    }
}

/// A delivery log line as it is listed.
pub fn describe_attempt(a: &digigate_store::WebhookAttemptRecord) -> WebhookDeliveryAttempt {
    WebhookDeliveryAttempt {
        attempt_id: a.id.clone(),
        attempted_at: a.attempted_at_ms,
        delivery_id: a.delivery_id.clone(),
        delivery_state: a.delivery_state.clone(),
        duration_ms: a.duration_ms,
        error: a.error.clone(),
        event_id: a.event_id.clone(),
        http_status: a.http_status,
        event_type: a.event_type.clone(),
    }
}
