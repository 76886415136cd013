//! The authorization-code exchange, done by the `oauth2` crate over this client's HTTP stack.
//!
//! `oauth2` builds the form body (grant type, code, redirect URI, PKCE verifier, client
//! credentials in the body as DigiLocker's portal examples do) and decodes the answer with
//! DigiLocker's extra fields. Our adapter in between sends it with the shared `reqwest` client
//! (timeout, no redirects) and turns every non-200 answer into a [`DigiLockerError`] itself, so
//! the HTTP status survives and no body reaches an error. The request is sent exactly once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use oauth2::basic::BasicErrorResponse;
use oauth2::{
    AsyncHttpClient, AuthorizationCode, HttpRequest, HttpResponse, PkceCodeVerifier, RefreshToken,
    RequestTokenError, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};

use crate::client::{read_body, MAX_JSON_BYTES};
use crate::oauth::DigiLockerTokenResponse;
use crate::scope;
use crate::{DigiLockerClient, DigiLockerError, IdToken};

/// A DigiLocker access (or refresh) token. `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps a token received from DigiLocker or loaded from storage.
    pub fn new(token: String) -> Self {
        Self(SecretString::from(token))
    }

    /// The token itself, for a bearer header or encrypted storage.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

/// What the token endpoint granted: tokens, the consented scope, and the identity fields
/// DigiLocker adds to the standard OAuth answer. `Debug` hides tokens and personal data.
#[derive(Clone)]
pub struct TokenGrant {
    /// Bearer token for the resource APIs (DigiLocker: one hour).
    pub access_token: AccessToken,
    /// Token for `grant_type=refresh_token`, when issued.
    pub refresh_token: Option<AccessToken>,
    /// Lifetime of `access_token` in seconds.
    pub expires_in: Option<u64>,
    /// The granted scope, space-separated, including `issued/<uri>` document grants.
    pub scope: String,
    /// Consent expiry in UNIX epoch seconds, echoed from the authorize request.
    pub consent_valid_till: Option<i64>,
    /// The user's 36-character DigiLocker id.
    pub digilocker_id: Option<String>,
    /// The user's name.
    pub name: Option<String>,
    /// Date of birth, `DDMMYYYY`.
    pub dob: Option<String>,
    /// `M`, `F` or `T`.
    pub gender: Option<String>,
    /// Whether e-Aadhaar XML is available for this user.
    pub eaadhaar: Option<bool>,
    /// DigiLocker's stable per-partner reference key for the user.
    pub reference_key: Option<String>,
    /// The OIDC `id_token`, when the answer carried one (`/oauth2/2/token` with `scope=openid`).
    /// Its claims are **unverified and informational** until [`IdToken::verify`] succeeds with
    /// keys the caller trusts; nothing in the gateway relies on them.
    pub id_token: Option<IdToken>,
}

impl TokenGrant {
    /// The document URIs the user consented to share (`issued/<uri>` scope entries).
    pub fn granted_uris(&self) -> Vec<String> {
        scope::granted_uris(&self.scope)
    }

    /// The distinct doctypes (`ADHAR`, `PANCR`, ...) of the consented documents.
    pub fn granted_doctypes(&self) -> Vec<String> {
        scope::granted_doctypes(&self.scope)
    }
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_in", &self.expires_in)
            .field("granted_doctypes", &self.granted_doctypes())
            .field("consent_valid_till", &self.consent_valid_till)
            .field("eaadhaar", &self.eaadhaar)
            .field("id_token", &self.id_token.is_some())
            .finish_non_exhaustive()
    }
}

impl DigiLockerClient {
    /// Exchanges an authorization code and its PKCE verifier for tokens
    /// (`POST {api_base}/oauth2/1/token`). Sent once and never retried: the code is single use.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &SecretString,
    ) -> Result<TokenGrant, DigiLockerError> {
        let http = TokenHttp(self);
        let response = self
            .inner
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()))
            .request_async(&http)
            .await
            .map_err(token_error)?;
        Ok(grant_from(response))
    }

    /// Swaps a refresh token for a new pair (`grant_type=refresh_token` at
    /// `POST {api_base}/oauth2/1/token`, client credentials in the form). DigiLocker rotates
    /// both tokens: the old access and refresh tokens stop working, so the caller keeps the
    /// new ones. Sent once; a refresh token that was refused is not tried again.
    pub async fn refresh(
        &self,
        refresh_token: &AccessToken,
    ) -> Result<TokenGrant, DigiLockerError> {
        let http = TokenHttp(self);
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let response = self
            .inner
            .oauth
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await
            .map_err(token_error)?;
        Ok(grant_from(response))
    }

    /// Sends a token request with the shared client and lets only a 200 through.
    async fn send_token_request(
        &self,
        request: HttpRequest,
    ) -> Result<HttpResponse, DigiLockerError> {
        let (parts, body) = request.into_parts();
        let builder = self
            .inner
            .http
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body);
        let response = self.send(builder, "token").await?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(DigiLockerError::UnexpectedStatus {
                status: status.as_u16(),
            });
        }
        let mut answer = oauth2::http::Response::builder().status(status.as_u16());
        if let Some(content_type) = response.headers().get(reqwest::header::CONTENT_TYPE) {
            answer = answer.header(oauth2::http::header::CONTENT_TYPE, content_type.as_bytes());
        }
        let body = read_body(response, MAX_JSON_BYTES).await?;
        answer
            .body(body)
            .map_err(|_| DigiLockerError::Decode("token response headers".to_owned()))
    }
}

/// The `oauth2` HTTP adapter. A named type rather than a closure so that the boxed future can
/// be declared `Send`, which axum handlers awaiting `exchange_code` need.
struct TokenHttp<'a>(&'a DigiLockerClient);

impl<'c> AsyncHttpClient<'c> for TokenHttp<'_> {
    type Error = DigiLockerError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, DigiLockerError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.0.send_token_request(request))
    }
}

/// Maps an `oauth2` failure without its body (which would carry tokens and personal data).
fn token_error(err: RequestTokenError<DigiLockerError, BasicErrorResponse>) -> DigiLockerError {
    match err {
        RequestTokenError::Request(err) => err,
        RequestTokenError::ServerResponse(err) => DigiLockerError::Api {
            status: 200,
            error: err.error().to_string(),
            description: err.error_description().cloned().unwrap_or_default(),
        },
        RequestTokenError::Parse(err, _body) => DigiLockerError::Decode(format!(
            "token response at `{}`: {:?} error",
            err.path(),
            err.inner().classify()
        )),
        RequestTokenError::Other(message) => DigiLockerError::Decode(message),
    }
}

fn grant_from(response: DigiLockerTokenResponse) -> TokenGrant {
    let scope = response
        .scopes()
        .map(|scopes| {
            scopes
                .iter()
                .map(|scope| scope.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let extra = response.extra_fields();
    let identity = extra.identity.clone();
    TokenGrant {
        access_token: AccessToken::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|token| AccessToken::new(token.secret().clone())),
        expires_in: response.expires_in().map(|lifetime| lifetime.as_secs()),
        scope,
        consent_valid_till: identity.consent_valid_till,
        digilocker_id: identity.digilocker_id,
        name: identity.name,
        dob: identity.dob,
        gender: identity.gender,
        eaadhaar: identity.eaadhaar,
        reference_key: identity.reference_key,
        id_token: extra.id_token.clone(),
    }
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
