//! Making API keys: the id and secret shown once, the secret stored hashed, and the redirect
//! secret that signs the redirect back, stored sealed.

use super::secret::SecretHasher;
use crate::hash_error::HashError;
use digigate_core::{ApiKeyId, KeyEnvironment};
use digigate_store::{ApiKeyRecord, SealedKind, Store};

/// Why an API key could not be created.
#[derive(Debug, thiserror::Error)]
pub enum KeyCreationError {
    /// The secret could not be hashed.
    #[error("the key's secret could not be hashed")]
    Hash(#[from] HashError),
    /// The key could not be stored.
    #[error("the key could not be stored")]
    Store(#[from] digigate_store::StoreError),
}

/// A key just created: what its owner is shown once.
pub struct CreatedKey {
    /// The key id.
    pub id: ApiKeyId,
    /// The key's secret (stored hashed).
    pub secret: String,
    /// The secret that signs the redirect back (`whsec_…`, stored sealed); `None` when the key
    /// was made without the master key at hand.
    pub redirect_secret: Option<String>,
}

/// Creates and stores a new API key. With the vault it also gets a redirect secret (the
/// signature of the redirect back); without one, the key's redirects go unsigned until
/// `digigate keys rotate-redirect-secret` issues it.
pub async fn create_api_key(
    store: &dyn Store,
    hasher: &SecretHasher,
    vault: Option<&crate::vault::Vault>,
    name: &str,
    env: KeyEnvironment,
    redirect_urls: Vec<String>,
    now_ms: i64,
) -> Result<CreatedKey, KeyCreationError> {
    let (id, secret) = ApiKeyId::generate(env);
    let redirect = vault.map(|vault| {
        let signing = crate::webhooks::SigningSecret::generate();
        let sealed = signing.seal(vault, SealedKind::RedirectSecret, id.as_str());
        (signing.to_whsec(), sealed)
    });
    let record = ApiKeyRecord {
        id: id.as_str().to_owned(),
        name: name.to_owned(),
        secret_hash: hasher.hash(&secret).await?,
        created_at_ms: now_ms,
        disabled_at_ms: None,
        redirect_urls,
        generation: 0,
        redirect_secret_sealed: redirect.as_ref().map(|(_, sealed)| sealed.clone()),
    };
    store.insert_api_key(&record).await?;
    Ok(CreatedKey {
        id,
        secret,
        redirect_secret: redirect.map(|(printed, _)| printed),
    })
}

/// Issues a new redirect secret for a key (replacing any it had); `None` when there is no such
/// key. The printed `whsec_…` form is shown once.
pub async fn rotate_redirect_secret(
    store: &dyn Store,
    vault: &crate::vault::Vault,
    key_id: &str,
) -> Result<Option<String>, digigate_store::StoreError> {
    let signing = crate::webhooks::SigningSecret::generate();
    let sealed = signing.seal(vault, SealedKind::RedirectSecret, key_id);
    let found = store.set_api_key_redirect_secret(key_id, &sealed).await?;
    Ok(found.then(|| signing.to_whsec()))
}
