//! `POST /kyc/digilocker/sessions/init`: store a consent session and hand back its link.

use super::extract::JsonBody;
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::{now_ms, Data};
use crate::error::ApiError;
use crate::new_session::{created, Asked};
use crate::vault::{kek_context, sha256_hex};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use digigate_core::api::{SessionCreated, INIT_RESPONSE_ENTITY};
use digigate_core::{ApiKeyId, InitRequest, KeyEnvironment, SessionStatus};
use digigate_documents::parse::{parse_dob, parse_gender};
use digigate_store::{IdempotencyClaim, SealedKind};
use serde_json::{json, Value};
use url::Url;

/// Validates the request, stores the session and answers its `authorization_url`. With an
/// `Idempotency-Key` header, a repeat of the same request answers the first one's session.
#[utoipa::path(
    post,
    path = "/kyc/digilocker/sessions/init",
    operation_id = "initSession",
    tag = "digilocker",
    summary = "Start a consent session; answers the link to send the person to",
    request_body = digigate_core::api::InitSessionBody,
    params(crate::openapi::ApiHeaders, ("idempotency-key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Optional, 1 to 255 visible ASCII characters: a repeat of the same request with the same key answers the first one's session.")),
    responses((status = 200, description = "The session and its link.", body = digigate_core::api::Envelope<digigate_core::api::SessionCreated>), crate::openapi::InitErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn init_session(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Data<SessionCreated>, ApiError> {
    let Some(key) = idempotency_key(&headers)?.map(str::to_owned) else {
        return create(&state, &caller, &body, None).await.map(Data);
    };
    // Claim, create and record run in their own task, so a client that goes away mid-request
    // does not leave the key claimed.
    let task = tokio::spawn(async move { create_once(&state, &caller, &key, &body).await });
    task.await.map_err(ApiError::internal)?.map(Data)
}

/// Creates the session once per idempotency key and request body.
async fn create_once(
    state: &AppState,
    caller: &Caller,
    key: &str,
    body: &Value,
) -> Result<SessionCreated, ApiError> {
    let store = &state.inner.store;
    let api_key = &caller.key.id;
    let hash = sha256_hex(body.to_string().as_bytes());
    match store
        .claim_idempotency_key(api_key, key, &hash, now_ms())
        .await?
    {
        IdempotencyClaim::New { owner } => {
            let created = create(state, caller, body, Some((key, &owner))).await;
            if created.is_err() {
                store.release_idempotency_key(api_key, key, &owner).await?;
            }
            created
        }
        IdempotencyClaim::Existing { request_hash, .. } if request_hash != hash => {
            Err(ApiError::IdempotencyKeyReused)
        }
        IdempotencyClaim::Existing { response: None, .. } => Err(ApiError::IdempotencyKeyInFlight),
        IdempotencyClaim::Existing {
            response: Some(r), ..
        } => serde_json::from_str(&r).map_err(ApiError::internal),
    }
}

/// The answer as an `Idempotency-Key` keeps it, to replay byte for byte.
fn stored_answer(answer: &SessionCreated) -> Result<String, ApiError> {
    serde_json::to_string(answer).map_err(ApiError::internal)
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters, at most once.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let bad = || ApiError::BadRequest("Invalid Idempotency-Key header".into());
    let mut values = headers.get_all("idempotency-key").iter();
    let (Some(v), None) = (values.next(), values.next()) else {
        return if headers.contains_key("idempotency-key") {
            Err(bad())
        } else {
            Ok(None)
        };
    };
    let v = v.to_str().map_err(|_| bad())?;
    let ok = (1..=255).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(Some(v)).ok_or_else(bad)
}

/// Validates and stores a session; with `claim` (idempotency key, owner token) the session and
/// the key's answer are stored together, and not at all if the claim was taken over meanwhile.
async fn create(
    state: &AppState,
    caller: &Caller,
    body: &Value,
    claim: Option<(&str, &str)>,
) -> Result<SessionCreated, ApiError> {
    let cfg = &state.inner.config;
    let now = now_ms();
    let req = InitRequest::from_json(body, now, cfg.development)?;
    let expected = expected_details(body.get("expected"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let expected_sealed = expected.map(|e| {
        let context = kek_context(SealedKind::Expected, &id);
        state
            .inner
            .vault
            .seal_secret(&context, e.to_string().as_bytes())
    });
    if caller.key.redirect_urls.is_empty() && !open_redirects_allowed(&caller.key.id, cfg) {
        return Err(ApiError::BadRequest(
            "Invalid request body: redirect_url cannot be accepted because this API key has no \
             registered redirect URLs; create a key with digigate keys create --redirect-url"
                .into(),
        ));
    }
    if !caller.key.redirect_urls.is_empty()
        && !redirect_allowed(&caller.key.redirect_urls, &req.redirect_url)
    {
        return Err(ApiError::BadRequest(
            "Invalid request body: redirect_url is not on this API key's allow-list".into(),
        ));
    }
    let asked = Asked {
        flow: req.flow,
        doc_types: req.doc_types,
        redirect_url: req.redirect_url.to_string(),
        options: req.options,
        consent_expiry_ms: req.consent_expiry_ms,
        expected_sealed,
    };
    let session = created(state, id, &caller.key.id, asked, now)?;
    let answer = SessionCreated {
        entity: INIT_RESPONSE_ENTITY.to_owned(),
        authorization_url: cfg.public_link(&format!("/connect/{}", session.link_id)),
        session_id: session.id.clone(),
    };
    let store = &state.inner.store;
    // The session and the audit line of its creation are one commit: no session goes unaudited.
    let created = audit::entry(
        Some(&caller.key.id),
        &session.id,
        Action::SessionCreated,
        None,
    );
    match claim {
        None => store.create_session(&session, &created).await?,
        Some((key, owner)) => {
            let stored = store
                .insert_session_answering(&session, &created, key, owner, &stored_answer(&answer)?)
                .await?;
            if !stored {
                // A later request took the claim over while this one was slow: it answers.
                return Err(ApiError::IdempotencyKeyInFlight);
            }
        }
    }
    tracing::info!(session_id = %session.id, api_key = %caller.key.id, "session created");
    state.transition_committed(SessionStatus::Created, None);
    crate::crash::point(crate::crash::CrashPoint::AfterInit);
    Ok(answer)
}

/// The optional `expected` object (digigate's addition): details the business already holds,
/// compared by the checks endpoint. Validated here so a typo is a 400, not a silent mismatch.
fn expected_details(v: Option<&Value>) -> Result<Option<Value>, ApiError> {
    let bad = |field: &str, what: &str| {
        ApiError::BadRequest(format!("Invalid request body: expected.{field} {what}"))
    };
    let obj = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "Invalid request body: expected must be an object".into(),
            ))
        }
    };
    let text = |field: &str| match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 200 => {
            Ok(Some(s.clone()))
        }
        Some(_) => Err(bad(
            field,
            "must be a non-empty string of at most 200 characters",
        )),
    };
    let (name, dob, gender) = (text("name")?, text("date_of_birth")?, text("gender")?);
    if dob.as_deref().is_some_and(|d| parse_dob(d).is_none()) {
        return Err(bad(
            "date_of_birth",
            "must be a date (DD-MM-YYYY, DD/MM/YYYY, YYYY-MM-DD or YYYY)",
        ));
    }
    if gender.as_deref().is_some_and(|g| parse_gender(g).is_none()) {
        return Err(bad(
            "gender",
            "must be one of M, F, T, male, female, transgender",
        ));
    }
    Ok(Some(
        json!({ "name": name, "date_of_birth": dob, "gender": gender }),
    ))
}

/// Whether a key without registered redirect URLs may send people to any (https) URL: only a
/// test key, and only on a gateway in development mode. A live key, or any key in production,
/// must register its URLs, or a stolen token could send people anywhere after their consent.
fn open_redirects_allowed(key_id: &str, cfg: &crate::GatewayConfig) -> bool {
    cfg.development
        && ApiKeyId::parse(key_id).is_some_and(|k| k.environment() == KeyEnvironment::Test)
}

/// Whether `url` is on a key's list: scheme, host, port and path must equal one entry exactly.
fn redirect_allowed(allow_list: &[String], url: &Url) -> bool {
    allow_list
        .iter()
        .filter_map(|a| Url::parse(a).ok())
        .any(|a| {
            a.scheme() == url.scheme()
                && a.host() == url.host()
                && a.port_or_known_default() == url.port_or_known_default()
                && a.path() == url.path()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_matches_scheme_host_port_and_path_exactly() {
        let list = vec!["https://shop.example/kyc/done".to_owned()];
        let ok = |u: &str| redirect_allowed(&list, &Url::parse(u).unwrap());
        assert!(ok("https://shop.example/kyc/done"));
        assert!(ok("https://shop.example:443/kyc/done?x=1"));
        assert!(!ok("https://shop.example/kyc/done/"));
        assert!(!ok("https://shop.example:8443/kyc/done"));
        assert!(!ok("http://shop.example/kyc/done"));
        assert!(!ok("https://evil.example/kyc/done"));
        assert!(!ok("https://shop.example.evil.example/kyc/done"));
        assert!(!ok("https://shop.example/kyc/%2e%2e/done"));
        assert!(!redirect_allowed(
            &[],
            &Url::parse("https://any.example/").unwrap()
        ));
    }
}
