//! API secrets hashed with Argon2id, off the async workers and with bounded concurrency.

use crate::hash_error::HashError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

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
