//! [`Cluster`]: the simulator and the gateway instances of one test, and what they share.

use crate::process::{digigate, free_port, Process};
use crate::served;
use crate::temp_dir::TempDir;
use digigate_client::simulator::{Browser, Person};
use digigate_store::testing::TestDatabase;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use url::Url;

const CLIENT_SECRET: &str = "partner-secret-shared-by-every-instance";
const REDIRECT_URL: &str = "https://shop.example/kyc/done";
const PERSONA: &str = "9000000001";
/// The documents every session asks for.
pub const DOC_TYPES: [&str; 3] = ["aadhaar", "pan", "driving_license"];

/// The simulator, two gateway instances A and B, and what they share: one PostgreSQL database,
/// key files and an API key.
pub struct Cluster {
    // Declared first so the processes end before their files and database go away.
    pub instances: Vec<(u16, Process)>,
    simulator: Process,
    simulator_port: u16,
    public_url: Url,
    files: TempDir,
    key_files: [(&'static str, PathBuf); 3],
    pub api_key: String,
    pub api_secret: String,
    db: TestDatabase,
}

impl Cluster {
    /// Migrates a fresh database once (as an operator would before rolling out), creates an API
    /// key, and starts the simulator and instances A and B with `serve_args` added.
    pub async fn start(serve_args: &[&str]) -> Cluster {
        let mut cluster = Cluster::prepare().await;
        cluster.run(&["migrate"]);
        cluster.create_api_key();
        let ports = [cluster.public_port(), free_port()];
        cluster.start_instances(&ports, serve_args, "info");
        cluster
    }

    /// A fresh database, the shared key files and the running simulator; no instance yet (the
    /// first one started must listen on [`Cluster::public_port`]).
    pub async fn prepare() -> Cluster {
        let db = TestDatabase::postgres().await;
        let files = TempDir::new("instances");
        let key_files = files.key_files(CLIENT_SECRET);
        let (public_port, simulator_port) = (free_port(), free_port());
        let public_url = Url::parse(&format!("http://127.0.0.1:{public_port}")).unwrap();
        let mut cluster = Cluster {
            instances: Vec::new(),
            simulator: Process::spawn(
                "the simulator",
                simulator(&files, simulator_port, &public_url),
            ),
            simulator_port,
            public_url,
            files,
            key_files,
            api_key: String::new(),
            api_secret: String::new(),
            db,
        };
        cluster.simulator.wait_for_port(simulator_port);
        cluster
    }

    /// The port of the public URL (instance A's, standing for the load balancer's).
    pub fn public_port(&self) -> u16 {
        self.public_url.port().unwrap()
    }

    /// Creates the API key the tests call with, as `digigate keys create --json`.
    pub fn create_api_key(&mut self) {
        let printed = self.run(&["keys", "create", "--name", "shop", "--json"]);
        (self.api_key, self.api_secret) = served::created_key(&printed);
    }

    /// Starts one `digigate serve` per port, all at once, and waits until each is healthy.
    pub fn start_instances(&mut self, ports: &[u16], serve_args: &[&str], log: &str) {
        for &port in ports {
            let name = format!("instance on port {port}");
            let process = Process::spawn(name, self.serve(port, serve_args, log));
            self.instances.push((port, process));
        }
        for (port, process) in &mut self.instances {
            process.wait_for_health(*port);
        }
    }

    /// Ends every running instance (the simulator and the database stay).
    pub fn stop_instances(&mut self) {
        self.instances.clear();
    }

    pub fn port(&self, instance: usize) -> u16 {
        self.instances[instance].0
    }

    /// The base URL of one instance, as the load balancer reaches it.
    pub fn base(&self, instance: usize) -> Url {
        Url::parse(&format!("http://127.0.0.1:{}", self.port(instance))).unwrap()
    }

    fn serve(&self, port: u16, extra: &[&str], log: &str) -> Command {
        // Nothing is shared through the data directory: each instance has its own.
        let data_dir = self.files.0.join(format!("instance-{port}"));
        let (db, files) = (&self.db.url, &self.files.0);
        let mut cmd = served::serve(
            port,
            self.simulator_port,
            db,
            files,
            &data_dir,
            &self.key_files,
        );
        cmd.env("DIGIGATE_LOG", log)
            .args(["--public-url", self.public_url.as_str()])
            .args(extra);
        cmd
    }

    /// Runs a one-shot `digigate` command against the shared database; answers its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = digigate()
            .args(args)
            .args(["--database-url", &self.db.url, "--data-dir"])
            .arg(self.files.0.join("cli"))
            .output()
            .expect("the digigate binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "digigate {args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// The shared database, opened from the test (to look at what the instances stored).
    pub async fn store(&self) -> std::sync::Arc<dyn digigate_store::Store> {
        digigate_store::connect(&self.db.url).await.unwrap()
    }

    /// The actions `digigate audit --session` prints for the session, in order.
    pub fn audit_actions(&self, session_id: &str) -> Vec<String> {
        self.run(&["audit", "--session", session_id])
            .lines()
            .map(|line| line.split('\t').nth(1).unwrap_or_default().to_owned())
            .collect()
    }

    /// An access token for the API key, issued by one instance.
    pub async fn authenticate(&self, instance: usize) -> String {
        let res = reqwest::Client::new()
            .post(self.base(instance).join("/authenticate").unwrap())
            .header("x-api-key", &self.api_key)
            .header("x-api-secret", &self.api_secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    /// `GET` of an API path on one instance with a token; answers the status and the envelope's
    /// `data`.
    pub async fn get(&self, instance: usize, token: &str, path: &str) -> (u16, Value) {
        let url = self.base(instance).join(path).unwrap();
        self.send(reqwest::Client::new().get(url), token).await
    }

    /// `DELETE` of an API path on one instance with a token; answers as [`Cluster::get`] does.
    pub async fn delete(&self, instance: usize, token: &str, path: &str) -> (u16, Value) {
        let url = self.base(instance).join(path).unwrap();
        self.send(reqwest::Client::new().delete(url), token).await
    }

    /// Inits a session for all three documents on one instance, with an `Idempotency-Key` if
    /// given.
    pub async fn init(
        &self,
        instance: usize,
        token: &str,
        idempotency_key: Option<&str>,
    ) -> (u16, Value) {
        let url = self
            .base(instance)
            .join("/kyc/digilocker/sessions/init")
            .unwrap();
        let mut req = reqwest::Client::new().post(url).json(&json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin",
            "redirect_url": REDIRECT_URL,
            "doc_types": DOC_TYPES,
        }));
        if let Some(key) = idempotency_key {
            req = req.header("idempotency-key", key);
        }
        self.send(req, token).await
    }

    async fn send(&self, req: reqwest::RequestBuilder, token: &str) -> (u16, Value) {
        served::call(req, &self.api_key, token).await
    }

    /// Inits a session on A, opens its link and consents through the simulator, and delivers
    /// DigiLocker's callback to B. Answers the session id.
    pub async fn journey_across_instances(&self, token: &str) -> String {
        let (status, created) = self.init(0, token, None).await;
        assert_eq!(status, 200, "{created}");
        let session_id = created["session_id"].as_str().unwrap().to_owned();
        let link = Url::parse(created["authorization_url"].as_str().unwrap()).unwrap();
        assert_eq!(
            link.port(),
            Some(self.port(0)),
            "the link is on the public URL"
        );

        let browser = Browser::new();
        let page = browser.open_link(&link).await.unwrap();
        assert_eq!(page.url.port(), Some(self.simulator_port));
        let mut callback = browser
            .consent(page, &Person::allowing(PERSONA))
            .await
            .unwrap();
        assert_eq!(callback.path(), "/callbacks/digilocker");
        assert_eq!(
            callback.port(),
            Some(self.port(0)),
            "DigiLocker returns to the public URL"
        );
        // The load balancer routes the callback to the other instance.
        callback.set_port(Some(self.port(1))).unwrap();
        let back = browser.finish(&callback).await.unwrap();
        assert!(back.as_str().starts_with(REDIRECT_URL), "{back}");
        let query: Vec<(String, String)> = back.query_pairs().into_owned().collect();
        assert!(
            query.contains(&("session_id".into(), session_id.clone())),
            "{back}"
        );
        assert!(
            query.contains(&("status".into(), "succeeded".into())),
            "{back}"
        );
        session_id
    }
}

/// `digigate simulator` on `port`, its DigiLocker client registered with the public callback.
fn simulator(files: &TempDir, port: u16, public_url: &Url) -> Command {
    let callback = public_url.join("/callbacks/digilocker").unwrap();
    let mut cmd = served::simulator(&files.0, port, CLIENT_SECRET, callback.as_str());
    cmd.env("DIGIGATE_LOG", "info");
    cmd
}
