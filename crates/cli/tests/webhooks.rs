//! `digigate keys` and `digigate webhooks` on a SQLite data directory: what `--json` prints is
//! exactly one JSON object, secrets come out once and sealed in the database, refused targets
//! store nothing. The built binary runs with a clean environment.

#[allow(dead_code)] // this binary uses only the port helper
#[path = "support/process.rs"]
mod process;
#[path = "support/receiver.rs"]
mod receiver;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use serde_json::Value;
use std::process::{Command, Output};
use temp_dir::TempDir;

/// The built binary on the data directory `dir`, with a master key and nothing else in its
/// environment.
fn command(dir: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_digigate"));
    command.env_clear().env("DIGIGATE_DATA_DIR", &dir.0).env(
        "DIGIGATE_MASTER_KEY",
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
    );
    command
}

fn digigate(dir: &TempDir, args: &[&str]) -> Output {
    command(dir).args(args).output().unwrap()
}

/// Sends `request` and reads its answer as JSON, whatever its status.
async fn answer(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Runs a command that must succeed and print exactly one JSON object on stdout.
fn json(dir: &TempDir, args: &[&str]) -> Value {
    let out = digigate(dir, args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    serde_json::from_str(&stdout).unwrap()
}

fn is_whsec(v: &Value) -> bool {
    v.as_str().and_then(|s| s.strip_prefix("whsec_")).map(|b| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(b)
            .map(|k| k.len())
    }) == Some(Ok(32))
}

#[test]
fn keys_and_webhook_endpoints_are_managed_with_one_json_object_per_command() {
    let dir = TempDir::new("cli-webhooks");
    let key = json(&dir, &["keys", "create", "--json"]);
    assert!(is_whsec(&key["redirect_secret"]), "{key}");
    let id = key["api_key"].as_str().unwrap();
    let rotated = json(&dir, &["keys", "rotate-redirect-secret", id, "--json"]);
    assert!(is_whsec(&rotated["redirect_secret"]));
    assert_ne!(rotated["redirect_secret"], key["redirect_secret"]);

    let added = json(
        &dir,
        &[
            "webhooks",
            "add",
            "--api-key",
            id,
            "--url",
            "https://8.8.8.8/hooks",
            "--json",
        ],
    );
    let fields: Vec<&String> = added.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["endpoint_id", "secret"]);
    assert!(is_whsec(&added["secret"]));
    let endpoint = added["endpoint_id"].as_str().unwrap();
    assert!(endpoint.starts_with("we_"));

    for (url, said) in [
        ("https://10.1.2.3/hooks", "private address"),
        ("https://127.0.0.1/hooks", "loopback address"),
        ("http://8.8.8.8/hooks", "must use https"),
    ] {
        let out = digigate(
            &dir,
            &["webhooks", "add", "--api-key", id, "--url", url, "--json"],
        );
        assert!(!out.status.success(), "{url}");
        assert!(out.stdout.is_empty(), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(said) && err.contains("nothing was added"),
            "{url}: {err}"
        );
    }
    let out = digigate(&dir, &["webhooks", "list", "--api-key", id]);
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        listed.lines().count(),
        1,
        "only the accepted endpoint: {listed}"
    );
    assert!(!listed.contains("whsec_"), "never a secret: {listed}");

    let rotated = json(&dir, &["webhooks", "rotate-secret", endpoint, "--json"]);
    assert!(is_whsec(&rotated["secret"]));
    assert!(rotated["previous_secret_valid_until"].as_i64().is_some());
    let out = digigate(&dir, &["webhooks", "remove", endpoint]);
    assert!(out.status.success());
    let out = digigate(&dir, &["webhooks", "remove", endpoint]);
    assert!(!out.status.success(), "removed once");

    // The secrets are in the database only sealed.
    let db = std::fs::read(dir.0.join("digigate.db")).unwrap_or_default();
    let wal = std::fs::read(dir.0.join("digigate.db-wal")).unwrap_or_default();
    for secret in [
        &key["redirect_secret"],
        &added["secret"],
        &rotated["secret"],
    ] {
        let b64 = secret.as_str().unwrap().trim_start_matches("whsec_");
        let raw = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        };
        for file in [&db, &wal] {
            assert!(!file.windows(raw.len()).any(|w| w == raw.as_slice()));
            assert!(!file.windows(b64.len()).any(|w| w == b64.as_bytes()));
        }
    }
}

#[test]
fn without_a_master_key_a_key_is_made_without_a_redirect_secret_and_says_so() {
    let dir = TempDir::new("cli-webhooks");
    let out = Command::new(env!("CARGO_BIN_EXE_digigate"))
        .env_clear()
        .env("DIGIGATE_DATA_DIR", &dir.0)
        .args(["keys", "create", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(key["redirect_secret"], Value::Null);
    assert!(String::from_utf8_lossy(&out.stderr).contains("rotate-redirect-secret"));
    let out = Command::new(env!("CARGO_BIN_EXE_digigate"))
        .env_clear()
        .env("DIGIGATE_DATA_DIR", &dir.0)
        .args([
            "webhooks",
            "add",
            "--api-key",
            key["api_key"].as_str().unwrap(),
        ])
        .args(["--url", "https://8.8.8.8/hooks"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no master key"));
}

/// A process killed when the test ends, however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digigate_serve_delivers_to_an_endpoint_on_the_laptop_in_development_mode() {
    let dir = TempDir::new("cli-webhooks-serve");
    let key = json(&dir, &["keys", "create", "--json"]);
    let (id, secret) = (
        key["api_key"].as_str().unwrap(),
        key["api_secret"].as_str().unwrap(),
    );
    let (hook_port, mut deliveries) = receiver::receiver().await;
    let hook = format!("http://127.0.0.1:{hook_port}/hook");
    let args = [
        "webhooks",
        "add",
        "--api-key",
        id,
        "--url",
        &hook,
        "--development",
        "--json",
    ];
    json(&dir, &args);

    let port = process::free_port();
    let _serve = Killed(
        command(&dir)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..600 {
        if http.get(format!("{base}/health")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "digigate serve answers");
    let auth = answer(
        http.post(format!("{base}/authenticate"))
            .header("x-api-key", id)
            .header("x-api-secret", secret),
    )
    .await;
    let token = auth["data"]["access_token"].as_str().unwrap();
    let init = answer(
        http.post(format!("{base}/kyc/digilocker/sessions/init"))
            .header("x-api-key", id)
            .header("authorization", token)
            .json(&serde_json::json!({
                "@entity": "in.co.sandbox.kyc.digilocker.session.request",
                "flow": "signin", "redirect_url": "https://shop.example/done", "doc_types": ["pan"],
            })),
    )
    .await;
    let session = init["data"]["session_id"].as_str().unwrap();
    let link = init["data"]["authorization_url"].as_str().unwrap();
    let opened = http.get(link).send().await.unwrap();
    assert_eq!(opened.status(), reqwest::StatusCode::SEE_OTHER);

    let (head, body) = tokio::time::timeout(std::time::Duration::from_secs(30), deliveries.recv())
        .await
        .expect("a webhook arrived")
        .unwrap();
    assert!(head.contains("webhook-id: evt_"), "{head}");
    assert!(head.contains("webhook-signature: v1,"), "{head}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["type"], "session.initialized");
    assert_eq!(body["data"]["session_id"], session);
    let out = digigate(&dir, &["webhooks", "list", "--api-key", id]);
    let endpoint: Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    // The receiver sees the request a moment before the attempt is logged.
    let endpoint = endpoint["endpoint_id"].as_str().unwrap();
    let mut line = String::new();
    for _ in 0..50 {
        let log = digigate(&dir, &["webhooks", "deliveries", endpoint]);
        line = String::from_utf8(log.stdout).unwrap();
        if !line.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(line.contains("\"http_status\":200"), "{line}");
}
