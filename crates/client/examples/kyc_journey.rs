//! One KYC journey in Sandbox's four steps, against a running gateway (or Sandbox's API):
//!
//! ```sh
//! digigate serve &   # prints a development key and secret on first start
//! DIGIGATE_URL=http://127.0.0.1:8080 DIGIGATE_API_KEY=key_test_… DIGIGATE_API_SECRET=… \
//!     cargo run -p digigate-client --example kyc_journey
//! ```
//!
//! It prints the link to open in a browser, waits for the journey to end, then reads the
//! profile, each consented document and the checks, and erases the session.

use digigate_client::{ClientError, DigigateClient, DocType, InitSession, Status};
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), ClientError> {
    let base = std::env::var("DIGIGATE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let client = DigigateClient::new(
        Url::parse(&base).expect("DIGIGATE_URL is a URL"),
        env("DIGIGATE_API_KEY"),
        SecretString::from(env("DIGIGATE_API_SECRET")),
    )?;
    client.authenticate().await?;

    // 1. init
    let redirect = Url::parse("https://shop.example/kyc/done").expect("a URL");
    let session = client
        .init_session(&InitSession::new(
            redirect,
            [DocType::Aadhaar, DocType::Pan],
        ))
        .await?;
    // 2. redirect
    println!("open this link and consent: {}", session.authorization_url);
    // 3. status
    let status = client
        .wait_for_final_status(
            &session.session_id,
            Duration::from_secs(2),
            Duration::from_secs(900),
        )
        .await?;
    println!("session {}: {}", status.id, status.status);
    if status.status != Status::Succeeded {
        return Ok(());
    }
    // 4. fetch
    let profile = client.user_profile(&session.session_id).await?;
    println!("profile fetched (e-Aadhaar linked: {})", profile.eaadhaar);
    for doc_type in &status.documents_consented {
        let files = client
            .fetch_document(&session.session_id, *doc_type)
            .await?;
        for file in &files.files {
            let bytes = client.download(file).await?;
            println!("{doc_type}: {} bytes", bytes.len());
        }
    }
    // digigate's additions: cross-document checks, and erasure once the business is done.
    let report = client.session_checks(&session.session_id).await?;
    println!("checks: {}", report.outcome);
    let receipt = client.erase_session(&session.session_id).await?;
    println!("erased at {}", receipt.erased_at);
    Ok(())
}
