//! The one place where errors become HTTP answers on the API.

use crate::envelope::error_body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use digigate_core::{DocType, ValidationError};
use std::time::Duration;

/// An error answered on the Sandbox-compatible API, in Sandbox's envelope and words.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing, wrong or expired credentials.
    #[error("Unauthorized")]
    Unauthorized,
    /// The request body or a parameter is invalid.
    #[error("{0}")]
    BadRequest(String),
    /// The session does not exist or belongs to another API key (the two are indistinguishable).
    #[error("Data not found for: {0}")]
    SessionNotFound(String),
    /// The document type was not consented to.
    #[error("Consent for {0} not provided")]
    ConsentNotProvided(DocType),
    /// The session has not succeeded, so it has no documents or profile yet.
    #[error("Cannot get document due to invalid session lifecycle")]
    InvalidLifecycle,
    /// The session's documents were erased (retention or deletion).
    #[error("Documents of this session were erased")]
    Erased,
    /// The document was consented to but DigiLocker did not provide it.
    #[error("Document not available: {0} ({1})")]
    DocumentUnavailable(DocType, String),
    /// The Idempotency-Key was already used with a different request body.
    #[error("Idempotency-Key was already used with a different request body")]
    IdempotencyKeyReused,
    /// A request with the same Idempotency-Key is still being answered.
    #[error("A request with this Idempotency-Key is still in progress")]
    IdempotencyKeyInFlight,
    /// The route does not exist.
    #[error("Not found")]
    NotFound,
    /// The method is not allowed on this route.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// Too many requests; retry after the given time.
    #[error("Too many requests")]
    RateLimited(Duration),
    /// The request body did not arrive in time.
    #[error("Request Timeout")]
    RequestTimeout,
    /// The request body is too large.
    #[error("Request Entity Too Large")]
    PayloadTooLarge,
    /// DigiLocker could not be reached or answered an error.
    #[error("Source Unavailable")]
    UpstreamUnavailable,
    /// A circuit to DigiLocker is open, so a journey started now would fail at the callback;
    /// nothing was stored, and a new session may be asked for after `Retry-After`.
    #[error("Source Unavailable")]
    UpstreamCircuitOpen(Duration),
    /// The database is away (connection refused or not had within the pool's timeout);
    /// nothing was changed, and the same request may succeed after `Retry-After` seconds.
    #[error("Service unavailable")]
    StorageUnreachable,
    /// Anything else; the cause is logged once, never answered.
    #[error("Internal server error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// Wraps an internal failure (its cause is logged, never shown).
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(e))
    }

    /// "Data not found" for the session `id` the caller named, which is echoed back cut to
    /// 64 characters (no session id is longer, and the answer does not grow with the request).
    pub fn session_not_found(id: &str) -> Self {
        ApiError::SessionNotFound(id.chars().take(64).collect())
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) | ApiError::ConsentNotProvided(_) => StatusCode::BAD_REQUEST,
            ApiError::SessionNotFound(_)
            | ApiError::NotFound
            | ApiError::DocumentUnavailable(..) => StatusCode::NOT_FOUND,
            ApiError::InvalidLifecycle | ApiError::IdempotencyKeyInFlight => StatusCode::CONFLICT,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Erased => StatusCode::GONE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UpstreamUnavailable
            | ApiError::UpstreamCircuitOpen(_)
            | ApiError::StorageUnreachable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

/// What a client is told to wait before repeating a request the database's absence refused.
const STORAGE_RETRY_AFTER: Duration = Duration::from_secs(5);

impl From<digigate_store::StoreError> for ApiError {
    fn from(e: digigate_store::StoreError) -> Self {
        if e.is_unreachable() {
            tracing::warn!(error = %error_chain(&e), "the database is unreachable");
            return ApiError::StorageUnreachable;
        }
        ApiError::internal(e)
    }
}

impl From<crate::hash_error::HashError> for ApiError {
    fn from(e: crate::hash_error::HashError) -> Self {
        ApiError::internal(e)
    }
}

impl From<crate::audit::AuditError> for ApiError {
    fn from(e: crate::audit::AuditError) -> Self {
        // The audit log is written through the store: its absence is an outage, not a bug.
        let unreachable = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<digigate_store::StoreError>())
            .is_some_and(digigate_store::StoreError::is_unreachable);
        if unreachable {
            tracing::warn!(error = %error_chain(&e), "the database is unreachable");
            return ApiError::StorageUnreachable;
        }
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = %error_chain(cause.as_ref()), "internal error");
        }
        let mut res = error_body(self.status(), &self.to_string());
        let retry_after = match self {
            ApiError::RateLimited(wait) | ApiError::UpstreamCircuitOpen(wait) => Some(wait),
            ApiError::StorageUnreachable => Some(STORAGE_RETRY_AFTER),
            _ => None,
        };
        if let Some(wait) = retry_after {
            let secs = wait.as_secs().max(1).to_string();
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&secs).expect("digits"),
            );
        }
        res
    }
}

/// Renders an error and its sources on one line, for the log.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}
