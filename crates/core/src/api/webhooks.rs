//! `/webhooks/endpoints…`: a key's webhook endpoints and their delivery log.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /webhooks/endpoints`' answer: the signing secret is shown this once. Its `Debug`
/// leaves the secret out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointAdded {
    /// The endpoint's id (`we_…`).
    pub endpoint_id: String,
    /// The signing secret (`whsec_…`).
    pub secret: String,
}

/// `GET /webhooks/endpoints`' answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointList {
    /// The caller's endpoints (`endpoint_id`, `url`, `created_at`,
    /// `previous_secret_valid_until`), never their secrets; described by the gateway's
    /// `webhooks::endpoints::describe`, which the CLI prints too.
    pub endpoints: Vec<Value>,
}

/// `DELETE /webhooks/endpoints/{id}`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRemoved {
    /// The endpoint removed.
    pub endpoint_id: String,
    /// Always `true`.
    pub removed: bool,
}

/// `POST /webhooks/endpoints/{id}/rotate-secret`'s answer: the new secret, shown this once.
/// Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRotated {
    /// The endpoint.
    pub endpoint_id: String,
    /// Until when the previous secret signs too, epoch milliseconds.
    pub previous_secret_valid_until: i64,
    /// The new signing secret.
    pub secret: String,
}

/// `GET /webhooks/endpoints/{id}/deliveries`' answer, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDeliveries {
    /// One line per attempt, as `webhooks::endpoints::describe_attempt` writes it.
    pub attempts: Vec<Value>,
    /// The endpoint.
    pub endpoint_id: String,
}

/// `POST /webhooks/endpoints/{id}/redeliver`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redelivery {
    /// The endpoint.
    pub endpoint_id: String,
    /// The event or delivery id being sent again.
    pub redelivering: String,
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
