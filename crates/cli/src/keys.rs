//! `digigate keys`: create, list and disable API keys.

use crate::storage::StorageArgs;
use anyhow::bail;
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
    storage: StorageArgs,
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
    /// Print exactly one JSON object `{"api_key": …, "api_secret": …}` and nothing else.
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
            let store = args.storage.open_store().await?;
            let env = if args.live {
                KeyEnvironment::Live
            } else {
                KeyEnvironment::Test
            };
            let urls = args.redirect_urls.iter().map(|u| u.to_string()).collect();
            let now = chrono::Utc::now().timestamp_millis();
            let (id, secret) = auth::create_api_key(
                store.as_ref(),
                &auth::SecretHasher::new(1),
                &args.name,
                env,
                urls,
                now,
            )
            .await?;
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "api_key": id.as_str(), "api_secret": secret })
                );
            } else {
                println!("api key:    {id}\napi secret: {secret}\n(the secret is shown only now)");
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
