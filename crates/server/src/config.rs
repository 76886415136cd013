//! The gateway's runtime configuration (the CLI builds it from flags and `DIGIGATE_*`).

use digigate_documents::signature::TrustStore;
use secrecy::SecretBox;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How the gateway is configured.
pub struct GatewayConfig {
    /// The URL people and businesses reach this gateway at (links are built from it).
    pub public_url: Url,
    /// Development mode: plain-http localhost redirect URLs are accepted.
    pub development: bool,
    /// `iss` of the access tokens `/authenticate` issues.
    pub issuer: String,
    /// Lifetime of an access token (Sandbox: 24 hours).
    pub token_ttl: Duration,
    /// Lifetime of the `authorization_url` link returned by init.
    pub link_ttl: Duration,
    /// Lifetime of a DigiLocker authorization (state, PKCE verifier) once the link is opened.
    pub authorization_ttl: Duration,
    /// Lifetime of a signed document download link.
    pub download_ttl: Duration,
    /// Purpose label sent to DigiLocker's consent page.
    pub purpose: String,
    /// Key-encryption key (AES-256) that wraps every session's data key and seals tokens.
    pub master_key: SecretBox<[u8; 32]>,
    /// HMAC key that signs access tokens.
    pub jwt_secret: SecretBox<[u8; 32]>,
    /// How many Argon2id computations may run at once.
    pub max_concurrent_hashes: usize,
    /// Attempts at each DigiLocker read (user details, issued list, each document) when it
    /// fails in a way a retry can fix; at most 3 are made whatever this says.
    pub fetch_attempts: u32,
    /// The base of the backoff between read attempts: before retry n the wait is a random
    /// time up to `fetch_backoff × 2^(n-1)` (full jitter), capped at 5 s.
    pub fetch_backoff: Duration,
    /// The longest one DigiLocker read may take before it counts as a timeout (default 15 s;
    /// the DigiLocker client's own timeout applies too).
    pub upstream_read_timeout: Duration,
    /// When the circuit breaker in front of DigiLocker opens, and for how long.
    pub circuit_breaker: crate::breaker::BreakerPolicy,
    /// How long documents are kept after a session succeeds.
    pub retention: Duration,
    /// Requests per minute allowed per API key.
    pub rate_limit_per_minute: u32,
    /// `/authenticate` attempts per minute allowed per key id and per source address.
    pub auth_attempts_per_minute: u32,
    /// Largest request body accepted; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed when limiting `/authenticate` per
    /// client address (nobody else's is).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Roots that DigiLocker's document signers must chain to, and the signers expected;
    /// by default the shipped CCA India roots and DigiLocker's signer rule. Empty (no anchor)
    /// means documents are stored as `unverified` and served with a warning.
    pub trust_store: Arc<TrustStore>,
    /// Refuse (`hmac_missing`) a document DigiLocker sends without its `hmac` header; by default
    /// it is accepted and the report says `hmac_header: missing`.
    pub require_hmac: bool,
    /// The operator page's token; `None` (the default) leaves `/operator` a 404.
    pub operator_token: Option<crate::operator::OperatorToken>,
    /// Webhook targets and delivery (`webhooks::WebhookConfig`).
    pub webhooks: crate::webhooks::WebhookConfig,
}

impl GatewayConfig {
    /// A configuration with the documented defaults around the given keys.
    pub fn new(public_url: Url, master_key: [u8; 32], jwt_secret: [u8; 32]) -> Self {
        GatewayConfig {
            public_url,
            development: true,
            issuer: "digigate".to_owned(),
            token_ttl: Duration::from_secs(24 * 3600),
            link_ttl: Duration::from_secs(600),
            authorization_ttl: Duration::from_secs(1800),
            download_ttl: Duration::from_secs(300),
            purpose: "kyc".to_owned(),
            master_key: SecretBox::new(Box::new(master_key)),
            jwt_secret: SecretBox::new(Box::new(jwt_secret)),
            max_concurrent_hashes: 2,
            fetch_attempts: 3,
            fetch_backoff: Duration::from_millis(200),
            upstream_read_timeout: Duration::from_secs(15),
            circuit_breaker: crate::breaker::BreakerPolicy::default(),
            retention: Duration::from_secs(24 * 3600),
            rate_limit_per_minute: 600,
            auth_attempts_per_minute: 30,
            max_body_bytes: 64 * 1024,
            trusted_proxies: Vec::new(),
            // The shipped roots are compiled in and tested to load; were they ever unreadable,
            // the store would be empty and every document `unverified` with a warning.
            trust_store: Arc::new(TrustStore::digilocker().unwrap_or_default()),
            require_hmac: false,
            operator_token: None,
            webhooks: crate::webhooks::WebhookConfig::default(),
        }
    }

    /// The path of the DigiLocker callback under the public URL (the binding cookie's path).
    pub fn callback_path(&self) -> String {
        format!(
            "{}/callbacks/digilocker",
            self.public_url.path().trim_end_matches('/')
        )
    }

    /// `{public_url}{path}` where `path` starts with `/`.
    pub fn public_link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_configuration_verifies_with_the_shipped_roots() {
        let c = GatewayConfig::new(Url::parse("https://kyc.example").unwrap(), [0; 32], [0; 32]);
        assert!(!c.trust_store.is_empty());
        assert!(!c.require_hmac);
    }

    #[test]
    fn the_callback_path_keeps_a_public_url_prefix() {
        let at =
            |u: &str| GatewayConfig::new(Url::parse(u).unwrap(), [0; 32], [0; 32]).callback_path();
        assert_eq!(at("https://kyc.example"), "/callbacks/digilocker");
        assert_eq!(at("https://bank.example/kyc/"), "/kyc/callbacks/digilocker");
        assert_eq!(at("https://bank.example/kyc"), "/kyc/callbacks/digilocker");
    }
}
