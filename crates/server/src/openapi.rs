//! The OpenAPI 3.1 description of the gateway, served at `GET /openapi.json`, derived from the
//! code rather than written beside it:
//! - each handler's `#[utoipa::path]` says its method, path, parameters, body, answers
//!   (success and error statuses) and security;
//! - the schemas are the wire types of `digigate_core::api` (`ToSchema`, their doc comments
//!   being the descriptions), so an answer and its schema are one declaration;
//! - `routes::table()` registers each route together with its operation (utoipa-axum's
//!   `routes!`), so a route cannot be served undocumented nor documented unserved; it hands
//!   those operations to [`document`] (`routes/openapi_json.rs` serves the result).
//!
//! What the configuration decides (the public address, the body limit, the access token's
//! lifetime, the overlap of a rotated webhook secret, a delivery's timeout) is filled in from
//! it here, so the document says what this gateway does.

mod parts;

pub(crate) use parts::*;

use crate::config::GatewayConfig;
use digigate_core::api::{ErrorEnvelope, WebhookEvent};
use serde_json::Value;
use std::time::Duration;
use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    Components, ContentBuilder, HttpMethod, InfoBuilder, RefOr, Required, ResponseBuilder, Server,
};
use utoipa::openapi::{Header, OpenApi};
use utoipa::ToSchema;

/// One documented operation: a method on a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Operation {
    /// HTTP method, lowercase as OpenAPI writes it (`get`, `post`, `delete`).
    pub method: String,
    /// Path template, e.g. `/kyc/digilocker/sessions/{session_id}/status`.
    pub path: String,
}

/// Every operation of `paths` (the route table's, [`crate::documented_operations`]).
pub fn operations(paths: OpenApi) -> Vec<Operation> {
    let paths = serde_json::to_value(paths.paths).expect("paths serialise");
    let mut ops = Vec::new();
    for (path, item) in paths.as_object().into_iter().flatten() {
        for method in [
            "get", "post", "put", "patch", "delete", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                ops.push(Operation {
                    method: method.to_owned(),
                    path: path.clone(),
                });
            }
        }
    }
    ops
}

/// The whole OpenAPI 3.1 document of a gateway configured as `config`, around `paths`, the
/// operations of the route table (`routes::table`, which hands them here, so that this module
/// needs nothing of the routes).
pub fn document(paths: OpenApi, config: &GatewayConfig) -> Value {
    let mut api = paths;
    api.info = InfoBuilder::new()
        .title("digigate")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "A self-hosted DigiLocker KYC gateway, wire-compatible with Sandbox's DigiLocker API.",
        ))
        .build();
    api.servers = Some(vec![Server::new(
        config.public_url.as_str().trim_end_matches('/'),
    )]);
    api.tags = Some(tags());
    let components = api.components.get_or_insert_with(Components::new);
    components
        .security_schemes
        .extend(security_schemes().map(|(name, scheme)| (name, RefOr::T(scheme))));
    for status in ERROR_STATUSES {
        components.responses.insert(
            format!("E{status}"),
            RefOr::T(error_response(status, config)),
        );
    }
    // Named by the error answers and the webhooks section rather than by an operation.
    register::<ErrorEnvelope>(components);
    register::<WebhookEvent>(components);
    say_what_is_configured(&mut api, config);
    let mut doc = serde_json::to_value(&api).expect("the document serialises");
    doc["webhooks"] = serde_json::to_value(webhooks(config)).expect("webhooks serialise");
    doc
}

/// Adds `T`'s schema, and those it refers to, to `components.schemas`.
fn register<T: ToSchema>(components: &mut Components) {
    components
        .schemas
        .insert(T::name().into_owned(), T::schema());
    let mut referenced = Vec::new();
    T::schemas(&mut referenced);
    components.schemas.extend(referenced);
}

fn tags() -> Vec<utoipa::openapi::tag::Tag> {
    [
        ("authentication", "API keys and access tokens."),
        (
            "digilocker",
            "Sandbox's DigiLocker API: consent sessions and their results.",
        ),
        (
            "digilocker-sdk",
            "Sandbox's DigiLocker web SDK: sessions that end in the embedding page.",
        ),
        (
            "journey",
            "The pages the person's browser opens, and signed document downloads.",
        ),
        (
            "webhooks",
            "Webhook endpoints per API key, and the events sent to them (`webhooks`).",
        ),
        ("operations", "Health, readiness and this description."),
    ]
    .into_iter()
    .map(|(name, about)| {
        TagBuilder::new()
            .name(name)
            .description(Some(about))
            .build()
    })
    .collect()
}

fn security_schemes() -> [(String, SecurityScheme); 3] {
    let header = |name: &str, about: Option<&str>| {
        SecurityScheme::ApiKey(ApiKey::Header(match about {
            Some(about) => ApiKeyValue::with_description(name, about),
            None => ApiKeyValue::new(name),
        }))
    };
    [
        ("apiKey".into(), header("x-api-key", None)),
        ("apiSecret".into(), header("x-api-secret", None)),
        (
            "accessToken".into(),
            header(
                "authorization",
                Some("The raw access token (Sandbox style); `Bearer ` is accepted too."),
            ),
        ),
    ]
}

/// A duration in words, as the configuration gives it (`24 hours`, `90 seconds`).
fn words(d: Duration) -> String {
    let s = d.as_secs();
    let (n, unit) = match s {
        _ if s >= 3600 && s.is_multiple_of(3600) => (s / 3600, "hour"),
        _ if s >= 60 && s.is_multiple_of(60) => (s / 60, "minute"),
        _ => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A byte count in words (`65536 bytes (64 KiB)`).
fn bytes(n: usize) -> String {
    if n >= 1024 && n.is_multiple_of(1024) {
        format!("{n} bytes ({} KiB)", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// What an API error status means, in the words of the error mapping.
fn error_meaning(status: u16, config: &GatewayConfig) -> String {
    match status {
        400 => "The body or a parameter is invalid, or the document was not consented to.".into(),
        401 => "Missing, wrong or expired credentials (duplicated credential headers included).".into(),
        404 => "No such route, session (or another key's session), or document.".into(),
        409 => "The session has not succeeded yet.".into(),
        410 => "The session's documents were erased.".into(),
        413 => format!("The body is larger than {}.", bytes(config.max_body_bytes)),
        422 => "The `Idempotency-Key` was used before with a different body.".into(),
        429 => "Too many requests; see `Retry-After`.".into(),
        503 => "DigiLocker could not be reached, or the database is unreachable (then with `Retry-After`; nothing was changed).".into(),
        _ => "An internal failure (its cause is logged with the transaction id).".into(),
    }
}

/// `components.responses.E{status}`: the error envelope, and `Retry-After` where it is sent.
fn error_response(status: u16, config: &GatewayConfig) -> utoipa::openapi::Response {
    let envelope = Ref::from_schema_name(ErrorEnvelope::name());
    let mut r = ResponseBuilder::new()
        .description(error_meaning(status, config))
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(envelope)).build(),
        );
    let seconds = || ObjectBuilder::new().schema_type(Type::Integer);
    if status == 429 {
        let mut h = Header::new(seconds());
        h.description = Some("Seconds to wait.".into());
        r = r.header("retry-after", h);
    }
    if status == 503 {
        let mut h = Header::new(seconds());
        h.description = Some("Seconds to wait; sent when the database is unreachable.".into());
        r = r.header("retry-after", h);
    }
    r.build()
}

/// The operations whose words depend on the configuration get them from it.
fn say_what_is_configured(api: &mut OpenApi, config: &GatewayConfig) {
    let mut describe = |path: &str, text: String| {
        let item = api.paths.paths.get_mut(path);
        let op = item.and_then(|i| i.post.as_mut());
        op.unwrap_or_else(|| panic!("POST {path} is routed"))
            .description = Some(text);
    };
    describe(
        "/authenticate",
        format!(
            "The access token is valid for {}; then authenticate again.",
            words(config.token_ttl)
        ),
    );
    describe(
        "/webhooks/endpoints/{endpoint_id}/rotate-secret",
        format!(
            "The previous secret keeps signing beside the new one for {}.",
            words(config.webhooks.rotation_overlap)
        ),
    );
}

/// OpenAPI 3.1's `webhooks`: the event the gateway posts to each endpoint of a session's key
/// (`docs/webhooks.md`), its body the typed `WebhookEvent`.
fn webhooks(config: &GatewayConfig) -> std::collections::BTreeMap<&'static str, PathItem> {
    let header = |name: &str, about: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(about))
            .build()
    };
    let body = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(WebhookEvent::name())))
                .build(),
        )
        .build();
    let acknowledged = format!(
        "Acknowledged. Anything else (another status, no answer within {}, a redirect: redirects are not followed) is a failed attempt, retried on the configured schedule.",
        words(config.webhooks.timeout)
    );
    let event = OperationBuilder::new()
        .operation_id(Some("sessionEvent"))
        .summary(Some(
            "A session changed status or was erased; sent to each endpoint of the session's API key, at least once",
        ))
        .tag("webhooks")
        .parameter(header(
            "webhook-id",
            "The event's id (`evt_…`): the same on every retry and redelivery; drop duplicates by it.",
        ))
        .parameter(header(
            "webhook-timestamp",
            "When this attempt was signed, Unix seconds.",
        ))
        .parameter(header(
            "webhook-signature",
            "`v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` keyed with the endpoint's secret; space-separated, during a rotation, with the previous secret's.",
        ))
        .request_body(Some(body))
        .response("2XX", ResponseBuilder::new().description(acknowledged))
        .build();
    [("sessionEvent", PathItem::new(HttpMethod::Post, event))].into()
}

#[cfg(test)]
mod tests;
