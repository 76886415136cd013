//! `digigate session …`: try a gateway (or Sandbox's cloud API, which speaks the same wire)
//! from a terminal, through the typed client. Human lines by default, `--json` for scripts;
//! the exit code says how it ended (see [`Exit`]).

mod exit;
mod print;

pub use exit::Exit;

use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use digigate_client::{DigigateClient, DocType, Flow, InitSession, Status};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use url::Url;

/// Flags of `digigate session`.
#[derive(Args)]
#[command(after_help = exit::HELP)]
pub struct SessionArgs {
    /// Base URL of the gateway, or of Sandbox's API (`https://api.sandbox.co.in`).
    #[arg(
        long,
        global = true,
        env = "DIGIGATE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    base_url: Url,
    /// The API key (`key_test_…` / `key_live_…`).
    #[arg(long, global = true, env = "DIGIGATE_API_KEY")]
    api_key: Option<String>,
    /// The API secret. On the command line it is visible to every user of the machine (`ps`):
    /// prefer the environment variable or `--api-secret-file`.
    #[arg(
        long,
        global = true,
        env = "DIGIGATE_API_SECRET",
        hide_env_values = true
    )]
    api_secret: Option<String>,
    /// A file holding the API secret (its trailing newline ignored).
    #[arg(
        long,
        global = true,
        env = "DIGIGATE_API_SECRET_FILE",
        conflicts_with = "api_secret"
    )]
    api_secret_file: Option<PathBuf>,
    /// Machine output: JSON on stdout (one object; `watch` prints one per change), nothing else.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: SessionCommand,
}

/// What to do with a session.
#[derive(Subcommand)]
enum SessionCommand {
    /// Start a consent session and print the link to send the person to.
    Init {
        /// Where the person is sent back after DigiLocker.
        #[arg(long)]
        redirect_url: Url,
        /// A document to ask for (repeatable; default: aadhaar and pan).
        #[arg(long = "doc-type", value_parser = parse_doc_type())]
        doc_types: Vec<DocType>,
        /// `signin` (an existing DigiLocker user) or `signup`.
        #[arg(long, value_parser = parse_flow(), default_value = "signin")]
        flow: Flow,
    },
    /// Print the session's status once.
    Status {
        /// The session id.
        session_id: String,
    },
    /// Poll the status until it is final, printing each change with its time (Ctrl-C stops).
    Watch {
        /// The session id.
        session_id: String,
        /// Seconds between polls.
        #[arg(long, default_value_t = 2.0)]
        interval: f64,
        /// Give up after this many seconds (exit 5).
        #[arg(long, default_value_t = 900)]
        timeout: u64,
    },
    /// List the files of the consented documents of a succeeded session.
    Documents {
        /// The session id.
        session_id: String,
        /// Only this document (repeatable; default: every consented one).
        #[arg(long = "doc-type", value_parser = parse_doc_type())]
        doc_types: Vec<DocType>,
    },
    /// Download a document's file.
    Download {
        /// The session id.
        session_id: String,
        /// Which document.
        #[arg(value_parser = parse_doc_type())]
        doc_type: DocType,
        /// Where to write it (default: `<doc_type>.<ext>` in the current directory; `-` for
        /// stdout).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Print the cross-document checks (a digigate extension).
    Checks {
        /// The session id.
        session_id: String,
    },
    /// Erase the session's documents and profile now (a digigate extension).
    Erase {
        /// The session id.
        session_id: String,
    },
}

/// Reads a document type by its API name (`--doc-type`); `--help` and a wrong value list the
/// names, which come from `DocType::ALL`.
pub(crate) fn parse_doc_type() -> impl TypedValueParser<Value = DocType> {
    PossibleValuesParser::new(DocType::ALL.map(DocType::as_str))
        .map(|name| DocType::from_api_name(&name).expect("one of the possible values"))
}

/// Reads a flow by its API name (`--flow`).
fn parse_flow() -> impl TypedValueParser<Value = Flow> {
    PossibleValuesParser::new([Flow::Signin, Flow::Signup].map(Flow::as_str))
        .map(|name| Flow::parse(&name).expect("one of the possible values"))
}

/// Runs the command; the returned code is the process's exit status.
pub async fn run(args: SessionArgs) -> i32 {
    let json = args.json;
    let code = match client(&args) {
        Ok(client) => match execute(&client, args.command, json).await {
            Ok(exit) => exit,
            Err(e) => exit::report(&e),
        },
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::Usage
        }
    };
    code as i32
}

fn client(args: &SessionArgs) -> anyhow::Result<DigigateClient> {
    let key = args
        .api_key
        .clone()
        .context("no API key: set DIGIGATE_API_KEY or pass --api-key")?;
    let secret = match (&args.api_secret, &args.api_secret_file) {
        (Some(s), _) => s.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the API secret from {}", path.display()))?
            .trim_end_matches(['\r', '\n'])
            .to_owned(),
        (None, None) => anyhow::bail!(
            "no API secret: set DIGIGATE_API_SECRET or DIGIGATE_API_SECRET_FILE (or pass --api-secret-file)"
        ),
    };
    Ok(DigigateClient::new(
        args.base_url.clone(),
        key,
        SecretString::from(secret),
    )?)
}

async fn execute(
    client: &DigigateClient,
    command: SessionCommand,
    json: bool,
) -> anyhow::Result<Exit> {
    match command {
        SessionCommand::Init {
            redirect_url,
            doc_types,
            flow,
        } => {
            let doc_types = if doc_types.is_empty() {
                vec![DocType::Aadhaar, DocType::Pan]
            } else {
                doc_types
            };
            let request = InitSession::new(redirect_url, doc_types).flow(flow);
            let created = client.init_session(&request).await?;
            print::created(&created, json);
            Ok(Exit::Ok)
        }
        SessionCommand::Status { session_id } => {
            let status = client.session_status(&session_id).await?;
            print::status(&status, json);
            Ok(Exit::of_status(&status.status))
        }
        SessionCommand::Watch {
            session_id,
            interval,
            timeout,
        } => {
            let interval = Duration::try_from_secs_f64(interval.max(0.05))
                .context("--interval is not a number of seconds")?;
            tokio::select! {
                exit = watch(client, &session_id, interval, Duration::from_secs(timeout), json) => exit,
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("interrupted");
                    Ok(Exit::Interrupted)
                }
            }
        }
        SessionCommand::Documents {
            session_id,
            doc_types,
        } => {
            let doc_types = if doc_types.is_empty() {
                client
                    .session_status(&session_id)
                    .await?
                    .documents_consented
            } else {
                doc_types
            };
            let mut answers = Vec::new();
            for doc_type in doc_types {
                answers.push((
                    doc_type,
                    client.fetch_document(&session_id, doc_type).await?,
                ));
            }
            print::documents(&answers, json);
            Ok(Exit::Ok)
        }
        SessionCommand::Download {
            session_id,
            doc_type,
            output,
        } => {
            let files = client.fetch_document(&session_id, doc_type).await?;
            let file = files
                .files
                .first()
                .context("the document answer lists no file")?;
            let bytes = client.download(file).await?;
            let path = output.unwrap_or_else(|| {
                PathBuf::from(format!(
                    "{}.{}",
                    doc_type.as_str(),
                    print::extension(&file.metadata.content_type)
                ))
            });
            print::downloaded(&path, doc_type, file, &bytes, json)?;
            Ok(Exit::Ok)
        }
        SessionCommand::Checks { session_id } => {
            let report = client.session_checks(&session_id).await?;
            print::checks(&report, json);
            Ok(Exit::Ok)
        }
        SessionCommand::Erase { session_id } => {
            let erasure = client.erase_session(&session_id).await?;
            print::erased(&erasure, json);
            Ok(Exit::Ok)
        }
    }
}

/// Polls until the status is final or `timeout` passes, printing each change once.
async fn watch(
    client: &DigigateClient,
    session_id: &str,
    interval: Duration,
    timeout: Duration,
    json: bool,
) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let mut last: Option<Status> = None;
    loop {
        let status = client.session_status(session_id).await?;
        if last.as_ref() != Some(&status.status) {
            print::change(&status, json);
            last = Some(status.status.clone());
        }
        if status.status.is_final() {
            return Ok(Exit::of_status(&status.status));
        }
        if started.elapsed() + interval > timeout {
            eprintln!(
                "gave up after {}s: the session is still {}",
                timeout.as_secs(),
                status.status
            );
            return Ok(Exit::InProgress);
        }
        tokio::time::sleep(interval).await;
    }
}
