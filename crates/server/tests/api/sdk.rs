//! Sandbox's DigiLocker SDK variant over real HTTP: sessions created without a `redirect_url`,
//! read through the SDK paths with the SDK's entity tag, and a journey that ends on the gateway's
//! completion page, which posts the outcome only to the embedding page's origin.

use crate::common;

use common::{spawn, spawn_with, without_signature, Backend, TestApp};
use digigate_client::simulator::{Browser, Person};
use digigate_server::testing::on_both_backends;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

const SDK: &str = "/kyc/digilocker-sdk/sessions";
const SDK_SESSION: &str = "in.co.sandbox.kyc.digilocker.sdk.session";

fn request(doc_types: &[&str]) -> Value {
    json!({
        "@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request",
        "flow": "signin",
        "doc_types": doc_types,
    })
}

/// Creates an SDK session; returns its `data`.
async fn create(app: &TestApp, doc_types: &[&str]) -> Value {
    let res = app
        .post(&format!("{SDK}/create"), &request(doc_types))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], 200);
    v["data"].clone()
}

/// The id of an SDK session created for `doc_types`.
async fn created_id(app: &TestApp, doc_types: &[&str]) -> String {
    create(app, doc_types).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The gateway's own origin, which development mode allows to embed the SDK (the demo's).
fn origin(app: &TestApp) -> String {
    Url::parse(&app.base)
        .unwrap()
        .origin()
        .ascii_serialization()
}

async fn an_sdk_session_is_created_and_read_with_sandboxs_entity_tags(backend: Backend) {
    let app = spawn(backend).await;
    let data = create(&app, &["aadhaar", "pan"]).await;
    assert_eq!(data["@entity"], SDK_SESSION);
    assert_eq!(data["status"], "created");
    assert!(data["created_at"].as_i64().unwrap() > 0);
    let id = data["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(
        data.as_object().unwrap().len(),
        4,
        "Sandbox's four fields: {data}"
    );
    let res = app.get(&format!("{SDK}/{id}/status")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let status: Value = res.json().await.unwrap();
    assert_eq!(status["data"]["@entity"], SDK_SESSION);
    assert_eq!(status["data"]["id"], id);
    assert_eq!(status["data"]["status"], "created");
    // An SDK session is a session: the plain path reads it too, with its own tag.
    assert_eq!(
        app.status(id).await["@entity"],
        "in.co.sandbox.kyc.digilocker.session"
    );
    for path in ["user/profile", "documents/pan"] {
        let res = app.get(&format!("{SDK}/{id}/{path}")).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{path} before consent");
    }
}

async fn fields_the_sdk_request_has_not_are_refused_and_nothing_is_stored(backend: Backend) {
    let app = spawn(backend).await;
    let before = app.sessions_created().await;
    let mut with_redirect = request(&["pan"]);
    with_redirect["redirect_url"] = json!("https://business.example/kyc/done");
    let mut with_options = request(&["pan"]);
    with_options["options"] = json!({"pinless": true});
    let mut init_entity = request(&["pan"]);
    init_entity["@entity"] = json!("in.co.sandbox.kyc.digilocker.session.request");
    for (body, field) in [
        (with_redirect, "redirect_url"),
        (with_options, "options"),
        (init_entity, "@entity"),
        (request(&["pan", "pan"]), "doc_types[1]"),
        (request(&["passport"]), "doc_types[0]"),
    ] {
        let res = app.post(&format!("{SDK}/create"), &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["code"], 400);
        let message = v["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("Invalid request body: {field} ")),
            "{message}"
        );
        assert!(v["transaction_id"].is_string() && v.get("data").is_none());
    }
    assert_eq!(app.sessions_created().await, before);
}

async fn another_keys_sdk_session_is_not_found(backend: Backend) {
    let app = spawn(backend).await;
    let id = created_id(&app, &["pan"]).await;
    let (key, secret) = app.create_key(Vec::new()).await;
    let token = app.authenticate(&key, &secret).await;
    for path in ["status", "user/profile", "documents/pan"] {
        for base in [SDK, "/kyc/digilocker/sessions"] {
            let res = app
                .get_as(&format!("{base}/{id}/{path}"), &key, &token)
                .await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{base} {path}");
        }
    }
}

/// The SDK's popup as a scripted browser: start page, DigiLocker, callback, completion page.
async fn sdk_journey(app: &TestApp, id: &str, person: &Person) -> (Browser, Url) {
    let browser = Browser::new();
    let start = Url::parse(&format!(
        "{}/sdk/start/{id}?origin={}",
        app.base,
        origin(app)
    ))
    .unwrap();
    let page = browser.open_link(&start).await.unwrap();
    let callback = browser.consent(page, person).await.unwrap();
    let complete = browser.finish(&callback).await.unwrap();
    (browser, complete)
}

async fn an_sdk_journey_ends_on_the_completion_page_which_posts_to_the_embedding_origin(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let id = created_id(&app, &["aadhaar", "pan"]).await;
    let (browser, complete) = sdk_journey(&app, &id, &Person::allowing("9000000001")).await;
    assert_eq!(
        without_signature(complete.as_str()),
        format!("{}/sdk/complete?session_id={id}&status=succeeded", app.base)
    );
    let res = browser.get(complete.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'sha256-") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    let html = res.text().await.unwrap();
    assert!(html.contains("data-event=\"in.co.sandbox.kyc.digilocker_sdk.session.completed\""));
    assert!(
        html.contains(&format!("data-origin=\"{}\"", origin(&app))),
        "{html}"
    );
    assert!(html.contains(&format!("data-session=\"{id}\"")));
    // Without the start page's cookie (another browser), the page posts to nobody.
    let stranger = Browser::new().get(complete).await.unwrap();
    assert_eq!(stranger.status(), StatusCode::OK);
    assert!(!stranger.text().await.unwrap().contains("data-origin"));
    let status = app.get(&format!("{SDK}/{id}/status")).await;
    let status: Value = status.json().await.unwrap();
    assert_eq!(status["data"]["status"], "succeeded");
    assert_eq!(
        status["data"]["documents_consented"],
        json!(["aadhaar", "pan"])
    );
    let doc = app.get(&format!("{SDK}/{id}/documents/pan")).await;
    assert_eq!(doc.status(), StatusCode::OK);
    let doc: Value = doc.json().await.unwrap();
    assert_eq!(doc["data"]["files"][0]["@entity"], "org.quicko.drive.file");
    let profile = app.get(&format!("{SDK}/{id}/user/profile")).await;
    assert_eq!(profile.status(), StatusCode::OK);
}

async fn a_denied_sdk_journey_reports_a_failure_with_its_reason(backend: Backend) {
    let app = spawn(backend).await;
    let id = created_id(&app, &["pan"]).await;
    let (browser, complete) = sdk_journey(&app, &id, &Person::denying("9000000001")).await;
    let html = browser.get(complete).await.unwrap().text().await.unwrap();
    assert!(html.contains("data-event=\"in.co.sandbox.kyc.digilocker_sdk.session.failed\""));
    assert!(html.contains("data-reason=\"consent_denied\""), "{html}");
}

async fn the_start_page_refuses_an_origin_the_key_does_not_allow(backend: Backend) {
    let app = spawn(backend).await;
    let id = created_id(&app, &["pan"]).await;
    let browser = Browser::new();
    for origin in ["https://evil.example", "", "null"] {
        let res = browser
            .get(format!("{}/sdk/start/{id}?origin={origin}", app.base))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin:?}");
        assert!(res.headers().get("set-cookie").is_none());
    }
    let res = browser
        .get(format!(
            "{}/sdk/start/no-such-session?origin={}",
            app.base,
            origin(&app)
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A session made by init is no SDK session: its journey cannot be started here.
    let (plain, _) = app.init("signin", &["pan"], json!({})).await;
    let res = browser
        .get(format!(
            "{}/sdk/start/{plain}?origin={}",
            app.base,
            origin(&app)
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.status(&id).await["status"], "created");
}

async fn a_key_registers_its_embedding_origins_through_its_redirect_urls(backend: Backend) {
    let app = spawn_with(backend, |c| c.development = false).await;
    let res = app.post(&format!("{SDK}/create"), &request(&["pan"])).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "a key without redirect URLs"
    );
    let (key, secret) = app
        .create_key(vec!["https://shop.example/kyc/done".into()])
        .await;
    let token = app.authenticate(&key, &secret).await;
    let res = app
        .api
        .post(format!("{}{SDK}/create", app.base))
        .header("x-api-key", &key)
        .header("authorization", &token)
        .json(&request(&["pan"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let id = res.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Browser::new();
    let start = |o: &str| format!("{}/sdk/start/{id}?origin={o}", app.base);
    let res = browser.get(start("https://shop.example")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("/connect/"));
    // Production does not lend the gateway's own origin, and serves no demo.
    let res = browser.get(start(&origin(&app))).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let demo = browser.get(format!("{}/sdk/demo", app.base)).await.unwrap();
    assert_eq!(demo.status(), StatusCode::NOT_FOUND);
}

async fn the_script_is_served_with_a_long_cache_under_its_versioned_name(backend: Backend) {
    let app = spawn(backend).await;
    let get = |path: String| async move { reqwest::get(path).await.unwrap() };
    let plain = get(format!("{}/sdk/digilocker.js", app.base)).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(
        plain.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(plain.headers()["cache-control"], "public, max-age=300");
    let source = plain.text().await.unwrap();
    assert!(source.contains("DigilockerSDK") && !source.contains("import "));
    let demo = get(format!("{}/sdk/demo", app.base))
        .await
        .text()
        .await
        .unwrap();
    let name = demo
        .split("/sdk/")
        .find_map(|s| s.split('"').next().filter(|n| n.starts_with("digilocker.")))
        .expect("the demo includes the versioned script")
        .to_owned();
    assert_ne!(name, "digilocker.js");
    let versioned = get(format!("{}/sdk/{name}", app.base)).await;
    assert_eq!(
        versioned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(versioned.text().await.unwrap(), source);
    let other = get(format!("{}/sdk/digilocker.000000000000.js", app.base)).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

on_both_backends!(
    an_sdk_session_is_created_and_read_with_sandboxs_entity_tags,
    fields_the_sdk_request_has_not_are_refused_and_nothing_is_stored,
    another_keys_sdk_session_is_not_found,
    an_sdk_journey_ends_on_the_completion_page_which_posts_to_the_embedding_origin,
    a_denied_sdk_journey_reports_a_failure_with_its_reason,
    the_start_page_refuses_an_origin_the_key_does_not_allow,
    a_key_registers_its_embedding_origins_through_its_redirect_urls,
    the_script_is_served_with_a_long_cache_under_its_versioned_name,
);
