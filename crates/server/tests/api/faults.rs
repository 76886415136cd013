//! The upstream fault matrix (docs/faults.md): each row arms one of the simulator's injected
//! faults, runs a real journey through the real gateway, and asserts the session's final
//! status and `reason`, how often DigiLocker was called, and that the code was exchanged once.

use crate::common;

use common::{spawn, spawn_with, Backend, TestApp};
use digigate_client::simulator::Person;
use digigate_server::breaker::BreakerPolicy;
use digigate_server::testing::on_both_backends;
use digigate_server::GatewayConfig;
use digigate_simulator::{Endpoint, InjectedFault};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The longest a journey may take to end in these tests (the slowest row waits out three
/// read timeouts of 300 ms).
const JOURNEY_BOUND: Duration = Duration::from_secs(30);

/// Reads give up after 300 ms, so that the timeout row is quick.
fn quick_timeouts(c: &mut GatewayConfig) {
    c.upstream_read_timeout = Duration::from_millis(300);
}

/// A breaker that opens after three failures and probes after one second.
fn touchy_breaker(c: &mut GatewayConfig) {
    c.circuit_breaker = BreakerPolicy {
        failures_to_open: 3,
        window: Duration::from_secs(60),
        cool_down: Duration::from_secs(1),
    };
}

/// A gateway whose simulator answers `endpoint` with `fault` (`times` times, or always), and
/// the final status of a PAN journey through it.
async fn pan_journey_with(
    backend: Backend,
    endpoint: Endpoint,
    fault: InjectedFault,
    times: Option<u32>,
) -> (TestApp, Value) {
    let app = spawn(backend).await;
    app.sim.inject(endpoint, fault, times);
    let status = journey(&app, &["pan"]).await;
    (app, status)
}

/// Runs a journey for `docs` as persona 9000000001 (who holds all three) and returns the
/// session's status once it is terminal.
async fn journey(app: &TestApp, docs: &[&str]) -> Value {
    journey_of(app, docs).await.1
}

/// Like [`journey`], with the session's id.
async fn journey_of(app: &TestApp, docs: &[&str]) -> (String, Value) {
    let (id, browser, callback) = app.consented_callback(docs).await;
    let res = browser.get(callback).await.unwrap();
    assert!(
        res.status().is_success(),
        "the callback answers a page: {}",
        res.status()
    );
    let status = terminal_status(app, &id).await;
    (id, status)
}

/// Polls the status until the session is terminal (the fetch may run after the callback).
async fn terminal_status(app: &TestApp, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let status = app.status(id).await;
        if ["succeeded", "failed", "expired"].contains(&status["status"].as_str().unwrap()) {
            return status;
        }
        assert!(
            started.elapsed() < JOURNEY_BOUND,
            "session {id} still {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn calls(app: &TestApp, endpoint: Endpoint) -> u64 {
    app.sim.endpoint_calls(endpoint)
}

fn assert_failed(status: &Value, reason: &str) {
    assert_eq!(status["status"], "failed", "{status}");
    assert_eq!(status["reason"], reason, "{status}");
}

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let res = app.get_anonymous("/readyz").await;
    (res.status(), res.json().await.unwrap())
}

async fn a_document_read_that_times_out_is_tried_three_times_then_fails(backend: Backend) {
    let app = spawn_with(backend, quick_timeouts).await;
    app.sim.inject(
        Endpoint::Documents,
        InjectedFault::Delay(Duration::from_secs(2)),
        None,
    );
    let status = journey(&app, &["pan"]).await;
    assert_failed(&status, "upstream_unavailable");
    assert_eq!(calls(&app, Endpoint::Documents), 3, "three attempts");
    assert_eq!(app.sim.call_counts().code_exchanges, 1);
}

async fn a_slow_answer_inside_the_timeout_is_waited_for(backend: Backend) {
    let app = spawn_with(backend, quick_timeouts).await;
    app.sim.inject(
        Endpoint::Documents,
        InjectedFault::Delay(Duration::from_millis(150)),
        None,
    );
    let status = journey(&app, &["pan"]).await;
    assert_eq!(status["status"], "succeeded", "{status}");
    assert_eq!(calls(&app, Endpoint::Documents), 1, "no retry");
}

async fn two_5xx_answers_then_a_document_succeed_with_three_calls(backend: Backend) {
    let (app, status) = pan_journey_with(
        backend,
        Endpoint::Documents,
        InjectedFault::Status(503),
        Some(2),
    )
    .await;
    assert_eq!(status["status"], "succeeded", "{status}");
    assert_eq!(calls(&app, Endpoint::Documents), 3);
    assert_eq!(app.sim.call_counts().code_exchanges, 1);
}

async fn a_persistent_5xx_on_documents_fails_after_three_calls(backend: Backend) {
    let (app, status) = pan_journey_with(
        backend,
        Endpoint::Documents,
        InjectedFault::Status(500),
        None,
    )
    .await;
    assert_failed(&status, "repository_unavailable");
    assert_eq!(
        calls(&app, Endpoint::Documents),
        3,
        "at most three attempts"
    );
}

async fn a_persistent_5xx_on_the_user_endpoint_fails_before_any_document(backend: Backend) {
    let (app, status) =
        pan_journey_with(backend, Endpoint::User, InjectedFault::Status(502), None).await;
    assert_failed(&status, "upstream_unavailable");
    assert_eq!(calls(&app, Endpoint::User), 3);
    assert_eq!(calls(&app, Endpoint::Documents), 0);
    assert_eq!(
        app.revocations().await,
        1,
        "the token is revoked all the same"
    );
}

async fn malformed_xml_is_kept_as_failed_verification_never_as_verified(backend: Backend) {
    let app = spawn(backend).await;
    app.sim
        .inject(Endpoint::Documents, InjectedFault::MalformedXml, Some(1));
    let (id, status) = journey_of(&app, &["pan"]).await;
    // DigiLocker's hmac matched, so the bytes are what it sent; the signature cannot hold.
    assert_eq!(status["status"], "succeeded", "{status}");
    assert_eq!(calls(&app, Endpoint::Documents), 1, "a 200 is not retried");
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/documents/pan"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pan = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(pan["verification"]["status"], "failed", "{pan}");
    assert_eq!(pan["verified"], false);
    assert!(pan["document"].is_null(), "nothing parsed from it");
}

async fn a_wrong_hmac_fails_the_session_without_retrying(backend: Backend) {
    let (app, status) =
        pan_journey_with(backend, Endpoint::Documents, InjectedFault::WrongHmac, None).await;
    assert_failed(&status, "document_integrity");
    assert_eq!(calls(&app, Endpoint::Documents), 1);
}

async fn the_token_endpoint_down_fails_the_session_after_one_exchange(backend: Backend) {
    let (app, status) =
        pan_journey_with(backend, Endpoint::Token, InjectedFault::Status(503), None).await;
    assert_failed(&status, "token_exchange_failed");
    assert_eq!(
        calls(&app, Endpoint::Token),
        1,
        "the code is never sent twice"
    );
    assert_eq!(calls(&app, Endpoint::User), 0);
}

async fn an_expired_access_token_is_refreshed_once_and_the_read_repeated(backend: Backend) {
    let (app, status) = pan_journey_with(
        backend,
        Endpoint::User,
        InjectedFault::ExpiredToken,
        Some(1),
    )
    .await;
    assert_eq!(status["status"], "succeeded", "{status}");
    let counts = app.sim.call_counts();
    assert_eq!(counts.code_exchanges, 1);
    assert_eq!(counts.refreshes, 1);
    assert_eq!(calls(&app, Endpoint::User), 2);
    assert_eq!(
        app.revocations().await,
        1,
        "the refreshed grant is revoked at the end"
    );
}

async fn an_access_token_that_keeps_expiring_is_refreshed_only_once(backend: Backend) {
    let (app, status) =
        pan_journey_with(backend, Endpoint::User, InjectedFault::ExpiredToken, None).await;
    assert_failed(&status, "upstream_unavailable");
    let counts = app.sim.call_counts();
    assert_eq!((counts.code_exchanges, counts.refreshes), (1, 1));
    assert_eq!(calls(&app, Endpoint::User), 2);
}

async fn sustained_failure_opens_the_circuit_and_a_probe_closes_it(backend: Backend) {
    let app = spawn_with(backend, touchy_breaker).await;
    let (code, ready) = readyz(&app).await;
    assert_eq!(
        (code, ready["upstream"].as_str()),
        (StatusCode::OK, Some("ok"))
    );

    // Started before the circuit opens, so its person reaches the callback while it is open.
    let (second_id, second_link) = app.init("signin", &["pan"], json!({})).await;
    app.sim
        .inject(Endpoint::User, InjectedFault::Status(503), None);
    let first = journey(&app, &["pan"]).await;
    assert_failed(&first, "upstream_unavailable");
    assert_eq!(calls(&app, Endpoint::User), 3);
    let (code, ready) = readyz(&app).await;
    assert_eq!(
        code,
        StatusCode::OK,
        "DigiLocker down does not make the gateway unready"
    );
    assert_eq!(ready["upstream"], "circuit_open", "{ready}");
    assert_eq!(ready["circuits"]["account"], "open", "{ready}");
    assert_eq!(ready["database"], "ok");

    let (browser, callback) = app
        .to_callback(&second_link, &Person::allowing("9000000001"))
        .await;
    assert!(browser.get(callback).await.unwrap().status().is_success());
    let second = terminal_status(&app, &second_id).await;
    assert_failed(&second, "upstream_circuit_open");
    assert_eq!(calls(&app, Endpoint::User), 3, "no call while open");

    // DigiLocker recovers; after the cool-down one probe goes through and closes the circuit.
    app.sim.clear_faults();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(readyz(&app).await.1["upstream"], "circuit_half_open");
    let third = journey(&app, &["pan"]).await;
    assert_eq!(third["status"], "succeeded", "{third}");
    assert_eq!(readyz(&app).await.1["upstream"], "ok");
}

/// While a circuit is open, init and the SDK's create answer 503 with `Retry-After` in
/// Sandbox's envelope and store nothing, so no person is sent through DigiLocker's pages only
/// to fail at the callback; once the cool-down is over a session starts again (the probe).
async fn init_is_refused_with_retry_after_while_a_circuit_is_open(backend: Backend) {
    let app = spawn_with(backend, |c| {
        touchy_breaker(c);
        c.circuit_breaker.cool_down = Duration::from_secs(3);
    })
    .await;
    app.sim
        .inject(Endpoint::User, InjectedFault::Status(503), None);
    assert_failed(&journey(&app, &["pan"]).await, "upstream_unavailable");
    let created_before = app.sessions_created().await;

    let init = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin",
        "redirect_url": "https://shop.example/kyc/done",
        "doc_types": ["pan"],
    });
    let sdk = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request",
        "flow": "signin",
        "doc_types": ["pan"],
    });
    let mut longest_wait = 0;
    for (path, body) in [
        ("/kyc/digilocker/sessions/init", &init),
        ("/kyc/digilocker-sdk/sessions/create", &sdk),
    ] {
        let res = app.post(path, body).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let wait: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3).contains(&wait), "{path}: Retry-After {wait}");
        longest_wait = longest_wait.max(wait);
        let envelope: Value = res.json().await.unwrap();
        assert_eq!(envelope["code"], 503, "{envelope}");
        assert_eq!(envelope["message"], "Source Unavailable", "{envelope}");
        assert!(envelope["transaction_id"].is_string(), "{envelope}");
        assert!(envelope.get("data").is_none(), "{envelope}");
    }
    assert_eq!(
        app.sessions_created().await,
        created_before,
        "nothing stored"
    );

    app.sim.clear_faults();
    tokio::time::sleep(Duration::from_secs(longest_wait)).await;
    let (id, _) = app.init("signin", &["pan"], json!({})).await;
    let started = journey(&app, &["pan"]).await;
    assert_eq!(started["status"], "succeeded", "{started}");
    assert_eq!(app.status(&id).await["status"], "created");
}

/// Persona 9000000006's repository takes 2 s per document (the simulator's default): the
/// journey still succeeds, and the fetch after the callback takes at least 2 s a document.
async fn the_slow_persona_succeeds_after_two_seconds_a_document(backend: Backend) {
    let app = spawn(backend).await;
    let (id, link) = app.init("signin", &["aadhaar", "pan"], json!({})).await;
    let (browser, callback) = app
        .to_callback(&link, &Person::allowing("9000000006"))
        .await;
    let started = Instant::now();
    let res = browser.get(callback.clone()).await.unwrap();
    let first_page = started.elapsed();
    assert!(res.status().is_success());
    // The person waits on the waiting page and is forwarded once the fetch has ended.
    let back = browser.follow_to_business(&callback, res).await.unwrap();
    let browser_wait = started.elapsed();
    assert!(back.as_str().contains("status=succeeded"), "{back}");
    let status = terminal_status(&app, &id).await;
    assert_eq!(status["status"], "succeeded", "{status}");
    assert!(browser_wait >= Duration::from_secs(4), "{browser_wait:?}");
    assert_eq!(calls(&app, Endpoint::Documents), 2);
    eprintln!(
        "slow persona: the callback answered in {first_page:?}; the person reached the business after {browser_wait:?}"
    );
}

on_both_backends!(
    a_document_read_that_times_out_is_tried_three_times_then_fails,
    a_slow_answer_inside_the_timeout_is_waited_for,
    two_5xx_answers_then_a_document_succeed_with_three_calls,
    a_persistent_5xx_on_documents_fails_after_three_calls,
    a_persistent_5xx_on_the_user_endpoint_fails_before_any_document,
    malformed_xml_is_kept_as_failed_verification_never_as_verified,
    a_wrong_hmac_fails_the_session_without_retrying,
    the_token_endpoint_down_fails_the_session_after_one_exchange,
    an_expired_access_token_is_refreshed_once_and_the_read_repeated,
    an_access_token_that_keeps_expiring_is_refreshed_only_once,
    sustained_failure_opens_the_circuit_and_a_probe_closes_it,
    init_is_refused_with_retry_after_while_a_circuit_is_open,
    the_slow_persona_succeeds_after_two_seconds_a_document,
);
