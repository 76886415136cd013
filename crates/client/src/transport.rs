//! The client handle and how calls are sent: endpoint URLs, the cached token (replaced a minute before `exp`, or once
//! after a 401), the headers, and reading Sandbox's envelope.

use crate::error::api_error;
use crate::token::CachedToken;
use crate::ClientError;
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use tokio::sync::Mutex;
use url::Url;

/// The API version sent in `x-api-version`, as Sandbox's own SDK sends it.
pub const API_VERSION: &str = "1.0.0";

/// A client of digigate's (and Sandbox's) DigiLocker KYC API.
///
/// It authenticates on first use, caches the access token, replaces it a minute before it
/// expires or once after a 401, and sends `Authorization`, `x-api-key` and `x-api-version` on
/// every call. Clones share the connection pool and the token.
#[derive(Clone)]
pub struct DigigateClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) api_key: String,
    pub(crate) api_secret: SecretString,
    pub(crate) token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for DigigateClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigigateClient")
            .field("base_url", &self.inner.base.as_str())
            .field("api_key", &self.inner.api_key)
            .finish_non_exhaustive()
    }
}

/// What a call sends: a JSON body or nothing.
pub(crate) enum Body<'a> {
    None,
    Json(&'a Value),
}

impl DigigateClient {
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .expect("checked in new: the base URL can be a base")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// A fresh token: the cached one, or a new one from `/authenticate`. The lock is held while
    /// authenticating so concurrent calls wait for one token instead of each asking for theirs.
    pub(crate) async fn token(&self) -> Result<SecretString, ClientError> {
        let mut cached = self.inner.token.lock().await;
        let now = chrono::Utc::now().timestamp();
        if let Some(t) = cached.as_ref().filter(|t| t.is_fresh(now)) {
            return Ok(t.secret().clone());
        }
        let token = CachedToken::new(self.fetch_token().await?);
        let secret = token.secret().clone();
        *cached = Some(token);
        Ok(secret)
    }

    /// Forgets `used` after the gateway refused it (unless another call already replaced it).
    pub(crate) async fn forget(&self, used: &SecretString) {
        let mut cached = self.inner.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.is(used)) {
            *cached = None;
        }
    }

    pub(crate) async fn fetch_token(&self) -> Result<String, ClientError> {
        let res = self
            .inner
            .http
            .post(self.url(&["authenticate"]))
            .header("x-api-key", &self.inner.api_key)
            .header("x-api-secret", self.inner.api_secret.expose_secret())
            .header("x-api-version", API_VERSION)
            .send()
            .await?;
        let body: Value = read_json(res, "POST authenticate").await?;
        // Sandbox answers `data.access_token`; its legacy answer had `access_token` at the top.
        body.pointer("/data/access_token")
            .or_else(|| body.get("access_token"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| decode_error("POST authenticate", "no access_token"))
    }

    pub(crate) fn request(
        &self,
        method: &Method,
        path: &[&str],
        body: &Body<'_>,
        token: &SecretString,
    ) -> RequestBuilder {
        let req = self
            .inner
            .http
            .request(method.clone(), self.url(path))
            .header("authorization", token.expose_secret())
            .header("x-api-key", &self.inner.api_key)
            .header("x-api-version", API_VERSION);
        match body {
            Body::None => req,
            Body::Json(v) => req.json(v),
        }
    }

    /// Sends one request. A read (GET) that fails before any answer arrived, typically on a
    /// pooled connection the gateway closed while restarting, is sent once more on a new one.
    async fn send(
        &self,
        method: &Method,
        path: &[&str],
        body: &Body<'_>,
        token: &SecretString,
    ) -> Result<reqwest::Response, ClientError> {
        match self.request(method, path, body, token).send().await {
            Err(e) if *method == Method::GET && e.is_request() => {
                Ok(self.request(method, path, body, token).send().await?)
            }
            other => Ok(other?),
        }
    }

    /// Sends an authenticated call and returns the envelope's `data`; on a 401 the token is
    /// replaced and the call sent once more.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &[&str],
        body: Body<'_>,
    ) -> Result<Value, ClientError> {
        let endpoint = format!("{method} {}", path.join("/"));
        let token = self.token().await?;
        let mut res = self.send(&method, path, &body, &token).await?;
        if res.status() == StatusCode::UNAUTHORIZED {
            self.forget(&token).await;
            let token = self.token().await?;
            res = self.send(&method, path, &body, &token).await?;
        }
        let mut envelope: Value = read_json(res, &endpoint).await?;
        match envelope.get_mut("data") {
            Some(data) => Ok(data.take()),
            None => Err(decode_error(&endpoint, "no data in the envelope")),
        }
    }
}

pub(crate) fn session_path<'a>(session_id: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut path = vec!["kyc", "digilocker", "sessions", session_id];
    path.extend_from_slice(rest);
    path
}

pub(crate) fn decode_error(endpoint: &str, message: impl Into<String>) -> ClientError {
    ClientError::Decode {
        endpoint: endpoint.to_owned(),
        message: message.into(),
    }
}

pub(crate) fn typed<T: DeserializeOwned>(endpoint: &str, data: Value) -> Result<T, ClientError> {
    serde_json::from_value(data).map_err(|e| decode_error(endpoint, e.to_string()))
}

/// The JSON body of a success, or the error its envelope describes.
pub(crate) async fn read_json<T: DeserializeOwned>(
    res: reqwest::Response,
    endpoint: &str,
) -> Result<T, ClientError> {
    let status = res.status();
    let bytes = res.bytes().await?;
    if !status.is_success() {
        return Err(api_error(status, &bytes));
    }
    serde_json::from_slice(&bytes).map_err(|e| decode_error(endpoint, e.to_string()))
}
