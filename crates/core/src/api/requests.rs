//! The request bodies of the API as Sandbox documents them. The gateway validates each body
//! field by field from its JSON (`InitRequest::from_json` and its siblings), so that a bad body
//! is answered with a message naming the field; these types are the shape those validators
//! accept, for `/openapi.json` and for callers that build a body (`api/tests.rs` holds every
//! fully populated one accepted by its validator). An optional field sent as `null` counts as
//! absent.

#[cfg(feature = "openapi")]
use super::schema;
use crate::{DocType, Flow, VerificationMethod};
use serde::{Deserialize, Serialize};

/// `POST /kyc/digilocker/sessions/init`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InitSessionBody {
    /// [`crate::INIT_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::init_request_entity))]
    pub entity: String,
    /// `signin` for existing DigiLocker users, `signup` to create an account.
    pub flow: Flow,
    /// Where the person is sent back to: `https://` (in development mode `http://localhost`
    /// too).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "uri", pattern = "^https://", max_length = 2048)
    )]
    pub redirect_url: String,
    /// The documents asked for: one to three, no type twice.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::doc_types))]
    pub doc_types: Vec<DocType>,
    /// How DigiLocker's pages behave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<InitOptions>,
    /// digigate's addition: details the business already holds, compared by the checks
    /// endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<ExpectedDetails>,
    /// When consent lapses, epoch milliseconds (10-digit seconds are accepted too); at least
    /// one hour and at most 365 days ahead. Default: one hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_expiry: Option<i64>,
}

/// The `options` of an init body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InitOptions {
    /// Sign in with OTP only (signin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinless: Option<bool>,
    /// Skip username creation (signup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usernameless: Option<bool>,
    /// A mobile number the business already verified (signup skips its OTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[6-9][0-9]{9}$"))]
    pub verified_mobile: Option<String>,
    /// The verification methods allowed on sign-up, at least one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub verification_method: Option<Vec<VerificationMethod>>,
}

/// `expected` of an init body: what the business believes about the person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpectedDetails {
    /// The person's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    /// `DD-MM-YYYY`, `DD/MM/YYYY`, `YYYY-MM-DD` or `YYYY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// `M`, `F`, `T`, `male`, `female` or `transgender` (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
}

/// `POST /kyc/digilocker-sdk/sessions/create`'s body: init's `flow` and `doc_types`, and no
/// other field (no `redirect_url`, no `options`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SdkSessionBody {
    /// [`crate::SDK_SESSION_REQUEST_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::sdk_request_entity))]
    pub entity: String,
    /// `signin` for existing DigiLocker users, `signup` to create an account.
    pub flow: Flow,
    /// The documents asked for: one to three, no type twice.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::doc_types))]
    pub doc_types: Vec<DocType>,
}

/// `POST /kyc/digilocker/user/verify`'s body: at least one of `aadhaar_number` and `mobile`;
/// the Aadhaar number wins when both are given. Its schema (`api/schema.rs`) is written out,
/// as derive cannot say "one of the two".
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyUserBody {
    /// [`crate::verify::VERIFY_ENTITY`].
    #[serde(rename = "@entity")]
    pub entity: String,
    /// A 12-digit Aadhaar number, used for the lookup only and never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aadhaar_number: Option<String>,
    /// A 10-digit mobile number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
}

/// The numbers are personal data: `Debug` leaves them out.
impl std::fmt::Debug for VerifyUserBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyUserBody").finish_non_exhaustive()
    }
}

/// `POST /webhooks/endpoints`' body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddEndpointBody {
    /// `https` only (`http` to loopback in development mode); private, loopback, link-local
    /// and metadata addresses are refused after DNS resolution unless the operator allows
    /// private targets.
    #[cfg_attr(feature = "openapi", schema(format = "uri"))]
    pub url: String,
}

/// `POST /webhooks/endpoints/{endpoint_id}/redeliver`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeliverBody {
    /// An event id (`webhook-id`) or a delivery id.
    pub id: String,
}
