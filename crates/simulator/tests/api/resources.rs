//! Bearer APIs: token checks, consent enforcement, the hmac header and injected faults.

use base64::Engine as _;
use digigate_simulator::{Fault, Persona};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;

use crate::helpers::*;

#[tokio::test]
async fn a_missing_unknown_or_expired_bearer_token_gets_invalid_token() {
    let sim = spawn().await;
    let missing = sim
        .client
        .get(sim.url("/oauth2/1/user"))
        .send()
        .await
        .expect("get");
    assert!(missing.headers().contains_key("www-authenticate"));
    let body = assert_error(missing, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(body["error_description"], "The access token is invalid");
    let unknown = sim.get("/oauth2/2/files/issued", &"0".repeat(40)).await;
    assert_error(unknown, StatusCode::UNAUTHORIZED, "invalid_token").await;

    let mut config = config();
    config.token_ttl = std::time::Duration::ZERO;
    let expiring = spawn_with(config).await;
    let token = expiring.access_token("9000000001", &["ADHAR"]).await;
    for path in [
        "/oauth2/1/user",
        "/oauth2/2/files/issued",
        "/oauth2/3/xml/eaadhaar",
    ] {
        let expired = expiring.get(path, &token).await;
        assert_error(expired, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
}

#[tokio::test]
async fn document_responses_carry_a_valid_hmac_header() {
    let sim = spawn().await;
    let token = sim
        .access_token("9000000001", &["ADHAR", "PANCR", "DRVLC"])
        .await;
    let paths = [
        "/oauth2/3/xml/eaadhaar",
        "/oauth2/1/xml/in.gov.transport-DRVLC-MH1220190012345",
        "/oauth2/1/file/in.gov.transport-DRVLC-MH1220190012345",
        "/oauth2/1/file/in.gov.pan-PANCR-ABKPV4821M",
    ];
    for path in paths {
        let response = sim.get(path, &token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let header = response.headers()["hmac"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let body = response.bytes().await.expect("body");
        let mut mac = Hmac::<Sha256>::new_from_slice(CLIENT_SECRET.as_bytes()).expect("key");
        mac.update(&body);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(header, expected, "{path}");
    }
}

#[tokio::test]
async fn the_repository_fault_persona_fails_document_fetches_but_lists_documents() {
    let sim = spawn().await;
    let token = sim.access_token("9000000004", &["ADHAR", "PANCR"]).await;
    assert_eq!(
        sim.get("/oauth2/1/user", &token).await.status(),
        StatusCode::OK
    );
    let issued: serde_json::Value = sim
        .get("/oauth2/2/files/issued", &token)
        .await
        .json()
        .await
        .expect("json");
    let pan_uri = issued["items"][1]["uri"].as_str().expect("uri").to_owned();
    for path in [
        "/oauth2/3/xml/eaadhaar".to_owned(),
        format!("/oauth2/1/xml/{pan_uri}"),
        format!("/oauth2/1/file/{pan_uri}"),
    ] {
        let failed = sim.get(&path, &token).await;
        let body = assert_error(
            failed,
            StatusCode::INTERNAL_SERVER_ERROR,
            "repository_service_unresponsive",
        )
        .await;
        assert_eq!(body["error_description"], "Internal server error");
    }
}

#[tokio::test]
async fn a_persona_without_aadhaar_gets_aadhaar_not_linked() {
    let sim = spawn().await;
    let code = sim.code_for("9000000002", &["PANCR"]).await;
    let token = sim.exchange(&code).await;
    assert_eq!(token["eaadhaar"], "N");
    let access = token["access_token"].as_str().expect("token");
    let response = sim.get("/oauth2/3/xml/eaadhaar", access).await;
    let body = assert_error(response, StatusCode::NOT_FOUND, "aadhaar_not_linked").await;
    assert_eq!(
        body["error_description"],
        "Aadhaar is not linked to the account"
    );
}

#[tokio::test]
async fn an_unconsented_uri_gets_insufficient_scope_and_an_unknown_uri_gets_invalid_uri() {
    let sim = spawn().await;
    let token = sim.access_token("9000000001", &["ADHAR"]).await;
    let pan = sim
        .get("/oauth2/1/xml/in.gov.pan-PANCR-ABKPV4821M", &token)
        .await;
    assert_error(pan, StatusCode::FORBIDDEN, "insufficient_scope").await;
    let other = sim
        .get("/oauth2/1/file/in.gov.pan-PANCR-CHDPR1123E", &token)
        .await;
    assert_error(other, StatusCode::NOT_FOUND, "invalid_uri").await;
    let empty = sim.get("/oauth2/1/xml/", &token).await;
    assert_error(empty, StatusCode::BAD_REQUEST, "uri_missing").await;
}

#[tokio::test]
async fn faults_from_a_persona_file_are_applied() {
    let mut personas = Persona::built_in();
    personas[0].fault = Some(Fault::PartnerServiceUnresponsive);
    personas[2].fault = Some(Fault::AadhaarNotAvailable);
    personas[1].fault = Some(Fault::RepositoryServiceInactive);
    let mut config = config();
    config.personas = personas;
    let sim = spawn_with(config).await;

    let first = sim.access_token("9000000001", &["ADHAR"]).await;
    let list = sim.get("/oauth2/2/files/issued", &first).await;
    assert_error(
        list,
        StatusCode::INTERNAL_SERVER_ERROR,
        "partner_service_unresponsive",
    )
    .await;
    assert_eq!(
        sim.get("/oauth2/3/xml/eaadhaar", &first).await.status(),
        StatusCode::OK
    );

    let third = sim.access_token("9000000003", &["ADHAR", "PANCR"]).await;
    let aadhaar = sim.get("/oauth2/3/xml/eaadhaar", &third).await;
    assert_error(aadhaar, StatusCode::NOT_FOUND, "aadhaar_not_available").await;
    assert!(sim
        .xml("in.gov.pan-PANCR-BQRPS7315L", &third)
        .await
        .contains("dob=\"07/03/1985\""));

    let second = sim.access_token("9000000002", &["PANCR"]).await;
    let inactive = sim
        .get("/oauth2/1/xml/in.gov.pan-PANCR-CHDPR1123E", &second)
        .await;
    assert_error(
        inactive,
        StatusCode::SERVICE_UNAVAILABLE,
        "repository_service_inactive",
    )
    .await;
}
