//! `digigate audit`: print the append-only audit log.

use crate::storage::StorageArgs;
use clap::Args;

/// Flags of `digigate audit`.
#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Only this session's lines.
    #[arg(long)]
    session: Option<String>,
    /// At most this many lines.
    #[arg(long, default_value_t = 1000)]
    limit: i64,
}

pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    let store = args.storage.open_store().await?;
    for e in store.audit_log(args.session.as_deref(), args.limit).await? {
        let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_else(|| e.at_ms.to_string());
        println!(
            "{at}\t{}\t{}\t{}\t{}",
            e.action,
            e.session_id.as_deref().unwrap_or("-"),
            e.api_key_id.as_deref().unwrap_or("-"),
            e.detail.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}
