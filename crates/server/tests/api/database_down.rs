//! The database going away under a running gateway: a private PostgreSQL cluster (its own
//! directory and port, never the machine's shared server) is stopped and started again while
//! the gateway keeps running. While it is down, API calls answer 503 with `Retry-After` within
//! seconds and `/readyz` says the database is unreachable; once it is back, the same gateway
//! answers again.

use digigate_client::simulator::{Browser, Person};
use digigate_server::testing::TestStack;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use url::Url;

/// The longest an answer may take while the database is away (the pool waits 2 s).
const PROMPT: Duration = Duration::from_secs(5);

/// A PostgreSQL cluster of this test's own, run as the `postgres` user when the test runs as
/// root (PostgreSQL refuses to run as root). Stopped and removed when dropped.
struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    fn start() -> PrivatePostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries are installed under /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .find(|p| p.join("pg_ctl").exists())
            .expect("a PostgreSQL version with pg_ctl");
        let dir = PathBuf::from(
            String::from_utf8(as_postgres("mktemp", &["-d", "/tmp/digigate-pg-XXXXXX"]))
                .unwrap()
                .trim(),
        );
        let data = dir.join("data");
        let initdb = bin.join("initdb");
        as_postgres(
            initdb.to_str().unwrap(),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let pg = PrivatePostgres { bin, dir, port };
        pg.pg_ctl_start();
        pg
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl(&self, args: &[&str]) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.join("data");
        let mut all = vec!["-D", data.to_str().unwrap()];
        all.extend_from_slice(args);
        as_postgres(pg_ctl.to_str().unwrap(), &all);
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.pg_ctl(&["-o", &options, "-l", log.to_str().unwrap(), "-w", "start"]);
    }

    fn stop(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"]);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // Whatever the test's outcome: the cluster stops (it may be stopped already) and goes.
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.join("data");
        let args = ["-D", data.to_str().unwrap(), "-m", "immediate", "stop"];
        let _ = postgres_command(pg_ctl.to_str().unwrap(), &args).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `program` with `args`, to be run as the `postgres` user when this process is root
/// (PostgreSQL refuses root), else directly.
fn postgres_command(program: &str, args: &[&str]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    };
    command.args(args);
    command
}

/// Runs `program` as [`postgres_command`] says; panics with its error output when it fails,
/// and returns its standard output.
fn as_postgres(program: &str, args: &[&str]) -> Vec<u8> {
    let output = postgres_command(program, args)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not run: {e}"));
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The gateway's API with one key's access token.
struct Api {
    base: String,
    http: Client,
    key: String,
    token: String,
}

impl Api {
    async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("x-api-key", &self.key)
            .header("authorization", &self.token)
            .send()
            .await
            .unwrap()
    }

    async fn init(&self) -> Response {
        let body = json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin",
            "redirect_url": "https://business.example/kyc/done",
            "doc_types": ["pan"],
        });
        self.http
            .post(format!("{}/kyc/digilocker/sessions/init", self.base))
            .header("x-api-key", &self.key)
            .header("authorization", &self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

/// A 503 in Sandbox's envelope with `Retry-After`, answered within [`PROMPT`].
async fn assert_unavailable(call: impl std::future::Future<Output = Response>, what: &str) {
    let started = Instant::now();
    let res = call.await;
    let took = started.elapsed();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
    assert!(took < PROMPT, "{what} took {took:?}");
    let retry_after = res.headers()["retry-after"].to_str().unwrap().to_owned();
    assert!(retry_after.parse::<u64>().unwrap() >= 1, "{what}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], 503, "{what}: {body}");
    assert_eq!(body["message"], "Service unavailable", "{what}: {body}");
    assert!(body["transaction_id"].is_string());
}

async fn readyz(api: &Api) -> (StatusCode, Value) {
    let res = api
        .http
        .get(format!("{}/readyz", api.base))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

/// A gateway (with its simulator) on `pg`'s database, and its API with a fresh key's token.
async fn gateway_on(pg: &PrivatePostgres) -> (TestStack, Api) {
    let store = digigate_store::connect(&pg.url()).await.unwrap();
    store.migrate().await.unwrap();
    let stack = TestStack::on_own_port(store, |_| {}).await;
    let (key, secret) = stack.create_api_key(Vec::new()).await;
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let base = stack.base.as_str().trim_end_matches('/').to_owned();
    let auth: Value = http
        .post(format!("{base}/authenticate"))
        .header("x-api-key", &key)
        .header("x-api-secret", &secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["access_token"].as_str().unwrap().to_owned();
    let api = Api {
        base,
        http,
        key,
        token,
    };
    (stack, api)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_stopped_the_api_answers_503_promptly_and_recovers_when_it_returns() {
    let pg = PrivatePostgres::start();
    let (stack, api) = gateway_on(&pg).await;
    let res = api.init().await;
    assert_eq!(res.status(), StatusCode::OK);
    let id = res.json::<Value>().await.unwrap()["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let status_path = format!("/kyc/digilocker/sessions/{id}/status");
    assert_eq!(api.get(&status_path).await.status(), StatusCode::OK);
    assert_eq!(readyz(&api).await.1["database"], "ok");

    pg.stop();
    // Past the 1 s for which an API key is remembered, so the key is looked up too.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_unavailable(api.get(&status_path), "status").await;
    assert_unavailable(api.init(), "init").await;
    let started = Instant::now();
    let (code, ready) = readyz(&api).await;
    assert!(started.elapsed() < PROMPT);
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready["database"], "unreachable", "{ready}");
    assert_eq!(ready["status"], "not_ready");
    let health = api
        .http
        .get(format!("{}/healthz", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "liveness needs no database"
    );

    pg.pg_ctl_start();
    let (code, ready) = readyz(&api).await;
    assert_eq!((code, &ready["database"]), (StatusCode::OK, &json!("ok")));
    let res = api.get(&status_path).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the same gateway answers again"
    );
    assert_eq!(
        res.json::<Value>().await.unwrap()["data"]["status"],
        "created"
    );
    assert_eq!(api.init().await.status(), StatusCode::OK);
    drop(stack);
    drop(pg);
}

/// Inits a session; its `authorization_url`.
async fn link(api: &Api) -> Url {
    let res = api.init().await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    Url::parse(body["data"]["authorization_url"].as_str().unwrap()).unwrap()
}

/// The page a browser gets while the database is away: 503 with `Retry-After`, within
/// [`PROMPT`], asking to try again in a moment (not "Something went wrong").
async fn assert_try_again_page(browser: &Browser, url: Url, what: &str) {
    let started = Instant::now();
    let res = browser.get(url).await.unwrap();
    assert!(
        started.elapsed() < PROMPT,
        "{what} took {:?}",
        started.elapsed()
    );
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "{what}");
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Please try again in a moment"),
        "{what}: {page}"
    );
    assert!(!page.contains("Something went wrong"), "{what}: {page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_stopped_the_browser_pages_ask_to_try_again_and_work_once_it_returns() {
    let pg = PrivatePostgres::start();
    let (mut stack, api) = gateway_on(&pg).await;
    // No fetch runs, so the third person stays on the waiting page (a fetch ending within the
    // callback's short wait would forward them to the business at once).
    stack.stop_job_runner().await;
    let person = Person::allowing("9000000001");
    // One person about to open a link, one back from DigiLocker with the callback not yet
    // followed, one on the waiting page.
    let unopened = link(&api).await;
    let returning = Browser::new();
    let page = returning.open_link(&link(&api).await).await.unwrap();
    let callback = returning.consent(page, &person).await.unwrap();
    let waiting = Browser::new();
    let page = waiting.open_link(&link(&api).await).await.unwrap();
    let waiting_callback = waiting.consent(page, &person).await.unwrap();
    let res = waiting.get(waiting_callback).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let refresh = res.headers()["refresh"].to_str().unwrap().to_owned();
    let wait_page = Url::parse(refresh.split_once("url=").unwrap().1).unwrap();

    pg.stop();
    assert_try_again_page(&Browser::new(), unopened.clone(), "connect").await;
    assert_try_again_page(&returning, callback.clone(), "callback").await;
    assert_try_again_page(&waiting, wait_page.clone(), "waiting page").await;

    pg.pg_ctl_start();
    let opened = Browser::new().open_link(&unopened).await;
    assert!(opened.is_ok(), "the link still opens: {opened:?}");
    let res = returning.get(callback).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the callback's state was not consumed by the refused attempt"
    );
    let res = waiting.get(wait_page).await.unwrap();
    assert!(
        res.status() == StatusCode::OK || res.status().is_redirection(),
        "the waiting page answers again: {}",
        res.status()
    );
    drop(stack);
    drop(pg);
}
