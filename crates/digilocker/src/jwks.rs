//! The public keys an [`IdToken`](crate::IdToken) is verified with, read from a JWK Set.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::{BigUint, RsaPublicKey};
use serde_json::Value;

use crate::IdTokenError;

/// Trusted RSA signing keys, each with its `kid` when the set names one.
#[derive(Clone, Default)]
pub struct IdTokenKeys {
    keys: Vec<(Option<String>, RsaPublicKey)>,
}

impl fmt::Debug for IdTokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<_> = self.keys.iter().map(|(kid, _)| kid).collect();
        f.debug_struct("IdTokenKeys").field("kids", &kids).finish()
    }
}

impl IdTokenKeys {
    /// Reads a JWK Set (`{"keys":[...]}`), keeping its RSA signature keys and skipping others
    /// (encryption keys, other key types). A set with no usable key is an error.
    pub fn from_jwks_json(json: &[u8]) -> Result<Self, IdTokenError> {
        let set: Value =
            serde_json::from_slice(json).map_err(|_| IdTokenError::InvalidKeySet("not JSON"))?;
        let entries = set
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(IdTokenError::InvalidKeySet("no keys array"))?;
        let mut keys = Vec::new();
        for jwk in entries {
            let is_rsa_signing = jwk.get("kty").and_then(Value::as_str) == Some("RSA")
                && jwk.get("use").and_then(Value::as_str).unwrap_or("sig") == "sig";
            if !is_rsa_signing {
                continue;
            }
            let number = |name: &str| {
                jwk.get(name)
                    .and_then(Value::as_str)
                    .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
                    .map(|bytes| BigUint::from_bytes_be(&bytes))
                    .ok_or(IdTokenError::InvalidKeySet("an RSA key lacks n or e"))
            };
            let key = RsaPublicKey::new(number("n")?, number("e")?)
                .map_err(|_| IdTokenError::InvalidKeySet("an RSA key is invalid"))?;
            let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
            keys.push((kid, key));
        }
        if keys.is_empty() {
            return Err(IdTokenError::InvalidKeySet("no RSA signing key"));
        }
        Ok(Self { keys })
    }

    /// The keys a token with this `kid` may be signed with: those with that `kid` or with no
    /// `kid` at all, or every key when the token names none. Each is still checked by signature.
    pub(crate) fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
    ) -> Result<impl Iterator<Item = &'a RsaPublicKey> + 'a, IdTokenError> {
        let matches = move |k: &Option<String>| kid.is_none() || k.is_none() || k.as_deref() == kid;
        if !self.keys.iter().any(|(k, _)| matches(k)) {
            return Err(IdTokenError::UnknownKey);
        }
        Ok(self
            .keys
            .iter()
            .filter(move |(k, _)| matches(k))
            .map(|(_, key)| key))
    }
}
