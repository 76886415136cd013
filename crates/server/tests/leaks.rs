//! What a whole journey leaves behind: the logs and the raw SQLite files (database and WAL)
//! must hold no Aadhaar number, no person's name or document number in clear, no document
//! bytes, and no DigiLocker code, token or API secret.

mod common;

use common::{spawn, Backend};
use digigate_client::simulator::Person;
use digigate_simulator::{verhoeff, Persona};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, at debug level and above, without colours.
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        captured
    })
}

/// Maximal runs of exactly 12 digits that pass the Verhoeff check.
fn aadhaar_like(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 12 && verhoeff::is_valid(run))
        .map(str::to_owned)
        .collect()
}

/// Runs of 40 lowercase hex characters (DigiLocker's codes and tokens).
fn hex40(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_digit() || ('a'..='f').contains(&c)))
        .filter(|run| run.len() == 40)
        .map(str::to_owned)
        .collect()
}

fn personal_strings() -> Vec<String> {
    let mut out = Vec::new();
    for p in Persona::built_in() {
        out.push(p.name.clone());
        out.push(p.name.to_uppercase());
        out.extend(
            p.aadhaar
                .iter()
                .flat_map(|a| [a.number.clone(), a.name.clone()]),
        );
        out.extend(
            p.pan
                .iter()
                .flat_map(|r| [r.number.clone(), r.name.clone()]),
        );
        if !p.email.is_empty() {
            out.push(p.email.clone());
        }
    }
    out.retain(|s| s.len() >= 6);
    out
}

fn sqlite_files(url: &str) -> Vec<u8> {
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(b) = std::fs::read(format!("{path}{suffix}")) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty(), "the SQLite files were found at {path}");
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_journey_leaves_no_personal_data_or_secrets_in_logs_or_database_files() {
    let logs = logs();
    let app = spawn(Backend::Sqlite).await;
    for (mobile, flow, docs) in [
        (
            "9000000001",
            "signin",
            vec!["aadhaar", "pan", "driving_license"],
        ),
        ("9000000002", "signin", vec!["aadhaar", "pan"]),
        ("9000000003", "signin", vec!["aadhaar", "pan"]),
        ("9000000004", "signin", vec!["aadhaar"]),
        ("9000000005", "signup", vec!["aadhaar"]),
    ] {
        let (id, _) = app.journey(flow, &docs, &Person::allowing(mobile)).await;
        for doc in &docs {
            let res = app
                .get(&format!("/kyc/digilocker/sessions/{id}/documents/{doc}"))
                .await;
            if res.status().is_success() {
                let v: serde_json::Value = res.json().await.unwrap();
                let url = v["data"]["files"][0]["url"].as_str().unwrap().to_owned();
                assert!(app.api.get(url).send().await.unwrap().status().is_success());
            }
        }
        let _ = app
            .get(&format!("/kyc/digilocker/sessions/{id}/user/profile"))
            .await;
    }
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.contains("session succeeded"), "the logs were captured");
    let db = String::from_utf8_lossy(&sqlite_files(&app.db.url)).into_owned();
    for (what, haystack) in [("logs", &text), ("database files", &db)] {
        assert_eq!(
            aadhaar_like(haystack),
            Vec::<String>::new(),
            "Aadhaar-like numbers in {what}"
        );
        for s in personal_strings() {
            assert!(!haystack.contains(&s), "personal data in {what}");
        }
        for marker in ["<Certificate", "KycRes", "UidData"] {
            assert!(!haystack.contains(marker), "document bytes in {what}");
        }
        assert!(!haystack.contains(&app.secret), "the API secret in {what}");
        assert!(!haystack.contains(&app.token), "the access token in {what}");
    }
    assert_eq!(
        hex40(&text),
        Vec::<String>::new(),
        "DigiLocker codes or tokens in the logs"
    );
}
