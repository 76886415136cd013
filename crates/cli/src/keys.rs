//! `digigate keys`: create, list and disable API keys, and issue their redirect secrets.

use crate::storage::StorageArgs;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use digigate_core::KeyEnvironment;
use digigate_server::auth;

/// Key management commands.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create an API key and print its secret once.
    Create(CreateArgs),
    /// List API keys (ids, names, state; never secrets).
    List(StorageArgs),
    /// Disable an API key; its tokens stop working at once.
    Disable {
        /// The key id (`key_live_…` / `key_test_…`).
        id: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Re-wrap every session's data key (and seal every token) with a new master key.
    RotateMaster(RotateMasterArgs),
    /// Replace a key's secret; the new secret is printed once.
    Rotate {
        /// The key id.
        id: String,
        /// Print exactly one JSON object `{"api_key": …, "api_secret": …}`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Issue a new redirect secret (`whsec_…`, printed once) for a key: it signs the redirect
    /// back (`ts`, `sig`); the old one stops verifying at once. Keys made before redirect
    /// secrets existed get their first one this way.
    RotateRedirectSecret {
        /// The key id.
        id: String,
        /// Print exactly one JSON object `{"api_key": …, "redirect_secret": …}`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        master: MasterKeyArgs,
    },
}

/// Where a command that seals secrets finds the master key.
#[derive(Args)]
pub struct MasterKeyArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// The master key (base64); default: `DIGIGATE_MASTER_KEY_FILE`, else `master.key` in the
    /// data directory.
    #[arg(long, env = "DIGIGATE_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
}

impl MasterKeyArgs {
    /// The vault around the configured master key, else the development key in the data
    /// directory; `None` when there is neither.
    pub fn vault(&self) -> anyhow::Result<Option<digigate_server::vault::Vault>> {
        let configured =
            crate::secrets::configured_secret("DIGIGATE_MASTER_KEY", self.master_key.clone())?;
        let file = self.storage.data_dir.join("master.key");
        let key = match configured {
            Some(c) => crate::secrets::decode_key("DIGIGATE_MASTER_KEY", &c.value)?,
            None if file.exists() => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
                crate::secrets::decode_key("master.key", &text)?
            }
            None => return Ok(None),
        };
        Ok(Some(digigate_server::vault::Vault::new(
            &secrecy::SecretBox::new(Box::new(key)),
        )))
    }

    /// [`MasterKeyArgs::vault`], or an error saying where the key was looked for.
    pub fn require_vault(&self) -> anyhow::Result<digigate_server::vault::Vault> {
        self.vault()?.ok_or_else(|| {
            anyhow::anyhow!(
                "no master key: set DIGIGATE_MASTER_KEY (or DIGIGATE_MASTER_KEY_FILE), or keep \
                 the development master.key in the data directory"
            )
        })
    }
}

/// Flags of `keys rotate-master`.
#[derive(Args)]
pub struct RotateMasterArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// The current master key (base64); default: `master.key` in the data directory.
    #[arg(long, env = "DIGIGATE_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
    /// The new master key (base64 of 32 bytes); default: a new random key, written to
    /// `master.key` in the data directory (development) or printed once.
    #[arg(long, env = "DIGIGATE_NEW_MASTER_KEY", hide_env_values = true)]
    new_master_key: Option<String>,
}

/// Flags of `keys create`.
#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    master: MasterKeyArgs,
    /// A name to recognise the key by.
    #[arg(long, default_value = "default")]
    name: String,
    /// Create a `key_live_…` key instead of a `key_test_…` one.
    #[arg(long)]
    live: bool,
    /// Allowed redirect URL (repeatable; required with `--live`); init refuses any other. A test
    /// key without one accepts any https URL, in development mode only.
    #[arg(long = "redirect-url")]
    redirect_urls: Vec<url::Url>,
    /// Print exactly one JSON object `{"api_key": …, "api_secret": …, "redirect_secret": …}`
    /// and nothing else (`redirect_secret` is null when no master key was at hand).
    #[arg(long)]
    json: bool,
}

pub async fn run(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Create(args) => {
            if args.live && args.redirect_urls.is_empty() {
                // The gateway refuses sessions of such a key; refusing here says why up front.
                bail!("a live key needs at least one --redirect-url: people are sent there after their consent, and a live key may not send them anywhere else");
            }
            let store = args.master.storage.open_store().await?;
            let vault = args.master.vault()?;
            let env = if args.live {
                KeyEnvironment::Live
            } else {
                KeyEnvironment::Test
            };
            let urls = args.redirect_urls.iter().map(|u| u.to_string()).collect();
            let now = chrono::Utc::now().timestamp_millis();
            let created = auth::create_api_key(
                store.as_ref(),
                &auth::SecretHasher::new(1),
                vault.as_ref(),
                &args.name,
                env,
                urls,
                now,
            )
            .await?;
            let (id, secret, redirect) = (created.id, created.secret, created.redirect_secret);
            if redirect.is_none() {
                eprintln!("no master key at hand: the key has no redirect secret, so its redirects are unsigned until `digigate keys rotate-redirect-secret {id}` issues one");
            }
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "api_key": id.as_str(), "api_secret": secret, "redirect_secret": redirect })
                );
            } else {
                println!("api key:         {id}\napi secret:      {secret}");
                if let Some(redirect) = redirect {
                    println!("redirect secret: {redirect}");
                }
                println!("(the secrets are shown only now)");
            }
        }
        KeysCommand::List(storage) => {
            let store = storage.open_store().await?;
            for k in store.list_api_keys().await? {
                let state = if k.disabled_at_ms.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    k.id,
                    state,
                    k.name,
                    k.redirect_urls.join(",")
                );
            }
        }
        KeysCommand::RotateMaster(args) => {
            let value = |c: Option<crate::secrets::ConfiguredSecret>| c.map(|c| c.value);
            let current =
                crate::secrets::configured_secret("DIGIGATE_MASTER_KEY", args.master_key)?;
            let new =
                crate::secrets::configured_secret("DIGIGATE_NEW_MASTER_KEY", args.new_master_key)?;
            crate::secrets::rotate_master(args.storage, value(current), value(new)).await?
        }
        KeysCommand::Rotate { id, json, storage } => {
            let store = storage.open_store().await?;
            let env = if id.starts_with("key_live_") {
                KeyEnvironment::Live
            } else {
                KeyEnvironment::Test
            };
            let (_, secret) = digigate_core::ApiKeyId::generate(env);
            let hash = auth::SecretHasher::new(1).hash(&secret).await?;
            if !store.set_api_key_secret_hash(&id, &hash).await? {
                bail!("no such API key");
            }
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "api_key": id, "api_secret": secret })
                );
            } else {
                println!("api key:    {id}\napi secret: {secret}\n(the old secret and every token issued with it no longer work)");
            }
        }
        KeysCommand::RotateRedirectSecret { id, json, master } => {
            let vault = master.require_vault()?;
            let store = master.storage.open_store().await?;
            let Some(secret) = auth::rotate_redirect_secret(store.as_ref(), &vault, &id).await?
            else {
                bail!("no such API key");
            };
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "api_key": id, "redirect_secret": secret })
                );
            } else {
                println!("api key:         {id}\nredirect secret: {secret}\n(shown only now; redirects signed with the old one no longer verify)");
            }
        }
        KeysCommand::Disable { id, storage } => {
            let store = storage.open_store().await?;
            if !store
                .set_api_key_disabled(&id, Some(chrono::Utc::now().timestamp_millis()))
                .await?
            {
                bail!("no such API key");
            }
            println!("disabled {id}");
        }
    }
    Ok(())
}
