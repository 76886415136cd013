//! The `digigate` command.

mod audit;
mod completions;
mod documents;
mod keys;
mod secrets;
mod serve;
mod session;
mod simulator;
mod storage;
mod trust;
mod webhooks;

use clap::{CommandFactory, Parser, Subcommand};

/// digigate: a self-hosted DigiLocker KYC gateway.
#[derive(Parser)]
#[command(name = "digigate", version, about)]
struct Cli {
    /// How log lines are written to stderr: `text` for people, `json` (one object a line, with
    /// the request's `transaction_id` on every line logged while answering it) for collectors.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "DIGIGATE_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The format of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
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
    /// Manage webhook endpoints, their delivery log and redelivery.
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),
    /// Try a gateway (or Sandbox's API) from a terminal: init, status, watch, documents,
    /// download, checks, erase.
    Session(session::SessionArgs),
    /// Print a shell completion script.
    Completions(completions::CompletionsArgs),
}

/// mimalloc rather than glibc's malloc, whose arena lock the runtime's workers contend for
/// (see `docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("DIGIGATE_LOG")
        .unwrap_or_else(|_| "info".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        // The request span (with its transaction id) goes on every line logged inside it.
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    match cli.command {
        Command::Serve(args) => serve::run(*args).await,
        Command::Keys(cmd) => keys::run(cmd).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Migrate(args) => {
            args.open_store().await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Simulator(args) => simulator::run(args).await,
        Command::Webhooks(cmd) => webhooks::run(cmd).await,
        Command::Session(args) => std::process::exit(session::run(args).await),
        Command::Completions(args) => {
            completions::run(&args, &mut Cli::command());
            Ok(())
        }
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
