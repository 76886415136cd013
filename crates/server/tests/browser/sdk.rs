//! The web SDK in Chromium: the development demo page opens the journey in a popup and hears
//! Sandbox's events. A completed journey, a popup the browser blocks, a popup the person closes
//! half-way, and forged messages from another origin and from outside the popup.

use super::{stage, Stage};
use crate::common::{Backend, Topology};
use crate::person::Answer;
use crate::webdriver::Viewport;
use digigate_server::testing::on_both_backends;
use std::time::{Duration, Instant};

const EVENT: &str = "in.co.sandbox.kyc.digilocker_sdk.";

/// The events the demo page has listed: (name without the prefix, session id, reason).
async fn events(s: &Stage) -> Vec<(String, String, String)> {
    let v = s
        .walk
        .browser
        .eval("return [...document.querySelectorAll('#events li')].map(li => [li.dataset.type, li.dataset.session, li.dataset.reason])")
        .await;
    v.as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let field = |i: usize| e[i].as_str().unwrap_or_default().to_owned();
            let name = field(0);
            let name = name.strip_prefix(EVENT).unwrap_or(&name).to_owned();
            (name, field(1), field(2))
        })
        .collect()
}

/// Waits until the last event the demo page has listed is `name`; returns every event listed.
async fn wait_for_event(s: &Stage, name: &str) -> Vec<(String, String, String)> {
    let started = Instant::now();
    loop {
        let seen = events(s).await;
        if seen.last().is_some_and(|(n, _, _)| n == name) {
            return seen;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the page never heard {name}; it heard {seen:?} (console: {:?})",
            s.walk.browser.console().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the browser has `count` windows; returns their handles.
async fn wait_for_windows(s: &Stage, count: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let handles = s.walk.browser.handles().await;
        if handles.len() == count {
            return handles;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{} windows, not {count}",
            handles.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The status of a demo session (the demo's own key made it, so it is read from the store).
async fn stored_status(s: &Stage, id: &str) -> &'static str {
    let session = s
        .app
        .store
        .session(id)
        .await
        .unwrap()
        .expect("the demo's session");
    session.status.as_str()
}

/// Opens the demo page and looks at it; returns the session it created and its window.
async fn open_demo(s: &mut Stage) -> (String, String) {
    s.walk.scripts_allowed = true;
    assert_eq!(s.visit("/sdk/demo").await, "Demo shop");
    let id = s
        .walk
        .browser
        .eval("return document.getElementById('session').textContent")
        .await;
    (
        id.as_str().unwrap().to_owned(),
        s.walk.browser.handle().await,
    )
}

/// Clicks the demo's button, as a person does, and switches to the popup it opens.
async fn open_popup(s: &mut Stage) -> String {
    let button = s.walk.browser.find("#verify").await;
    s.walk.browser.click(&button).await;
    let main = s.walk.browser.handle().await;
    let handles = wait_for_windows(s, 2).await;
    assert_eq!(
        events(s)
            .await
            .iter()
            .map(|e| e.0.as_str())
            .collect::<Vec<_>>(),
        ["initialized", "ready"]
    );
    // The overlay over the business's page, checked as any page.
    let dialog = s
        .walk
        .browser
        .eval("return document.querySelector('[role=dialog] h2').textContent")
        .await;
    assert_eq!(dialog, "Continue in the DigiLocker window");
    s.walk.look().await;
    let popup = handles.into_iter().find(|h| *h != main).unwrap();
    s.walk.browser.switch_to(&popup).await;
    s.walk.scripts_allowed = false;
    s.walk
        .browser
        .wait_for_url("DigiLocker in the popup", |u| {
            u.contains("/oauth2/1/authorize")
        })
        .await;
    main
}

async fn the_demo_completes_a_journey_in_a_popup_and_ignores_forged_messages(backend: Backend) {
    let mut s = stage(
        backend,
        Topology::OwnOrigin,
        Viewport::Desktop,
        "sdk-completed",
    )
    .await;
    let (id, _) = open_demo(&mut s).await;
    let main = open_popup(&mut s).await;
    let popup_at = s.walk.browser.url().await;
    assert!(
        popup_at.starts_with("http://localhost:"),
        "another site than the gateway's"
    );
    // A page of another origin in the popup (DigiLocker's here) claims the journey is over.
    let forged = format!(
        "window.opener.postMessage({{type: '{EVENT}session.completed', session_id: '{id}', status: 'succeeded'}}, '*')"
    );
    s.walk.browser.eval(&forged).await;
    // So does a script of the business's own page, from outside the popup.
    s.walk.browser.switch_to(&main).await;
    s.walk
        .browser
        .eval(&forged.replace("window.opener", "window"))
        .await;
    s.walk
        .browser
        .switch_to(
            &wait_for_windows(&s, 2)
                .await
                .into_iter()
                .find(|h| *h != main)
                .unwrap(),
        )
        .await;
    // Had either been believed, the SDK would have closed the popup: the journey goes on.
    s.walk.consent_here("9000000001", &Answer::Allow).await;
    let heard = {
        s.walk.browser.switch_to(&main).await;
        wait_for_event(&s, "session.completed").await
    };
    let names: Vec<&str> = heard.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, ["initialized", "ready", "session.completed"]);
    assert!(heard.iter().all(|e| e.1 == id), "{heard:?}");
    wait_for_windows(&s, 1).await;
    let overlay = s
        .walk
        .browser
        .eval("return document.querySelector('[role=dialog]') === null")
        .await;
    assert_eq!(overlay, true, "the overlay is removed");
    s.walk.scripts_allowed = true;
    s.walk.look().await;
    assert_eq!(stored_status(&s, &id).await, "succeeded");
    // The completion page as a person who reopens it sees it, and the refusal of a stranger.
    assert_eq!(
        s.visit(&format!("/sdk/complete?session_id={id}")).await,
        "Verification complete"
    );
    assert_eq!(
        s.visit(&format!("/sdk/start/{id}?origin=https://evil.example"))
            .await,
        "This site cannot start the verification"
    );
    s.finish().await;
}

async fn closing_the_popup_half_way_is_heard_as_closed(backend: Backend) {
    let mut s = stage(backend, Topology::Mounted, Viewport::Phone, "sdk-closed").await;
    let (id, main) = open_demo(&mut s).await;
    open_popup(&mut s).await;
    assert_eq!(s.walk.look().await, "Sign in to your account");
    s.walk.browser.close_window().await;
    s.walk.browser.switch_to(&main).await;
    let heard = wait_for_event(&s, "session.closed").await;
    assert_eq!(
        heard,
        vec![
            ("initialized".to_owned(), id.clone(), String::new()),
            ("ready".to_owned(), id.clone(), String::new()),
            (
                "session.closed".to_owned(),
                id.clone(),
                "window_closed".to_owned()
            ),
        ]
    );
    assert_eq!(stored_status(&s, &id).await, "initialized");
    s.walk.scripts_allowed = true;
    s.walk.look().await;
    // Opened again, and cancelled from the overlay on the business's page this time.
    open_popup_after(&mut s, &id).await;
    s.walk.browser.switch_to(&main).await;
    let cancel = s.walk.browser.find("[role=dialog] button:last-child").await;
    s.walk.browser.click(&cancel).await;
    let heard = wait_for_event(&s, "session.closed").await;
    assert_eq!(heard.len(), 6, "{heard:?}");
    assert_eq!(heard[5].2, "cancelled");
    wait_for_windows(&s, 1).await;
    s.finish().await;
}

async fn a_popup_blocked_by_the_browser_is_heard_as_failed(backend: Backend) {
    let mut s = stage(backend, Topology::Mounted, Viewport::Desktop, "sdk-blocked").await;
    let blocking = s._driver.browser_blocking_popups(Viewport::Desktop).await;
    let allowing = std::mem::replace(&mut s.walk.browser, blocking);
    allowing.quit().await;
    let (id, _) = open_demo(&mut s).await;
    // Opened by a script with no click behind it, as a page that opens it on load would.
    let open = format!("DigilockerSDK.open({{session_id: '{id}'}})");
    s.walk.browser.eval(&open).await;
    let heard = wait_for_event(&s, "session.failed").await;
    assert_eq!(
        heard,
        vec![
            ("initialized".to_owned(), id.clone(), String::new()),
            (
                "session.failed".to_owned(),
                id.clone(),
                "popup_blocked".to_owned()
            ),
        ]
    );
    assert_eq!(s.walk.browser.handles().await.len(), 1);
    s.walk.look().await;
    // The same call from the person's click opens the window.
    open_popup_after(&mut s, &id).await;
    assert_eq!(stored_status(&s, &id).await, "initialized");
    s.finish().await;
}

async fn a_denied_consent_is_heard_as_failed_and_reopening_reports_it_again(backend: Backend) {
    let mut s = stage(backend, Topology::Mounted, Viewport::Desktop, "sdk-denied").await;
    let (id, main) = open_demo(&mut s).await;
    open_popup(&mut s).await;
    s.walk.consent_here("9000000001", &Answer::Deny).await;
    s.walk.browser.switch_to(&main).await;
    let heard = wait_for_event(&s, "session.failed").await;
    let failed = (
        "session.failed".to_owned(),
        id.clone(),
        "consent_denied".to_owned(),
    );
    assert_eq!(heard.last(), Some(&failed));
    assert_eq!(stored_status(&s, &id).await, "failed");
    wait_for_windows(&s, 1).await;
    // Opening an ended session again reports its outcome again, and asks DigiLocker nothing.
    let calls = s.app.sim.call_counts();
    let button = s.walk.browser.find("#verify").await;
    s.walk.browser.click(&button).await;
    let started = Instant::now();
    while events(&s).await.len() < heard.len() + 3 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{:?}",
            events(&s).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let again: Vec<_> = events(&s).await.into_iter().skip(heard.len()).collect();
    assert_eq!(
        again.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["initialized", "ready", "session.failed"]
    );
    assert_eq!(again[2], failed);
    assert_eq!(s.app.sim.call_counts(), calls);
    s.finish().await;
}

/// How many times the session's link has been opened (its audit lines).
async fn links_opened(s: &Stage, id: &str) -> usize {
    s.app.audit_count(Some(id), "link.opened").await
}

/// Clicks the button after earlier events: the popup opens, the SDK reports it ready, and the
/// popup reaches the session's link (read from the audit log, not from the popup, so the test
/// stays on the business's page).
async fn open_popup_after(s: &mut Stage, id: &str) {
    let (before, opened) = (events(s).await.len(), links_opened(s, id).await);
    let button = s.walk.browser.find("#verify").await;
    s.walk.browser.click(&button).await;
    wait_for_windows(s, 2).await;
    let names: Vec<String> = events(s)
        .await
        .into_iter()
        .skip(before)
        .map(|e| e.0)
        .collect();
    assert_eq!(names, ["initialized", "ready"]);
    let started = Instant::now();
    while links_opened(s, id).await == opened {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the popup never opened the link"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends!(
    the_demo_completes_a_journey_in_a_popup_and_ignores_forged_messages,
    closing_the_popup_half_way_is_heard_as_closed,
    a_popup_blocked_by_the_browser_is_heard_as_failed,
    a_denied_consent_is_heard_as_failed_and_reopening_reports_it_again,
);
