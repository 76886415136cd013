//! DigiLocker's JSON error envelope, `{"error": ..., "error_description": ...}`.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error answered the way DigiLocker's APIs answer it.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    error: &'static str,
    description: Cow<'static, str>,
}

impl ApiError {
    /// An error with the given status, code and description.
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            error,
            description: description.into(),
        }
    }

    /// 400 with one of the OAuth library's token-endpoint codes.
    pub(crate) fn bad_request(
        error: &'static str,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }

    /// 401 `invalid_token`: missing, unknown, expired or revoked bearer token.
    pub(crate) fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is invalid",
        )
    }

    /// 403 `insufficient_scope`: the person did not consent to this document.
    pub(crate) fn insufficient_scope() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "The request requires higher privileges than provided by the access token",
        )
    }

    /// 404 `invalid_uri`: no such document for this account.
    pub(crate) fn invalid_uri() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_uri",
            "No file found for given URI",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if matches!(
            self.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            // RFC 6750 challenge, as the OAuth library behind DigiLocker sends it.
            let challenge = format!(
                "Bearer realm=\"Service\", error=\"{}\", error_description=\"{}\"",
                self.error, self.description
            );
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}
