//! The OIDC `id_token` DigiLocker's `/oauth2/2/token` adds when `scope=openid` was requested
//! (reference §4.2): decoded into [`IdTokenClaims`], and verifiable against a JWK Set.
//!
//! **Decoded claims are unverified and informational.** Anyone able to answer the token request
//! could put anything in them; only [`IdToken::verify`] (RS256 signature against keys the caller
//! trusts, issuer, audience, expiry, nonce) makes them evidence. The gateway trusts the token
//! endpoint's identity fields and the signed documents, never unverified `id_token` claims.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::Pkcs1v15Sign;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::jwks::IdTokenKeys;
use crate::wire::{opt_i64, opt_text};

/// Tolerated clock difference when checking `exp`.
const LEEWAY_SECS: i64 = 60;

/// Why an `id_token` could not be decoded or verified. Messages never quote the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    /// Not a compact JWS with a JSON header and a JSON object as payload.
    #[error("the id_token is malformed: {0}")]
    Malformed(&'static str),
    /// The header names an algorithm other than RS256 (including `none`).
    #[error("the id_token is not signed with RS256")]
    UnsupportedAlgorithm,
    /// No trusted key matches the token's `kid`.
    #[error("no trusted key matches the id_token")]
    UnknownKey,
    /// The signature does not verify with the matching key.
    #[error("the id_token signature does not verify")]
    BadSignature,
    /// `iss` is not the expected issuer.
    #[error("the id_token was issued by someone else")]
    WrongIssuer,
    /// `aud` does not contain this client's id.
    #[error("the id_token is meant for another client")]
    WrongAudience,
    /// `exp` is missing or in the past.
    #[error("the id_token has expired or has no expiry")]
    Expired,
    /// `nonce` differs from the one sent at authorize.
    #[error("the id_token nonce does not match")]
    NonceMismatch,
    /// The JWK Set could not be read.
    #[error("the key set is unusable: {0}")]
    InvalidKeySet(&'static str),
}

/// The claims of a DigiLocker `id_token`, as seen in a real one (reference §4.2). Every field is
/// optional because DigiLocker leaves out what it does not know. `Debug` hides personal data.
///
/// Obtained from [`IdToken::unverified_claims`] these are **unverified**: informational only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// `iss`: who issued the token.
    pub issuer: Option<String>,
    /// `sub`: the DigiLocker account the token is about.
    pub subject: Option<String>,
    /// `aud`: the client ids it is meant for (a string or an array on the wire).
    pub audience: Vec<String>,
    /// `iat`, epoch seconds.
    pub issued_at: Option<i64>,
    /// `exp`, epoch seconds.
    pub expires_at: Option<i64>,
    /// `auth_time`, epoch seconds.
    pub auth_time: Option<i64>,
    /// `nonce`, echoed from the authorize request.
    pub nonce: Option<String>,
    /// `jti`, the token's unique id.
    pub token_id: Option<String>,
    /// `given_name`.
    pub given_name: Option<String>,
    /// `preferred_username`.
    pub preferred_username: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `gender`.
    pub gender: Option<String>,
    /// `birthdate`, as sent (`DD/MM/YYYY`, or `DD/MM/YYYYT00:00:00.000000Z` live).
    pub birthdate: Option<String>,
    /// `phone_number`.
    pub phone_number: Option<String>,
    /// `user_sso_id`, `DL-<uuid>`.
    pub user_sso_id: Option<String>,
    /// `pan_number`.
    pub pan_number: Option<String>,
    /// `driving_licence`, the licence number.
    pub driving_licence: Option<String>,
    /// `masked_aadhaar`, `xxxxxxxx` and the last four digits.
    pub masked_aadhaar: Option<String>,
    /// `reference_key`.
    pub reference_key: Option<String>,
    /// `auth_txn`.
    pub auth_txn: Option<String>,
    /// `auth_mode`, e.g. `DL_MOBILE_PIN`.
    pub auth_mode: Option<String>,
}

impl fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenClaims")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl IdTokenClaims {
    fn from_map(map: &Map<String, Value>) -> Result<Self, IdTokenError> {
        let text = |name: &str| -> Result<Option<String>, IdTokenError> {
            map.get(name)
                .cloned()
                .map_or(Ok(None), opt_text)
                .map_err(|_| IdTokenError::Malformed("a claim has the wrong type"))
        };
        let number = |name: &str| -> Result<Option<i64>, IdTokenError> {
            map.get(name)
                .cloned()
                .map_or(Ok(None), opt_i64)
                .map_err(|_| IdTokenError::Malformed("a time claim is not a number"))
        };
        let audience = match map.get("aud") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(aud)) => vec![aud.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or(IdTokenError::Malformed("aud is not a string list"))?,
            Some(_) => return Err(IdTokenError::Malformed("aud is not a string")),
        };
        Ok(Self {
            issuer: text("iss")?,
            subject: text("sub")?,
            audience,
            issued_at: number("iat")?,
            expires_at: number("exp")?,
            auth_time: number("auth_time")?,
            nonce: text("nonce")?,
            token_id: text("jti")?,
            given_name: text("given_name")?,
            preferred_username: text("preferred_username")?,
            email: text("email")?,
            gender: text("gender")?,
            birthdate: text("birthdate")?,
            phone_number: text("phone_number")?,
            user_sso_id: text("user_sso_id")?,
            pan_number: text("pan_number")?,
            driving_licence: text("driving_licence")?,
            masked_aadhaar: text("masked_aadhaar")?,
            reference_key: text("reference_key")?,
            auth_txn: text("auth_txn")?,
            auth_mode: text("auth_mode")?,
        })
    }
}

/// What a verified `id_token` must say: who issued it, for whom, when, and for which request.
#[derive(Debug, Clone, Copy)]
pub struct IdTokenExpectations<'a> {
    /// The required `iss`, e.g. `https://digilocker.meripehchaan.gov.in`.
    pub issuer: &'a str,
    /// This partner's client id, which `aud` must contain.
    pub client_id: &'a str,
    /// The `nonce` sent at authorize, if one was.
    pub nonce: Option<&'a str>,
    /// The current time, epoch seconds.
    pub now: i64,
}

/// A decoded `id_token`. `Debug` never shows the token or personal data.
#[derive(Clone)]
pub struct IdToken {
    raw: SecretString,
    algorithm: String,
    key_id: Option<String>,
    claims: IdTokenClaims,
}

impl fmt::Debug for IdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdToken")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl IdToken {
    /// Splits and decodes a compact JWS without checking its signature.
    pub fn decode(compact: &str) -> Result<Self, IdTokenError> {
        let mut parts = compact.split('.');
        let (Some(header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(IdTokenError::Malformed("not three dot-separated parts"));
        };
        let header = json_object(header)?;
        let algorithm = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or(IdTokenError::Malformed("the header has no alg"))?
            .to_owned();
        let key_id = header.get("kid").and_then(Value::as_str).map(str::to_owned);
        let claims = IdTokenClaims::from_map(&json_object(payload)?)?;
        Ok(Self {
            raw: SecretString::from(compact.to_owned()),
            algorithm,
            key_id,
            claims,
        })
    }

    /// The claims exactly as sent, **not verified**: informational only, never a basis for
    /// trusting who the user is. Use [`IdToken::verify`] for that.
    pub fn unverified_claims(&self) -> &IdTokenClaims {
        &self.claims
    }

    /// The token as received, for handing on to something that verifies it itself.
    pub fn expose(&self) -> &str {
        self.raw.expose_secret()
    }

    /// Checks the RS256 signature with `keys`, then `iss`, `aud`, `exp` and `nonce`, and only
    /// then returns the claims.
    pub fn verify(
        &self,
        keys: &IdTokenKeys,
        expect: &IdTokenExpectations<'_>,
    ) -> Result<&IdTokenClaims, IdTokenError> {
        if self.algorithm != "RS256" {
            return Err(IdTokenError::UnsupportedAlgorithm);
        }
        let raw = self.raw.expose_secret();
        let (signing_input, signature) = raw
            .rsplit_once('.')
            .ok_or(IdTokenError::Malformed("no signature"))?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| IdTokenError::Malformed("the signature is not base64url"))?;
        let digest = Sha256::digest(signing_input.as_bytes());
        let verified = keys.candidates(self.key_id.as_deref())?.any(|key| {
            key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
                .is_ok()
        });
        if !verified {
            return Err(IdTokenError::BadSignature);
        }
        let claims = &self.claims;
        if claims.issuer.as_deref() != Some(expect.issuer) {
            return Err(IdTokenError::WrongIssuer);
        }
        if !claims.audience.iter().any(|aud| aud == expect.client_id) {
            return Err(IdTokenError::WrongAudience);
        }
        match claims.expires_at {
            Some(exp) if exp + LEEWAY_SECS > expect.now => {}
            _ => return Err(IdTokenError::Expired),
        }
        if let Some(nonce) = expect.nonce {
            if claims.nonce.as_deref() != Some(nonce) {
                return Err(IdTokenError::NonceMismatch);
            }
        }
        Ok(claims)
    }
}

fn json_object(part: &str) -> Result<Map<String, Value>, IdTokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| IdTokenError::Malformed("a part is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(IdTokenError::Malformed("a part is not a JSON object")),
    }
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
mod tests;
