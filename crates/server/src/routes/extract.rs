//! Pieces shared by the API handlers: the JSON body extractor and loading the caller's session.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::expiry;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use digigate_store::SessionRecord;
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A JSON request body; malformed or oversized bodies get Sandbox-style 400 / 413 answers.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        // A body announced larger than the limit is refused without waiting for it.
        let announced = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if announced.is_some_and(|n| n > state.inner.config.max_body_bytes as u64) {
            return Err(ApiError::PayloadTooLarge);
        }
        if !is_json(req.headers()) {
            return Err(ApiError::BadRequest(
                "Invalid request body: content-type must be application/json".into(),
            ));
        }
        // A body that trickles in is cut off like slow headers are.
        let read = tokio::time::timeout(BODY_READ_TIMEOUT, Bytes::from_request(req, state));
        let bytes = read
            .await
            .map_err(|_| ApiError::RequestTimeout)?
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("Invalid request body".into())
                }
            })?;
        let invalid =
            |_| ApiError::BadRequest("Invalid request body: body is not valid JSON".into());
        // Parsers disagree on which of two equal keys wins, so a body naming one twice is refused.
        serde_json::from_slice::<UniqueKeys>(&bytes).map_err(|_| {
            ApiError::BadRequest(
                "Invalid request body: a key appears twice or the body is not valid JSON".into(),
            )
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(invalid)
    }
}

/// Path parameters of an API route. A path that cannot be decoded (not UTF-8) names nothing,
/// so it is answered like an unknown resource, in the API's envelope.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_| ApiError::NotFound)
    }
}

/// How long a client has to send a request body once its headers arrived.
const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether the request says its body is JSON (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// A JSON document in which no object names a key twice, at any depth.
struct UniqueKeys;

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON without duplicate keys")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(UniqueKeys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(A::Error::custom("duplicate key"));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }
}

/// The caller's session, with a lapsed session moved to `expired` first. Another key's
/// session is indistinguishable from one that does not exist.
pub async fn caller_session(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<SessionRecord, ApiError> {
    let not_found = || ApiError::session_not_found(id);
    if id.len() > 64 {
        return Err(not_found());
    }
    let session = state
        .inner
        .store
        .session_for_key(id, &caller.key.id)
        .await?
        .ok_or_else(not_found)?;
    Ok(expiry::expire_if_due(state, session).await?)
}

/// The caller's session, required to have succeeded and to still hold its data.
pub async fn succeeded_session(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<SessionRecord, ApiError> {
    let session = caller_session(state, caller, id).await?;
    if session.erased_at_ms.is_some() {
        return Err(ApiError::Erased);
    }
    if session.status != digigate_core::SessionStatus::Succeeded {
        return Err(ApiError::InvalidLifecycle);
    }
    Ok(session)
}

/// A session's data key, unwrapped for the length of one request.
pub struct SessionData {
    session_id: String,
    key: crate::vault::DataKey,
}

impl SessionData {
    /// Unwraps the session's data key; its absence means the data was erased.
    pub async fn open(state: &AppState, session_id: &str) -> Result<Self, ApiError> {
        let wrapped = state
            .inner
            .store
            .data_key(session_id)
            .await?
            .ok_or(ApiError::Erased)?;
        let key = state
            .inner
            .vault
            .unwrap_data_key(session_id, &wrapped.wrapped_key)
            .map_err(ApiError::internal)?;
        Ok(SessionData {
            session_id: session_id.to_owned(),
            key,
        })
    }

    /// A stored document's exact bytes, as DigiLocker returned them.
    pub fn document_bytes(
        &self,
        doc: &digigate_store::DocumentRecord,
    ) -> Result<Vec<u8>, ApiError> {
        self.key
            .open(&format!("document:{}", doc.id), &doc.sealed)
            .map_err(ApiError::internal)
    }

    /// Decrypts a sealed JSON value stored under `context`.
    pub fn json(&self, context: &str, sealed: &[u8]) -> Result<Value, ApiError> {
        let plain = self.key.open(context, sealed).map_err(ApiError::internal)?;
        serde_json::from_slice(&plain).map_err(ApiError::internal)
    }

    /// The session's profile in Sandbox's shape.
    pub async fn profile(&self, state: &AppState) -> Result<Value, ApiError> {
        let profile = state
            .inner
            .store
            .profile(&self.session_id)
            .await?
            .ok_or(ApiError::Erased)?;
        self.json(&format!("profile:{}", self.session_id), &profile.sealed)
    }

    /// A document's normalised form: `{"document": …, "subject": …}`, if it has one.
    pub fn normalised(
        &self,
        doc: &digigate_store::DocumentRecord,
    ) -> Result<Option<Value>, ApiError> {
        doc.normalised_sealed
            .as_deref()
            .map(|sealed| self.json(&format!("normalised:{}", doc.id), sealed))
            .transpose()
    }
}
