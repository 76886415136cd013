//! The operator page in Chromium: signing in with the token (a wrong one first), the funnel
//! after journeys a person made in the same browser, another window, and signing out, at a
//! desktop width and on a phone. The page runs no script and its stylesheet passes the CSP
//! (`Walk::look` fails on any console error), and it never scrolls sideways.

use crate::person::Answer;
use crate::webdriver::Viewport;
use crate::{stage_with, Stage};
use common::{Backend, Topology};
use digigate_server::operator::OperatorToken;
use digigate_server::GatewayConfig;

use crate::common;

const TOKEN: &str = "op-5f1c0a9e7d3b42c8a6e1f0d9c8b7a6e5";

fn with_operator(c: &mut GatewayConfig) {
    c.operator_token = Some(OperatorToken::parse(TOKEN).expect("a long enough token"));
}

/// The visible text of the page.
async fn text(s: &Stage) -> String {
    s.walk
        .browser
        .eval("return document.body.innerText")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Clicks what `css` finds and waits for the page it leads to.
async fn follow(s: &mut Stage, css: &str) -> String {
    let target = s.walk.browser.find(css).await;
    s.walk.browser.submit_with(&target).await;
    s.walk.look().await
}

/// Scrolls down a screen and saves what is there, for the parts of a long page.
async fn screenshot_further_down(s: &mut Stage, label: &str) {
    s.walk
        .browser
        .eval("window.scrollBy(0, window.innerHeight - 80)")
        .await;
    s.walk.save_screenshot(label).await;
}

async fn the_operator_signs_in_and_sees_the_funnel(backend: Backend, viewport: Viewport) {
    let mut s = stage_with(
        backend,
        Topology::Mounted,
        viewport,
        "operator",
        with_operator,
    )
    .await;
    s.journey("signin", "9000000001", Answer::Allow, "succeeded")
        .await;
    s.journey("signin", "9000000001", Answer::Deny, "failed")
        .await;
    s.init("signin", &["pan"]).await;

    let operator = format!("{}/operator", s.app.base);
    s.walk.browser.goto(&operator).await;
    assert_eq!(s.walk.look().await, "Operator sign-in");
    s.walk
        .browser
        .type_here("not-the-token-but-long-enough-0000")
        .await;
    assert_eq!(
        follow(&mut s, "button[type=submit]").await,
        "Operator sign-in"
    );
    assert!(text(&s).await.contains("That is not the operator token."));

    s.walk.browser.type_here(TOKEN).await;
    assert_eq!(
        follow(&mut s, "button[type=submit]").await,
        "Consent funnel"
    );
    let page = text(&s).await;
    for expected in [
        "Created\t3\t100%",
        "Link opened\t2\t66%",
        "Came back from DigiLocker\t2\t66%",
        "Succeeded\t1\t33%",
        "consent_denied\t1\t33%",
        "Still in progress\t1\t33%",
    ] {
        assert!(page.contains(expected), "{expected:?} in {page}");
    }
    assert!(!page.contains(TOKEN));
    screenshot_further_down(&mut s, "funnel further down").await;
    screenshot_further_down(&mut s, "failures and digilocker").await;

    assert_eq!(
        follow(&mut s, "a[href$='window=week']").await,
        "Consent funnel"
    );
    assert!(text(&s).await.contains("Sessions created since"));
    assert_eq!(follow(&mut s, "form.out button").await, "Operator sign-in");
    // Signed out, the report is out of reach again.
    s.walk.browser.goto(&operator).await;
    assert_eq!(s.walk.look().await, "Operator sign-in");
    s.finish().await;
}

pub async fn at_a_desktop_width(backend: Backend) {
    the_operator_signs_in_and_sees_the_funnel(backend, Viewport::Desktop).await;
}

pub async fn on_a_phone(backend: Backend) {
    the_operator_signs_in_and_sees_the_funnel(backend, Viewport::Phone).await;
}
