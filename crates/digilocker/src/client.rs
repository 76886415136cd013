//! The client handle and the HTTP plumbing every call shares.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::{RequestBuilder, Response};
use url::Url;

use crate::config::{endpoint, DigiLockerConfig};
use crate::oauth::{self, OAuthClient};
use crate::DigiLockerError;

/// Largest JSON answer read into memory; DigiLocker's JSON answers are a few KiB (a user's
/// `picture` is the largest part).
pub(crate) const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// Largest document read into memory (PDFs and certificate XML with photos).
pub(crate) const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Largest error answer read; only the `{error, error_description}` envelope matters.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// A client for the DigiLocker partner API. Cheap to clone: the configuration and the HTTP
/// connection pool are shared.
#[derive(Clone)]
pub struct DigiLockerClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: DigiLockerConfig,
    pub(crate) http: reqwest::Client,
    pub(crate) oauth: OAuthClient,
}

impl fmt::Debug for DigiLockerClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("DigiLockerClient")
            .field("authorize_base", &config.authorize_base.as_str())
            .field("api_base", &config.api_base.as_str())
            .field("client_id", &config.client_id)
            .field("timeout", &config.timeout)
            .finish_non_exhaustive()
    }
}

impl DigiLockerClient {
    /// Builds the client: one HTTP connection pool with the configured timeout, rustls, no
    /// cookie store, and redirects never followed.
    pub fn new(config: DigiLockerConfig) -> Result<Self, DigiLockerError> {
        for base in [&config.authorize_base, &config.api_base] {
            if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
                return Err(DigiLockerError::InvalidConfig(
                    "base URLs must be http(s) URLs that can take a path",
                ));
            }
        }
        if config.timeout.is_zero() {
            return Err(DigiLockerError::InvalidConfig(
                "the timeout must not be zero",
            ));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .use_rustls_tls()
            .user_agent(concat!("digigate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| DigiLockerError::from_reqwest(&err))?;
        let oauth = oauth::oauth_client(&config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                oauth,
            }),
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &DigiLockerConfig {
        &self.inner.config
    }

    /// `{api_base}/<segments>`.
    pub(crate) fn api_url(&self, segments: &[&str]) -> Url {
        endpoint(&self.inner.config.api_base, segments)
    }

    /// Sends a request and hands back a 2xx answer; anything else becomes an error.
    /// `label` names the endpoint in logs instead of the URL, which may carry a document number.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        label: &'static str,
    ) -> Result<Response, DigiLockerError> {
        let response = request.send().await.map_err(|err| {
            let err = DigiLockerError::from_reqwest(&err);
            tracing::warn!(endpoint = label, error = %err, "DigiLocker call failed");
            err
        })?;
        let status = response.status().as_u16();
        tracing::debug!(endpoint = label, status, "DigiLocker answered");
        if response.status().is_success() {
            return Ok(response);
        }
        let body = read_body(response, MAX_ERROR_BYTES)
            .await
            .unwrap_or_default();
        let err = DigiLockerError::from_status_and_body(status, &body);
        tracing::info!(endpoint = label, error = %err, "DigiLocker refused the call");
        Err(err)
    }

    /// GETs a bearer-protected JSON resource and decodes it.
    pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        token: &crate::AccessToken,
        segments: &[&str],
        label: &'static str,
    ) -> Result<T, DigiLockerError> {
        let request = self
            .inner
            .http
            .get(self.api_url(segments))
            .header(ACCEPT, "application/json")
            .bearer_auth(token.expose());
        let response = self.send(request, label).await?;
        let body = read_body(response, MAX_JSON_BYTES).await?;
        serde_json::from_slice(&body).map_err(|err| DigiLockerError::decode(label, &err))
    }
}

/// Reads an answer's body, refusing one larger than `limit` bytes.
pub(crate) async fn read_body(
    mut response: Response,
    limit: usize,
) -> Result<Vec<u8>, DigiLockerError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(DigiLockerError::Decode(format!(
            "answer larger than {limit} bytes"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| DigiLockerError::from_reqwest(&err))?
    {
        if body.len() + chunk.len() > limit {
            return Err(DigiLockerError::Decode(format!(
                "answer larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The value of a single-valued header as text, if present and printable.
pub(crate) fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_owned())
}
