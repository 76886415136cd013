//! The cached access token and when it must be replaced.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

/// How long before its `exp` a token is replaced, in seconds.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// An access token from `/authenticate` and its expiry.
pub struct CachedToken {
    value: SecretString,
    /// `exp` of the JWT, epoch seconds; `None` when the token is not a readable JWT (it is then
    /// used until the gateway answers 401).
    expires_at: Option<i64>,
}

impl CachedToken {
    /// Wraps a token, reading its `exp` claim without verifying the signature (the client has no
    /// key to verify it with; the gateway does that).
    pub fn new(token: String) -> Self {
        let expires_at = jwt_expiry(&token);
        CachedToken {
            value: SecretString::from(token),
            expires_at,
        }
    }

    /// Whether the token can still be sent at `now` (epoch seconds).
    pub fn is_fresh(&self, now: i64) -> bool {
        self.expires_at
            .is_none_or(|exp| exp - now > REFRESH_MARGIN_SECS)
    }

    /// The token.
    pub fn secret(&self) -> &SecretString {
        &self.value
    }

    /// Whether this is the same token as `other`.
    pub fn is(&self, other: &SecretString) -> bool {
        self.value.expose_secret() == other.expose_secret()
    }
}

/// The `exp` claim (epoch seconds) of a JWT, if the token is one.
pub fn jwt_expiry(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    // Some issuers pad their base64url; the standard says not to, so accept both.
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn the_expiry_is_read_from_the_payload_without_verification() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"sub":"k","exp":1700000000}"#)),
            Some(1700000000)
        );
        assert_eq!(jwt_expiry("not-a-jwt"), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"k"}"#)), None);
    }

    #[test]
    fn a_token_is_replaced_within_a_minute_of_its_expiry() {
        let t = CachedToken::new(jwt(r#"{"exp":1000}"#));
        assert!(t.is_fresh(939));
        assert!(!t.is_fresh(940));
        assert!(!t.is_fresh(2000));
        assert!(CachedToken::new("opaque".into()).is_fresh(i64::MAX));
    }
}
