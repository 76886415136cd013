//! Exchanging the code and fetching what the person consented to, with retries for
//! DigiLocker's repository failures inside the consent window.

use super::records::{document_record, granted_uri, profile_record};
use super::Failure;
use crate::breaker::UpstreamClass;
use crate::envelope::now_ms;
use crate::metrics::Upstream;
use crate::vault::kek_context;
use crate::vault::DataKey;
use crate::AppState;
use digigate_core::{DocType, FailureReason, MissingReason};
use digigate_digilocker::{AccessToken, DigiLockerError, IssuedFile, TokenGrant, UserDetails};
use digigate_store::SealedKind;
use digigate_store::{
    CompletedSession, DataKeyRecord, DocumentRecord, MissingDocument, SessionRecord,
    UpstreamTokenRecord,
};
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::time::{Duration, Instant};

/// The most attempts any one read gets, whatever `fetch_attempts` says (docs/faults.md).
const MAX_READ_ATTEMPTS: u32 = 3;
/// The longest wait between two attempts at a read.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The failure reason for DigiLocker's last answer to a read of `class`.
fn classify(e: DigiLockerError, class: UpstreamClass) -> Failure {
    tracing::warn!(error = %e, upstream = class.as_str(), "DigiLocker call failed");
    let reason = match e {
        DigiLockerError::HmacMismatch => FailureReason::DocumentIntegrity,
        ref e if class == UpstreamClass::Documents && e.is_repository_failure() => {
            FailureReason::RepositoryUnavailable
        }
        _ => FailureReason::UpstreamUnavailable,
    };
    Failure::Reason(reason)
}

/// Whether a failure says DigiLocker itself is down (it counts against the circuit), rather
/// than that it answered: a 4xx, or an issuer's `repository_service_*` failure passed on.
fn upstream_is_down(e: &DigiLockerError) -> bool {
    match e {
        DigiLockerError::Timeout | DigiLockerError::Transport(_) => true,
        DigiLockerError::UnexpectedStatus { status } => *status >= 500,
        DigiLockerError::Api { status, error, .. } => {
            *status >= 500 && !error.starts_with("repository_service_")
        }
        _ => false,
    }
}

/// Tells the circuit of `class` how a call ended.
fn record<T>(state: &AppState, class: UpstreamClass, outcome: &Result<T, DigiLockerError>) {
    let breakers = &state.inner.breakers;
    match outcome {
        Err(e) if upstream_is_down(e) => breakers.record_failure(class, Instant::now()),
        _ => breakers.record_success(class),
    }
}

/// Lets a call of `class` through the circuit breaker, or fails the journey at once.
fn admit(state: &AppState, class: UpstreamClass) -> Result<(), Failure> {
    state
        .inner
        .breakers
        .admit(class, Instant::now())
        .map_err(|open| {
            tracing::warn!(
                upstream = open.0.as_str(),
                "DigiLocker circuit open: not calling"
            );
            Failure::Reason(FailureReason::UpstreamCircuitOpen)
        })
}

/// The DigiLocker tokens of one fetch: the access token in use and the refresh token that
/// replaces it, once, if it expires mid-fetch.
struct Tokens<'a> {
    session_id: &'a str,
    access: AccessToken,
    refresh: Option<AccessToken>,
    refreshed: bool,
}

impl<'a> Tokens<'a> {
    fn new(session_id: &'a str, grant: &TokenGrant) -> Self {
        Tokens {
            session_id,
            access: grant.access_token.clone(),
            refresh: grant.refresh_token.clone(),
            refreshed: false,
        }
    }

    /// Swaps the refresh token for a new pair and stores it sealed (so that revocation ends
    /// the live grant); whether the read may be tried again with the new access token.
    async fn refresh(&mut self, state: &AppState) -> Result<bool, Failure> {
        let Some(refresh) = self.refresh.as_ref().filter(|_| !self.refreshed) else {
            return Ok(false);
        };
        self.refreshed = true;
        admit(state, UpstreamClass::Token)?;
        let outcome = state
            .metrics()
            .upstream(Upstream::Token, state.inner.digilocker.refresh(refresh))
            .await;
        record(state, UpstreamClass::Token, &outcome);
        match outcome {
            Ok(grant) => {
                tracing::info!(session_id = %self.session_id, "DigiLocker access token refreshed");
                store_token(state, self.session_id, &grant).await?;
                self.access = grant.access_token;
                self.refresh = grant.refresh_token;
                Ok(true)
            }
            Err(e) => {
                tracing::warn!(error = %e, session_id = %self.session_id, "token refresh failed");
                Ok(false)
            }
        }
    }
}

/// Reads from DigiLocker with `call`: through the circuit breaker, each attempt bounded by
/// `upstream_read_timeout`, an expired access token refreshed once, and failures a retry can
/// fix tried again (at most three attempts, full-jitter exponential backoff) while the wait
/// ends inside the consent window (`deadline_ms`). The outer error stops the journey; the
/// inner one is DigiLocker's last answer, for the caller to classify.
async fn read<T, F, Fut>(
    state: &AppState,
    class: UpstreamClass,
    deadline_ms: i64,
    tokens: &mut Tokens<'_>,
    mut call: F,
) -> Result<Result<T, DigiLockerError>, Failure>
where
    F: FnMut(AccessToken) -> Fut,
    Fut: Future<Output = Result<T, DigiLockerError>>,
{
    let cfg = &state.inner.config;
    let attempts = cfg.fetch_attempts.clamp(1, MAX_READ_ATTEMPTS);
    let mut attempt = 1;
    loop {
        admit(state, class)?;
        let outcome = tokio::time::timeout(cfg.upstream_read_timeout, call(tokens.access.clone()))
            .await
            .unwrap_or(Err(DigiLockerError::Timeout));
        record(state, class, &outcome);
        match outcome {
            Err(e) if e.is_invalid_token() => {
                if !tokens.refresh(state).await? {
                    return Ok(Err(e));
                }
            }
            Err(e) if e.is_retryable() && attempt < attempts => {
                let wait = backoff(cfg.fetch_backoff, attempt);
                if now_ms() + wait.as_millis() as i64 >= deadline_ms {
                    return Ok(Err(e));
                }
                tracing::info!(
                    attempt,
                    upstream = class.as_str(),
                    "retrying DigiLocker after a transient failure"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            other => return Ok(other),
        }
    }
}

/// The wait before retry `attempt` (1 for the first retry): uniformly random up to
/// `base × 2^(attempt-1)`, capped ("full jitter"), so that many journeys failing together do
/// not come back together.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    ceiling.mul_f64(rand::random::<f64>())
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
    let mut tokens = Tokens::new(&session.id, grant);
    let (dl, deadline, account) = (
        &inner.digilocker,
        session.consent_expiry_ms,
        UpstreamClass::Account,
    );
    let m = state.metrics();
    let user = read(state, account, deadline, &mut tokens, |t| {
        let dl = dl.clone();
        async move { m.upstream(Upstream::User, dl.user_details(&t)).await }
    })
    .await?
    .map_err(|e| classify(e, account))?;
    let issued = if session.doc_types.iter().any(|d| *d != DocType::Aadhaar) {
        read(state, account, deadline, &mut tokens, |t| {
            let dl = dl.clone();
            async move { m.upstream(Upstream::IssuedFiles, dl.issued_files(&t)).await }
        })
        .await?
        .map_err(|e| classify(e, account))?
    } else {
        Vec::new()
    };
    let (data_key, wrapped) = inner.vault.new_data_key(&session.id);
    let mut missing = never_offered(session, &granted, &user, &issued);
    let documents = fetch_documents(
        state,
        session,
        grant,
        &mut tokens,
        &granted,
        &issued,
        &data_key,
        &mut missing,
    )
    .await?;
    inner.metrics.documents_fetched(&documents);
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
        state.transition_committed(digigate_core::SessionStatus::Succeeded, None);
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
    admit(state, UpstreamClass::Token)?;
    let exchange = inner
        .digilocker
        .exchange_code(code.expose_secret(), &verifier);
    let outcome = inner.metrics.upstream(Upstream::Token, exchange).await;
    record(state, UpstreamClass::Token, &outcome);
    outcome.map_err(|e| {
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
#[allow(clippy::too_many_arguments)]
async fn fetch_documents(
    state: &AppState,
    session: &SessionRecord,
    grant: &TokenGrant,
    tokens: &mut Tokens<'_>,
    granted: &[DocType],
    issued: &[IssuedFile],
    data_key: &DataKey,
    missing: &mut Vec<MissingDocument>,
) -> Result<Vec<DocumentRecord>, Failure> {
    let (cfg, dl) = (&state.inner.config, &state.inner.digilocker);
    let (deadline, class) = (session.consent_expiry_ms, UpstreamClass::Documents);
    let m = state.metrics();
    let mut documents = Vec::new();
    for doc_type in granted {
        let item = issued
            .iter()
            .find(|f| f.doctype == doc_type.digilocker_code());
        let uri = granted_uri(grant, *doc_type).or_else(|| item.map(|i| i.uri.clone()));
        let fetched = match (doc_type, uri) {
            (DocType::Aadhaar, _) => {
                read(state, class, deadline, tokens, |t| {
                    let dl = dl.clone();
                    async move { m.upstream(Upstream::Eaadhaar, dl.eaadhaar_xml(&t)).await }
                })
                .await?
            }
            (_, Some(uri)) => {
                read(state, class, deadline, tokens, |t| {
                    let (dl, uri) = (dl.clone(), uri.clone());
                    async move { m.upstream(Upstream::File, dl.xml_by_uri(&t, &uri)).await }
                })
                .await?
            }
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
            Err(e) => return Err(classify(e, class)),
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
    let record = sealed_token(state, session_id, grant);
    Ok(state.inner.store.store_exchange(&record, granted).await?)
}

/// Replaces the stored token with a refreshed one, so that revocation ends the live grant and
/// a resumed fetch uses it.
async fn store_token(
    state: &AppState,
    session_id: &str,
    grant: &TokenGrant,
) -> Result<(), Failure> {
    let record = sealed_token(state, session_id, grant);
    Ok(state.inner.store.put_upstream_token(&record).await?)
}

/// The grant's tokens sealed with the KEK, as stored.
fn sealed_token(state: &AppState, session_id: &str, grant: &TokenGrant) -> UpstreamTokenRecord {
    let vault = &state.inner.vault;
    let context = kek_context(SealedKind::AccessToken, session_id);
    UpstreamTokenRecord {
        session_id: session_id.to_owned(),
        access_token_sealed: vault.seal_secret(&context, grant.access_token.expose().as_bytes()),
        refresh_token_sealed: grant.refresh_token.as_ref().map(|t| {
            let context = kek_context(SealedKind::RefreshToken, session_id);
            vault.seal_secret(&context, t.expose().as_bytes())
        }),
        expires_at_ms: grant.expires_in.map(|s| now_ms() + s as i64 * 1000),
        revoked_at_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_is_a_random_wait_under_a_doubling_capped_ceiling() {
        let base = Duration::from_millis(200);
        for (attempt, ceiling) in [(1, 200), (2, 400), (3, 800), (10, 5_000), (40, 5_000)] {
            let waits: Vec<Duration> = (0..200).map(|_| backoff(base, attempt)).collect();
            let ceiling = Duration::from_millis(ceiling);
            assert!(waits.iter().all(|w| *w <= ceiling), "attempt {attempt}");
            // Full jitter spreads the waits: not all near the ceiling, not all near zero.
            assert!(waits.iter().any(|w| *w < ceiling / 2), "attempt {attempt}");
            assert!(waits.iter().any(|w| *w > ceiling / 2), "attempt {attempt}");
        }
    }

    #[test]
    fn only_failures_of_digilocker_itself_count_against_the_circuit() {
        let api = |status: u16, error: &str| DigiLockerError::Api {
            status,
            error: error.to_owned(),
            description: String::new(),
        };
        assert!(upstream_is_down(&DigiLockerError::Timeout));
        assert!(upstream_is_down(&DigiLockerError::Transport(
            "reset".into()
        )));
        assert!(upstream_is_down(&DigiLockerError::UnexpectedStatus {
            status: 502
        }));
        assert!(upstream_is_down(&api(503, "unexpected_error")));
        assert!(!upstream_is_down(&api(
            500,
            "repository_service_unresponsive"
        )));
        assert!(!upstream_is_down(&api(401, "invalid_token")));
        assert!(!upstream_is_down(&DigiLockerError::HmacMismatch));
    }
}
