//! [`DigigateClient`]: one method per API endpoint. How calls are sent (token cache, headers,
//! the retry after a 401, the envelope) is in `transport`.

use crate::error::api_error;
use crate::requests::{LookupBody, Tagged, INIT_ENTITY, VERIFY_ENTITY};
use crate::transport::{decode_error, session_path, typed, Body, DigigateClient, Inner};
use crate::{
    CheckReport, ClientError, DocType, DocumentFiles, Erasure, FileRef, InitSession,
    SessionCreated, SessionStatus, UserLookup, UserProfile,
};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use url::Url;

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

    /// The cross-document check report, once the session succeeded (a digigate extension;
    /// Sandbox answers 404).
    pub async fn session_checks(&self, session_id: &str) -> Result<CheckReport, ClientError> {
        let path = session_path(session_id, &["checks"]);
        let data: Value = self.call(Method::GET, &path, Body::None).await?;
        let mut report: CheckReport = typed("GET sessions/{id}/checks", data.clone())?;
        report.raw = data;
        Ok(report)
    }

    /// Erases the session's documents and profile now; later reads of it answer 404. Repeating
    /// it answers the same receipt (a digigate extension; Sandbox has no such endpoint).
    pub async fn erase_session(&self, session_id: &str) -> Result<Erasure, ClientError> {
        let path = session_path(session_id, &[]);
        let data: Value = self.call(Method::DELETE, &path, Body::None).await?;
        typed("DELETE sessions/{id}", data)
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
}
