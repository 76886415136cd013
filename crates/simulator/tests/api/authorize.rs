//! The partner's authorize request: bad parameters get an HTML 400 page, never a redirect.

use reqwest::StatusCode;

use crate::helpers::*;

async fn assert_rejected(sim: &TestSim, extra: &[(&str, &str)], message: &str) {
    let response = sim
        .client
        .get(sim.authorize_url(extra))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{extra:?}");
    assert!(
        !response.headers().contains_key("location"),
        "not a redirect"
    );
    assert_html_headers(response.headers());
    let page = response.text().await.expect("html");
    assert!(page.contains(message), "{extra:?}: {page}");
    assert!(!page.contains("<form"), "no way forward");
}

#[tokio::test]
async fn an_unregistered_redirect_uri_gets_an_html_400_not_a_redirect() {
    let sim = spawn().await;
    let message = "redirect URI provided is missing or does not match";
    assert_rejected(
        &sim,
        &[("redirect_uri", "https://evil.example.com/cb")],
        message,
    )
    .await;
    assert_rejected(
        &sim,
        &[("redirect_uri", &format!("{REDIRECT_URI}/"))],
        message,
    )
    .await;
}

#[tokio::test]
async fn an_unknown_client_id_gets_an_html_400() {
    let sim = spawn().await;
    assert_rejected(
        &sim,
        &[("client_id", "someone-else")],
        "client id supplied is invalid",
    )
    .await;
}

#[tokio::test]
async fn missing_or_weak_pkce_gets_an_html_400() {
    let sim = spawn().await;
    let required = "code_challenge and code_challenge_method parameter is required";
    assert_rejected(&sim, &[("code_challenge", "")], required).await;
    assert_rejected(&sim, &[("code_challenge_method", "")], required).await;
    assert_rejected(&sim, &[("code_challenge_method", "plain")], "must be S256").await;
    assert_rejected(
        &sim,
        &[("code_challenge", "short")],
        "code challenge supplied is invalid",
    )
    .await;
}

#[tokio::test]
async fn a_missing_state_or_wrong_response_type_gets_an_html_400() {
    let sim = spawn().await;
    assert_rejected(&sim, &[("state", "")], "state parameter is required").await;
    assert_rejected(&sim, &[("response_type", "token")], "response type").await;
}

#[tokio::test]
async fn unknown_extra_parameters_are_ignored_and_version_two_works() {
    let sim = spawn().await;
    let url = sim
        .authorize_url(&[
            ("acr", "aadhaar"),
            ("amr", "all"),
            ("prompt", "login"),
            ("foo", "bar"),
        ])
        .replace("/oauth2/1/authorize", "/oauth2/2/authorize");
    let response = sim.client.get(url).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert_html_headers(response.headers());
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("form-action 'self' https://app.example.com"),
        "{csp}"
    );
}

#[tokio::test]
async fn the_inline_stylesheet_is_allowed_by_its_csp_hash() {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let sim = spawn().await;
    let response = sim
        .client
        .get(sim.authorize_url(&[]))
        .send()
        .await
        .expect("get");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let page = response.text().await.expect("html");
    let start = page.find("<style>").expect("style") + "<style>".len();
    let css = &page[start..start + page[start..].find("</style>").expect("end")];
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()));
    assert!(csp.contains(&format!("style-src 'sha256-{hash}'")), "{csp}");
}
