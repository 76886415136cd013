//! Faults armed at run time (`Simulator::inject`) and the slow persona, over real HTTP.

use std::time::{Duration, Instant};

use base64::Engine as _;
use digigate_simulator::{Endpoint, InjectedFault};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;

use crate::helpers::*;

const PAN_URI: &str = "/oauth2/1/xml/in.gov.pan-PANCR-ABKPV4821M";

fn hmac_b64(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(CLIENT_SECRET.as_bytes()).expect("key");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn the_slow_persona_answers_documents_after_the_configured_delay() {
    let mut config = config();
    config.slow_repository_delay = Duration::from_millis(400);
    let (sim, _) = spawn_controlled(config).await;
    let token = sim.access_token("9000000006", &["ADHAR", "PANCR"]).await;

    let started = Instant::now();
    assert_eq!(
        sim.get("/oauth2/1/user", &token).await.status(),
        StatusCode::OK
    );
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "only documents are slow"
    );
    let started = Instant::now();
    let aadhaar = sim.get("/oauth2/3/xml/eaadhaar", &token).await;
    assert_eq!(aadhaar.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(aadhaar.headers().contains_key("hmac"));
}

#[tokio::test]
async fn an_armed_status_answers_that_many_calls_and_every_call_is_counted() {
    let (sim, handle) = spawn_controlled(config()).await;
    let token = sim.access_token("9000000001", &["PANCR"]).await;
    handle.inject(Endpoint::User, InjectedFault::Status(503), Some(2));
    for _ in 0..2 {
        let answer = sim.get("/oauth2/1/user", &token).await;
        assert_error(answer, StatusCode::SERVICE_UNAVAILABLE, "unexpected_error").await;
    }
    assert_eq!(
        sim.get("/oauth2/1/user", &token).await.status(),
        StatusCode::OK
    );
    assert_eq!(handle.endpoint_calls(Endpoint::User), 3);
    assert_eq!(handle.endpoint_calls(Endpoint::Token), 1);
    let counts = handle.call_counts();
    assert_eq!((counts.code_exchanges, counts.refreshes), (1, 0));
}

#[tokio::test]
async fn a_delay_holds_the_answer_until_cleared() {
    let (sim, handle) = spawn_controlled(config()).await;
    let token = sim.access_token("9000000001", &["PANCR"]).await;
    handle.inject(
        Endpoint::IssuedFiles,
        InjectedFault::Delay(Duration::from_millis(300)),
        None,
    );
    let started = Instant::now();
    let list = sim.get("/oauth2/2/files/issued", &token).await;
    assert_eq!(list.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    handle.clear_faults();
    let started = Instant::now();
    sim.get("/oauth2/2/files/issued", &token).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn tampered_documents_are_cut_short_with_a_matching_hmac_or_sent_with_a_wrong_one() {
    let (sim, handle) = spawn_controlled(config()).await;
    let token = sim.access_token("9000000001", &["PANCR"]).await;
    let whole = sim.get(PAN_URI, &token).await.bytes().await.expect("xml");

    handle.inject(Endpoint::Documents, InjectedFault::MalformedXml, Some(1));
    let cut = sim.get(PAN_URI, &token).await;
    let hmac = cut.headers()["hmac"].to_str().expect("ascii").to_owned();
    let cut = cut.bytes().await.expect("body");
    assert!(cut.len() < whole.len() && whole.starts_with(&cut));
    assert_eq!(hmac, hmac_b64(&cut), "DigiLocker's check passes");

    handle.inject(Endpoint::Documents, InjectedFault::WrongHmac, Some(1));
    let spoilt = sim.get(PAN_URI, &token).await;
    let hmac = spoilt.headers()["hmac"].to_str().expect("ascii").to_owned();
    let body = spoilt.bytes().await.expect("body");
    assert_eq!(body, whole);
    assert_ne!(hmac, hmac_b64(&body));
}

#[tokio::test]
async fn an_expired_access_token_stays_expired_and_its_refresh_token_still_works() {
    let (sim, handle) = spawn_controlled(config()).await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    let grant = sim.exchange(&code).await;
    let access = grant["access_token"].as_str().expect("token");
    handle.inject(Endpoint::User, InjectedFault::ExpiredToken, Some(1));
    let expired = sim.get("/oauth2/1/user", access).await;
    assert_error(expired, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let again = sim.get("/oauth2/1/user", access).await;
    assert_error(again, StatusCode::UNAUTHORIZED, "invalid_token").await;

    let refreshed = sim
        .token(&[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                grant["refresh_token"].as_str().expect("refresh"),
            ),
        ])
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: serde_json::Value = refreshed.json().await.expect("json");
    let renewed = refreshed["access_token"].as_str().expect("token");
    assert_eq!(
        sim.get("/oauth2/1/user", renewed).await.status(),
        StatusCode::OK
    );
    assert_eq!(handle.call_counts().refreshes, 1);
}
