//! Who is calling: API keys with Argon2id-hashed secrets, and the HS256 access tokens that
//! `/authenticate` issues for them.

use crate::error::ApiError;
pub use crate::hash_error::HashError;
use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use digigate_core::{ApiKeyId, KeyEnvironment};
use digigate_store::{ApiKeyRecord, SealedKind, Store};
use jsonwebtoken::{Algorithm as JwtAlgorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretBox};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

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

/// Why an API key could not be created.
#[derive(Debug, thiserror::Error)]
pub enum KeyCreationError {
    /// The secret could not be hashed.
    #[error("the key's secret could not be hashed")]
    Hash(#[from] HashError),
    /// The key could not be stored.
    #[error("the key could not be stored")]
    Store(#[from] digigate_store::StoreError),
}

/// Hashes and verifies API secrets with Argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane)
/// on the blocking pool, with bounded concurrency so a flood cannot exhaust memory or CPU.
#[derive(Clone)]
pub struct SecretHasher {
    permits: Arc<Semaphore>,
}

fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid params"),
    )
}

impl SecretHasher {
    /// A hasher allowing `concurrency` computations at once.
    pub fn new(concurrency: usize) -> Self {
        SecretHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Hashes `secret` into a PHC string.
    pub async fn hash(&self, secret: &str) -> Result<String, HashError> {
        let _permit = self.permits.acquire().await?;
        let secret = secret.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2()
                .hash_password(secret.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await?
        .map_err(HashError::Argon2)
    }

    /// Whether `secret` matches the PHC string `hash`.
    pub async fn verify(&self, secret: &str, hash: &str) -> Result<bool, HashError> {
        let _permit = self.permits.acquire().await?;
        let (secret, hash) = (secret.to_owned(), hash.to_owned());
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .is_ok_and(|h| argon2().verify_password(secret.as_bytes(), &h).is_ok())
        })
        .await
        .map_err(HashError::Task)
    }
}

/// A key just created: what its owner is shown once.
pub struct CreatedKey {
    /// The key id.
    pub id: ApiKeyId,
    /// The key's secret (stored hashed).
    pub secret: String,
    /// The secret that signs the redirect back (`whsec_…`, stored sealed); `None` when the key
    /// was made without the master key at hand.
    pub redirect_secret: Option<String>,
}

/// Creates and stores a new API key. With the vault it also gets a redirect secret (the
/// signature of the redirect back); without one, the key's redirects go unsigned until
/// `digigate keys rotate-redirect-secret` issues it.
pub async fn create_api_key(
    store: &dyn Store,
    hasher: &SecretHasher,
    vault: Option<&crate::vault::Vault>,
    name: &str,
    env: KeyEnvironment,
    redirect_urls: Vec<String>,
    now_ms: i64,
) -> Result<CreatedKey, KeyCreationError> {
    let (id, secret) = ApiKeyId::generate(env);
    let redirect = vault.map(|vault| {
        let signing = crate::webhooks::SigningSecret::generate();
        let sealed = signing.seal(vault, SealedKind::RedirectSecret, id.as_str());
        (signing.to_whsec(), sealed)
    });
    let record = ApiKeyRecord {
        id: id.as_str().to_owned(),
        name: name.to_owned(),
        secret_hash: hasher.hash(&secret).await?,
        created_at_ms: now_ms,
        disabled_at_ms: None,
        redirect_urls,
        generation: 0,
        redirect_secret_sealed: redirect.as_ref().map(|(_, sealed)| sealed.clone()),
    };
    store.insert_api_key(&record).await?;
    Ok(CreatedKey {
        id,
        secret,
        redirect_secret: redirect.map(|(printed, _)| printed),
    })
}

/// Issues a new redirect secret for a key (replacing any it had); `None` when there is no such
/// key. The printed `whsec_…` form is shown once.
pub async fn rotate_redirect_secret(
    store: &dyn Store,
    vault: &crate::vault::Vault,
    key_id: &str,
) -> Result<Option<String>, digigate_store::StoreError> {
    let signing = crate::webhooks::SigningSecret::generate();
    let sealed = signing.seal(vault, SealedKind::RedirectSecret, key_id);
    let found = store.set_api_key_redirect_secret(key_id, &sealed).await?;
    Ok(found.then(|| signing.to_whsec()))
}

/// The value of a credential header, only when it appears exactly once: a repeated header is
/// ambiguous (a proxy may read one copy and the gateway another), so it counts as absent.
pub fn credential<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    value.to_str().ok()
}

/// An authenticated caller: the API key a valid token was issued to, checked on every request.
pub struct Caller {
    /// The caller's key.
    pub key: ApiKeyRecord,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = |name: &str| credential(&parts.headers, name);
        let key_id = header("x-api-key").ok_or(ApiError::Unauthorized)?;
        let raw = header("authorization").ok_or(ApiError::Unauthorized)?;
        let token = raw.strip_prefix("Bearer ").unwrap_or(raw).trim();
        let now = chrono::Utc::now().timestamp();
        let claims = state
            .inner
            .tokens
            .verify(token, now)
            .ok_or(ApiError::Unauthorized)?;
        if claims.sub != key_id {
            return Err(ApiError::Unauthorized);
        }
        let key = state
            .inner
            .store
            .api_key(key_id)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if key.disabled_at_ms.is_some() || key.generation != claims.generation {
            return Err(ApiError::Unauthorized);
        }
        state
            .inner
            .api_limiter
            .check(&key.id)
            .map_err(ApiError::RateLimited)?;
        Ok(Caller { key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
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
