//! Exchanging the code and fetching what the person consented to, with retries for
//! DigiLocker's repository failures inside the consent window.

use super::records::{document_record, granted_uri, profile_record};
use super::Failure;
use crate::config::GatewayConfig;
use crate::envelope::now_ms;
use crate::vault::kek_context;
use crate::vault::DataKey;
use crate::AppState;
use digigate_core::{DocType, FailureReason, MissingReason};
use digigate_digilocker::{DigiLockerError, IssuedFile, TokenGrant, UserDetails};
use digigate_store::SealedKind;
use digigate_store::{
    CompletedSession, DataKeyRecord, DocumentRecord, MissingDocument, SessionRecord,
    UpstreamTokenRecord,
};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;

fn classify(e: DigiLockerError) -> Failure {
    tracing::warn!(error = %e, "DigiLocker call failed");
    let reason = match e {
        DigiLockerError::HmacMismatch => FailureReason::DocumentIntegrity,
        ref e if e.is_repository_failure() => FailureReason::RepositoryUnavailable,
        _ => FailureReason::UpstreamUnavailable,
    };
    Failure::Reason(reason)
}

/// Calls `call` until it succeeds, fails for good, runs out of attempts or would outlive `deadline_ms`.
async fn with_retry<T, F, Fut>(
    cfg: &GatewayConfig,
    deadline_ms: i64,
    mut call: F,
) -> Result<T, DigiLockerError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DigiLockerError>>,
{
    let mut wait = cfg.fetch_backoff;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e)
                if e.is_retryable()
                    && attempt < cfg.fetch_attempts
                    && now_ms() + (wait.as_millis() as i64) < deadline_ms =>
            {
                tracing::info!(attempt, "retrying DigiLocker after a transient failure");
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Fetches what the person consented to (`granted`) with the grant's token and stores
/// everything in one transaction. A resumed fetch passes a grant rebuilt from the stored token
/// (its `scope` empty: the documents' URIs then come from the issued list).
pub(super) async fn fetch_and_store(
    state: &AppState,
    session: &SessionRecord,
    grant: &TokenGrant,
    granted: Vec<DocType>,
) -> Result<(), Failure> {
    let inner = &state.inner;
    let (cfg, dl, token) = (&inner.config, &inner.digilocker, &grant.access_token);
    let deadline = session.consent_expiry_ms;
    let user = with_retry(cfg, deadline, || dl.user_details(token))
        .await
        .map_err(classify)?;
    let issued = if session.doc_types.iter().any(|d| *d != DocType::Aadhaar) {
        with_retry(cfg, deadline, || dl.issued_files(token))
            .await
            .map_err(classify)?
    } else {
        Vec::new()
    };
    let (data_key, wrapped) = inner.vault.new_data_key(&session.id);
    let mut missing = never_offered(session, &granted, &user, &issued);
    let documents = fetch_documents(
        state,
        session,
        grant,
        &granted,
        &issued,
        &data_key,
        &mut missing,
    )
    .await?;
    // Sandbox's `succeeded` means "documents can now be fetched"; with none fetched (every box
    // unticked, or nothing the locker could give) there is no evidence to serve.
    if documents.is_empty() {
        tracing::info!(session_id = %session.id, missing = missing.len(), "no document was fetched");
        return Err(Failure::Reason(FailureReason::NoDocuments));
    }
    let completed = CompletedSession {
        session_id: session.id.clone(),
        data_key: DataKeyRecord {
            session_id: session.id.clone(),
            wrapped_key: wrapped,
            kek_id: inner.vault.kek_id().to_owned(),
            created_at_ms: now_ms(),
        },
        documents,
        profile: Some(profile_record(&session.id, &data_key, &user)),
        documents_consented: granted,
        documents_missing: missing,
        now_ms: now_ms(),
    };
    if inner.store.complete_session(&completed).await? {
        tracing::info!(session_id = %session.id, documents = completed.documents.len(), "session succeeded");
        crate::crash::point(crate::crash::CrashPoint::AfterSuccess);
    }
    Ok(())
}

/// Opens the sealed code and PKCE verifier and exchanges the code with them, exactly once:
/// the caller took them from the store, which hands them out once.
pub(super) async fn exchange(
    state: &AppState,
    session: &SessionRecord,
    code_sealed: &[u8],
    verifier_sealed: &[u8],
) -> Result<TokenGrant, Failure> {
    let inner = &state.inner;
    let internal = || Failure::Reason(FailureReason::UpstreamUnavailable);
    let open = |kind: SealedKind, sealed: &[u8]| -> Result<SecretString, Failure> {
        let plain = inner
            .vault
            .open_secret(&kek_context(kind, &session.id), sealed)
            .map_err(|_| internal())?;
        Ok(SecretString::from(
            String::from_utf8(plain).map_err(|_| internal())?,
        ))
    };
    let verifier = open(SealedKind::PkceVerifier, verifier_sealed)?;
    let code = open(SealedKind::AuthorizationCode, code_sealed)?;
    inner
        .digilocker
        .exchange_code(code.expose_secret(), &verifier)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, session_id = %session.id, "code exchange failed");
            Failure::Reason(FailureReason::TokenExchangeFailed)
        })
}

/// The requested document types the granted `scope` consents to, once each, in its order.
pub(super) fn consented(grant: &TokenGrant, session: &SessionRecord) -> Vec<DocType> {
    let mut granted: Vec<DocType> = Vec::new();
    for d in grant
        .granted_doctypes()
        .iter()
        .filter_map(|c| DocType::from_digilocker_code(c))
    {
        if session.doc_types.contains(&d) && !granted.contains(&d) {
            granted.push(d);
        }
    }
    granted
}

/// Requested documents DigiLocker never put on the consent page, and why.
fn never_offered(
    session: &SessionRecord,
    granted: &[DocType],
    user: &UserDetails,
    issued: &[IssuedFile],
) -> Vec<MissingDocument> {
    let mut missing = Vec::new();
    // DigiLocker leaves an unlinked Aadhaar off the consent page; say why it is missing.
    if session.doc_types.contains(&DocType::Aadhaar)
        && !granted.contains(&DocType::Aadhaar)
        && !user.eaadhaar
    {
        missing.push(MissingDocument {
            doc_type: DocType::Aadhaar,
            reason: MissingReason::AadhaarNotLinked.to_string(),
        });
    }
    // Likewise a requested document the person's locker does not hold was never offered.
    for doc_type in session.doc_types.iter().filter(|d| **d != DocType::Aadhaar) {
        let held = issued
            .iter()
            .any(|f| f.doctype == doc_type.digilocker_code());
        if !granted.contains(doc_type) && !held {
            missing.push(MissingDocument {
                doc_type: *doc_type,
                reason: MissingReason::NotIssued.to_string(),
            });
        }
    }
    missing
}

/// Fetches each consented document (repository failures retried until the consent lapses) and
/// seals it; a consented document DigiLocker cannot give is added to `missing`.
async fn fetch_documents(
    state: &AppState,
    session: &SessionRecord,
    grant: &TokenGrant,
    granted: &[DocType],
    issued: &[IssuedFile],
    data_key: &DataKey,
    missing: &mut Vec<MissingDocument>,
) -> Result<Vec<DocumentRecord>, Failure> {
    let (cfg, dl, token) = (
        &state.inner.config,
        &state.inner.digilocker,
        &grant.access_token,
    );
    let deadline = session.consent_expiry_ms;
    let mut documents = Vec::new();
    for doc_type in granted {
        let item = issued
            .iter()
            .find(|f| f.doctype == doc_type.digilocker_code());
        let uri = granted_uri(grant, *doc_type).or_else(|| item.map(|i| i.uri.clone()));
        let fetched = match (doc_type, uri) {
            (DocType::Aadhaar, _) => with_retry(cfg, deadline, || dl.eaadhaar_xml(token)).await,
            (_, Some(uri)) => with_retry(cfg, deadline, || dl.xml_by_uri(token, &uri)).await,
            (_, None) => {
                missing.push(MissingDocument {
                    doc_type: *doc_type,
                    reason: MissingReason::NotIssued.to_string(),
                });
                continue;
            }
        };
        match fetched {
            Ok(file) => {
                documents.push(document_record(
                    &session.id,
                    *doc_type,
                    item,
                    grant,
                    file,
                    data_key,
                    cfg,
                ));
                if documents.len() == 1 {
                    crate::crash::point(crate::crash::CrashPoint::AfterFirstDocument);
                }
            }
            Err(DigiLockerError::Api { error, .. }) if error.starts_with("aadhaar_not_") => {
                missing.push(MissingDocument {
                    doc_type: *doc_type,
                    reason: MissingReason::Upstream(error).to_string(),
                });
            }
            Err(e) => return Err(classify(e)),
        }
    }
    Ok(documents)
}

/// Stores the exchange's token and the consented documents together (see
/// `Store::store_exchange`): from here on a resumed fetch starts from them. false when the
/// session is no longer `authorized`.
pub(super) async fn store_exchange(
    state: &AppState,
    session_id: &str,
    grant: &TokenGrant,
    granted: &[DocType],
) -> Result<bool, Failure> {
    let vault = &state.inner.vault;
    let context = kek_context(SealedKind::AccessToken, session_id);
    let record = UpstreamTokenRecord {
        session_id: session_id.to_owned(),
        access_token_sealed: vault.seal_secret(&context, grant.access_token.expose().as_bytes()),
        refresh_token_sealed: grant.refresh_token.as_ref().map(|t| {
            let context = kek_context(SealedKind::RefreshToken, session_id);
            vault.seal_secret(&context, t.expose().as_bytes())
        }),
        expires_at_ms: grant.expires_in.map(|s| now_ms() + s as i64 * 1000),
        revoked_at_ms: None,
    };
    Ok(state.inner.store.store_exchange(&record, granted).await?)
}
