//! The published state machine: the status's `history` and `retryable`, the fetch as a job
//! while the person waits on a page bound to their browser, and expiry with no traffic.

use crate::common::{spawn, spawn_with, without_signature, Backend, TestApp, REDIRECT};
use digigate_client::simulator::Browser;
use digigate_core::{SessionEventType, SessionStatus};
use digigate_server::testing::on_both_backends;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The statuses of the status answer's `history`, checking its times are in order and the
/// first one is the creation time.
fn history(status: &Value) -> Vec<String> {
    let entries = status["history"].as_array().expect("history is a list");
    assert_eq!(entries[0]["at"], status["created_at"]);
    let times: Vec<i64> = entries.iter().map(|e| e["at"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    entries
        .iter()
        .map(|e| e["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_succeeded_session_lists_every_status_it_went_through(backend: Backend) {
    let app = spawn(backend).await;
    let (id, back) = app.consented_journey(&["aadhaar"]).await;
    assert!(
        without_signature(back.as_str()).ends_with("status=succeeded"),
        "{back}"
    );
    let status = app.status(&id).await;
    assert_eq!(
        history(&status),
        ["created", "initialized", "authorized", "succeeded"]
    );
    assert_eq!(
        status["history"].as_array().unwrap().last().unwrap()["at"],
        status["updated_at"]
    );
    assert!(status.get("retryable").is_none(), "{status}");
    // One event per transition in the store, numbered in order.
    let events = app.store.session_events(&id).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| (e.seq, e.event_type)).collect();
    assert_eq!(
        kinds,
        vec![
            (1, SessionEventType::Initialized),
            (2, SessionEventType::Authorized),
            (3, SessionEventType::Succeeded)
        ]
    );
}

async fn failed_sessions_say_whether_trying_again_may_help(backend: Backend) {
    let app = spawn(backend).await;
    let (denied, back) = app.signin_denying("9000000001", &["aadhaar"]).await;
    assert!(
        without_signature(back.as_str()).ends_with("status=failed"),
        "{back}"
    );
    let status = app.status(&denied).await;
    assert_eq!(
        (&status["reason"], &status["retryable"]),
        (&json!("consent_denied"), &json!(true))
    );
    assert_eq!(
        history(&status),
        ["created", "initialized", "authorized", "failed"]
    );
    // 9000000004's repository keeps failing: the job gives up inside the consent window.
    let (failing, _) = app.signin_allowing("9000000004", &["pan"]).await;
    let status = app.status(&failing).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert_eq!(status["retryable"], json!(true), "{status}");
    assert_eq!(
        history(&status),
        ["created", "initialized", "authorized", "failed"]
    );
}

async fn the_callback_answers_at_once_and_a_later_runner_fetches(backend: Backend) {
    let mut app = spawn(backend).await;
    let (id, browser, callback) = app.consented_callback(&["aadhaar", "pan"]).await;
    // No runner: the callback must not do the fetch itself.
    app.stop_job_runner().await;
    let res = browser.get(callback.clone()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let refresh = res.headers()["refresh"].to_str().unwrap().to_owned();
    let wait = refresh.strip_prefix("1;url=").expect("a waiting page");
    assert!(
        !wait.contains("code=") && !wait.contains("state="),
        "{wait}"
    );
    assert_eq!(app.status(&id).await["status"], "authorized");
    assert_eq!(
        app.sim.call_counts().token_requests,
        0,
        "nothing fetched yet"
    );
    // Another browser cannot use the waiting page's address.
    let stranger = Browser::new().get(wait).await.unwrap();
    assert_eq!(stranger.status(), StatusCode::BAD_REQUEST);
    // The person's browser keeps waiting while the job waits in the store.
    let again = browser.get(wait).await.unwrap();
    assert!(again.headers()["refresh"]
        .to_str()
        .unwrap()
        .starts_with("1;url="));
    // A tampered address is refused even with the cookie.
    let tampered = wait.replace("until=", "until=9");
    assert_eq!(
        browser.get(&tampered).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    // The next gateway's runner finds the job and the person is forwarded.
    app.restart().await;
    let back = browser
        .follow_to_business(&url::Url::parse(wait).unwrap(), again)
        .await
        .unwrap();
    assert_eq!(
        without_signature(back.as_str()),
        format!("{REDIRECT}?session_id={id}&status=succeeded")
    );
    assert_eq!(app.sim.call_counts().token_requests, 1);
    let jobs = app.store.session_jobs(&id).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].done_at_ms.is_some() && jobs[0].last_error.is_none());
}

/// The waiting page's address for `session_id` with deadline `until_ms`, signed as the gateway
/// signs it (master key `[1; 32]`) for a browser whose waiting cookie is `cookie`.
fn wait_address(app: &TestApp, session_id: &str, until_ms: i64, cookie: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use digigate_server::vault::{sha256_hex, Vault};
    use hmac::{Hmac, Mac};
    let key = Vault::new(&secrecy::SecretBox::new(Box::new([1u8; 32]))).derive("journey-wait/v1");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "wait:{session_id}:{until_ms}:{}",
            sha256_hex(cookie.as_bytes())
        )
        .as_bytes(),
    );
    let sig = B64.encode(mac.finalize().into_bytes());
    format!(
        "{}/callbacks/digilocker/wait?session={session_id}&until={until_ms}&sig={sig}",
        app.base
    )
}

/// A session whose callback came back while no job runner was running: `authorized`, its
/// fetch queued and not run. Answers its id.
async fn called_back_with_no_runner(app: &mut TestApp) -> String {
    let (id, browser, callback) = app.consented_callback(&["aadhaar"]).await;
    app.stop_job_runner().await;
    assert_eq!(
        browser.get(callback).await.unwrap().status(),
        StatusCode::OK
    );
    id
}

async fn after_a_minute_the_person_is_forwarded_with_the_status_as_it_is(backend: Backend) {
    let mut app = spawn(backend).await;
    let id = called_back_with_no_runner(&mut app).await;
    let cookie_name = format!(
        "dgw_{}",
        &digigate_server::vault::sha256_hex(id.as_bytes())[..16]
    );
    let now = chrono::Utc::now().timestamp_millis();
    let get = |address: String| {
        let cookie = format!("{cookie_name}=the-browsers-cookie");
        async move {
            Browser::new()
                .http()
                .get(address)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    // Inside the bound the fetch is still awaited.
    let waiting = get(wait_address(&app, &id, now + 60_000, "the-browsers-cookie")).await;
    assert!(waiting.headers()["refresh"]
        .to_str()
        .unwrap()
        .starts_with("1;url="));
    // Past it, the person goes back to the business with the status the session has.
    let late = get(wait_address(&app, &id, now - 1, "the-browsers-cookie")).await;
    assert_eq!(late.status(), StatusCode::OK);
    let refresh = late.headers()["refresh"].to_str().unwrap();
    let forwarded = refresh
        .strip_prefix("0;url=")
        .expect("an immediate refresh");
    assert_eq!(
        without_signature(forwarded),
        format!("{REDIRECT}?session_id={id}&status=authorized")
    );
    // Signed for another browser's cookie, the address is refused.
    let other = get(wait_address(&app, &id, now + 60_000, "another-cookie")).await;
    assert_eq!(other.status(), StatusCode::BAD_REQUEST);
}

async fn a_job_failing_on_storage_is_retried_until_it_succeeds_and_records_once(backend: Backend) {
    let mut app = spawn(backend).await;
    let id = called_back_with_no_runner(&mut app).await;
    // The audit log refuses new lines: the fetch commits, then its outcome cannot be recorded.
    if app.db.url.starts_with("postgres") {
        app.run_sql(
            "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit log down'; END $$ LANGUAGE plpgsql",
        )
        .await;
        app.run_sql(
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        )
        .await;
    } else {
        app.run_sql(
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit log down'); END",
        )
        .await;
    }
    app.restart().await;
    let started = Instant::now();
    let failed_once = loop {
        let jobs = app.store.session_jobs(&id).await.unwrap();
        if jobs[0].last_error.is_some() {
            break jobs[0].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{jobs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(failed_once.done_at_ms.is_none(), "retried, not given up");
    assert!(
        failed_once.run_at_ms > failed_once.created_at_ms,
        "backed off"
    );
    assert_eq!(
        app.store.session(&id).await.unwrap().unwrap().status,
        SessionStatus::Succeeded
    );
    if app.db.url.starts_with("postgres") {
        app.run_sql("DROP TRIGGER audit_down ON audit_log").await;
    } else {
        app.run_sql("DROP TRIGGER audit_down").await;
    }
    let started = Instant::now();
    loop {
        let jobs = app.store.session_jobs(&id).await.unwrap();
        if jobs[0].done_at_ms.is_some() {
            assert!(
                jobs[0].attempts >= 2 && jobs[0].last_error.is_none(),
                "{jobs:?}"
            );
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{jobs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outcomes = app.audit_count(Some(&id), "callback.completed").await;
    assert_eq!(outcomes, 1);
    assert_eq!(app.store.session_events(&id).await.unwrap().len(), 3);
}

async fn an_unopened_link_expires_on_time_without_any_request(backend: Backend) {
    let app = spawn_with(backend, |c| c.link_ttl = Duration::from_secs(1)).await;
    let (id, _) = app.init("signin", &["aadhaar"], json!({})).await;
    // Only the store is read: an API read would expire the session itself.
    let started = Instant::now();
    loop {
        let s = app.store.session(&id).await.unwrap().unwrap();
        if s.status == SessionStatus::Expired {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still {} after {:?}",
            s.status,
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = app.store.session_events(&id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, SessionEventType::Expired);
    assert_eq!(history(&app.status(&id).await), ["created", "expired"]);
}

on_both_backends! {
    a_succeeded_session_lists_every_status_it_went_through,
    failed_sessions_say_whether_trying_again_may_help,
    the_callback_answers_at_once_and_a_later_runner_fetches,
    after_a_minute_the_person_is_forwarded_with_the_status_as_it_is,
    a_job_failing_on_storage_is_retried_until_it_succeeds_and_records_once,
    an_unopened_link_expires_on_time_without_any_request,
}
