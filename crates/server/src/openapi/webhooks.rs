//! The webhook endpoints' operations and schemas (`routes/webhooks.rs`, `docs/webhooks.md`).

use super::{api_headers, op, path_param, success, Audience, Operation, Spec};
use serde_json::{json, Value};

fn endpoint_id() -> Value {
    path_param(
        "endpoint_id",
        json!({ "type": "string" }),
        "The `endpoint_id` that adding the endpoint answered.",
    )
}

/// Add, list, rotate, read the log of, redeliver to and remove an endpoint, in that order.
pub(super) fn operations() -> Vec<Operation> {
    use Audience::Api;
    let with_id = || [vec![endpoint_id()], api_headers()].concat();
    vec![
        op("post", "/webhooks/endpoints", Api, Spec {
            id: "addWebhookEndpoint",
            summary: "Add a webhook endpoint for the caller's key; answers its signing secret, once",
            tag: "webhooks",
            params: api_headers(),
            body: Some("AddWebhookEndpointRequest"),
            responses: vec![(200, success("The endpoint and its secret.", "WebhookEndpointAdded"))],
            errors: &[400, 401, 413, 429, 500],
        }),
        op("get", "/webhooks/endpoints", Api, Spec {
            id: "listWebhookEndpoints",
            summary: "The caller's webhook endpoints (never their secrets)",
            tag: "webhooks",
            params: api_headers(),
            body: None,
            responses: vec![(200, success("The endpoints.", "WebhookEndpointList"))],
            errors: &[401, 429, 500],
        }),
        op("post", "/webhooks/endpoints/{endpoint_id}/rotate-secret", Api, Spec {
            id: "rotateWebhookSecret",
            summary: "A new signing secret, once; the previous one keeps signing beside it for 24 hours",
            tag: "webhooks",
            params: with_id(),
            body: None,
            responses: vec![(200, success("The new secret.", "WebhookSecretRotated"))],
            errors: &[401, 404, 429, 500],
        }),
        op("get", "/webhooks/endpoints/{endpoint_id}/deliveries", Api, Spec {
            id: "webhookDeliveries",
            summary: "The endpoint's delivery log, newest attempt first (never response bodies)",
            tag: "webhooks",
            params: with_id(),
            body: None,
            responses: vec![(200, success("The delivery log.", "WebhookDeliveryLog"))],
            errors: &[401, 404, 429, 500],
        }),
        op("post", "/webhooks/endpoints/{endpoint_id}/redeliver", Api, Spec {
            id: "redeliverWebhook",
            summary: "Send an event (or a delivery) to the endpoint again, now, on a fresh schedule",
            tag: "webhooks",
            params: with_id(),
            body: Some("RedeliverWebhookRequest"),
            responses: vec![(200, success("Redelivery scheduled.", "WebhookRedelivery"))],
            errors: &[400, 401, 404, 413, 429, 500],
        }),
        op("delete", "/webhooks/endpoints/{endpoint_id}", Api, Spec {
            id: "removeWebhookEndpoint",
            summary: "Remove an endpoint; what was still to be sent to it is given up",
            tag: "webhooks",
            params: with_id(),
            body: None,
            responses: vec![(200, success("Removed.", "WebhookEndpointRemoved"))],
            errors: &[401, 404, 429, 500],
        }),
    ]
}

/// The schemas those operations name, added to `components.schemas`.
pub(super) fn schemas() -> Value {
    let string = |d: &str| json!({ "type": "string", "description": d });
    let millis = |d: &str| json!({ "type": ["integer", "null"], "description": d });
    json!({
        "AddWebhookEndpointRequest": {
            "type": "object", "required": ["url"],
            "properties": { "url": string("https only (http to loopback in development mode); private, loopback, link-local and metadata addresses are refused after DNS resolution unless the operator allows private targets.") }
        },
        "WebhookEndpointAdded": {
            "type": "object", "required": ["endpoint_id", "secret"],
            "properties": { "endpoint_id": string("`we_…`"), "secret": string("`whsec_…`, shown only now.") }
        },
        "WebhookEndpoint": {
            "type": "object", "required": ["endpoint_id", "url", "created_at"],
            "properties": {
                "endpoint_id": string("`we_…`"), "url": string("The target."),
                "created_at": millis("Unix milliseconds."),
                "previous_secret_valid_until": millis("During a rotation, until when the previous secret signs too.")
            }
        },
        "WebhookEndpointList": {
            "type": "object", "required": ["endpoints"],
            "properties": { "endpoints": { "type": "array", "items": { "$ref": "#/components/schemas/WebhookEndpoint" } } }
        },
        "WebhookSecretRotated": {
            "type": "object", "required": ["endpoint_id", "secret", "previous_secret_valid_until"],
            "properties": {
                "endpoint_id": string("`we_…`"), "secret": string("The new `whsec_…`, shown only now."),
                "previous_secret_valid_until": millis("Unix milliseconds.")
            }
        },
        "WebhookDeliveryLog": {
            "type": "object", "required": ["endpoint_id", "attempts"],
            "properties": {
                "endpoint_id": string("`we_…`"),
                "attempts": { "type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "attempt_id": string("`wa_…`"),
                        "delivery_id": string("`{event_id}.{endpoint_id}`"),
                        "event_id": string("The `webhook-id` sent."),
                        "type": string("The event type."),
                        "attempted_at": millis("Unix milliseconds."),
                        "duration_ms": { "type": "integer" },
                        "http_status": { "type": ["integer", "null"], "description": "What the receiver answered (a 3xx is a failure: redirects are not followed)." },
                        "error": { "type": ["string", "null"], "description": "When it did not answer: `timeout`, `connect`, `dns`, `refused_address`, `refused_target`, `request`, `endpoint_removed`." },
                        "delivery_state": { "type": "string", "enum": ["pending", "delivered", "abandoned"] }
                    }
                } }
            }
        },
        "RedeliverWebhookRequest": {
            "type": "object", "required": ["id"],
            "properties": { "id": string("An event id (`webhook-id`) or a delivery id.") }
        },
        "WebhookRedelivery": {
            "type": "object", "required": ["endpoint_id", "redelivering"],
            "properties": { "endpoint_id": string("`we_…`"), "redelivering": string("The id given.") }
        },
        "WebhookEndpointRemoved": {
            "type": "object", "required": ["endpoint_id", "removed"],
            "properties": { "endpoint_id": string("`we_…`"), "removed": { "type": "boolean", "enum": [true] } }
        }
    })
}
