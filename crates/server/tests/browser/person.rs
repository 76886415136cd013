//! A person in a real browser: types and clicks through the simulator's pages, and on every page
//! checks what a person on a phone would notice (no sideways scrolling, labelled fields, the
//! right keyboard and autofill, the focus in the first field, nothing blocked by a page's
//! policy), saving a screenshot of each page under `target/browser-screenshots/`.

use crate::webdriver::{Browser, Viewport};
use serde_json::Value;
use std::path::PathBuf;

/// What the person does on the consent page.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Allow, leaving the boxes as they are.
    Allow,
    /// Allow after unticking these documents (DigiLocker codes such as `PANCR`).
    AllowWithout(&'static [&'static str]),
    /// Deny.
    Deny,
}

/// A browser walked through pages by a person, with the screenshots named after the test.
pub struct Walk {
    pub browser: Browser,
    pub viewport: Viewport,
    /// Whether the pages may run script (the SDK's demo and completion pages do; no other).
    pub scripts_allowed: bool,
    name: String,
    pages: usize,
}

/// Facts about the current page that the checks read, gathered in one script.
const PAGE_FACTS: &str = r#"
const d = document.documentElement;
const fields = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
const active = document.activeElement;
return {
  title: document.title,
  heading: (document.querySelector('h1') || {}).textContent || '',
  overflow: d.scrollWidth - d.clientWidth,
  scripts: document.scripts.length,
  unlabelled: fields.filter(f => f.labels.length === 0 && !f.getAttribute('aria-label')).map(f => f.name),
  fields: fields.map(f => ({ name: f.name, type: f.type,
    autocomplete: f.getAttribute('autocomplete') || '', inputmode: f.getAttribute('inputmode') || '' })),
  focused: active && active !== document.body ? (active.name || active.tagName) : '',
  first: (fields.find(f => f.type !== 'checkbox') || {}).name || '',
  small: [...document.querySelectorAll('button, a')].filter(e => e.getBoundingClientRect().height < 24).length,
};
"#;

impl Walk {
    /// Starts a walk in `browser`; screenshots are named `{name}-{viewport}-{n}-{title}.png`.
    pub fn new(browser: Browser, viewport: Viewport, name: &str) -> Walk {
        Walk {
            browser,
            viewport,
            scripts_allowed: false,
            name: name.to_owned(),
            pages: 0,
        }
    }

    /// Checks the current page as a person would meet it and saves its screenshot; returns its
    /// `<h1>`.
    pub async fn look(&mut self) -> String {
        // Autofocus is applied when the page is first rendered, which may come just after load.
        let mut facts = self.browser.eval(PAGE_FACTS).await;
        for _ in 0..40 {
            if facts["first"] == "" || facts["focused"] == facts["first"] {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            facts = self.browser.eval(PAGE_FACTS).await;
        }
        let heading = facts["heading"].as_str().unwrap_or_default().to_owned();
        self.save_screenshot(&heading).await;
        let at = format!("{} on \"{heading}\"", self.viewport.name());
        if !self.scripts_allowed {
            assert_eq!(facts["scripts"], 0, "{at}: pages run no script");
        }
        assert!(
            facts["overflow"].as_i64().unwrap_or(1) <= 0,
            "{at}: the page scrolls sideways by {}px",
            facts["overflow"]
        );
        assert_eq!(
            facts["unlabelled"],
            Value::Array(vec![]),
            "{at}: unlabelled fields"
        );
        assert_eq!(facts["small"], 0, "{at}: a button or link under 24px high");
        for field in facts["fields"].as_array().into_iter().flatten() {
            check_field(&at, &heading, field);
        }
        let first = facts["first"].as_str().unwrap_or_default();
        if !first.is_empty() {
            assert_eq!(
                facts["focused"].as_str(),
                Some(first),
                "{at}: the focus starts in the first field"
            );
        }
        let console = self.browser.console().await;
        // A page answered 4xx, or the favicon nobody serves, is logged as a failed resource; what
        // a person would suffer from is anything else: a blocked form, navigation or style.
        let blocked: Vec<&String> = console
            .iter()
            .filter(|l| l.starts_with("SEVERE") || l.contains("Content Security Policy"))
            .filter(|l| !l.contains("Failed to load resource"))
            .collect();
        assert!(blocked.is_empty(), "{at}: console errors {blocked:?}");
        heading
    }

    /// Saves a screenshot of whatever the browser shows (also the browser's own pages, which
    /// [`Walk::look`] would not pass), named `label`.
    pub async fn save_screenshot(&mut self, label: &str) {
        self.pages += 1;
        let slug: String = label
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        let file = dir.join(format!(
            "{}-{}-{:02}-{}.png",
            self.name,
            self.viewport.name(),
            self.pages,
            slug.trim_matches('-')
        ));
        std::fs::write(file, self.browser.screenshot().await).expect("screenshot written");
    }

    /// Opens the session link and goes through DigiLocker as a person signing in (or up) with
    /// `login_id`, answering `answer` on the consent page. Returns when the consent form is sent.
    pub async fn consent(&mut self, link: &str, login_id: &str, answer: &Answer) {
        self.browser.goto(link).await;
        self.consent_here(login_id, answer).await;
    }

    /// Goes through DigiLocker from the page the browser is on (a popup the SDK opened), as
    /// [`Walk::consent`] does after opening the link.
    pub async fn consent_here(&mut self, login_id: &str, answer: &Answer) {
        self.reach_consent_page(login_id).await;
        let decision = match answer {
            Answer::Allow => "allow",
            Answer::AllowWithout(codes) => {
                for code in *codes {
                    let selector = format!("input[name=doc][value={code}]");
                    let box_ = self.browser.find(&selector).await;
                    self.browser.click(&box_).await;
                }
                "allow"
            }
            Answer::Deny => "deny",
        };
        let button = format!("button[value={decision}]");
        let button = self.browser.find(&button).await;
        self.browser.click(&button).await;
    }

    /// Signs in (or up) as `login_id` from the page the browser is on, looking at each page,
    /// until DigiLocker's consent page, which is left unanswered.
    pub async fn reach_consent_page(&mut self, login_id: &str) {
        for _ in 0..6 {
            let heading = self.look().await;
            match heading.as_str() {
                "Sign in to your account" | "Create your DigiLocker account" => {
                    self.browser.type_here(login_id).await;
                }
                "Verify OTP" | "Enter your PIN" | "Create your account" => {
                    self.browser.type_here("123456").await;
                }
                "Share documents" => return,
                other => panic!(
                    "unexpected page \"{other}\" at {}",
                    self.browser.url().await
                ),
            }
            let submit = self.browser.find("button[type=submit]").await;
            self.browser.submit_with(&submit).await;
        }
        panic!("the journey did not reach the consent page");
    }

    /// Waits until the browser is on a page under `prefix`, looks at it, and returns its URL.
    pub async fn arrive(&mut self, prefix: &str) -> url::Url {
        let url = self
            .browser
            .wait_for_url(prefix, |u| u.starts_with(prefix))
            .await;
        self.look().await;
        url::Url::parse(&url).expect("a URL")
    }
}

/// The keyboard and autofill each kind of field needs on a phone.
fn check_field(at: &str, heading: &str, field: &Value) {
    let (name, inputmode, autocomplete) = (
        field["name"].as_str().unwrap_or_default(),
        field["inputmode"].as_str().unwrap_or_default(),
        field["autocomplete"].as_str().unwrap_or_default(),
    );
    let expected = match name {
        "login_id" => Some(("numeric", "username")),
        "otp" => Some(("numeric", "one-time-code")),
        "pin" if heading == "Create your account" => Some(("numeric", "new-password")),
        "pin" => Some(("numeric", "current-password")),
        _ => None,
    };
    if let Some((mode, auto)) = expected {
        assert_eq!(inputmode, mode, "{at}: inputmode of {name}");
        assert_eq!(autocomplete, auto, "{at}: autocomplete of {name}");
    }
}

/// `target/browser-screenshots/` of this workspace (or of `CARGO_TARGET_DIR`).
fn screenshot_dir() -> PathBuf {
    let target = option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("browser-screenshots")
}
