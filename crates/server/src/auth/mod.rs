//! Who is calling: API keys with Argon2id-hashed secrets (`secret.rs`, made by `keys.rs`), the
//! HS256 access tokens that `/authenticate` issues for them (`token.rs`), and here the
//! [`Caller`] extractor that checks both on every API request.

mod keys;
mod secret;
mod token;

pub use crate::hash_error::HashError;
pub use keys::{create_api_key, rotate_redirect_secret, CreatedKey, KeyCreationError};
pub use secret::SecretHasher;
pub use token::{Claims, TokenIssuer};

use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use digigate_store::ApiKeyRecord;

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
