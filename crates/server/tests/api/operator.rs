//! The operator page over real HTTP: off without a token, the sign-in form without its cookie,
//! wrong tokens refused and limited, and the numbers of real journeys through the simulator
//! once signed in, on SQLite and on PostgreSQL.

use crate::common;

use common::{spawn, spawn_with, Backend, TestApp};
use digigate_server::operator::OperatorToken;
use digigate_server::testing::on_both_backends;
use digigate_server::GatewayConfig;
use reqwest::{header, Response, StatusCode};

/// The operator token of these tests.
const TOKEN: &str = "op-5f1c0a9e7d3b42c8a6e1f0d9c8b7a6e5";

fn with_operator(c: &mut GatewayConfig) {
    c.operator_token = Some(OperatorToken::parse(TOKEN).expect("a long enough token"));
}

async fn sign_in_with(app: &TestApp, token: &str) -> Response {
    app.api
        .post(format!("{}/operator/sign-in", app.base))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
}

/// Signs in; returns the `Cookie` header value the browser would send back.
async fn signed_in(app: &TestApp) -> String {
    let res = sign_in_with(app, TOKEN).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/operator");
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/operator",
        "Max-Age=1800",
    ] {
        assert!(cookie.contains(part), "{cookie} has {part}");
    }
    assert!(
        !cookie.contains("Secure"),
        "a plain-http public URL gets a cookie the browser can send back"
    );
    assert!(!cookie.contains(TOKEN));
    cookie.split(';').next().unwrap().to_owned()
}

async fn report(app: &TestApp, cookie: &str, query: &str) -> (StatusCode, String) {
    let res = app
        .api
        .get(format!("{}/operator{query}", app.base))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The report row of a stage: its label, then its count.
fn row(label: &str, n: u64) -> String {
    format!("<th scope=\"row\">{label}</th><td class=\"n\">{n}</td>")
}

async fn the_operator_page_does_not_exist_without_a_token(backend: Backend) {
    let app = spawn(backend).await;
    let res = app.get_anonymous("/operator").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        sign_in_with(&app, TOKEN).await.status(),
        StatusCode::NOT_FOUND
    );
    // An API key's credentials open nothing here either.
    let res = app.get("/operator").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn without_its_cookie_the_operator_page_asks_for_the_token(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    let res = app.get_anonymous("/operator").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("script"), "no script is allowed: {csp}");
    let body = res.text().await.unwrap();
    assert!(body.contains("<form method=\"post\" action=\"/operator/sign-in\">"));
    assert!(!body.contains("Consent funnel</h1>"));
    // An API key and its token are no operator credential.
    let res = app.get("/operator").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Nor is a cookie of the right name made up by the caller.
    for forged in [
        "dg_operator=9999999999999.AAAA",
        "dg_operator=",
        "dg_operator=op",
    ] {
        let (status, _) = report(&app, forged, "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{forged}");
    }
}

async fn a_wrong_token_is_refused_and_sets_no_cookie(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    for wrong in [&TOKEN[1..], "", &app.secret, &format!("{TOKEN}x")] {
        let res = sign_in_with(&app, wrong).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{wrong}");
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        let body = res.text().await.unwrap();
        assert!(body.contains("That is not the operator token."));
        assert!(
            wrong.is_empty() || !body.contains(wrong),
            "the attempt is not echoed"
        );
    }
    let res = app
        .api
        .post(format!("{}/operator/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/json")
        .body(format!("{{\"token\":\"{TOKEN}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "only the form is read"
    );
    assert!(res.headers().get(header::SET_COOKIE).is_none());
}

async fn sign_in_attempts_are_limited_per_address(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    for _ in 0..10 {
        assert_eq!(
            sign_in_with(&app, "not-it").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = sign_in_with(&app, TOKEN).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "past the limit even the right token waits"
    );
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    let wait: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

async fn signing_out_removes_the_cookie(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    let cookie = signed_in(&app).await;
    assert_eq!(report(&app, &cookie, "").await.0, StatusCode::OK);
    let res = app
        .api
        .post(format!("{}/operator/sign-out", app.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cleared = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.starts_with("dg_operator=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}

/// Waits for the session to finish (the fetch may run after the callback has answered).
async fn finished(app: &TestApp, id: &str) -> String {
    for _ in 0..200 {
        let status = app.status(id).await["status"].as_str().unwrap().to_owned();
        if ["succeeded", "failed", "expired"].contains(&status.as_str()) {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("session {id} did not finish");
}

async fn signed_in_the_operator_sees_the_funnel_of_real_journeys(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    let (done, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let (denied, _) = app.signin_denying("9000000001", &["pan"]).await;
    let (waiting, _) = app.init("signin", &["pan"], serde_json::json!({})).await;
    assert_eq!(finished(&app, &done).await, "succeeded");
    assert_eq!(finished(&app, &denied).await, "failed");

    let cookie = signed_in(&app).await;
    let (status, page) = report(&app, &cookie, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("API key <code>{}</code> · test</h2>", app.key)));
    for (label, n) in [
        ("Created", 3),
        ("Link opened", 2),
        ("Came back from DigiLocker", 2),
        ("Succeeded", 1),
        ("Failed", 1),
        ("consent_<wbr>denied", 1),
        ("Expired", 0),
        ("Still in progress", 1),
    ] {
        assert!(page.contains(&row(label, n)), "{label} {n} in {page}");
    }
    // The failure is listed with its session (an opaque id), and nothing about the person.
    assert!(page.contains(&format!(
        "<td>consent_<wbr>denied</td><td><code>{denied}</code></td>"
    )));
    let profile = app
        .get(&format!("/kyc/digilocker/sessions/{done}/user/profile"))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let name = profile["data"]["name"].as_str().unwrap();
    assert!(
        !name.is_empty() && !page.contains(name),
        "no name on the page"
    );
    // DigiLocker's token endpoint was called once, by the journey that consented.
    assert!(page.contains(
        "<th scope=\"row\">token</th><td class=\"n\">1</td><td class=\"n\">1</td><td>none</td>"
    ));

    let (status, hour) = report(&app, &cookie, "?window=hour").await;
    assert_eq!(status, StatusCode::OK);
    assert!(hour.contains(&row("Created", 3)));
    assert!(hour.contains("href=\"/operator?window=hour\" aria-current=\"page\""));
    // A session created two hours ago has left the last hour but not the last day.
    app.run_sql(&format!(
        "UPDATE sessions SET created_at_ms = created_at_ms - 7200000 WHERE id = '{waiting}'"
    ))
    .await;
    let (_, hour) = report(&app, &cookie, "?window=hour").await;
    assert!(hour.contains(&row("Created", 2)) && hour.contains(&row("Still in progress", 0)));
    let (_, day) = report(&app, &cookie, "?window=day").await;
    assert!(day.contains(&row("Created", 3)) && day.contains(&row("Still in progress", 1)));
    let (status, _) = report(&app, &cookie, "?window=year").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an unknown window is refused"
    );
}

async fn a_report_the_database_cannot_answer_is_a_page_that_says_so(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    let cookie = signed_in(&app).await;
    app.run_sql("ALTER TABLE session_events RENAME TO session_events_elsewhere")
        .await;
    let (status, page) = report(&app, &cookie, "").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("<h1>Storage unavailable</h1>"), "{page}");
    assert!(!page.contains("session_events"), "no cause on the page");
    app.run_sql("ALTER TABLE session_events_elsewhere RENAME TO session_events")
        .await;
    assert_eq!(report(&app, &cookie, "").await.0, StatusCode::OK);
    // The address bar after a refused attempt leads back to the report.
    let res = app.get_anonymous("/operator/sign-in").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/operator");
}

async fn a_failing_repository_shows_in_the_failures_and_in_digilockers_health(backend: Backend) {
    let app = spawn_with(backend, with_operator).await;
    // This persona's repository answers 500 to every document request.
    let (id, _) = app.signin_allowing("9000000004", &["aadhaar"]).await;
    assert_eq!(finished(&app, &id).await, "failed");
    let reason = app.status(&id).await["reason"].as_str().unwrap().to_owned();
    let cookie = signed_in(&app).await;
    let (_, page) = report(&app, &cookie, "").await;
    let shown = reason.replace('_', "_<wbr>");
    assert!(
        page.contains(&row("Failed", 1)) && page.contains(&row(&shown, 1)),
        "{page}"
    );
    assert!(page.contains(&format!("<td>{shown}</td><td><code>{id}</code></td>")));
    // Every attempt at the e-Aadhaar failed with a server error; the user details answered.
    let attempts = app.sim.call_counts().eaadhaar_requests;
    assert!(attempts >= 1);
    assert!(
        page.contains(&format!(
            "<th scope=\"row\">eaadhaar</th><td class=\"n\">{attempts}</td><td class=\"n\">0</td>\
             <td>server_<wbr>error {attempts}</td>"
        )),
        "{page}"
    );
    assert!(page.contains(
        "<th scope=\"row\">user</th><td class=\"n\">1</td><td class=\"n\">1</td><td>none</td>"
    ));
}

/// The operator token, and a breaker that opens after three failures and stays open a minute.
fn with_operator_and_a_touchy_breaker(c: &mut GatewayConfig) {
    with_operator(c);
    c.circuit_breaker = digigate_server::breaker::BreakerPolicy {
        failures_to_open: 3,
        window: std::time::Duration::from_secs(60),
        cool_down: std::time::Duration::from_secs(60),
    };
}

async fn an_open_circuit_is_shown_first_and_on_the_endpoints_it_guards(backend: Backend) {
    let app = spawn_with(backend, with_operator_and_a_touchy_breaker).await;
    let cookie = signed_in(&app).await;
    let (_, before) = report(&app, &cookie, "").await;
    assert!(!before.contains("circuit is open"));
    assert!(before.contains("<td>account closed</td>"));
    // DigiLocker's user endpoint answers 503 to every attempt: the account circuit opens.
    app.sim.inject(
        digigate_simulator::Endpoint::User,
        digigate_simulator::InjectedFault::Status(503),
        None,
    );
    let (id, _) = app.consented_journey(&["pan"]).await;
    assert_eq!(finished(&app, &id).await, "failed");
    let (_, page) = report(&app, &cookie, "").await;
    assert!(
        page.contains("The account circuit is open: journeys that need it fail at once"),
        "{page}"
    );
    assert!(
        page.contains(
            "<th scope=\"row\">user</th><td class=\"n\">3</td><td class=\"n\">0</td>\
         <td>server_<wbr>error 3</td><td>account open</td>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<td>token closed</td>"),
        "the other circuits stay closed"
    );
    assert!(page.contains("<th scope=\"row\">revoke</th>"));
}

on_both_backends!(
    an_open_circuit_is_shown_first_and_on_the_endpoints_it_guards,
    a_failing_repository_shows_in_the_failures_and_in_digilockers_health,
    a_report_the_database_cannot_answer_is_a_page_that_says_so,
    the_operator_page_does_not_exist_without_a_token,
    without_its_cookie_the_operator_page_asks_for_the_token,
    a_wrong_token_is_refused_and_sets_no_cookie,
    sign_in_attempts_are_limited_per_address,
    signing_out_removes_the_cookie,
    signed_in_the_operator_sees_the_funnel_of_real_journeys,
);
