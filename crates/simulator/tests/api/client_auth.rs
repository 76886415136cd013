//! Client authentication at `/token` as DigiLocker's OAuth library does it (reference §2, §4.2):
//! HTTP Basic or form fields, Basic decoded leniently, a malformed Basic header ignored.

use base64::Engine as _;
use reqwest::StatusCode;

use crate::helpers::*;

fn exchange_fields(code: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", VERIFIER),
    ]
}

async fn post_token(
    sim: &TestSim,
    authorization: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    sim.client
        .post(sim.url("/oauth2/1/token"))
        .header("authorization", authorization)
        .form(form)
        .send()
        .await
        .expect("token")
}

#[tokio::test]
async fn an_unpadded_basic_header_authenticates_the_client() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let padded =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert!(padded.ends_with('='), "the test needs credentials that pad");
    let unpadded = padded.trim_end_matches('=');
    let response = post_token(&sim, &format!("Basic {unpadded}"), &exchange_fields(&code)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(body["access_token"].is_string(), "{body}");
}

#[tokio::test]
async fn an_unpadded_basic_header_with_a_wrong_secret_is_still_refused() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let wrong = base64::engine::general_purpose::STANDARD_NO_PAD
        .encode(format!("{CLIENT_ID}:not-the-secret"));
    let response = post_token(&sim, &format!("Basic {wrong}"), &exchange_fields(&code)).await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
    assert_eq!(
        body["error_description"],
        "The client credentials are invalid"
    );
}

#[tokio::test]
async fn a_malformed_basic_header_falls_back_to_credentials_in_the_body() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let mut form = exchange_fields(&code);
    form.extend([("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)]);
    let response = post_token(&sim, "Basic %%%not-base64%%%", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_basic_header_without_body_credentials_is_refused() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let response = post_token(&sim, "Basic %%%not-base64%%%", &exchange_fields(&code)).await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
    assert_eq!(
        body["error_description"],
        "Client credentials were not found in the headers or body"
    );
}

#[tokio::test]
async fn a_malformed_basic_header_with_a_wrong_body_secret_is_refused() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let mut form = exchange_fields(&code);
    form.extend([("client_id", CLIENT_ID), ("client_secret", "wrong")]);
    let response = post_token(&sim, "Basic %%%not-base64%%%", &form).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
}
