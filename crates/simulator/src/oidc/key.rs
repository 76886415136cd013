//! The RSA key that signs the simulator's OIDC `id_token`s, as a compact JWS (RS256), and its
//! public half as a JWK Set. DigiLocker documents neither its algorithm nor its key location;
//! RS256 with a published JWKS is what OIDC clients expect by default.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};

use crate::error::SimulatorError;

/// Modulus size of generated keys.
const KEY_BITS: usize = 2048;

/// The private key that signs `id_token`s, with its key id (the RFC 7638 JWK thumbprint).
pub struct IdTokenKey {
    key: RsaPrivateKey,
    kid: String,
}

impl std::fmt::Debug for IdTokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl IdTokenKey {
    /// A fresh 2048-bit RSA key. This is what a simulator uses when none is configured (generated
    /// on the first OIDC request, so simulators that never issue an `id_token` pay nothing).
    pub fn generate() -> Result<Self, SimulatorError> {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), KEY_BITS)
            .map_err(|_| SimulatorError::IdTokenKey("RSA key generation failed"))?;
        Ok(Self::from_key(key))
    }

    /// A key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), for a JWKS that stays the same
    /// across restarts.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, SimulatorError> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .map_err(|_| SimulatorError::IdTokenKey("not a PKCS#8 PEM RSA private key"))?;
        Ok(Self::from_key(key))
    }

    fn from_key(key: RsaPrivateKey) -> Self {
        let (n, e) = public_parts(&key);
        // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        Self { key, kid }
    }

    /// The key id put in each token's header and in the JWK Set.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK Set (`{"keys":[{...}]}`), as served at `/oauth2/1/certs`.
    pub fn jwks(&self) -> serde_json::Value {
        let (n, e) = public_parts(&self.key);
        serde_json::json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": n, "e": e,
        }]})
    }

    /// `claims` as a compact JWS: `base64url(header).base64url(claims).base64url(signature)`.
    pub(crate) fn sign(&self, claims: &serde_json::Value) -> Result<String, SimulatorError> {
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let digest = Sha256::digest(signing_input.as_bytes());
        let signature = self
            .key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .map_err(|_| SimulatorError::IdTokenKey("RSA signing failed"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// The modulus and exponent, base64url big-endian, as JWK `n` and `e`.
fn public_parts(key: &RsaPrivateKey) -> (String, String) {
    (
        URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::{BigUint, RsaPublicKey};

    #[test]
    fn a_signed_token_verifies_with_the_published_jwk() {
        let key = IdTokenKey::generate().expect("key");
        let token = key.sign(&serde_json::json!({"sub": "x"})).expect("signs");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let jwk = &key.jwks()["keys"][0];
        assert_eq!(jwk["kid"], key.kid());
        let number = |name: &str| {
            let bytes = URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("member"))
                .expect("base64url");
            BigUint::from_bytes_be(&bytes)
        };
        let public = RsaPublicKey::new(number("n"), number("e")).expect("public key");
        let digest = Sha256::digest(format!("{}.{}", parts[0], parts[1]).as_bytes());
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
            .expect("verifies");
        assert_eq!(key.kid().len(), 43, "base64url of a SHA-256");
    }
}
