//! The consent journey in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! over WebDriver), clicking and typing as a person does, with the simulator mounted on the
//! gateway (as `digigate serve` runs it) and on another site (as DigiLocker is), at a desktop
//! width and at a phone's 390 px, on SQLite and PostgreSQL. Scripted HTTP clients ignore CSP,
//! cookies' SameSite rules and history; these tests are where those are checked.

#[path = "../common/mod.rs"]
mod common;
mod operator;
mod person;
mod sdk;
mod webdriver;

use axum::response::Html;
use common::{spawn_in, Backend, TestApp, Topology};
use digigate_server::testing::on_both_backends;
use digigate_server::GatewayConfig;
use person::{Answer, Walk};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};
use webdriver::{Driver, Viewport};

/// Chromium instances running at once: the machines have two cores.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// A test's gateway, its business page and a browser.
struct Stage {
    app: TestApp,
    /// Where the business's page is: `http://127.0.0.1:{port}/kyc/done`.
    business: String,
    walk: Walk,
    _driver: Driver,
    _permit: SemaphorePermit<'static>,
}

/// The business's own page, where the journey must end.
async fn business_page() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    const PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Shop</title></head><body><h1>Back at the shop</h1></body></html>";
    let router =
        axum::Router::new().route("/kyc/done", axum::routing::get(|| async { Html(PAGE) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/kyc/done")
}

/// A stage with the gateway's default configuration; screenshots are named after `name`.
async fn stage(backend: Backend, topology: Topology, viewport: Viewport, name: &str) -> Stage {
    stage_with(backend, topology, viewport, name, |_| {}).await
}

/// A stage whose gateway configuration `tweak` adjusts.
async fn stage_with(
    backend: Backend,
    topology: Topology,
    viewport: Viewport,
    name: &str,
    tweak: fn(&mut GatewayConfig),
) -> Stage {
    let permit = BROWSERS.acquire().await.unwrap();
    let app = spawn_in(backend, topology, tweak).await;
    let business = business_page().await;
    let driver = Driver::start().await;
    let browser = driver.browser(viewport).await;
    let name = format!("{name}-{}", format!("{backend:?}").to_lowercase());
    Stage {
        app,
        business,
        walk: Walk::new(browser, viewport, &name),
        _driver: driver,
        _permit: permit,
    }
}

impl Stage {
    /// Starts a session that returns the person to the business page; returns (id, link).
    async fn init(&self, flow: &str, doc_types: &[&str]) -> (String, String) {
        let body = json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": flow,
            "redirect_url": self.business,
            "doc_types": doc_types,
        });
        let res = self.app.post("/kyc/digilocker/sessions/init", &body).await;
        assert_eq!(res.status(), 200);
        let v: Value = res.json().await.unwrap();
        (
            v["data"]["session_id"].as_str().unwrap().to_owned(),
            v["data"]["authorization_url"].as_str().unwrap().to_owned(),
        )
    }

    /// One whole journey: the person lands on the business page with the session's id and
    /// `status`, and the API agrees.
    async fn journey(
        &mut self,
        flow: &str,
        login_id: &str,
        answer: Answer,
        status: &str,
    ) -> String {
        let (id, link) = self
            .init(flow, &["aadhaar", "pan", "driving_license"])
            .await;
        self.walk.consent(&link, login_id, &answer).await;
        let landed = self.walk.arrive(&self.business).await;
        let query: Vec<(String, String)> = landed.query_pairs().into_owned().collect();
        assert_eq!(
            query[..2],
            [
                ("session_id".to_owned(), id.clone()),
                ("status".to_owned(), status.to_owned())
            ],
            "{login_id} lands on the business page with the outcome"
        );
        let signature: Vec<&str> = query[2..].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            signature,
            ["ts", "sig"],
            "then the signature (docs/redirect.md)"
        );
        assert_eq!(self.app.status(&id).await["status"], status);
        id
    }

    /// Opens the gateway's page at `path` and looks at it; returns its heading.
    async fn visit(&mut self, path: &str) -> String {
        let url = format!("{}{path}", self.app.base);
        self.walk.browser.goto(&url).await;
        self.walk.look().await
    }

    async fn finish(self) {
        self.walk.browser.quit().await;
    }
}

/// Each persona of docs/simulator.md, and where its journey ends.
const PERSONAS: [(&str, &str, &str); 5] = [
    ("signin", "9000000001", "succeeded"),
    ("signin", "9000000002", "succeeded"),
    ("signin", "9000000003", "succeeded"),
    ("signin", "9000000004", "failed"),
    ("signup", "9000000005", "succeeded"),
];

async fn every_persona(backend: Backend, topology: Topology, viewport: Viewport, name: &str) {
    let mut s = stage(backend, topology, viewport, name).await;
    for (flow, login_id, status) in PERSONAS {
        s.journey(flow, login_id, Answer::Allow, status).await;
    }
    s.finish().await;
}

async fn every_persona_reaches_the_business_through_the_mounted_simulator(backend: Backend) {
    every_persona(backend, Topology::Mounted, Viewport::Desktop, "mounted").await;
}

async fn every_persona_reaches_the_business_through_a_simulator_on_another_site(backend: Backend) {
    every_persona(backend, Topology::OwnOrigin, Viewport::Phone, "other-site").await;
}

async fn denying_or_unticking_a_document_returns_the_person_with_that_outcome(backend: Backend) {
    let mut s = stage(backend, Topology::OwnOrigin, Viewport::Desktop, "answers").await;
    let denied = s
        .journey("signin", "9000000001", Answer::Deny, "failed")
        .await;
    assert_eq!(s.app.status(&denied).await["reason"], "consent_denied");
    let partial = s
        .journey(
            "signin",
            "9000000001",
            Answer::AllowWithout(&["PANCR"]),
            "succeeded",
        )
        .await;
    assert_eq!(
        s.app.status(&partial).await["documents_consented"],
        json!(["aadhaar", "driving_license"])
    );
    s.finish().await;
}

async fn the_back_button_after_consent_changes_nothing(backend: Backend) {
    let mut s = stage(backend, Topology::Mounted, Viewport::Phone, "back").await;
    let id = s
        .journey("signin", "9000000001", Answer::Allow, "succeeded")
        .await;
    let calls = s.app.sim.call_counts();
    s.walk.browser.back().await;
    s.walk.save_screenshot("after back").await;
    let back_at = s.walk.browser.url().await;
    assert!(
        !back_at.starts_with(&s.business),
        "back leaves the business page"
    );
    assert!(
        !back_at.contains("code="),
        "the callback with its code is not in the history: {back_at}"
    );
    assert_eq!(s.app.status(&id).await["status"], "succeeded");
    assert_eq!(
        s.app.sim.call_counts(),
        calls,
        "going back asks DigiLocker nothing"
    );
    // Opening the link again tells the person the verification is done.
    let link = s.app.store.session(&id).await.unwrap().unwrap().link_id;
    assert_eq!(s.visit(&format!("/connect/{link}")).await, "Already used");
    s.finish().await;
}

async fn a_second_tab_on_the_same_link_ends_in_one_outcome(backend: Backend) {
    let mut s = stage(backend, Topology::OwnOrigin, Viewport::Desktop, "two-tabs").await;
    let (id, link) = s.init("signin", &["pan"]).await;
    s.walk.browser.goto(&link).await;
    assert_eq!(s.walk.look().await, "Sign in to your account");
    let first = s.walk.browser.new_tab().await;
    s.walk.consent(&link, "9000000001", &Answer::Allow).await;
    s.walk.arrive(&s.business).await;
    assert_eq!(s.app.status(&id).await["status"], "succeeded");
    // The first tab, still on the sign-in page, goes on to the end.
    s.walk.browser.switch_to(&first).await;
    s.walk.reach_consent_page("9000000001").await;
    let allow = s.walk.browser.find("button[value=allow]").await;
    s.walk.browser.submit_with(&allow).await;
    let page = s.walk.look().await;
    assert_eq!(page, "This sign-in could not be completed");
    assert_eq!(s.app.status(&id).await["status"], "succeeded");
    assert_eq!(
        s.app.sim.call_counts().token_requests,
        1,
        "only the first consent reached DigiLocker's token endpoint"
    );
    s.finish().await;
}

async fn the_gateways_own_pages_fit_a_phone(backend: Backend) {
    let mut s = stage_with(
        backend,
        Topology::Mounted,
        Viewport::Phone,
        "gateway-pages",
        |c| c.link_ttl = Duration::ZERO,
    )
    .await;
    let (_, expired) = s.init("signin", &["pan"]).await;
    s.walk.browser.goto(&expired).await;
    assert_eq!(s.walk.look().await, "Link expired");
    assert_eq!(s.visit("/connect/no-such-link").await, "Link not found");
    assert_eq!(
        s.visit("/callbacks/digilocker?code=forged&state=forged")
            .await,
        "This sign-in could not be completed"
    );
    s.finish().await;
}

async fn a_failing_database_shows_something_went_wrong(backend: Backend) {
    let mut s = stage(
        backend,
        Topology::Mounted,
        Viewport::Desktop,
        "database-down",
    )
    .await;
    let (id, link) = s.init("signin", &["pan"]).await;
    // The audit line every opened link must write cannot be written.
    s.app
        .run_sql("ALTER TABLE audit_log RENAME TO audit_log_elsewhere")
        .await;
    s.walk.browser.goto(&link).await;
    assert_eq!(s.walk.look().await, "Something went wrong");
    // Once the database is whole again, the same link works.
    s.app
        .run_sql("ALTER TABLE audit_log_elsewhere RENAME TO audit_log")
        .await;
    s.walk.browser.goto(&link).await;
    assert_eq!(s.walk.look().await, "Sign in to your account");
    assert_eq!(s.app.status(&id).await["status"], "initialized");
    s.finish().await;
}

on_both_backends!(
    every_persona_reaches_the_business_through_the_mounted_simulator,
    every_persona_reaches_the_business_through_a_simulator_on_another_site,
    denying_or_unticking_a_document_returns_the_person_with_that_outcome,
    the_back_button_after_consent_changes_nothing,
    a_second_tab_on_the_same_link_ends_in_one_outcome,
    the_gateways_own_pages_fit_a_phone,
    a_failing_database_shows_something_went_wrong,
    the_operator_page_at_a_desktop_width,
    the_operator_page_on_a_phone,
);

async fn the_operator_page_at_a_desktop_width(backend: Backend) {
    operator::at_a_desktop_width(backend).await;
}

async fn the_operator_page_on_a_phone(backend: Backend) {
    operator::on_a_phone(backend).await;
}
