//! A small W3C WebDriver client for Debian's `chromedriver` and headless `chromium`.
//!
//! Written here rather than taken from fantoccini or thirtyfour: fantoccini 0.22 brings the
//! `webdriver` crate with a second `http`, `cookie` and ICU stack, thirtyfour 0.38 a second
//! `reqwest`; the dozen commands these tests need are plain JSON over loopback HTTP with the
//! `reqwest` the tests already use.

use base64::Engine as _;
use reqwest::{Client, Method};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C key under which an element reference is returned.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a page may take to reach an expected state.
const WAIT: Duration = Duration::from_secs(15);

/// The viewport a test browses with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewport {
    /// A laptop window, 1280 × 900.
    Desktop,
    /// A phone, 390 × 844 CSS pixels at 3× (an iPhone 12–15), with touch and a mobile user agent.
    Phone,
}

impl Viewport {
    /// A short name for screenshot files.
    pub fn name(self) -> &'static str {
        match self {
            Viewport::Desktop => "desktop",
            Viewport::Phone => "phone",
        }
    }
}

/// A `chromedriver` process on a free loopback port, killed on drop.
pub struct Driver {
    child: Child,
    base: String,
    http: Client,
}

impl Driver {
    /// Starts `chromedriver` and waits until it answers `/status`.
    pub async fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (apt-get install chromium chromium-driver)");
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: Client::new(),
        };
        let started = Instant::now();
        loop {
            let ready = driver.http.get(format!("{}/status", driver.base)).send();
            if let Ok(res) = ready.await {
                if let Ok(v) = res.json::<Value>().await {
                    if v["value"]["ready"] == true {
                        return driver;
                    }
                }
            }
            assert!(
                started.elapsed() < WAIT,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens a headless Chromium with an empty profile, logging the console.
    pub async fn browser(&self, viewport: Viewport) -> Browser {
        self.launch(viewport, false).await
    }

    /// As [`Driver::browser`], with Chromium's popup blocker on as a person's browser has it
    /// (chromedriver turns it off by default): `window.open` without a click is refused.
    pub async fn browser_blocking_popups(&self, viewport: Viewport) -> Browser {
        self.launch(viewport, true).await
    }

    async fn launch(&self, viewport: Viewport, block_popups: bool) -> Browser {
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
        ];
        let mut options = json!({ "binary": chromium() });
        match viewport {
            Viewport::Desktop => args.push("--window-size=1280,900"),
            Viewport::Phone => {
                options["mobileEmulation"] = json!({
                    "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true, "mobile": true },
                    "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
                })
            }
        }
        options["args"] = json!(args);
        if block_popups {
            options["excludeSwitches"] = json!(["disable-popup-blocking"]);
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let res = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers");
        let v: Value = res.json().await.expect("JSON from chromedriver");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start: {v}"))
            .to_owned();
        Browser {
            http: self.http.clone(),
            session: format!("{}/session/{id}", self.base),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned())
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// One browser window (a WebDriver session). Call [`Browser::quit`] at the end.
pub struct Browser {
    http: Client,
    session: String,
}

/// An element on the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Browser {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.session));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("chromedriver answers");
        let status = res.status();
        let v: Value = res.json().await.expect("JSON from chromedriver");
        assert!(
            status.is_success(),
            "{method} {path} failed: {}",
            v["value"]["message"]
        );
        v["value"].clone()
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.call(Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The address of the current page.
    pub async fn url(&self) -> String {
        self.call(Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The title of the current page.
    pub async fn title(&self) -> String {
        self.call(Method::GET, "/title", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching a CSS selector; panics if there is none.
    pub async fn find(&self, css: &str) -> Element {
        let v = self
            .call(
                Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        Element(v[ELEMENT].as_str().expect("an element").to_owned())
    }

    /// Clicks an element as a person does (the browser scrolls it into view first).
    pub async fn click(&self, element: &Element) {
        self.call(
            Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks a button that submits a form, and waits until the page it leads to has loaded.
    /// (With touch emulation a click returns before the navigation it starts.)
    pub async fn submit_with(&self, element: &Element) {
        self.eval("window.__digigateLeft = true").await;
        self.click(element).await;
        let started = Instant::now();
        loop {
            let arrived = self
                .eval("return window.__digigateLeft === undefined && document.readyState === 'complete'")
                .await;
            if arrived == true {
                return;
            }
            assert!(
                started.elapsed() < WAIT,
                "the form led nowhere: {}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Types `text` into an element, key by key.
    pub async fn type_into(&self, element: &Element, text: &str) {
        self.call(
            Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Types `text` into whatever has the focus, as a person does after the page loads.
    pub async fn type_here(&self, text: &str) {
        let active = self.call(Method::GET, "/element/active", None).await;
        let id = active[ELEMENT].as_str().expect("a focused element");
        self.type_into(&Element(id.to_owned()), text).await;
    }

    /// Runs `script` in the page and returns its value (WebDriver scripts are not subject to the
    /// page's CSP; the pages themselves carry none).
    pub async fn eval(&self, script: &str) -> Value {
        self.call(
            Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Goes back one entry in the history.
    pub async fn back(&self) {
        self.call(Method::POST, "/back", Some(json!({}))).await;
    }

    /// Opens a new tab and switches to it; returns the handle of the tab left.
    pub async fn new_tab(&self) -> String {
        let current = self.call(Method::GET, "/window", None).await;
        let tab = self
            .call(Method::POST, "/window/new", Some(json!({ "type": "tab" })))
            .await;
        self.switch_to(tab["handle"].as_str().expect("a tab handle"))
            .await;
        current.as_str().expect("a window handle").to_owned()
    }

    /// Switches to the tab or window `handle`.
    pub async fn switch_to(&self, handle: &str) {
        self.call(Method::POST, "/window", Some(json!({ "handle": handle })))
            .await;
    }

    /// The handles of every open tab and window.
    pub async fn handles(&self) -> Vec<String> {
        let v = self.call(Method::GET, "/window/handles", None).await;
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str().map(str::to_owned))
            .collect()
    }

    /// The handle of the current tab or window.
    pub async fn handle(&self) -> String {
        let v = self.call(Method::GET, "/window", None).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Closes the current window, as a person closing it does.
    pub async fn close_window(&self) {
        self.call(Method::DELETE, "/window", None).await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let v = self.call(Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("base64 PNG")
    }

    /// The console messages logged since the last call, as `LEVEL message` lines.
    pub async fn console(&self) -> Vec<String> {
        let v = self
            .call(Method::POST, "/se/log", Some(json!({ "type": "browser" })))
            .await;
        v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or_default(),
                            e["message"].as_str().unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until the current address satisfies `done`, and returns it.
    pub async fn wait_for_url(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let url = self.url().await;
            if done(&url) {
                return url;
            }
            assert!(
                started.elapsed() < WAIT,
                "the browser never reached {what}; it is at {url} ({:?}, console: {:?})",
                self.title().await,
                self.console().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the session and closes Chromium.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}
