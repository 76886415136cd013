//! Errors of the DigiLocker client.
//!
//! Every message here is safe to log: no tokens, codes, verifiers, secrets, URLs (file URIs carry
//! document numbers) or response bodies (they carry personal data).

use serde::Deserialize;

/// Longest `error_description` kept from an error body; DigiLocker's own texts are far shorter,
/// and the cap keeps an unexpected echo of request data out of logs.
const MAX_DESCRIPTION_CHARS: usize = 200;

/// Why a call to DigiLocker failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigiLockerError {
    /// DigiLocker answered with its `{error, error_description}` envelope.
    #[error("DigiLocker answered {status} {error}: {description}")]
    Api {
        /// HTTP status of the answer.
        status: u16,
        /// The machine-readable `error` code, e.g. `invalid_grant` or `invalid_token`.
        error: String,
        /// The human-readable `error_description` (may be empty).
        description: String,
    },
    /// The call did not complete within the configured timeout.
    #[error("DigiLocker did not answer within the timeout")]
    Timeout,
    /// The call failed below HTTP (DNS, connection, TLS, a broken body stream).
    #[error("could not reach DigiLocker: {0}")]
    Transport(String),
    /// DigiLocker answered with a status this client does not expect and no error envelope.
    #[error("DigiLocker answered with unexpected status {status}")]
    UnexpectedStatus {
        /// HTTP status of the answer.
        status: u16,
    },
    /// A successful answer could not be decoded into the expected shape.
    #[error("could not decode DigiLocker's answer: {0}")]
    Decode(String),
    /// A fetched document's `hmac` header does not match its body.
    #[error("the document's hmac header does not match its content")]
    HmacMismatch,
    /// DigiLocker answered with a redirect; this client never follows redirects.
    #[error("DigiLocker answered with redirect status {status}, which is not followed")]
    Redirect {
        /// HTTP status of the answer (3xx).
        status: u16,
    },
    /// The client configuration is unusable (e.g. a base URL that cannot take a path).
    #[error("invalid DigiLocker client configuration: {0}")]
    InvalidConfig(&'static str),
}

impl DigiLockerError {
    /// True when the document repository behind DigiLocker failed (`repository_service_*`)
    /// or DigiLocker itself answered 5xx: the user did nothing wrong.
    pub fn is_repository_failure(&self) -> bool {
        match self {
            Self::Api { status, error, .. } => {
                error.starts_with("repository_service_") || *status >= 500
            }
            Self::UnexpectedStatus { status } => *status >= 500,
            _ => false,
        }
    }

    /// True when the same call may succeed if repeated later (timeouts, transport failures,
    /// 5xx and 429 answers). Never repeat `exchange_code`: an authorization code is single use.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) => true,
            Self::Api { status, .. } | Self::UnexpectedStatus { status } => {
                *status >= 500 || *status == 429
            }
            _ => false,
        }
    }

    /// True when the account has no usable Aadhaar data (`aadhaar_not_linked`,
    /// `aadhaar_not_available`).
    pub fn is_aadhaar_missing(&self) -> bool {
        matches!(self, Self::Api { error, .. }
            if error == "aadhaar_not_linked" || error == "aadhaar_not_available")
    }

    /// True when DigiLocker rejected the access token (`invalid_token`): expired or revoked.
    pub fn is_invalid_token(&self) -> bool {
        matches!(self, Self::Api { error, .. } if error == "invalid_token")
    }

    /// Maps a `reqwest` failure without keeping its URL.
    pub(crate) fn from_reqwest(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Timeout;
        }
        if err.is_redirect() {
            // Unreachable with `Policy::none()`, kept so a policy change cannot leak a URL.
            return Self::Transport("redirect refused".to_owned());
        }
        let kind = if err.is_connect() {
            "connection failed"
        } else if err.is_body() || err.is_decode() {
            "reading the answer failed"
        } else if err.is_builder() {
            "request could not be built"
        } else {
            "request failed"
        };
        // The source chain comes from hyper / rustls / io and names causes, not URLs or bodies.
        let mut message = kind.to_owned();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            if cause.is::<reqwest::Error>() {
                source = cause.source();
                continue;
            }
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transport(message)
    }

    /// Builds the error for a non-success answer from its status and body.
    pub(crate) fn from_status_and_body(status: u16, body: &[u8]) -> Self {
        if (300..400).contains(&status) {
            return Self::Redirect { status };
        }
        #[derive(Deserialize)]
        struct Envelope {
            error: String,
            #[serde(default)]
            error_description: Option<String>,
        }
        match serde_json::from_slice::<Envelope>(body) {
            Ok(envelope) if !envelope.error.is_empty() => Self::Api {
                status,
                error: envelope.error.chars().take(MAX_DESCRIPTION_CHARS).collect(),
                description: envelope
                    .error_description
                    .unwrap_or_default()
                    .chars()
                    .take(MAX_DESCRIPTION_CHARS)
                    .collect(),
            },
            _ => Self::UnexpectedStatus { status },
        }
    }

    /// A decode failure described by position only: serde_json's own messages quote the
    /// offending value, which may be personal data.
    pub(crate) fn decode(what: &str, err: &serde_json::Error) -> Self {
        Self::Decode(format!(
            "{what}: {:?} error at line {} column {}",
            err.classify(),
            err.line(),
            err.column()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::DigiLockerError;

    #[test]
    fn an_error_envelope_becomes_an_api_error() {
        let body = br#"{"error":"invalid_grant","error_description":"Authorization code doesn't exist or is invalid for the client"}"#;
        let err = DigiLockerError::from_status_and_body(400, body);
        assert_eq!(
            err,
            DigiLockerError::Api {
                status: 400,
                error: "invalid_grant".into(),
                description: "Authorization code doesn't exist or is invalid for the client".into(),
            }
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn an_envelope_without_description_keeps_the_code() {
        let err = DigiLockerError::from_status_and_body(401, br#"{"error":"invalid_token"}"#);
        assert!(err.is_invalid_token());
        assert!(
            matches!(err, DigiLockerError::Api { ref description, .. } if description.is_empty())
        );
    }

    #[test]
    fn a_non_json_error_body_is_an_unexpected_status_without_the_body() {
        let err = DigiLockerError::from_status_and_body(500, b"<html>Sunil Kumar 31121970</html>");
        assert_eq!(err, DigiLockerError::UnexpectedStatus { status: 500 });
        assert!(err.is_repository_failure());
        assert!(err.is_retryable());
        assert!(!format!("{err} {err:?}").contains("Sunil"));
    }

    #[test]
    fn a_redirect_status_is_a_redirect_error() {
        let err = DigiLockerError::from_status_and_body(302, b"");
        assert_eq!(err, DigiLockerError::Redirect { status: 302 });
    }

    #[test]
    fn repository_and_aadhaar_failures_are_classified() {
        let repo = DigiLockerError::from_status_and_body(
            503,
            br#"{"error":"repository_service_inactive","error_description":"Internal server error"}"#,
        );
        assert!(repo.is_repository_failure());
        assert!(repo.is_retryable());
        for code in ["aadhaar_not_linked", "aadhaar_not_available"] {
            let body = format!(r#"{{"error":"{code}","error_description":"x"}}"#);
            let err = DigiLockerError::from_status_and_body(404, body.as_bytes());
            assert!(err.is_aadhaar_missing());
            assert!(!err.is_repository_failure());
            assert!(!err.is_retryable());
        }
    }

    #[test]
    fn decode_errors_do_not_quote_values() {
        let err = serde_json::from_str::<u64>(r#""Sunil Kumar""#).unwrap_err();
        let mapped = DigiLockerError::decode("token", &err);
        assert!(!mapped.to_string().contains("Sunil"));
    }
}
