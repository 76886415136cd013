//! OpenID Connect on the simulator: the `id_token` that `/oauth2/2/token` adds when the
//! authorize request asked for `scope=openid` (reference §4.2), and the JWK Set that verifies it.
//!
//! The claims are those seen in a captured real DigiLocker `id_token`, filled from the persona;
//! the signing algorithm (RS256) and the JWKS location (`/oauth2/1/certs`) are the simulator's
//! choice, since DigiLocker documents neither.

mod key;

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api_error::ApiError;
use crate::ids::random_hex;
use crate::ledger::Consent;
use crate::personas::Persona;
use crate::Simulator;

pub use key::IdTokenKey;

/// How long an `id_token` is valid: DigiLocker's `exp` is `iat` + 86400.
const ID_TOKEN_TTL_SECS: i64 = 86_400;

/// `GET /oauth2/1/certs`: the public key(s) that verify `id_token` signatures, as a JWK Set.
pub(crate) async fn certs(State(sim): State<Simulator>) -> Result<Response, ApiError> {
    let key = sim.id_token_key()?;
    Ok(Json(key.jwks()).into_response())
}

/// The signed `id_token` for a grant, or `None` when the authorize request did not ask for
/// `openid`. `first_issue` is false on refresh, where OIDC says the `nonce` is left out.
pub(crate) fn id_token(
    sim: &Simulator,
    consent: &Consent,
    first_issue: bool,
) -> Result<Option<String>, ApiError> {
    if !consent.openid {
        return Ok(None);
    }
    let persona = sim.persona(consent.persona).ok_or_else(internal)?;
    let claims = claims(sim, persona, consent, first_issue);
    let key = sim.id_token_key()?;
    key.sign(&claims).map(Some).map_err(|_| internal())
}

/// The claims of a real DigiLocker `id_token` (reference §4.2), from the persona's data.
/// Claims for data the persona lacks (PAN, licence, Aadhaar, e-mail) are left out.
fn claims(
    sim: &Simulator,
    persona: &Persona,
    consent: &Consent,
    first_issue: bool,
) -> serde_json::Value {
    let config = sim.config();
    let now = chrono::Utc::now().timestamp();
    let mut claims = serde_json::json!({
        "iss": config.issuer,
        "sub": persona.digilockerid,
        "aud": config.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_TTL_SECS,
        "auth_time": consent.auth_time,
        "jti": random_hex(16),
        "given_name": persona.name,
        "preferred_username": persona.mobile,
        "gender": persona.gender.code(),
        "birthdate": birthdate(&persona.dob),
        "phone_number": persona.mobile,
        "user_sso_id": format!("DL-{}", persona.digilockerid),
        "reference_key": persona.reference_key(&config.client_id),
        "auth_txn": consent.auth_txn,
        "auth_mode": consent.auth_mode,
    });
    let optional = [
        (
            "email",
            Some(persona.email.clone()).filter(|e| !e.is_empty()),
        ),
        ("pan_number", persona.pan.as_ref().map(|p| p.number.clone())),
        (
            "driving_licence",
            persona.driving_licence.as_ref().map(|d| d.number.clone()),
        ),
        (
            "masked_aadhaar",
            persona.aadhaar.as_ref().map(|a| mask(&a.number)),
        ),
        ("nonce", consent.nonce.clone().filter(|_| first_issue)),
    ];
    if let Some(map) = claims.as_object_mut() {
        for (name, value) in optional {
            if let Some(value) = value {
                map.insert(name.to_owned(), serde_json::Value::String(value));
            }
        }
    }
    claims
}

/// `DD-MM-YYYY` as the live service writes `birthdate`: `DD/MM/YYYYT00:00:00.000000Z`.
fn birthdate(dob: &str) -> String {
    format!("{}T00:00:00.000000Z", dob.replace('-', "/"))
}

/// `xxxxxxxx` and the last four digits, as everywhere else DigiLocker shows an Aadhaar number.
fn mask(number: &str) -> String {
    let last_four = number.get(number.len().saturating_sub(4)..).unwrap_or("");
    format!("xxxxxxxx{last_four}")
}

fn internal() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "unexpected_error",
        "Internal server error",
    )
}

impl Simulator {
    /// The configured `id_token` key, or one generated on first use and kept for this
    /// simulator's lifetime (every clone shares it).
    pub(crate) fn id_token_key(&self) -> Result<Arc<IdTokenKey>, ApiError> {
        if let Some(key) = &self.config().id_token_key {
            return Ok(Arc::clone(key));
        }
        let generated = &self.shared.id_token_key;
        if let Some(key) = generated.get() {
            return Ok(Arc::clone(key));
        }
        let key = Arc::new(IdTokenKey::generate().map_err(|_| internal())?);
        // Two first requests may race; whichever key is stored first is the one both use.
        let _ = generated.set(key);
        generated.get().cloned().ok_or_else(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birthdate_uses_the_live_format_and_aadhaar_is_masked() {
        assert_eq!(birthdate("15-08-1990"), "15/08/1990T00:00:00.000000Z");
        assert_eq!(mask("491830275616"), "xxxxxxxx5616");
    }
}
