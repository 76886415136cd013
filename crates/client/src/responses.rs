//! The `data` of the API's answers, typed, with the raw JSON kept for fields this client does not
//! name.

use crate::DocType;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;
use url::Url;

/// The answer of `sessions/init`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionCreated {
    /// The session's id, for status, profile and documents.
    pub session_id: String,
    /// The link to send the person to (a gateway `/connect/…` link).
    pub authorization_url: Url,
}

/// Where a session is in its life cycle. Unknown strings are kept, not rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// Init was called; the person has not opened the link yet.
    Created,
    /// The person opened the link and was sent to DigiLocker.
    Initialized,
    /// DigiLocker sent the person back; documents are being fetched.
    Authorized,
    /// Documents were fetched and stored.
    Succeeded,
    /// The journey ended without documents (see [`SessionStatus::reason`]).
    Failed,
    /// The link or the consent window lapsed.
    Expired,
    /// A status this client does not know.
    Other(String),
}

impl Status {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Created => "created",
            Status::Initialized => "initialized",
            Status::Authorized => "authorized",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Expired => "expired",
            Status::Other(s) => s,
        }
    }

    /// Parses a wire name; anything unknown becomes [`Status::Other`].
    pub fn parse(s: &str) -> Self {
        match s {
            "created" => Status::Created,
            "initialized" => Status::Initialized,
            "authorized" => Status::Authorized,
            "succeeded" => Status::Succeeded,
            "failed" => Status::Failed,
            "expired" => Status::Expired,
            other => Status::Other(other.to_owned()),
        }
    }

    /// Whether the session can no longer change (succeeded, failed or expired).
    pub fn is_final(&self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Expired)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Status::parse(&String::deserialize(d)?))
    }
}

/// A consented document that DigiLocker did not provide, and why: the gateway's own wire type.
pub use digigate_core::api::MissingDocument;

/// The answer of `sessions/{id}/status`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionStatus {
    /// The session id.
    pub id: String,
    /// Where the session is.
    pub status: Status,
    /// When init was called.
    #[serde(deserialize_with = "millis")]
    pub created_at: DateTime<Utc>,
    /// When the status last changed.
    #[serde(default, deserialize_with = "optional_millis")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The documents the person consented to (present once the session succeeded).
    #[serde(default)]
    pub documents_consented: Vec<DocType>,
    /// Consented documents DigiLocker did not provide (a digigate extension).
    #[serde(default)]
    pub documents_missing: Vec<MissingDocument>,
    /// Why the session failed (a digigate extension: `consent_denied`, `repository_unavailable`, …).
    #[serde(default)]
    pub reason: Option<String>,
    /// When the session's documents were erased, if they were (a digigate extension).
    #[serde(default, deserialize_with = "optional_millis")]
    pub erased_at: Option<DateTime<Utc>>,
    /// The whole `data` object as answered.
    #[serde(skip)]
    pub raw: Value,
}

/// The cross-document check report (`sessions/{id}/checks`, a digigate extension): name, date
/// of birth and gender compared across the signed documents, the profile and what the business
/// expected at init.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckReport {
    /// The session checked.
    pub session_id: String,
    /// `match`, `partial`, `mismatch` or `insufficient` (too little verified evidence).
    pub outcome: String,
    /// The whole `data` object as answered (per-field results and each source's standing).
    #[serde(skip)]
    pub raw: Value,
}

/// The receipt of an erasure (`DELETE sessions/{id}`, a digigate extension).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Erasure {
    /// The session erased.
    pub session_id: String,
    /// When its documents and profile were erased (the first time, on a repeat).
    #[serde(deserialize_with = "millis")]
    pub erased_at: DateTime<Utc>,
}

/// The DigiLocker user's profile (`sessions/{id}/user/profile`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UserProfile {
    /// The stable DigiLocker id of the person.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Date of birth as `DD/MM/YYYY` (an epoch-milliseconds value, as older Sandbox answers
    /// sent, is converted to that form in Indian time).
    #[serde(deserialize_with = "date_of_birth")]
    pub date_of_birth: String,
    /// `male`, `female`, `transgender`, or empty.
    #[serde(default)]
    pub gender: String,
    /// Whether the person's DigiLocker has an e-Aadhaar.
    #[serde(default)]
    pub eaadhaar: bool,
    /// Mobile number, or empty.
    #[serde(default)]
    pub mobile: String,
    /// Email address, or empty.
    #[serde(default)]
    pub email: String,
    /// The whole `data` object as answered.
    #[serde(skip)]
    pub raw: Value,
}

/// The metadata of a document file, in Sandbox's (capitalised) names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct FileMetadata {
    /// MIME type (`application/xml`).
    #[serde(rename = "ContentType")]
    pub content_type: String,
    /// DigiLocker issuer id (`in.gov.uidai`).
    pub issuer_id: String,
    /// Issuer's name.
    pub issuer: String,
    /// Last modified, `DD/MM/YYYY`.
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// What the document is (`Aadhaar Card`).
    pub description: String,
}

/// One downloadable file of a document: a short-lived signed link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FileRef {
    /// Where to download it (see [`crate::DigigateClient::download`]); needs no credentials.
    pub url: Url,
    /// Its size in bytes.
    pub size: u64,
    /// What it is.
    pub metadata: FileMetadata,
}

/// The answer of `sessions/{id}/documents/{doc_type}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DocumentFiles {
    /// The files of the document (one XML file from digigate).
    pub files: Vec<FileRef>,
    /// The whole `data` object as answered.
    #[serde(skip)]
    pub raw: Value,
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let ms = i64::deserialize(d)?;
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| serde::de::Error::custom("timestamp out of range"))
}

fn optional_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<i64>::deserialize(d)? {
        None => Ok(None),
        Some(ms) => DateTime::from_timestamp_millis(ms)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("timestamp out of range")),
    }
}

fn date_of_birth<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        Value::Number(n) => {
            let ist = FixedOffset::east_opt(5 * 3600 + 1800).expect("valid offset");
            n.as_i64()
                .and_then(DateTime::from_timestamp_millis)
                .map(|t| t.with_timezone(&ist).format("%d/%m/%Y").to_string())
                .ok_or_else(|| serde::de::Error::custom("date_of_birth out of range"))
        }
        _ => Err(serde::de::Error::custom(
            "date_of_birth must be a string or epoch milliseconds",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_statuses_are_kept_rather_than_rejected() {
        let s: Status = serde_json::from_value(json!("paused")).unwrap();
        assert_eq!(s, Status::Other("paused".into()));
        assert!(!s.is_final());
        let s: Status = serde_json::from_value(json!("expired")).unwrap();
        assert!(s.is_final());
    }

    #[test]
    fn a_created_session_decodes_without_the_optional_fields() {
        let s: SessionStatus = serde_json::from_value(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session",
            "id": "839fd8a0-d645-42e1-a904-bb43353b0139",
            "created_at": 1752579445983i64,
            "status": "created"
        }))
        .unwrap();
        assert_eq!(s.status, Status::Created);
        assert_eq!(s.created_at.timestamp_millis(), 1752579445983);
        assert!(s.updated_at.is_none() && s.documents_consented.is_empty());
    }

    #[test]
    fn a_date_of_birth_in_epoch_milliseconds_becomes_day_month_year() {
        let p: UserProfile = serde_json::from_value(json!({
            "id": "b5522c8f-2321-577b-8e73-ae1366d9c591",
            "name": "Kaival Hemanshu Mehta",
            "date_of_birth": 1071145000000i64,
            "gender": "male",
            "eaadhaar": true,
            "mobile": "9825013730"
        }))
        .unwrap();
        assert_eq!(p.date_of_birth, "11/12/2003");
        assert_eq!(p.email, "");
    }
}
