//! The client against a real `digigate-simulator` over HTTP: the whole consent flow driven
//! through the simulator's pages, then every resource call and the errors DigiLocker gives.

use std::time::Duration;

use digigate_digilocker::{
    AccessToken, AccountLookup, AuthorizeRequest, DigiLockerClient, DigiLockerConfig,
    DigiLockerError, DlFlow, IdToken, IdTokenExpectations, IdTokenKeys, Pkce, TokenGrant,
};
use digigate_simulator::{Simulator, SimulatorConfig};
use secrecy::ExposeSecret;
use secrecy::SecretString;
use tokio::sync::oneshot;
use url::Url;

const CLIENT_ID: &str = "sim-client";
const SECRET: &str = "sim-client-secret";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A running simulator; stops when dropped.
struct Running {
    base: Url,
    _stop: oneshot::Sender<()>,
}

async fn start_simulator() -> Running {
    let config = SimulatorConfig::new(
        CLIENT_ID,
        SecretString::from(SECRET),
        vec![REDIRECT.to_owned()],
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(digigate_simulator::serve(
        listener,
        Simulator::new(config),
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        base: Url::parse(&format!("http://{addr}/public")).expect("base url"),
        _stop: stop,
    }
}

fn client_for(base: &Url, secret: &str) -> DigiLockerClient {
    DigiLockerClient::new(DigiLockerConfig {
        authorize_base: base.clone(),
        api_base: base.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: SecretString::from(secret),
        redirect_uri: Url::parse(REDIRECT).expect("url"),
        timeout: Duration::from_secs(10),
    })
    .expect("client builds")
}

/// The hidden journey id of a simulator page.
fn request_id(page: &str) -> String {
    let marker = "name=\"request_id\" value=\"";
    let start = page.find(marker).expect("page has a request_id") + marker.len();
    let len = page[start..].find('"').expect("closing quote");
    page[start..start + len].to_owned()
}

/// Drives the simulator's sign-in pages as persona `mobile` and consents to `docs`; returns
/// the authorization code from the redirect.
async fn consent(client: &DigiLockerClient, pkce: &Pkce, mobile: &str, docs: &[&str]) -> String {
    consent_with(client, pkce, mobile, docs, &[]).await
}

/// Like [`consent`], with `extra` parameters added to the client's authorize URL.
async fn consent_with(
    client: &DigiLockerClient,
    pkce: &Pkce,
    mobile: &str,
    docs: &[&str],
    extra: &[(&str, &str)],
) -> String {
    let state = "state-123".to_owned();
    let mut url = client.authorize_url(&AuthorizeRequest {
        state: state.clone(),
        code_challenge: pkce.challenge.clone(),
        flow: DlFlow::Signin,
        doc_types: docs.iter().map(|d| (*d).to_owned()).collect(),
        purpose: "kyc".into(),
        ..AuthorizeRequest::default()
    });
    url.query_pairs_mut().extend_pairs(extra);
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let page = browser
        .get(url.clone())
        .send()
        .await
        .expect("authorize page");
    assert_eq!(page.status(), 200);
    let mut page = page.text().await.expect("html");
    let action = url.join("authorize").expect("form action");
    let steps: [Vec<(&str, &str)>; 3] = [
        vec![("login_id", mobile)],
        vec![("otp", "123456")],
        vec![("pin", "123456")],
    ];
    for fields in steps {
        let id = request_id(&page);
        let mut form = vec![("request_id", id.as_str())];
        form.extend(fields);
        page = browser
            .post(action.clone())
            .form(&form)
            .send()
            .await
            .expect("step")
            .text()
            .await
            .expect("html");
    }
    let id = request_id(&page);
    let mut form = vec![("request_id", id.as_str()), ("decision", "allow")];
    form.extend(docs.iter().map(|d| ("doc", *d)));
    let answer = browser
        .post(action)
        .form(&form)
        .send()
        .await
        .expect("consent");
    assert_eq!(answer.status(), 303);
    let location = answer.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let back = Url::parse(&location).expect("redirect url");
    assert!(back.as_str().starts_with(REDIRECT));
    let query: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(query["state"], state);
    query["code"].clone()
}

async fn signed_in(client: &DigiLockerClient, mobile: &str, docs: &[&str]) -> TokenGrant {
    let pkce = Pkce::generate();
    let code = consent(client, &pkce, mobile, docs).await;
    client
        .exchange_code(&code, &pkce.verifier)
        .await
        .expect("code exchange succeeds")
}

fn is_api(err: &DigiLockerError, want_status: u16, want_error: &str) -> bool {
    matches!(err, DigiLockerError::Api { status, error, .. } if *status == want_status && error == want_error)
}

#[tokio::test]
async fn a_full_consent_yields_tokens_identity_and_verified_documents() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let grant = signed_in(&client, "9000000001", &["ADHAR", "PANCR"]).await;

    assert_eq!(grant.granted_doctypes(), ["ADHAR", "PANCR"]);
    assert!(grant.digilocker_id.is_some());
    assert_eq!(grant.eaadhaar, Some(true));
    assert!(grant.refresh_token.is_some());

    let user = client
        .user_details(&grant.access_token)
        .await
        .expect("user");
    assert_eq!(Some(&user.digilocker_id), grant.digilocker_id.as_ref());
    assert!(user.eaadhaar);

    let issued = client
        .issued_files(&grant.access_token)
        .await
        .expect("issued");
    assert!(issued.iter().any(|f| f.doctype == "PANCR"));

    let aadhaar = client
        .eaadhaar_xml(&grant.access_token)
        .await
        .expect("e-Aadhaar");
    assert!(aadhaar.hmac.is_some(), "the simulator signs documents");
    let pan_uri = grant
        .granted_uris()
        .into_iter()
        .find(|uri| uri.contains("-PANCR-"))
        .expect("PAN granted");
    let xml = client
        .xml_by_uri(&grant.access_token, &pan_uri)
        .await
        .expect("PAN XML");
    assert!(xml.content_type.contains("xml"));
    let pdf = client
        .file_by_uri(&grant.access_token, &pan_uri)
        .await
        .expect("PAN PDF");
    assert!(pdf.bytes.starts_with(b"%PDF"));
}

#[tokio::test]
async fn documents_signed_with_another_secret_fail_the_hmac_check() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let grant = signed_in(&client, "9000000001", &["ADHAR"]).await;
    // Same client id, wrong secret: the token still works, the hmac does not.
    let other = client_for(&sim.base, "not-the-secret");
    let err = other
        .eaadhaar_xml(&grant.access_token)
        .await
        .expect_err("hmac mismatch");
    assert_eq!(err, DigiLockerError::HmacMismatch);
}

#[tokio::test]
async fn a_bad_or_reused_code_is_an_invalid_grant() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let pkce = Pkce::generate();

    let err = client
        .exchange_code("0000000000000000000000000000000000000000", &pkce.verifier)
        .await
        .expect_err("unknown code");
    assert!(is_api(&err, 400, "invalid_grant"), "{err:?}");

    let code = consent(&client, &pkce, "9000000003", &["PANCR"]).await;
    let wrong = Pkce::generate();
    let err = client
        .exchange_code(&code, &wrong.verifier)
        .await
        .expect_err("wrong verifier");
    assert!(is_api(&err, 400, "code_verifier_mismatch"), "{err:?}");
    client
        .exchange_code(&code, &pkce.verifier)
        .await
        .expect("right verifier");
    let err = client
        .exchange_code(&code, &pkce.verifier)
        .await
        .expect_err("reused code");
    assert!(is_api(&err, 400, "invalid_grant"), "{err:?}");
}

#[tokio::test]
async fn a_revoked_or_unknown_token_is_invalid_token() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);

    let err = client
        .user_details(&AccessToken::new("f".repeat(40)))
        .await
        .expect_err("unknown token");
    assert!(
        is_api(&err, 401, "invalid_token") && err.is_invalid_token(),
        "{err:?}"
    );

    let grant = signed_in(&client, "9000000003", &["PANCR"]).await;
    client
        .user_details(&grant.access_token)
        .await
        .expect("valid");
    client.revoke(&grant.access_token).await.expect("revoked");
    let err = client
        .issued_files(&grant.access_token)
        .await
        .expect_err("revoked token");
    assert!(err.is_invalid_token(), "{err:?}");
}

#[tokio::test]
async fn a_failing_repository_is_a_retryable_repository_failure() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let grant = signed_in(&client, "9000000004", &["ADHAR"]).await;
    let err = client
        .eaadhaar_xml(&grant.access_token)
        .await
        .expect_err("repository fault");
    assert!(err.is_repository_failure() && err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn account_lookup_reports_registered_and_unknown_numbers() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);

    let known = client
        .account_exists(AccountLookup::Mobile("9000000001".into()))
        .await
        .expect("lookup");
    assert!(known.registered);
    assert!(known.digilocker_id.is_some());

    let unknown = client
        .account_exists(AccountLookup::Mobile("9111111111".into()))
        .await
        .expect("lookup");
    assert!(!unknown.registered);

    let err = client_for(&sim.base, "not-the-secret")
        .account_exists(AccountLookup::Mobile("9000000001".into()))
        .await
        .expect_err("bad hmac");
    assert!(matches!(err, DigiLockerError::Api { .. }), "{err:?}");
}

#[tokio::test]
async fn the_gateway_exchange_gets_no_id_token_even_when_openid_was_requested() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let pkce = Pkce::generate();
    let openid = [("scope", "openid"), ("nonce", "nonce-1")];
    let code = consent_with(&client, &pkce, "9000000001", &["PANCR"], &openid).await;
    let grant = client
        .exchange_code(&code, &pkce.verifier)
        .await
        .expect("exchange");
    // The client calls /oauth2/1/token, which has no OIDC answer: behaviour is unchanged.
    assert!(grant.id_token.is_none());
    assert!(grant.scope.split(' ').any(|s| s == "openid"));
    assert!(grant.digilocker_id.is_some());
}

#[tokio::test]
async fn an_id_token_from_the_oidc_endpoint_verifies_with_the_published_keys() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let pkce = Pkce::generate();
    let openid = [("scope", "openid"), ("nonce", "nonce-1")];
    let code = consent_with(&client, &pkce, "9000000001", &["PANCR"], &openid).await;
    let http = reqwest::Client::new();
    let answer: serde_json::Value = http
        .post(format!("{}/oauth2/2/token", sim.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", pkce.verifier.expose_secret()),
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let raw = answer["id_token"].as_str().expect("an id_token");
    let jwks = http
        .get(format!("{}/oauth2/1/certs", sim.base))
        .send()
        .await
        .expect("certs")
        .bytes()
        .await
        .expect("body");
    let keys = IdTokenKeys::from_jwks_json(&jwks).expect("key set");
    let token = IdToken::decode(raw).expect("decodes");
    let expect = IdTokenExpectations {
        issuer: "https://digilocker.meripehchaan.gov.in",
        client_id: CLIENT_ID,
        nonce: Some("nonce-1"),
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .expect("clock"),
    };
    let claims = token.verify(&keys, &expect).expect("verifies");
    assert_eq!(claims.subject.as_deref(), answer["digilockerid"].as_str());
    assert_eq!(claims.pan_number.as_deref(), Some("ABKPV4821M"));
    assert_eq!(claims.masked_aadhaar.as_deref(), Some("xxxxxxxx5616"));

    let wrong_client = IdTokenExpectations {
        client_id: "someone-else",
        ..expect
    };
    assert!(token.verify(&keys, &wrong_client).is_err());
}

#[tokio::test]
async fn a_refresh_rotates_both_tokens_and_the_new_access_token_reads() {
    let sim = start_simulator().await;
    let client = client_for(&sim.base, SECRET);
    let grant = signed_in(&client, "9000000001", &["PANCR"]).await;
    let refresh = grant.refresh_token.clone().expect("a refresh token");
    let renewed = client.refresh(&refresh).await.expect("refresh succeeds");
    assert_ne!(
        renewed.access_token.expose(),
        grant.access_token.expose(),
        "a new access token"
    );
    assert!(renewed.scope.contains("PANCR"), "the consent carries over");
    let old = client
        .user_details(&grant.access_token)
        .await
        .expect_err("the old access token ended");
    assert!(old.is_invalid_token(), "{old}");
    client
        .user_details(&renewed.access_token)
        .await
        .expect("the new access token reads");
    let again = client
        .refresh(&refresh)
        .await
        .expect_err("a used refresh token is refused");
    assert!(is_api(&again, 400, "invalid_grant"), "{again}");
}
