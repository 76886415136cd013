//! Why an API secret could not be hashed or checked, in its own module so that `error.rs` can
//! convert it without depending on `auth.rs` (whose `Caller` extractor answers `ApiError`).

/// Why a secret could not be hashed or checked: an internal failure, never the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The hasher's permits are gone (the gateway is shutting down).
    #[error("the secret hasher is closed")]
    Closed(#[from] tokio::sync::AcquireError),
    /// The blocking task computing the hash panicked or was cancelled.
    #[error("the hashing task ended abnormally")]
    Task(#[from] tokio::task::JoinError),
    /// Argon2 refused to hash the secret.
    #[error("the secret could not be hashed")]
    Argon2(argon2::password_hash::Error),
}
