//! Test harness: the real gateway on 127.0.0.1:0 over a fresh database (a SQLite file or a
//! PostgreSQL database), the simulator on its own port, an API key, and a `DigigateClient` for it.
#![allow(dead_code)]

use digigate_client::DigigateClient;
use digigate_core::KeyEnvironment;
use digigate_digilocker::{DigiLockerClient, DigiLockerConfig};
use digigate_server::{auth, Gateway, GatewayConfig};
use digigate_simulator::{Simulator, SimulatorConfig};
use digigate_store::testing::TestDatabase;
use digigate_store::Store;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use url::Url;

/// Where the business sends people back to in these tests.
pub const REDIRECT: &str = "https://business.example/kyc/done";

const SIM_CLIENT_ID: &str = "test-client";
const SIM_SECRET: &str = "simulator-secret-for-tests";

/// One running gateway with its simulator and a key.
pub struct TestApp {
    pub base: Url,
    pub addr: SocketAddr,
    pub key: String,
    pub secret: String,
    pub store: Arc<dyn Store>,
    sim_addr: SocketAddr,
    jwt_secret: [u8; 32],
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _db: TestDatabase,
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Starts a simulator and a gateway on a fresh database, and creates an API key.
pub async fn spawn(backend: Backend) -> TestApp {
    let db = match backend {
        Backend::Sqlite => TestDatabase::sqlite(),
        Backend::Postgres => TestDatabase::postgres().await,
    };
    let store = digigate_store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = Url::parse(&format!("http://{addr}")).unwrap();
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_addr = sim_listener.local_addr().unwrap();
    let sim = Simulator::new(SimulatorConfig::new(
        SIM_CLIENT_ID.to_owned(),
        SecretString::from(SIM_SECRET),
        vec![format!("http://{addr}/callbacks/digilocker")],
    ));
    tokio::spawn(digigate_simulator::serve(
        sim_listener,
        sim,
        std::future::pending(),
    ));
    let mut app = TestApp {
        base,
        addr,
        key: String::new(),
        secret: String::new(),
        store,
        sim_addr,
        jwt_secret: [2; 32],
        stop: None,
        task: None,
        _db: db,
    };
    app.start_gateway(listener);
    let (key, secret) = app.create_key().await;
    (app.key, app.secret) = (key, secret);
    app
}

impl TestApp {
    fn start_gateway(&mut self, listener: tokio::net::TcpListener) {
        let mut config = GatewayConfig::new(self.base.clone(), [1; 32], self.jwt_secret);
        config.fetch_backoff = Duration::from_millis(5);
        let sim_base = Url::parse(&format!("http://{}/public", self.sim_addr)).unwrap();
        let digilocker = DigiLockerClient::new(DigiLockerConfig {
            authorize_base: sim_base.clone(),
            api_base: sim_base,
            client_id: SIM_CLIENT_ID.into(),
            client_secret: SecretString::from(SIM_SECRET),
            redirect_uri: self.base.join("/callbacks/digilocker").unwrap(),
            timeout: Duration::from_secs(10),
        })
        .unwrap();
        let gateway = Gateway::new(config, self.store.clone(), digilocker);
        let (tx, rx) = oneshot::channel::<()>();
        self.task = Some(tokio::spawn(async move {
            digigate_server::serve(listener, gateway.router(), async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        }));
        self.stop = Some(tx);
    }

    /// Restarts the gateway on the same address and database with a new token-signing key, so
    /// every access token issued before is refused with 401.
    pub async fn restart_with_a_new_signing_key(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        self.jwt_secret = [self.jwt_secret[0].wrapping_add(1); 32];
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.start_gateway(listener);
    }

    /// Creates another API key; returns (key, secret).
    pub async fn create_key(&self) -> (String, String) {
        let (id, secret) = auth::create_api_key(
            self.store.as_ref(),
            &auth::SecretHasher::new(2),
            "test",
            KeyEnvironment::Test,
            Vec::new(),
            0,
        )
        .await
        .unwrap();
        (id.to_string(), secret)
    }

    /// A client with this app's key.
    pub fn client(&self) -> DigigateClient {
        self.client_with(&self.key, &self.secret)
    }

    /// A client with other credentials.
    pub fn client_with(&self, key: &str, secret: &str) -> DigigateClient {
        DigigateClient::new(
            self.base.clone(),
            key.to_owned(),
            SecretString::from(secret.to_owned()),
        )
        .unwrap()
    }
}

/// Defines `sqlite::<name>` and `postgres::<name>` tests, each running `<name>(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::common::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::common::Backend::Postgres).await })*
        }
    };
}
