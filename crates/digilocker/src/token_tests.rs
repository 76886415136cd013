use super::{grant_from, DigiLockerTokenResponse};

fn decode(json: &str) -> super::TokenGrant {
    grant_from(serde_json::from_str::<DigiLockerTokenResponse>(json).expect("token answer decodes"))
}

#[test]
fn the_token_answer_in_real_spelling_decodes() {
    let grant = decode(
        r#"{"access_token":"bc125c212a4b03a9a188a858be5a163f379e878a","expires_in":3600,
        "token_type":"Bearer","scope":"files.issueddocs issued/in.gov.pan-PANCR-ABCDE1234F",
        "consent_valid_till":1684731048,"refresh_token":"a47ab18c593703e4f83a274694db7422a8cfcb8f",
        "digilockerid":"123e4567-e89b-12d3-a456-426655440000","name":"Sunil Kumar",
        "dob":"31121970","gender":"M","eaadhaar":"Y","new_account":"N",
        "reference_key":"1c66bec26364cd6fefaabc6cae91840a"}"#,
    );
    assert_eq!(
        grant.access_token.expose(),
        "bc125c212a4b03a9a188a858be5a163f379e878a"
    );
    assert_eq!(
        grant.refresh_token.as_ref().map(|t| t.expose()),
        Some("a47ab18c593703e4f83a274694db7422a8cfcb8f")
    );
    assert_eq!(grant.expires_in, Some(3600));
    assert_eq!(
        grant.scope,
        "files.issueddocs issued/in.gov.pan-PANCR-ABCDE1234F"
    );
    assert_eq!(grant.consent_valid_till, Some(1_684_731_048));
    assert_eq!(
        grant.digilocker_id.as_deref(),
        Some("123e4567-e89b-12d3-a456-426655440000")
    );
    assert_eq!(grant.name.as_deref(), Some("Sunil Kumar"));
    assert_eq!(grant.dob.as_deref(), Some("31121970"));
    assert_eq!(grant.gender.as_deref(), Some("M"));
    assert_eq!(grant.eaadhaar, Some(true));
    assert_eq!(
        grant.reference_key.as_deref(),
        Some("1c66bec26364cd6fefaabc6cae91840a")
    );
    assert_eq!(grant.granted_uris(), ["in.gov.pan-PANCR-ABCDE1234F"]);
    assert_eq!(grant.granted_doctypes(), ["PANCR"]);
}

#[test]
fn the_token_answer_in_openapi_spelling_decodes() {
    let grant = decode(
        r#"{"access_token":"t","token_type":"bearer","scope":"files.issueddocs",
        "digilocker_id":"123e4567-e89b-12d3-a456-426655440000","dob":1011990,"eaadhar":"N",
        "consent_valid_till":"1684731048"}"#,
    );
    assert_eq!(
        grant.digilocker_id.as_deref(),
        Some("123e4567-e89b-12d3-a456-426655440000")
    );
    assert_eq!(grant.dob.as_deref(), Some("01011990"));
    assert_eq!(grant.eaadhaar, Some(false));
    assert_eq!(grant.consent_valid_till, Some(1_684_731_048));
    assert!(grant.refresh_token.is_none());
    assert!(grant.granted_uris().is_empty());
}

#[test]
fn a_minimal_token_answer_leaves_identity_fields_empty() {
    let grant = decode(r#"{"access_token":"t","token_type":"Bearer"}"#);
    assert_eq!(grant.scope, "");
    assert!(grant.digilocker_id.is_none() && grant.eaadhaar.is_none() && grant.dob.is_none());
}

#[test]
fn a_grant_debug_shows_no_tokens_or_personal_data() {
    let grant = decode(
        r#"{"access_token":"bc125c212a4b03a9","refresh_token":"a47ab18c5937","token_type":"Bearer",
        "name":"Sunil Kumar","dob":"31121970","digilockerid":"123e4567"}"#,
    );
    let debug = format!("{grant:?}");
    for secret in [
        "bc125c212a4b03a9",
        "a47ab18c5937",
        "Sunil",
        "31121970",
        "123e4567",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked into {debug}");
    }
}

#[test]
fn a_malformed_flag_fails_without_quoting_the_value() {
    let err = serde_json::from_str::<DigiLockerTokenResponse>(
        r#"{"access_token":"t","token_type":"Bearer","eaadhaar":"Sunil Kumar"}"#,
    )
    .expect_err("rejected");
    assert!(!err.to_string().contains("Sunil"));
}

/// `header.payload.signature` with the given claims and a dummy signature.
fn unsigned_jwt(claims: &serde_json::Value) -> String {
    use base64::Engine as _;
    let b64 = |v: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256","kid":"k"}"#.to_owned()),
        b64(claims.to_string()),
        b64("sig".to_owned())
    )
}

#[test]
fn an_oidc_answer_exposes_the_id_token_claims_unverified() {
    let jwt = unsigned_jwt(&serde_json::json!({
        "iss": "https://digilocker.meripehchaan.gov.in", "sub": "123e4567", "aud": "client-1",
        "iat": 1_700_000_000, "exp": 1_700_086_400, "given_name": "Sunil Kumar",
        "masked_aadhaar": "xxxxxxxx1234", "pan_number": "ABCDE1234F",
    }));
    let grant = decode(&format!(
        r#"{{"access_token":"t","token_type":"Bearer","scope":"openid files.issueddocs",
        "id_token":"{jwt}"}}"#
    ));
    let token = grant.id_token.as_ref().expect("id_token decoded");
    let claims = token.unverified_claims();
    assert_eq!(claims.subject.as_deref(), Some("123e4567"));
    assert_eq!(claims.audience, ["client-1"]);
    assert_eq!(claims.masked_aadhaar.as_deref(), Some("xxxxxxxx1234"));
    assert_eq!(claims.expires_at, Some(1_700_086_400));
    // The identity fields of the answer itself are untouched by the id_token.
    assert!(grant.name.is_none() && grant.digilocker_id.is_none());
    assert!(!format!("{grant:?}").contains("Sunil"));
}

#[test]
fn an_answer_without_id_token_has_none() {
    let grant = decode(r#"{"access_token":"t","token_type":"Bearer","id_token":""}"#);
    assert!(grant.id_token.is_none());
}

#[test]
fn a_malformed_id_token_fails_the_answer_without_quoting_it() {
    for bad in [r#""not-a-jwt-Sunil""#, "42"] {
        let err = serde_json::from_str::<DigiLockerTokenResponse>(&format!(
            r#"{{"access_token":"t","token_type":"Bearer","id_token":{bad}}}"#
        ))
        .expect_err("rejected");
        assert!(err.to_string().contains("id_token"), "{err}");
        assert!(!err.to_string().contains("Sunil"), "{err}");
    }
}
