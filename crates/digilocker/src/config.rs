//! Configuration of a [`DigiLockerClient`](crate::DigiLockerClient).

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// The production base URL of the DigiLocker partner API (MeriPehchaan front).
pub const PRODUCTION_BASE: &str = "https://digilocker.meripehchaan.gov.in/public";

/// Where DigiLocker lives and how this partner authenticates to it.
#[derive(Debug, Clone)]
pub struct DigiLockerConfig {
    /// Browser-facing base for the authorize page, e.g. `https://digilocker.meripehchaan.gov.in/public`.
    pub authorize_base: Url,
    /// Server-facing base for the JSON and document APIs; equal to `authorize_base` for the real
    /// service, different when a simulator is reached over another address.
    pub api_base: Url,
    /// The partner's client id from the API Setu partner portal.
    pub client_id: String,
    /// The partner's client secret; also the key of the documents' `hmac` header.
    pub client_secret: SecretString,
    /// The redirect URI registered for the client; must match exactly.
    pub redirect_uri: Url,
    /// Upper bound on every call, from connecting to reading the last byte of the answer.
    pub timeout: Duration,
}

impl DigiLockerConfig {
    /// A configuration for production DigiLocker with a 30 second timeout.
    pub fn production(client_id: String, client_secret: SecretString, redirect_uri: Url) -> Self {
        let base = Url::parse(PRODUCTION_BASE).expect("the production base URL is valid");
        Self {
            authorize_base: base.clone(),
            api_base: base,
            client_id,
            client_secret,
            redirect_uri,
            timeout: Duration::from_secs(30),
        }
    }
}

/// `base` followed by `segments`, each percent-encoded as one path segment.
pub(crate) fn endpoint(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::endpoint;
    use url::Url;

    #[test]
    fn endpoints_extend_the_base_path_with_or_without_a_trailing_slash() {
        for base in ["https://dl.example/public", "https://dl.example/public/"] {
            let base = Url::parse(base).expect("url");
            assert_eq!(
                endpoint(&base, &["oauth2", "1", "user"]).as_str(),
                "https://dl.example/public/oauth2/1/user"
            );
        }
    }

    #[test]
    fn a_document_uri_stays_one_path_segment() {
        let base = Url::parse("http://127.0.0.1:1/public").expect("url");
        assert_eq!(
            endpoint(&base, &["oauth2", "1", "file", "in.gov.pan-PANCR-A/B?x"]).as_str(),
            "http://127.0.0.1:1/public/oauth2/1/file/in.gov.pan-PANCR-A%2FB%3Fx"
        );
    }
}
