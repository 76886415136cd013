//! `/webhooks/endpoints…`: a key's webhook endpoints and their delivery log; and the events
//! the gateway sends to them.

#[cfg(feature = "openapi")]
use super::schema;
use serde::{Deserialize, Serialize};

/// `POST /webhooks/endpoints`' answer: the signing secret is shown this once. Its `Debug`
/// leaves the secret out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointAdded {
    /// The endpoint's id (`we_…`).
    pub endpoint_id: String,
    /// The signing secret (`whsec_…`), shown only now.
    pub secret: String,
}

/// One webhook endpoint as it is listed, never its secrets (also what `digigate webhooks
/// list` prints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// When it was added, epoch milliseconds.
    pub created_at: i64,
    /// The endpoint's id (`we_…`).
    pub endpoint_id: String,
    /// During a secret rotation, until when the previous secret signs too (epoch
    /// milliseconds); otherwise `null`.
    pub previous_secret_valid_until: Option<i64>,
    /// Where events are sent.
    pub url: String,
}

/// `GET /webhooks/endpoints`' answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointList {
    /// The caller's endpoints, never their secrets.
    pub endpoints: Vec<WebhookEndpoint>,
}

/// `DELETE /webhooks/endpoints/{id}`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointRemoved {
    /// The endpoint removed.
    pub endpoint_id: String,
    /// Always `true`.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::always_true))]
    pub removed: bool,
}

/// `POST /webhooks/endpoints/{id}/rotate-secret`'s answer: the new secret, shown this once.
/// Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretRotated {
    /// The endpoint.
    pub endpoint_id: String,
    /// Until when the previous secret signs too, epoch milliseconds.
    pub previous_secret_valid_until: i64,
    /// The new signing secret (`whsec_…`), shown only now.
    pub secret: String,
}

/// One attempt to deliver an event to an endpoint, as the delivery log lists it (also what
/// `digigate webhooks deliveries` prints). Never the receiver's response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryAttempt {
    /// The attempt's id (`wa_…`).
    pub attempt_id: String,
    /// When it started, epoch milliseconds.
    pub attempted_at: i64,
    /// The delivery it belongs to (`{event_id}.{endpoint_id}`).
    pub delivery_id: String,
    /// `pending`, `delivered` or `abandoned`: the delivery's state after its last update.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::delivery_state))]
    pub delivery_state: String,
    /// How long it took, milliseconds.
    pub duration_ms: i64,
    /// When the receiver did not answer: `timeout`, `connect`, `dns`, `refused_address`,
    /// `refused_target`, `request` or `endpoint_removed`.
    pub error: Option<String>,
    /// The event delivered (the `webhook-id` sent).
    pub event_id: String,
    /// What the receiver answered (a 3xx is a failure: redirects are not followed).
    pub http_status: Option<i64>,
    /// The event's type.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::SessionEventType))]
    pub event_type: String,
}

/// `GET /webhooks/endpoints/{id}/deliveries`' answer, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveries {
    /// One line per attempt, newest first.
    pub attempts: Vec<WebhookDeliveryAttempt>,
    /// The endpoint.
    pub endpoint_id: String,
}

/// `POST /webhooks/endpoints/{id}/redeliver`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redelivery {
    /// The endpoint.
    pub endpoint_id: String,
    /// The event or delivery id being sent again.
    pub redelivering: String,
}

/// The body of a webhook delivery: what happened to a session, and when. Never personal data:
/// the documents and profile are fetched with the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEvent {
    /// The session, after the event.
    pub data: WebhookEventData,
    /// When it happened, RFC 3339 in UTC with milliseconds (`2026-12-07T18:00:00.123Z`).
    pub timestamp: String,
    /// What happened (`session.succeeded`, …).
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::SessionEventType))]
    pub event_type: String,
}

/// The session a webhook event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEventData {
    /// Why the session failed, with `session.failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, value_type = Option<crate::FailureReason>))]
    pub reason: Option<String>,
    /// The session's id.
    pub session_id: String,
    /// The session's status after the event.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::SessionStatus))]
    pub status: String,
}

macro_rules! debug_without_secret {
    ($t:ident, $($field:ident),*) => {
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

debug_without_secret!(EndpointAdded, endpoint_id);
debug_without_secret!(SecretRotated, endpoint_id, previous_secret_valid_until);
