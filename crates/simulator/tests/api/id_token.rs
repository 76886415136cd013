//! OpenID Connect (reference §4.1 `scope`, §4.2, §7): `/oauth2/2/token` adds an `id_token` when
//! `openid` was requested, signed with a key the simulator publishes as a JWK Set.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use digigate_simulator::IdTokenKey;
use reqwest::StatusCode;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::helpers::*;

const ASHA_ID: &str = "3f6c1d2a-8b4e-4f1a-9c3d-5e7a9b0c1d01";

/// Signs in `mobile` with `scope`/`nonce` at authorize and exchanges the code at `token_path`.
async fn token_at(
    sim: &TestSim,
    mobile: &str,
    authorize: &[(&str, &str)],
    token_path: &str,
) -> serde_json::Value {
    let (id, _) = sim.to_consent(mobile, authorize).await;
    let code = sim.allow(&id, &["ADHAR", "PANCR"]).await["code"].clone();
    let response = sim
        .client
        .post(sim.url(token_path))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

fn decode_part(part: &str) -> serde_json::Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
}

/// Verifies the compact JWS against the simulator's published JWK Set, as an OIDC client
/// would, and returns its claims.
async fn verified_claims(sim: &TestSim, id_token: &str) -> serde_json::Value {
    let parts: Vec<&str> = id_token.split('.').collect();
    assert_eq!(parts.len(), 3, "compact JWS");
    let header = decode_part(parts[0]);
    assert_eq!(header["alg"], "RS256");
    let response = sim
        .client
        .get(sim.url("/oauth2/1/certs"))
        .send()
        .await
        .expect("jwks");
    assert_eq!(response.status(), StatusCode::OK);
    let jwks: serde_json::Value = response.json().await.expect("jwks json");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the token's kid is published");
    assert_eq!(jwk["kty"], "RSA");
    let number = |name: &str| {
        let bytes = URL_SAFE_NO_PAD
            .decode(jwk[name].as_str().expect("n and e"))
            .expect("base64url");
        BigUint::from_bytes_be(&bytes)
    };
    let key = RsaPublicKey::new(number("n"), number("e")).expect("RSA key");
    let digest = Sha256::digest(format!("{}.{}", parts[0], parts[1]).as_bytes());
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
        .expect("the signature verifies with the published key");
    decode_part(parts[1])
}

#[tokio::test]
async fn the_oidc_token_endpoint_returns_a_verifiable_id_token_with_the_persona_claims() {
    let sim = spawn().await;
    let authorize = [
        ("scope", "openid files.issueddocs"),
        ("nonce", "n-0S6_WzA2Mj"),
    ];
    let token = token_at(&sim, "9000000001", &authorize, "/oauth2/2/token").await;
    let scope = token["scope"].as_str().expect("scope");
    assert!(scope.split(' ').any(|s| s == "openid"), "{scope}");
    let id_token = token["id_token"].as_str().expect("id_token");
    let claims = verified_claims(&sim, id_token).await;

    assert_eq!(claims["iss"], "https://digilocker.meripehchaan.gov.in");
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["sub"], ASHA_ID);
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    let now = chrono::Utc::now().timestamp();
    let iat = claims["iat"].as_i64().expect("iat");
    assert!((now - 60..=now + 5).contains(&iat), "iat {iat} now {now}");
    assert_eq!(claims["exp"].as_i64(), Some(iat + 86_400));
    assert!(claims["auth_time"].as_i64().is_some_and(|t| t <= iat));
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    assert_eq!(claims["given_name"], "Asha Verma");
    assert_eq!(claims["birthdate"], "15/08/1990T00:00:00.000000Z");
    assert_eq!(claims["gender"], "F");
    assert_eq!(claims["email"], "asha.verma@example.com");
    assert_eq!(claims["phone_number"], "9000000001");
    assert_eq!(claims["masked_aadhaar"], "xxxxxxxx5616");
    assert_eq!(claims["pan_number"], "ABKPV4821M");
    assert_eq!(claims["driving_licence"], "MH1220190012345");
    assert_eq!(claims["user_sso_id"], format!("DL-{ASHA_ID}"));
    assert_eq!(claims["reference_key"], token["reference_key"]);
    assert_eq!(claims["auth_mode"], "DL_MOBILE_PIN");
    assert!(!id_token.contains("491830275616"));
}

#[tokio::test]
async fn claims_for_documents_a_persona_lacks_are_left_out() {
    let sim = spawn().await;
    let token = token_at(
        &sim,
        "9000000002",
        &[("scope", "openid")],
        "/oauth2/2/token",
    )
    .await;
    let claims = verified_claims(&sim, token["id_token"].as_str().expect("id_token")).await;
    assert_eq!(claims["given_name"], "Vikram Singh Rathore");
    assert_eq!(claims["pan_number"], "CHDPR1123E");
    assert!(claims.get("masked_aadhaar").is_none(), "{claims}");
    assert!(claims.get("driving_licence").is_none(), "{claims}");
    assert!(claims.get("nonce").is_none(), "no nonce was sent: {claims}");
}

#[tokio::test]
async fn the_version_one_token_endpoint_echoes_openid_but_returns_no_id_token() {
    let sim = spawn().await;
    let token = token_at(
        &sim,
        "9000000001",
        &[("scope", "openid")],
        "/oauth2/1/token",
    )
    .await;
    assert!(token["scope"]
        .as_str()
        .expect("scope")
        .starts_with("openid "));
    assert!(token.get("id_token").is_none(), "{token}");
}

#[tokio::test]
async fn without_openid_in_the_scope_there_is_no_id_token_even_at_the_oidc_endpoint() {
    let sim = spawn().await;
    let token = token_at(
        &sim,
        "9000000001",
        &[("scope", "files.issueddocs openidx")],
        "/oauth2/2/token",
    )
    .await;
    assert!(token.get("id_token").is_none(), "{token}");
    let scope = token["scope"].as_str().expect("scope");
    assert!(!scope.split(' ').any(|s| s == "openid"), "{scope}");
}

#[tokio::test]
async fn a_refresh_at_the_oidc_endpoint_gets_a_new_id_token_without_the_nonce() {
    let sim = spawn().await;
    let first = token_at(
        &sim,
        "9000000001",
        &[("scope", "openid"), ("nonce", "abc")],
        "/oauth2/2/token",
    )
    .await;
    let response = sim
        .client
        .post(sim.url("/oauth2/2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                first["refresh_token"].as_str().expect("refresh"),
            ),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("refresh");
    assert_eq!(response.status(), StatusCode::OK);
    let second: serde_json::Value = response.json().await.expect("json");
    let before = verified_claims(&sim, first["id_token"].as_str().expect("first")).await;
    let after = verified_claims(&sim, second["id_token"].as_str().expect("second")).await;
    assert_eq!(after["sub"], before["sub"]);
    assert_eq!(after["auth_time"], before["auth_time"]);
    assert!(after.get("nonce").is_none(), "{after}");
}

#[tokio::test]
async fn a_configured_key_signs_the_tokens_and_is_the_published_key() {
    let pem = include_str!("../../../documents/testdata/pki/signer-key.pem");
    let key = IdTokenKey::from_pkcs8_pem(pem).expect("PKCS#8 key");
    let kid = key.kid().to_owned();
    let mut config = config();
    config.id_token_key = Some(std::sync::Arc::new(key));
    config.issuer = "http://simulator.test".to_owned();
    let sim = spawn_with(config).await;
    let token = token_at(
        &sim,
        "9000000001",
        &[("scope", "openid")],
        "/oauth2/2/token",
    )
    .await;
    let id_token = token["id_token"].as_str().expect("id_token");
    let header = decode_part(id_token.split('.').next().expect("header"));
    assert_eq!(header["kid"], kid);
    let claims = verified_claims(&sim, id_token).await;
    assert_eq!(claims["iss"], "http://simulator.test");
}

#[test]
fn a_malformed_key_pem_is_an_error() {
    assert!(IdTokenKey::from_pkcs8_pem("not a key").is_err());
}
