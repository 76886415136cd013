//! `redirect_uri` handling as DigiLocker's OAuth library does it: optional at authorize when the
//! client has exactly one registered URI, required at the token step only if it was sent at
//! authorize (RFC 6749 §4.1.3), and compared after one more URL-decoding.

use reqwest::StatusCode;

use crate::helpers::*;

/// Percent-encodes every byte outside the unreserved set, as `encodeURIComponent` would.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn assert_authorize_page_error(sim: &TestSim, url: &str, message: &str) {
    let response = sim.client.get(url).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        !response.headers().contains_key("location"),
        "not a redirect"
    );
    let page = response.text().await.expect("html");
    assert!(page.contains(message), "{page}");
}

#[tokio::test]
async fn without_redirect_uri_the_only_registered_uri_is_used_and_not_required_at_the_token_step() {
    let sim = spawn().await;
    let url = sim.authorize_url_without(&["redirect_uri"], &[]);
    assert!(!url.contains("redirect_uri"), "{url}");
    let (id, _) = sim.to_consent_at("9000000001", &url).await;
    // `allow` asserts the 303 goes to the registered URI.
    let redirect = sim.allow(&id, &["PANCR"]).await;
    assert_eq!(redirect["state"], "state-123");
    let response = sim
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &redirect["code"]),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(body["access_token"].is_string(), "{body}");
}

#[tokio::test]
async fn without_redirect_uri_and_none_registered_the_authorize_page_says_so() {
    let mut config = config();
    config.redirect_uris.clear();
    let sim = spawn_with(config).await;
    let url = sim.authorize_url_without(&["redirect_uri"], &[]);
    assert_authorize_page_error(&sim, &url, "No redirect URI was supplied or stored").await;
}

#[tokio::test]
async fn without_redirect_uri_and_several_registered_the_authorize_page_asks_for_one() {
    let mut config = config();
    config
        .redirect_uris
        .push("https://app.example.com/second".to_owned());
    let sim = spawn_with(config).await;
    let url = sim.authorize_url_without(&["redirect_uri"], &[]);
    assert_authorize_page_error(
        &sim,
        &url,
        "A redirect URI must be supplied when multiple redirect URIs are registered",
    )
    .await;
}

#[tokio::test]
async fn a_redirect_uri_sent_at_authorize_must_be_repeated_at_the_token_step() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let response = sim
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ])
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "redirect_uri_mismatch").await;
    assert_eq!(
        body["error_description"],
        "The redirect URI is missing or do not match"
    );
}

#[tokio::test]
async fn a_double_encoded_redirect_uri_at_the_token_step_is_accepted() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    // The form encoder encodes it again, so the body carries `https%253A%252F%252F...`.
    let once = percent_encode(REDIRECT_URI);
    assert!(once.starts_with("https%3A%2F%2F"), "{once}");
    let response = sim
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &once),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_double_encoded_different_redirect_uri_is_still_refused() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let other = percent_encode("https://app.example.com/other");
    let response = sim
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &other),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "redirect_uri_mismatch").await;
}
