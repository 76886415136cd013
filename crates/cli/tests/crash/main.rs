//! Crash safety: the gateway is killed with SIGKILL at each named crash point of a session's
//! life (`digigate_server::crash`, built in by the `crash-points` feature that only these tests
//! enable), then started again on the same database, on SQLite and on PostgreSQL. After the
//! restart no session is stuck (each ends, or is resumed inside its window), nothing is stored
//! twice, each transition has exactly one event, and every stored document still downloads.
//! A crash between taking the code and storing the exchange's answer cannot be resumed (the
//! code may have been used): that session fails as `fetch_interrupted`, which is retryable.
//!
//! Each test runs the built binary as separate processes, as an operator would: the DigiLocker
//! simulator (`digigate simulator`, which outlives the gateway's crash as DigiLocker does) and
//! `digigate serve`, first with `DIGIGATE_CRASH_AT=<point>` and then without.

#[allow(dead_code)] // the crash tests use part of the process helpers
#[path = "../support/process.rs"]
mod process;
#[path = "../support/receiver.rs"]
mod receiver;
#[path = "../support/served.rs"]
mod served;
#[path = "../support/temp_dir.rs"]
mod temp_dir;
mod webhook;

use digigate_client::simulator::{Browser, Person};
use digigate_core::{FailureReason, SessionEventType, SessionStatus};
use digigate_store::testing::{audit_count, TestDatabase};
use digigate_store::Store;
use process::{digigate, free_port, Process};
use serde_json::{json, Value};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use temp_dir::TempDir;
use url::Url;

const CLIENT_SECRET: &str = "partner-secret-of-the-crash-tests";
const REDIRECT_URL: &str = "https://shop.example/kyc/done";
/// Holds all three documents.
const PERSONA: &str = "9000000001";
const DOC_TYPES: [&str; 3] = ["aadhaar", "pan", "driving_license"];
/// Short enough that a session whose link was never opened expires within the test.
const LINK_TTL_SECS: &str = "4";
/// Short enough that the restarted gateway picks up the killed one's job quickly.
const JOB_LEASE_SECS: &str = "3";

/// The simulator, the database, the key files and the API key of one crash test.
struct Rig {
    /// Kept running for the rig's life.
    _simulator: Process,
    simulator_port: u16,
    port: u16,
    files: TempDir,
    key_files: [(&'static str, PathBuf); 3],
    api_key: String,
    api_secret: String,
    store: Arc<dyn Store>,
    db: TestDatabase,
}

impl Rig {
    async fn new(db: TestDatabase) -> Rig {
        let files = TempDir::new("crash");
        let key_files = files.key_files(CLIENT_SECRET);
        let (port, simulator_port) = (free_port(), free_port());
        let callback = format!("http://127.0.0.1:{port}/callbacks/digilocker");
        let mut sim = served::simulator(&files.0, simulator_port, CLIENT_SECRET, &callback);
        sim.env("DIGIGATE_LOG", "warn");
        let mut simulator = Process::spawn("the simulator", sim);
        simulator.wait_for_port(simulator_port);
        let store = digigate_store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let mut rig = Rig {
            _simulator: simulator,
            simulator_port,
            port,
            files,
            key_files,
            api_key: String::new(),
            api_secret: String::new(),
            store,
            db,
        };
        let printed = rig.run(&["keys", "create", "--name", "shop", "--json"]);
        (rig.api_key, rig.api_secret) = served::created_key(&printed);
        rig
    }

    fn run(&self, args: &[&str]) -> String {
        let mut cmd = digigate();
        // The master key too: `webhooks add` seals the endpoint's secret with it.
        for (var, file) in &self.key_files {
            cmd.env(var, file);
        }
        let out = cmd
            .args(args)
            .args(["--database-url", &self.db.url, "--data-dir"])
            .arg(self.files.0.join("cli"))
            .output()
            .expect("the digigate binary runs");
        assert!(out.status.success(), "digigate {args:?} failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `digigate serve` on the rig's port, told to crash at `crash_at` if given; healthy.
    fn serve(&self, crash_at: Option<&str>) -> Process {
        let data_dir = self.files.0.join("gateway");
        let (db, files) = (&self.db.url, &self.files.0);
        let mut cmd = served::serve(
            self.port,
            self.simulator_port,
            db,
            files,
            &data_dir,
            &self.key_files,
        );
        cmd.env("DIGIGATE_LOG", "info")
            .args(["--link-ttl-secs", LINK_TTL_SECS])
            .args(["--job-lease-secs", JOB_LEASE_SECS])
            .args(["--webhook-lease-secs", JOB_LEASE_SECS]);
        if let Some(point) = crash_at {
            cmd.env("DIGIGATE_CRASH_AT", point);
        }
        let mut process = Process::spawn(format!("digigate serve ({crash_at:?})"), cmd);
        process.wait_for_health(self.port);
        process
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn token(&self) -> String {
        let res = reqwest::Client::new()
            .post(self.url("/authenticate"))
            .header("x-api-key", &self.api_key)
            .header("x-api-secret", &self.api_secret)
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        body["data"]["access_token"].as_str().unwrap().to_owned()
    }

    /// `GET` of an API path; the status and the envelope's `data`.
    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let req = reqwest::Client::new().get(self.url(path));
        served::call(req, &self.api_key, token).await
    }

    /// Init; `None` when the gateway died before answering.
    async fn init(&self, token: &str) -> Option<(String, Url)> {
        let res = reqwest::Client::new()
            .post(self.url("/kyc/digilocker/sessions/init"))
            .header("x-api-key", &self.api_key)
            .header("authorization", token)
            .json(&json!({
                "@entity": "in.co.sandbox.kyc.digilocker.session.request",
                "flow": "signin",
                "redirect_url": REDIRECT_URL,
                "doc_types": DOC_TYPES,
            }))
            .send()
            .await
            .ok()?;
        let body: Value = res.json().await.ok()?;
        Some((
            body["data"]["session_id"].as_str()?.to_owned(),
            Url::parse(body["data"]["authorization_url"].as_str()?).ok()?,
        ))
    }
}

/// The id of the session init created, from the audit log (for when init's answer was lost).
async fn created_session(rig: &Rig) -> String {
    rig.store
        .audit_log(None, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|line| line.action == "session.created")
        .and_then(|line| line.session_id)
        .expect("the crash came after init committed")
}

/// Kills the gateway at `point` during one journey, restarts it and checks what was stored.
async fn crash_at(db: TestDatabase, point: &str) {
    let rig = Rig::new(db).await;
    let mut gateway = rig.serve(Some(point));
    let token = rig.token().await;
    let started = rig.init(&token).await;
    if let Some((_, link)) = &started {
        let browser = Browser::new();
        let page = browser.open_link(link).await.unwrap();
        let callback = browser
            .consent(page, &Person::allowing(PERSONA))
            .await
            .unwrap();
        // Nothing when the gateway dies inside the callback; for a crash in the fetch job, nothing
        // either while the callback waits (up to 2 s) for the fetch, or the waiting page when the
        // fetch is slower than that.
        let answered = browser.get(callback).await;
        if point == "after-callback" {
            assert!(answered.is_err(), "{point}");
        }
    } else {
        assert_eq!(
            point, "after-init",
            "only a crash after init loses its answer"
        );
    }
    let ended = gateway.wait_for_exit(Duration::from_secs(60));
    assert_eq!(
        ended.signal(),
        Some(9),
        "{point}: killed by SIGKILL ({ended})"
    );
    assert!(
        gateway
            .log()
            .contains(&format!("crash point reached: {point}")),
        "{point}:\n{}",
        gateway.log()
    );
    drop(gateway);

    // The init's answer may have been lost; the session is in the store (and its audit line).
    let id = match started {
        Some((id, _)) => id,
        None => created_session(&rig).await,
    };
    let _restarted = rig.serve(None);
    let token = rig.token().await;
    let expected = match point {
        "after-init" => SessionStatus::Expired,
        // The code may have reached DigiLocker and works once: the session fails, retryably.
        "before-exchange" => SessionStatus::Failed,
        _ => SessionStatus::Succeeded,
    };
    // No request for the session: the restarted gateway resumes (or expires) it by itself,
    // and finishes the killed gateway's job once its lease has lapsed.
    let deadline = Instant::now() + Duration::from_secs(60);
    let session = loop {
        let s = rig.store.session(&id).await.unwrap().unwrap();
        let jobs = rig.store.session_jobs(&id).await.unwrap();
        if s.status.is_terminal() && jobs.iter().all(|j| j.done_at_ms.is_some()) {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "{point}: stuck at {} with {jobs:?}",
            s.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        session.status, expected,
        "{point}: {:?}",
        session.failure_reason
    );
    if expected == SessionStatus::Failed {
        assert_eq!(
            session.failure_reason,
            Some(FailureReason::FetchInterrupted)
        );
    }

    // Exactly one event per transition, numbered without gaps, matching the history.
    let events = rig.store.session_events(&id).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=events.len() as i64).collect::<Vec<_>>(),
        "{point}"
    );
    let kinds: Vec<SessionEventType> = events.iter().map(|e| e.event_type).collect();
    let journey = match SessionEventType::on_entering(expected).unwrap() {
        SessionEventType::Expired => vec![SessionEventType::Expired],
        last => vec![
            SessionEventType::Initialized,
            SessionEventType::Authorized,
            last,
        ],
    };
    assert_eq!(kinds, journey, "{point}");
    let (code, status) = rig
        .get(&token, &format!("/kyc/digilocker/sessions/{id}/status"))
        .await;
    assert_eq!(code, 200);
    let history: Vec<&str> = status["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    let mut listed = vec!["created"];
    listed.extend(events.iter().map(|e| e.status.as_str()));
    assert_eq!(history, listed, "{point}");

    // Nothing twice: one fetch job (finished), one outcome in the audit log.
    let jobs = rig.store.session_jobs(&id).await.unwrap();
    assert!(jobs.len() <= 1, "{point}: {jobs:?}");
    assert!(
        jobs.iter().all(|j| j.done_at_ms.is_some()),
        "{point}: {jobs:?}"
    );
    let outcomes = audit_count(rig.store.as_ref(), Some(&id), "callback.completed").await;
    assert_eq!(
        outcomes,
        usize::from(expected != SessionStatus::Expired),
        "{point}"
    );
    if expected != SessionStatus::Succeeded {
        return;
    }
    // Every stored document opens: one per type, each downloads through its signed link.
    let documents = rig.store.documents(&id).await.unwrap();
    assert_eq!(documents.len(), DOC_TYPES.len(), "{point}");
    for doc_type in DOC_TYPES {
        let (code, data) = rig
            .get(
                &token,
                &format!("/kyc/digilocker/sessions/{id}/documents/{doc_type}"),
            )
            .await;
        assert_eq!(code, 200, "{point} {doc_type}: {data}");
        let link = data["files"][0]["url"].as_str().unwrap();
        let file = reqwest::get(link).await.unwrap();
        assert_eq!(file.status(), 200, "{point} {doc_type}");
        assert!(
            !file.bytes().await.unwrap().is_empty(),
            "{point} {doc_type}"
        );
    }
}

/// Declares the crash test of each point on SQLite and on PostgreSQL.
macro_rules! crash_tests {
    ($($name:ident => $point:literal),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::crash_at(digigate_store::testing::TestDatabase::sqlite(), $point).await;
            })*

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn killed_during_a_webhook_delivery_the_event_is_sent_again_with_its_id() {
                super::webhook::crash_during_webhook_delivery(
                    digigate_store::testing::TestDatabase::sqlite(),
                )
                .await;
            }
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::crash_at(digigate_store::testing::TestDatabase::postgres().await, $point).await;
            })*

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn killed_during_a_webhook_delivery_the_event_is_sent_again_with_its_id() {
                super::webhook::crash_during_webhook_delivery(
                    digigate_store::testing::TestDatabase::postgres().await,
                )
                .await;
            }
        }
    };
}

crash_tests! {
    killed_after_init_commits_the_session_expires_on_time => "after-init",
    killed_after_the_callback_consumes_state_the_fetch_resumes => "after-callback",
    killed_with_the_code_taken_before_its_exchange_the_session_fails_retryably => "before-exchange",
    killed_after_the_code_exchange_is_stored_the_fetch_resumes_with_the_token => "after-exchange-stored",
    killed_after_the_first_document_the_fetch_resumes => "after-first-document",
    killed_after_success_commits_nothing_is_done_twice => "after-success",
}
