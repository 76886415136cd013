//! Starting a simulator on port 0 and driving its pages like a browser with redirects off.

use std::collections::HashMap;

use base64::Engine as _;
use digigate_simulator::{serve, Simulator, SimulatorConfig};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "partner-client";
pub const CLIENT_SECRET: &str = "partner-secret-value";
pub const REDIRECT_URI: &str = "https://app.example.com/digilocker/callback";
pub const VERIFIER: &str = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";

/// A simulator listening on an ephemeral port, and a browser-like client for it.
pub struct TestSim {
    /// `http://127.0.0.1:<port>/public` (or the nested equivalent).
    pub base: String,
    pub client: reqwest::Client,
}

pub fn config() -> SimulatorConfig {
    SimulatorConfig::new(
        CLIENT_ID,
        CLIENT_SECRET.to_owned(),
        vec![REDIRECT_URI.to_owned()],
    )
}

pub async fn spawn() -> TestSim {
    spawn_with(config()).await
}

pub async fn spawn_with(config: SimulatorConfig) -> TestSim {
    spawn_controlled(config).await.0
}

/// A simulator like [`spawn_with`], with its handle, to arm faults and read counters.
pub async fn spawn_controlled(config: SimulatorConfig) -> (TestSim, Simulator) {
    let simulator = Simulator::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(serve(listener, simulator.clone(), std::future::pending()));
    let sim = TestSim {
        base: format!("http://127.0.0.1:{port}/public"),
        client: client(),
    };
    (sim, simulator)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Query parameters of a URL.
pub fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect()
}

/// The value of the hidden `request_id` field, asserting the page has exactly one POST form.
pub fn request_id(page: &str) -> String {
    assert_eq!(page.matches("<form").count(), 1, "exactly one form: {page}");
    assert!(
        page.contains("<form method=\"post\" action=\"authorize\""),
        "relative POST form"
    );
    let marker = "name=\"request_id\" value=\"";
    let start = page.find(marker).expect("request_id field") + marker.len();
    let id = &page[start..start + page[start..].find('"').expect("closing quote")];
    assert_eq!(id.len(), 32, "128-bit random id");
    id.to_owned()
}

/// Asserts the headers every HTML page must carry.
pub fn assert_html_headers(headers: &HeaderMap) {
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
}

impl TestSim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The authorize URL with valid defaults; `extra` adds or overrides parameters.
    pub fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let challenge = challenge(VERIFIER);
        let mut params: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("state", "state-123"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ];
        for (k, v) in extra {
            params.retain(|(name, _)| name != k);
            params.push((k, v));
        }
        let mut url = url::Url::parse(&self.url("/oauth2/1/authorize")).expect("url");
        url.query_pairs_mut().extend_pairs(params);
        url.into()
    }

    /// The authorize URL with valid defaults, without the parameters named in `omit`.
    pub fn authorize_url_without(&self, omit: &[&str], extra: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&self.authorize_url(extra)).expect("url");
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| !omit.contains(&k.as_str()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(kept);
        url.into()
    }

    /// GETs the authorize page and returns the request id of its form.
    pub async fn start(&self, extra: &[(&str, &str)]) -> (String, String) {
        self.start_at(&self.authorize_url(extra)).await
    }

    /// GETs the given authorize URL and returns the request id of its form and the page.
    pub async fn start_at(&self, authorize_url: &str) -> (String, String) {
        let response = self
            .client
            .get(authorize_url)
            .send()
            .await
            .expect("authorize");
        assert_eq!(response.status(), StatusCode::OK);
        assert_html_headers(response.headers());
        let page = response.text().await.expect("body");
        (request_id(&page), page)
    }

    /// POSTs one step's form.
    pub async fn submit(&self, id: &str, fields: &[(&str, &str)]) -> Response {
        let mut form = vec![("request_id", id)];
        form.extend_from_slice(fields);
        self.client
            .post(self.url("/oauth2/1/authorize"))
            .form(&form)
            .send()
            .await
            .expect("post step")
    }

    /// POSTs a step that must answer with the next page, returning its HTML.
    pub async fn submit_page(&self, id: &str, fields: &[(&str, &str)]) -> String {
        let response = self.submit(id, fields).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_html_headers(response.headers());
        response.text().await.expect("body")
    }

    /// Signs in with OTP and PIN and returns the request id and the consent page.
    pub async fn to_consent(&self, login_id: &str, extra: &[(&str, &str)]) -> (String, String) {
        self.to_consent_at(login_id, &self.authorize_url(extra))
            .await
    }

    /// Like [`Self::to_consent`], starting from the given authorize URL.
    pub async fn to_consent_at(&self, login_id: &str, authorize_url: &str) -> (String, String) {
        let (id, _) = self.start_at(authorize_url).await;
        let otp_page = self.submit_page(&id, &[("login_id", login_id)]).await;
        assert!(otp_page.contains("name=\"otp\""), "{otp_page}");
        let pin_page = self.submit_page(&id, &[("otp", "123456")]).await;
        assert!(pin_page.contains("name=\"pin\""), "{pin_page}");
        let consent = self.submit_page(&id, &[("pin", "123456")]).await;
        assert!(
            consent.contains("name=\"decision\" value=\"allow\""),
            "{consent}"
        );
        (id, consent)
    }

    /// Consents with the given boxes ticked and returns the redirect's query.
    pub async fn allow(&self, id: &str, docs: &[&str]) -> HashMap<String, String> {
        let mut fields: Vec<(&str, &str)> = docs.iter().map(|d| ("doc", *d)).collect();
        fields.push(("decision", "allow"));
        let response = self.submit(id, &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        query(&location)
    }

    /// A full sign-in for `mobile` consenting to `docs`; returns the authorization code.
    pub async fn code_for(&self, mobile: &str, docs: &[&str]) -> String {
        let (id, _) = self.to_consent(mobile, &[]).await;
        self.allow(&id, docs).await["code"].clone()
    }

    /// POSTs the token endpoint with client credentials in the form.
    pub async fn token(&self, fields: &[(&str, &str)]) -> Response {
        let mut form = vec![("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
        form.extend_from_slice(fields);
        self.client
            .post(self.url("/oauth2/1/token"))
            .form(&form)
            .send()
            .await
            .expect("token")
    }

    /// Exchanges a code with the right verifier and returns the token JSON.
    pub async fn exchange(&self, code: &str) -> serde_json::Value {
        let response = self
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", VERIFIER),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// A bearer access token for `mobile` consenting to `docs`.
    pub async fn access_token(&self, mobile: &str, docs: &[&str]) -> String {
        let code = self.code_for(mobile, docs).await;
        let token = self.exchange(&code).await;
        token["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// The XML document at `uri` (`/oauth2/1/xml/{uri}`), which must be served.
    pub async fn xml(&self, uri: &str, token: &str) -> String {
        let res = self.get(&format!("/oauth2/1/xml/{uri}"), token).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        res.text().await.expect("xml")
    }

    /// GETs a resource path with a bearer token.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("resource")
    }
}

/// Asserts a DigiLocker JSON error.
pub async fn assert_error(
    response: Response,
    status: StatusCode,
    error: &str,
) -> serde_json::Value {
    assert_eq!(response.status(), status);
    let body: serde_json::Value = response.json().await.expect("json error");
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    body
}
