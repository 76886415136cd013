//! `POST /account/2/verify` with the spec's SHA-256 "hmac".

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn hmac_for(secret: &str, ts: &str) -> String {
    let digest = Sha256::digest(format!("{secret}{CLIENT_ID}{ts}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

async fn verify(sim: &TestSim, fields: &[(&str, &str)]) -> reqwest::Response {
    sim.client
        .post(sim.url("/account/2/verify"))
        .form(fields)
        .send()
        .await
        .expect("verify")
}

fn now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        .to_string()
}

#[tokio::test]
async fn account_verify_reports_registered_numbers_with_a_good_hmac() {
    let sim = spawn().await;
    let ts = now();
    let hmac = hmac_for(CLIENT_SECRET, &ts);
    let base = [
        ("clientid", CLIENT_ID),
        ("ts", ts.as_str()),
        ("hmac", hmac.as_str()),
    ];

    let by_mobile = verify(&sim, &[&base[..], &[("mobile", "9000000001")]].concat()).await;
    assert_eq!(by_mobile.status(), StatusCode::OK);
    let body: serde_json::Value = by_mobile.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"registered": "true", "digilockerid": "3f6c1d2a-8b4e-4f1a-9c3d-5e7a9b0c1d01"})
    );

    let by_uid = verify(&sim, &[&base[..], &[("uid", "274950183625")]].concat()).await;
    let body: serde_json::Value = by_uid.json().await.expect("json");
    assert_eq!(body["registered"], "true");

    let unregistered = verify(&sim, &[&base[..], &[("mobile", "9000000005")]].concat()).await;
    let body: serde_json::Value = unregistered.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"registered": "false", "digilockerid": ""})
    );
}

#[tokio::test]
async fn account_verify_rejects_a_bad_hmac_a_stale_ts_and_an_unknown_client() {
    let sim = spawn().await;
    let ts = now();
    let bad = hmac_for("not-the-secret", &ts);
    let response = verify(
        &sim,
        &[
            ("clientid", CLIENT_ID),
            ("ts", &ts),
            ("hmac", &bad),
            ("mobile", "9000000001"),
        ],
    )
    .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(
        body["error_description"],
        "HMAC parameter is missing or invalid"
    );

    let stale = "1600000000";
    let hmac = hmac_for(CLIENT_SECRET, stale);
    let response = verify(
        &sim,
        &[
            ("clientid", CLIENT_ID),
            ("ts", stale),
            ("hmac", &hmac),
            ("mobile", "9000000001"),
        ],
    )
    .await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;

    let good = hmac_for(CLIENT_SECRET, &ts);
    let response = verify(
        &sim,
        &[("clientid", CLIENT_ID), ("ts", &ts), ("hmac", &good)],
    )
    .await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;

    let response = verify(
        &sim,
        &[
            ("clientid", "other"),
            ("ts", &ts),
            ("hmac", &good),
            ("mobile", "9000000001"),
        ],
    )
    .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_client_id").await;
}
