//! `digigate serve --mode production` refuses every unsafe configuration with a clear message,
//! and reads each secret from its variable or from the file named by `VAR_FILE`. Each test runs
//! the built binary with a clean environment and a data directory of its own.

#[path = "support/temp_dir.rs"]
mod temp_dir;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use temp_dir::TempDir;

const MASTER: [u8; 32] = [7; 32];
const JWT: [u8; 32] = [9; 32];
const CLIENT_SECRET: &str = "partner-client-secret-for-tests";

/// `digigate serve` in production mode against a (never contacted) real DigiLocker, with an
/// https public URL, and only the environment the test gives it.
fn production(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_digigate"));
    cmd.env_clear()
        .env("DIGIGATE_LOG", "info")
        .args(["serve", "--mode", "production", "--listen", "127.0.0.1:0"])
        .env("DIGIGATE_UPSTREAM", "digilocker")
        .env("DIGIGATE_DIGILOCKER_CLIENT_ID", "partner")
        .env("DIGIGATE_PUBLIC_URL", "https://kyc.example.com")
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn b64(key: [u8; 32]) -> String {
    STANDARD.encode(key)
}

/// Every secret configured as a value.
fn with_all_secrets(cmd: &mut Command) -> &mut Command {
    cmd.env("DIGIGATE_MASTER_KEY", b64(MASTER))
        .env("DIGIGATE_JWT_SECRET", b64(JWT))
        .env("DIGIGATE_DIGILOCKER_CLIENT_SECRET", CLIENT_SECRET)
}

/// Runs the command to its end (at most a minute); answers its stderr after asserting it failed.
fn refused(cmd: &mut Command) -> String {
    let mut child = cmd.spawn().expect("the digigate binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("digigate kept running instead of refusing to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success(), "digigate started: {stderr}");
    for secret in [b64(MASTER), b64(JWT), CLIENT_SECRET.to_owned()] {
        assert!(!stderr.contains(&secret), "a secret in the error: {stderr}");
    }
    stderr
}

/// Waits until the running server logs that it listens; kills it and answers its log.
fn started(mut child: Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("digigate listening") {
                let _ = tx.send(Ok(seen));
                return;
            }
        }
        let _ = tx.send(Err(seen));
    });
    let outcome = rx.recv_timeout(Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    match outcome {
        Ok(Ok(log)) => log,
        Ok(Err(log)) => panic!("digigate exited instead of serving: {log}"),
        Err(_) => panic!("digigate did not start listening within a minute"),
    }
}

#[test]
fn production_refuses_to_start_without_a_configured_master_key() {
    let dir = TempDir::new("cli-test");
    let err = refused(
        production(&dir.0)
            .env("DIGIGATE_JWT_SECRET", b64(JWT))
            .env("DIGIGATE_DIGILOCKER_CLIENT_SECRET", CLIENT_SECRET),
    );
    assert!(
        err.contains("DIGIGATE_MASTER_KEY (or DIGIGATE_MASTER_KEY_FILE) is not configured"),
        "{err}"
    );
    assert!(!dir.0.join("master.key").exists(), "no key was generated");
}

#[test]
fn production_refuses_to_start_without_a_configured_jwt_secret() {
    let dir = TempDir::new("cli-test");
    let err = refused(
        production(&dir.0)
            .env("DIGIGATE_MASTER_KEY", b64(MASTER))
            .env("DIGIGATE_DIGILOCKER_CLIENT_SECRET", CLIENT_SECRET),
    );
    assert!(
        err.contains("DIGIGATE_JWT_SECRET (or DIGIGATE_JWT_SECRET_FILE) is not configured"),
        "{err}"
    );
    assert!(!dir.0.join("jwt.key").exists(), "no key was generated");
}

#[test]
fn production_refuses_an_http_public_url() {
    let dir = TempDir::new("cli-test");
    let err = refused(with_all_secrets(
        production(&dir.0).args(["--public-url", "http://kyc.example.com"]),
    ));
    assert!(
        err.contains("production mode needs an https --public-url"),
        "{err}"
    );
}

#[test]
fn production_refuses_the_simulator_as_its_upstream() {
    let dir = TempDir::new("cli-test");
    let err = refused(with_all_secrets(
        production(&dir.0).args(["--upstream", "simulator"]),
    ));
    assert!(
        err.contains("production mode needs the real DigiLocker"),
        "{err}"
    );
}

#[test]
fn production_refuses_development_key_files_left_in_the_data_directory() {
    for file in ["master.key", "jwt.key"] {
        let dir = TempDir::new("cli-test");
        // What development mode leaves behind.
        dir.file(file, &b64([3; 32]));
        let err = refused(with_all_secrets(&mut production(&dir.0)));
        assert!(
            err.contains("is a key file generated in development mode") && err.contains(file),
            "{file}: {err}"
        );
        assert!(!err.contains(&b64([3; 32])), "the key in the error: {err}");
    }
}

#[test]
fn production_starts_with_every_secret_read_from_a_file_with_a_trailing_newline() {
    let dir = TempDir::new("cli-test");
    let secrets = TempDir::new("cli-test");
    let mut cmd = production(&dir.0);
    cmd.env(
        "DIGIGATE_MASTER_KEY_FILE",
        secrets.file("master", &format!("{}\n", b64(MASTER))),
    )
    .env(
        "DIGIGATE_JWT_SECRET_FILE",
        secrets.file("jwt", &format!("{}\r\n", b64(JWT))),
    )
    .env(
        "DIGIGATE_DIGILOCKER_CLIENT_SECRET_FILE",
        secrets.file("client", &format!("{CLIENT_SECRET}\n")),
    );
    let log = started(cmd.spawn().unwrap());
    assert!(!log.contains(CLIENT_SECRET), "{log}");
    assert!(
        !dir.0.join("master.key").exists(),
        "no key file was written"
    );
}

#[test]
fn production_starts_with_the_master_key_file_named_explicitly_even_in_the_data_directory() {
    let dir = TempDir::new("cli-test");
    let key = dir.file("master.key", &format!("{}\n", b64(MASTER)));
    let mut cmd = production(&dir.0);
    cmd.env("DIGIGATE_MASTER_KEY_FILE", key)
        .env("DIGIGATE_JWT_SECRET", b64(JWT))
        .env("DIGIGATE_DIGILOCKER_CLIENT_SECRET", CLIENT_SECRET);
    started(cmd.spawn().unwrap());
}

#[test]
fn a_secret_set_both_as_a_value_and_as_a_file_is_refused() {
    for var in [
        "DIGIGATE_MASTER_KEY",
        "DIGIGATE_JWT_SECRET",
        "DIGIGATE_DIGILOCKER_CLIENT_SECRET",
    ] {
        let dir = TempDir::new("cli-test");
        let file = dir.file("secret", &b64([5; 32]));
        let err =
            refused(with_all_secrets(&mut production(&dir.0)).env(format!("{var}_FILE"), file));
        assert!(
            err.contains(&format!("{var} and {var}_FILE are both set")),
            "{var}: {err}"
        );
    }
}

#[test]
fn a_key_file_that_is_not_a_32_byte_key_is_refused_without_showing_it() {
    let dir = TempDir::new("cli-test");
    let file = dir.file("master", "not-a-key-but-secret-text\n");
    let err = refused(
        production(&dir.0)
            .env("DIGIGATE_MASTER_KEY_FILE", file)
            .env("DIGIGATE_JWT_SECRET", b64(JWT))
            .env("DIGIGATE_DIGILOCKER_CLIENT_SECRET", CLIENT_SECRET),
    );
    assert!(
        err.contains("DIGIGATE_MASTER_KEY is not valid base64"),
        "{err}"
    );
    assert!(!err.contains("not-a-key-but-secret-text"), "{err}");
}

#[test]
fn a_live_key_cannot_be_created_without_a_redirect_url() {
    let dir = TempDir::new("cli-test");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_digigate"));
    cmd.env_clear()
        .args(["keys", "create", "--live", "--data-dir"])
        .arg(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("a live key needs at least one --redirect-url"),
        "{err}"
    );
    let out = cmd
        .args(["--redirect-url", "https://shop.example/kyc/done", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(created["api_key"]
        .as_str()
        .unwrap()
        .starts_with("key_live_"));
}
