//! The HS256 access tokens `/authenticate` issues for an API key, made and checked by
//! `jsonwebtoken` with the algorithm, issuer and expiry pinned.

use digigate_core::ApiKeyId;
use jsonwebtoken::{Algorithm as JwtAlgorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretBox};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// The API key id the token was issued to.
    pub sub: String,
    /// Issued at, epoch seconds.
    pub iat: i64,
    /// Expires at, epoch seconds.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// The key's generation when the token was issued; a secret rotation ends older tokens.
    #[serde(default)]
    pub generation: i64,
}

/// Issues and verifies HS256 access tokens.
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    ttl: Duration,
}

impl TokenIssuer {
    /// A token issuer signing with `key`.
    pub fn new(key: &SecretBox<[u8; 32]>, issuer: String, ttl: Duration) -> Self {
        // HS256 is the only algorithm accepted; `none` and every other one are refused.
        let mut validation = Validation::new(JwtAlgorithm::HS256);
        validation.set_issuer(&[&issuer]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.leeway = 0;
        validation.validate_aud = false;
        // The library compares `exp` with the system clock and still accepts a token during its
        // `exp` second; `verify` checks expiry against the clock it is given, and a token is dead
        // from its `exp` on. `exp` stays a required claim here.
        validation.validate_exp = false;
        TokenIssuer {
            encoding: EncodingKey::from_secret(key.expose_secret()),
            decoding: DecodingKey::from_secret(key.expose_secret()),
            validation,
            issuer,
            ttl,
        }
    }

    /// Issues a token for `key_id` at `now` (epoch seconds).
    pub fn issue(&self, key_id: &ApiKeyId, generation: i64, now: i64) -> String {
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: key_id.as_str().to_owned(),
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            jti: uuid::Uuid::new_v4().to_string(),
            generation,
        };
        jsonwebtoken::encode(&Header::new(JwtAlgorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signs any claims that serialise")
    }

    /// Verifies a token's algorithm, signature, issuer and expiry at `now` (epoch seconds).
    pub fn verify(&self, token: &str, now: i64) -> Option<Claims> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        (claims.exp > now).then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use digigate_core::KeyEnvironment;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    /// The header every issued token carries.
    const PINNED_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

    fn issuer() -> TokenIssuer {
        TokenIssuer::new(
            &SecretBox::new(Box::new([7u8; 32])),
            "digigate".into(),
            Duration::from_secs(60),
        )
    }

    fn forge(header: &str, claims: &Claims, key: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            B64.encode(header),
            B64.encode(serde_json::to_vec(claims).unwrap())
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn an_issued_token_verifies_until_it_expires() {
        let (id, _) = ApiKeyId::generate(KeyEnvironment::Test);
        let t = issuer().issue(&id, 0, 1000);
        let claims = issuer().verify(&t, 1001).unwrap();
        assert_eq!(claims.sub, id.as_str());
        assert_eq!(claims.exp, 1060);
        assert!(issuer().verify(&t, 1060).is_none());
    }

    #[test]
    fn tokens_with_another_algorithm_or_key_or_edits_are_refused() {
        let (id, _) = ApiKeyId::generate(KeyEnvironment::Test);
        let good = issuer().issue(&id, 0, 1000);
        let claims = issuer().verify(&good, 1000).unwrap();
        let none = format!(
            "{}.{}.",
            B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            good.split('.').nth(1).unwrap()
        );
        assert!(issuer().verify(&none, 1000).is_none());
        let hs512 = forge(r#"{"alg":"HS512","typ":"JWT"}"#, &claims, &[7u8; 32]);
        assert!(issuer().verify(&hs512, 1000).is_none());
        let other_key = forge(PINNED_HEADER, &claims, &[8u8; 32]);
        assert!(issuer().verify(&other_key, 1000).is_none());
        let mut longer = claims.clone();
        longer.exp += 1_000_000;
        let tampered = format!(
            "{}.{}.{}",
            good.split('.').next().unwrap(),
            B64.encode(serde_json::to_vec(&longer).unwrap()),
            good.split('.').nth(2).unwrap()
        );
        assert!(issuer().verify(&tampered, 1000).is_none());
        assert!(issuer().verify("not.a.token.at.all", 1000).is_none());
        assert!(issuer().verify("", 1000).is_none());
    }

    #[test]
    fn a_token_from_another_issuer_is_refused() {
        let (id, _) = ApiKeyId::generate(KeyEnvironment::Test);
        let elsewhere = TokenIssuer::new(
            &SecretBox::new(Box::new([7u8; 32])),
            "another-gateway".into(),
            Duration::from_secs(60),
        );
        assert!(issuer()
            .verify(&elsewhere.issue(&id, 0, 1000), 1000)
            .is_none());
    }
}
