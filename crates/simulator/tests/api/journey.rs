//! The person's pages: sign-in, OTP, PIN, sign-up and consent, ending in the redirect.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_registered_person_signs_in_consents_and_the_partner_reads_their_documents() {
    let sim = spawn().await;
    let (id, first) = sim
        .start(&[("purpose", "kyc"), ("consent_valid_till", "1829141682")])
        .await;
    assert!(
        first.contains("name=\"login_id\"")
            && first.contains("DigiLocker <small>(simulator)</small>")
    );

    let otp = sim.submit_page(&id, &[("login_id", "9000000001")]).await;
    assert_eq!(request_id(&otp), id);
    assert!(otp.contains("name=\"otp\"") && otp.contains("XXXXXX0001"));
    let pin = sim.submit_page(&id, &[("otp", "123456")]).await;
    assert!(pin.contains("name=\"pin\"") && pin.contains("type=\"password\""));
    let consent = sim.submit_page(&id, &[("pin", "123456")]).await;
    assert_eq!(request_id(&consent), id);
    for code in ["ADHAR", "PANCR", "DRVLC"] {
        assert!(
            consent.contains(&format!("name=\"doc\" value=\"{code}\" checked")),
            "{code}"
        );
    }
    assert!(consent.contains("name=\"decision\" value=\"deny\""));
    assert!(consent.contains("kyc"));

    let redirect = sim.allow(&id, &["ADHAR", "PANCR"]).await;
    assert_eq!(redirect["state"], "state-123");
    let code = &redirect["code"];
    assert!(code.len() == 40 && code.bytes().all(|b| b.is_ascii_hexdigit()));

    let token = sim.exchange(code).await;
    let access = token["access_token"].as_str().expect("access_token");
    assert_eq!(access.len(), 40);
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    assert_eq!(token["consent_valid_till"], 1829141682);
    assert_eq!(token["refresh_token"].as_str().map(str::len), Some(40));
    assert_eq!(
        token["digilockerid"],
        "3f6c1d2a-8b4e-4f1a-9c3d-5e7a9b0c1d01"
    );
    assert_eq!(token["name"], "Asha Verma");
    assert_eq!(token["dob"], "15081990");
    assert_eq!(token["gender"], "F");
    assert_eq!(token["eaadhaar"], "Y");
    assert_eq!(token["new_account"], "N");
    assert_eq!(token["reference_key"].as_str().map(str::len), Some(32));
    let scope = token["scope"].as_str().expect("scope");
    assert!(
        scope.starts_with("files.issueddocs userdetails issued/in.gov.uidai-ADHAR-"),
        "{scope}"
    );
    assert!(
        scope.ends_with(" issued/in.gov.pan-PANCR-ABKPV4821M"),
        "{scope}"
    );
    assert!(!scope.contains("DRVLC"), "{scope}");
    assert_eq!(
        token.as_object().map(|o| o.len()),
        Some(13),
        "exactly the §4.2 fields"
    );

    let user: serde_json::Value = sim
        .get("/oauth2/1/user", access)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(user["digilockerid"], token["digilockerid"]);
    assert_eq!(user["dob"], "15081990");
    assert_eq!(user["mobile"], "9000000001");
    assert!(user["picture"]
        .as_str()
        .is_some_and(|p| p.starts_with("/9j/")));

    let issued = sim.get("/oauth2/2/files/issued", access).await;
    assert_eq!(issued.status(), StatusCode::OK);
    let issued: serde_json::Value = issued.json().await.expect("json");
    assert_eq!(issued["resource"], "issued");
    let items = issued["items"].as_array().expect("items");
    let doctypes: Vec<&str> = items.iter().filter_map(|i| i["doctype"].as_str()).collect();
    assert_eq!(doctypes, ["ADHAR", "PANCR", "DRVLC"]);
    assert_eq!(items[1]["uri"], "in.gov.pan-PANCR-ABKPV4821M");
    assert_eq!(items[1]["mime"][1], "application/xml");
    let v1: serde_json::Value = sim
        .get("/oauth2/1/files/issued", access)
        .await
        .json()
        .await
        .expect("json");
    assert!(v1["items"][0]["mime"].is_string());

    let eaadhaar = sim.get("/oauth2/3/xml/eaadhaar", access).await;
    assert_eq!(eaadhaar.status(), StatusCode::OK);
    assert_eq!(eaadhaar.headers()["content-type"], "application/xml");
    assert!(eaadhaar.headers().contains_key("hmac"));
    let xml = eaadhaar.text().await.expect("xml");
    assert!(xml.contains("<KycRes") && xml.contains("uid=\"xxxxxxxx5616\""));
    assert!(!xml.contains("491830275616"));

    assert!(sim
        .xml("in.gov.pan-PANCR-ABKPV4821M", access)
        .await
        .contains("<PAN num=\"ABKPV4821M\""));
    let pdf = sim
        .get("/oauth2/1/file/in.gov.pan-PANCR-ABKPV4821M", access)
        .await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("pdf").starts_with(b"%PDF-"));
}

#[tokio::test]
async fn wrong_otp_and_pin_reshow_the_same_form_with_an_error() {
    let sim = spawn().await;
    let (id, _) = sim.start(&[]).await;
    sim.submit_page(&id, &[("login_id", "9000000001")]).await;
    let again = sim.submit_page(&id, &[("otp", "654321")]).await;
    assert!(again.contains("name=\"otp\"") && again.contains("class=\"error\""));
    assert!(again.contains("OTP you entered is incorrect"));
    let pin = sim.submit_page(&id, &[("otp", "123456")]).await;
    let again = sim.submit_page(&id, &[("pin", "000000")]).await;
    assert!(pin.contains("name=\"pin\"") && again.contains("name=\"pin\""));
    assert!(again.contains("PIN you entered is incorrect"));
    let consent = sim.submit_page(&id, &[("pin", "123456")]).await;
    assert!(consent.contains("name=\"decision\""));
}

#[tokio::test]
async fn pinless_sign_in_skips_the_pin_page() {
    let sim = spawn().await;
    let (id, _) = sim.start(&[("pla", "Y")]).await;
    sim.submit_page(&id, &[("login_id", "9000000001")]).await;
    let consent = sim.submit_page(&id, &[("otp", "123456")]).await;
    assert!(!consent.contains("name=\"pin\""));
    assert!(consent.contains("name=\"decision\" value=\"allow\""));
}

#[tokio::test]
async fn signing_in_with_an_aadhaar_number_works_like_a_mobile() {
    let sim = spawn().await;
    let (id, _) = sim.to_consent("4918 3027 5616", &[]).await;
    let token = sim
        .exchange(&sim.allow(&id, &["ADHAR"]).await["code"])
        .await;
    assert_eq!(token["name"], "Asha Verma");
}

#[tokio::test]
async fn denying_consent_redirects_with_access_denied() {
    let sim = spawn().await;
    let (id, _) = sim.to_consent("9000000001", &[]).await;
    let response = sim
        .submit(&id, &[("doc", "ADHAR"), ("decision", "deny")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().expect("ascii");
    let q = query(location);
    assert_eq!(q["error"], "access_denied");
    assert!(!q["error_description"].is_empty());
    assert_eq!(q["state"], "state-123");
    assert!(!q.contains_key("code"));
    // The journey is over: its form cannot be replayed.
    let replay = sim.submit(&id, &[("decision", "allow")]).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn allowing_with_every_box_unticked_issues_a_code_without_document_grants() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &[]).await;
    let token = sim.exchange(&code).await;
    assert_eq!(token["scope"], "files.issueddocs userdetails");
    let access = token["access_token"].as_str().expect("token");
    let denied = sim.get("/oauth2/3/xml/eaadhaar", access).await;
    assert_error(denied, StatusCode::FORBIDDEN, "insufficient_scope").await;
}

#[tokio::test]
async fn req_doctype_limits_the_consent_page_to_requested_documents_the_persona_holds() {
    let sim = spawn().await;
    let (_, consent) = sim
        .to_consent("9000000001", &[("req_doctype", "PANCR,DRVLC")])
        .await;
    assert!(!consent.contains("value=\"ADHAR\"") && consent.contains("value=\"PANCR\""));
    assert!(consent.contains("value=\"DRVLC\""));
    let (id, consent) = sim
        .to_consent("9000000002", &[("req_doctype", "ADHAR,PANCR")])
        .await;
    assert!(!consent.contains("value=\"ADHAR\"") && consent.contains("value=\"PANCR\" checked"));
    // A tampered form cannot grant a document that was not offered.
    let token = sim
        .exchange(&sim.allow(&id, &["ADHAR", "PANCR", "DRVLC"]).await["code"])
        .await;
    assert_eq!(
        token["scope"],
        "files.issueddocs userdetails issued/in.gov.pan-PANCR-CHDPR1123E"
    );
}

#[tokio::test]
async fn partner_text_is_escaped_on_every_page() {
    let sim = spawn().await;
    let evil = "<script>alert(1)</script>\"'";
    let (_, consent) = sim
        .to_consent("9000000001", &[("purpose", evil), ("service_name", evil)])
        .await;
    assert!(!consent.contains("<script>"));
    // A quote needs no escaping in text, and every attribute is double-quoted.
    assert!(consent.contains("<strong>&lt;script&gt;alert(1)&lt;/script&gt;&quot;'</strong>"));
    assert!(consent.contains("<dd>&lt;script&gt;alert(1)&lt;/script&gt;&quot;'</dd>"));
}

#[tokio::test]
async fn a_persona_name_with_markup_is_text_on_the_consent_page() {
    let mut config = config();
    let persona = config
        .personas
        .iter_mut()
        .find(|p| p.mobile == "9000000001")
        .expect("the persona");
    persona.name = "</span><img src=x onerror=alert(1)>\"".into();
    let sim = spawn_with(config).await;
    let (_, consent) = sim.to_consent("9000000001", &[]).await;
    assert!(!consent.contains("<img"), "{consent}");
    assert!(
        consent.contains("photo of &lt;/span&gt;&lt;img src=x onerror=alert(1)&gt;&quot;</span>")
    );
}

#[tokio::test]
async fn an_unknown_request_id_gets_an_html_error_page() {
    let sim = spawn().await;
    let response = sim
        .submit(
            "0123456789abcdef0123456789abcdef",
            &[("login_id", "9000000001")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_html_headers(response.headers());
    assert!(response.text().await.expect("html").contains("expired"));
}

#[tokio::test]
async fn the_router_works_nested_under_a_prefix_with_relative_forms() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = axum::Router::new().nest(
        "/simulator",
        digigate_simulator::Simulator::new(config()).router(),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let sim = TestSim {
        base: format!("http://127.0.0.1:{port}/simulator/public"),
        client: client(),
    };
    let (id, page) = sim.to_consent("9000000001", &[]).await;
    assert!(!page.contains("/public/"), "no absolute paths in pages");
    let token = sim
        .exchange(&sim.allow(&id, &["PANCR"]).await["code"])
        .await;
    assert_eq!(token["name"], "Asha Verma");
}
