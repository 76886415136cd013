//! PKCE (RFC 7636, `S256` only, which is all DigiLocker accepts), via the `oauth2` crate.

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use secrecy::SecretString;

/// A fresh PKCE pair: the verifier stays server-side until the code exchange, the challenge
/// goes into the authorize URL.
#[derive(Debug, Clone)]
pub struct Pkce {
    /// The code verifier: 43 base64url characters from 32 random bytes.
    pub verifier: SecretString,
    /// `BASE64URL_NOPAD(SHA-256(verifier))`.
    pub challenge: String,
}

impl Pkce {
    /// Draws a new verifier from 32 random bytes and derives its `S256` challenge.
    pub fn generate() -> Self {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        Self {
            verifier: SecretString::from(verifier.secret().as_str()),
            challenge: challenge.as_str().to_owned(),
        }
    }

    /// The `S256` challenge of a verifier.
    pub fn challenge_for(verifier: &str) -> String {
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()))
            .as_str()
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::Pkce;
    use secrecy::ExposeSecret;

    #[test]
    fn the_challenge_matches_the_rfc_7636_appendix_b_vector() {
        assert_eq!(
            Pkce::challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_generated_pair_is_a_43_character_verifier_and_its_challenge() {
        let pkce = Pkce::generate();
        let verifier = pkce.verifier.expose_secret();
        assert_eq!(verifier.len(), 43);
        assert!(verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(Pkce::challenge_for(verifier), pkce.challenge);
        assert_ne!(Pkce::generate().challenge, pkce.challenge);
        assert!(!format!("{pkce:?}").contains(verifier));
    }
}
