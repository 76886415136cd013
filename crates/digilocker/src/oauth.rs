//! The `oauth2` crate configured for DigiLocker: the client with only the token endpoint set,
//! credentials in the form body, and DigiLocker's extra fields in the token answer.

use std::fmt;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields, RedirectUrl,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::{endpoint, DigiLockerConfig};
use crate::wire::IdentityFields;
use crate::{DigiLockerError, IdToken};

/// DigiLocker's additions to the standard token answer, decoded leniently.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub(crate) struct DigiLockerTokenFields {
    pub(crate) identity: IdentityFields,
    /// Not serialized: `oauth2` only needs `Serialize` for the trait bound.
    #[serde(skip_serializing)]
    pub(crate) id_token: Option<IdToken>,
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

/// The token answer as `oauth2` decodes it.
pub(crate) type DigiLockerTokenResponse =
    StandardTokenResponse<DigiLockerTokenFields, BasicTokenType>;

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
