//! The wire contract, pinned: every answer and error envelope of the API, as a snapshot
//! (`tests/api/snapshots/`), so any change to the bytes Sandbox's clients read is a visible diff.
//! Volatile values (times, ids, tokens, signed links) are redacted; each body is also checked to
//! be compact JSON with every object's keys in byte order, the exact bytes the gateway has
//! always written, which a snapshot of the parsed value alone would not show. Both backends
//! compare against the same snapshots.

use crate::common;

use common::{spawn, Backend, TestApp};
use digigate_server::testing::on_both_backends;
use insta::{assert_json_snapshot, Settings};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// The body of `res` after checking its status and that its bytes are the compact, key-ordered
/// form of its value (what `serde_json` writes for a `Value`, as the handlers once built).
async fn body(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    let text = res.text().await.unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(text, value.to_string(), "not the byte-ordered compact form");
    value
}

/// The settings every wire snapshot shares: one snapshot per answer for both backends, and the
/// values that differ from run to run replaced by their names.
fn wire_settings() -> Settings {
    let mut s = Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_snapshot_path("snapshots");
    s.set_sort_maps(false);
    for (selector, name) in [
        (".timestamp", "[timestamp]"),
        (".transaction_id", "[transaction_id]"),
        (".data.id", "[id]"),
        (".data.session_id", "[session_id]"),
        (".data.created_at", "[millis]"),
        (".data.updated_at", "[millis]"),
        (".data.erased_at", "[millis]"),
        (".data.history[].at", "[millis]"),
        (".data.authorization_url", "[authorization_url]"),
        (".data.access_token", "[access_token]"),
        (".data.files[].url", "[signed_link]"),
        (".data.endpoint_id", "[endpoint_id]"),
        (".data.secret", "[whsec]"),
        (".data.previous_secret_valid_until", "[millis]"),
        (".data.endpoints[].endpoint_id", "[endpoint_id]"),
        (".data.endpoints[].created_at", "[millis]"),
        (".data.endpoints[].previous_secret_valid_until", "[millis]"),
        // When the document was fetched and checked, and what the test's signing keys (made
        // for the run) put in its certificates and bytes.
        (".data.verification.fetched_at", "[time]"),
        (".data.verification.validity_checked_at", "[time]"),
        (".data.verification.chain[].serial", "[serial]"),
        (
            ".data.verification.chain[].sha256_fingerprint",
            "[fingerprint]",
        ),
        (".data.verification.signer_serial", "[serial]"),
        (".data.verification.document_sha256", "[sha256]"),
    ] {
        s.add_redaction(selector, name);
    }
    s
}

/// A POST with this app's credentials.
async fn post(app: &TestApp, path: &str, body: &Value) -> Response {
    app.post(path, body).await
}

async fn every_answer_is_the_pinned_wire_shape(backend: Backend) {
    let app = spawn(backend).await;
    let settings = wire_settings();
    let _bound = settings.bind_to_scope();

    // Credentials.
    let res = app
        .api
        .post(format!("{}/authenticate", app.base))
        .header("x-api-key", &app.key)
        .header("x-api-secret", &app.secret)
        .send()
        .await
        .unwrap();
    assert_json_snapshot!("authenticate", body(res, StatusCode::OK).await);
    let res = app.try_authenticate(&app.key, "wrong").await;
    assert_json_snapshot!("error_401", body(res, StatusCode::UNAUTHORIZED).await);

    // Init and its errors.
    let res = post(
        &app,
        "/kyc/digilocker/sessions/init",
        &json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin",
            "redirect_url": common::REDIRECT,
            "doc_types": ["pan"],
        }),
    )
    .await;
    let created = body(res, StatusCode::OK).await;
    let id = created["data"]["session_id"].as_str().unwrap().to_owned();
    assert_json_snapshot!("init", created);
    let res = post(
        &app,
        "/kyc/digilocker/sessions/init",
        &json!({"@entity": "in.co.sandbox.kyc.digilocker.session.request", "flow": "sideways"}),
    )
    .await;
    assert_json_snapshot!("error_400_init", body(res, StatusCode::BAD_REQUEST).await);

    // A fresh session: its status, and the results it does not have yet.
    let status_path = format!("/kyc/digilocker/sessions/{id}/status");
    let res = app.get(&status_path).await;
    assert_json_snapshot!("status_created", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/user/profile"))
        .await;
    assert_json_snapshot!("error_409_lifecycle", body(res, StatusCode::CONFLICT).await);
    let res = app
        .get("/kyc/digilocker/sessions/00000000-0000-4000-8000-000000000000/status")
        .await;
    assert_json_snapshot!("error_404_session", body(res, StatusCode::NOT_FOUND).await);
    let res = app.get("/no/such/route").await;
    assert_json_snapshot!("error_404_route", body(res, StatusCode::NOT_FOUND).await);
    let res = app
        .api
        .put(format!("{}/kyc/digilocker/sessions/init", app.base))
        .send()
        .await
        .unwrap();
    assert_json_snapshot!("error_405", body(res, StatusCode::METHOD_NOT_ALLOWED).await);

    // A succeeded session's status, document, profile, checks, and erasure.
    let (id, _) = app.consented_journey(&["pan"]).await;
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/status"))
        .await;
    assert_json_snapshot!("status_succeeded", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/documents/pan"))
        .await;
    assert_json_snapshot!("document_pan", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/documents/aadhaar"))
        .await;
    assert_json_snapshot!(
        "error_400_consent",
        body(res, StatusCode::BAD_REQUEST).await
    );
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/user/profile"))
        .await;
    assert_json_snapshot!("profile", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/checks"))
        .await;
    assert_json_snapshot!("checks", body(res, StatusCode::OK).await);
    let res = app.delete(&format!("/kyc/digilocker/sessions/{id}")).await;
    assert_json_snapshot!("erasure", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/documents/pan"))
        .await;
    // A deleted session's results are gone for its caller (retention's erasure answers 410,
    // `privacy.rs`).
    let mut gone = body(res, StatusCode::NOT_FOUND).await;
    let message = gone["message"]
        .as_str()
        .unwrap()
        .replace(&id, "[session_id]");
    gone["message"] = message.into();
    assert_json_snapshot!("error_404_deleted", gone);

    // A failed session says why and whether trying again may help; a succeeded one names the
    // documents DigiLocker did not provide, and fetching one is a 404 that says why.
    let (denied, _) = app.signin_denying("9000000001", &["aadhaar"]).await;
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{denied}/status"))
        .await;
    assert_json_snapshot!("status_failed", body(res, StatusCode::OK).await);
    let (partial, _) = app.signin_allowing("9000000002", &["aadhaar", "pan"]).await;
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{partial}/status"))
        .await;
    assert_json_snapshot!("status_documents_missing", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!(
            "/kyc/digilocker/sessions/{partial}/documents/aadhaar"
        ))
        .await;
    assert_json_snapshot!(
        "error_404_unavailable",
        body(res, StatusCode::NOT_FOUND).await
    );

    // The account lookup.
    let res = post(
        &app,
        "/kyc/digilocker/user/verify",
        &json!({"@entity": "in.co.sandbox.kyc.digilocker.user.verification.request", "mobile": "9000000001"}),
    )
    .await;
    assert_json_snapshot!("user_verify", body(res, StatusCode::OK).await);

    // The SDK variant.
    let res = post(
        &app,
        "/kyc/digilocker-sdk/sessions/create",
        &json!({"@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request", "flow": "signin", "doc_types": ["pan"]}),
    )
    .await;
    let sdk = body(res, StatusCode::OK).await;
    let sdk_id = sdk["data"]["id"].as_str().unwrap().to_owned();
    assert_json_snapshot!("sdk_create", sdk);
    let res = app
        .get(&format!("/kyc/digilocker-sdk/sessions/{sdk_id}/status"))
        .await;
    assert_json_snapshot!("sdk_status", body(res, StatusCode::OK).await);

    // Webhook endpoints.
    let res = post(
        &app,
        "/webhooks/endpoints",
        &json!({ "url": "http://127.0.0.1:9/hook" }),
    )
    .await;
    let added = body(res, StatusCode::OK).await;
    let endpoint = added["data"]["endpoint_id"].as_str().unwrap().to_owned();
    assert_json_snapshot!("webhook_added", added);
    let res = post(
        &app,
        &format!("/webhooks/endpoints/{endpoint}/rotate-secret"),
        &json!({}),
    )
    .await;
    assert_json_snapshot!("webhook_rotated", body(res, StatusCode::OK).await);
    let res = app.get("/webhooks/endpoints").await;
    assert_json_snapshot!("webhook_list", body(res, StatusCode::OK).await);
    let res = app
        .get(&format!("/webhooks/endpoints/{endpoint}/deliveries"))
        .await;
    assert_json_snapshot!("webhook_deliveries", body(res, StatusCode::OK).await);
    let res = post(
        &app,
        &format!("/webhooks/endpoints/{endpoint}/redeliver"),
        &json!({ "id": "evt_unknown" }),
    )
    .await;
    assert_json_snapshot!(
        "error_404_redeliver",
        body(res, StatusCode::NOT_FOUND).await
    );
    let res = app.delete(&format!("/webhooks/endpoints/{endpoint}")).await;
    assert_json_snapshot!("webhook_removed", body(res, StatusCode::OK).await);

    // Readiness (not enveloped: probes read it).
    let res = app.get_anonymous("/readyz").await;
    assert_json_snapshot!("readyz", body(res, StatusCode::OK).await);
}

on_both_backends!(every_answer_is_the_pinned_wire_shape);
