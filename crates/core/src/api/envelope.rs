//! Sandbox's outer envelopes: `{code, data, timestamp, transaction_id}` around every success and
//! `{code, message, timestamp, transaction_id}` for every error.

use serde::{Deserialize, Serialize};

/// A successful answer: the HTTP status repeated as `code`, the time it was answered (epoch
/// milliseconds), the request's transaction id (also in the gateway's logs) and the `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Envelope<T> {
    /// The HTTP status, 200.
    #[cfg_attr(feature = "openapi", schema(minimum = 200, maximum = 200))]
    pub code: u16,
    /// The answer itself.
    pub data: T,
    /// When it was answered, epoch milliseconds.
    pub timestamp: i64,
    /// The request's id, quoted in the gateway's logs.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub transaction_id: String,
}

/// An error answer, in Sandbox's words (`message`); an internal failure's cause is never in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong, for a person reading it.
    pub message: String,
    /// When it was answered, epoch milliseconds.
    pub timestamp: i64,
    /// The request's id, quoted in the gateway's logs.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub transaction_id: String,
}
