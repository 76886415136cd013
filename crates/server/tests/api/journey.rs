//! The consent journey end to end over real HTTP: init → link → DigiLocker (simulator) →
//! callback → status → documents → download, on SQLite and on PostgreSQL.

use crate::common;

use common::{spawn, spawn_with, Backend, TestApp, REDIRECT};
use digigate_client::simulator::{Browser, Decision, Person};
use digigate_server::testing::on_both_backends;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn query(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn document(app: &TestApp, id: &str, doc: &str) -> (StatusCode, Value) {
    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/documents/{doc}"))
        .await;
    (res.status(), res.json().await.unwrap())
}

async fn a_consistent_persona_shares_all_three_documents(backend: Backend) {
    let app = spawn(backend).await;
    let (id, back) = app
        .consented_journey(&["aadhaar", "pan", "driving_license"])
        .await;
    assert!(back.as_str().starts_with(REDIRECT));
    assert_eq!(query(&back, "session_id").as_deref(), Some(id.as_str()));
    assert_eq!(query(&back, "status").as_deref(), Some("succeeded"));
    let status = app.status(&id).await;
    assert_eq!(status["status"], "succeeded");
    assert_eq!(status["@entity"], "in.co.sandbox.kyc.digilocker.session");
    assert_eq!(
        status["documents_consented"],
        json!(["aadhaar", "pan", "driving_license"])
    );
    assert!(status["updated_at"].as_i64().unwrap() >= status["created_at"].as_i64().unwrap());

    for doc in ["aadhaar", "pan", "driving_license"] {
        let (code, body) = document(&app, &id, doc).await;
        assert_eq!(code, StatusCode::OK, "{doc}: {body}");
        let file = &body["data"]["files"][0];
        assert_eq!(file["@entity"], "org.quicko.drive.file");
        assert_eq!(file["metadata"]["ContentType"], "application/xml");
        for key in ["issuer_id", "issuer", "LastModified", "description"] {
            assert!(file["metadata"][key].is_string(), "{doc} metadata {key}");
        }
        let url = file["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/files/", app.base)));
        let res = app.api.get(url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/xml");
        let bytes = res.bytes().await.unwrap();
        assert_eq!(bytes.len() as i64, file["size"].as_i64().unwrap());
        assert!(std::str::from_utf8(&bytes)
            .unwrap()
            .contains("<Certificate"));
    }

    let res = app
        .get(&format!("/kyc/digilocker/sessions/{id}/user/profile"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let profile: Value = res.json().await.unwrap();
    let p = &profile["data"];
    assert_eq!(p["@entity"], "in.co.sandbox.kyc.digilocker.user.profile");
    assert_eq!(p["eaadhaar"], true);
    assert!(["male", "female", "transgender"].contains(&p["gender"].as_str().unwrap()));
    let dob = p["date_of_birth"].as_str().unwrap();
    assert!(
        dob.len() == 10 && &dob[2..3] == "/" && &dob[5..6] == "/",
        "{dob}"
    );
}

async fn a_persona_without_aadhaar_still_shares_pan(backend: Backend) {
    let app = spawn(backend).await;
    let (id, back) = app.signin_allowing("9000000002", &["aadhaar", "pan"]).await;
    assert_eq!(query(&back, "status").as_deref(), Some("succeeded"));
    let status = app.status(&id).await;
    assert_eq!(status["documents_missing"][0]["doc_type"], "aadhaar");
    assert_eq!(
        status["documents_missing"][0]["reason"],
        "aadhaar_not_linked"
    );
    let (code, _) = document(&app, &id, "pan").await;
    assert_eq!(code, StatusCode::OK);
    let (code, body) = document(&app, &id, "aadhaar").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("aadhaar_not_linked"));
}

async fn a_persona_with_differing_documents_completes(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app.signin_allowing("9000000003", &["aadhaar", "pan"]).await;
    assert_eq!(app.status(&id).await["status"], "succeeded");
    assert_eq!(document(&app, &id, "aadhaar").await.0, StatusCode::OK);
    assert_eq!(document(&app, &id, "pan").await.0, StatusCode::OK);
}

async fn a_failing_repository_fails_the_session_with_a_reason(backend: Backend) {
    let app = spawn(backend).await;
    let (id, back) = app.signin_allowing("9000000004", &["aadhaar", "pan"]).await;
    assert_eq!(query(&back, "status").as_deref(), Some("failed"));
    let status = app.status(&id).await;
    assert_eq!(status["status"], "failed");
    assert_eq!(status["reason"], "repository_unavailable");
    let (code, body) = document(&app, &id, "pan").await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(
        body["message"],
        "Cannot get document due to invalid session lifecycle"
    );
    assert_eq!(
        app.revocations().await,
        1,
        "the token of a failed journey is revoked"
    );
}

async fn an_unregistered_person_signs_up_and_shares_aadhaar(backend: Backend) {
    let app = spawn(backend).await;
    let (id, back) = app
        .journey("signup", &["aadhaar"], &Person::allowing("9000000005"))
        .await;
    assert_eq!(
        query(&back, "status").as_deref(),
        Some("succeeded"),
        "{back}"
    );
    assert_eq!(
        app.status(&id).await["documents_consented"],
        json!(["aadhaar"])
    );
}

async fn denying_consent_fails_the_session(backend: Backend) {
    let app = spawn(backend).await;
    let person = Person {
        decision: Decision::Deny,
        ..Person::allowing("9000000001")
    };
    let (id, back) = app.journey("signin", &["aadhaar"], &person).await;
    assert_eq!(query(&back, "status").as_deref(), Some("failed"));
    assert_eq!(app.status(&id).await["reason"], "consent_denied");
    assert_eq!(
        app.sim.call_counts().token_requests,
        0,
        "a denial makes no token call"
    );
}

async fn a_pan_only_session_never_asks_for_the_e_aadhaar(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app.consented_journey(&["pan"]).await;
    assert_eq!(app.status(&id).await["documents_consented"], json!(["pan"]));
    assert_eq!(app.sim.call_counts().eaadhaar_requests, 0);
}

async fn a_requested_document_the_locker_does_not_hold_is_reported_missing(backend: Backend) {
    let app = spawn(backend).await;
    let person = Person::allowing("9000000003");
    let (id, _) = app
        .journey("signin", &["pan", "driving_license"], &person)
        .await;
    let status = app.status(&id).await;
    assert_eq!(status["status"], "succeeded");
    assert_eq!(
        status["documents_missing"],
        json!([{"doc_type": "driving_license", "reason": "not_issued"}])
    );
    let (code, body) = document(&app, &id, "driving_license").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(
        body["message"].as_str().unwrap().contains("not_issued"),
        "{body}"
    );
}

async fn an_unticked_document_is_not_consented(backend: Backend) {
    let app = spawn(backend).await;
    let person = Person {
        docs: Some(vec!["ADHAR".to_owned()]),
        ..Person::allowing("9000000001")
    };
    let (id, _) = app.journey("signin", &["aadhaar", "pan"], &person).await;
    assert_eq!(
        app.status(&id).await["documents_consented"],
        json!(["aadhaar"])
    );
    let (code, body) = document(&app, &id, "pan").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Consent for pan not provided");
}

async fn an_expired_link_is_refused_and_the_session_expires(backend: Backend) {
    let app = spawn_with(backend, |c| c.link_ttl = std::time::Duration::ZERO).await;
    let (id, link) = app.init("signin", &["aadhaar"], json!({})).await;
    let res = Browser::new().http().get(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(app.status(&id).await["status"], "expired");
}

async fn a_replayed_callback_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let (id, browser, callback) = app.consented_callback(&["aadhaar"]).await;
    app.finish_callback(&browser, &callback).await;
    let before = app.status(&id).await;
    let calls = app.sim.call_counts();
    assert_eq!(
        (calls.token_requests, app.revocations().await),
        (1, 1),
        "one exchange, one revoke"
    );
    let again = browser.http().get(callback).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.sim.call_counts(),
        calls,
        "a replay makes no DigiLocker call"
    );
    assert!(again.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(app.status(&id).await, before);
}

async fn a_forged_state_or_a_missing_cookie_is_refused_without_side_effects(backend: Backend) {
    let app = spawn(backend).await;
    let (id, browser, callback) = app.consented_callback(&["aadhaar"]).await;
    // Another browser (no binding cookie) replays the real callback URL.
    let stranger = Browser::new();
    assert_eq!(
        stranger
            .http()
            .get(callback.clone())
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    // The person's browser with a forged state.
    let forged = format!(
        "{}/callbacks/digilocker?state=forged-state&code=0123456789abcdef0123456789abcdef01234567",
        app.base
    );
    assert_eq!(
        browser.http().get(forged).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.status(&id).await["status"], "initialized");
    assert_eq!(
        app.sim.call_counts().token_requests,
        0,
        "no code was exchanged"
    );
    // The real callback still completes: nothing was consumed.
    app.finish_callback(&browser, &callback).await;
    assert_eq!(app.status(&id).await["status"], "succeeded");
}

async fn another_keys_session_is_indistinguishable_from_a_missing_one(backend: Backend) {
    let app = spawn(backend).await;
    let (id, _) = app.consented_journey(&["aadhaar"]).await;
    let (key, secret) = app.create_key(Vec::new()).await;
    let token = app.authenticate(&key, &secret).await;
    let missing = "00000000-0000-4000-8000-000000000000";
    for path in ["status", "user/profile", "documents/aadhaar"] {
        let foreign = app
            .get_as(
                &format!("/kyc/digilocker/sessions/{id}/{path}"),
                &key,
                &token,
            )
            .await;
        let absent = app
            .get_as(
                &format!("/kyc/digilocker/sessions/{missing}/{path}"),
                &key,
                &token,
            )
            .await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
        assert_eq!(absent.status(), StatusCode::NOT_FOUND);
        let (f, a): (Value, Value) = (foreign.json().await.unwrap(), absent.json().await.unwrap());
        assert_eq!(f["message"], format!("Data not found for: {id}"));
        assert_eq!(a["message"], format!("Data not found for: {missing}"));
        assert_eq!(
            f.as_object().unwrap().keys().collect::<Vec<_>>(),
            a.as_object().unwrap().keys().collect::<Vec<_>>()
        );
    }
}

async fn a_restart_between_init_and_callback_completes_the_journey(backend: Backend) {
    let mut app = spawn(backend).await;
    let (id, browser, callback) = app.consented_callback(&["aadhaar", "pan"]).await;
    app.restart().await;
    app.finish_callback(&browser, &callback).await;
    assert_eq!(app.status(&id).await["status"], "succeeded");
}

on_both_backends! {
    a_requested_document_the_locker_does_not_hold_is_reported_missing,
    a_pan_only_session_never_asks_for_the_e_aadhaar,
    a_consistent_persona_shares_all_three_documents,
    a_persona_without_aadhaar_still_shares_pan,
    a_persona_with_differing_documents_completes,
    a_failing_repository_fails_the_session_with_a_reason,
    an_unregistered_person_signs_up_and_shares_aadhaar,
    denying_consent_fails_the_session,
    an_unticked_document_is_not_consented,
    an_expired_link_is_refused_and_the_session_expires,
    a_replayed_callback_is_refused_and_changes_nothing,
    a_forged_state_or_a_missing_cookie_is_refused_without_side_effects,
    another_keys_session_is_indistinguishable_from_a_missing_one,
    a_restart_between_init_and_callback_completes_the_journey,
}
