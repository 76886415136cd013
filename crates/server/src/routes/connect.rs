//! `GET /connect/{link_id}`: the link the person opens. Binds the browser with a cookie and
//! sends it to DigiLocker's authorize page with a fresh `state` and PKCE challenge.

use crate::audit::{self, Action};
use crate::envelope::now_ms;
use crate::expiry;
use crate::journey::{binding_cookie_name, random_token};
use crate::navigation;
use crate::page_error::PageError;
use crate::vault::kek_context;
use crate::vault::sha256_hex;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use digigate_core::{DocType, SessionStatus};
use digigate_digilocker::{AuthorizeRequest, Pkce};
use digigate_store::AuthorizationRecord;
use digigate_store::SealedKind;
use secrecy::ExposeSecret;

/// Starts the DigiLocker leg of the journey. A link id that cannot be decoded (not UTF-8)
/// names no session and gets the "link not found" page.
#[utoipa::path(
    get,
    path = "/connect/{link_id}",
    operation_id = "openLink",
    tag = "journey",
    summary = "The link the person opens: binds the browser and redirects to DigiLocker",
    params(("link_id" = String, Path, description = "From `authorization_url`.")),
    responses(
        (status = 303, description = "To DigiLocker's authorize page, with a binding cookie.", headers(("location" = String, description = "Where the browser goes next."))),
        (status = 404, description = "Unknown link.", content_type = "text/html", body = String),
        (status = 409, description = "The session was already completed.", content_type = "text/html", body = String),
        (status = 410, description = "The link expired.", content_type = "text/html", body = String),
        (status = 500, description = "An internal failure.", content_type = "text/html", body = String)
    )
)]
pub async fn open_link(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let link_id = path.map(|Path(id)| id).unwrap_or_default();
    start(&state, &link_id).await
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> PageError {
    PageError::internal("could not start the DigiLocker journey", e)
}

async fn start(state: &AppState, link_id: &str) -> Result<Response, PageError> {
    if link_id.is_empty() || link_id.len() > 64 {
        return Err(PageError::LinkNotFound);
    }
    let store = &state.inner.store;
    let session = store
        .session_by_link(link_id)
        .await
        .map_err(internal)?
        .ok_or(PageError::LinkNotFound)?;
    state.metrics().stage(crate::metrics::Stage::LinkOpened);
    let session = expiry::expire_if_due(state, session)
        .await
        .map_err(internal)?;
    match session.status {
        SessionStatus::Created | SessionStatus::Initialized => {}
        SessionStatus::Expired => return Err(PageError::LinkExpired),
        _ => return Err(PageError::AlreadyUsed),
    }
    let cfg = &state.inner.config;
    let now = now_ms();
    let (state_token, binding, pkce) = (random_token(), random_token(), Pkce::generate());
    let auth = AuthorizationRecord {
        state_hash: sha256_hex(state_token.as_bytes()),
        session_id: session.id.clone(),
        binding_hash: sha256_hex(binding.as_bytes()),
        pkce_verifier_sealed: state.inner.vault.seal_secret(
            &kek_context(SealedKind::PkceVerifier, &session.id),
            pkce.verifier.expose_secret().as_bytes(),
        ),
        created_at_ms: now,
        expires_at_ms: now + cfg.authorization_ttl.as_millis() as i64,
    };
    if !store
        .start_authorization(&auth, now)
        .await
        .map_err(internal)?
    {
        return Err(PageError::LinkExpired);
    }
    let o = &session.options;
    let url = state.inner.digilocker.authorize_url(&AuthorizeRequest {
        state: state_token.clone(),
        code_challenge: pkce.challenge.clone(),
        flow: session.flow,
        doc_types: session
            .doc_types
            .iter()
            .map(|d: &DocType| d.digilocker_code().to_owned())
            .collect(),
        consent_valid_till: session.consent_expiry_ms / 1000,
        purpose: cfg.purpose.clone(),
        pinless: o.pinless,
        usernameless: o.usernameless,
        verification_methods: o.verification_method.clone(),
        verified_mobile: o.verified_mobile.clone(),
    });
    audit::record(state, None, &session.id, Action::LinkOpened, None)
        .await
        .map_err(internal)?;
    tracing::info!(session_id = %session.id, "person sent to DigiLocker");
    if session.status == SessionStatus::Created {
        state.transition_committed(SessionStatus::Initialized, None);
    }
    state
        .metrics()
        .stage(crate::metrics::Stage::SentToDigilocker);
    let secure = if cfg.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={binding}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        binding_cookie_name(&state_token),
        cfg.callback_path(),
        cfg.authorization_ttl.as_secs()
    );
    let mut res = navigation::redirect(url.as_str());
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ascii cookie"),
    );
    Ok(res)
}
