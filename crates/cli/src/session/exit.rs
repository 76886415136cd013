//! The exit codes of `digigate session`, so a script can tell a failed session from a wrong
//! key from an unreachable gateway without reading the output.

use digigate_client::{ClientError, Status};

/// How a `digigate session` command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The command did what it was asked; for `status` and `watch`, the session succeeded.
    Ok = 0,
    /// Something local went wrong (writing a file, an answer this client cannot read).
    Local = 1,
    /// The command line (or the credentials' configuration) is wrong; clap uses 2 as well.
    Usage = 2,
    /// The session failed (consent denied, DigiLocker unavailable, no documents, …).
    Failed = 3,
    /// The session expired before the journey finished.
    Expired = 4,
    /// The session is still in progress (`status`), or `watch` gave up at `--timeout`.
    InProgress = 5,
    /// The API refused the call (4xx: wrong key or secret, unknown session, not yet succeeded).
    Refused = 6,
    /// The gateway could not be reached, timed out or answered 5xx.
    Unreachable = 7,
    /// Ctrl-C stopped `watch` (the shell's convention for SIGINT).
    Interrupted = 130,
}

/// The table printed under `digigate session --help` (also in `docs/cli.md`).
pub const HELP: &str = "\
Exit codes:
  0    ok; for status and watch: the session succeeded
  1    local error (writing a file, an unreadable answer)
  2    usage error (bad flags, no API key or secret)
  3    the session failed
  4    the session expired
  5    the session is still in progress (status), or watch reached --timeout
  6    the API refused the call (4xx: credentials, unknown session, not yet succeeded)
  7    the gateway is unreachable, timed out or answered 5xx
  130  watch interrupted by Ctrl-C

Credentials come from DIGIGATE_API_KEY and DIGIGATE_API_SECRET (or DIGIGATE_API_SECRET_FILE);
--api-secret on the command line is visible to other users in `ps`.";

impl Exit {
    /// The exit of `status` and `watch`: by where the session is.
    pub fn of_status(status: &Status) -> Exit {
        match status {
            Status::Succeeded => Exit::Ok,
            Status::Failed => Exit::Failed,
            Status::Expired => Exit::Expired,
            _ => Exit::InProgress,
        }
    }
}

/// Prints the error on stderr (with the transaction id to quote to the gateway's operators)
/// and chooses the exit code.
pub fn report(e: &anyhow::Error) -> Exit {
    let Some(client) = e.downcast_ref::<ClientError>() else {
        eprintln!("error: {e:#}");
        return Exit::Local;
    };
    // reqwest repeats its message down the chain; its last cause is the one that says why.
    match std::error::Error::source(client).map(root_cause) {
        Some(cause) => eprintln!("error: {client} ({cause})"),
        None => eprintln!("error: {client}"),
    }
    match client {
        ClientError::Api {
            code,
            transaction_id,
            ..
        } => {
            if let Some(t) = transaction_id {
                eprintln!("transaction id: {t}");
            }
            if *code == 404 {
                eprintln!("(an erased session answers 404 too)");
            }
            if (400..500).contains(code) {
                Exit::Refused
            } else {
                Exit::Unreachable
            }
        }
        ClientError::Transport(_) => Exit::Unreachable,
        ClientError::Timeout { .. } => Exit::InProgress,
        ClientError::Config(_) => Exit::Usage,
        _ => Exit::Local,
    }
}

fn root_cause<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut e = e;
    while let Some(next) = e.source() {
        e = next;
    }
    e
}
