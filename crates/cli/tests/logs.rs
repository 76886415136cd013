//! `--log-format json`: every log line is one JSON object, and the lines logged while a request
//! is answered carry its transaction id (the one the API's envelope returns).

#[allow(dead_code)] // this binary uses only the port and HTTP helpers
#[path = "support/process.rs"]
mod process;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::io::Read;
use std::process::{Command, Stdio};
use temp_dir::TempDir;

#[test]
fn json_logs_are_one_object_a_line_with_the_transaction_id_of_the_request() {
    let dir = TempDir::new("logs");
    let port = process::free_port();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_digigate"))
        .env_clear()
        .args(["--log-format", "json", "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&dir.0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    process::wait_for_health_of(port);
    let answer = process::http_get(port, "/kyc/digilocker/sessions/x/status").unwrap();
    let transaction = answer
        .split("\"transaction_id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the envelope names its transaction")
        .to_owned();
    let _ = serve.kill();
    let mut logs = String::new();
    serve
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let _ = serve.wait();

    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(!lines.is_empty());
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["transaction_id"] == transaction.as_str())
        .collect();
    assert!(
        of_request
            .iter()
            .any(|l| l["fields"]["message"] == "answered" && l["fields"]["status"] == 401),
        "the answer's line carries the transaction id: {logs}"
    );
}
