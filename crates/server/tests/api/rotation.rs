//! Rotating the master key (what `digigate keys rotate-master` does to the database): after a
//! restart under the new key every document, profile, check and pending consent still opens,
//! and the old key opens nothing.

use crate::common;

use common::{spawn, Backend, TestApp, REDIRECT};
use digigate_client::simulator::Person;
use digigate_server::testing::on_both_backends;
use reqwest::StatusCode;
use secrecy::SecretBox;
use serde_json::{json, Value};

/// Everything a business can read of a finished session, minus the expiring download links,
/// plus the bytes those links serve.
async fn readable(app: &TestApp, id: &str) -> Vec<(String, StatusCode, Value)> {
    let mut out = Vec::new();
    for path in [
        "documents/aadhaar",
        "documents/pan",
        "user/profile",
        "checks",
    ] {
        let res = app
            .get(&format!("/kyc/digilocker/sessions/{id}/{path}"))
            .await;
        let code = res.status();
        let mut body: Value = res.json().await.unwrap_or(Value::Null);
        if let Some(files) = body["data"]["files"].as_array_mut() {
            for file in files {
                let url = file["url"].take();
                if let Some(url) = url.as_str() {
                    let bytes = app
                        .api
                        .get(url)
                        .send()
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap();
                    file["url"] = json!(digigate_server::vault::sha256_hex(&bytes));
                }
            }
        }
        body["timestamp"] = Value::Null;
        body["transaction_id"] = Value::Null;
        out.push((path.to_owned(), code, body));
    }
    out
}

/// Inits a session with expected details; returns its id and link.
async fn init_with_expected(app: &TestApp) -> (String, String) {
    let body = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin", "redirect_url": REDIRECT, "doc_types": ["aadhaar", "pan"],
        "expected": {"name": "Zubin Mehta", "gender": "M"},
    });
    let res = app.post("/kyc/digilocker/sessions/init", &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    (
        v["data"]["session_id"].as_str().unwrap().to_owned(),
        v["data"]["authorization_url"].as_str().unwrap().to_owned(),
    )
}

async fn after_rotating_the_master_key_everything_stored_still_opens(backend: Backend) {
    let mut app = spawn(backend).await;
    let (done, link) = init_with_expected(&app).await;
    let (browser, callback) = app
        .to_callback(&link, &Person::allowing("9000000001"))
        .await;
    app.finish_callback(&browser, &callback).await;
    let before = readable(&app, &done).await;
    assert!(
        before.iter().all(|(_, code, _)| *code == StatusCode::OK),
        "{before:?}"
    );
    // A consent given but not yet returned: its PKCE verifier is sealed with the master key.
    let (pending, link) = init_with_expected(&app).await;
    let (browser, callback) = app
        .to_callback(&link, &Person::allowing("9000000001"))
        .await;

    let old = app.master_key();
    let new = [42u8; 32];
    let resealed = digigate_server::vault::rotate_master_key(
        app.store.as_ref(),
        &SecretBox::new(Box::new(old)),
        &SecretBox::new(Box::new(new)),
    )
    .await
    .unwrap();
    // The finished session's data key, DigiLocker tokens and expected details; the pending
    // one's verifier and expected details.
    assert!(resealed >= 5, "re-sealed {resealed} values");
    app.restart_with_master_key(new).await;

    assert_eq!(
        readable(&app, &done).await,
        before,
        "the finished session reads the same"
    );
    app.finish_callback(&browser, &callback).await;
    assert_eq!(app.status(&pending).await["status"], "succeeded");
    assert!(readable(&app, &pending)
        .await
        .iter()
        .all(|(_, code, _)| *code == StatusCode::OK));

    app.restart_with_master_key(old).await;
    let res = app
        .get(&format!(
            "/kyc/digilocker/sessions/{done}/documents/aadhaar"
        ))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "the old key opens nothing any more"
    );
}

on_both_backends!(after_rotating_the_master_key_everything_stored_still_opens);
