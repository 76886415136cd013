//! What the client sends, checked by small local servers that record each request.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use digigate_digilocker::{AccessToken, AccountLookup, DigiLockerError, Pkce};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};

use support::{client, serve, SECRET};

/// The form fields and `Authorization` header of each request a route received.
type Seen = Arc<Mutex<Vec<(HashMap<String, String>, Option<String>)>>>;

async fn record(
    State(seen): State<Seen>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (HashMap<String, String>, Option<String>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    seen.lock()
        .expect("lock")
        .push((form.clone(), auth.clone()));
    (form, auth)
}

#[tokio::test]
async fn the_code_exchange_posts_one_form_with_pkce_and_client_credentials() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/public/oauth2/1/token",
            post(|state, headers, form| async move {
                let (form, _) = record(state, headers, form).await;
                if form.get("code").map(String::as_str) == Some("good-code") {
                    (StatusCode::OK, Json(json!({
                        "access_token": "bc125c212a4b03a9a188a858be5a163f379e878a",
                        "expires_in": 3600, "token_type": "Bearer",
                        "scope": "files.issueddocs issued/in.gov.pan-PANCR-ABCDE1234F",
                        "consent_valid_till": 1684731048,
                        "refresh_token": "a47ab18c593703e4f83a274694db7422a8cfcb8f",
                        "digilockerid": "123e4567-e89b-12d3-a456-426655440000",
                        "name": "Sunil Kumar", "dob": "31121970", "gender": "M", "eaadhaar": "Y"
                    })))
                } else {
                    (StatusCode::BAD_REQUEST, Json(json!({
                        "error": "invalid_grant",
                        "error_description": "Authorization code doesn't exist or is invalid for the client"
                    })))
                }
            }),
        )
        .with_state(seen.clone());
    let base = serve(router).await;
    let client = client(&base);
    let pkce = Pkce::generate();

    let grant = client
        .exchange_code("good-code", &pkce.verifier)
        .await
        .expect("exchange succeeds");
    assert_eq!(
        grant.access_token.expose(),
        "bc125c212a4b03a9a188a858be5a163f379e878a"
    );
    assert_eq!(grant.expires_in, Some(3600));
    assert_eq!(grant.granted_doctypes(), ["PANCR"]);
    assert_eq!(grant.eaadhaar, Some(true));

    let err = client
        .exchange_code("bad-code", &pkce.verifier)
        .await
        .expect_err("rejected");
    assert!(
        matches!(&err, DigiLockerError::Api { status: 400, error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(!err.is_retryable());

    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 2, "each exchange is sent exactly once");
    let (form, auth) = &seen[0];
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "good-code");
    assert_eq!(form["redirect_uri"], "http://127.0.0.1:9/callback");
    assert_eq!(form["code_verifier"], pkce.verifier.expose_secret());
    assert_eq!(form["client_id"], "test-client");
    assert_eq!(form["client_secret"], SECRET);
    assert_eq!(auth, &None, "credentials go in the form only");
}

#[tokio::test]
async fn resource_calls_send_the_bearer_token_and_map_invalid_token() {
    let router = Router::new()
        .route(
            "/public/oauth2/1/user",
            get(|headers: HeaderMap| async move {
                match headers.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some("Bearer good-token") => (StatusCode::OK, Json(json!({
                        "digilockerid": "123e4567-e89b-12d3-a456-426655440000",
                        "name": "Sunil Kumar", "dob": 31121970, "eaadhar": "Y"
                    }))),
                    _ => (StatusCode::UNAUTHORIZED, Json(json!({
                        "error": "invalid_token", "error_description": "The access token is invalid"
                    }))),
                }
            }),
        )
        .route(
            "/public/oauth2/2/files/issued",
            get(|| async {
                Json(json!({"items": [{"name": "PAN Verification Record", "mime": "application/pdf",
                    "uri": "in.gov.pan-PANCR-ABCDE1234F", "doctype": "PANCR", "issuerid": "in.gov.pan",
                    "issuer": "Income Tax Department", "description": "PAN", "date": "02-11-2019"}],
                    "resource": "issued"}))
            }),
        );
    let base = serve(router).await;
    let client = client(&base);

    let user = client
        .user_details(&AccessToken::new("good-token".into()))
        .await
        .expect("user");
    assert_eq!(user.name, "Sunil Kumar");
    assert!(user.eaadhaar);

    let err = client
        .user_details(&AccessToken::new("stale-token".into()))
        .await
        .expect_err("rejected");
    assert!(err.is_invalid_token(), "{err:?}");
    assert!(matches!(err, DigiLockerError::Api { status: 401, .. }));

    let files = client
        .issued_files(&AccessToken::new("good-token".into()))
        .await
        .expect("files");
    assert_eq!(files[0].mime, ["application/pdf"]);
}

#[tokio::test]
async fn revoke_and_account_lookup_send_their_forms() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/public/oauth2/1/revoke",
            post(|state, headers, form| async move {
                record(state, headers, form).await;
                Json(json!({"revoked": true}))
            }),
        )
        .route(
            "/public/account/2/verify",
            post(|state, headers, form| async move {
                record(state, headers, form).await;
                Json(json!({"registered": "true", "digilockerid": "123e4567-e89b-12d3-a456-426655440000"}))
            }),
        )
        .with_state(seen.clone());
    let base = serve(router).await;
    let client = client(&base);

    client
        .revoke(&AccessToken::new("tok-1".into()))
        .await
        .expect("revoked");
    let status = client
        .account_exists(AccountLookup::Mobile("9876543210".into()))
        .await
        .expect("looked up");
    assert!(status.registered);
    assert_eq!(
        status.digilocker_id.as_deref(),
        Some("123e4567-e89b-12d3-a456-426655440000")
    );

    let seen = seen.lock().expect("lock");
    let (revoke, _) = &seen[0];
    assert_eq!(revoke["token"], "tok-1");
    assert_eq!(revoke["client_id"], "test-client");
    assert_eq!(revoke["client_secret"], SECRET);

    let (verify, _) = &seen[1];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let ts: u64 = verify["ts"].parse().expect("ts is unix seconds");
    assert!(now.abs_diff(ts) < 60);
    let expected: String = Sha256::digest(format!("{SECRET}test-client{ts}"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(verify["clientid"], "test-client");
    assert_eq!(verify["hmac"], expected);
    assert_eq!(verify["mobile"], "9876543210");
    assert!(!verify.contains_key("uid"));
}

#[tokio::test]
async fn the_pkce_verifier_is_never_part_of_an_error() {
    let base = serve(Router::new().route(
        "/public/oauth2/1/token",
        post(|| async {
            (StatusCode::BAD_REQUEST, Json(json!({
                "error": "code_verifier_mismatch",
                "error_description": "The PKCE code verifier parameter does not match the code challenge."
            })))
        }),
    ))
    .await;
    let verifier = SecretString::from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    let err = client(&base)
        .exchange_code("c0de-40-hex", &verifier)
        .await
        .expect_err("rejected");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("dBjftJeZ") && !shown.contains("c0de-40-hex") && !shown.contains(SECRET)
    );
}
