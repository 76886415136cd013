//! The Standard Webhooks reference library (PyPI `standardwebhooks`), run on what the receiver
//! got, so deliveries are checked by other code than ours.

use super::Received;
use serde_json::{json, Value};

/// Runs the Standard Webhooks reference library (PyPI `standardwebhooks`, in a venv under
/// `target/`) over `deliveries` with `secret`; whether each verified.
pub fn reference_library_verifies(deliveries: &[Received], secret: &str) -> Vec<bool> {
    let python = reference_venv();
    let input: Vec<Value> = deliveries
        .iter()
        .map(|r| json!({ "headers": r.headers(), "body": r.body }))
        .collect();
    let script = r#"
import json, sys
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
wh = Webhook(sys.argv[1])
for d in json.loads(sys.stdin.read()):
    try:
        wh.verify(d["body"].encode(), d["headers"])
        print("ok")
    except WebhookVerificationError:
        print("refused")
"#;
    let mut child = std::process::Command::new(python)
        .args(["-c", script, secret])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "ok")
        .collect()
}

/// The venv's python with `standardwebhooks` installed (made once, then reused).
fn reference_venv() -> std::path::PathBuf {
    static MADE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _once = MADE.lock().unwrap();
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("standardwebhooks-venv");
    let python = venv.join("bin").join("python");
    let installed = |python: &std::path::Path| {
        std::process::Command::new(python)
            .args(["-c", "import standardwebhooks"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !installed(&python) {
        let run = |program: &std::path::Path, args: &[&str]| {
            let status = std::process::Command::new(program).args(args).status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "{} {args:?} (the reference library comes from PyPI)",
                program.display()
            );
        };
        run(
            std::path::Path::new("python3"),
            &["-m", "venv", venv.to_str().unwrap()],
        );
        run(
            &venv.join("bin").join("pip"),
            &["install", "-q", "standardwebhooks==1.3.0"],
        );
    }
    assert!(installed(&python));
    python
}
