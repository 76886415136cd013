//! `digigate webhooks`: an API key's webhook endpoints (add, list, remove, rotate-secret), their
//! delivery log and redelivery, straight on the database (the same operations as the API's
//! `/webhooks/endpoints…`).

use crate::keys::MasterKeyArgs;
use crate::storage::StorageArgs;
use anyhow::bail;
use clap::{Args, Subcommand};
use digigate_server::webhooks::endpoints::{self, EndpointError};
use digigate_server::webhooks::{TargetPolicy, WebhookConfig};
use digigate_store::Store;

/// Webhook endpoint commands.
#[derive(Subcommand)]
pub enum WebhooksCommand {
    /// Add an endpoint for a key; prints its id and signing secret (`whsec_…`) once.
    Add(AddArgs),
    /// List a key's endpoints (never their secrets).
    List {
        /// The API key id.
        #[arg(long)]
        api_key: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Remove an endpoint; what was still to be sent to it is given up.
    Remove {
        /// The endpoint id (`we_…`).
        endpoint: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Give an endpoint a new secret (printed once); the previous one keeps signing beside it
    /// for 24 hours.
    RotateSecret {
        /// The endpoint id.
        endpoint: String,
        /// Print exactly one JSON object `{"endpoint_id": …, "secret": …, …}`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        master: MasterKeyArgs,
    },
    /// An endpoint's delivery log, newest attempt first (one JSON object a line).
    Deliveries {
        /// The endpoint id.
        endpoint: String,
        /// How many attempts to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Send an event (by its id, the `webhook-id`) or a delivery to an endpoint again, now.
    Redeliver {
        /// The endpoint id.
        endpoint: String,
        /// The event id (`evt_…`) or delivery id.
        id: String,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

/// Flags of `webhooks add`.
#[derive(Args)]
pub struct AddArgs {
    /// The API key whose events the endpoint receives.
    #[arg(long)]
    api_key: String,
    /// The target: https, resolving only to public addresses (see the two flags below).
    #[arg(long)]
    url: String,
    /// Accept a target as development mode does (plain http, loopback addresses).
    #[arg(long)]
    development: bool,
    /// Accept private, link-local, unique-local and CGNAT addresses (never cloud metadata).
    #[arg(long, env = "DIGIGATE_ALLOW_PRIVATE_WEBHOOK_TARGETS")]
    allow_private_targets: bool,
    /// Print exactly one JSON object `{"endpoint_id": …, "secret": …}` and nothing else.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    master: MasterKeyArgs,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The endpoint `id`, active, whoever owns it (the operator acts for every key).
async fn active_endpoint(
    store: &dyn Store,
    id: &str,
) -> anyhow::Result<digigate_store::WebhookEndpointRecord> {
    match store.webhook_endpoint(id).await? {
        Some(e) if e.removed_at_ms.is_none() => Ok(e),
        _ => bail!("no such webhook endpoint"),
    }
}

pub async fn run(cmd: WebhooksCommand) -> anyhow::Result<()> {
    match cmd {
        WebhooksCommand::Add(args) => {
            let vault = args.master.require_vault()?;
            let store = args.master.storage.open_store().await?;
            if store.api_key(&args.api_key).await?.is_none() {
                bail!("no such API key");
            }
            let policy = TargetPolicy {
                development: args.development,
                allow_private: args.allow_private_targets,
            };
            let added = match endpoints::add(
                store.as_ref(),
                &vault,
                policy,
                &args.api_key,
                &args.url,
                now_ms(),
            )
            .await
            {
                Ok(added) => added,
                Err(EndpointError::Target(e)) => bail!("{e}; nothing was added"),
                Err(e) => return Err(e.into()),
            };
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({ "endpoint_id": added.endpoint_id, "secret": added.secret })
                );
            } else {
                println!(
                    "endpoint: {}\nsecret:   {}\n(the secret is shown only now)",
                    added.endpoint_id, added.secret
                );
            }
        }
        WebhooksCommand::List { api_key, storage } => {
            let store = storage.open_store().await?;
            let now = now_ms();
            for e in store.webhook_endpoints(&api_key).await? {
                println!("{}", serde_json::to_string(&endpoints::describe(&e, now))?);
            }
        }
        WebhooksCommand::Remove { endpoint, storage } => {
            let store = storage.open_store().await?;
            let e = active_endpoint(store.as_ref(), &endpoint).await?;
            if !store
                .remove_webhook_endpoint(&e.id, &e.api_key_id, now_ms())
                .await?
            {
                bail!("no such webhook endpoint");
            }
            println!("removed {endpoint}");
        }
        WebhooksCommand::RotateSecret {
            endpoint,
            json,
            master,
        } => {
            let vault = master.require_vault()?;
            let store = master.storage.open_store().await?;
            let e = active_endpoint(store.as_ref(), &endpoint).await?;
            let overlap = WebhookConfig::default().rotation_overlap;
            let (secret, until) = endpoints::rotate_secret(
                store.as_ref(),
                &vault,
                &e.api_key_id,
                &e.id,
                overlap,
                now_ms(),
            )
            .await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "endpoint_id": endpoint, "secret": secret, "previous_secret_valid_until": until })
                );
            } else {
                println!("endpoint: {endpoint}\nsecret:   {secret}\n(shown only now; the previous secret signs too for 24 hours)");
            }
        }
        WebhooksCommand::Deliveries {
            endpoint,
            limit,
            storage,
        } => {
            let store = storage.open_store().await?;
            let e = active_endpoint(store.as_ref(), &endpoint).await?;
            for attempt in store.webhook_attempts(&e.id, limit).await? {
                println!(
                    "{}",
                    serde_json::to_string(&endpoints::describe_attempt(&attempt))?
                );
            }
        }
        WebhooksCommand::Redeliver {
            endpoint,
            id,
            storage,
        } => {
            let store = storage.open_store().await?;
            let e = active_endpoint(store.as_ref(), &endpoint).await?;
            if !store
                .redeliver_webhook(&e.id, &e.api_key_id, &id, now_ms())
                .await?
            {
                bail!("no delivery of {id} to {endpoint}");
            }
            println!("redelivering {id} to {endpoint}");
        }
    }
    Ok(())
}
