//! Sandbox's response envelope and the per-request transaction id.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use digigate_core::api::{Envelope, ErrorEnvelope};
use serde::Serialize;
use tracing::Instrument;
use uuid::Uuid;

tokio::task_local! {
    static TRANSACTION_ID: Uuid;
}

/// A fresh random (version 4) id, from the thread's generator rather than a system call per
/// request (`Uuid::new_v4` asks the kernel each time, 1 % of a status poll's cost).
fn fresh_id() -> Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

/// Gives every request a fresh transaction id, in the envelope and in the logs.
pub async fn with_transaction_id(req: Request, next: Next) -> Response {
    let id = fresh_id();
    let span = tracing::info_span!("request", transaction_id = %id, method = %req.method(), route = %route_of(&req));
    TRANSACTION_ID
        .scope(id, async move {
            let res = next.run(req).await;
            tracing::info!(status = res.status().as_u16(), "answered");
            res
        })
        .instrument(span)
        .await
}

fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned())
}

/// The transaction id of the request being answered.
pub fn transaction_id() -> Uuid {
    TRANSACTION_ID
        .try_with(|id| *id)
        .unwrap_or_else(|_| fresh_id())
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A successful answer in Sandbox's envelope (`core::api::Envelope`): `{code, data, timestamp,
/// transaction_id}`.
pub struct Data<T>(pub T);

impl<T: Serialize> IntoResponse for Data<T> {
    fn into_response(self) -> Response {
        let body = Envelope {
            code: StatusCode::OK.as_u16(),
            data: self.0,
            timestamp: now_ms(),
            transaction_id: transaction_id().to_string(),
        };
        (StatusCode::OK, Json(body)).into_response()
    }
}

/// An error answer in Sandbox's envelope (`core::api::ErrorEnvelope`).
pub fn error_body(status: StatusCode, message: &str) -> Response {
    let body = ErrorEnvelope {
        code: status.as_u16(),
        message: message.to_owned(),
        timestamp: now_ms(),
        transaction_id: transaction_id().to_string(),
    };
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::fresh_id;
    use std::collections::HashSet;

    #[test]
    fn transaction_ids_are_random_version_4_uuids_and_never_repeat() {
        let ids: HashSet<_> = (0..10_000).map(|_| fresh_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in &ids {
            assert_eq!(id.get_version(), Some(uuid::Version::Random));
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
    }
}
