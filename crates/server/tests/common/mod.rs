//! Test harness: the shared stack of `digigate_server::testing` (the real gateway on
//! 127.0.0.1:0 over a fresh database, the simulator on its own port, an API key) with its token,
//! an HTTP client for the API, and a scripted browser (`digigate_client::simulator`).
#![allow(dead_code)]

use digigate_client::simulator::{Browser, Person};
use digigate_server::testing::TestStack;
use digigate_server::{Gateway, GatewayConfig};
use digigate_simulator::Simulator;
use digigate_store::testing::TestDatabase;
use digigate_store::Store;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use url::Url;

pub use digigate_server::testing::{Backend, Topology};

/// Where the business sends people back to in these tests.
pub const REDIRECT: &str = "https://business.example/kyc/done";

/// The access-token signing key of these tests' gateway.
const JWT_SECRET: [u8; 32] = [2; 32];

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
    stack: TestStack,
    tweak: fn(&mut GatewayConfig),
    /// The key-encryption key the gateway runs with.
    master_key: [u8; 32],
}

/// Starts a gateway with default settings.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
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
    let db = backend.database().await;
    let store = digigate_store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let stack = TestStack::start(
        store.clone(),
        topology,
        &tokio::runtime::Handle::current(),
        tweak,
    )
    .await
    .unwrap();
    let mut app = TestApp {
        base: stack.base.as_str().trim_end_matches('/').to_owned(),
        addr: stack.addr,
        sim_base: stack.simulator.base(),
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
        sim: stack.simulator.simulator.clone(),
        gateway: Some(stack.gateway.clone()),
        stack,
        tweak,
        master_key: [1; 32],
    };
    let (key, secret) = app.create_key(Vec::new()).await;
    app.token = app.authenticate(&key, &secret).await;
    app.key = key;
    app.secret = secret;
    app
}

impl TestApp {
    /// Runs one SQL statement on the test's database beside the gateway (to break or mend it).
    pub async fn run_sql(&self, sql: &str) {
        if self.db.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        } else {
            let pool = sqlx::SqlitePool::connect(&self.db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
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
        self.stack
            .restart(self.master_key, JWT_SECRET, self.tweak)
            .await;
        self.gateway = Some(self.stack.gateway.clone());
    }

    /// Stops the gateway's job runner (the gateway keeps answering); `restart` starts one again.
    pub async fn stop_job_runner(&mut self) {
        self.stack.stop_job_runner().await;
    }

    /// Creates an API key with a redirect allow-list; returns (key, secret).
    pub async fn create_key(&self, redirect_urls: Vec<String>) -> (String, String) {
        self.stack.create_api_key(redirect_urls).await
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
        self.send_as(Method::GET, path, key, token).await
    }

    /// A GET with no credentials at all (health, pages, `/openapi.json`).
    pub async fn get_anonymous(&self, path: &str) -> Response {
        self.api
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// A DELETE on the API with this app's credentials.
    pub async fn delete(&self, path: &str) -> Response {
        self.delete_as(path, &self.key, &self.token).await
    }

    /// A DELETE on the API with other credentials.
    pub async fn delete_as(&self, path: &str, key: &str, token: &str) -> Response {
        self.send_as(Method::DELETE, path, key, token).await
    }

    /// A bodyless request on the API with the given credentials.
    async fn send_as(&self, method: Method, path: &str, key: &str, token: &str) -> Response {
        self.api
            .request(method, format!("{}{path}", self.base))
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
        (id, self.finish_callback(&browser, &callback).await)
    }

    /// The whole journey of the first persona (`9000000001`) signing in and allowing every
    /// document asked for; returns the session id and the final redirect to the business.
    pub async fn consented_journey(&self, doc_types: &[&str]) -> (String, Url) {
        self.signin_allowing("9000000001", doc_types).await
    }

    /// The whole journey of the persona `login_id` signing in and allowing every document
    /// asked for; returns the session id and the final redirect to the business.
    pub async fn signin_allowing(&self, login_id: &str, doc_types: &[&str]) -> (String, Url) {
        self.journey("signin", doc_types, &Person::allowing(login_id))
            .await
    }

    /// The whole journey of the persona `login_id` signing in and denying consent; returns the
    /// session id and the final redirect to the business.
    pub async fn signin_denying(&self, login_id: &str, doc_types: &[&str]) -> (String, Url) {
        self.journey("signin", doc_types, &Person::denying(login_id))
            .await
    }

    /// Inits a sign-in session for `doc_types` and goes through DigiLocker as the first persona
    /// allowing it all; returns the session id, the browser and the callback (not yet followed).
    pub async fn consented_callback(&self, doc_types: &[&str]) -> (String, Browser, Url) {
        let (id, link) = self.init("signin", doc_types, json!({})).await;
        let (browser, callback) = self
            .to_callback(&link, &Person::allowing("9000000001"))
            .await;
        (id, browser, callback)
    }

    /// Follows the callback as the person's browser does: through the waiting page, which
    /// reloads itself while the fetch job runs, to the page that forwards to the business.
    /// Returns the business's address.
    pub async fn finish_callback(&self, browser: &Browser, callback: &Url) -> Url {
        let res = browser.get(callback.clone()).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "the callback answers a page (waiting, or forwarding to the business)"
        );
        browser
            .follow_to_business(callback, res)
            .await
            .expect("the gateway forwards the person to the business")
    }

    /// How many times DigiLocker was asked to revoke a token, once the journey's revoke has had
    /// its chance (within 5 s): the person is forwarded as soon as the outcome is stored, and
    /// the token is revoked right after.
    pub async fn revocations(&self) -> u64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let revoked = self.sim.call_counts().revocations;
            if revoked > 0 || std::time::Instant::now() >= deadline {
                return revoked;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// How many sessions were created (their audit lines).
    pub async fn sessions_created(&self) -> usize {
        self.audit_count(None, "session.created").await
    }

    /// How many audit lines (of `session_id` only, if given) record `action`.
    pub async fn audit_count(&self, session_id: Option<&str>, action: &str) -> usize {
        digigate_store::testing::audit_count(self.store.as_ref(), session_id, action).await
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

/// A return address with its signature (`ts` and `sig`, which the key's redirect secret makes
/// and `tests/api/signed_redirect.rs` checks) taken off, for comparing the Sandbox pair; panics
/// when it carries no signature, so a test using it also shows the address was signed.
#[allow(dead_code)] // not every test binary compares return addresses
pub fn without_signature(address: &str) -> String {
    let mut url = url::Url::parse(address).expect("a return address");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        pairs.iter().any(|(k, _)| k == "ts") && pairs.iter().any(|(k, _)| k == "sig"),
        "{address} is signed"
    );
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "ts" && k != "sig"));
    url.into()
}
