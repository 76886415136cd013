//! Plays the person through digigate's built-in DigiLocker simulator, for a business's own tests
//! (feature `simulator`).
//!
//! [`complete_consent`] does the whole journey: it opens the session's `authorization_url`,
//! follows the gateway's redirect to the simulator, fills each one-form page (sign-in, OTP `123456`,
//! PIN `123456`, consent) and follows the simulator's redirect through the gateway's callback,
//! returning where the gateway finally sends the person (the business's `redirect_url` with
//! `session_id` and `status`). [`Browser`] exposes the same steps one by one, so a test can stop at
//! the callback.

mod form;

use crate::ClientError;
use form::{alert, parse_form, title};
use reqwest::header::{LOCATION, REFRESH};
use reqwest::{IntoUrl, Response, StatusCode};
use url::Url;

/// The OTP and PIN the simulator accepts for every persona.
pub const SIMULATOR_CODE: &str = "123456";
/// Redirects followed from a link before giving up.
const MAX_REDIRECTS: usize = 10;
/// Pages filled before giving up (sign-up with every step has five).
const MAX_PAGES: usize = 8;
/// Reloads of the gateway's waiting page before giving up (it forwards by itself after a
/// minute, reloading every second).
const MAX_WAITS: usize = 120;

/// What the person answers on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Share the ticked documents.
    Allow,
    /// Refuse.
    Deny,
}

impl Decision {
    /// The form value (`allow` or `deny`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        }
    }
}

/// Who goes through the simulator's pages and what they do there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The mobile or Aadhaar number typed on the sign-in (or sign-up) page, for example a built-in
    /// persona's `9000000001`.
    pub login_id: String,
    /// The documents left ticked on the consent page, as DigiLocker codes (`ADHAR`, `PANCR`,
    /// `DRVLC`); `None` keeps the page's defaults (everything requested that the persona holds).
    pub docs: Option<Vec<String>>,
    /// Allow or deny.
    pub decision: Decision,
}

impl Person {
    /// A person who signs in with `login_id` and allows what was requested.
    pub fn allowing(login_id: impl Into<String>) -> Self {
        Person {
            login_id: login_id.into(),
            docs: None,
            decision: Decision::Allow,
        }
    }

    /// A person who signs in with `login_id` and denies consent.
    pub fn denying(login_id: impl Into<String>) -> Self {
        Person {
            decision: Decision::Deny,
            ..Person::allowing(login_id)
        }
    }
}

/// A simulator page reached by [`Browser::open_link`]: where it was served and its HTML.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's URL (the simulator's authorize page).
    pub url: Url,
    /// The page's HTML.
    pub html: String,
}

/// A browser with a cookie jar that follows no redirect on its own, so each hop can be checked.
/// Keep one per person: the gateway binds the journey to its cookie (clones share the jar).
#[derive(Debug, Clone)]
pub struct Browser {
    http: reqwest::Client,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A fresh browser with an empty cookie jar.
    ///
    /// # Panics
    /// If the TLS backend cannot be initialised, like `reqwest::Client::new`.
    pub fn new() -> Self {
        // A fresh connection per step: a person's journey may outlive a gateway restart, and a
        // pooled connection the old process closed would fail the next request.
        Self::with_idle_connections(0)
    }

    /// A fresh browser that keeps its connections open between steps, as real browsers do
    /// (for load measurements; a gateway restarted under it breaks its next request).
    ///
    /// # Panics
    /// If the TLS backend cannot be initialised, like `reqwest::Client::new`.
    pub fn keeping_connections() -> Self {
        Self::with_idle_connections(usize::MAX)
    }

    fn with_idle_connections(idle: usize) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .pool_max_idle_per_host(idle)
            .build()
            .expect("the HTTP client initialises");
        Browser { http }
    }

    /// The underlying HTTP client (cookies on, redirects off).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// One `GET` with this browser's cookies; redirects are not followed.
    pub async fn get(&self, url: impl IntoUrl) -> Result<Response, ClientError> {
        Ok(self.http.get(url).send().await?)
    }

    /// Opens a session's link and follows the redirects to the first page (the simulator's
    /// sign-in page). A link that answers anything but a page (expired: 410, unknown: 404) is a
    /// [`ClientError::Consent`].
    pub async fn open_link(&self, link: &Url) -> Result<Page, ClientError> {
        let mut url = link.clone();
        for _ in 0..MAX_REDIRECTS {
            let res = self.get(url.clone()).await?;
            if let Some(next) = redirect_target(&url, &res) {
                url = next;
                continue;
            }
            let status = res.status();
            let html = res.text().await?;
            if status != StatusCode::OK {
                return Err(unexpected(&url, status, &html));
            }
            return Ok(Page { url, html });
        }
        Err(ClientError::Consent(format!(
            "{link} redirected more than {MAX_REDIRECTS} times"
        )))
    }

    /// Fills the simulator's pages from `page` on as `person`, and returns the simulator's final
    /// redirect (to the gateway's callback), not yet followed.
    pub async fn consent(&self, page: Page, person: &Person) -> Result<Url, ClientError> {
        let Page { mut url, mut html } = page;
        for _ in 0..MAX_PAGES {
            let form = parse_form(&html, &url).ok_or_else(|| {
                ClientError::Consent(format!("no form on the page at {}", url.path()))
            })?;
            let mut body = form.hidden.clone();
            if form.has("login_id") {
                body.push(("login_id".into(), person.login_id.clone()));
            }
            for code in ["otp", "pin"] {
                if form.has(code) {
                    body.push((code.into(), SIMULATOR_CODE.into()));
                }
            }
            if form.has("decision") {
                let docs = person.docs.clone().unwrap_or(form.checked_docs.clone());
                body.extend(docs.into_iter().map(|d| ("doc".to_owned(), d)));
                body.push(("decision".into(), person.decision.as_str().into()));
            }
            let res = self
                .http
                .post(form.action.clone())
                .form(&body)
                .send()
                .await?;
            if let Some(next) = redirect_target(&form.action, &res) {
                return Ok(next);
            }
            let status = res.status();
            let next_html = res.text().await?;
            if status != StatusCode::OK {
                return Err(unexpected(&form.action, status, &next_html));
            }
            if let Some(problem) = alert(&next_html) {
                return Err(ClientError::Consent(format!(
                    "the simulator refused a step: {problem}"
                )));
            }
            (url, html) = (form.action, next_html);
        }
        Err(ClientError::Consent(format!(
            "the simulator showed more than {MAX_PAGES} pages without redirecting"
        )))
    }

    /// Follows the simulator's redirect to the gateway's callback and returns where the gateway
    /// sends the person (the business's `redirect_url`, from the page that forwards there).
    pub async fn finish(&self, callback: &Url) -> Result<Url, ClientError> {
        let res = self.get(callback.clone()).await?;
        self.follow_to_business(callback, res).await
    }

    /// From the gateway's answer `res` at `from` (its callback, or its waiting page), waits as
    /// a browser does: the waiting page reloads itself after a delay (`Refresh: 1;url=…`) while
    /// the documents are fetched, until the page that forwards at once to the business.
    /// Returns that address.
    pub async fn follow_to_business(&self, from: &Url, res: Response) -> Result<Url, ClientError> {
        let (mut from, mut res) = (from.clone(), res);
        for _ in 0..MAX_WAITS {
            if let Some(next) = redirect_target(&from, &res) {
                return Ok(next);
            }
            let waiting = (res.status() == StatusCode::OK)
                .then(|| {
                    res.headers()
                        .get(REFRESH)?
                        .to_str()
                        .ok()
                        .and_then(delayed_refresh)
                })
                .flatten()
                .and_then(|(delay, target)| Some((delay, from.join(target).ok()?)));
            let Some((delay, next)) = waiting else {
                let status = res.status();
                let html = res.text().await?;
                return Err(unexpected(&from, status, &html));
            };
            tokio::time::sleep(delay).await;
            res = self.get(next.clone()).await?;
            from = next;
        }
        Err(ClientError::Consent(format!(
            "the gateway kept the person waiting for more than {MAX_WAITS} reloads"
        )))
    }
}

/// Goes through the whole journey from a session's `authorization_url` as `person` in a fresh
/// browser, and returns the gateway's final redirect to the business
/// (`{redirect_url}?session_id=…&status=succeeded|failed`).
pub async fn complete_consent(
    authorization_url: &Url,
    person: &Person,
) -> Result<Url, ClientError> {
    let browser = Browser::new();
    let page = browser.open_link(authorization_url).await?;
    let callback = browser.consent(page, person).await?;
    browser.finish(&callback).await
}

/// Where a browser goes next after the answer `res` at `from`: the `Location` of a redirect, or
/// the target of a page that forwards at once with `Refresh: 0;url=…` (the gateway ends the
/// journey with such a page; see the server's `html::forward`). `None` for anything else.
pub fn redirect_target(from: &Url, res: &Response) -> Option<Url> {
    let target = if res.status().is_redirection() {
        res.headers().get(LOCATION)?.to_str().ok()?
    } else if res.status() == StatusCode::OK {
        refresh_target(res.headers().get(REFRESH)?.to_str().ok()?)?
    } else {
        return None;
    };
    from.join(target).ok()
}

/// The URL of an immediate refresh (`0;url=…`, `0; URL='…'`); delayed refreshes are not followed.
fn refresh_target(value: &str) -> Option<&str> {
    let (delay, rest) = value.split_once(';').or_else(|| value.split_once(','))?;
    if delay.trim().parse::<f64>().ok()? > 0.0 {
        return None;
    }
    let rest = rest.trim_start();
    let url = rest
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("url="))
        .map(|_| rest[4..].trim())?;
    Some(url.trim_matches(|c| c == '\'' || c == '"'))
}

/// The delay and URL of a refresh that waits (`1;url=…`): the gateway's waiting page.
fn delayed_refresh(value: &str) -> Option<(std::time::Duration, &str)> {
    let (delay, rest) = value.split_once(';').or_else(|| value.split_once(','))?;
    let delay = delay
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|d| *d > 0.0 && *d <= 60.0)?;
    let rest = rest.trim_start();
    let url = rest
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("url="))
        .map(|_| rest[4..].trim())?;
    Some((
        std::time::Duration::from_secs_f64(delay),
        url.trim_matches(|c| c == '\'' || c == '"'),
    ))
}

/// An error naming the page without its query (which may hold a `code` or `state`).
fn unexpected(url: &Url, status: StatusCode, html: &str) -> ClientError {
    let mut page = url.clone();
    page.set_query(None);
    let what = alert(html).or_else(|| title(html)).unwrap_or_default();
    ClientError::Consent(format!("{page} answered {status}: {what}"))
}

#[cfg(test)]
mod tests {
    use super::refresh_target;

    #[test]
    fn immediate_refreshes_are_read_in_their_usual_spellings() {
        assert_eq!(
            refresh_target("0;url=https://a.example/x?y=1"),
            Some("https://a.example/x?y=1")
        );
        assert_eq!(
            refresh_target("0; URL='https://a.example/'"),
            Some("https://a.example/")
        );
        assert_eq!(refresh_target("5;url=https://a.example/"), None);
        assert_eq!(refresh_target("0"), None);
    }

    #[test]
    fn waiting_refreshes_are_read_with_their_delay() {
        use super::delayed_refresh;
        use std::time::Duration;
        assert_eq!(
            delayed_refresh("1;url=https://g.example/callbacks/digilocker/wait?s=1"),
            Some((
                Duration::from_secs(1),
                "https://g.example/callbacks/digilocker/wait?s=1"
            ))
        );
        assert_eq!(delayed_refresh("0;url=https://a.example/"), None);
        assert_eq!(delayed_refresh("1"), None);
    }
}
