//! `POST /account/2/verify`: is a mobile or Aadhaar number registered with DigiLocker?
//!
//! The OpenAPI declares a multipart body; the simulator reads `application/x-www-form-urlencoded`
//! (and JSON). Authentication is the spec's `hmac` = hex SHA-256 of client secret + clientid + ts.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api_error::ApiError;
use crate::form::Fields;
use crate::ids::hex;
use crate::Simulator;

/// How far `ts` may lie in the past (the spec's 30 minutes).
const MAX_AGE_SECS: i64 = 30 * 60;
/// Clients are told to send IST "UNIX time"; some add +05:30 to the epoch, so that is tolerated.
const IST_SHIFT_SECS: i64 = 5 * 3600 + 1800;

/// Answers `{"registered": "true"|"false", "digilockerid": ...}`.
pub(crate) async fn verify(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&headers, &body);
    match check(&sim, &fields) {
        Ok(found) => Json(serde_json::json!({
            "registered": if found.is_some() { "true" } else { "false" },
            "digilockerid": found.unwrap_or_default(),
        }))
        .into_response(),
        Err(error) => error.into_response(),
    }
}

fn check(sim: &Simulator, fields: &Fields) -> Result<Option<String>, ApiError> {
    let config = sim.config();
    let invalid = |text: &'static str| ApiError::bad_request("invalid_parameter", text);
    let client_id = fields.get("clientid").unwrap_or_default();
    if client_id != config.client_id {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client_id",
            "The client_id parameter is invalid",
        ));
    }
    let mobile = fields.get("mobile");
    let uid = fields.get("uid");
    if mobile.is_none() && uid.is_none() {
        return Err(invalid("Either one of uid or mobile is mandatory"));
    }
    let ts = fields.get("ts").unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let fresh = ts
        .trim()
        .parse::<i64>()
        .is_ok_and(|t| t >= now - MAX_AGE_SECS && t <= now + IST_SHIFT_SECS + 300);
    if !fresh {
        return Err(invalid("Timestamp parameter is missing or invalid"));
    }
    let mut hasher = Sha256::new();
    hasher.update(config.client_secret.expose_secret().as_bytes());
    hasher.update(client_id.as_bytes());
    hasher.update(ts.as_bytes());
    let expected = hex(&hasher.finalize());
    let given = fields.get("hmac").unwrap_or_default().to_ascii_lowercase();
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(invalid("HMAC parameter is missing or invalid"));
    }
    let ledger = sim.ledger();
    let found = config.personas.iter().enumerate().find(|(i, p)| {
        ledger.registered.get(*i) == Some(&true)
            && (mobile.is_some_and(|m| m.trim() == p.mobile)
                || uid.is_some_and(|u| p.aadhaar.as_ref().is_some_and(|a| a.number == u.trim())))
    });
    Ok(found.map(|(_, p)| p.digilockerid.clone()))
}
