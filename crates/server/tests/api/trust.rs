//! Document trust over real HTTP: verified signatures, normalised documents, the photo only on
//! request, cross-document checks, expected details, and documents from an untrusted signer.

use crate::common;

use common::{spawn, spawn_with, Backend, TestApp};
use digigate_client::simulator::Person;
use digigate_documents::signature::TrustStore;
use digigate_server::testing::on_both_backends;
use digigate_server::GatewayConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

async fn data(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json::<Value>().await.unwrap()["data"].clone()
}

/// The `data` of the session's document `doc` (`aadhaar?include=photo` for the photo too).
async fn document(app: &TestApp, id: &str, doc: &str) -> Value {
    data(
        app,
        &format!("/kyc/digilocker/sessions/{id}/documents/{doc}"),
    )
    .await
}

/// The `data` of the session's cross-document checks.
async fn checks(app: &TestApp, id: &str) -> Value {
    data(app, &format!("/kyc/digilocker/sessions/{id}/checks")).await
}

/// Trusts only a root of another PKI than the simulator's, whose signatures then fail.
fn trust_another_root(c: &mut GatewayConfig) {
    let mut other = TrustStore::new();
    let (_, root) = digigate_documents::signature::SigningIdentity::generate_test_pki(
        "OTHER",
        chrono::Utc::now() - chrono::Duration::days(1),
        chrono::Utc::now() + chrono::Duration::days(30),
    )
    .unwrap();
    other.add_pem(root.to_pem().unwrap().as_bytes()).unwrap();
    c.trust_store = Arc::new(other);
}

async fn documents_come_verified_and_normalised(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app
        .consented_journey(&["aadhaar", "pan", "driving_license"])
        .await;
    let aadhaar = document(&app, &id, "aadhaar").await;
    let v = &aadhaar["verification"];
    assert_eq!(v["status"], "verified", "{v}");
    assert_eq!(aadhaar["verified"], true);
    assert!(aadhaar.get("warning").is_none());
    assert_eq!(v["digest_matched"], true);
    assert!(v["signer_subject"].as_str().unwrap().contains("CN="));
    assert_eq!(
        v["signer_rule"],
        "*|NATIONAL E-GOVERNANCE DIVISION|Document Signer"
    );
    assert_eq!(v["doc_type"], "aadhaar");
    assert_eq!(v["hmac_header"], "matched");
    // The e-Aadhaar is generated at the fetch: its signing time is checked against it.
    assert_eq!(v["signing_time_source"], "kycres_ts");
    let time = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(v[k].as_str().unwrap_or_else(|| panic!("{k}: {v}")))
            .unwrap()
    };
    let skew = time("fetched_at") - time("validity_checked_at");
    assert!(skew.num_seconds().abs() < 60, "{v}");
    assert!(v["chain"].as_array().unwrap().len() >= 2);
    assert_eq!(v["document_sha256"].as_str().unwrap().len(), 64);
    let doc = &aadhaar["document"];
    let masked = doc["masked_number"].as_str().unwrap();
    assert!(
        masked.starts_with("XXXX-XXXX-") && masked.len() == 14,
        "{masked}"
    );
    assert!(doc["name"].is_string() && doc["date_of_birth"].is_string());
    assert!(
        doc.get("photo").is_none(),
        "the photo only comes when asked for"
    );
    let with_photo = document(&app, &id, "aadhaar?include=photo").await;
    assert!(with_photo["document"]["photo"].is_string());
    for doc in ["pan", "driving_license"] {
        let d = document(&app, &id, doc).await;
        assert_eq!(d["verification"]["status"], "verified", "{doc}");
        assert!(d["document"]["number"].is_string(), "{doc}");
    }
}

async fn consistent_documents_match(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app
        .consented_journey(&["aadhaar", "pan", "driving_license"])
        .await;
    let checks = checks(&app, &id).await;
    assert_eq!(checks["outcome"], "match", "{checks}");
    let fields: Vec<&str> = checks["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "date_of_birth", "gender"]);
}

async fn differing_name_formats_are_a_partial_match_with_reasons(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app.signin_allowing("9000000003", &["aadhaar", "pan"]).await;
    let checks = checks(&app, &id).await;
    assert_eq!(checks["outcome"], "partial", "{checks}");
    let name = checks["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "name")
        .unwrap();
    assert_eq!(name["outcome"], "partial");
    assert!(
        name["reason"].as_str().unwrap().contains("initial"),
        "{name}"
    );
}

async fn expected_details_from_init_are_compared(backend: Backend) {
    let app = spawn(backend).await;
    let body = |expected: Value| {
        json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin", "redirect_url": common::REDIRECT, "doc_types": ["aadhaar"],
            "expected": expected,
        })
    };
    for (bad, field) in [
        (
            json!({"date_of_birth": "31-02-1990x"}),
            "expected.date_of_birth",
        ),
        (json!({"gender": "robot"}), "expected.gender"),
        (json!({"name": 42}), "expected.name"),
        (json!("Asha"), "expected"),
    ] {
        let res = app.post("/kyc/digilocker/sessions/init", &body(bad)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let b: Value = res.json().await.unwrap();
        assert!(b["message"].as_str().unwrap().contains(field), "{b}");
    }
    let res = app
        .post(
            "/kyc/digilocker/sessions/init",
            &body(json!({"name": "Zubin Mehta", "date_of_birth": "01/01/1950", "gender": "M"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let (id, link) = (
        v["data"]["session_id"].as_str().unwrap(),
        v["data"]["authorization_url"].as_str().unwrap(),
    );
    let (browser, callback) = app.to_callback(link, &Person::allowing("9000000001")).await;
    app.finish_callback(&browser, &callback).await;
    let checks = checks(&app, id).await;
    assert_eq!(checks["outcome"], "mismatch", "{checks}");
    assert!(checks["sources"]
        .as_array()
        .unwrap()
        .contains(&json!("expected")));
}

async fn documents_from_an_untrusted_signer_fail_verification_and_are_not_parsed(backend: Backend) {
    let app = spawn_with(backend, trust_another_root).await;
    let (id, _) = app.consented_journey(&["pan"]).await;
    let pan = document(&app, &id, "pan").await;
    assert_eq!(pan["verification"]["status"], "failed");
    assert!(pan["verification"]["reason"].is_string());
    assert!(pan["document"].is_null());
    assert_eq!(pan["verified"], false);
    assert!(pan["warning"].is_string());
    assert_eq!(
        pan["files"][0]["metadata"]["ContentType"],
        "application/xml"
    );
}

async fn without_trust_anchors_documents_are_unverified_but_parsed(backend: Backend) {
    let app = spawn_with(backend, |c| c.trust_store = Arc::new(TrustStore::new())).await;
    let (id, _) = app.consented_journey(&["pan"]).await;
    let pan = document(&app, &id, "pan").await;
    assert_eq!(pan["verification"]["status"], "unverified");
    assert!(pan["document"]["number"].is_string());
    assert_eq!(pan["verified"], false, "{pan}");
    assert!(
        pan["warning"]
            .as_str()
            .unwrap()
            .contains("unverified (no_trust_anchors)"),
        "{pan}"
    );
    assert_eq!(pan["files"][0]["@entity"], "org.quicko.drive.file");
}

async fn a_session_where_every_box_was_unticked_fails_with_no_documents(backend: Backend) {
    let app = spawn(backend).await;
    let person = Person {
        docs: Some(Vec::new()),
        ..Person::allowing("9000000001")
    };
    let (id, back) = app.journey("signin", &["aadhaar", "pan"], &person).await;
    assert!(back.as_str().contains("status=failed"), "{back}");
    let status = app.status(&id).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert_eq!(status["reason"], "no_documents");
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/checks"))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

async fn checks_are_insufficient_when_every_document_fails_verification(backend: Backend) {
    let app = spawn_with(backend, trust_another_root).await;
    let (id, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let checks = checks(&app, &id).await;
    assert_eq!(checks["outcome"], "insufficient", "{checks}");
    let name = &checks["fields"][0];
    assert_eq!(name["outcome"], "insufficient");
    assert!(
        name["reason"]
            .as_str()
            .unwrap()
            .starts_with("no verified document has it"),
        "{name}"
    );
    assert_eq!(
        checks["standings"],
        json!([
            {"source": "aadhaar", "standing": "failed"},
            {"source": "pan", "standing": "failed"},
            {"source": "profile", "standing": "unsigned"},
        ])
    );
}

async fn unverified_documents_are_shown_but_never_make_a_match(backend: Backend) {
    let app = spawn_with(backend, |c| c.trust_store = Arc::new(TrustStore::new())).await;
    let (id, _) = app
        .consented_journey(&["aadhaar", "pan", "driving_license"])
        .await;
    let checks = checks(&app, &id).await;
    assert_eq!(checks["outcome"], "insufficient", "{checks}");
    let values = checks["fields"][0]["values"].as_array().unwrap();
    assert!(values
        .iter()
        .any(|v| v["standing"] == "unverified" && v["counted"] == false));
}

async fn a_trusted_chain_from_a_signer_other_than_digilockers_fails_as_unexpected_signer(
    backend: Backend,
) {
    let app = spawn_with(backend, |c| {
        let mut trust = digigate_server::testing::simulator_trust();
        trust.set_signer_rules(vec!["*|DIGITAL INDIA CORPORATION|Sub CA".parse().unwrap()]);
        c.trust_store = Arc::new(trust);
    })
    .await;
    let (id, _) = app.consented_journey(&["pan"]).await;
    let pan = document(&app, &id, "pan").await;
    let v = &pan["verification"];
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["reason"], "unexpected_signer");
    assert_eq!(
        v["expected_signers"],
        json!(["*|DIGITAL INDIA CORPORATION|Sub CA"])
    );
    assert!(pan["document"].is_null());
}

on_both_backends!(
    a_trusted_chain_from_a_signer_other_than_digilockers_fails_as_unexpected_signer,
    a_session_where_every_box_was_unticked_fails_with_no_documents,
    checks_are_insufficient_when_every_document_fails_verification,
    unverified_documents_are_shown_but_never_make_a_match,
    documents_come_verified_and_normalised,
    consistent_documents_match,
    differing_name_formats_are_a_partial_match_with_reasons,
    expected_details_from_init_are_compared,
    documents_from_an_untrusted_signer_fail_verification_and_are_not_parsed,
    without_trust_anchors_documents_are_unverified_but_parsed,
);
