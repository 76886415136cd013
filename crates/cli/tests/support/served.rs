//! The simulator and `digigate serve` as the multi-process tests run them (the crash harness
//! and the instances cluster): the simulator as DigiLocker on its own port, each gateway
//! against it with the shared key files, and API calls that answer the status and `data`.

use crate::process::digigate;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The partner client id the simulator accepts and the gateways present.
pub const CLIENT_ID: &str = "digigate-simulator";

/// `digigate simulator` on `port`, whose partner secret is `client_secret` and which sends
/// people back to `callback`, keeping its PKI in `files/simulator-pki`.
pub fn simulator(files: &Path, port: u16, client_secret: &str, callback: &str) -> Command {
    let mut cmd = digigate();
    cmd.env("DIGIGATE_SIMULATOR_CLIENT_SECRET", client_secret)
        .args(["simulator", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--client-id", CLIENT_ID, "--redirect-uri", callback])
        .arg("--pki-dir")
        .arg(files.join("simulator-pki"));
    cmd
}

/// `digigate serve` on `port` against the simulator on `simulator_port` (trusting its root in
/// `files/simulator-pki`, as DigiLocker's), on `database_url`, with the data directory
/// `data_dir` and the shared `key_files` in its environment.
pub fn serve(
    port: u16,
    simulator_port: u16,
    database_url: &str,
    files: &Path,
    data_dir: &Path,
    key_files: &[(&str, PathBuf)],
) -> Command {
    let mut cmd = digigate();
    cmd.env("DIGIGATE_DIGILOCKER_CLIENT_ID", CLIENT_ID)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--upstream", "digilocker", "--digilocker-url"])
        .arg(format!("http://127.0.0.1:{simulator_port}/public"))
        .args(["--database-url", database_url])
        .arg("--trust-pem")
        .arg(files.join("simulator-pki").join("root-ca.pem"))
        .arg("--data-dir")
        .arg(data_dir);
    for (var, file) in key_files {
        cmd.env(var, file);
    }
    cmd
}

/// Sends an API request with the key `api_key` and `token`; answers the status and the
/// envelope's `data` (null when the answer is not JSON).
pub async fn call(req: reqwest::RequestBuilder, api_key: &str, token: &str) -> (u16, Value) {
    let res = req
        .header("x-api-key", api_key)
        .header("authorization", token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["data"].clone())
}

/// The key and secret that `digigate keys create --json` printed.
pub fn created_key(printed: &str) -> (String, String) {
    let created: Value = serde_json::from_str(printed).unwrap();
    let field = |name: &str| created[name].as_str().unwrap().to_owned();
    (field("api_key"), field("api_secret"))
}
