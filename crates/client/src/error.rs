//! What can go wrong when talking to the gateway, with Sandbox's error envelope kept intact.

use serde::Deserialize;
use std::time::Duration;

/// An error from [`crate::DigigateClient`] (or the simulator automation).
///
/// Neither `Debug` nor `Display` ever shows the API secret or an access token: the client never
/// puts them in a URL and never copies them into an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The gateway answered an error in Sandbox's envelope
    /// (`{"code": 404, "message": "Data not found for: …", "transaction_id": "…"}`).
    #[error("API error {code}: {message}")]
    Api {
        /// The envelope's `code` (the HTTP status when the body had none).
        code: u16,
        /// The envelope's human-readable `message`.
        message: String,
        /// The envelope's `transaction_id`, to quote when asking the gateway's operators.
        transaction_id: Option<String>,
    },
    /// The request could not be sent, or its answer could not be read.
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The gateway answered success in a shape this client does not understand.
    #[error("could not decode the answer of {endpoint}: {message}")]
    Decode {
        /// The endpoint (method and path) that answered.
        endpoint: String,
        /// What did not match.
        message: String,
    },
    /// The client was configured with an unusable value (for example a base URL that cannot
    /// have paths appended).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// [`crate::DigigateClient::wait_for_final_status`] gave up before the session ended.
    #[error("session {session_id} was still {last_status} after {waited:?}")]
    Timeout {
        /// The session waited for.
        session_id: String,
        /// Its status at the last poll.
        last_status: String,
        /// How long the client waited.
        waited: Duration,
    },
    /// The consent journey through the DigiLocker pages did not go as expected (only produced by
    /// the `simulator` feature's automation).
    #[error("consent journey: {0}")]
    Consent(String),
}

impl ClientError {
    /// The HTTP-style code of an [`ClientError::Api`] error, `None` for the other kinds.
    pub fn api_code(&self) -> Option<u16> {
        match self {
            ClientError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    code: Option<u16>,
    message: Option<String>,
    transaction_id: Option<String>,
}

/// Builds an [`ClientError::Api`] from a non-success answer: the Sandbox envelope when the body
/// holds one, otherwise the HTTP status and its canonical reason.
pub(crate) fn api_error(status: reqwest::StatusCode, body: &[u8]) -> ClientError {
    let envelope = serde_json::from_slice::<Envelope>(body).ok();
    let (code, message, transaction_id) = match envelope {
        Some(e) => (e.code, e.message, e.transaction_id),
        None => (None, None, None),
    };
    ClientError::Api {
        code: code.unwrap_or(status.as_u16()),
        message: message.unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("Unexpected status")
                .to_owned()
        }),
        transaction_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn an_envelope_becomes_an_api_error_with_its_code_message_and_transaction_id() {
        let body = br#"{"code":404,"message":"Data not found for: x","timestamp":1,"transaction_id":"t-1"}"#;
        let e = api_error(StatusCode::NOT_FOUND, body);
        assert!(matches!(
            e,
            ClientError::Api { code: 404, ref message, transaction_id: Some(ref t) }
                if message == "Data not found for: x" && t == "t-1"
        ));
        assert_eq!(e.to_string(), "API error 404: Data not found for: x");
    }

    #[test]
    fn a_body_without_an_envelope_falls_back_to_the_http_status() {
        let e = api_error(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(e.api_code(), Some(502));
        assert_eq!(e.to_string(), "API error 502: Bad Gateway");
    }
}
