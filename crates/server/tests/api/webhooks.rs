//! Webhooks from real journeys to a real receiver on 127.0.0.1: order, signatures (ours and the
//! Standard Webhooks reference library's check), retries with one webhook-id, rotation, target
//! rules, redelivery, and two instances sharing one PostgreSQL.

mod receiver;
mod reference;

use crate::common;

use common::{spawn_with, Backend, TestApp};
use digigate_server::testing::on_both_backends;
use digigate_server::webhooks::SigningSecret;
use digigate_server::GatewayConfig;
use receiver::{Answer, Received, Receiver};
use reference::reference_library_verifies;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// Quick polling and a short schedule, so retries happen within the test.
fn quick(c: &mut GatewayConfig) {
    c.webhooks.poll_interval = Duration::from_millis(20);
    c.webhooks.retry_schedule = vec![Duration::from_millis(50); 7];
}

/// A production gateway (https targets, public addresses only), quick otherwise.
fn production(c: &mut GatewayConfig) {
    quick(c);
    c.development = false;
}

/// Adds an endpoint for `url` over the API; answers (endpoint_id, secret).
async fn add_endpoint(app: &TestApp, url: &str) -> (String, String) {
    let res = app
        .post("/webhooks/endpoints", &json!({ "url": url }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let data = &v["data"];
    assert_eq!(data.as_object().unwrap().len(), 2, "{v}");
    (
        data["endpoint_id"].as_str().unwrap().to_owned(),
        data["secret"].as_str().unwrap().to_owned(),
    )
}

fn deliverer(app: &TestApp) {
    app.gateway.as_ref().unwrap().spawn_webhook_deliverer();
}

/// Whether one of the space-separated signatures is the one `secret` makes.
fn signed_by(r: &Received, secret: &str) -> bool {
    let key = SigningSecret::from_whsec(secret).unwrap();
    let expected = key.sign(format!("{}.{}.{}", r.id, r.timestamp, r.body).as_bytes());
    r.signature.split(' ').any(|s| s == expected)
}

/// The endpoint's delivery log once it holds `n` attempts (the receiver sees a request before
/// the attempt is logged).
async fn attempts_logged(
    app: &TestApp,
    endpoint: &str,
    n: usize,
) -> Vec<digigate_store::WebhookAttemptRecord> {
    for _ in 0..200 {
        let log = app.store.webhook_attempts(endpoint, 100).await.unwrap();
        if log.len() >= n {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{n} attempts were logged");
}

/// The event ids of a session, oldest first.
async fn event_ids(app: &TestApp, session: &str) -> Vec<String> {
    let events = app.store.session_events(session).await.unwrap();
    events.into_iter().map(|e| e.id).collect()
}

async fn a_journeys_events_arrive_in_order_signed_and_without_personal_data(backend: Backend) {
    let app = spawn_with(backend, quick).await;
    let receiver = Receiver::start(0).await;
    let (_, secret) = add_endpoint(&app, &receiver.url).await;
    deliverer(&app);
    let (session, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let got = receiver.wait_for(3).await;
    let types: Vec<Value> = got.iter().map(|r| r.json()["type"].clone()).collect();
    assert_eq!(
        types,
        [
            "session.initialized",
            "session.authorized",
            "session.succeeded"
        ]
    );
    let ids: Vec<String> = got.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, event_ids(&app, &session).await);
    for r in &got {
        assert!(signed_by(r, &secret), "{r:?}");
        assert_eq!(r.signature.split(' ').count(), 1);
        let body = r.json();
        assert_eq!(body["data"]["session_id"], session.as_str());
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["data", "timestamp", "type"], "{body}");
        let data_keys: Vec<&String> = body["data"].as_object().unwrap().keys().collect();
        assert_eq!(data_keys, ["session_id", "status"], "{body}");
        chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).unwrap();
        let sent_at: i64 = r.timestamp.parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    }
    assert_eq!(got[2].json()["data"]["status"], "succeeded");
    // A body signed for one delivery does not verify with another's id.
    let swapped = Received {
        id: got[0].id.clone(),
        ..got[1].clone()
    };
    assert!(!signed_by(&swapped, &secret));
}

async fn a_receiver_failing_twice_then_succeeding_gets_the_same_webhook_id_three_times(
    backend: Backend,
) {
    let app = spawn_with(backend, quick).await;
    let receiver = Receiver::start(2).await;
    let (endpoint, secret) = add_endpoint(&app, &receiver.url).await;
    deliverer(&app);
    let (session, _) = app.consented_journey(&["pan"]).await;
    let got = receiver.wait_for(5).await;
    let ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    let events = event_ids(&app, &session).await;
    // The first event three times (500, 500, 200), and only then the ones after it.
    assert_eq!(
        ids,
        [&events[0], &events[0], &events[0], &events[1], &events[2]]
    );
    assert!(got.iter().all(|r| signed_by(r, &secret)));
    let res = app
        .get(&format!("/webhooks/endpoints/{endpoint}/deliveries"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let log: Value = res.json().await.unwrap();
    let first: Vec<&Value> = log["data"]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["event_id"] == events[0].as_str())
        .collect();
    let statuses: Vec<i64> = first
        .iter()
        .rev()
        .map(|a| a["http_status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 200], "{log}");
    assert!(first.iter().all(|a| a["delivery_state"] == "delivered"));
    assert!(first
        .iter()
        .all(|a| a["duration_ms"].as_i64().unwrap() >= 0));
    assert!(!log.to_string().contains("9000000001"));
    // The attempts are counted for operators too (docs/metrics.md).
    let metrics = app
        .gateway
        .as_ref()
        .expect("the gateway runs")
        .metrics_text();
    let count = |labels: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(&format!("digigate_webhook_attempts_total{{{labels}}} ")))
            .and_then(|l| l.rsplit_once(' '))
            .map_or(0.0, |(_, v)| v.parse::<f64>().unwrap())
    };
    assert_eq!(
        count("result=\"retrying\",error=\"none\""),
        2.0,
        "{metrics}"
    );
    // The first two events' successes are recorded before the next event is sent; the last
    // one's may still be on its way.
    assert!(
        count("result=\"delivered\",error=\"none\"") >= 2.0,
        "{metrics}"
    );
}

/// Quick, with a 300 ms delivery timeout.
fn impatient(c: &mut GatewayConfig) {
    quick(c);
    c.webhooks.timeout = Duration::from_millis(300);
}

async fn a_redirect_or_an_answer_after_the_timeout_is_a_failed_attempt_and_retried(
    backend: Backend,
) {
    let app = spawn_with(backend, impatient).await;
    let slow = Answer::Slow(Duration::from_secs(2));
    let receiver = Receiver::answering(vec![Answer::Redirect, slow]).await;
    let (endpoint, _) = add_endpoint(&app, &receiver.url).await;
    deliverer(&app);
    let (session, link) = app.init("signin", &["pan"], json!({})).await;
    digigate_client::simulator::Browser::new()
        .open_link(&url::Url::parse(&link).unwrap())
        .await
        .unwrap();
    let got = receiver.wait_for(3).await;
    let first = &event_ids(&app, &session).await[0];
    assert!(got.iter().all(|r| &r.id == first));
    assert_eq!(
        receiver.redirects_followed(),
        0,
        "redirects are not followed"
    );
    let log = attempts_logged(&app, &endpoint, 3).await;
    let oldest_first: Vec<(Option<i64>, Option<&str>)> = log
        .iter()
        .rev()
        .map(|a| (a.http_status, a.error.as_deref()))
        .collect();
    assert_eq!(
        oldest_first,
        [
            (Some(302), None),
            (None, Some("timeout")),
            (Some(200), None)
        ]
    );
    assert!(
        log[1].duration_ms >= 300 && log[1].duration_ms < 2000,
        "{log:?}"
    );
}

async fn during_a_rotation_both_secrets_sign_and_the_reference_library_accepts_either(
    backend: Backend,
) {
    let app = spawn_with(backend, quick).await;
    let receiver = Receiver::start(0).await;
    let (endpoint, old) = add_endpoint(&app, &receiver.url).await;
    let res = app
        .post(
            &format!("/webhooks/endpoints/{endpoint}/rotate-secret"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: Value = res.json().await.unwrap();
    let new = rotated["data"]["secret"].as_str().unwrap().to_owned();
    let until = rotated["data"]["previous_secret_valid_until"]
        .as_i64()
        .unwrap();
    let day = 24 * 3600 * 1000;
    assert!((until - chrono::Utc::now().timestamp_millis() - day).abs() < 60_000);
    deliverer(&app);
    app.consented_journey(&["pan"]).await;
    let got = receiver.wait_for(3).await;
    for r in &got {
        assert_eq!(r.signature.split(' ').count(), 2, "{r:?}");
        assert!(signed_by(r, &new) && signed_by(r, &old), "{r:?}");
    }
    let other = SigningSecret::generate().to_whsec();
    assert_eq!(reference_library_verifies(&got, &new), [true, true, true]);
    assert_eq!(reference_library_verifies(&got, &old), [true, true, true]);
    assert_eq!(
        reference_library_verifies(&got, &other),
        [false, false, false]
    );
    let mut tampered = got[2].clone();
    tampered.body = tampered.body.replace("succeeded", "failed");
    assert_eq!(reference_library_verifies(&[tampered], &new), [false]);
}

async fn private_and_loopback_targets_are_refused_in_production_at_add_and_at_delivery(
    backend: Backend,
) {
    let mut app = spawn_with(backend, production).await;
    // Production sessions need a key with registered redirect URLs.
    let (key, secret) = app.create_key(vec![common::REDIRECT.to_owned()]).await;
    app.token = app.authenticate(&key, &secret).await;
    app.key = key;
    for (url, words) in [
        ("https://10.0.0.7/hook", "private"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://169.254.169.254/latest", "cloud metadata"),
        ("https://[fd00::1]/hook", "unique-local"),
        ("http://8.8.8.8/hook", "must use https"),
    ] {
        let res = app
            .post("/webhooks/endpoints", &json!({ "url": url }))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{url}");
        let b: Value = res.json().await.unwrap();
        assert!(b["message"].as_str().unwrap().contains(words), "{url}: {b}");
    }
    let res = app.get("/webhooks/endpoints").await;
    let listed: Value = res.json().await.unwrap();
    assert_eq!(listed["data"]["endpoints"], json!([]), "nothing was stored");

    // An endpoint that was acceptable when added (a development gateway, say) is checked
    // again at delivery: nothing reaches the loopback receiver from a production gateway.
    let receiver = Receiver::start(0).await;
    let vault =
        digigate_server::vault::Vault::new(&secrecy::SecretBox::new(Box::new(app.master_key())));
    let loopback = receiver.url.replace("http://", "https://");
    let dev = digigate_server::webhooks::TargetPolicy {
        development: true,
        allow_private: true,
    };
    let added = digigate_server::webhooks::endpoints::add(
        app.store.as_ref(),
        &vault,
        dev,
        &app.key,
        &loopback,
        0,
    )
    .await
    .unwrap();
    let (session, link) = app.init("signin", &["pan"], json!({})).await;
    digigate_client::simulator::Browser::new()
        .open_link(&url::Url::parse(&link).unwrap())
        .await
        .unwrap();
    let gateway = app.gateway.as_ref().unwrap();
    assert_eq!(gateway.deliver_webhooks_once("test").await, 1);
    let attempts = app
        .store
        .webhook_attempts(&added.endpoint_id, 10)
        .await
        .unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].error.as_deref(), Some("refused_address"));
    assert_eq!(attempts[0].http_status, None);
    assert_eq!(attempts[0].event_id, event_ids(&app, &session).await[0]);
    assert!(receiver.received().is_empty());
}

async fn a_delivered_event_is_sent_again_on_request_with_its_webhook_id(backend: Backend) {
    let app = spawn_with(backend, quick).await;
    let receiver = Receiver::start(0).await;
    let (endpoint, secret) = add_endpoint(&app, &receiver.url).await;
    deliverer(&app);
    let (session, _) = app.consented_journey(&["pan"]).await;
    receiver.wait_for(3).await;
    let first = event_ids(&app, &session).await[0].clone();
    let res = app
        .post(
            &format!("/webhooks/endpoints/{endpoint}/redeliver"),
            &json!({ "id": first }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = receiver.wait_for(4).await;
    assert_eq!(got[3].id, first);
    assert_eq!(got[3].body, got[0].body);
    assert!(signed_by(&got[3], &secret));
    // Unknown ids, and another key's endpoint, are not found.
    let res = app
        .post(
            &format!("/webhooks/endpoints/{endpoint}/redeliver"),
            &json!({ "id": "evt_unknown" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (other_key, other_secret) = app.create_key(Vec::new()).await;
    let token = app.authenticate(&other_key, &other_secret).await;
    let res = app
        .get_as(
            &format!("/webhooks/endpoints/{endpoint}/deliveries"),
            &other_key,
            &token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .delete_as(
            &format!("/webhooks/endpoints/{endpoint}"),
            &other_key,
            &token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get("/webhooks/endpoints").await;
    let listed: Value = res.json().await.unwrap();
    assert_eq!(
        listed["data"]["endpoints"][0]["endpoint_id"],
        endpoint.as_str()
    );
    // Ten endpoints per key at most: each event goes once to each.
    for _ in 1..10 {
        add_endpoint(&app, &receiver.url).await;
    }
    let res = app
        .post("/webhooks/endpoints", &json!({ "url": receiver.url }))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b: Value = res.json().await.unwrap();
    assert!(
        b["message"].as_str().unwrap().contains("already has 10"),
        "{b}"
    );
}

/// Two deliverers of at most two deliveries at a time each.
fn two_at_a_time(c: &mut GatewayConfig) {
    quick(c);
    c.webhooks.concurrency = 2;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_deliver_each_event_once_in_order_per_session() {
    let app = spawn_with(Backend::Postgres, two_at_a_time).await;
    let receiver = Receiver::start(0).await;
    let (_, secret) = add_endpoint(&app, &receiver.url).await;
    let mut sessions = Vec::new();
    for _ in 0..6 {
        let (session, _) = app.consented_journey(&["pan"]).await;
        sessions.push(session);
    }
    // A second instance: its own pools on the same database, its own deliverer.
    let store = digigate_store::connect(&app.db.url).await.unwrap();
    let other = digigate_server::testing::TestStack::on_own_port(store, two_at_a_time).await;
    let this = app.gateway.clone().unwrap();
    let total = 3 * sessions.len();
    let run = |gateway: digigate_server::Gateway, owner: &'static str| {
        let receiver_count = || receiver.received().len();
        async move {
            let mut claimed = 0;
            while receiver_count() < total {
                claimed += gateway.deliver_webhooks_once(owner).await;
            }
            claimed
        }
    };
    let both = async { tokio::join!(run(this, "a"), run(other.gateway.clone(), "b")) };
    let (a, b) = tokio::time::timeout(Duration::from_secs(60), both)
        .await
        .expect("every event was delivered");
    assert_eq!(
        a + b,
        total,
        "each delivery claimed once between them ({a} + {b})"
    );
    assert!(a > 0 && b > 0, "both instances delivered ({a} + {b})");
    let got = receiver.received();
    assert_eq!(got.len(), total);
    assert!(got.iter().all(|r| signed_by(r, &secret)));
    for session in &sessions {
        let events = event_ids(&app, session).await;
        let arrived: Vec<String> = got
            .iter()
            .filter(|r| events.contains(&r.id))
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(arrived, events, "once each, in order, for {session}");
    }
}

/// An idle deliverer that would not look again for an hour: only the wake from this
/// instance's own commits can deliver in time.
fn polling_hourly(c: &mut GatewayConfig) {
    c.webhooks.poll_interval = Duration::from_secs(3600);
}

async fn this_instances_events_are_sent_at_once_without_waiting_for_the_poll(backend: Backend) {
    let app = spawn_with(backend, polling_hourly).await;
    let receiver = Receiver::start(0).await;
    add_endpoint(&app, &receiver.url).await;
    deliverer(&app);
    let started = std::time::Instant::now();
    let (session, _) = app.consented_journey(&["pan"]).await;
    // Each event of the journey woke the deliverer (the connect, the callback, the fetch).
    let got = receiver.wait_for(3).await;
    let ids: Vec<String> = got.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, event_ids(&app, &session).await);
    // The erasure's event too.
    let res = app
        .delete(&format!("/kyc/digilocker/sessions/{session}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = receiver.wait_for(4).await;
    assert_eq!(got[3].json()["type"], "session.erased");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "well inside the hour's poll"
    );
}

on_both_backends!(
    this_instances_events_are_sent_at_once_without_waiting_for_the_poll,
    a_journeys_events_arrive_in_order_signed_and_without_personal_data,
    a_receiver_failing_twice_then_succeeding_gets_the_same_webhook_id_three_times,
    during_a_rotation_both_secrets_sign_and_the_reference_library_accepts_either,
    private_and_loopback_targets_are_refused_in_production_at_add_and_at_delivery,
    a_delivered_event_is_sent_again_on_request_with_its_webhook_id,
    a_redirect_or_an_answer_after_the_timeout_is_a_failed_attempt_and_retried,
);
