//! The public API's wire contract: the typed request and response bodies the gateway answers
//! and the client reads, in Sandbox's shape.
//!
//! One definition serves the handlers (which build these and return them), the client (which
//! re-exports them), `/openapi.json` (with the `openapi` feature each derives utoipa's
//! `ToSchema`, its doc comments becoming the descriptions) and the snapshot tests that pin the
//! bytes. The bytes are the contract:
//! every object's fields are declared in the order the gateway has always written them (the
//! byte order of their names, as `serde_json`'s sorted maps wrote them when the answers were
//! built with `json!`), optional fields are left out exactly where they were, and numbers stay
//! numbers. A field added here is a visible snapshot diff.

mod documents;
mod envelope;
mod health;
mod requests;
#[cfg(feature = "openapi")]
mod schema;
mod session;
mod webhooks;

pub use documents::{
    CheckReport, DocumentAnswer, FileMetadata, FileRef, SourceStanding, CHECKS_ENTITY, FILE_ENTITY,
};
pub use envelope::{Envelope, ErrorEnvelope};
pub use health::Readiness;
pub use requests::{
    AddEndpointBody, ExpectedDetails, InitOptions, InitSessionBody, RedeliverBody, SdkSessionBody,
    VerifyUserBody,
};
pub use session::{
    AccessToken, Erasure, HistoryEntry, MissingDocument, SdkSessionCreated, SessionCreated,
    SessionStatusData, UserProfile, UserVerification, ERASURE_ENTITY, INIT_RESPONSE_ENTITY,
    PROFILE_ENTITY, SESSION_ENTITY, USER_VERIFICATION_ENTITY,
};
pub use webhooks::{
    EndpointAdded, EndpointList, EndpointRemoved, Redelivery, SecretRotated, WebhookDeliveries,
    WebhookDeliveryAttempt, WebhookEndpoint, WebhookEvent, WebhookEventData,
};

#[cfg(test)]
mod tests;
