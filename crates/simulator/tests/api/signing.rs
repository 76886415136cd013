//! Served XML carrying DigiLocker's enveloped signature, verified by the gateway's verifier.

use std::sync::Arc;

use base64::Engine as _;
use chrono::Utc;
use digigate_documents::signature::{
    verify, CaCertificate, SignatureMethod, SigningIdentity, TrustStore, VerificationStatus,
};
use digigate_simulator::SimulatorConfig;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;

use crate::helpers::*;

fn signing_config(method: SignatureMethod) -> SimulatorConfig {
    let mut config = config();
    let identity = SigningIdentity::simulator_test_identity().expect("test identity");
    config.signing = Some(Arc::new(identity));
    config.signature_method = method;
    config
}

fn test_root() -> TrustStore {
    let root = CaCertificate::simulator_test_root().expect("test root");
    let mut store = TrustStore::new();
    store
        .add_pem(root.to_pem().expect("pem").as_bytes())
        .expect("adds");
    store
}

async fn fetch(sim: &TestSim, path: &str, token: &str) -> (String, Vec<u8>) {
    let response = sim.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let hmac = response.headers()["hmac"]
        .to_str()
        .expect("ascii")
        .to_owned();
    (hmac, response.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn a_served_e_aadhaar_verifies_against_the_simulator_test_root() {
    let sim = spawn_with(signing_config(SignatureMethod::RsaSha1)).await;
    let token = sim.access_token("9000000001", &["ADHAR"]).await;
    let (_, body) = fetch(&sim, "/oauth2/3/xml/eaadhaar", &token).await;
    let verification = verify(&body, &test_root(), Utc::now());
    assert_eq!(
        verification.report.status,
        VerificationStatus::Verified,
        "{:?}",
        verification.report
    );
    assert_eq!(
        verification.report.signature_method.as_deref(),
        Some("http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    );
    let content = verification.signed_content.expect("signed content");
    assert!(content.starts_with("<Certificate><CertificateData><KycRes "));
    let text = String::from_utf8(body).expect("utf-8");
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"));
    assert!(text.trim_end().ends_with("</Signature></Certificate>"));
}

#[tokio::test]
async fn the_hmac_header_is_computed_over_the_signed_bytes() {
    let sim = spawn_with(signing_config(SignatureMethod::RsaSha1)).await;
    let token = sim.access_token("9000000001", &["ADHAR"]).await;
    let (hmac, body) = fetch(&sim, "/oauth2/3/xml/eaadhaar", &token).await;
    assert!(String::from_utf8_lossy(&body).contains("<SignatureValue>"));
    let mut mac = Hmac::<Sha256>::new_from_slice(CLIENT_SECRET.as_bytes()).expect("key");
    mac.update(&body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(hmac, expected);
}

#[tokio::test]
async fn every_issued_xml_is_signed_with_the_configured_method_and_stable_across_fetches() {
    let sim = spawn_with(signing_config(SignatureMethod::RsaSha256)).await;
    let token = sim
        .access_token("9000000001", &["ADHAR", "PANCR", "DRVLC"])
        .await;
    let issued: serde_json::Value = sim
        .get("/oauth2/2/files/issued", &token)
        .await
        .json()
        .await
        .expect("issued list");
    let items = issued["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    for item in items {
        let path = format!("/oauth2/1/xml/{}", item["uri"].as_str().expect("uri"));
        let (_, body) = fetch(&sim, &path, &token).await;
        let report = verify(&body, &test_root(), Utc::now()).report;
        assert_eq!(
            report.status,
            VerificationStatus::Verified,
            "{path}: {report:?}"
        );
        assert_eq!(
            report.signature_method.as_deref(),
            Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        );
        let (_, again) = fetch(&sim, &path, &token).await;
        if item["doctype"] == "ADHAR" {
            // DigiLocker generates the e-Aadhaar (and its `KycRes@ts`) at every fetch.
            let again = verify(&again, &test_root(), Utc::now()).report;
            assert_eq!(again.status, VerificationStatus::Verified, "{path}");
            assert_eq!(again.signing_time_source.as_deref(), Some("kycres_ts"));
        } else {
            assert_eq!(body, again, "{path}");
        }
    }
}

#[tokio::test]
async fn documents_are_unsigned_by_default() {
    let sim = spawn().await;
    let token = sim.access_token("9000000001", &["ADHAR"]).await;
    let (_, body) = fetch(&sim, "/oauth2/3/xml/eaadhaar", &token).await;
    assert!(!String::from_utf8_lossy(&body).contains("Signature"));
    let report = verify(&body, &test_root(), Utc::now()).report;
    assert_eq!(report.status, VerificationStatus::Failed);
    assert_eq!(report.reason.as_deref(), Some("no_signature"));
}
