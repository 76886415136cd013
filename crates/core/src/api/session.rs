//! Sessions: init, the SDK's create, status, erasure, the account lookup and the access token.

#[cfg(feature = "openapi")]
use super::schema;
use crate::DocType;
use serde::{Deserialize, Serialize};

/// The `@entity` of init's answer.
pub const INIT_RESPONSE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.response";
/// The `@entity` of a session's status (the SDK's status carries `SDK_SESSION_ENTITY`).
pub const SESSION_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session";
/// The `@entity` of an erasure receipt (a digigate extension).
pub const ERASURE_ENTITY: &str = "in.co.digigate.kyc.digilocker.session.erasure";
/// The `@entity` of the account lookup's answer.
pub const USER_VERIFICATION_ENTITY: &str =
    "in.co.sandbox.kyc.digilocker.user.verification.response";

/// `POST /kyc/digilocker/sessions/init`'s answer; also what an `Idempotency-Key` replays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionCreated {
    /// [`INIT_RESPONSE_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::init_response_entity))]
    pub entity: String,
    /// The gateway's `/connect/{link_id}` link to send the person to.
    #[cfg_attr(feature = "openapi", schema(format = "uri"))]
    pub authorization_url: String,
    /// The session's id, for status, profile and documents.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub session_id: String,
}

/// `POST /kyc/digilocker-sdk/sessions/create`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SdkSessionCreated {
    /// [`crate::SDK_SESSION_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::sdk_session_entity))]
    pub entity: String,
    /// When it was created, epoch milliseconds.
    pub created_at: i64,
    /// The session's id, handed to the web SDK.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// `created`.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::created))]
    pub status: String,
}

/// A consented document DigiLocker did not provide, and why (a digigate extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingDocument {
    /// The document type.
    pub doc_type: DocType,
    /// A machine-readable reason (a [`crate::MissingReason`] word: `not_issued`, …).
    pub reason: String,
}

/// One status a session entered, and when (epoch milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// When the status was entered.
    pub at: i64,
    /// The status.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::SessionStatus))]
    pub status: String,
}

/// A session's status (`…/sessions/{id}/status`, and the SDK's with its own `@entity`).
/// Sandbox's fields plus digigate's `updated_at`, `history` and, where they apply,
/// `documents_missing`, `erased_at`, `reason` and `retryable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionStatusData {
    /// [`SESSION_ENTITY`] or [`crate::SDK_SESSION_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::session_entity))]
    pub entity: String,
    /// When init was called, epoch milliseconds.
    pub created_at: i64,
    /// The documents the person consented to; present once the session succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub documents_consented: Option<Vec<DocType>>,
    /// Consented documents DigiLocker did not provide; present when there are some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub documents_missing: Option<Vec<MissingDocument>>,
    /// When a succeeded session's documents were erased, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub erased_at: Option<i64>,
    /// Every status with the time it was entered, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The session's id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// Why a failed session failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, value_type = Option<crate::FailureReason>))]
    pub reason: Option<String>,
    /// Whether a failed session's person may simply try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub retryable: Option<bool>,
    /// Where the session is (`created`, `initialized`, `authorized`, `succeeded`, …).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::SessionStatus))]
    pub status: String,
    /// When the status last changed, epoch milliseconds.
    pub updated_at: i64,
}

/// `DELETE …/sessions/{id}`'s receipt (a digigate extension); a repeat answers the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erasure {
    /// [`ERASURE_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::erasure_entity))]
    pub entity: String,
    /// When the documents and profile were erased (the first time), epoch milliseconds.
    pub erased_at: i64,
    /// The session erased.
    pub session_id: String,
}

/// `POST /kyc/digilocker/user/verify`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserVerification {
    /// [`USER_VERIFICATION_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::verification_entity))]
    pub entity: String,
    /// Whether DigiLocker has an account for the number.
    pub user_exists: bool,
}

/// `POST /authenticate`'s answer. Its `Debug` leaves the token out: it is a credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessToken {
    /// The access token (a JWT) for the other endpoints: send it as is in `authorization`.
    pub access_token: String,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken").finish_non_exhaustive()
    }
}

/// The `@entity` of the DigiLocker user's profile.
pub const PROFILE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.user.profile";

/// `…/sessions/{id}/user/profile`'s answer: the DigiLocker user's details in Sandbox's shape,
/// as stored when the session succeeded (empty strings where DigiLocker said nothing).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    /// [`PROFILE_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::profile_entity))]
    pub entity: String,
    /// `DD/MM/YYYY`, or empty.
    pub date_of_birth: String,
    /// Whether the person's DigiLocker holds an e-Aadhaar.
    pub eaadhaar: bool,
    /// E-mail address, or empty.
    pub email: String,
    /// `male`, `female`, `transgender`, or empty.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::gender))]
    pub gender: String,
    /// The person's stable DigiLocker id.
    pub id: String,
    /// Mobile number, or empty.
    pub mobile: String,
    /// Full name.
    pub name: String,
}

/// Personal data stays out of `Debug` (and so out of logs): only the id is shown.
impl std::fmt::Debug for UserProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserProfile")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
