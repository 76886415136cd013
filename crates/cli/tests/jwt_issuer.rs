//! `digigate serve --jwt-issuer`: the access tokens carry the configured `iss`, so an operator
//! can meet clients (Sandbox's Node SDK) that decide from it when to authenticate again.

#[allow(dead_code)] // this binary uses only the port and HTTP helpers
#[path = "support/process.rs"]
mod process;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use std::process::{Command, Stdio};
use temp_dir::TempDir;

#[test]
fn access_tokens_carry_the_configured_issuer() {
    let dir = TempDir::new("jwt-issuer");
    let port = process::free_port();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_digigate"))
        .env_clear()
        .args([
            "serve",
            "--jwt-issuer",
            "digigate.sandbox.co.in",
            "--listen",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&dir.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    process::wait_for_health_of(port);
    let created = Command::new(env!("CARGO_BIN_EXE_digigate"))
        .env_clear()
        .args(["keys", "create", "--name", "issuer", "--json", "--data-dir"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let key: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let (id, secret) = (
        key["api_key"].as_str().unwrap(),
        key["api_secret"].as_str().unwrap(),
    );
    let answer = process::http(
        port,
        &format!(
            "POST /authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: {id}\r\n\
             x-api-secret: {secret}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
    .unwrap();
    let _ = serve.kill();
    let _ = serve.wait();
    let token = answer
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no token in {answer}"));
    let claims: serde_json::Value =
        serde_json::from_slice(&B64.decode(token.split('.').nth(1).expect("a JWT")).unwrap())
            .unwrap();
    assert_eq!(claims["iss"], "digigate.sandbox.co.in", "{claims}");
    assert_eq!(claims["sub"], id);
}
