//! `/oauth2/{1,2}/token` and `/oauth2/1/revoke`, with the OAuth library's error codes and texts.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api_error::ApiError;
use crate::form::{bearer, client_credentials, is_pkce_value, php_urldecode, Fields};
use crate::issued::DocType;
use crate::ledger::TokenPair;
use crate::oidc;
use crate::Simulator;

/// `POST /oauth2/1/token`: authorization-code and refresh-token grants, never an `id_token`.
pub(crate) async fn token_v1(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token(&sim, &headers, &body, false)
}

/// `POST /oauth2/2/token`: the OIDC token endpoint; as version 1, plus an `id_token` when the
/// authorize request asked for `scope=openid` (reference §4.1, §4.2, §7).
pub(crate) async fn token_v2(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token(&sim, &headers, &body, true)
}

fn token(sim: &Simulator, headers: &HeaderMap, body: &[u8], oidc: bool) -> Response {
    sim.count_token_request();
    let fields = Fields::parse(headers, body);
    sim.count_grant(fields.get("grant_type"));
    let answer = exchange(sim, headers, &fields).and_then(|(pair, first_issue)| {
        let mut body = token_body(sim, &pair);
        if oidc {
            if let Some(id_token) = oidc::id_token(sim, &pair.grant.consent, first_issue)? {
                body["id_token"] = serde_json::Value::String(id_token);
            }
        }
        Ok(body)
    });
    match answer {
        Ok(body) => {
            let mut response = Json(body).into_response();
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => error.into_response(),
    }
}

/// Runs the grant; the flag says whether it was a code exchange (the first tokens of a grant)
/// rather than a refresh.
fn exchange(
    sim: &Simulator,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<(TokenPair, bool), ApiError> {
    let grant_type = fields.get("grant_type").ok_or_else(|| {
        ApiError::bad_request(
            "invalid_request",
            "The grant type was not specified in the request",
        )
    })?;
    if grant_type != "authorization_code" && grant_type != "refresh_token" {
        return Err(ApiError::bad_request(
            "unsupported_grant_type",
            format!(
                "Grant type \"{}\" not supported",
                grant_type.escape_default()
            ),
        ));
    }
    authenticate_client(sim, headers, fields)?;
    let config = sim.config();
    let now = Instant::now();
    let mut ledger = sim.ledger();
    if grant_type == "refresh_token" {
        let refresh = fields.get("refresh_token").ok_or_else(|| {
            ApiError::bad_request(
                "invalid_request",
                "Missing parameter: \"refresh_token\" is required",
            )
        })?;
        let invalid = || ApiError::bad_request("invalid_grant", "Invalid refresh token");
        let grant = ledger.refresh_grant(refresh).ok_or_else(invalid)?;
        if chrono::Utc::now().timestamp() >= grant.consent.consent_valid_till {
            return Err(ApiError::bad_request(
                "invalid_grant",
                "Refresh token has expired",
            ));
        }
        return ledger
            .rotate(refresh, now, config.token_ttl)
            .map(|pair| (pair, false))
            .ok_or_else(invalid);
    }

    let code = fields.get("code").ok_or_else(|| {
        ApiError::bad_request("invalid_request", "Missing parameter: \"code\" is required")
    })?;
    let pending = ledger.code(code).cloned().ok_or_else(|| {
        ApiError::bad_request(
            "invalid_grant",
            "Authorization code doesn't exist or is invalid for the client",
        )
    })?;
    // RFC 6749 §4.1.3: the redirect URI must be repeated only if the authorize request sent one.
    // The library compares it after one more `urldecode`, so double encoding is tolerated.
    if let Some(expected) = &pending.redirect_uri {
        let matches = fields
            .get("redirect_uri")
            .is_some_and(|sent| php_urldecode(sent) == *expected);
        if !matches {
            return Err(ApiError::bad_request(
                "redirect_uri_mismatch",
                "The redirect URI is missing or do not match",
            ));
        }
    }
    if now.saturating_duration_since(pending.issued) >= config.code_ttl {
        ledger.remove_code(code);
        return Err(ApiError::bad_request(
            "invalid_grant",
            "The authorization code has expired",
        ));
    }
    let verifier = fields.get("code_verifier").ok_or_else(|| {
        ApiError::bad_request(
            "code_verifier_missing",
            "The PKCE code verifier parameter is required.",
        )
    })?;
    if !is_pkce_value(verifier) {
        return Err(ApiError::bad_request(
            "code_verifier_invalid",
            "The PKCE code verifier parameter is invalid.",
        ));
    }
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    if !bool::from(computed.as_bytes().ct_eq(pending.code_challenge.as_bytes())) {
        return Err(ApiError::bad_request(
            "code_verifier_mismatch",
            "The PKCE code verifier parameter does not match the code challenge.",
        ));
    }
    // Single use: removing is the check, so two concurrent exchanges cannot both succeed.
    let pending = ledger.remove_code(code).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_grant",
            "Authorization code doesn't exist or is invalid for the client",
        )
    })?;
    tracing::info!("simulator exchanged an authorization code");
    Ok((
        ledger.create_grant(pending.consent, now, config.token_ttl),
        true,
    ))
}

/// Checks client credentials (HTTP Basic or form fields) against the configured client.
fn authenticate_client(
    sim: &Simulator,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<(), ApiError> {
    let (id, secret) = client_credentials(headers, fields).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_client",
            "Client credentials were not found in the headers or body",
        )
    })?;
    if client_matches(sim, &id, &secret) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_client",
            "The client credentials are invalid",
        ))
    }
}

fn client_matches(sim: &Simulator, id: &str, secret: &str) -> bool {
    let config = sim.config();
    let id_ok = id.as_bytes().ct_eq(config.client_id.as_bytes());
    let secret_ok = secret
        .as_bytes()
        .ct_eq(config.client_secret.expose_secret().as_bytes());
    bool::from(id_ok & secret_ok)
}

/// The `/token` success body, field for field as in the reference §4.2.
fn token_body(sim: &Simulator, pair: &TokenPair) -> serde_json::Value {
    let consent = &pair.grant.consent;
    let persona = sim.persona(consent.persona);
    let mut scope = String::new();
    if consent.openid {
        scope.push_str("openid ");
    }
    scope.push_str("files.issueddocs userdetails");
    for kind in DocType::ALL
        .into_iter()
        .filter(|k| consent.docs.contains(k))
    {
        if let Some(doc) = persona.and_then(|p| p.issued_document(kind)) {
            scope.push_str(" issued/");
            scope.push_str(&doc.uri);
        }
    }
    let field = |f: fn(&crate::Persona) -> String| persona.map(f).unwrap_or_default();
    serde_json::json!({
        "access_token": pair.access_token,
        "expires_in": sim.config().token_ttl.as_secs(),
        "token_type": "Bearer",
        "scope": scope,
        "consent_valid_till": consent.consent_valid_till,
        "refresh_token": pair.refresh_token,
        "digilockerid": field(|p| p.digilockerid.clone()),
        "name": field(|p| p.name.clone()),
        "dob": field(|p| p.dob_compact()),
        "gender": field(|p| p.gender.code().to_owned()),
        "eaadhaar": field(|p| p.eaadhaar_flag().to_owned()),
        "new_account": if consent.new_account { "Y" } else { "N" },
        "reference_key": persona.map(|p| p.reference_key(&sim.config().client_id)).unwrap_or_default(),
    })
}

/// `POST /oauth2/1/revoke`: always 200; a known token ends its whole grant.
///
/// The token comes from the `token` field, or from a Bearer header when the field is absent.
/// Credentials are optional, but wrong ones mean nothing is revoked (still 200, as RFC 7009 allows).
pub(crate) async fn revoke(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.count_revocation();
    let fields = Fields::parse(&headers, &body);
    let credentials_ok = match client_credentials(&headers, &fields) {
        Some((id, secret)) => client_matches(&sim, &id, &secret),
        None => true,
    };
    let token = fields.get("token").or_else(|| bearer(&headers));
    if let (true, Some(token)) = (credentials_ok, token) {
        if sim.ledger().revoke(token) {
            tracing::info!("simulator revoked a grant");
        }
    }
    Json(serde_json::json!({ "revoked": true })).into_response()
}
