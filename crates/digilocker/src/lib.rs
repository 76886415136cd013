//! A client for the DigiLocker partner (requester) API.
//!
//! [`DigiLockerClient`] covers the consent flow end to end: the browser-facing
//! [authorize URL](DigiLockerClient::authorize_url) with PKCE ([`Pkce`]), the
//! [code exchange](DigiLockerClient::exchange_code) and the
//! [refresh grant](DigiLockerClient::refresh) (done by the `oauth2` crate), the user's
//! identity, the issued-documents list, e-Aadhaar XML, documents and certificate XML by URI
//! (checked against their `hmac` header), token revocation, and the account lookup. A token
//! answer's OIDC `id_token`, when DigiLocker sends one, is decoded ([`IdToken`]) and can be
//! verified against a JWK Set ([`IdTokenKeys`]); its claims are informational until verified.
//!
//! Every call has a timeout and never follows a redirect. Answers are decoded leniently,
//! accepting each spelling DigiLocker is known to use. Errors and `Debug` output carry no
//! tokens, secrets, URLs or response bodies.

mod account;
mod authorize;
mod client;
mod config;
mod error;
mod files;
mod id_token;
mod jwks;
mod oauth;
mod pkce;
mod revoke;
mod scope;
mod token;
mod user;
mod wire;

pub use account::{AccountLookup, AccountStatus};
pub use authorize::{AuthorizeRequest, DlFlow};
pub use client::DigiLockerClient;
pub use config::{DigiLockerConfig, PRODUCTION_BASE};
pub use error::DigiLockerError;
pub use files::{FetchedFile, IssuedFile};
pub use id_token::{IdToken, IdTokenClaims, IdTokenError, IdTokenExpectations};
pub use jwks::IdTokenKeys;
pub use pkce::Pkce;
pub use scope::doctype_of_uri;
pub use token::{AccessToken, TokenGrant};
pub use user::UserDetails;

#[cfg(test)]
mod test_support {
    use std::time::Duration;

    use crate::{DigiLockerClient, DigiLockerConfig};

    /// A client for an unreachable example host, for tests that make no calls.
    pub(crate) fn client() -> DigiLockerClient {
        let base = url::Url::parse("https://dl.example/public").expect("url");
        DigiLockerClient::new(DigiLockerConfig {
            authorize_base: base.clone(),
            api_base: base,
            client_id: "client-1".into(),
            client_secret: "s3cret".into(),
            redirect_uri: url::Url::parse("https://gw.example/callback").expect("url"),
            timeout: Duration::from_secs(5),
        })
        .expect("client builds")
    }

    /// Handlers in axum need `Send` futures and `Send + Sync` state.
    #[test]
    fn the_client_and_its_futures_are_send() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: T) {}
        let client = client();
        let token = crate::AccessToken::new("t".into());
        let verifier = secrecy::SecretString::from("v");
        send_sync(&client);
        send(client.exchange_code("c", &verifier));
        send(client.refresh(&token));
        send(client.user_details(&token));
        send(client.issued_files(&token));
        send(client.eaadhaar_xml(&token));
        send(client.xml_by_uri(&token, "u"));
        send(client.file_by_uri(&token, "u"));
        send(client.revoke(&token));
        send(client.account_exists(crate::AccountLookup::Mobile("m".into())));
    }
}
