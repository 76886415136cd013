//! Domain types of digigate: the documents a person can share, consent sessions and their
//! state machine, the Sandbox-compatible init request and API key identifiers. No IO lives here.

pub mod api;
pub mod doc_type;
pub mod init;
pub mod keys;
pub mod sdk;
pub mod session;
pub mod verify;

pub use doc_type::DocType;
pub use init::{
    Flow, InitRequest, SessionOptions, ValidationError, VerificationMethod, INIT_ENTITY,
};
pub use keys::{ApiKeyId, KeyEnvironment};
pub use sdk::{SdkSessionRequest, SDK_SESSION_ENTITY, SDK_SESSION_REQUEST_ENTITY};
pub use session::{FailureReason, MissingReason, SessionEventType, SessionStatus};
pub use verify::VerifyUserRequest;
