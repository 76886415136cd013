//! Test harness: the real gateway on 127.0.0.1:0 over a fresh database, the simulator on its own
//! port, an API key and its token, and a scripted browser (`digigate_client::simulator`).
#![allow(dead_code)]

use digigate_client::simulator::{redirect_target, Browser, Person};
use digigate_core::KeyEnvironment;
use digigate_digilocker::{DigiLockerClient, DigiLockerConfig};
use digigate_documents::signature::{CaCertificate, SigningIdentity, TrustStore};
use digigate_server::{auth, Gateway, GatewayConfig};
use digigate_simulator::{Simulator, SimulatorConfig};
use digigate_store::testing::TestDatabase;
use digigate_store::Store;
use reqwest::{Client, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use url::Url;

/// A trust store holding the test simulator's root CA.
pub fn simulator_trust() -> TrustStore {
    let mut trust = TrustStore::new();
    let root = CaCertificate::simulator_test_root().unwrap();
    trust.add_pem(root.to_pem().unwrap().as_bytes()).unwrap();
    trust
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where DigiLocker (the simulator) sits relative to the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// On its own port of 127.0.0.1 (the default of these tests).
    OwnPort,
    /// On its own port, and reached by the browser as `localhost`: another site than the
    /// gateway's 127.0.0.1, as the real DigiLocker is (cookies' SameSite rules apply).
    OwnOrigin,
    /// Mounted at `/simulator` on the gateway's own origin, as `digigate serve` runs it.
    Mounted,
}

/// Where the business sends people back to in these tests.
pub const REDIRECT: &str = "https://business.example/kyc/done";

/// One running gateway with its simulator.
pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub sim_base: String,
    pub api: Client,
    pub key: String,
    pub secret: String,
    pub token: String,
    pub store: Arc<dyn Store>,
    pub db: TestDatabase,
    /// The simulator, to count what the gateway asked of it.
    pub sim: Simulator,
    /// The running gateway (for background work such as the retention sweep).
    pub gateway: Option<Gateway>,
    gateway_stop: Option<oneshot::Sender<()>>,
    gateway_task: Option<tokio::task::JoinHandle<()>>,
    sim_secret: String,
    topology: Topology,
    tweak: fn(&mut GatewayConfig),
    /// The key-encryption key the gateway runs with.
    master_key: [u8; 32],
}

/// Starts a gateway with default settings.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

fn sim_client_config(
    addr: SocketAddr,
    topology: Topology,
    gateway: &str,
    secret: &str,
) -> DigiLockerConfig {
    let api_base = match topology {
        Topology::Mounted => Url::parse(&format!("{gateway}/simulator/public")).unwrap(),
        Topology::OwnPort | Topology::OwnOrigin => {
            Url::parse(&format!("http://{addr}/public")).unwrap()
        }
    };
    let mut authorize_base = api_base.clone();
    if topology == Topology::OwnOrigin {
        authorize_base.set_host(Some("localhost")).unwrap();
    }
    DigiLockerConfig {
        authorize_base,
        api_base,
        client_id: "test-client".into(),
        client_secret: SecretString::from(secret.to_owned()),
        redirect_uri: Url::parse(&format!("{gateway}/callbacks/digilocker")).unwrap(),
        timeout: Duration::from_secs(10),
    }
}

/// Starts a gateway whose configuration `tweak` adjusts.
pub async fn spawn_with(backend: Backend, tweak: fn(&mut GatewayConfig)) -> TestApp {
    spawn_in(backend, Topology::OwnPort, tweak).await
}

/// Starts a gateway with the simulator placed as `topology` says.
pub async fn spawn_in(
    backend: Backend,
    topology: Topology,
    tweak: fn(&mut GatewayConfig),
) -> TestApp {
    let db = match backend {
        Backend::Sqlite => TestDatabase::sqlite(),
        Backend::Postgres => TestDatabase::postgres().await,
    };
    let store = digigate_store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let sim_secret = "simulator-secret-for-tests".to_owned();
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_addr = sim_listener.local_addr().unwrap();
    let mut sim_config = SimulatorConfig::new(
        "test-client".to_owned(),
        SecretString::from(sim_secret.clone()),
        vec![format!("{base}/callbacks/digilocker")],
    );
    // The fixed test PKI kept under crates/documents/testdata/pki: no key generation per test.
    sim_config.signing = Some(Arc::new(
        SigningIdentity::simulator_test_identity().unwrap(),
    ));
    let sim = Simulator::new(sim_config);
    tokio::spawn(digigate_simulator::serve(
        sim_listener,
        sim.clone(),
        std::future::pending(),
    ));
    let mut app = TestApp {
        base,
        addr,
        sim_base: format!("http://{sim_addr}/public"),
        api: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // No pooled connections: tests restart the gateway under the client.
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        key: String::new(),
        secret: String::new(),
        token: String::new(),
        store,
        db,
        sim,
        gateway: None,
        gateway_stop: None,
        gateway_task: None,
        sim_secret,
        topology,
        tweak,
        master_key: [1; 32],
    };
    app.start_gateway(listener).await;
    let (key, secret) = app.create_key(Vec::new()).await;
    app.token = app.authenticate(&key, &secret).await;
    app.key = key;
    app.secret = secret;
    app
}

impl TestApp {
    async fn start_gateway(&mut self, listener: tokio::net::TcpListener) {
        let mut config =
            GatewayConfig::new(Url::parse(&self.base).unwrap(), self.master_key, [2; 32]);
        config.fetch_backoff = Duration::from_millis(5);
        config.trust_store = Arc::new(simulator_trust());
        (self.tweak)(&mut config);
        let sim_addr: SocketAddr = Url::parse(&self.sim_base)
            .unwrap()
            .socket_addrs(|| None)
            .unwrap()[0];
        let client = DigiLockerClient::new(sim_client_config(
            sim_addr,
            self.topology,
            &self.base,
            &self.sim_secret,
        ))
        .unwrap();
        let gateway = Gateway::new(config, self.store.clone(), client);
        let mut router = gateway.router();
        if self.topology == Topology::Mounted {
            router = router.nest("/simulator", self.sim.router());
        }
        self.gateway = Some(gateway);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            digigate_server::serve(listener, router, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        self.gateway_stop = Some(tx);
        self.gateway_task = Some(task);
    }

    /// The key-encryption key the gateway runs with (`[1; 32]` unless restarted with another).
    pub fn master_key(&self) -> [u8; 32] {
        self.master_key
    }

    /// Stops the gateway and starts a new one with another key-encryption key.
    pub async fn restart_with_master_key(&mut self, key: [u8; 32]) {
        self.master_key = key;
        self.restart().await;
    }

    /// Stops the gateway and starts a new one on the same address and database.
    pub async fn restart(&mut self) {
        if let Some(stop) = self.gateway_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.gateway_task.take() {
            task.await.unwrap();
        }
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.start_gateway(listener).await;
    }

    /// Creates an API key with a redirect allow-list; returns (key, secret).
    pub async fn create_key(&self, redirect_urls: Vec<String>) -> (String, String) {
        let (id, secret) = auth::create_api_key(
            self.store.as_ref(),
            &auth::SecretHasher::new(2),
            "test",
            KeyEnvironment::Test,
            redirect_urls,
            0,
        )
        .await
        .unwrap();
        (id.to_string(), secret)
    }

    /// `POST /authenticate`; returns the access token.
    pub async fn authenticate(&self, key: &str, secret: &str) -> String {
        let res = self.try_authenticate(key, secret).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    /// `POST /authenticate`, whatever it answers.
    pub async fn try_authenticate(&self, key: &str, secret: &str) -> Response {
        self.api
            .post(format!("{}/authenticate", self.base))
            .header("x-api-key", key)
            .header("x-api-secret", secret)
            .send()
            .await
            .unwrap()
    }

    /// A GET on the API with this app's credentials.
    pub async fn get(&self, path: &str) -> Response {
        self.get_as(path, &self.key, &self.token).await
    }

    /// A GET on the API with other credentials.
    pub async fn get_as(&self, path: &str, key: &str, token: &str) -> Response {
        self.api
            .get(format!("{}{path}", self.base))
            .header("x-api-key", key)
            .header("authorization", token)
            .send()
            .await
            .unwrap()
    }

    /// A POST of a JSON body on the API with this app's credentials.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.api
            .post(format!("{}{path}", self.base))
            .header("x-api-key", &self.key)
            .header("authorization", &self.token)
            .header("x-api-version", "1.0.0")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Inits a session for `doc_types` with `flow`; returns (session_id, authorization_url).
    pub async fn init(&self, flow: &str, doc_types: &[&str], options: Value) -> (String, String) {
        let body = json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": flow,
            "redirect_url": REDIRECT,
            "doc_types": doc_types,
            "options": options,
        });
        let res = self.post("/kyc/digilocker/sessions/init", &body).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.unwrap();
        assert_eq!(
            v["data"]["@entity"],
            "in.co.sandbox.kyc.digilocker.session.response"
        );
        (
            v["data"]["session_id"].as_str().unwrap().to_owned(),
            v["data"]["authorization_url"].as_str().unwrap().to_owned(),
        )
    }

    /// Opens the link and goes through DigiLocker as `person`; returns the browser and the
    /// simulator's redirect to the gateway callback (not yet followed).
    pub async fn to_callback(&self, link: &str, person: &Person) -> (Browser, Url) {
        let browser = Browser::new();
        let page = browser.open_link(&Url::parse(link).unwrap()).await.unwrap();
        let callback = browser
            .consent(page, person)
            .await
            .expect("simulator redirects to the callback");
        assert!(
            callback
                .as_str()
                .starts_with(&format!("{}/callbacks/digilocker?", self.base)),
            "{callback}"
        );
        (browser, callback)
    }

    /// The whole journey; returns the session id and the final redirect to the business.
    pub async fn journey(&self, flow: &str, doc_types: &[&str], person: &Person) -> (String, Url) {
        let (id, link) = self.init(flow, doc_types, json!({})).await;
        let (browser, callback) = self.to_callback(&link, person).await;
        let res = browser.get(callback.clone()).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "callback answers the page that forwards to the business"
        );
        (id, redirect_target(&callback, &res).unwrap())
    }

    /// The `data` of the session's status.
    pub async fn status(&self, id: &str) -> Value {
        let res = self
            .get(&format!("/kyc/digilocker/sessions/{id}/status"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["data"].clone()
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
