//! The OpenAPI 3.1 description of the gateway, served at `GET /openapi.json`.
//!
//! Every path in it comes from one table, [`operations`]. Tests hold that table against the
//! router both ways: each route of `routes::table` (the one table the router is built from) is
//! documented and nothing more, and each documented operation answers on a live server
//! (`tests/api/hostile.rs`), so the description cannot drift from the code. The answers'
//! schemas are checked against the wire types of `digigate_core::api` (`openapi/tests.rs`).

mod schemas;
mod webhooks;

use axum::Json;
use serde_json::{json, Map, Value};

/// Who calls an operation, which decides its security and the shape of its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The Sandbox-compatible JSON API, called with `x-api-key` and an access token.
    Api,
    /// `POST /authenticate`, called with `x-api-key` and `x-api-secret`.
    Authenticate,
    /// A page the person's browser opens; answers a redirect or an HTML page.
    Browser,
    /// A signed download link; answers the document's bytes.
    Download,
    /// Operational endpoints without credentials (health, this description).
    Public,
}

/// One documented operation: a method on a path, and its OpenAPI operation object.
#[derive(Debug, Clone)]
pub struct Operation {
    /// HTTP method, lowercase as OpenAPI writes it (`get`, `post`, `delete`).
    pub method: &'static str,
    /// Path template in OpenAPI form, e.g. `/kyc/digilocker/sessions/{session_id}/status`.
    pub path: &'static str,
    /// Who calls it.
    pub audience: Audience,
    /// The OpenAPI operation object.
    pub spec: Value,
}

/// A path parameter.
fn path_param(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": schema, "description": description })
}

fn session_id() -> Value {
    path_param(
        "session_id",
        json!({ "type": "string" }),
        "The `session_id` that init answered.",
    )
}

/// The headers every API call carries, as parameters (Sandbox's contract).
fn api_headers() -> Vec<Value> {
    vec![
        json!({ "name": "x-api-key", "in": "header", "required": true, "schema": { "type": "string" },
                "description": "The API key the access token was issued to." }),
        json!({ "name": "authorization", "in": "header", "required": true, "schema": { "type": "string" },
                "description": "The access token from `/authenticate`, without `Bearer ` (which is accepted too)." }),
        version_header(),
    ]
}

fn version_header() -> Value {
    json!({ "name": "x-api-version", "in": "header", "required": false,
            "schema": { "type": "string", "example": "1.0.0" },
            "description": "Accepted and ignored, as Sandbox's clients send it." })
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// `{code, timestamp, transaction_id, data}` with `data` of the named schema.
fn success(description: &str, data: &str) -> Value {
    json!({
        "description": description,
        "content": json_content(json!({
            "allOf": [{ "$ref": "#/components/schemas/SuccessEnvelope" }],
            "properties": { "data": { "$ref": format!("#/components/schemas/{data}") } }
        }))
    })
}

/// What an API error status means, in the words of the error mapping.
fn error_meaning(status: u16) -> &'static str {
    match status {
        400 => "The body or a parameter is invalid, or the document was not consented to.",
        401 => "Missing, wrong or expired credentials (duplicated credential headers included).",
        404 => "No such route, session (or another key's session), or document.",
        409 => "The session has not succeeded yet.",
        410 => "The session's documents were erased.",
        413 => "The body is larger than 64 KiB.",
        429 => "Too many requests; see `Retry-After`.",
        503 => "DigiLocker could not be reached, or the database is unreachable (then with `Retry-After`; nothing was changed).",
        500 => "An internal failure (its cause is logged with the transaction id).",
        _ => "An error.",
    }
}

fn html_page(description: &str) -> Value {
    json!({ "description": description, "content": { "text/html": { "schema": { "type": "string" } } } })
}

fn browser_redirect(description: &str) -> Value {
    json!({
        "description": description,
        "headers": { "location": { "required": true, "schema": { "type": "string" } } }
    })
}

/// Builds an operation object; `responses` are added to the error statuses.
struct Spec {
    id: &'static str,
    summary: &'static str,
    tag: &'static str,
    params: Vec<Value>,
    body: Option<&'static str>,
    responses: Vec<(u16, Value)>,
    errors: &'static [u16],
}

impl Spec {
    fn build(self, audience: Audience) -> Value {
        let mut responses = Map::new();
        for (status, r) in self.responses {
            responses.insert(status.to_string(), r);
        }
        // Every API call that reads or writes the database answers 503 while it is away.
        let storage = matches!(audience, Audience::Api | Audience::Authenticate)
            && self.errors.contains(&500);
        for &status in self.errors.iter().chain(storage.then_some(&503)) {
            responses.insert(
                status.to_string(),
                json!({ "$ref": format!("#/components/responses/E{status}") }),
            );
        }
        let mut op = json!({
            "operationId": self.id,
            "summary": self.summary,
            "tags": [self.tag],
            "parameters": self.params,
            "responses": responses,
        });
        match audience {
            Audience::Api => op["security"] = json!([{ "apiKey": [], "accessToken": [] }]),
            Audience::Authenticate => op["security"] = json!([{ "apiKey": [], "apiSecret": [] }]),
            _ => op["security"] = json!([]),
        }
        if let Some(schema) = self.body {
            op["requestBody"] = json!({
                "required": true,
                "content": json_content(json!({ "$ref": format!("#/components/schemas/{schema}") }))
            });
        }
        op
    }
}

fn op(method: &'static str, path: &'static str, audience: Audience, spec: Spec) -> Operation {
    Operation {
        method,
        path,
        audience,
        spec: spec.build(audience),
    }
}

/// What an operation on a session of the caller can fail with.
const SESSION_ERRORS: &[u16] = &[401, 404, 429, 500];

/// Every operation the gateway serves, in the order a session meets them.
pub fn operations() -> Vec<Operation> {
    use Audience::*;
    vec![
        op("post", "/authenticate", Authenticate, Spec {
            id: "authenticate",
            summary: "Exchange an API key and secret for a 24-hour access token",
            tag: "authentication",
            params: vec![
                json!({ "name": "x-api-key", "in": "header", "required": true, "schema": { "type": "string" } }),
                json!({ "name": "x-api-secret", "in": "header", "required": true, "schema": { "type": "string" } }),
                version_header(),
            ],
            body: None,
            responses: vec![(200, success("The access token.", "AuthenticateData"))],
            errors: &[401, 429, 500],
        }),
        op("post", "/kyc/digilocker/user/verify", Api, Spec {
            id: "verifyUser",
            summary: "Whether a DigiLocker account exists for a mobile or Aadhaar number",
            tag: "digilocker",
            params: api_headers(),
            body: Some("VerifyUserRequest"),
            responses: vec![(200, success("Whether the account exists.", "VerifyUserData"))],
            errors: &[400, 401, 413, 429, 500, 503],
        }),
        op("post", "/kyc/digilocker/sessions/init", Api, Spec {
            id: "initSession",
            summary: "Start a consent session; answers the link to send the person to",
            tag: "digilocker",
            params: api_headers(),
            body: Some("InitSessionRequest"),
            responses: vec![(200, success("The session and its link.", "InitSessionData"))],
            errors: &[400, 401, 413, 429, 500],
        }),
        op("delete", "/kyc/digilocker/sessions/{session_id}", Api, Spec {
            id: "deleteSession",
            summary: "Erase a session's documents and profile now (repeating answers the same receipt)",
            tag: "digilocker",
            params: [vec![session_id()], api_headers()].concat(),
            body: None,
            responses: vec![(200, success("The erasure receipt.", "SessionErasureData"))],
            errors: SESSION_ERRORS,
        }),
        op("get", "/kyc/digilocker/sessions/{session_id}/status", Api, Spec {
            id: "sessionStatus",
            summary: "The session's status and, once it succeeded, the documents consented to",
            tag: "digilocker",
            params: [vec![session_id()], api_headers()].concat(),
            body: None,
            responses: vec![(200, success("The session.", "SessionStatusData"))],
            errors: SESSION_ERRORS,
        }),
        op("get", "/kyc/digilocker/sessions/{session_id}/user/profile", Api, Spec {
            id: "userProfile",
            summary: "The DigiLocker profile of the person who consented",
            tag: "digilocker",
            params: [vec![session_id()], api_headers()].concat(),
            body: None,
            responses: vec![(200, success("The profile.", "UserProfileData"))],
            errors: &[401, 404, 409, 410, 429, 500],
        }),
        op("get", "/kyc/digilocker/sessions/{session_id}/documents/{doc_type}", Api, Spec {
            id: "fetchDocument",
            summary: "A consented document, as a signed short-lived download link",
            tag: "digilocker",
            params: [
                vec![
                    session_id(),
                    path_param("doc_type", json!({ "$ref": "#/components/schemas/DocType" }), "Must be one of the consented types."),
                    json!({ "name": "include", "in": "query", "required": false, "schema": { "type": "string" },
                            "description": "`photo` (also in a comma list) to keep the holder's photo in `document`." }),
                ],
                api_headers(),
            ]
            .concat(),
            body: None,
            responses: vec![(200, success("The document's file, its normalised fields and its verification.", "DocumentData"))],
            errors: &[400, 401, 404, 409, 410, 429, 500],
        }),
        op("get", "/kyc/digilocker/sessions/{session_id}/checks", Api, Spec {
            id: "sessionChecks",
            summary: "Name, date of birth and gender compared across the documents, the profile and `expected`",
            tag: "digilocker",
            params: [vec![session_id()], api_headers()].concat(),
            body: None,
            responses: vec![(200, success("The check report.", "SessionChecksData"))],
            errors: &[401, 404, 409, 410, 429, 500],
        }),
        op("post", "/kyc/digilocker-sdk/sessions/create", Api, Spec {
            id: "createSdkSession",
            summary: "Start a consent session for the web SDK (no redirect_url: the journey ends in the embedding page)",
            tag: "digilocker-sdk",
            params: api_headers(),
            body: Some("SdkSessionRequest"),
            responses: vec![(200, success("The session, for `DigilockerSDK.open`.", "SdkSessionData"))],
            errors: &[400, 401, 413, 429, 500],
        }),
        op("get", "/kyc/digilocker-sdk/sessions/{session_id}/status", Api, Spec {
            id: "sdkSessionStatus",
            summary: "The SDK session's status (as `sessionStatus`, with the SDK's entity tag)",
            tag: "digilocker-sdk",
            params: [vec![session_id()], api_headers()].concat(),
            body: None,
            responses: vec![(200, success("The session.", "SdkSessionStatusData"))],
            errors: SESSION_ERRORS,
        }),
        op("get", "/kyc/digilocker-sdk/sessions/{session_id}/user/profile", Api, Spec {
            id: "sdkUserProfile",
            summary: "The DigiLocker profile of the person who consented (as `userProfile`)",
            tag: "digilocker-sdk",
            params: [vec![session_id()], api_headers()].concat(),
            body: None,
            responses: vec![(200, success("The profile.", "UserProfileData"))],
            errors: &[401, 404, 409, 410, 429, 500],
        }),
        op("get", "/kyc/digilocker-sdk/sessions/{session_id}/documents/{doc_type}", Api, Spec {
            id: "sdkFetchDocument",
            summary: "A consented document (as `fetchDocument`)",
            tag: "digilocker-sdk",
            params: [
                vec![
                    session_id(),
                    path_param("doc_type", json!({ "$ref": "#/components/schemas/DocType" }), "Must be one of the consented types."),
                ],
                api_headers(),
            ]
            .concat(),
            body: None,
            responses: vec![(200, success("The document's file, its normalised fields and its verification.", "DocumentData"))],
            errors: &[400, 401, 404, 409, 410, 429, 500],
        }),
        op("get", "/sdk/{script}", Public, Spec {
            id: "sdkScript",
            summary: "The web SDK: `digilocker.js` (cached 5 minutes) or `digilocker.{version}.js` (cached a year)",
            tag: "digilocker-sdk",
            params: vec![path_param("script", json!({ "type": "string", "pattern": "^digilocker(\\.[0-9a-f]{12})?\\.js$" }), "`digilocker.js`, or the versioned name the demo page includes.")],
            body: None,
            responses: vec![(200, json!({ "description": "The script.", "content": { "text/javascript": { "schema": { "type": "string" } } } }))],
            errors: &[404],
        }),
        op("get", "/sdk/start/{session_id}", Browser, Spec {
            id: "sdkStart",
            summary: "Where the SDK's popup starts: checks the embedding origin and redirects into the journey",
            tag: "digilocker-sdk",
            params: vec![
                session_id(),
                json!({ "name": "origin", "in": "query", "required": true, "schema": { "type": "string" },
                        "description": "The embedding page's origin; must be allowed for the session's API key." }),
            ],
            body: None,
            responses: vec![
                (303, browser_redirect("To `/connect/{link_id}`, or to the completion page for an ended session, with the origin cookie.")),
                (403, html_page("The origin is not allowed for the session's key.")),
                (404, html_page("No SDK session with this id.")),
                (409, html_page("The journey is being completed in another window.")),
                (500, html_page("An internal failure.")),
            ],
            errors: &[],
        }),
        op("get", "/sdk/complete", Browser, Spec {
            id: "sdkComplete",
            summary: "The return address of SDK sessions: posts the outcome to the embedding page and closes the popup",
            tag: "digilocker-sdk",
            params: ["session_id", "status"]
                .iter()
                .map(|n| json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string" } }))
                .collect(),
            body: None,
            responses: vec![
                (200, html_page("The outcome, posted to the embedding page's origin.")),
                (404, html_page("No SDK session with this id.")),
                (409, html_page("The session has not ended yet.")),
                (500, html_page("An internal failure.")),
            ],
            errors: &[],
        }),
        op("get", "/sdk/demo", Browser, Spec {
            id: "sdkDemo",
            summary: "Development mode only: a business page that creates an SDK session and opens the SDK",
            tag: "digilocker-sdk",
            params: vec![],
            body: None,
            responses: vec![
                (200, html_page("The demo page.")),
                (404, json!({ "$ref": "#/components/responses/E404" })),
            ],
            errors: &[],
        }),
        op("get", "/connect/{link_id}", Browser, Spec {
            id: "openLink",
            summary: "The link the person opens: binds the browser and redirects to DigiLocker",
            tag: "journey",
            params: vec![path_param("link_id", json!({ "type": "string" }), "From `authorization_url`.")],
            body: None,
            responses: vec![
                (303, browser_redirect("To DigiLocker's authorize page, with a binding cookie.")),
                (404, html_page("Unknown link.")),
                (409, html_page("The session was already completed.")),
                (410, html_page("The link expired.")),
                (500, html_page("An internal failure.")),
            ],
            errors: &[],
        }),
        op("get", "/callbacks/digilocker", Browser, Spec {
            id: "digilockerCallback",
            summary: "DigiLocker's redirect back: consumes `state`, enqueues the fetch and answers the waiting page (or, on an error, returns the person to the business)",
            tag: "journey",
            params: ["state", "code", "error", "error_description"]
                .iter()
                .map(|n| json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string", "maxLength": 2048 } }))
                .collect(),
            body: None,
            responses: vec![
                (200, html_page("The waiting page (`Refresh: 1;url=` the waiting page's address, with its cookie), or on an error from DigiLocker the page forwarding to the business's `redirect_url` with `session_id` and `status`.")),
                (400, html_page("Unknown, used, expired, duplicated or unbound `state`.")),
                (500, html_page("An internal failure.")),
            ],
            errors: &[],
        }),
        op("get", "/callbacks/digilocker/wait", Browser, Spec {
            id: "waitForOutcome",
            summary: "The page the person waits on while documents are fetched; forwards to the business once the session has ended (at most a minute)",
            tag: "journey",
            params: ["session", "until", "sig"]
                .iter()
                .map(|n| json!({ "name": n, "in": "query", "required": true, "schema": { "type": "string", "maxLength": 256 } }))
                .collect(),
            body: None,
            responses: vec![
                (200, html_page("Still waiting (`Refresh: 1;url=…`), or the page forwarding to the business's `redirect_url` with `session_id` and `status`.")),
                (400, html_page("A changed address, or another browser (no waiting cookie).")),
                (500, html_page("An internal failure.")),
            ],
            errors: &[],
        }),
        op("get", "/files/{document_id}", Download, Spec {
            id: "downloadDocument",
            summary: "The exact bytes DigiLocker returned, for the holder of a valid signed link",
            tag: "journey",
            params: vec![
                path_param("document_id", json!({ "type": "string" }), "From the signed link."),
                json!({ "name": "expires", "in": "query", "required": true, "schema": { "type": "integer" } }),
                json!({ "name": "signature", "in": "query", "required": true, "schema": { "type": "string" } }),
            ],
            body: None,
            responses: vec![(200, json!({
                "description": "The document, as an attachment.",
                "content": {
                    "application/xml": { "schema": { "type": "string" } },
                    "application/pdf": { "schema": { "type": "string" } },
                    "application/octet-stream": { "schema": { "type": "string" } }
                }
            }))],
            errors: &[404, 410, 429, 500],
        }),
        op("get", "/health", Public, Spec {
            id: "health",
            summary: "Liveness (the older name of `/healthz`)",
            tag: "operations",
            params: vec![],
            body: None,
            responses: vec![(200, json!({ "description": "Alive.", "content": { "text/plain": { "schema": { "type": "string", "enum": ["ok"] } } } }))],
            errors: &[],
        }),
        op("get", "/healthz", Public, Spec {
            id: "healthz",
            summary: "Liveness: the process serves HTTP (no database call)",
            tag: "operations",
            params: vec![],
            body: None,
            responses: vec![(200, json!({ "description": "Alive.", "content": { "text/plain": { "schema": { "type": "string", "enum": ["ok"] } } } }))],
            errors: &[],
        }),
        op("get", "/ready", Public, Spec {
            id: "ready",
            summary: "Readiness in plain text (the older form of `/readyz`)",
            tag: "operations",
            params: vec![],
            body: None,
            responses: vec![
                (200, json!({ "description": "Ready.", "content": { "text/plain": { "schema": { "type": "string", "enum": ["ready"] } } } })),
                (503, json!({ "description": "The database does not answer or lacks digigate's tables.", "content": { "text/plain": { "schema": { "type": "string", "enum": ["not ready"] } } } })),
            ],
            errors: &[],
        }),
        op("get", "/readyz", Public, Spec {
            id: "readyz",
            summary: "Readiness: the database answers with digigate's tables; DigiLocker's circuits beside it",
            tag: "operations",
            params: vec![],
            body: None,
            responses: vec![
                (200, json!({ "description": "Ready. `upstream` may still say DigiLocker's circuit is open: that does not make an instance unready.", "content": json_content(readiness_schema()) })),
                (503, json!({ "description": "The database is unreachable or lacks digigate's tables.", "content": json_content(readiness_schema()) })),
            ],
            errors: &[],
        }),
        op("get", "/openapi.json", Public, Spec {
            id: "openapi",
            summary: "This description",
            tag: "operations",
            params: vec![],
            body: None,
            responses: vec![(200, json!({ "description": "OpenAPI 3.1.", "content": json_content(json!({ "type": "object" })) }))],
            errors: &[],
        }),
    ]
    .into_iter()
    .chain(webhooks::operations())
    .collect()
}

/// The body of `/readyz`.
fn readiness_schema() -> Value {
    let circuit = json!({ "type": "string", "enum": ["closed", "half_open", "open"] });
    json!({
        "type": "object",
        "required": ["status", "database", "upstream", "circuits"],
        "properties": {
            "status": { "type": "string", "enum": ["ready", "not_ready"] },
            "database": { "type": "string", "enum": ["ok", "unreachable", "not_migrated"] },
            "upstream": { "type": "string", "enum": ["ok", "circuit_half_open", "circuit_open"],
                          "description": "DigiLocker as the circuit breaker sees it (the worst circuit)." },
            "circuits": {
                "type": "object",
                "properties": { "token": circuit, "account": circuit, "documents": circuit }
            }
        }
    })
}

/// The whole OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for o in operations() {
        let item = paths.entry(o.path).or_insert_with(|| json!({}));
        item[o.method] = o.spec;
    }
    let mut responses = Map::new();
    for status in [400, 401, 404, 409, 410, 413, 429, 500, 503] {
        let mut r = json!({
            "description": error_meaning(status),
            "content": json_content(json!({ "$ref": "#/components/schemas/Error" })),
        });
        if status == 429 {
            r["headers"] = json!({ "retry-after": { "required": true, "schema": { "type": "integer" },
                                   "description": "Seconds to wait." } });
        }
        if status == 503 {
            r["headers"] = json!({ "retry-after": { "required": false, "schema": { "type": "integer" },
                                   "description": "Seconds to wait; sent when the database is unreachable." } });
        }
        responses.insert(format!("E{status}"), r);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "digigate",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A self-hosted DigiLocker KYC gateway, wire-compatible with Sandbox's DigiLocker API.",
        },
        "paths": paths,
        "components": {
            "schemas": with_webhooks(schemas::components()),
            "responses": responses,
            "securitySchemes": {
                "apiKey": { "type": "apiKey", "in": "header", "name": "x-api-key" },
                "apiSecret": { "type": "apiKey", "in": "header", "name": "x-api-secret" },
                "accessToken": { "type": "apiKey", "in": "header", "name": "authorization",
                                 "description": "The raw access token (Sandbox style); `Bearer ` is accepted too." }
            }
        }
    })
}

/// `components.schemas` with the webhook schemas added.
fn with_webhooks(mut schemas: Value) -> Value {
    if let (Some(all), Value::Object(more)) = (schemas.as_object_mut(), webhooks::schemas()) {
        all.extend(more);
    }
    schemas
}

/// `GET /openapi.json`.
pub async fn serve() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests;
