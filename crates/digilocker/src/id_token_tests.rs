use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::*;

const ISSUER: &str = "https://digilocker.meripehchaan.gov.in";
const NOW: i64 = 1_700_000_000;

fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand_core_rng(), 2048).expect("key"))
}

fn other_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand_core_rng(), 2048).expect("key"))
}

fn rand_core_rng() -> rsa::rand_core::OsRng {
    rsa::rand_core::OsRng
}

fn jwks(key: &RsaPrivateKey, kid: &str) -> IdTokenKeys {
    let set = json!({"keys": [
        {"kty": "EC", "kid": "ignored", "crv": "P-256"},
        {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
         "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
         "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be())},
    ]});
    IdTokenKeys::from_jwks_json(set.to_string().as_bytes()).expect("key set")
}

fn sign(key: &RsaPrivateKey, header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(input.as_bytes()),
        )
        .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn claims() -> serde_json::Value {
    json!({
        "iss": ISSUER, "sub": "123e4567-e89b-12d3-a456-426655440000", "aud": "client-1",
        "iat": NOW, "exp": NOW + 86_400, "auth_time": NOW - 5, "nonce": "n-1", "jti": "j",
        "given_name": "Sunil Kumar", "birthdate": "31/12/1970", "gender": "M",
        "masked_aadhaar": "xxxxxxxx1234", "pan_number": "ABCDE1234F",
        "driving_licence": "DL0120230100001", "user_sso_id": "DL-123e4567",
        "reference_key": "1c66", "auth_mode": "DL_MOBILE_PIN",
    })
}

fn header() -> serde_json::Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})
}

fn expect() -> IdTokenExpectations<'static> {
    IdTokenExpectations {
        issuer: ISSUER,
        client_id: "client-1",
        nonce: Some("n-1"),
        now: NOW,
    }
}

#[test]
fn a_token_signed_by_a_trusted_key_verifies_and_yields_its_claims() {
    let token = IdToken::decode(&sign(key(), &header(), &claims())).expect("decodes");
    let claims = token
        .verify(&jwks(key(), "k1"), &expect())
        .expect("verifies");
    assert_eq!(
        claims.subject.as_deref(),
        Some("123e4567-e89b-12d3-a456-426655440000")
    );
    assert_eq!(claims.audience, ["client-1"]);
    assert_eq!(claims.expires_at, Some(NOW + 86_400));
    assert_eq!(claims.given_name.as_deref(), Some("Sunil Kumar"));
    assert_eq!(claims.masked_aadhaar.as_deref(), Some("xxxxxxxx1234"));
    assert_eq!(claims.pan_number.as_deref(), Some("ABCDE1234F"));
    assert_eq!(claims.driving_licence.as_deref(), Some("DL0120230100001"));
    assert_eq!(claims.birthdate.as_deref(), Some("31/12/1970"));
    assert_eq!(claims.auth_mode.as_deref(), Some("DL_MOBILE_PIN"));
}

#[test]
fn claims_decode_without_verification_but_are_only_informational() {
    let raw = sign(other_key(), &header(), &claims());
    let token = IdToken::decode(&raw).expect("decodes");
    assert_eq!(
        token.unverified_claims().pan_number.as_deref(),
        Some("ABCDE1234F")
    );
    assert_eq!(token.expose(), raw);
    assert_eq!(
        token.verify(&jwks(key(), "k1"), &expect()).err(),
        Some(IdTokenError::BadSignature)
    );
}

#[test]
fn an_unsigned_or_non_rs256_token_is_refused() {
    for alg in ["none", "HS256", "RS512"] {
        let mut h = header();
        h["alg"] = json!(alg);
        let token = IdToken::decode(&sign(key(), &h, &claims())).expect("decodes");
        assert_eq!(
            token.verify(&jwks(key(), "k1"), &expect()).err(),
            Some(IdTokenError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[test]
fn a_token_naming_an_unknown_key_is_refused() {
    let token = IdToken::decode(&sign(key(), &header(), &claims())).expect("decodes");
    assert_eq!(
        token.verify(&jwks(key(), "other"), &expect()).err(),
        Some(IdTokenError::UnknownKey)
    );
}

#[test]
fn issuer_audience_expiry_and_nonce_are_checked_after_the_signature() {
    let cases: [(&str, serde_json::Value, IdTokenError); 5] = [
        (
            "iss",
            json!("https://evil.example"),
            IdTokenError::WrongIssuer,
        ),
        ("aud", json!(["someone-else"]), IdTokenError::WrongAudience),
        ("exp", json!(NOW - 3600), IdTokenError::Expired),
        ("exp", serde_json::Value::Null, IdTokenError::Expired),
        ("nonce", json!("n-2"), IdTokenError::NonceMismatch),
    ];
    for (claim, value, want) in cases {
        let mut c = claims();
        c[claim] = value;
        let token = IdToken::decode(&sign(key(), &header(), &c)).expect("decodes");
        assert_eq!(
            token.verify(&jwks(key(), "k1"), &expect()).err(),
            Some(want),
            "{claim}"
        );
    }
    let mut c = claims();
    c["aud"] = json!(["other", "client-1"]);
    let token = IdToken::decode(&sign(key(), &header(), &c)).expect("decodes");
    assert!(token.verify(&jwks(key(), "k1"), &expect()).is_ok());
}

#[test]
fn malformed_tokens_are_errors_that_quote_nothing() {
    let good = sign(key(), &header(), &claims());
    let parts: Vec<&str> = good.split('.').collect();
    for bad in [
        "",
        "abc",
        &format!("{}.{}", parts[0], parts[1]),
        &format!("{good}.extra"),
        &format!("!!!.{}.{}", parts[1], parts[2]),
        &format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode("[1]"),
            parts[2]
        ),
    ] {
        let err = IdToken::decode(bad).expect_err("malformed");
        assert!(matches!(err, IdTokenError::Malformed(_)), "{bad}: {err}");
        assert!(!err.to_string().contains("Sunil"));
    }
    let mut c = claims();
    c["exp"] = json!("soon");
    assert!(IdToken::decode(&sign(key(), &header(), &c)).is_err());
}

#[test]
fn debug_output_shows_no_token_or_personal_data() {
    let raw = sign(key(), &header(), &claims());
    let token = IdToken::decode(&raw).expect("decodes");
    let debug = format!("{token:?} {:?}", token.unverified_claims());
    for secret in ["Sunil", "ABCDE1234F", "xxxxxxxx1234", &raw[..20]] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
}

#[test]
fn a_key_set_without_rsa_signing_keys_is_an_error() {
    for set in [
        r#"{"keys":[]}"#,
        r#"{"keys":[{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}"#,
        r#"{"nokeys":1}"#,
        "not json",
    ] {
        assert!(
            matches!(
                IdTokenKeys::from_jwks_json(set.as_bytes()),
                Err(IdTokenError::InvalidKeySet(_))
            ),
            "{set}"
        );
    }
}
