//! `digigate simulator`: the DigiLocker simulator on its own.

use anyhow::Context;
use clap::Args;
use digigate_simulator::{Persona, Simulator, SimulatorConfig};
use rand::distributions::{Alphanumeric, DistString};
use secrecy::SecretString;
use std::path::PathBuf;

/// Flags of `digigate simulator`.
#[derive(Args)]
pub struct SimulatorArgs {
    /// Address to listen on; the API is under `/public`.
    #[arg(
        long,
        env = "DIGIGATE_SIMULATOR_LISTEN",
        default_value = "127.0.0.1:9090"
    )]
    listen: String,
    /// Client id partners must use.
    #[arg(
        long,
        env = "DIGIGATE_SIMULATOR_CLIENT_ID",
        default_value = "digigate-simulator"
    )]
    client_id: String,
    /// Client secret partners must use (default: a random one, printed at start).
    #[arg(long, env = "DIGIGATE_SIMULATOR_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Registered redirect URI (repeatable; exact match).
    #[arg(
        long = "redirect-uri",
        default_value = "http://127.0.0.1:8080/callbacks/digilocker"
    )]
    redirect_uris: Vec<String>,
    /// A JSON file of extra personas.
    #[arg(long, env = "DIGIGATE_SIMULATOR_PERSONAS")]
    personas: Option<PathBuf>,
}

/// A random client secret for a simulator whose secret was not configured.
pub fn random_secret() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}

pub async fn run(args: SimulatorArgs) -> anyhow::Result<()> {
    let secret = match args.client_secret {
        Some(s) => s,
        None => {
            let s = random_secret();
            println!("simulator client secret: {s}");
            s
        }
    };
    let mut config = SimulatorConfig::new(
        args.client_id,
        SecretString::from(secret),
        args.redirect_uris,
    );
    if let Some(path) = &args.personas {
        // A loaded persona replaces a built-in one with the same mobile number.
        let loaded = Persona::load_file(path).context("loading personas")?;
        config
            .personas
            .retain(|p| loaded.iter().all(|l| l.mobile != p.mobile));
        config.personas.extend(loaded);
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "DigiLocker simulator listening; base URL /public");
    digigate_simulator::serve(listener, Simulator::new(config), crate::shutdown_signal()).await?;
    Ok(())
}
