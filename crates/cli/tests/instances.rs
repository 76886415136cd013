//! Several `digigate serve` processes on one PostgreSQL database act as one gateway behind a load
//! balancer. Each test runs the built binary as separate processes: the DigiLocker simulator
//! (`digigate simulator`), two gateway instances on ports of their own that share the database,
//! the key material (`*_FILE`), the DigiLocker credentials and one `--public-url` (instance A's,
//! standing for the load balancer's), and one-shot commands (`migrate`, `keys`, `audit`) against
//! the same database. Where a load balancer would route a request to another instance, the test
//! sends it to instance B by rewriting the port; cookies are per host, not per port, so the
//! browser carries them across as it would behind one public name.

use digigate_client::simulator::{Browser, Person};
use digigate_store::testing::TestDatabase;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

const CLIENT_ID: &str = "digigate-simulator";
const CLIENT_SECRET: &str = "partner-secret-shared-by-every-instance";
const REDIRECT_URL: &str = "https://shop.example/kyc/done";
const PERSONA: &str = "9000000001";
const DOC_TYPES: [&str; 3] = ["aadhaar", "pan", "driving_license"];
/// How long a process may take to become ready (the machine is shared and may be busy).
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A directory that exists for one test.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("digigate-instances-{}", rand::random::<u64>()));
        std::fs::create_dir(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port nothing listens on right now, for a process to bind.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn digigate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_digigate"));
    // Plain logs, so a test can read them.
    cmd.env_clear().env("NO_COLOR", "1");
    cmd
}

/// A running digigate process whose log (stderr) is collected; killed on drop.
struct Process {
    name: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Process {
    fn spawn(name: impl Into<String>, mut cmd: Command) -> Process {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the digigate binary starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Process {
            name: name.into(),
            child,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Polls `ready` until it holds; panics with the log if the process exits first or it takes
    /// longer than [`READY_WITHIN`].
    fn wait_until(&mut self, what: &str, mut ready: impl FnMut(&Process) -> bool) {
        let deadline = Instant::now() + READY_WITHIN;
        while !ready(self) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "{} exited ({status}) before {what}:\n{}",
                    self.name,
                    self.log()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "{} did not get to {what} in time:\n{}",
                    self.name,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the port accepts connections (the simulator binds it once its keys are ready).
    fn wait_for_port(&mut self, port: u16) {
        self.wait_until("accepting connections", |_| {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }

    /// Waits until `GET /health` answers 200 `ok`.
    fn wait_for_health(&mut self, port: u16) {
        self.wait_until("answering /health", |_| healthy(port));
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /health` over a plain socket (the readiness probe a load balancer would send).
fn healthy(port: u16) -> bool {
    let Ok(mut socket) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = socket.set_read_timeout(Some(Duration::from_secs(5)));
    let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if socket.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok")
}

/// The simulator, two gateway instances A and B, and what they share: one PostgreSQL database,
/// key files and an API key.
struct Cluster {
    // Declared first so the processes end before their files and database go away.
    instances: Vec<(u16, Process)>,
    simulator: Process,
    simulator_port: u16,
    public_url: Url,
    files: TempDir,
    key_files: [(&'static str, PathBuf); 3],
    api_key: String,
    api_secret: String,
    db: TestDatabase,
}

impl Cluster {
    /// Migrates a fresh database once (as an operator would before rolling out), creates an API
    /// key, and starts the simulator and instances A and B with `serve_args` added.
    async fn start(serve_args: &[&str]) -> Cluster {
        let mut cluster = Cluster::prepare().await;
        cluster.run(&["migrate"]);
        cluster.create_api_key();
        let ports = [cluster.public_port(), free_port()];
        cluster.start_instances(&ports, serve_args, "info");
        cluster
    }

    /// A fresh database, the shared key files and the running simulator; no instance yet (the
    /// first one started must listen on [`Cluster::public_port`]).
    async fn prepare() -> Cluster {
        let db = TestDatabase::postgres().await;
        let files = TempDir::new();
        let b64 = |byte: u8| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode([byte; 32])
        };
        let key_files = [
            (
                "DIGIGATE_MASTER_KEY_FILE",
                files.file("master.key.shared", &format!("{}\n", b64(7))),
            ),
            (
                "DIGIGATE_JWT_SECRET_FILE",
                files.file("jwt.key.shared", &format!("{}\n", b64(9))),
            ),
            (
                "DIGIGATE_DIGILOCKER_CLIENT_SECRET_FILE",
                files.file("client-secret", &format!("{CLIENT_SECRET}\n")),
            ),
        ];
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
    fn public_port(&self) -> u16 {
        self.public_url.port().unwrap()
    }

    /// Creates the API key the tests call with, as `digigate keys create --json`.
    fn create_api_key(&mut self) {
        let created: Value =
            serde_json::from_str(&self.run(&["keys", "create", "--name", "shop", "--json"]))
                .unwrap();
        self.api_key = created["api_key"].as_str().unwrap().to_owned();
        self.api_secret = created["api_secret"].as_str().unwrap().to_owned();
    }

    /// Starts one `digigate serve` per port, all at once, and waits until each is healthy.
    fn start_instances(&mut self, ports: &[u16], serve_args: &[&str], log: &str) {
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
    fn stop_instances(&mut self) {
        self.instances.clear();
    }

    fn port(&self, instance: usize) -> u16 {
        self.instances[instance].0
    }

    /// The base URL of one instance, as the load balancer reaches it.
    fn base(&self, instance: usize) -> Url {
        Url::parse(&format!("http://127.0.0.1:{}", self.port(instance))).unwrap()
    }

    fn serve(&self, port: u16, extra: &[&str], log: &str) -> Command {
        let mut cmd = digigate();
        cmd.env("DIGIGATE_LOG", log)
            .env("DIGIGATE_DIGILOCKER_CLIENT_ID", CLIENT_ID)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--public-url", self.public_url.as_str()])
            .args(["--upstream", "digilocker", "--digilocker-url"])
            .arg(format!("http://127.0.0.1:{}/public", self.simulator_port))
            .args(["--database-url", &self.db.url])
            // Documents are verified against the simulator's root, as against DigiLocker's.
            .arg("--trust-pem")
            .arg(self.files.0.join("simulator-pki").join("root-ca.pem"))
            // Nothing is shared through the data directory: each instance has its own.
            .arg("--data-dir")
            .arg(self.files.0.join(format!("instance-{port}")))
            .args(extra);
        for (var, file) in &self.key_files {
            cmd.env(var, file);
        }
        cmd
    }

    /// Runs a one-shot `digigate` command against the shared database; answers its stdout.
    fn run(&self, args: &[&str]) -> String {
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

    /// The actions `digigate audit --session` prints for the session, in order.
    fn audit_actions(&self, session_id: &str) -> Vec<String> {
        self.run(&["audit", "--session", session_id])
            .lines()
            .map(|line| line.split('\t').nth(1).unwrap_or_default().to_owned())
            .collect()
    }

    /// An access token for the API key, issued by one instance.
    async fn authenticate(&self, instance: usize) -> String {
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
    async fn get(&self, instance: usize, token: &str, path: &str) -> (u16, Value) {
        let url = self.base(instance).join(path).unwrap();
        self.send(reqwest::Client::new().get(url), token).await
    }

    /// Inits a session for all three documents on one instance, with an `Idempotency-Key` if
    /// given.
    async fn init(
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
        let res = req
            .header("x-api-key", &self.api_key)
            .header("authorization", token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        (status, body["data"].clone())
    }

    /// Inits a session on A, opens its link and consents through the simulator, and delivers
    /// DigiLocker's callback to B. Answers the session id.
    async fn journey_across_instances(&self, token: &str) -> String {
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
    let mut cmd = digigate();
    cmd.env("DIGIGATE_LOG", "info")
        .env("DIGIGATE_SIMULATOR_CLIENT_SECRET", CLIENT_SECRET)
        .args(["simulator", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--client-id", CLIENT_ID, "--redirect-uri"])
        .arg(public_url.join("/callbacks/digilocker").unwrap().as_str())
        .arg("--pki-dir")
        .arg(files.0.join("simulator-pki"));
    cmd
}

/// A document answer without its download link, which is signed with a fresh expiry per call.
fn without_links(mut data: Value) -> Value {
    data.as_object_mut().unwrap().remove("files");
    data
}

#[tokio::test]
async fn a_session_started_on_one_instance_finishes_on_another_and_reads_the_same_on_both() {
    let cluster = Cluster::start(&[]).await;
    // A token issued by A is accepted by B: they share the JWT secret and the key table.
    let token = cluster.authenticate(0).await;
    let session_id = cluster.journey_across_instances(&token).await;

    let sessions = format!("/kyc/digilocker/sessions/{session_id}");
    let (status_a, on_a) = cluster.get(0, &token, &format!("{sessions}/status")).await;
    let (status_b, on_b) = cluster.get(1, &token, &format!("{sessions}/status")).await;
    assert_eq!((status_a, status_b), (200, 200), "{on_a} {on_b}");
    assert_eq!(on_a["status"], "succeeded", "{on_a}");
    assert_eq!(on_a, on_b);

    let profile = format!("{sessions}/user/profile");
    let (_, profile_a) = cluster.get(0, &token, &profile).await;
    let (_, profile_b) = cluster.get(1, &token, &profile).await;
    assert!(profile_a.is_object(), "{profile_a}");
    assert_eq!(profile_a, profile_b);

    let http = reqwest::Client::new();
    for doc_type in DOC_TYPES {
        let path = format!("{sessions}/documents/{doc_type}");
        let (status_a, on_a) = cluster.get(0, &token, &path).await;
        let (status_b, on_b) = cluster.get(1, &token, &path).await;
        assert_eq!(
            (status_a, status_b),
            (200, 200),
            "{doc_type}: {on_a} {on_b}"
        );
        assert_eq!(on_a["verified"], true, "{doc_type}: {on_a}");
        // A download link signed by A works on B (its key derives from the shared master key).
        let mut link = Url::parse(on_a["files"][0]["url"].as_str().unwrap()).unwrap();
        let from_a = http.get(link.clone()).send().await.unwrap();
        assert_eq!(from_a.status(), 200, "{doc_type}");
        let from_a = from_a.bytes().await.unwrap();
        link.set_port(Some(cluster.port(1))).unwrap();
        let from_b = http.get(link).send().await.unwrap();
        assert_eq!(from_b.status(), 200, "{doc_type}");
        assert_eq!(from_b.bytes().await.unwrap(), from_a, "{doc_type}");
        assert_eq!(without_links(on_a), without_links(on_b), "{doc_type}");
    }

    let actions = cluster.audit_actions(&session_id);
    for (action, times) in [
        ("session.created", 1),
        ("link.opened", 1),
        ("callback.completed", 1),
        ("document.read", 6),
    ] {
        let seen = actions.iter().filter(|a| *a == action).count();
        assert_eq!(seen, times, "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn a_key_disabled_by_the_command_stops_working_on_every_instance() {
    let cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let probe = "/kyc/digilocker/sessions/no-such-session/status";
    for instance in [0, 1] {
        let (status, body) = cluster.get(instance, &token, probe).await;
        assert_eq!(
            status, 404,
            "the key works on instance {instance} first: {body}"
        );
    }

    let said = cluster.run(&["keys", "disable", &cluster.api_key]);
    assert!(said.contains("disabled"), "{said}");

    // Today every request reads the key from the database, so the refusal is immediate. A key
    // cache bounded at about a second may come; the poll allows three, and a cache that let a
    // disabled key through for longer than that on any instance fails here.
    let deadline = Instant::now() + Duration::from_secs(3);
    for instance in [0, 1] {
        loop {
            let (status, _) = cluster.get(instance, &token, probe).await;
            if status == 401 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "instance {instance} still accepts a disabled key (answers {status})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Nor can a new token be had from either instance.
    for instance in [0, 1] {
        let res = reqwest::Client::new()
            .post(cluster.base(instance).join("/authenticate").unwrap())
            .header("x-api-key", &cluster.api_key)
            .header("x-api-secret", &cluster.api_secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "instance {instance}");
    }
}

/// Whether the log shows a retention sweep that ran to its end: the sweep stops when its query
/// for sessions due for erasure returns no rows (sqlx logs each statement with its row count).
fn finished_a_sweep(log: &str) -> bool {
    log.lines().any(|line| {
        line.contains("FROM sessions WHERE status IN") && line.contains("rows_returned=0")
    })
}

#[tokio::test]
async fn the_retention_sweep_of_every_instance_erases_a_session_once() {
    let mut cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let session_id = cluster.journey_across_instances(&token).await;

    // Both instances restarted with no retention at all: each sweeps as it starts, over the same
    // succeeded session. Statement logging shows when each one's sweep has run to its end.
    cluster.stop_instances();
    let ports = [free_port(), free_port()];
    cluster.start_instances(
        &ports,
        &["--retention-hours", "0"],
        "info,sqlx::query=debug",
    );
    for (_, process) in &mut cluster.instances {
        process.wait_until("the end of its first retention sweep", |p| {
            finished_a_sweep(&p.log())
        });
    }

    let erased = cluster
        .audit_actions(&session_id)
        .into_iter()
        .filter(|a| a == "session.erased")
        .count();
    assert_eq!(erased, 1, "one erasure in the audit log");
    let sweepers = cluster
        .instances
        .iter()
        .filter(|(_, p)| p.log().contains("retention sweep erased session data"))
        .count();
    assert_eq!(sweepers, 1, "exactly one instance erased the session");

    let token = cluster.authenticate(1).await;
    let path = format!("/kyc/digilocker/sessions/{session_id}/documents/pan");
    let (status_a, on_a) = cluster.get(0, &token, &path).await;
    let (status_b, on_b) = cluster.get(1, &token, &path).await;
    assert_ne!(status_a, 200, "the document is gone: {on_a}");
    assert_eq!((status_a, &on_a), (status_b, &on_b));
}

#[tokio::test]
async fn rate_limits_are_counted_per_instance() {
    let cluster = Cluster::start(&["--rate-limit-per-minute", "2"]).await;
    let token = cluster.authenticate(0).await;
    let probe = "/kyc/digilocker/sessions/no-such-session/status";
    for _ in 0..2 {
        assert_eq!(cluster.get(0, &token, probe).await.0, 404);
    }
    assert_eq!(
        cluster.get(0, &token, probe).await.0,
        429,
        "A's limit is spent"
    );
    // B counts on its own: behind a balancer with N instances a key gets up to N times the limit.
    for _ in 0..2 {
        assert_eq!(cluster.get(1, &token, probe).await.0, 404);
    }
    assert_eq!(cluster.get(1, &token, probe).await.0, 429);
}

#[tokio::test]
async fn instances_started_together_on_an_empty_database_migrate_it_and_serve_one_journey() {
    let mut cluster = Cluster::prepare().await;
    // No `digigate migrate` first: every instance applies the migrations as it starts, at the
    // same moment as the others (PostgreSQL serialises them under sqlx's advisory lock).
    let ports = [cluster.public_port(), free_port(), free_port()];
    cluster.start_instances(&ports, &[], "info");
    cluster.create_api_key();
    let token = cluster.authenticate(2).await;
    let session_id = cluster.journey_across_instances(&token).await;
    let status = format!("/kyc/digilocker/sessions/{session_id}/status");
    for instance in 0..3 {
        let (code, data) = cluster.get(instance, &token, &status).await;
        assert_eq!((code, data["status"].as_str()), (200, Some("succeeded")));
    }
}

#[tokio::test]
async fn an_init_retried_on_another_instance_with_its_idempotency_key_answers_the_first_session() {
    let cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let (first_status, first) = cluster.init(0, &token, Some("order-4711")).await;
    assert_eq!(first_status, 200, "{first}");
    // The client's retry lands on the other instance.
    let (again_status, again) = cluster.init(1, &token, Some("order-4711")).await;
    assert_eq!(again_status, 200, "{again}");
    assert_eq!(again["session_id"], first["session_id"]);
    let (_, other) = cluster.init(1, &token, Some("order-4712")).await;
    assert_ne!(other["session_id"], first["session_id"]);
}
