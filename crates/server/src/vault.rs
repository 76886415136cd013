//! Encryption at rest: AES-256-GCM. Each session's documents and profile are sealed with the
//! session's own data key; the data key, DigiLocker tokens and PKCE verifiers are sealed with
//! the configured key-encryption key (KEK). Destroying a data key destroys its documents.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use digigate_store::{SealedKind, Store, StoreError};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 12;

/// A sealed blob could not be opened (wrong key, wrong context or tampered bytes).
#[derive(Debug, thiserror::Error)]
#[error("sealed data could not be opened")]
pub struct OpenError;

/// Holds the key-encryption key.
pub struct Vault {
    kek: SecretBox<[u8; 32]>,
    kek_id: String,
}

/// A session's data key, unwrapped in memory only while it is used.
pub struct DataKey(SecretBox<[u8; 32]>);

fn seal(key: &[u8; 32], context: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: context,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

fn open(key: &[u8; 32], context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_LEN {
        return Err(OpenError);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: context,
            },
        )
        .map_err(|_| OpenError)
}

impl Vault {
    /// A vault around the key-encryption key.
    pub fn new(kek: &SecretBox<[u8; 32]>) -> Self {
        let kek_id = hex(&Sha256::digest(kek.expose_secret())[..8]);
        Vault {
            kek: SecretBox::new(Box::new(*kek.expose_secret())),
            kek_id,
        }
    }

    /// A short public fingerprint of the KEK, stored beside what it wrapped.
    pub fn kek_id(&self) -> &str {
        &self.kek_id
    }

    /// Seals a small secret (a token, a PKCE verifier) with the KEK, bound to `context`.
    pub fn seal_secret(&self, context: &str, secret: &[u8]) -> Vec<u8> {
        seal(self.kek.expose_secret(), context.as_bytes(), secret)
    }

    /// Opens what [`Vault::seal_secret`] sealed with the same `context`.
    pub fn open_secret(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        open(self.kek.expose_secret(), context.as_bytes(), sealed)
    }

    /// A fresh data key for `session_id`, and its KEK-wrapped form for storage.
    pub fn new_data_key(&self, session_id: &str) -> (DataKey, Vec<u8>) {
        let key: [u8; 32] = Aes256Gcm::generate_key(&mut OsRng).into();
        let wrapped = seal(
            self.kek.expose_secret(),
            wrap_context(session_id).as_bytes(),
            &key,
        );
        (DataKey(SecretBox::new(Box::new(key))), wrapped)
    }

    /// Unwraps a stored data key of `session_id`.
    pub fn unwrap_data_key(&self, session_id: &str, wrapped: &[u8]) -> Result<DataKey, OpenError> {
        let raw = open(
            self.kek.expose_secret(),
            wrap_context(session_id).as_bytes(),
            wrapped,
        )?;
        let key: [u8; 32] = raw.try_into().map_err(|_| OpenError)?;
        Ok(DataKey(SecretBox::new(Box::new(key))))
    }

    /// A key derived from the KEK for a named purpose (e.g. signing download links).
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.kek.expose_secret())
            .expect("any key length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn wrap_context(session_id: &str) -> String {
    kek_context(SealedKind::DataKey, session_id)
}

/// The AAD of a value sealed with the KEK: what it is and whose it is, so a sealed value moved
/// to another row or column does not open.
pub fn kek_context(kind: SealedKind, session_id: &str) -> String {
    let what = match kind {
        SealedKind::DataKey => "data-key",
        SealedKind::AccessToken => "upstream-token",
        SealedKind::RefreshToken => "upstream-refresh-token",
        SealedKind::PkceVerifier => "pkce",
        SealedKind::Expected => "expected",
        SealedKind::AuthorizationCode => "authorization-code",
        SealedKind::RedirectSecret => "redirect-secret",
        SealedKind::WebhookSecret => "webhook-secret",
    };
    format!("{what}:{session_id}")
}

/// Re-seals everything the store holds under `old` with `new`, in one transaction; answers how
/// many values were re-sealed. Nothing changes if any value does not open with `old`.
pub async fn rotate_master_key(
    store: &dyn Store,
    old: &SecretBox<[u8; 32]>,
    new: &SecretBox<[u8; 32]>,
) -> Result<u64, StoreError> {
    let (old, new) = (Vault::new(old), Vault::new(new));
    let reseal = |kind: SealedKind, session: &str, sealed: &[u8]| {
        let context = kek_context(kind, session);
        let plain = old.open_secret(&context, sealed).ok()?;
        Some(new.seal_secret(&context, &plain))
    };
    store.reseal_all(&reseal, new.kek_id()).await
}

impl DataKey {
    /// Seals `plaintext`, bound to `context` (e.g. the document id).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        seal(self.0.expose_secret(), context.as_bytes(), plaintext)
    }

    /// Opens what [`DataKey::seal`] sealed with the same `context`.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        open(self.0.expose_secret(), context.as_bytes(), sealed)
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of `bytes` (how states, bindings and documents are fingerprinted).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(byte: u8) -> Vault {
        Vault::new(&SecretBox::new(Box::new([byte; 32])))
    }

    #[test]
    fn sealed_data_opens_only_with_the_same_key_and_context() {
        let v = vault(1);
        let sealed = v.seal_secret("pkce:s1", b"verifier");
        assert_eq!(v.open_secret("pkce:s1", &sealed).unwrap(), b"verifier");
        assert!(v.open_secret("pkce:s2", &sealed).is_err());
        assert!(vault(2).open_secret("pkce:s1", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(v.open_secret("pkce:s1", &tampered).is_err());
        assert!(v.open_secret("pkce:s1", &[]).is_err());
    }

    #[test]
    fn a_data_key_is_bound_to_its_session() {
        let v = vault(1);
        let (key, wrapped) = v.new_data_key("s1");
        let doc = key.seal("doc-1", b"<xml/>");
        let again = v.unwrap_data_key("s1", &wrapped).unwrap();
        assert_eq!(again.open("doc-1", &doc).unwrap(), b"<xml/>");
        assert!(v.unwrap_data_key("s2", &wrapped).is_err());
        assert!(again.open("doc-2", &doc).is_err());
    }
}
