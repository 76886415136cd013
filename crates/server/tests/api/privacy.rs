//! Who may see what, and how long: erasure on request, retention, key disabling, token
//! handling, rate limits and redirect allow-lists, over real HTTP.

use crate::common;

use common::{spawn, spawn_with, Backend, TestApp, REDIRECT};
use digigate_server::testing::on_both_backends;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn body(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn delete(app: &TestApp, id: &str) -> (StatusCode, Value) {
    let res = app.delete(&format!("/kyc/digilocker/sessions/{id}")).await;
    body(res).await
}

/// The session's sealed values exactly as stored: wrapped data key, documents, profile.
async fn stored_sealed_values(app: &TestApp, id: &str) -> Vec<Vec<u8>> {
    let mut values = vec![app.store.data_key(id).await.unwrap().unwrap().wrapped_key];
    for d in app.store.documents(id).await.unwrap() {
        values.push(d.sealed);
        values.extend(d.normalised_sealed);
    }
    values.push(app.store.profile(id).await.unwrap().unwrap().sealed);
    assert!(values.len() >= 4, "a data key, documents and a profile");
    values
}

/// On SQLite: how many of `values` the raw database file and its WAL still hold a piece of.
/// Pieces of 32 bytes, because a large value is split over overflow pages.
fn found_in_sqlite_files(app: &TestApp, backend: Backend, values: &[Vec<u8>]) -> usize {
    if !matches!(backend, Backend::Sqlite) {
        return 0;
    }
    let path = app.db.url.trim_start_matches("sqlite://");
    let path = path.split('?').next().unwrap();
    let mut raw = std::fs::read(path).unwrap();
    raw.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    values
        .iter()
        .filter(|v| {
            v.chunks_exact(32)
                .any(|piece| raw.windows(32).any(|w| w == piece))
        })
        .count()
}

async fn deleting_a_session_erases_it_and_later_reads_answer_404(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let sealed = stored_sealed_values(&app, &id).await;
    if matches!(backend, Backend::Sqlite) {
        assert_eq!(found_in_sqlite_files(&app, backend, &sealed), sealed.len());
    }
    let (code, receipt) = delete(&app, &id).await;
    assert_eq!(
        found_in_sqlite_files(&app, backend, &sealed),
        0,
        "the erased values are gone from the SQLite files"
    );
    assert_eq!(code, StatusCode::OK);
    assert_eq!(receipt["data"]["session_id"], id.as_str());
    let erased_at = receipt["data"]["erased_at"].as_i64().unwrap();
    for path in ["status", "user/profile", "documents/aadhaar"] {
        let (code, b) = body(
            app.get(&format!("/kyc/digilocker/sessions/{id}/{path}"))
                .await,
        )
        .await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(b["message"], format!("Data not found for: {id}"));
    }
    assert_eq!(app.store.documents(&id).await.unwrap(), vec![]);
    assert_eq!(app.store.data_key(&id).await.unwrap(), None);
    let (code, again) = delete(&app, &id).await;
    assert_eq!(code, StatusCode::OK, "repeating is harmless");
    assert_eq!(again["data"]["erased_at"].as_i64(), Some(erased_at));
    let actions: Vec<String> = app
        .store
        .audit_log(Some(&id), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"session.deleted".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"document.read".to_owned())
            || actions.contains(&"session.created".to_owned())
    );
}

async fn another_key_cannot_delete_a_session(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app.consented_journey(&["aadhaar"]).await;
    let (key, secret) = app.create_key(Vec::new()).await;
    let token = app.authenticate(&key, &secret).await;
    let res = app
        .delete_as(&format!("/kyc/digilocker/sessions/{id}"), &key, &token)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.status(&id).await["status"], "succeeded");
    assert_eq!(app.store.documents(&id).await.unwrap().len(), 1);
}

async fn retention_erases_documents_but_keeps_the_status(backend: Backend) {
    let app = spawn_with(backend, |c| c.retention = std::time::Duration::ZERO).await;
    let (id, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let sealed = stored_sealed_values(&app, &id).await;
    let erased = app
        .gateway
        .as_ref()
        .unwrap()
        .sweep_retention()
        .await
        .unwrap();
    assert!(erased >= 1);
    let status = app.status(&id).await;
    assert_eq!(status["status"], "succeeded");
    assert!(status["erased_at"].is_i64());
    for path in ["documents/aadhaar", "user/profile"] {
        let (code, b) = body(
            app.get(&format!("/kyc/digilocker/sessions/{id}/{path}"))
                .await,
        )
        .await;
        assert_eq!(code, StatusCode::GONE, "{path}");
        assert_eq!(b["message"], "Documents of this session were erased");
    }
    assert_eq!(app.store.data_key(&id).await.unwrap(), None);
    assert_eq!(
        found_in_sqlite_files(&app, backend, &sealed),
        0,
        "the erased values are gone from the SQLite files"
    );
    let token = app.store.upstream_token(&id).await.unwrap().unwrap();
    assert!(
        token.revoked_at_ms.is_some(),
        "the DigiLocker token was revoked"
    );
}

async fn a_disabled_keys_tokens_stop_working_at_once(backend: Backend) {
    let app = spawn(backend).await;
    assert_eq!(
        app.get("/kyc/digilocker/sessions/x/status").await.status(),
        StatusCode::NOT_FOUND
    );
    app.store
        .set_api_key_disabled(&app.key, Some(1))
        .await
        .unwrap();
    assert_eq!(
        app.get("/kyc/digilocker/sessions/x/status").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.try_authenticate(&app.key, &app.secret).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn rotating_a_secret_ends_the_tokens_issued_before(backend: Backend) {
    let app = spawn(backend).await;
    let path = "/kyc/digilocker/sessions/x/status";
    assert_eq!(app.get(path).await.status(), StatusCode::NOT_FOUND);
    // What `digigate keys rotate` does: a new secret hash, which bumps the key's generation.
    let hasher = digigate_server::auth::SecretHasher::new(1);
    let hash = hasher
        .hash("secret_test_rotatedrotatedrotated")
        .await
        .unwrap();
    assert!(app
        .store
        .set_api_key_secret_hash(&app.key, &hash)
        .await
        .unwrap());
    assert_eq!(
        app.get(path).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old token is dead"
    );
    let old_secret = app.try_authenticate(&app.key, &app.secret).await;
    assert_eq!(
        old_secret.status(),
        StatusCode::UNAUTHORIZED,
        "so is the old secret"
    );
    let token = app
        .authenticate(&app.key, "secret_test_rotatedrotatedrotated")
        .await;
    assert_eq!(
        app.get_as(path, &app.key, &token).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn bad_tokens_are_all_refused(backend: Backend) {
    let app = spawn(backend).await;
    let path = "/kyc/digilocker/sessions/x/status";
    let (other_key, other_secret) = app.create_key(Vec::new()).await;
    let other_token = app.authenticate(&other_key, &other_secret).await;
    let parts: Vec<&str> = app.token.split('.').collect();
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let none = format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let hs512 = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"HS512","typ":"JWT"}"#),
        parts[1],
        parts[2]
    );
    let wrong_sig = format!("{}.{}.{}", parts[0], parts[1], b64("forged"));
    for (what, key, token) in [
        ("alg none", app.key.as_str(), none.as_str()),
        ("another algorithm", &app.key, &hs512),
        ("a wrong signature", &app.key, &wrong_sig),
        ("another key's token", &app.key, &other_token),
        ("a token whose sub is not x-api-key", &other_key, &app.token),
        ("garbage", &app.key, "garbage"),
        ("an empty token", &app.key, ""),
    ] {
        assert_eq!(
            app.get_as(path, key, token).await.status(),
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    let no_key = app
        .api
        .get(format!("{}{path}", app.base))
        .header("authorization", &app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
    let bearer = app
        .get_as(path, &app.key, &format!("Bearer {}", app.token))
        .await;
    assert_eq!(
        bearer.status(),
        StatusCode::NOT_FOUND,
        "Bearer tokens are accepted too"
    );
}

async fn an_expired_token_is_refused(backend: Backend) {
    let app = spawn_with(backend, |c| c.token_ttl = std::time::Duration::ZERO).await;
    assert_eq!(
        app.get("/kyc/digilocker/sessions/x/status").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn requests_over_a_keys_rate_limit_get_429_with_retry_after(backend: Backend) {
    let app = spawn_with(backend, |c| c.rate_limit_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/kyc/digilocker/sessions/x/status").await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let res = app
        .api
        .get(format!("{}/kyc/digilocker/sessions/x/status", app.base))
        .header("x-api-key", &app.key)
        .header("authorization", &app.token)
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let (other, secret) = app.create_key(Vec::new()).await;
    let token = app.authenticate(&other, &secret).await;
    assert_eq!(
        app.get_as("/kyc/digilocker/sessions/x/status", &other, &token)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_flood_of_bad_secrets_is_cut_off(backend: Backend) {
    let app = spawn_with(backend, |c| c.auth_attempts_per_minute = 5).await;
    let mut codes = Vec::new();
    for i in 0..8 {
        let res = app
            .try_authenticate(&app.key, &format!("secret_test_wrong{i}"))
            .await;
        codes.push(res.status().as_u16());
    }
    // The harness authenticated once already in this minute from this address.
    assert!(codes.iter().take(4).all(|c| *c == 401), "{codes:?}");
    assert!(codes.iter().skip(5).all(|c| *c == 429), "{codes:?}");
}

async fn a_keys_redirect_allow_list_is_enforced(backend: Backend) {
    let app = spawn(backend).await;
    let (key, secret) = app.create_key(vec![REDIRECT.to_owned()]).await;
    let token = app.authenticate(&key, &secret).await;
    let init = |url: &str| {
        let body = json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin", "redirect_url": url, "doc_types": ["pan"],
        });
        app.api
            .post(format!("{}/kyc/digilocker/sessions/init", app.base))
            .header("x-api-key", &key)
            .header("authorization", &token)
            .json(&body)
            .send()
    };
    assert_eq!(init(REDIRECT).await.unwrap().status(), StatusCode::OK);
    for evil in [
        "https://evil.example/kyc/done",
        "https://business.example@evil.example/kyc/done",
        "https://business.example:8443/kyc/done",
        "https://business.example/kyc/done/../../evil",
        "https://business.example/kyc%2fdone",
        "https://business.example\\@evil.example/kyc/done",
        "javascript:alert(1)",
        "http://business.example/kyc/done",
    ] {
        let res = init(evil).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{evil}");
        let b: Value = res.json().await.unwrap();
        assert!(
            b["message"].as_str().unwrap().contains("redirect_url"),
            "{evil}"
        );
    }
}

async fn the_callback_and_pages_carry_strict_browser_headers(backend: Backend) {
    let app = spawn(backend).await;
    let (_, browser, callback) = app.consented_callback(&["aadhaar"]).await;
    // The callback answers the page forwarding to the business (the fetch ended within its
    // short wait) or the waiting page; both carry the same headers.
    let res = browser.get(callback.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let refresh = res.headers()["refresh"].to_str().unwrap();
    assert!(
        refresh.starts_with("0;url=") || refresh.starts_with("1;url="),
        "{refresh}"
    );
    let waiting = res.headers().clone();
    let location = browser
        .follow_to_business(&callback, res)
        .await
        .unwrap()
        .to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert!(
        !location.contains("code=") && !location.contains("state="),
        "{location}"
    );
    let unknown = browser
        .get(format!("{}/connect/unknown", app.base))
        .await
        .unwrap();
    for h in [&waiting, unknown.headers()] {
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
    }
}

async fn an_idempotency_key_creates_one_session_however_often_it_is_sent(backend: Backend) {
    let app = spawn(backend).await;
    let request = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin", "redirect_url": REDIRECT, "doc_types": ["aadhaar"],
    });
    let send = |key: String, token: String, body: Value| {
        app.api
            .post(format!("{}/kyc/digilocker/sessions/init", app.base))
            .header("x-api-key", key)
            .header("authorization", token)
            .header("idempotency-key", "order-42")
            .json(&body)
            .send()
    };
    let parallel: Vec<_> = (0..20)
        .map(|_| tokio::spawn(send(app.key.clone(), app.token.clone(), request.clone())))
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for task in parallel {
        let (code, b) = body(task.await.unwrap().unwrap()).await;
        match code {
            StatusCode::OK => {
                ids.insert(b["data"]["session_id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert!(b["message"].as_str().unwrap().contains("in progress")),
            other => panic!("unexpected {other}: {b}"),
        }
    }
    assert_eq!(ids.len(), 1, "one session for one key: {ids:?}");
    assert_eq!(
        stored_sessions(&app, &app.key).await,
        1,
        "one session stored"
    );
    let (code, again) = body(
        send(app.key.clone(), app.token.clone(), request.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(ids.contains(again["data"]["session_id"].as_str().unwrap()));
    let mut other_body = request.clone();
    other_body["doc_types"] = json!(["pan"]);
    let (code, b) = body(
        send(app.key.clone(), app.token.clone(), other_body)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // The key is scoped to the API key that used it.
    let (key, secret) = app.create_key(Vec::new()).await;
    let token = app.authenticate(&key, &secret).await;
    let (code, theirs) = body(send(key, token, request).await.unwrap()).await;
    assert_eq!(code, StatusCode::OK);
    assert!(!ids.contains(theirs["data"]["session_id"].as_str().unwrap()));
}

/// How many sessions of `api_key` the database holds, counted in SQL.
async fn stored_sessions(app: &TestApp, api_key: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE api_key_id = $1")
        .bind(api_key)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    count
}

async fn bodies_over_the_configured_size_get_413(backend: Backend) {
    let app = spawn_with(backend, |c| c.max_body_bytes = 300).await;
    let small = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin", "redirect_url": REDIRECT, "doc_types": ["pan"],
    });
    assert_eq!(
        app.post("/kyc/digilocker/sessions/init", &small)
            .await
            .status(),
        StatusCode::OK
    );
    let mut big = small.clone();
    big["padding"] = json!("x".repeat(400));
    let (code, b) = body(app.post("/kyc/digilocker/sessions/init", &big).await).await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(b["message"], "Request Entity Too Large");
}

async fn the_readiness_probe_fails_while_the_database_lacks_its_tables(backend: Backend) {
    let app = spawn(backend).await;
    let ready = || async {
        let res = app.get_anonymous("/ready").await;
        (res.status(), res.text().await.unwrap())
    };
    assert_eq!(ready().await, (StatusCode::OK, "ready".to_owned()));
    let rename = |from: &str, to: &str| format!("ALTER TABLE {from} RENAME TO {to}");
    app.run_sql(&rename("api_keys", "api_keys_elsewhere")).await;
    assert_eq!(
        ready().await,
        (StatusCode::SERVICE_UNAVAILABLE, "not ready".to_owned())
    );
    let health = app.get_anonymous("/health").await;
    assert_eq!(health.status(), StatusCode::OK, "liveness is not readiness");
    app.run_sql(&rename("api_keys_elsewhere", "api_keys")).await;
    assert_eq!(ready().await, (StatusCode::OK, "ready".to_owned()));
}

on_both_backends!(
    the_readiness_probe_fails_while_the_database_lacks_its_tables,
    rotating_a_secret_ends_the_tokens_issued_before,
    bodies_over_the_configured_size_get_413,
    an_idempotency_key_creates_one_session_however_often_it_is_sent,
    deleting_a_session_erases_it_and_later_reads_answer_404,
    another_key_cannot_delete_a_session,
    retention_erases_documents_but_keeps_the_status,
    a_disabled_keys_tokens_stop_working_at_once,
    bad_tokens_are_all_refused,
    an_expired_token_is_refused,
    requests_over_a_keys_rate_limit_get_429_with_retry_after,
    a_flood_of_bad_secrets_is_cut_off,
    a_keys_redirect_allow_list_is_enforced,
    the_callback_and_pages_carry_strict_browser_headers,
    slow_headers_and_slow_bodies_are_cut_off,
);

/// Reads from `stream` until the server answers or closes; returns what it sent.
async fn answer_of(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut buf))
        .await
        .expect("the server acts within 30 s")
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

async fn slow_headers_and_slow_bodies_are_cut_off(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let app = spawn(backend).await;
    // Headers that never finish: the connection is closed without an answer.
    let mut slow_head = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow_head
        .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    assert_eq!(answer_of(&mut slow_head).await, "");
    // A body announced but never sent: 408 in the envelope.
    let mut slow_body = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /kyc/digilocker/sessions/init HTTP/1.1\r\nhost: x\r\nx-api-key: {}\r\nauthorization: {}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{",
        app.key, app.token
    );
    slow_body.write_all(head.as_bytes()).await.unwrap();
    let answer = answer_of(&mut slow_body).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("\"message\":\"Request Timeout\""),
        "{answer}"
    );
    // The server is still healthy.
    assert_eq!(
        app.api
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}
