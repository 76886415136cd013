//! A session's results: a document's files, the cross-document check report.

#[cfg(feature = "openapi")]
use super::schema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `@entity` of a document file, as Sandbox names it.
pub const FILE_ENTITY: &str = "org.quicko.drive.file";
/// The `@entity` of the check report (a digigate extension).
pub const CHECKS_ENTITY: &str = "in.co.digigate.kyc.digilocker.checks";

/// The metadata of a document file, in Sandbox's (partly capitalised) names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileMetadata {
    /// MIME type (`application/xml`).
    #[serde(rename = "ContentType")]
    pub content_type: String,
    /// Last modified, as DigiLocker said (`DD/MM/YYYY`).
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// What the document is (`Aadhaar Card`).
    pub description: String,
    /// The issuer's name.
    pub issuer: String,
    /// DigiLocker's issuer id (`in.gov.uidai`).
    pub issuer_id: String,
}

/// One downloadable file of a document: a short-lived signed link that needs no credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    /// [`FILE_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::file_entity))]
    pub entity: String,
    /// What the file is.
    pub metadata: FileMetadata,
    /// Its size in bytes.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub size: i64,
    /// Where to download it: a signed digigate link, valid for minutes.
    #[cfg_attr(feature = "openapi", schema(format = "uri"))]
    pub url: String,
}

/// `…/sessions/{id}/documents/{doc_type}`'s answer: Sandbox's `files[]`, and beside them the
/// normalised document, its signature verification and a plain `verified` flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentAnswer {
    /// The normalised document (its model depends on the type; `photo` only when asked for),
    /// or `null` when its signature did not verify, since unverified bytes are never parsed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub document: Value,
    /// The document's files (digigate answers one, the XML DigiLocker issued).
    pub files: Vec<FileRef>,
    /// The signature verification report (`status`, `reason`, signer, …), or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub verification: Value,
    /// Whether the signature verified against the configured roots: true only when
    /// `verification.status` is `verified`.
    pub verified: bool,
    /// Present when not verified: the contents are not proven to come from DigiLocker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub warning: Option<String>,
}

/// How far one source of the check report can be relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceStanding {
    /// `aadhaar`, `pan`, `driving_license`, `profile` or `expected`.
    pub source: String,
    /// `verified`, `unverified`, `failed`, `unsigned` or `claimed`.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::standing))]
    pub standing: String,
}

/// `…/sessions/{id}/checks`' answer (a digigate extension): name, date of birth and gender
/// compared across the signed documents, the profile and what the business expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckReport {
    /// [`CHECKS_ENTITY`].
    #[serde(rename = "@entity")]
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::checks_entity))]
    pub entity: String,
    /// One comparison per field (name, date of birth, gender), as the documents crate's
    /// `FieldCheck` writes it.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::check_fields))]
    pub fields: Value,
    /// `match`, `partial`, `mismatch` or `insufficient`.
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::check_outcome))]
    pub outcome: String,
    /// The session checked.
    pub session_id: String,
    /// The sources compared, in order.
    pub sources: Vec<String>,
    /// Each source's standing, in the same order.
    pub standings: Vec<SourceStanding>,
}
