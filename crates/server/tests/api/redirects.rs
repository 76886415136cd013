//! Where people may be sent after their consent: a key without registered redirect URLs may
//! send them anywhere only if it is a test key on a gateway in development mode.

use crate::common;

use common::{spawn, spawn_with, Backend, TestApp, REDIRECT};
use digigate_server::testing::on_both_backends;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// `POST …/sessions/init` with a key of `env` and `redirect_urls`, to `REDIRECT`.
async fn init_with_a_new_key(
    app: &TestApp,
    env: digigate_core::KeyEnvironment,
    redirect_urls: Vec<String>,
) -> (StatusCode, Value) {
    let created = digigate_server::auth::create_api_key(
        app.store.as_ref(),
        &digigate_server::auth::SecretHasher::new(1),
        None,
        "redirects",
        env,
        redirect_urls,
        0,
    )
    .await
    .unwrap();
    let (key, secret) = (created.id.to_string(), created.secret);
    let token = app.authenticate(&key, &secret).await;
    let request = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin", "redirect_url": REDIRECT, "doc_types": ["pan"],
    });
    let res = app
        .api
        .post(format!("{}/kyc/digilocker/sessions/init", app.base))
        .header("x-api-key", key)
        .header("authorization", token)
        .json(&request)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn a_live_key_without_registered_redirect_urls_cannot_create_sessions(backend: Backend) {
    use digigate_core::KeyEnvironment::{Live, Test};
    let app = spawn(backend).await;
    let (code, b) = init_with_a_new_key(&app, Live, Vec::new()).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("this API key has no registered redirect URLs"),
        "{b}"
    );
    assert_eq!(app.sessions_created().await, 0, "no session was stored");
    let (code, _) = init_with_a_new_key(&app, Live, vec![REDIRECT.to_owned()]).await;
    assert_eq!(code, StatusCode::OK, "a live key with its URL registered");
    let (code, _) = init_with_a_new_key(&app, Test, Vec::new()).await;
    assert_eq!(code, StatusCode::OK, "a test key in development stays open");
}

async fn in_production_a_test_key_without_registered_redirect_urls_cannot_create_sessions(
    backend: Backend,
) {
    use digigate_core::KeyEnvironment::Test;
    let app = spawn_with(backend, |c| c.development = false).await;
    let (code, b) = init_with_a_new_key(&app, Test, Vec::new()).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("no registered redirect URLs"),
        "{b}"
    );
    let (code, _) = init_with_a_new_key(&app, Test, vec![REDIRECT.to_owned()]).await;
    assert_eq!(code, StatusCode::OK);
}

on_both_backends!(
    a_live_key_without_registered_redirect_urls_cannot_create_sessions,
    in_production_a_test_key_without_registered_redirect_urls_cannot_create_sessions,
);
