//! Exchanging the code and fetching what the person consented to, with retries for
//! DigiLocker's repository failures inside the consent window.

use super::Failure;
use crate::config::GatewayConfig;
use crate::envelope::now_ms;
use crate::vault::kek_context;
use crate::vault::{sha256_hex, DataKey};
use crate::AppState;
use digigate_core::{DocType, FailureReason, MissingReason};
use digigate_digilocker::{DigiLockerError, FetchedFile, IssuedFile, TokenGrant, UserDetails};
use digigate_store::SealedKind;
use digigate_store::{
    CompletedSession, DataKeyRecord, DocumentRecord, MissingDocument, ProfileRecord, SessionRecord,
    UpstreamTokenRecord,
};
use secrecy::SecretString;
use serde_json::json;
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

/// Exchanges the code (once, never retried) and stores everything in one transaction.
pub(super) async fn exchange_and_fetch(
    state: &AppState,
    session: &SessionRecord,
    auth: &digigate_store::AuthorizationRecord,
    code: &str,
) -> Result<(), Failure> {
    let inner = &state.inner;
    let internal = || Failure::Reason(FailureReason::UpstreamUnavailable);
    let verifier = inner
        .vault
        .open_secret(
            &kek_context(SealedKind::PkceVerifier, &session.id),
            &auth.pkce_verifier_sealed,
        )
        .map_err(|_| internal())?;
    let verifier = SecretString::from(String::from_utf8(verifier).map_err(|_| internal())?);
    let grant = inner
        .digilocker
        .exchange_code(code, &verifier)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, session_id = %session.id, "code exchange failed");
            Failure::Reason(FailureReason::TokenExchangeFailed)
        })?;
    store_token(state, &session.id, &grant).await?;
    let token = &grant.access_token;
    let deadline = session.consent_expiry_ms;
    let cfg = &inner.config;
    let dl = &inner.digilocker;
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
    let (mut documents, mut missing) = (Vec::new(), Vec::new());
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
    for doc_type in &granted {
        let item = issued
            .iter()
            .find(|f| f.doctype == doc_type.digilocker_code());
        let uri = granted_uri(&grant, *doc_type).or_else(|| item.map(|i| i.uri.clone()));
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
            Ok(file) => documents.push(document_record(
                &session.id,
                *doc_type,
                item,
                &grant,
                file,
                &data_key,
                cfg,
            )),
            Err(DigiLockerError::Api { error, .. }) if error.starts_with("aadhaar_not_") => {
                missing.push(MissingDocument {
                    doc_type: *doc_type,
                    reason: MissingReason::Upstream(error).to_string(),
                });
            }
            Err(e) => return Err(classify(e)),
        }
    }
    // Sandbox's `succeeded` means "documents can now be fetched"; with none fetched (every box
    // unticked, or nothing the locker could give) there is no evidence to serve.
    if documents.is_empty() {
        tracing::info!(session_id = %session.id, missing = missing.len(), "no document was fetched");
        return Err(Failure::Reason(FailureReason::NoDocuments));
    }
    let profile = sandbox_profile(&user);
    let completed = CompletedSession {
        session_id: session.id.clone(),
        data_key: DataKeyRecord {
            session_id: session.id.clone(),
            wrapped_key: wrapped,
            kek_id: inner.vault.kek_id().to_owned(),
            created_at_ms: now_ms(),
        },
        documents,
        profile: Some(ProfileRecord {
            session_id: session.id.clone(),
            sealed: data_key.seal(
                &format!("profile:{}", session.id),
                profile.to_string().as_bytes(),
            ),
        }),
        documents_consented: granted,
        documents_missing: missing,
        now_ms: now_ms(),
    };
    if inner.store.complete_session(&completed).await? {
        tracing::info!(session_id = %session.id, documents = completed.documents.len(), "session succeeded");
    }
    Ok(())
}

async fn store_token(
    state: &AppState,
    session_id: &str,
    grant: &TokenGrant,
) -> Result<(), Failure> {
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
    Ok(state.inner.store.put_upstream_token(&record).await?)
}

fn granted_uri(grant: &TokenGrant, doc_type: DocType) -> Option<String> {
    let code = format!("-{}-", doc_type.digilocker_code());
    grant.granted_uris().into_iter().find(|u| u.contains(&code))
}

fn document_record(
    session_id: &str,
    doc_type: DocType,
    item: Option<&IssuedFile>,
    grant: &TokenGrant,
    file: FetchedFile,
    key: &DataKey,
    cfg: &GatewayConfig,
) -> DocumentRecord {
    let id = uuid::Uuid::new_v4().to_string();
    let examined = super::trust::examine(
        doc_type,
        &file.bytes,
        file.hmac.is_some(),
        &cfg.trust_store,
        cfg.require_hmac,
    );
    let (issuer_id, issuer, description) = match (item, doc_type) {
        (Some(i), _) => (i.issuer_id.clone(), i.issuer.clone(), i.description.clone()),
        (None, DocType::Aadhaar) => (
            "in.gov.uidai".to_owned(),
            "Unique Identification Authority of India (UIDAI)".to_owned(),
            "Aadhaar Card".to_owned(),
        ),
        (None, d) => (String::new(), String::new(), d.as_str().to_owned()),
    };
    let last_modified = item
        .map(|i| i.date.replace('-', "/"))
        .filter(|d| d.len() == 10)
        .unwrap_or_else(|| chrono::Utc::now().format("%d/%m/%Y").to_string());
    // A URI ends in the document's number (a PAN, a licence number): keep only
    // `<issuer>-<DOCTYPE>` in the clear.
    let uri = granted_uri(grant, doc_type)
        .or_else(|| item.map(|i| i.uri.clone()))
        .and_then(|u| u.rsplit_once('-').map(|(head, _)| head.to_owned()))
        .unwrap_or_default();
    let normalised_sealed = examined
        .normalised
        .map(|n| key.seal(&format!("normalised:{id}"), &n));
    DocumentRecord {
        sealed: key.seal(&format!("document:{id}"), &file.bytes),
        id,
        session_id: session_id.to_owned(),
        doc_type,
        content_type: file.content_type.clone(),
        size: file.bytes.len() as i64,
        sha256: sha256_hex(&file.bytes),
        uri,
        issuer_id,
        issuer,
        description,
        last_modified,
        created_at_ms: now_ms(),
        verification: Some(examined.verification),
        normalised_sealed,
    }
}

/// The profile in Sandbox's shape: `date_of_birth` `DD/MM/YYYY`, lowercase `gender`, boolean `eaadhaar`.
fn sandbox_profile(u: &UserDetails) -> serde_json::Value {
    let dob = u
        .dob
        .as_deref()
        .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()));
    let gender = match u.gender.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("M" | "MALE") => "male",
        Some("F" | "FEMALE") => "female",
        Some("T" | "TRANSGENDER") => "transgender",
        _ => "",
    };
    json!({
        "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
        "id": u.digilocker_id,
        "name": u.name,
        "date_of_birth": dob.map(|d| format!("{}/{}/{}", &d[..2], &d[2..4], &d[4..])).unwrap_or_default(),
        "gender": gender,
        "eaadhaar": u.eaadhaar,
        "mobile": u.mobile.clone().unwrap_or_default(),
        "email": u.email.clone().unwrap_or_default(),
    })
}
