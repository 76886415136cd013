//! PKCE as DigiLocker's OAuth library checks it (reference §3, §4.2): any RFC 7636-shaped
//! challenge at authorize, the verifier's shape and hash at the token step.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_malformed_code_verifier_is_rejected_with_code_verifier_invalid() {
    let sim = spawn().await;
    let code = sim.code_for("9000000001", &["PANCR"]).await;
    for bad in [
        "too-short",
        &format!("{}!", "a".repeat(50)),
        &"a".repeat(129),
    ] {
        let response = sim
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", bad),
            ])
            .await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "code_verifier_invalid").await;
        assert_eq!(
            body["error_description"],
            "The PKCE code verifier parameter is invalid."
        );
    }
    // A failed check does not consume the code.
    sim.exchange(&code).await;
}

#[tokio::test]
async fn a_100_character_challenge_is_accepted_at_authorize_and_fails_at_the_token_step() {
    let sim = spawn().await;
    let challenge = "A1b2-C3d4.E5f6_G7h8~".repeat(5);
    assert_eq!(challenge.len(), 100);
    let (id, _) = sim
        .to_consent("9000000001", &[("code_challenge", &challenge)])
        .await;
    let code = sim.allow(&id, &["PANCR"]).await["code"].clone();
    let response = sim
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "code_verifier_mismatch").await;
}

#[tokio::test]
async fn a_challenge_outside_43_to_128_unreserved_characters_is_refused_at_authorize() {
    let sim = spawn().await;
    for bad in [
        "a".repeat(42),
        "a".repeat(129),
        format!("{}+/", "a".repeat(43)),
    ] {
        let response = sim
            .client
            .get(sim.authorize_url(&[("code_challenge", &bad)]))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let page = response.text().await.expect("html");
        assert!(
            page.contains("code challenge supplied is invalid"),
            "{page}"
        );
    }
}
