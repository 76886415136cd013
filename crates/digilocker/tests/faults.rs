//! Faults the simulator cannot produce, over real HTTP: slow answers, redirects, non-JSON
//! errors, tampered documents, an unreachable host.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use digigate_digilocker::{AccessToken, DigiLockerError};
use hmac::{Hmac, Mac};
use secrecy::SecretString;
use sha2::Sha256;

use support::{client, client_with_timeout, serve, SECRET};

const PAN_URI: &str = "in.gov.pan-PANCR-ABCDE1234F";

fn token() -> AccessToken {
    AccessToken::new("bc125c212a4b03a9a188a858be5a163f379e878a".into())
}

fn hmac_b64(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_gives_a_timeout_error() {
    let slow = || async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        "{}"
    };
    let base = serve(
        Router::new()
            .route("/public/oauth2/1/user", get(slow))
            .route("/public/oauth2/1/token", post(slow)),
    )
    .await;
    let client = client_with_timeout(&base, Duration::from_millis(200));

    let started = Instant::now();
    let err = client.user_details(&token()).await.expect_err("times out");
    assert_eq!(err, DigiLockerError::Timeout);
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));

    let err = client
        .exchange_code("code", &SecretString::from("verifier"))
        .await
        .expect_err("times out");
    assert_eq!(err, DigiLockerError::Timeout);
}

#[tokio::test]
async fn a_timed_out_code_exchange_is_sent_only_once() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let base = serve(Router::new().route(
        "/public/oauth2/1/token",
        post(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "{}"
            }
        }),
    ))
    .await;
    let client = client_with_timeout(&base, Duration::from_millis(200));
    let err = client
        .exchange_code("code", &SecretString::from("verifier"))
        .await
        .expect_err("times out");
    assert_eq!(err, DigiLockerError::Timeout);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_redirect_answer_is_an_error_and_is_not_followed() {
    let followed = Arc::new(AtomicUsize::new(0));
    let counter = followed.clone();
    let redirect = || async {
        (
            StatusCode::FOUND,
            [(header::LOCATION, "/public/elsewhere")],
            "",
        )
    };
    let base = serve(
        Router::new()
            .route("/public/oauth2/1/user", get(redirect))
            .route("/public/oauth2/1/token", post(redirect))
            .route(&format!("/public/oauth2/1/file/{PAN_URI}"), get(redirect))
            .route(
                "/public/elsewhere",
                get(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async { "{}" }
                }),
            ),
    )
    .await;
    let client = client(&base);

    let err = client.user_details(&token()).await.expect_err("redirect");
    assert_eq!(err, DigiLockerError::Redirect { status: 302 });
    let err = client
        .exchange_code("code", &SecretString::from("verifier"))
        .await
        .expect_err("redirect");
    assert_eq!(err, DigiLockerError::Redirect { status: 302 });
    let err = client
        .file_by_uri(&token(), PAN_URI)
        .await
        .expect_err("redirect");
    assert_eq!(err, DigiLockerError::Redirect { status: 302 });
    assert_eq!(followed.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_non_json_500_is_an_unexpected_status_that_hides_the_body() {
    let page = || async {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>Fatal error for Sunil Kumar, dob 31121970</html>",
        )
    };
    let base = serve(
        Router::new()
            .route("/public/oauth2/2/files/issued", get(page))
            .route("/public/oauth2/1/token", post(page)),
    )
    .await;
    let client = client(&base);

    let err = client.issued_files(&token()).await.expect_err("500");
    assert_eq!(err, DigiLockerError::UnexpectedStatus { status: 500 });
    assert!(err.is_repository_failure());
    let err = client
        .exchange_code("code", &SecretString::from("verifier"))
        .await
        .expect_err("500");
    assert_eq!(err, DigiLockerError::UnexpectedStatus { status: 500 });
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("Sunil") && !shown.contains("31121970"));
}

#[tokio::test]
async fn a_document_whose_hmac_header_does_not_match_is_rejected() {
    let body: &'static [u8] = b"%PDF-1.4 synthetic";
    let good = hmac_b64(SECRET, body);
    let bad = hmac_b64("some-other-secret", body);
    let base = serve(
        Router::new()
            .route(
                &format!("/public/oauth2/1/file/{PAN_URI}"),
                get(move || async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/pdf"),
                            (header::HeaderName::from_static("hmac"), bad.as_str()),
                        ],
                        body,
                    )
                        .into_response()
                }),
            )
            .route(
                &format!("/public/oauth2/1/xml/{PAN_URI}"),
                get(move || async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/xml"),
                            (header::HeaderName::from_static("hmac"), good.as_str()),
                        ],
                        body,
                    )
                        .into_response()
                }),
            )
            .route(
                "/public/oauth2/3/xml/eaadhaar",
                get(move || async move { ([(header::CONTENT_TYPE, "application/xml")], body) }),
            ),
    )
    .await;
    let client = client(&base);

    let err = client
        .file_by_uri(&token(), PAN_URI)
        .await
        .expect_err("tampered");
    assert_eq!(err, DigiLockerError::HmacMismatch);

    let xml = client
        .xml_by_uri(&token(), PAN_URI)
        .await
        .expect("signed document");
    assert_eq!(xml.bytes, body);
    assert_eq!(xml.content_type, "application/xml");
    assert_eq!(xml.hmac_matches(&SecretString::from(SECRET)), Some(true));

    let unsigned = client
        .eaadhaar_xml(&token())
        .await
        .expect("document without hmac");
    assert_eq!(unsigned.hmac, None);
}

#[tokio::test]
async fn an_unreachable_host_is_a_transport_error_without_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let base = url::Url::parse(&format!("http://{addr}/public")).expect("url");
    let err = client(&base)
        .file_by_uri(&token(), PAN_URI)
        .await
        .expect_err("refused");
    assert!(matches!(err, DigiLockerError::Transport(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("ABCDE1234F") && !shown.contains("/public"),
        "{shown}"
    );
}
