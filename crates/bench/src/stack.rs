//! The system under measurement, started in this process the way the tests start it: the
//! simulator on 127.0.0.1:0, the gateway on 127.0.0.1:0 talking to it, and an API key.

use anyhow::Context;
use digigate_core::KeyEnvironment;
use digigate_digilocker::{DigiLockerClient, DigiLockerConfig};
use digigate_documents::signature::{CaCertificate, SigningIdentity, TrustStore};
use digigate_server::{auth, Gateway, GatewayConfig};
use digigate_simulator::{Simulator, SimulatorConfig};
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

const SIM_CLIENT_ID: &str = "bench-client";
const SIM_SECRET: &str = "simulator-secret-for-the-benchmark";

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

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = Url::parse(&format!("http://{}", listener.local_addr()?))?;
        let callback = base.join("/callbacks/digilocker")?;
        let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let sim_base = Url::parse(&format!("http://{}/public", sim_listener.local_addr()?))?;
        let mut sim_config = SimulatorConfig::new(
            SIM_CLIENT_ID.to_owned(),
            SecretString::from(SIM_SECRET),
            vec![callback.to_string()],
        );
        // Signed documents, verified by the gateway against the simulator's root, as in
        // production: the journeys measure signature verification and parsing too.
        sim_config.signing = Some(Arc::new(SigningIdentity::simulator_test_identity()?));
        let sim = Simulator::new(sim_config);
        let sim_listener = sim_listener.into_std()?;
        simulator.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(sim_listener)?;
            digigate_simulator::serve(listener, sim, std::future::pending()).await
        });

        let mut config = GatewayConfig::new(base.clone(), [1; 32], [2; 32]);
        // The per-key limit (600 calls a minute by default) would measure the limiter, not the
        // journey: a hundred journeys make over 500 calls in about a second.
        config.rate_limit_per_minute = u32::MAX;
        let mut trust = TrustStore::new();
        trust.add_pem(CaCertificate::simulator_test_root()?.to_pem()?.as_bytes())?;
        config.trust_store = Arc::new(trust);
        let digilocker = DigiLockerClient::new(DigiLockerConfig {
            authorize_base: sim_base.clone(),
            api_base: sim_base,
            client_id: SIM_CLIENT_ID.to_owned(),
            client_secret: SecretString::from(SIM_SECRET),
            redirect_uri: callback,
            timeout: Duration::from_secs(20),
        })?;
        let gateway = Gateway::new(config, store.clone(), digilocker);
        tokio::spawn(digigate_server::serve(
            listener,
            gateway.router(),
            std::future::pending(),
        ));

        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as i64;
        let (key, secret) = auth::create_api_key(
            store.as_ref(),
            &auth::SecretHasher::new(1),
            "benchmark",
            KeyEnvironment::Test,
            Vec::new(),
            now_ms,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the API key: {e}"))?;
        Ok(Stack {
            base,
            key: key.to_string(),
            secret,
            database,
            database_url: url,
            temp_dir,
        })
    }
}
