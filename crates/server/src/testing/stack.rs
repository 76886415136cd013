//! The gateway of the test stack: started on 127.0.0.1:0 over a given store, restartable on
//! the same address, with API keys created straight in its store.

use super::{simulator_trust, TestSimulator, Topology};
use crate::jobs::JobSettings;
use crate::{auth, Gateway, GatewayConfig};
use digigate_core::KeyEnvironment;
use digigate_digilocker::DigiLockerClient;
use digigate_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use url::Url;

/// The key-encryption key the stack's gateway starts with.
const MASTER_KEY: [u8; 32] = [1; 32];
/// The access-token signing key the stack's gateway starts with.
const JWT_SECRET: [u8; 32] = [2; 32];

/// A running gateway and its simulator.
pub struct TestStack {
    /// The gateway's base URL.
    pub base: Url,
    /// The gateway's address.
    pub addr: SocketAddr,
    /// The store the gateway runs over (already migrated).
    pub store: Arc<dyn Store>,
    /// The simulated DigiLocker.
    pub simulator: TestSimulator,
    /// The running gateway (for background work such as the retention sweep).
    pub gateway: Gateway,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    runner_stop: Option<oneshot::Sender<()>>,
    runner: Option<tokio::task::JoinHandle<()>>,
}

/// How the stack's job runner paces itself: quick polls and expiry ticks so tests do not wait,
/// and a lease short enough that a job of a stopped gateway is resumed within a test.
pub fn test_job_settings() -> JobSettings {
    JobSettings {
        lease: Duration::from_secs(10),
        poll_every: Duration::from_millis(50),
        expiry_every: Duration::from_millis(100),
        concurrency: 16,
        shutdown_grace: Duration::from_secs(5),
    }
}

impl TestStack {
    /// Starts the simulator on `simulator_runtime`, placed as `topology` says, and the gateway
    /// on the current runtime over `store`, with the test configuration that `tweak` adjusts.
    pub async fn start(
        store: Arc<dyn Store>,
        topology: Topology,
        simulator_runtime: &tokio::runtime::Handle,
        tweak: impl FnOnce(&mut GatewayConfig),
    ) -> std::io::Result<TestStack> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let base = Url::parse(&format!("http://{addr}")).expect("a valid URL");
        let simulator = TestSimulator::start(&base, topology, simulator_runtime)?;
        let config = Self::config(&base, MASTER_KEY, JWT_SECRET, tweak);
        let (gateway, stop, task) = launch(listener, config, store.clone(), &simulator);
        let (runner_stop, runner) = start_runner(&gateway);
        Ok(TestStack {
            base,
            addr,
            store,
            simulator,
            gateway,
            stop: Some(stop),
            task: Some(task),
            runner_stop: Some(runner_stop),
            runner: Some(runner),
        })
    }

    /// [`TestStack::start`] with the simulator on its own port of this runtime; panics when
    /// the stack cannot start.
    pub async fn on_own_port(
        store: Arc<dyn Store>,
        tweak: impl FnOnce(&mut GatewayConfig),
    ) -> TestStack {
        let runtime = tokio::runtime::Handle::current();
        Self::start(store, Topology::OwnPort, &runtime, tweak)
            .await
            .expect("the test stack starts")
    }

    /// The configuration the stack runs the gateway with: the given keys, quick fetch retries,
    /// and the simulator's root as the only trust anchor; then `tweak`.
    fn config(
        base: &Url,
        master_key: [u8; 32],
        jwt_secret: [u8; 32],
        tweak: impl FnOnce(&mut GatewayConfig),
    ) -> GatewayConfig {
        let mut config = GatewayConfig::new(base.clone(), master_key, jwt_secret);
        config.fetch_backoff = Duration::from_millis(5);
        config.trust_store = Arc::new(simulator_trust());
        tweak(&mut config);
        config
    }

    /// Stops the gateway and starts a new one on the same address, store and simulator, with
    /// these keys and `tweak`.
    pub async fn restart(
        &mut self,
        master_key: [u8; 32],
        jwt_secret: [u8; 32],
        tweak: impl FnOnce(&mut GatewayConfig),
    ) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the gateway stopped cleanly");
        }
        self.stop_job_runner().await;
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .expect("the gateway's address is free again");
        let config = Self::config(&self.base, master_key, jwt_secret, tweak);
        let (gateway, stop, task) = launch(listener, config, self.store.clone(), &self.simulator);
        let (runner_stop, runner) = start_runner(&gateway);
        self.gateway = gateway;
        self.stop = Some(stop);
        self.task = Some(task);
        self.runner_stop = Some(runner_stop);
        self.runner = Some(runner);
    }

    /// Stops the job runner (running jobs finish first), as a gateway going away does; the
    /// gateway keeps answering, and jobs wait in the store for the next runner.
    pub async fn stop_job_runner(&mut self) {
        if let Some(stop) = self.runner_stop.take() {
            let _ = stop.send(());
        }
        if let Some(runner) = self.runner.take() {
            runner.await.expect("the job runner stopped cleanly");
        }
    }

    /// Creates an API key with a redirect allow-list; returns (key, secret).
    pub async fn create_api_key(&self, redirect_urls: Vec<String>) -> (String, String) {
        create_api_key(self.store.as_ref(), redirect_urls).await
    }

    /// Creates an API key with a redirect allow-list, its redirect secret sealed with the
    /// stack's starting master key; returns everything its owner is shown.
    pub async fn create_api_key_with_redirect_secret(
        &self,
        redirect_urls: Vec<String>,
    ) -> auth::CreatedKey {
        created_key(self.store.as_ref(), redirect_urls).await
    }
}

fn start_runner(gateway: &Gateway) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let runner = gateway.spawn_job_runner(test_job_settings(), async {
        let _ = stopped.await;
    });
    (stop, runner)
}

fn launch(
    listener: tokio::net::TcpListener,
    config: GatewayConfig,
    store: Arc<dyn Store>,
    simulator: &TestSimulator,
) -> (Gateway, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let client = DigiLockerClient::new(simulator.digilocker_config())
        .expect("the simulator's client configuration is valid");
    let gateway = Gateway::new(config, store, client);
    let router = simulator.mount(gateway.router());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        crate::serve(listener, router, async {
            let _ = stopped.await;
        })
        .await
        .expect("the gateway serves");
    });
    (gateway, stop, task)
}

/// Creates a test-environment API key in `store` with a redirect allow-list; returns
/// (key, secret).
pub async fn create_api_key(store: &dyn Store, redirect_urls: Vec<String>) -> (String, String) {
    let created = created_key(store, redirect_urls).await;
    (created.id.to_string(), created.secret)
}

async fn created_key(store: &dyn Store, redirect_urls: Vec<String>) -> auth::CreatedKey {
    let vault = crate::vault::Vault::new(&secrecy::SecretBox::new(Box::new(MASTER_KEY)));
    auth::create_api_key(
        store,
        &auth::SecretHasher::new(2),
        Some(&vault),
        "test",
        KeyEnvironment::Test,
        redirect_urls,
        0,
    )
    .await
    .expect("the API key is stored")
}
