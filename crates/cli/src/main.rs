//! The `digigate` command.

mod audit;
mod documents;
mod keys;
mod secrets;
mod serve;
mod simulator;
mod storage;
mod trust;

use clap::{Parser, Subcommand};

/// digigate: a self-hosted DigiLocker KYC gateway.
#[derive(Parser)]
#[command(name = "digigate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway (with the built-in DigiLocker simulator unless told otherwise).
    Serve(Box<serve::ServeArgs>),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Print the audit log of a session (identifiers only).
    Audit(audit::AuditArgs),
    /// Apply database migrations and exit.
    Migrate(storage::StorageArgs),
    /// Run the DigiLocker simulator on its own.
    Simulator(simulator::SimulatorArgs),
    /// Work with stored documents (re-verify a signature).
    #[command(subcommand)]
    Documents(documents::DocumentsCommand),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DIGIGATE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve::run(*args).await,
        Command::Keys(cmd) => keys::run(cmd).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Migrate(args) => {
            args.open_store().await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Simulator(args) => simulator::run(args).await,
        Command::Documents(cmd) => {
            if !documents::run(cmd)? {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
