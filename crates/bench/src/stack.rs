//! The system under measurement, started in this process by the tests' own stack
//! (`digigate_server::testing`): the simulator on 127.0.0.1:0, the gateway on 127.0.0.1:0
//! talking to it, and an API key. This wrapper adds the database choice and the runtimes.

use anyhow::Context;
use digigate_server::testing::{TestStack, Topology};
use std::path::PathBuf;
use url::Url;

/// A running gateway and simulator, and the credentials of a key on the gateway.
pub struct Stack {
    /// The gateway's base URL.
    pub base: Url,
    /// The API key.
    pub key: String,
    /// Its secret.
    pub secret: String,
    /// A short description of the database, for the report.
    pub database: String,
    /// The database URL.
    pub database_url: String,
    /// The temporary directory holding the SQLite file, if the stack made one.
    pub temp_dir: Option<PathBuf>,
    /// The gateway and simulator, kept for as long as the measurement runs.
    _running: TestStack,
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(dir) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn fresh_temp_dir() -> anyhow::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!("digigate-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

impl Stack {
    /// The gateway's socket address.
    pub fn addr(&self) -> anyhow::Result<std::net::SocketAddr> {
        self.base
            .socket_addrs(|| None)?
            .first()
            .copied()
            .context("the gateway has no address")
    }

    /// Starts everything, the gateway on the current runtime and the simulator on `simulator`;
    /// `database_url` `None` means a SQLite file in a fresh temp directory (removed when the
    /// stack is dropped).
    pub async fn start(
        database_url: Option<&str>,
        simulator: &tokio::runtime::Handle,
    ) -> anyhow::Result<Stack> {
        let (url, temp_dir, database) = match database_url {
            Some(u) => {
                let scheme = u.split(':').next().unwrap_or("database");
                (u.to_owned(), None, format!("{scheme} (--database-url)"))
            }
            None => {
                let dir = fresh_temp_dir()?;
                let url = format!("sqlite://{}?mode=rwc", dir.join("digigate.db").display());
                (url, Some(dir), "SQLite in a temp dir".to_owned())
            }
        };
        let store = digigate_store::connect(&url)
            .await
            .context("opening the database")?;
        store.migrate().await.context("applying migrations")?;

        // Signed documents, verified by the gateway against the simulator's root, as in
        // production: the journeys measure signature verification and parsing too.
        let stack = TestStack::start(store, Topology::OwnPort, simulator, |config| {
            // The per-key limit (600 calls a minute by default) would measure the limiter, not
            // the journey: a hundred journeys make over 500 calls in about a second.
            config.rate_limit_per_minute = u32::MAX;
        })
        .await
        .context("starting the simulator and the gateway")?;
        let (key, secret) = stack.create_api_key(Vec::new()).await;
        Ok(Stack {
            base: stack.base.clone(),
            key,
            secret,
            database,
            database_url: url,
            temp_dir,
            _running: stack,
        })
    }
}
