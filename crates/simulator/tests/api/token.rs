//! The token endpoint: code exchange checks, refresh rotation and revocation.

use base64::Engine as _;
use reqwest::StatusCode;

use crate::helpers::*;

fn exchange_fields<'a>(code: &'a str, verifier: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
    ]
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_rejected_with_code_verifier_mismatch() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let wrong = "another-verifier-that-is-long-enough-0123456789";
    let response = sim.token(&exchange_fields(&code, wrong)).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_verifier_mismatch").await;
    let mut missing = exchange_fields(&code, "");
    missing.pop();
    let response = sim.token(&missing).await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_verifier_missing").await;
}

#[tokio::test]
async fn a_code_can_be_exchanged_only_once() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    sim.exchange(&code).await;
    let again = sim.token(&exchange_fields(&code, VERIFIER)).await;
    let body = assert_error(again, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(
        body["error_description"],
        "Authorization code doesn't exist or is invalid for the client"
    );
    let unknown = sim
        .token(&exchange_fields(&"ab".repeat(20), VERIFIER))
        .await;
    assert_error(unknown, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn a_different_redirect_uri_at_the_token_endpoint_is_rejected() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let mut fields = exchange_fields(&code, VERIFIER);
    fields[2] = ("redirect_uri", "https://app.example.com/other");
    let response = sim.token(&fields).await;
    assert_error(response, StatusCode::BAD_REQUEST, "redirect_uri_mismatch").await;
}

#[tokio::test]
async fn an_expired_code_is_rejected() {
    let mut config = config();
    config.code_ttl = std::time::Duration::ZERO;
    let sim = spawn_with(config).await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let response = sim.token(&exchange_fields(&code, VERIFIER)).await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(
        body["error_description"],
        "The authorization code has expired"
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_rejected_and_basic_auth_is_accepted() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let mut fields = exchange_fields(&code, VERIFIER);
    fields.extend([("client_id", CLIENT_ID), ("client_secret", "wrong")]);
    let response = sim
        .client
        .post(sim.url("/oauth2/1/token"))
        .form(&fields)
        .send()
        .await
        .expect("post");
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;

    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let response = sim
        .client
        .post(sim.url("/oauth2/2/token"))
        .header("authorization", format!("Basic {basic}"))
        .form(&exchange_fields(&code, VERIFIER))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn json_token_requests_are_accepted() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let body = serde_json::json!({
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
    });
    let response = sim
        .client
        .post(sim.url("/oauth2/1/token"))
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn grant_type_errors_use_the_library_codes() {
    let sim = spawn().await;
    let missing = sim.token(&[]).await;
    assert_error(missing, StatusCode::BAD_REQUEST, "invalid_request").await;
    let unsupported = sim.token(&[("grant_type", "password")]).await;
    assert_error(
        unsupported,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    )
    .await;
}

#[tokio::test]
async fn refreshing_rotates_both_tokens() {
    let sim = spawn().await;
    let first = sim
        .exchange(&sim.code_for("9000000001", &["PANCR"]).await)
        .await;
    let old_access = first["access_token"].as_str().expect("access");
    let old_refresh = first["refresh_token"].as_str().expect("refresh");
    let response = sim
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let second: serde_json::Value = response.json().await.expect("json");
    let new_access = second["access_token"].as_str().expect("access");
    assert_ne!(new_access, old_access);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["scope"], first["scope"]);

    assert_eq!(
        sim.get("/oauth2/1/user", new_access).await.status(),
        StatusCode::OK
    );
    let old = sim.get("/oauth2/1/user", old_access).await;
    assert_error(old, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let reuse = sim
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh),
        ])
        .await;
    assert_error(reuse, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn revoking_a_token_ends_the_access_and_refresh_tokens_of_the_grant() {
    let sim = spawn().await;
    let token = sim
        .exchange(&sim.code_for("9000000001", &["PANCR"]).await)
        .await;
    let access = token["access_token"].as_str().expect("access");
    let refresh = token["refresh_token"].as_str().expect("refresh");
    let response = sim
        .client
        .post(sim.url("/oauth2/1/revoke"))
        .form(&[
            ("token", access),
            ("token_type_hint", "access_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), StatusCode::OK);
    let gone = sim.get("/oauth2/1/user", access).await;
    assert_error(gone, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let refreshed = sim
        .token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_error(refreshed, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // Revoking again, or an unknown token, is still 200.
    let again = sim
        .client
        .post(sim.url("/oauth2/1/revoke"))
        .form(&[("token", access)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn serve_stops_when_the_shutdown_future_resolves() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sim = digigate_simulator::Simulator::new(config());
    let server = tokio::spawn(digigate_simulator::serve(listener, sim, async move {
        stopped.await.ok();
    }));
    stop.send(()).expect("send");
    server.await.expect("join").expect("clean shutdown");
}
