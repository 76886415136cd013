//! Sample records for the suite, and a helper that walks a session to `authorized`.

use digigate_core::{DocType, FailureReason, Flow, SessionOptions, SessionStatus};
use digigate_store::{
    ApiKeyRecord, AuthorizationRecord, CompletedSession, DataKeyRecord, DocumentRecord,
    MissingDocument, ProfileRecord, SessionRecord, Store,
};

/// "Now" in every test, epoch milliseconds.
pub const NOW: i64 = 1_750_000_000_000;
pub const MINUTE: i64 = 60_000;

/// Every byte value once, so a blob that round-trips it was stored untouched.
pub fn all_bytes() -> Vec<u8> {
    (0..=255u8).collect()
}

pub fn key(id: &str, created_at_ms: i64) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.to_owned(),
        name: format!("key {id}"),
        secret_hash: format!("$argon2id$hash-of-{id}"),
        created_at_ms,
        disabled_at_ms: None,
        redirect_urls: vec![
            "https://example.com/done?a=1,2".to_owned(),
            "https://example.org/".to_owned(),
        ],
        generation: 0,
        redirect_secret_sealed: Some(format!("sealed-redirect-secret-of-{id}").into_bytes()),
    }
}

/// A fresh session of `api_key_id` whose link is valid for 15 more minutes.
pub fn session(id: &str, api_key_id: &str) -> SessionRecord {
    SessionRecord {
        id: id.to_owned(),
        api_key_id: api_key_id.to_owned(),
        status: SessionStatus::Created,
        flow: Flow::Signin,
        doc_types: vec![DocType::Aadhaar, DocType::Pan],
        redirect_url: "https://example.com/done".to_owned(),
        options: SessionOptions::default(),
        consent_expiry_ms: NOW + 60 * MINUTE,
        link_id: format!("link-{id}"),
        link_expires_at_ms: NOW + 15 * MINUTE,
        created_at_ms: NOW,
        updated_at_ms: NOW,
        failure_reason: None,
        documents_consented: vec![],
        documents_missing: vec![],
        erased_at_ms: None,
        expected_sealed: None,
    }
}

/// A session with every optional field filled in.
pub fn full_session(id: &str, api_key_id: &str) -> SessionRecord {
    SessionRecord {
        status: SessionStatus::Failed,
        flow: Flow::Signup,
        doc_types: DocType::ALL.to_vec(),
        options: SessionOptions {
            pinless: true,
            usernameless: true,
            verified_mobile: Some("9876543210".to_owned()),
            verification_method: vec!["aadhaar".to_owned(), "mobile".to_owned()],
        },
        failure_reason: Some(FailureReason::UpstreamAuthorizationError),
        documents_consented: vec![DocType::DrivingLicense, DocType::Aadhaar],
        documents_missing: vec![MissingDocument {
            doc_type: DocType::Pan,
            reason: "not_issued".to_owned(),
        }],
        erased_at_ms: Some(NOW + 5),
        expected_sealed: Some(all_bytes()),
        updated_at_ms: NOW + 7,
        ..session(id, api_key_id)
    }
}

pub fn authorization(session_id: &str, state: &str) -> AuthorizationRecord {
    AuthorizationRecord {
        state_hash: format!("state-{state}"),
        session_id: session_id.to_owned(),
        binding_hash: format!("binding-{state}"),
        pkce_verifier_sealed: all_bytes(),
        created_at_ms: NOW,
        expires_at_ms: NOW + 10 * MINUTE,
    }
}

pub fn document(id: &str, session_id: &str, doc_type: DocType) -> DocumentRecord {
    DocumentRecord {
        id: id.to_owned(),
        session_id: session_id.to_owned(),
        doc_type,
        content_type: "application/xml".to_owned(),
        size: 4096,
        sha256: "ab".repeat(32),
        uri: format!("in.gov.uidai-{}-1234", doc_type.digilocker_code()),
        issuer_id: "in.gov.uidai".to_owned(),
        issuer: "Unique Identification Authority of India".to_owned(),
        description: "Aadhaar Card".to_owned(),
        last_modified: "2024-01-02T03:04:05+05:30".to_owned(),
        sealed: all_bytes().into_iter().rev().chain(all_bytes()).collect(),
        created_at_ms: NOW + 2,
        verification: Some(r#"{"status":"verified"}"#.to_owned()),
        normalised_sealed: Some(all_bytes()),
    }
}

pub fn completion(session_id: &str) -> CompletedSession {
    CompletedSession {
        session_id: session_id.to_owned(),
        data_key: DataKeyRecord {
            session_id: session_id.to_owned(),
            wrapped_key: all_bytes(),
            kek_id: "kek-2025".to_owned(),
            created_at_ms: NOW + 1,
        },
        documents: vec![
            document(&format!("doc-a-{session_id}"), session_id, DocType::Aadhaar),
            document(&format!("doc-b-{session_id}"), session_id, DocType::Pan),
        ],
        profile: Some(ProfileRecord {
            session_id: session_id.to_owned(),
            sealed: all_bytes(),
        }),
        documents_consented: vec![DocType::Aadhaar, DocType::Pan],
        documents_missing: vec![MissingDocument {
            doc_type: DocType::DrivingLicense,
            reason: "not_found".to_owned(),
        }],
        now_ms: NOW + 3,
    }
}

/// The tenant of the sessions most tests make.
pub const TENANT: &str = "key_test_tenantone";

/// Inserts a fresh session `id` of [`TENANT`] (`created`).
pub async fn add_session(store: &dyn Store, id: &str) {
    store.insert_session(&session(id, TENANT)).await.unwrap();
}

/// Inserts `session` and starts `auth` on it, as opening the link does: it is `initialized`.
pub async fn open_link(store: &dyn Store, session: &SessionRecord, auth: &AuthorizationRecord) {
    store.insert_session(session).await.unwrap();
    assert!(store.start_authorization(auth, NOW).await.unwrap());
}

/// [`open_link`], then consumes `auth` as the callback does: the session is `authorized`.
pub async fn authorize(store: &dyn Store, session: &SessionRecord, auth: &AuthorizationRecord) {
    open_link(store, session, auth).await;
    assert!(store
        .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + 1)
        .await
        .unwrap()
        .is_some());
}

/// Inserts a session and walks it to `authorized` the way the server does.
pub async fn authorized_session(store: &dyn Store, id: &str) -> SessionRecord {
    authorize(store, &session(id, TENANT), &authorization(id, id)).await;
    let s = store.session(id).await.unwrap().unwrap();
    assert_eq!(s.status, SessionStatus::Authorized);
    s
}
