//! Hostile input: a table of malformed requests (bad JSON, wrong types, huge values, control
//! characters, unicode tricks, duplicated headers, wrong content types, path traversal, forged
//! download links and callbacks, unknown sessions, oversized bodies), sent byte for byte over a
//! raw socket. Each must get its exact 4xx with a clear JSON message (an HTML page on browser
//! routes), the server must stay healthy, and nothing stored may change.

mod corpus;
mod raw;

use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use common::{spawn, Backend, TestApp};
use digigate_client::simulator::Person;
use digigate_server::links::LinkSigner;
use digigate_server::testing::on_both_backends;
use digigate_server::vault::{sha256_hex, Vault};
use raw::{send, RawRequest, RawResponse};
use reqwest::StatusCode;
use secrecy::SecretBox;
use serde_json::{json, Value};

/// A download link split into its parts.
pub struct Link {
    id: String,
    expires: i64,
    signature: String,
}

/// What the corpus is built from: credentials, sessions in known states and genuine links.
pub struct Ctx {
    key: String,
    secret: String,
    token: String,
    other_key: String,
    other_token: String,
    alg_none_token: String,
    completed: String,
    completed_link: String,
    created: String,
    other_session: String,
    aadhaar: Link,
    pan: Link,
    expired_link: String,
    ghost_link: String,
    replayed_callback: String,
}

impl Ctx {
    /// An API request with this app's credentials.
    fn api(&self, method: &'static str, target: impl Into<String>) -> RawRequest {
        RawRequest::new(method, target)
            .header("x-api-key", &self.key)
            .header("authorization", &self.token)
            .header("x-api-version", "1.0.0")
    }

    /// A `cookie` header value that looks like the browser binding of `state`.
    fn cookie_for(&self, state: &str) -> String {
        format!("dgb_{}=forged", &sha256_hex(state.as_bytes())[..16])
    }
}

fn link_of(url: &str) -> Link {
    let url = url::Url::parse(url).unwrap();
    let q = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    Link {
        id: url.path().rsplit('/').next().unwrap().to_owned(),
        expires: q("expires").parse().unwrap(),
        signature: q("signature"),
    }
}

async fn file_link(app: &TestApp, session: &str, doc: &str) -> Link {
    let res = app
        .get(&format!(
            "/kyc/digilocker/sessions/{session}/documents/{doc}"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    link_of(body["data"]["files"][0]["url"].as_str().unwrap())
}

async fn init_as(app: &TestApp, key: &str, token: &str) -> String {
    let res = app
        .api
        .post(format!("{}/kyc/digilocker/sessions/init", app.base))
        .header("x-api-key", key)
        .header("authorization", token)
        .json(&corpus::valid_init())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["data"]["session_id"].as_str().unwrap().to_owned()
}

async fn context(app: &TestApp) -> Ctx {
    let (other_key, other_secret) = app.create_key(Vec::new()).await;
    let other_token = app.authenticate(&other_key, &other_secret).await;
    let other_session = init_as(app, &other_key, &other_token).await;
    let docs = ["aadhaar", "pan", "driving_license"];
    let (completed, link) = app.init("signin", &docs, json!({})).await;
    let (browser, callback) = app
        .to_callback(&link, &Person::allowing("9000000001"))
        .await;
    app.finish_callback(&browser, &callback).await;
    assert_eq!(app.status(&completed).await["status"], "succeeded");
    let (created, _) = app.init("signin", &["pan"], json!({})).await;
    let signer = LinkSigner::new(
        Vault::new(&SecretBox::new(Box::new([1u8; 32]))).derive("download-links/v1"),
    );
    let aadhaar = file_link(app, &completed, "aadhaar").await;
    let now = chrono::Utc::now().timestamp();
    let claims = app.token.split('.').nth(1).unwrap();
    Ctx {
        key: app.key.clone(),
        secret: app.secret.clone(),
        token: app.token.clone(),
        other_key,
        other_token,
        alg_none_token: format!("{}.{claims}.", B64.encode(r#"{"alg":"none","typ":"JWT"}"#)),
        completed_link: link.rsplit('/').next().unwrap().to_owned(),
        pan: file_link(app, &completed, "pan").await,
        expired_link: signer.sign(&aadhaar.id, now - 1),
        ghost_link: signer.sign("00000000-0000-4000-8000-000000000000", now + 300),
        aadhaar,
        completed,
        created,
        other_session,
        replayed_callback: format!("?{}", callback.query().unwrap()),
    }
}

/// Everything stored, as far as the store trait shows it for the sessions the corpus aims at,
/// plus the row count of every table.
#[derive(Debug, PartialEq)]
struct Snapshot {
    keys: Vec<digigate_store::ApiKeyRecord>,
    sessions: Vec<Option<digigate_store::SessionRecord>>,
    documents: Vec<Vec<digigate_store::DocumentRecord>>,
    profiles: Vec<bool>,
    data_keys: Vec<bool>,
    audit: Vec<digigate_store::AuditEntry>,
    rows: Vec<(String, i64)>,
}

async fn snapshot(app: &TestApp, c: &Ctx, backend: Backend) -> Snapshot {
    let store = &app.store;
    let ids = [&c.completed, &c.created, &c.other_session];
    let mut s = Snapshot {
        keys: store.list_api_keys().await.unwrap(),
        sessions: Vec::new(),
        documents: Vec::new(),
        profiles: Vec::new(),
        data_keys: Vec::new(),
        audit: store.audit_log(None, 1_000_000).await.unwrap(),
        rows: Vec::new(),
    };
    for id in ids {
        s.sessions.push(store.session(id).await.unwrap());
        s.documents.push(store.documents(id).await.unwrap());
        s.profiles.push(store.profile(id).await.unwrap().is_some());
        s.data_keys
            .push(store.data_key(id).await.unwrap().is_some());
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let list_tables = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(list_tables)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(tables.contains(&"sessions".to_owned()), "{tables:?}");
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&pool)
            .await
            .unwrap();
        s.rows.push((table, n));
    }
    pool.close().await;
    s
}

fn is_browser_route(target: &str) -> bool {
    target.starts_with("/connect/") || target.starts_with("/callbacks/")
}

/// The answer must be the exact status with a clear message: JSON `{code, message, timestamp,
/// transaction_id}` on the API, an HTML page that does not echo markup on browser routes.
fn check(case: &corpus::Case, res: &RawResponse) -> Result<(), String> {
    let want = case.expected_status;
    if res.status != want {
        return Err(format!(
            "status {} instead of {want}: {}",
            res.status,
            res.text()
        ));
    }
    let ctype = res.header("content-type").unwrap_or_default();
    if is_browser_route(&case.request.target) {
        if !ctype.starts_with("text/html") {
            return Err(format!("content-type {ctype:?} instead of HTML"));
        }
        let page = res.text();
        if page.contains("<script>") || page.contains("<img") {
            return Err("the page echoes markup from the request".into());
        }
        return Ok(());
    }
    if ctype != "application/json" {
        return Err(format!(
            "content-type {ctype:?} instead of JSON: {}",
            res.text()
        ));
    }
    let body = res.json().ok_or("the body is not JSON")?;
    let message = body["message"].as_str().unwrap_or_default();
    if message.is_empty() || body["code"] != json!(want) || !body["transaction_id"].is_string() {
        return Err(format!("not a clear error envelope: {body}"));
    }
    if body.get("data").is_some() {
        return Err(format!("an error with data: {body}"));
    }
    Ok(())
}

async fn every_malformed_request_gets_its_exact_status_and_changes_nothing_stored(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let ctx = context(&app).await;
    let cases = corpus::corpus(&ctx);
    assert!(cases.len() >= 100, "the corpus has {} cases", cases.len());
    let before = snapshot(&app, &ctx, backend).await;

    let mut failures = Vec::new();
    for case in &cases {
        let res = send(app.addr, &case.request).await;
        if let Err(why) = check(case, &res) {
            failures.push(format!(
                "{}: {} {}: {why}",
                case.name,
                case.request.method,
                case.request.target.chars().take(120).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    assert_eq!(
        snapshot(&app, &ctx, backend).await,
        before,
        "the corpus changed stored state"
    );
    let health = send(app.addr, &RawRequest::new("GET", "/health")).await;
    assert_eq!((health.status, health.text().as_str()), (200, "ok"));
    let (id, _) = app.init("signin", &["aadhaar"], json!({})).await;
    assert_eq!(app.status(&id).await["status"], "created");
    assert_eq!(app.status(&ctx.completed).await["status"], "succeeded");
}

fn upper(method: &str) -> &'static str {
    match method {
        "get" => "GET",
        "post" => "POST",
        "put" => "PUT",
        "patch" => "PATCH",
        "delete" => "DELETE",
        other => panic!("undocumentable method {other}"),
    }
}

async fn every_documented_operation_is_routed_on_the_live_server(backend: Backend) {
    let app = spawn(backend).await;
    // An endpoint, so the journey's events make deliveries to redeliver (its operations run
    // before its removal).
    let added: Value = app
        .post(
            "/webhooks/endpoints",
            &json!({ "url": "http://127.0.0.1:9/hook" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let endpoint = added["data"]["endpoint_id"].as_str().unwrap().to_owned();
    let (done, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let (_, link) = app.init("signin", &["pan"], json!({})).await;
    let (doomed, _) = app.init("signin", &["pan"], json!({})).await;
    let file = file_link(&app, &done, "aadhaar").await;
    let event = app.store.session_events(&done).await.unwrap()[0].id.clone();
    let spec: Value = app
        .get_anonymous("/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut operations = digigate_server::documented_operations();
    // Deleting a session or an endpoint last, so the other operations find theirs.
    operations.sort_by_key(|op| op.method == "delete");
    for op in &operations {
        assert!(
            spec["paths"][&op.path][&op.method].is_object(),
            "{} {} served",
            op.method,
            op.path
        );
    }
    for op in operations {
        let (method, path) = (op.method.as_str(), op.path.as_str());
        let session = if method == "delete" { &doomed } else { &done };
        let target = path
            .replace("{session_id}", session)
            .replace("{doc_type}", "aadhaar")
            .replace("{script}", "digilocker.js")
            .replace("{link_id}", link.rsplit('/').next().unwrap())
            .replace("{endpoint_id}", &endpoint)
            .replace(
                "{document_id}",
                &format!(
                    "{}?expires={}&signature={}",
                    file.id, file.expires, file.signature
                ),
            );
        let mut req = RawRequest::new(upper(method), target.clone())
            .header("x-api-key", &app.key)
            .header("authorization", &app.token)
            .header("x-api-secret", &app.secret);
        if method == "post" {
            let body = match path {
                "/kyc/digilocker/user/verify" => {
                    json!({"@entity": "in.co.sandbox.kyc.digilocker.user.verification.request", "mobile": "9000000001"})
                }
                "/webhooks/endpoints" => json!({ "url": "http://127.0.0.1:9/other" }),
                "/webhooks/endpoints/{endpoint_id}/redeliver" => json!({ "id": event }),
                "/kyc/digilocker-sdk/sessions/create" => {
                    json!({"@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request", "flow": "signin", "doc_types": ["pan"]})
                }
                _ => corpus::valid_init(),
            };
            req = req.json(&body);
        }
        let res = send(app.addr, &req).await;
        let fallback = res.status == 404 && res.json().is_some_and(|b| b["message"] == "Not found");
        assert!(
            res.status != 405 && !fallback,
            "{method} {target} is documented but not routed: {} {}",
            res.status,
            res.text()
        );
        assert!(
            // The browser's pages refuse requests without their state or cookie, and the SDK's
            // popup pages answer 404 pages for a session made by init.
            res.status < 400
                || [
                    "/callbacks/digilocker",
                    "/callbacks/digilocker/wait",
                    "/sdk/start/{session_id}",
                    "/sdk/complete",
                ]
                .contains(&path),
            "{method} {target}: {}",
            res.status
        );
    }
}

on_both_backends!(
    every_malformed_request_gets_its_exact_status_and_changes_nothing_stored,
    every_documented_operation_is_routed_on_the_live_server,
);
