//! [`DigigateClient`]: one method per API endpoint. How calls are sent (token cache, headers,
//! the retry after a 401, the envelope) is in `transport`.

use crate::error::api_error;

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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// client.authenticate().await?; // fails here, not mid-journey, on a wrong key or secret
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(&self) -> Result<(), ClientError> {
        self.token().await.map(drop)
    }

    /// Whether a DigiLocker account exists for a mobile or Aadhaar number.
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// use digigate_client::UserLookup;
    /// if !client.verify_user(UserLookup::mobile("9000000001")).await? {
    ///     println!("no DigiLocker account yet: start the session with Flow::Signup");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn verify_user(&self, lookup: UserLookup) -> Result<bool, ClientError> {
        let body = serde_json::to_value(lookup.body()).expect("a lookup serialises");
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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// use digigate_client::{DocType, Flow, InitSession};
    /// let done = url::Url::parse("https://shop.example/kyc/done").unwrap();
    /// let request = InitSession::new(done, [DocType::Aadhaar, DocType::Pan]).flow(Flow::Signin);
    /// let session = client.init_session(&request).await?;
    /// println!("send the person to {}", session.authorization_url);
    /// # Ok(()) }
    /// ```
    pub async fn init_session(&self, request: &InitSession) -> Result<SessionCreated, ClientError> {
        let body = serde_json::to_value(request.body()).expect("an init request serialises");
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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// use digigate_client::Status;
    /// let status = client.session_status("0b6f3c1e-…").await?;
    /// match status.status {
    ///     Status::Succeeded => println!("consented: {:?}", status.documents_consented),
    ///     Status::Failed => println!("failed: {:?}", status.reason),
    ///     other => println!("still {other}"),
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// let profile = client.user_profile("0b6f3c1e-…").await?;
    /// println!("e-Aadhaar linked: {}", profile.eaadhaar);
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// use digigate_client::DocType;
    /// let pan = client.fetch_document("0b6f3c1e-…", DocType::Pan).await?;
    /// for file in &pan.files {
    ///     println!("{} bytes of {}", file.size, file.metadata.content_type);
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// let report = client.session_checks("0b6f3c1e-…").await?;
    /// if report.outcome != "match" {
    ///     println!("review by hand: {}", report.raw["fields"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn session_checks(&self, session_id: &str) -> Result<CheckReport, ClientError> {
        let path = session_path(session_id, &["checks"]);
        let data: Value = self.call(Method::GET, &path, Body::None).await?;
        let mut report: CheckReport = typed("GET sessions/{id}/checks", data.clone())?;
        report.raw = data;
        Ok(report)
    }

    /// Erases the session's documents and profile now; later reads of it answer 404. Repeating
    /// it answers the same receipt (a digigate extension; Sandbox has no such endpoint).
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// let receipt = client.erase_session("0b6f3c1e-…").await?;
    /// println!("erased at {}", receipt.erased_at);
    /// # Ok(()) }
    /// ```
    pub async fn erase_session(&self, session_id: &str) -> Result<Erasure, ClientError> {
        let path = session_path(session_id, &[]);
        let data: Value = self.call(Method::DELETE, &path, Body::None).await?;
        typed("DELETE sessions/{id}", data)
    }

    /// Downloads a file's bytes from its signed link. No credentials are sent: the link is the
    /// authorisation, and it may point at another host.
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// use digigate_client::DocType;
    /// let pan = client.fetch_document("0b6f3c1e-…", DocType::Pan).await?;
    /// let xml = client.download(&pan.files[0]).await?;
    /// std::fs::write("pan.xml", xml).expect("writable");
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn run(client: digigate_client::DigigateClient) -> Result<(), digigate_client::ClientError> {
    /// use std::time::Duration;
    /// let status = client
    ///     .wait_for_final_status("0b6f3c1e-…", Duration::from_secs(2), Duration::from_secs(900))
    ///     .await?;
    /// println!("{}", status.status);
    /// # Ok(()) }
    /// ```
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
