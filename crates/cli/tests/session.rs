//! `digigate session …` against a real `digigate serve` (development mode, built-in simulator):
//! init, a consent journey played by the client's scripted browser while `watch` runs, then
//! documents, download, checks and erase; and the exit codes a script branches on.

#[allow(dead_code)] // this binary uses only part of the process helpers
#[path = "support/process.rs"]
mod process;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use digigate_client::simulator::{Browser, Person};
use process::{digigate, free_port, Process};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use temp_dir::TempDir;
use url::Url;

const REDIRECT: &str = "https://shop.example/kyc/done";

/// A gateway process with a key, and the environment its `session` commands run with.
struct Gateway {
    dir: TempDir,
    base: String,
    metrics: String,
    key: String,
    _process: Process,
}

impl Gateway {
    fn start() -> Gateway {
        let dir = TempDir::new("session-cli");
        let data = dir.0.to_str().unwrap().to_owned();
        let created = digigate()
            .args(["keys", "create", "--json", "--data-dir", &data])
            .args(["--redirect-url", REDIRECT])
            .output()
            .unwrap();
        assert!(created.status.success(), "{created:?}");
        let key: Value = serde_json::from_slice(&created.stdout).unwrap();
        // The secret reaches the commands through a file, never their command line.
        dir.file(
            "secret",
            &format!("{}\n", key["api_secret"].as_str().unwrap()),
        );
        let (port, metrics_port) = (free_port(), free_port());
        let mut serve = digigate();
        serve.args(["serve", "--data-dir", &data]);
        serve.args(["--listen", &format!("127.0.0.1:{port}")]);
        serve.args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}")]);
        let mut process = Process::spawn("gateway", serve);
        process.wait_for_health(port);
        Gateway {
            base: format!("http://127.0.0.1:{port}"),
            metrics: format!("http://127.0.0.1:{metrics_port}/metrics"),
            key: key["api_key"].as_str().unwrap().to_owned(),
            dir,
            _process: process,
        }
    }

    /// `digigate session <args>` with the key and the secret file in its environment.
    fn session(&self, args: &[&str]) -> Command {
        let mut cmd = digigate();
        cmd.arg("session")
            .args(args)
            .env("DIGIGATE_URL", &self.base)
            .env("DIGIGATE_API_KEY", &self.key)
            .env("DIGIGATE_API_SECRET_FILE", self.dir.0.join("secret"));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.session(args).output().unwrap()
    }

    /// `session init --json`; returns (session id, link).
    fn init(&self, doc_types: &[&str]) -> (String, Url) {
        let mut args = vec!["init", "--json", "--redirect-url", REDIRECT];
        for d in doc_types {
            args.extend(["--doc-type", d]);
        }
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).expect("only JSON on stdout");
        (
            v["session_id"].as_str().unwrap().to_owned(),
            Url::parse(v["authorization_url"].as_str().unwrap()).unwrap(),
        )
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Plays the person through the simulator and follows the callback.
async fn consent(link: &Url, person: &Person) {
    let browser = Browser::new();
    let page = browser.open_link(link).await.unwrap();
    let callback = browser.consent(page, person).await.unwrap();
    let res = browser.get(callback).await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

/// Waits for a spawned command in a blocking task.
async fn finish(child: std::process::Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_watched_to_success_then_read_downloaded_checked_and_erased() {
    let gw = Gateway::start();
    let (id, link) = gw.init(&["aadhaar", "pan"]);
    let mut human_watch = gw
        .session(&["watch", &id, "--interval", "0.1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut human_lines = BufReader::new(human_watch.stdout.take().unwrap()).lines();
    let mut watch = gw
        .session(&["watch", &id, "--interval", "0.1", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The person opens the link only once `watch` has printed the session as created.
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let (first, mut lines) = tokio::task::spawn_blocking(move || (lines.next(), lines))
        .await
        .unwrap();
    let (human_first, mut human_lines) =
        tokio::task::spawn_blocking(move || (human_lines.next(), human_lines))
            .await
            .unwrap();
    consent(&link, &Person::allowing("9000000001")).await;
    let rest = tokio::task::spawn_blocking(move || {
        lines.by_ref().map_while(Result::ok).collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let watched = finish(watch).await;
    assert_eq!(watched.status.code(), Some(0), "{watched:?}");
    let changes: Vec<Value> = first
        .into_iter()
        .map(Result::unwrap)
        .chain(rest)
        .map(|l| serde_json::from_str(&l).expect("one JSON object a line"))
        .collect();
    let states: Vec<&str> = changes
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(states.first(), Some(&"created"), "{states:?}");
    assert_eq!(states.last(), Some(&"succeeded"), "{states:?}");
    let mut deduped = states.clone();
    deduped.dedup();
    assert_eq!(deduped, states, "each state is printed once");
    assert!(changes
        .iter()
        .all(|c| c["at"].is_string() && c["session_id"] == id));

    let human_rest = tokio::task::spawn_blocking(move || {
        human_lines
            .by_ref()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let human = finish(human_watch).await;
    assert_eq!(human.status.code(), Some(0));
    let human: Vec<String> = human_first
        .into_iter()
        .map(Result::unwrap)
        .chain(human_rest)
        .collect();
    // Shown with --nocapture: what a person at a terminal sees.
    println!("{}", human.join("\n"));
    assert!(human[0].ends_with("Z  created"), "{human:?}");
    assert!(
        human
            .last()
            .unwrap()
            .ends_with("Z  succeeded, consented: aadhaar,pan"),
        "{human:?}"
    );
    assert!(
        human.iter().all(|l| l.starts_with("20")),
        "each line starts with its time"
    );

    let status = gw.run(&["status", &id]);
    assert_eq!(status.status.code(), Some(0));
    assert_eq!(
        stdout(&status).trim(),
        format!("session {id}: succeeded, consented: aadhaar,pan")
    );

    let documents = gw.run(&["documents", &id, "--json"]);
    assert_eq!(documents.status.code(), Some(0), "{documents:?}");
    let documents: Value = serde_json::from_slice(&documents.stdout).unwrap();
    for doc in ["aadhaar", "pan"] {
        assert!(documents[doc]["files"][0]["url"].is_string(), "{documents}");
    }

    let saved = gw.dir.0.join("pan-download.xml");
    let download = gw.run(&["download", &id, "pan", "--output", saved.to_str().unwrap()]);
    println!("{}", stdout(&download));
    assert_eq!(download.status.code(), Some(0), "{download:?}");
    let bytes = std::fs::read(&saved).unwrap();
    assert!(
        String::from_utf8_lossy(&bytes).contains("<Certificate"),
        "the PAN XML"
    );
    assert!(stdout(&download).contains(&format!("{} bytes written", bytes.len())));

    let checks = gw.run(&["checks", &id, "--json"]);
    assert_eq!(checks.status.code(), Some(0), "{checks:?}");
    let checks: Value = serde_json::from_slice(&checks.stdout).unwrap();
    assert_eq!(checks["session_id"], id.as_str());
    assert!(checks["outcome"].is_string(), "{checks}");

    let erase = gw.run(&["erase", &id, "--json"]);
    assert_eq!(erase.status.code(), Some(0), "{erase:?}");
    let erase: Value = serde_json::from_slice(&erase.stdout).unwrap();
    assert!(
        erase["erased_at"].as_str().unwrap().ends_with('Z'),
        "{erase}"
    );
    let after = gw.run(&["status", &id]);
    assert_eq!(
        after.status.code(),
        Some(6),
        "an erased session answers 404: {after:?}"
    );
    assert!(String::from_utf8_lossy(&after.stderr).contains("erased session answers 404"));
    assert!(after.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_a_failed_session_a_pending_one_ctrl_c_a_wrong_key_and_an_unreachable_gateway(
) {
    let gw = Gateway::start();
    let (denied, link) = gw.init(&["aadhaar"]);
    consent(&link, &Person::denying("9000000002")).await;
    let failed = gw.run(&["watch", &denied, "--interval", "0.1"]);
    assert_eq!(failed.status.code(), Some(3), "{failed:?}");
    assert!(
        stdout(&failed).contains("failed (consent_denied)"),
        "{failed:?}"
    );

    let (pending, _) = gw.init(&["pan"]);
    let status = gw.run(&["status", &pending, "--json"]);
    assert_eq!(status.status.code(), Some(5), "{status:?}");
    let v: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["status"], "created");
    let gave_up = gw.run(&["watch", &pending, "--interval", "0.1", "--timeout", "0"]);
    assert_eq!(gave_up.status.code(), Some(5), "{gave_up:?}");

    let mut interrupted = gw
        .session(&["watch", &pending, "--interval", "0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = BufReader::new(interrupted.stdout.take().unwrap()).lines();
    let first = tokio::task::spawn_blocking(move || seen.next())
        .await
        .unwrap();
    assert!(first.unwrap().unwrap().ends_with("  created"));
    let sent = Command::new("kill")
        .args(["-INT", &interrupted.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let interrupted = finish(interrupted).await;
    assert_eq!(
        interrupted.status.code(),
        Some(130),
        "Ctrl-C stops watch: {interrupted:?}"
    );

    let wrong_key = gw
        .session(&["status", &pending])
        .env(
            "DIGIGATE_API_KEY",
            "key_test_0000000000000000000000000000000",
        )
        .output()
        .unwrap();
    assert_eq!(wrong_key.status.code(), Some(6), "{wrong_key:?}");
    assert!(String::from_utf8_lossy(&wrong_key.stderr).contains("401"));

    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let unreachable = gw
        .session(&["status", &pending])
        .env("DIGIGATE_URL", &nowhere)
        .output()
        .unwrap();
    assert_eq!(unreachable.status.code(), Some(7), "{unreachable:?}");

    let no_secret = gw
        .session(&["status", &pending])
        .env_remove("DIGIGATE_API_SECRET_FILE")
        .output()
        .unwrap();
    assert_eq!(no_secret.status.code(), Some(2), "{no_secret:?}");
    let bad_flag = gw.run(&["init", "--redirect-url", REDIRECT, "--doc-type", "passport"]);
    assert_eq!(bad_flag.status.code(), Some(2), "{bad_flag:?}");
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish_with_the_session_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = digigate().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = stdout(&out);
        assert!(script.contains("session"), "{shell}");
        assert!(script.contains("watch"), "{shell}");
    }
}

#[test]
fn a_wrong_document_type_or_flow_is_refused_with_the_api_names() {
    let wrong = [
        (
            vec![
                "documents",
                "verify",
                "--doc-type",
                "driving-license",
                "x.xml",
            ],
            "--doc-type",
        ),
        (vec!["session", "init", "--flow", "login"], "--flow"),
    ];
    for (args, flag) in wrong {
        let out = digigate().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{err}");
        let names = if flag == "--flow" {
            "[possible values: signin, signup]"
        } else {
            "[possible values: aadhaar, pan, driving_license]"
        };
        assert!(err.contains(names), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_metrics_on_the_metrics_listener_and_not_on_the_api_port() {
    let gw = Gateway::start();
    let (_, _) = gw.init(&["pan"]);
    let scrape = reqwest::get(&gw.metrics).await.unwrap();
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.unwrap();
    assert!(
        text.contains("digigate_funnel_total{stage=\"created\"} 1"),
        "{text}"
    );
    let on_api = reqwest::get(format!("{}/metrics", gw.base)).await.unwrap();
    assert_eq!(on_api.status(), 404);
}
