//! Signing secrets in the Standard Webhooks form: `whsec_` + base64 (standard alphabet) of 32
//! random bytes, the HMAC-SHA256 key being the decoded bytes. One type signs webhook deliveries
//! and the redirect back to the business, so both are checked the same way.

use crate::vault::{kek_context, OpenError, Vault};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use digigate_store::SealedKind;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

fn sign_with(key: &[u8], message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The prefix Standard Webhooks gives a secret's printed form.
const PREFIX: &str = "whsec_";

/// A signing secret, held in memory only while it signs (no `Debug`, no `Display`).
pub struct SigningSecret(SecretBox<[u8; 32]>);

impl SigningSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SigningSecret(SecretBox::new(Box::new(key)))
    }

    /// The secret as it is shown once to its owner: `whsec_` + base64 of the key.
    pub fn to_whsec(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(self.0.expose_secret()))
    }

    /// Reads a `whsec_…` secret; `None` unless it decodes to exactly 32 bytes.
    pub fn from_whsec(text: &str) -> Option<Self> {
        let raw = STANDARD.decode(text.strip_prefix(PREFIX)?).ok()?;
        let key: [u8; 32] = raw.try_into().ok()?;
        Some(SigningSecret(SecretBox::new(Box::new(key))))
    }

    /// `v1,` + base64 of HMAC-SHA256 of `message` under this secret (Standard Webhooks'
    /// signature form).
    pub fn sign(&self, message: &[u8]) -> String {
        sign_with(self.0.expose_secret(), message)
    }

    /// The secret sealed with the KEK, bound to what it signs for and whose it is.
    pub fn seal(&self, vault: &Vault, kind: SealedKind, owner_id: &str) -> Vec<u8> {
        vault.seal_secret(&kek_context(kind, owner_id), self.0.expose_secret())
    }

    /// Opens what [`SigningSecret::seal`] sealed for the same kind and owner.
    pub fn open(
        vault: &Vault,
        kind: SealedKind,
        owner_id: &str,
        sealed: &[u8],
    ) -> Result<Self, OpenError> {
        let raw = vault.open_secret(&kek_context(kind, owner_id), sealed)?;
        let key: [u8; 32] = raw.try_into().map_err(|_| OpenError)?;
        Ok(SigningSecret(SecretBox::new(Box::new(key))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_back_from_its_printed_form_and_nothing_else_does() {
        let secret = SigningSecret::generate();
        let printed = secret.to_whsec();
        assert!(printed.starts_with("whsec_"));
        let again = SigningSecret::from_whsec(&printed).unwrap();
        assert_eq!(again.sign(b"m"), secret.sign(b"m"));
        assert!(SigningSecret::from_whsec(&printed[6..]).is_none());
        assert!(SigningSecret::from_whsec("whsec_c2hvcnQ=").is_none());
        assert!(SigningSecret::from_whsec("whsec_!!").is_none());
    }

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks specification (its `whsec_` secret, id,
        // timestamp and body) and the signature it gives.
        // That secret is 24 bytes long; ours are 32, so the key is decoded here.
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signed = b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}";
        assert_eq!(
            sign_with(&key, signed),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_kind_and_owner() {
        let vault = Vault::new(&SecretBox::new(Box::new([3; 32])));
        let secret = SigningSecret::generate();
        let sealed = secret.seal(&vault, SealedKind::WebhookSecret, "we_1");
        let opened = SigningSecret::open(&vault, SealedKind::WebhookSecret, "we_1", &sealed);
        assert_eq!(opened.unwrap().sign(b"x"), secret.sign(b"x"));
        assert!(SigningSecret::open(&vault, SealedKind::WebhookSecret, "we_2", &sealed).is_err());
        assert!(SigningSecret::open(&vault, SealedKind::RedirectSecret, "we_1", &sealed).is_err());
    }
}
