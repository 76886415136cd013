//! What a whole journey leaves behind: the logs and the stored data must hold no Aadhaar
//! number, no person's name or document number in clear, no document bytes, and no DigiLocker
//! code, token or API secret. On SQLite the raw files (database and WAL) are scanned; on
//! PostgreSQL, whose files are not ours to read, every row of every table as text.
//!
//! The full Aadhaar numbers of the personas are also sent through `/kyc/digilocker/user/verify`,
//! the one path where a full number enters the gateway.

mod common;

use common::{spawn, Backend, TestApp};
use digigate_client::simulator::Person;
use digigate_server::testing::on_both_backends;
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

/// Maximal runs of exactly 12 digits that pass the Verhoeff check, except the last group of a
/// UUID (random ids: all digits one time in three hundred, and then Verhoeff-valid one in ten)
/// and digits inside a hex digest.
fn aadhaar_like(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        let end = (start..bytes.len())
            .find(|&i| !bytes[i].is_ascii_digit())
            .unwrap_or(bytes.len());
        let run = &text[start..end];
        if run.len() == 12
            && verhoeff::is_valid(run)
            && !ends_a_uuid(&bytes[..start])
            && !inside_a_digest(bytes, start, end)
        {
            found.push(run.to_owned());
        }
        start = end;
    }
    found
}

/// Whether the digits at `start..end` are part of a hex digest (a run of 32 or more hex
/// characters, like the stored SHA-256 of a document): a random digest holds a Verhoeff-valid
/// run of exactly 12 digits about one time in three hundred and fifty, and a run stores dozens.
fn inside_a_digest(bytes: &[u8], start: usize, end: usize) -> bool {
    let from = bytes[..start]
        .iter()
        .rposition(|b| !b.is_ascii_hexdigit())
        .map_or(0, |i| i + 1);
    let to = bytes[end..]
        .iter()
        .position(|b| !b.is_ascii_hexdigit())
        .map_or(bytes.len(), |i| end + i);
    to - from >= 32
}

/// Whether `before` ends with the first four groups of a UUID (`8-4-4-4` hex digits and a `-`).
fn ends_a_uuid(before: &[u8]) -> bool {
    let Some(prefix) = before.len().checked_sub(24).map(|i| &before[i..]) else {
        return false;
    };
    prefix.iter().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => *b == b'-',
        _ => b.is_ascii_hexdigit(),
    })
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

/// Every value of every column of every table of the PostgreSQL database: binary columns as
/// their raw bytes (as they would sit in a file), the others as text.
async fn postgres_rows(url: &str) -> Vec<u8> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(!columns.is_empty(), "the tables were found");
    let mut bytes = Vec::new();
    for column in columns {
        let (table, name, kind): (String, String, String) =
            (column.get(0), column.get(1), column.get(2));
        if kind == "bytea" {
            let sql = format!("SELECT \"{name}\" FROM \"{table}\"");
            for row in sqlx::query(&sql).fetch_all(&mut conn).await.unwrap() {
                bytes.extend(row.get::<Option<Vec<u8>>, _>(0).unwrap_or_default());
                bytes.push(b'\n');
            }
        } else {
            let sql = format!("SELECT \"{name}\"::text FROM \"{table}\"");
            for row in sqlx::query(&sql).fetch_all(&mut conn).await.unwrap() {
                bytes.extend(
                    row.get::<Option<String>, _>(0)
                        .unwrap_or_default()
                        .into_bytes(),
                );
                bytes.push(b'\n');
            }
        }
    }
    assert!(
        String::from_utf8_lossy(&bytes).contains("succeeded"),
        "the sessions were read"
    );
    bytes
}

/// Asks `/kyc/digilocker/user/verify` about every persona's full Aadhaar number (registered
/// or not), and about a valid number nobody holds.
async fn verify_full_aadhaar_numbers(app: &TestApp) {
    let mut numbers: Vec<String> = Persona::built_in()
        .into_iter()
        .filter_map(|p| p.aadhaar.map(|a| a.number))
        .collect();
    assert!(!numbers.is_empty());
    numbers.push(unheld_aadhaar_number());
    for number in numbers {
        let res = app
            .post(
                "/kyc/digilocker/user/verify",
                &serde_json::json!({
                    "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
                    "aadhaar_number": number,
                }),
            )
            .await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(status.is_success(), "{status}: {body}");
        assert!(!body.contains(&number), "the number is not echoed");
    }
}

/// A Verhoeff-valid Aadhaar-like number that no persona holds.
fn unheld_aadhaar_number() -> String {
    let held: Vec<String> = Persona::built_in()
        .into_iter()
        .filter_map(|p| p.aadhaar.map(|a| a.number))
        .collect();
    (0..10)
        .map(|d| format!("98765432101{d}"))
        .find(|n| verhoeff::is_valid(n) && !held.contains(n))
        .expect("one check digit is valid")
}

async fn a_whole_journey_leaves_no_personal_data_or_secrets_in_logs_or_stored_data(
    backend: Backend,
) {
    let logs = logs();
    let app = spawn(backend).await;
    verify_full_aadhaar_numbers(&app).await;
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
    let stored = match backend {
        Backend::Sqlite => sqlite_files(&app.db.url),
        Backend::Postgres => postgres_rows(&app.db.url).await,
    };
    let db = String::from_utf8_lossy(&stored).into_owned();
    let unheld = unheld_aadhaar_number();
    for (what, haystack) in [("logs", &text), ("stored data", &db)] {
        assert_eq!(
            aadhaar_like(haystack),
            Vec::<String>::new(),
            "Aadhaar-like numbers in {what}"
        );
        assert!(
            !haystack.contains(&unheld),
            "the looked-up number in {what}"
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

/// Signing in to the operator page, wrongly and then rightly, logs that it happened and never
/// the token, the wrong guess or the cookie.
async fn signing_in_to_the_operator_page_logs_neither_the_token_nor_a_guess(backend: Backend) {
    const TOKEN: &str = "op-leaks-7c2e9a41d05b48f3a6e1c8d7b9f0a2e4";
    const GUESS: &str = "op-guess-0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a";
    let logs = logs();
    let app = common::spawn_with(backend, |c| {
        c.operator_token = Some(digigate_server::operator::OperatorToken::parse(TOKEN).unwrap())
    })
    .await;
    let sign_in = |token: &'static str| {
        app.api
            .post(format!("{}/operator/sign-in", app.base))
            .form(&[("token", token)])
            .send()
    };
    assert_eq!(sign_in(GUESS).await.unwrap().status(), 401);
    let res = sign_in(TOKEN).await.unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let page = app
        .api
        .get(format!("{}/operator", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.contains("operator sign-in refused: wrong token"));
    assert!(text.contains("operator signed in"));
    let mac = cookie.split_once('.').unwrap().1;
    for (what, secret) in [("token", TOKEN), ("guess", GUESS), ("cookie", mac)] {
        assert!(!text.contains(secret), "the operator {what} in the logs");
    }
}

on_both_backends!(
    a_whole_journey_leaves_no_personal_data_or_secrets_in_logs_or_stored_data,
    signing_in_to_the_operator_page_logs_neither_the_token_nor_a_guess,
);

#[test]
fn the_scan_finds_a_number_on_its_own_but_not_the_last_group_of_a_uuid() {
    let n = unheld_aadhaar_number();
    assert_eq!(aadhaar_like(&format!("uid=\"{n}\"")), vec![n.clone()]);
    assert_eq!(aadhaar_like(&format!("x{n}y")), vec![n.clone()]);
    assert!(aadhaar_like(&format!("0f1e2d3c-4b5a-4789-9abc-{n}")).is_empty());
}

#[test]
fn the_scan_skips_digits_inside_a_hex_digest_but_not_a_number_next_to_a_short_hex_word() {
    let n = unheld_aadhaar_number();
    let digest = format!("\"a{n}e3455502ddcf12f9e067cfd6e928d39e60895a1957489c37821\"");
    assert!(aadhaar_like(&digest).is_empty());
    assert_eq!(aadhaar_like(&format!("cafe{n}beef")), vec![n.clone()]);
}
