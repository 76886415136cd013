//! [`DigigateClient`]: authentication, the token cache and one method per API endpoint.

use crate::error::api_error;
use crate::requests::{LookupBody, Tagged, INIT_ENTITY, VERIFY_ENTITY};
use crate::token::CachedToken;
use crate::{
    ClientError, DocType, DocumentFiles, FileRef, InitSession, SessionCreated, SessionStatus,
    UserLookup, UserProfile,
};
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
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
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    api_key: String,
    api_secret: SecretString,
    token: Mutex<Option<CachedToken>>,
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
enum Body<'a> {
    None,
    Json(&'a Value),
}

impl DigigateClient {
    /// A client of the gateway at `base_url` (for example `http://127.0.0.1:8080` or
    /// `https://kyc.example.com/`), using an API key and its secret. Nothing is sent yet.
    pub fn new(
        base_url: Url,
        api_key: String,
        api_secret: SecretString,
    ) -> Result<Self, ClientError> {
        if base_url.cannot_be_a_base() || !matches!(base_url.scheme(), "http" | "https") {
            return Err(ClientError::Config(format!(
                "base URL must be an http(s) URL, not {base_url}"
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("digigate-client/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(DigigateClient {
            inner: Arc::new(Inner {
                http,
                base: base_url,
                api_key,
                api_secret,
                token: Mutex::new(None),
            }),
        })
    }

    /// The gateway's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// Authenticates now, unless a fresh token is cached (calls do this on their own; this is for
    /// checking credentials early).
    pub async fn authenticate(&self) -> Result<(), ClientError> {
        self.token().await.map(drop)
    }

    /// Whether a DigiLocker account exists for a mobile or Aadhaar number.
    pub async fn verify_user(&self, lookup: UserLookup) -> Result<bool, ClientError> {
        let body = serde_json::to_value(Tagged {
            entity: VERIFY_ENTITY,
            body: &LookupBody::from(&lookup),
        })
        .expect("a lookup serialises");
        let data: Value = self
            .call(
                Method::POST,
                &["kyc", "digilocker", "user", "verify"],
                Body::Json(&body),
            )
            .await?;
        data.get("user_exists")
            .and_then(Value::as_bool)
            .ok_or_else(|| decode_error("POST user/verify", "no boolean user_exists"))
    }

    /// Starts a consent session; send the person to its `authorization_url`.
    pub async fn init_session(&self, request: &InitSession) -> Result<SessionCreated, ClientError> {
        let body = serde_json::to_value(Tagged {
            entity: INIT_ENTITY,
            body: request,
        })
        .expect("an init request serialises");
        let data = self
            .call(
                Method::POST,
                &["kyc", "digilocker", "sessions", "init"],
                Body::Json(&body),
            )
            .await?;
        typed("POST sessions/init", data)
    }

    /// The session's status.
    pub async fn session_status(&self, session_id: &str) -> Result<SessionStatus, ClientError> {
        let data: Value = self
            .call(
                Method::GET,
                &session_path(session_id, &["status"]),
                Body::None,
            )
            .await?;
        let mut status: SessionStatus = typed("GET sessions/{id}/status", data.clone())?;
        status.raw = data;
        Ok(status)
    }

    /// The DigiLocker user's profile, once the session succeeded.
    pub async fn user_profile(&self, session_id: &str) -> Result<UserProfile, ClientError> {
        let data: Value = self
            .call(
                Method::GET,
                &session_path(session_id, &["user", "profile"]),
                Body::None,
            )
            .await?;
        // serde's messages quote the offending value: keep personal data out of the error.
        let mut profile: UserProfile = serde_json::from_value(data.clone()).map_err(|_| {
            decode_error(
                "GET sessions/{id}/user/profile",
                "not a Sandbox user profile",
            )
        })?;
        profile.raw = data;
        Ok(profile)
    }

    /// The files of one consented document, once the session succeeded.
    pub async fn fetch_document(
        &self,
        session_id: &str,
        doc_type: DocType,
    ) -> Result<DocumentFiles, ClientError> {
        let path = session_path(session_id, &["documents", doc_type.as_str()]);
        let data: Value = self.call(Method::GET, &path, Body::None).await?;
        let mut files: DocumentFiles = typed("GET sessions/{id}/documents/{doc}", data.clone())?;
        files.raw = data;
        Ok(files)
    }

    /// Downloads a file's bytes from its signed link. No credentials are sent: the link is the
    /// authorisation, and it may point at another host.
    pub async fn download(&self, file: &FileRef) -> Result<Vec<u8>, ClientError> {
        let res = self.inner.http.get(file.url.clone()).send().await?;
        let status = res.status();
        let bytes = res.bytes().await?;
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        Ok(bytes.to_vec())
    }

    /// Polls the session's status every `poll_interval` until it is final (succeeded, failed or
    /// expired) and returns it, or fails with [`ClientError::Timeout`] after `timeout`.
    pub async fn wait_for_final_status(
        &self,
        session_id: &str,
        poll_interval: Duration,
        timeout: Duration,
    ) -> Result<SessionStatus, ClientError> {
        let started = Instant::now();
        loop {
            let status = self.session_status(session_id).await?;
            if status.status.is_final() {
                return Ok(status);
            }
            if started.elapsed() + poll_interval > timeout {
                return Err(ClientError::Timeout {
                    session_id: session_id.to_owned(),
                    last_status: status.status.to_string(),
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(poll_interval).await;
        }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .expect("checked in new: the base URL can be a base")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// A fresh token: the cached one, or a new one from `/authenticate`. The lock is held while
    /// authenticating so concurrent calls wait for one token instead of each asking for theirs.
    async fn token(&self) -> Result<SecretString, ClientError> {
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
    async fn forget(&self, used: &SecretString) {
        let mut cached = self.inner.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.is(used)) {
            *cached = None;
        }
    }

    async fn fetch_token(&self) -> Result<String, ClientError> {
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

    fn request(
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

    /// Sends an authenticated call and returns the envelope's `data`; on a 401 the token is
    /// replaced and the call sent once more.
    async fn call(
        &self,
        method: Method,
        path: &[&str],
        body: Body<'_>,
    ) -> Result<Value, ClientError> {
        let endpoint = format!("{method} {}", path.join("/"));
        let token = self.token().await?;
        let mut res = self.request(&method, path, &body, &token).send().await?;
        if res.status() == StatusCode::UNAUTHORIZED {
            self.forget(&token).await;
            let token = self.token().await?;
            res = self.request(&method, path, &body, &token).send().await?;
        }
        let mut envelope: Value = read_json(res, &endpoint).await?;
        match envelope.get_mut("data") {
            Some(data) => Ok(data.take()),
            None => Err(decode_error(&endpoint, "no data in the envelope")),
        }
    }
}

fn session_path<'a>(session_id: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut path = vec!["kyc", "digilocker", "sessions", session_id];
    path.extend_from_slice(rest);
    path
}

fn decode_error(endpoint: &str, message: impl Into<String>) -> ClientError {
    ClientError::Decode {
        endpoint: endpoint.to_owned(),
        message: message.into(),
    }
}

fn typed<T: DeserializeOwned>(endpoint: &str, data: Value) -> Result<T, ClientError> {
    serde_json::from_value(data).map_err(|e| decode_error(endpoint, e.to_string()))
}

/// The JSON body of a success, or the error its envelope describes.
async fn read_json<T: DeserializeOwned>(
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
