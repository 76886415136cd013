//! `digigate serve --operator-token-file`: the binary reads the token from the file and serves
//! the operator page behind it; a token too short to be safe stops the start, and neither the
//! log nor the error shows the file's contents.

#[allow(dead_code)] // this binary uses only part of the process helpers
#[path = "support/process.rs"]
mod process;
#[path = "support/temp_dir.rs"]
mod temp_dir;

use process::{digigate, free_port, Process};
use std::time::{Duration, Instant};
use temp_dir::TempDir;

const TOKEN: &str = "op-cli-3b8e1f6a9c2d47e0b5a8c1f4e7d2a9b6";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reads_the_operator_token_file_and_the_page_opens_with_it() {
    let dir = TempDir::new("operator-cli");
    let token_file = dir.file("operator-token", &format!("{TOKEN}\n"));
    let port = free_port();
    let mut serve = digigate();
    serve.args(["serve", "--data-dir", dir.0.to_str().unwrap()]);
    serve.args(["--listen", &format!("127.0.0.1:{port}")]);
    serve.env("DIGIGATE_OPERATOR_TOKEN_FILE", &token_file);
    let mut process = Process::spawn("gateway", serve);
    process.wait_for_health(port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let page = http.get(format!("{base}/operator")).send().await.unwrap();
    assert_eq!(page.status(), 401, "the sign-in form");
    let signed_in = http
        .post(format!("{base}/operator/sign-in"))
        .form(&[("token", TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let report = http
        .get(format!("{base}/operator?window=hour"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), 200);
    assert!(report
        .text()
        .await
        .unwrap()
        .contains("<h1>Consent funnel</h1>"));

    let log = process.log();
    assert!(log.contains("operator page enabled"), "{log}");
    assert!(!log.contains(TOKEN), "the token in the log");
}

#[test]
fn serve_refuses_a_short_operator_token_without_showing_it() {
    let dir = TempDir::new("operator-cli-short");
    let token_file = dir.file("operator-token", "hunter2\n");
    let mut serve = digigate();
    serve.args(["serve", "--data-dir", dir.0.to_str().unwrap()]);
    serve.args(["--listen", &format!("127.0.0.1:{}", free_port())]);
    serve.args(["--operator-token-file", token_file.to_str().unwrap()]);
    let mut child = serve
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve started with a short operator token");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("operator token"), "{stderr}");
    assert!(stderr.contains("at least 32 characters"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
