//! Accounts: sign-in with an unregistered number, and sign-up creating one.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn signing_in_with_an_unregistered_number_shows_an_error_on_the_sign_in_page() {
    let sim = spawn().await;
    let (id, _) = sim.start(&[]).await;
    let page = sim.submit_page(&id, &[("login_id", "9000000005")]).await;
    assert!(page.contains("name=\"login_id\"") && !page.contains("name=\"otp\""));
    assert!(page.contains("No DigiLocker account exists"), "{page}");
    let page = sim.submit_page(&id, &[("login_id", "12345")]).await;
    assert!(page.contains("Enter a valid 10-digit mobile number"));
    let page = sim.submit_page(&id, &[("login_id", "491830275617")]).await;
    assert!(
        page.contains("Enter a valid Aadhaar number"),
        "Verhoeff check"
    );
}

#[tokio::test]
async fn signing_up_an_unregistered_persona_creates_the_account_and_marks_it_new() {
    let sim = spawn().await;
    let (id, first) = sim.start(&[("dl_flow", "signup")]).await;
    assert!(first.contains("Create your DigiLocker account"));
    sim.submit_page(&id, &[("login_id", "9000000005")]).await;
    let create = sim.submit_page(&id, &[("otp", "123456")]).await;
    assert!(create.contains("Arjun Reddy") && create.contains("XXXX XXXX 0486"));
    assert!(create.contains("name=\"pin\""));
    let consent = sim.submit_page(&id, &[("pin", "123456")]).await;
    assert!(consent.contains("value=\"ADHAR\" checked") && !consent.contains("PANCR"));
    let token = sim
        .exchange(&sim.allow(&id, &["ADHAR"]).await["code"])
        .await;
    assert_eq!(token["new_account"], "Y");
    assert_eq!(token["eaadhaar"], "Y");
    let access = token["access_token"].as_str().expect("token");
    assert_eq!(
        sim.get("/oauth2/3/xml/eaadhaar", access).await.status(),
        StatusCode::OK
    );

    // The account now exists: a later sign-in goes through, and is not new.
    let (id, _) = sim.to_consent("9000000005", &[]).await;
    let token = sim.exchange(&sim.allow(&id, &[]).await["code"]).await;
    assert_eq!(token["new_account"], "N");
}

#[tokio::test]
async fn pinless_sign_up_creates_the_account_without_a_pin() {
    let sim = spawn().await;
    let (id, _) = sim.start(&[("dl_flow", "signup"), ("plsignup", "Y")]).await;
    sim.submit_page(&id, &[("login_id", "9000000005")]).await;
    let create = sim.submit_page(&id, &[("otp", "123456")]).await;
    assert!(create.contains("Create account") && !create.contains("name=\"pin\""));
    let consent = sim.submit_page(&id, &[]).await;
    assert!(consent.contains("name=\"decision\""));
}

#[tokio::test]
async fn a_partner_verified_mobile_skips_the_sign_up_otp() {
    let sim = spawn().await;
    let extra = [("dl_flow", "signup"), ("verified_mobile", "9000000005")];
    let (id, first) = sim.start(&extra).await;
    assert!(first.contains("value=\"9000000005\""), "pre-filled");
    let create = sim.submit_page(&id, &[("login_id", "9000000005")]).await;
    assert!(create.contains("Create account") && !create.contains("name=\"otp\""));
}
