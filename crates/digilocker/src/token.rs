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

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AsyncHttpClient, AuthType, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet,
    EndpointSet, ExtraTokenFields, HttpRequest, HttpResponse, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::client::{read_body, MAX_JSON_BYTES};
use crate::config::{endpoint, DigiLockerConfig};
use crate::scope;
use crate::wire::IdentityFields;
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

/// DigiLocker's additions to the standard token answer, decoded leniently.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub(crate) struct DigiLockerTokenFields {
    identity: IdentityFields,
    /// Not serialized: `oauth2` only needs `Serialize` for the trait bound.
    #[serde(skip_serializing)]
    id_token: Option<IdToken>,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for DigiLockerTokenFields {
    type Error = String;

    fn try_from(map: serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        // A present but undecodable `id_token` fails the answer like any other malformed field.
        let id_token = match map.get("id_token") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(raw)) if raw.trim().is_empty() => None,
            Some(serde_json::Value::String(raw)) => Some(
                IdToken::decode(raw.trim()).map_err(|err| format!("field `id_token`: {err}"))?,
            ),
            Some(_) => return Err("field `id_token`: expected a string".to_owned()),
        };
        Ok(Self {
            identity: IdentityFields::from_map(&map)?,
            id_token,
        })
    }
}

impl fmt::Debug for DigiLockerTokenFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DigiLockerTokenFields([REDACTED])")
    }
}

impl ExtraTokenFields for DigiLockerTokenFields {}

type DigiLockerTokenResponse = StandardTokenResponse<DigiLockerTokenFields, BasicTokenType>;

/// The `oauth2` client with only the token endpoint set.
pub(crate) type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    DigiLockerTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Builds the `oauth2` client for `{api_base}/oauth2/1/token`, credentials in the form body.
pub(crate) fn oauth_client(config: &DigiLockerConfig) -> Result<OAuthClient, DigiLockerError> {
    let token_url = TokenUrl::from_url(endpoint(&config.api_base, &["oauth2", "1", "token"]));
    let redirect_uri = RedirectUrl::new(config.redirect_uri.as_str().to_owned())
        .map_err(|_| DigiLockerError::InvalidConfig("the redirect URI is not a valid URL"))?;
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            config.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url)
        .set_redirect_uri(redirect_uri))
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
