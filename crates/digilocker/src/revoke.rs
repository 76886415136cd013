//! Ending a grant: `POST /oauth2/1/revoke`.

use secrecy::ExposeSecret;

use crate::{AccessToken, DigiLockerClient, DigiLockerError};

impl DigiLockerClient {
    /// Revokes `token` and, on DigiLocker's side, the other tokens of the same grant
    /// (`POST {api_base}/oauth2/1/revoke`, form `token`, `token_type_hint=access_token` and the
    /// client credentials). Any 2xx answer counts as success; its body is not specified.
    pub async fn revoke(&self, token: &AccessToken) -> Result<(), DigiLockerError> {
        let config = &self.inner.config;
        // Credentials go in the form only: an OAuth server built on bshaffer/oauth2-server-php
        // refuses a request that authenticates both in the body and with HTTP Basic.
        let form = [
            ("token", token.expose()),
            ("token_type_hint", "access_token"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
        ];
        let request = self
            .inner
            .http
            .post(self.api_url(&["oauth2", "1", "revoke"]))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form);
        self.send(request, "revoke").await?;
        Ok(())
    }
}
