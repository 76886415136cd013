//! Where the data lives: the options every command that opens the database shares.

use anyhow::Context;
use clap::Args;
use digigate_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the data lives.
#[derive(Args, Clone)]
pub struct StorageArgs {
    /// Directory for the SQLite database and development keys.
    #[arg(long, env = "DIGIGATE_DATA_DIR", default_value = "./digigate-data")]
    pub data_dir: PathBuf,
    /// Database URL (`sqlite://…` or `postgres://…`); default: a SQLite file in the data directory.
    #[arg(long, env = "DIGIGATE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl StorageArgs {
    /// Opens and migrates the store.
    pub async fn open_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating data directory {}", self.data_dir.display()))?;
        let url = match &self.database_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("digigate.db").display()
            ),
        };
        let store = digigate_store::connect(&url)
            .await
            .context("opening the database")?;
        store.migrate().await.context("applying migrations")?;
        Ok(store)
    }
}
