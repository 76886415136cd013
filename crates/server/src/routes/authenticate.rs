//! `POST /authenticate`: an API key and secret buy a 24-hour access token.

use crate::envelope::Data;
use crate::error::ApiError;
use crate::limits;
use crate::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use digigate_core::api::AccessToken;
use digigate_core::ApiKeyId;
use std::net::SocketAddr;

/// A syntactically valid Argon2id hash of nothing, verified against when the key is unknown so
/// that unknown keys and wrong secrets take the same time.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGlnaWdhdGVkZWNveQ$0h2bFQeRvB7pYhY2l5Zx4K4cWnKqE0Ksm9Rj1pQ0xhE";

/// Exchanges `x-api-key` + `x-api-secret` for an access token.
#[utoipa::path(
    post,
    path = "/authenticate",
    operation_id = "authenticate",
    tag = "authentication",
    summary = "Exchange an API key and secret for an access token",
    params(crate::openapi::KeyHeaders),
    responses((status = 200, description = "The access token.", body = digigate_core::api::Envelope<digigate_core::api::AccessToken>), crate::openapi::AuthenticateErrors),
    security(("apiKey" = [], "apiSecret" = []))
)]
pub async fn authenticate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Data<AccessToken>, ApiError> {
    let limiter = &state.inner.auth_limiter;
    limiter
        .check(&format!(
            "addr:{}",
            limits::address_bucket(limits::client_address(
                peer.ip(),
                &headers,
                &state.inner.config.trusted_proxies
            ))
        ))
        .map_err(ApiError::RateLimited)?;
    let header = |name: &str| crate::auth::credential(&headers, name);
    let (Some(key), Some(secret)) = (header("x-api-key"), header("x-api-secret")) else {
        return Err(ApiError::Unauthorized);
    };
    let id = ApiKeyId::parse(key).ok_or(ApiError::Unauthorized)?;
    limiter
        .check(&format!("key:{id}"))
        .map_err(ApiError::RateLimited)?;
    if secret.len() > 128 {
        return Err(ApiError::Unauthorized);
    }
    let record = state.inner.store.api_key(id.as_str()).await?;
    let hash = record
        .as_ref()
        .map_or(DECOY_HASH, |r| r.secret_hash.as_str());
    let matches = state.inner.hasher.verify(secret, hash).await?;
    match record {
        Some(r) if matches && r.disabled_at_ms.is_none() => {
            tracing::info!(api_key = %id, "issued access token");
            let token = state
                .inner
                .tokens
                .issue(&id, r.generation, chrono::Utc::now().timestamp());
            Ok(Data(AccessToken {
                access_token: token,
            }))
        }
        _ => Err(ApiError::Unauthorized),
    }
}
