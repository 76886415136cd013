//! The pieces operations share: the credential headers and path parameters
//! (`IntoParams`), and the error answers each kind of operation can give (`IntoResponses`),
//! named in `#[utoipa::path(params(…), responses(…))]` on the handlers.

use digigate_core::DocType;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Ref, Type};
use utoipa::openapi::{RefOr, Required, Response};
use utoipa::{IntoParams, IntoResponses, ToSchema};

fn string_param(name: &str, at: ParameterIn, required: bool, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description))
        .build()
}

fn version_header() -> Parameter {
    ParameterBuilder::new()
        .name("x-api-version")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .examples(["1.0.0"]),
        ))
        .description(Some("Accepted and ignored, as Sandbox's clients send it."))
        .build()
}

/// The headers every API call carries (Sandbox's contract).
pub struct ApiHeaders;

impl IntoParams for ApiHeaders {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            string_param(
                "x-api-key",
                ParameterIn::Header,
                true,
                "The API key the access token was issued to.",
            ),
            string_param(
                "authorization",
                ParameterIn::Header,
                true,
                "The access token from `/authenticate`, without `Bearer ` (which is accepted too).",
            ),
            version_header(),
        ]
    }
}

/// The headers of `POST /authenticate`.
pub struct KeyHeaders;

impl IntoParams for KeyHeaders {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            string_param("x-api-key", ParameterIn::Header, true, "The API key."),
            string_param("x-api-secret", ParameterIn::Header, true, "Its secret."),
            version_header(),
        ]
    }
}

/// `{session_id}` in a path.
pub struct SessionPath;

impl IntoParams for SessionPath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![string_param(
            "session_id",
            ParameterIn::Path,
            true,
            "The `session_id` that init answered.",
        )]
    }
}

/// `{doc_type}` in a document's path, and its `include` query.
pub struct DocumentParams;

impl IntoParams for DocumentParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let doc_type = ParameterBuilder::new()
            .name("doc_type")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .schema(Some(Ref::from_schema_name(DocType::name())))
            .description(Some("Must be one of the consented types."))
            .build();
        vec![
            doc_type,
            string_param(
                "include",
                ParameterIn::Query,
                false,
                "`photo` (also in a comma list) to keep the holder's photo in `document`.",
            ),
        ]
    }
}

/// `{endpoint_id}` in a path.
pub struct EndpointPath;

impl IntoParams for EndpointPath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![string_param(
            "endpoint_id",
            ParameterIn::Path,
            true,
            "The `endpoint_id` that adding the endpoint answered.",
        )]
    }
}

/// Every error status an API operation may answer, each a reference to the one response
/// (`components.responses.E{status}`, the error envelope) that `document` describes.
pub const ERROR_STATUSES: [u16; 10] = [400, 401, 404, 409, 410, 413, 422, 429, 500, 503];

fn refs(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|s| {
            let r = Ref::from_response_name(format!("E{s}"));
            (s.to_string(), RefOr::Ref(r))
        })
        .collect()
}

/// The error answers a kind of operation can give. Every API call that reads or writes the
/// database may also answer 503 while it is away.
macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident: [$($status:literal),+];)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    refs(&[$($status),+])
                }
            }
        )+
    };
}

error_sets! {
    /// `POST /authenticate`.
    AuthenticateErrors: [401, 429, 500, 503];
    /// An operation on the caller's session, or on the caller's own things.
    CallerErrors: [401, 404, 429, 500, 503];
    /// An operation with a JSON body (the account lookup, init, the SDK's create, adding an
    /// endpoint).
    BodyErrors: [400, 401, 413, 429, 500, 503];
    /// The results of a succeeded session (profile, checks).
    ResultErrors: [401, 404, 409, 410, 429, 500, 503];
    /// A consented document.
    DocumentErrors: [400, 401, 404, 409, 410, 429, 500, 503];
    /// Init: a body, and an `Idempotency-Key` that may have been used with another body.
    InitErrors: [400, 401, 413, 422, 429, 500, 503];
    /// The list of the caller's endpoints.
    ListErrors: [401, 429, 500, 503];
    /// Redelivery: a body, on one of the caller's endpoints.
    RedeliverErrors: [400, 401, 404, 413, 429, 500, 503];
    /// A signed download link.
    DownloadErrors: [404, 410, 429, 500];
    /// The web SDK's script (an unknown name), and the demo page outside development mode.
    NotFoundErrors: [404];
}
