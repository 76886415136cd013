//! The rows digigate stores, as plain values. Records holding secrets or sealed (encrypted)
//! personal data write their `Debug` by hand so those fields never reach a log.

use digigate_core::{
    DocType, FailureReason, Flow, SessionEventType, SessionOptions, SessionStatus,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An API key a business calls the gateway with; only the hash of its secret is kept.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// The public key id (`key_live_…`).
    pub id: String,
    /// A name the operator gave the key.
    pub name: String,
    /// The hash of the key's secret (never shown by `Debug`).
    pub secret_hash: String,
    /// When the key was created, epoch milliseconds.
    pub created_at_ms: i64,
    /// When the key was disabled, if it is.
    pub disabled_at_ms: Option<i64>,
    /// The redirect URLs sessions of this key may use.
    pub redirect_urls: Vec<String>,
    /// Bumped by every secret rotation; tokens issued under an older generation are refused.
    pub generation: i64,
    /// The key that signs the redirect back to the business (`ts`, `sig`), sealed with the KEK
    /// (it must be usable to sign, so it is not hashed); `None` for a key made before it existed
    /// until the operator issues one. Never shown by `Debug`.
    pub redirect_secret_sealed: Option<Vec<u8>>,
}

impl fmt::Debug for ApiKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("created_at_ms", &self.created_at_ms)
            .field("disabled_at_ms", &self.disabled_at_ms)
            .field("redirect_urls", &self.redirect_urls)
            .field(
                "has_redirect_secret",
                &self.redirect_secret_sealed.is_some(),
            )
            .finish_non_exhaustive()
    }
}

/// A consent session: one person's journey through DigiLocker for one business.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The session id.
    pub id: String,
    /// The API key that created the session (its tenant).
    pub api_key_id: String,
    /// Where the session is in its life cycle.
    pub status: SessionStatus,
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// The documents asked for.
    pub doc_types: Vec<DocType>,
    /// Where the person is sent when the journey ends.
    pub redirect_url: String,
    /// Page options of the init request.
    pub options: SessionOptions,
    /// When consent lapses, epoch milliseconds.
    pub consent_expiry_ms: i64,
    /// The id in the consent link handed to the person (unique).
    pub link_id: String,
    /// When the consent link stops working, epoch milliseconds.
    pub link_expires_at_ms: i64,
    /// When the session was created, epoch milliseconds.
    pub created_at_ms: i64,
    /// When the session last changed status, epoch milliseconds.
    pub updated_at_ms: i64,
    /// Why the session failed, if it did.
    pub failure_reason: Option<FailureReason>,
    /// The documents the person consented to share.
    pub documents_consented: Vec<DocType>,
    /// The requested documents that could not be fetched, and why.
    pub documents_missing: Vec<MissingDocument>,
    /// When the session's documents, profile and data key were erased.
    pub erased_at_ms: Option<i64>,
    /// The details the business expects (name, date of birth, gender), sealed with the KEK.
    pub expected_sealed: Option<Vec<u8>>,
}

impl fmt::Debug for SessionRecord {
    // The options may carry a mobile number and the expected details are personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("id", &self.id)
            .field("api_key_id", &self.api_key_id)
            .field("status", &self.status)
            .field("doc_types", &self.doc_types)
            .field("failure_reason", &self.failure_reason)
            .field("updated_at_ms", &self.updated_at_ms)
            .finish_non_exhaustive()
    }
}

/// A requested document that could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingDocument {
    /// The document type.
    pub doc_type: DocType,
    /// Why it is missing, as a machine-readable word.
    pub reason: String,
}

/// A pending authorization: the OAuth `state` sent to DigiLocker, stored as a hash until the
/// callback consumes it once.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationRecord {
    /// The hash of the `state` parameter (primary key).
    pub state_hash: String,
    /// The session being authorized.
    pub session_id: String,
    /// The hash binding the authorization to the browser that started it.
    pub binding_hash: String,
    /// The encrypted PKCE code verifier (never shown by `Debug`).
    pub pkce_verifier_sealed: Vec<u8>,
    /// When the authorization started, epoch milliseconds.
    pub created_at_ms: i64,
    /// When the `state` stops being accepted, epoch milliseconds.
    pub expires_at_ms: i64,
}

impl fmt::Debug for AuthorizationRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRecord")
            .field("state_hash", &self.state_hash)
            .field("session_id", &self.session_id)
            .field("binding_hash", &self.binding_hash)
            .field("created_at_ms", &self.created_at_ms)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// The encrypted DigiLocker tokens of a session.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamTokenRecord {
    /// The session the tokens belong to.
    pub session_id: String,
    /// The encrypted access token (never shown by `Debug`).
    pub access_token_sealed: Vec<u8>,
    /// The encrypted refresh token, if one was issued (never shown by `Debug`).
    pub refresh_token_sealed: Option<Vec<u8>>,
    /// When the access token expires, epoch milliseconds.
    pub expires_at_ms: Option<i64>,
    /// When the token was revoked upstream.
    pub revoked_at_ms: Option<i64>,
}

impl fmt::Debug for UpstreamTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamTokenRecord")
            .field("session_id", &self.session_id)
            .field("has_refresh_token", &self.refresh_token_sealed.is_some())
            .field("expires_at_ms", &self.expires_at_ms)
            .field("revoked_at_ms", &self.revoked_at_ms)
            .finish_non_exhaustive()
    }
}

/// A fetched document, encrypted with its session's data key.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    /// The document id.
    pub id: String,
    /// The session that fetched it.
    pub session_id: String,
    /// Which document it is (one per type per session).
    pub doc_type: DocType,
    /// The MIME type of the plaintext.
    pub content_type: String,
    /// The plaintext size in bytes.
    pub size: i64,
    /// The hex SHA-256 of the plaintext.
    pub sha256: String,
    /// DigiLocker's URI of the issued document.
    pub uri: String,
    /// DigiLocker's issuer id.
    pub issuer_id: String,
    /// The issuer's name.
    pub issuer: String,
    /// DigiLocker's description of the document.
    pub description: String,
    /// DigiLocker's last-modified stamp, as sent.
    pub last_modified: String,
    /// The encrypted content (never shown by `Debug`).
    pub sealed: Vec<u8>,
    /// When the document was stored, epoch milliseconds.
    pub created_at_ms: i64,
    /// The signature verification report (JSON; no personal data).
    pub verification: Option<String>,
    /// The normalised document (JSON), encrypted like the content.
    pub normalised_sealed: Option<Vec<u8>>,
}

impl fmt::Debug for DocumentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentRecord")
            .field("id", &self.id)
            .field("session_id", &self.session_id)
            .field("doc_type", &self.doc_type)
            .field("content_type", &self.content_type)
            .field("size", &self.size)
            .field("created_at_ms", &self.created_at_ms)
            .finish_non_exhaustive()
    }
}

/// The encrypted profile (name, date of birth, …) DigiLocker returned for a session.
#[derive(Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    /// The session the profile belongs to.
    pub session_id: String,
    /// The encrypted profile (never shown by `Debug`).
    pub sealed: Vec<u8>,
}

impl fmt::Debug for ProfileRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileRecord")
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// A session's data key, wrapped (encrypted) by a key-encryption key.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKeyRecord {
    /// The session whose data the key encrypts.
    pub session_id: String,
    /// The wrapped key (never shown by `Debug`).
    pub wrapped_key: Vec<u8>,
    /// Which key-encryption key wrapped it.
    pub kek_id: String,
    /// When the key was created, epoch milliseconds.
    pub created_at_ms: i64,
}

impl fmt::Debug for DataKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeyRecord")
            .field("session_id", &self.session_id)
            .field("kek_id", &self.kek_id)
            .field("created_at_ms", &self.created_at_ms)
            .finish_non_exhaustive()
    }
}

/// Everything a successful fetch produced, stored at once by [`crate::Store::complete_session`].
#[derive(Clone)]
pub struct CompletedSession {
    /// The session that succeeded.
    pub session_id: String,
    /// The wrapped key the documents and profile are encrypted with.
    pub data_key: DataKeyRecord,
    /// The fetched documents.
    pub documents: Vec<DocumentRecord>,
    /// The profile, if DigiLocker returned one.
    pub profile: Option<ProfileRecord>,
    /// The documents the person consented to share.
    pub documents_consented: Vec<DocType>,
    /// The requested documents that could not be fetched.
    pub documents_missing: Vec<MissingDocument>,
    /// The completion time, epoch milliseconds.
    pub now_ms: i64,
}

impl fmt::Debug for CompletedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletedSession")
            .field("session_id", &self.session_id)
            .field("data_key", &self.data_key)
            .field("documents", &self.documents)
            .field("profile", &self.profile)
            .field("documents_consented", &self.documents_consented)
            .field("documents_missing", &self.documents_missing)
            .field("now_ms", &self.now_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_omits_secrets_and_sealed_data() {
        let secret = vec![0xde, 0xad, 0xbe, 0xef];
        let key = ApiKeyRecord {
            id: "key_test_abc".into(),
            name: "n".into(),
            secret_hash: "HASH-SECRET".into(),
            created_at_ms: 1,
            disabled_at_ms: None,
            redirect_urls: vec![],
            generation: 0,
            redirect_secret_sealed: Some(secret.clone()),
        };
        let auth = AuthorizationRecord {
            state_hash: "s".into(),
            session_id: "x".into(),
            binding_hash: "b".into(),
            pkce_verifier_sealed: secret.clone(),
            created_at_ms: 1,
            expires_at_ms: 2,
        };
        let token = UpstreamTokenRecord {
            session_id: "x".into(),
            access_token_sealed: secret.clone(),
            refresh_token_sealed: Some(secret.clone()),
            expires_at_ms: None,
            revoked_at_ms: None,
        };
        let profile = ProfileRecord {
            session_id: "x".into(),
            sealed: secret.clone(),
        };
        let data_key = DataKeyRecord {
            session_id: "x".into(),
            wrapped_key: secret.clone(),
            kek_id: "k".into(),
            created_at_ms: 1,
        };
        let rendered = format!("{key:?} {auth:?} {token:?} {profile:?} {data_key:?}");
        assert!(!rendered.contains("HASH-SECRET"), "{rendered}");
        assert!(!rendered.contains("222, 173"), "{rendered}");
        assert!(rendered.contains("key_test_abc"));
    }
}

/// One line of the append-only audit log: who did what to which session, identifiers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When it happened, epoch milliseconds.
    pub at_ms: i64,
    /// The API key that acted, if any (the person's browser and the sweeper act without one).
    pub api_key_id: Option<String>,
    /// The session acted on, if any.
    pub session_id: Option<String>,
    /// What happened, e.g. `session.created`, `document.read`, `session.erased`.
    pub action: String,
    /// Identifiers or outcome words only (a document type, a failure reason); never personal data.
    pub detail: Option<String>,
}

/// One change in a session's life, written in the transaction that made it: the history the
/// status answers and the outbox webhooks are delivered from. Identifiers, statuses and
/// reasons only; never personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEventRecord {
    /// `evt_` + 32 lowercase hex characters; the same id on every delivery of the event.
    pub id: String,
    /// The session it happened to.
    pub session_id: String,
    /// The session's API key (whose webhook endpoints hear of it).
    pub api_key_id: String,
    /// 1, 2, 3 … within the session, in the order the changes committed.
    pub seq: i64,
    /// What happened.
    pub event_type: SessionEventType,
    /// The session's status after the event.
    pub status: SessionStatus,
    /// Why the session failed, on `session.failed`.
    pub reason: Option<FailureReason>,
    /// When it happened, epoch milliseconds.
    pub at_ms: i64,
}
