//! A scripted browser: follows redirects by hand (so each hop can be asserted), keeps cookies,
//! and fills the simulator's one-form-per-step pages by their documented field names.

use reqwest::header::LOCATION;
use reqwest::{Client, Response, StatusCode};
use url::Url;

/// What the person does on the DigiLocker pages.
#[derive(Clone)]
pub struct Person {
    /// Mobile or Aadhaar number typed on the sign-in page.
    pub login_id: String,
    /// Documents left ticked on the consent page (`None`: leave the page's defaults).
    pub docs: Option<Vec<&'static str>>,
    /// `allow` or `deny`.
    pub decision: &'static str,
}

impl Person {
    /// A person who signs in with `mobile` and allows what was requested.
    pub fn allowing(mobile: &str) -> Self {
        Person {
            login_id: mobile.to_owned(),
            docs: None,
            decision: "allow",
        }
    }
}

/// A browser with a cookie jar and no automatic redirects.
pub struct Browser {
    pub http: Client,
}

struct Form {
    action: Url,
    fields: Vec<(String, String)>,
    inputs: Vec<String>,
    checked_docs: Vec<String>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn parse_form(html: &str, page: &Url) -> Option<Form> {
    let start = html.find("<form")?;
    let end = html[start..].find("</form>")? + start;
    let form = &html[start..end];
    let open_tag = &form[..form.find('>')?];
    let action = attr(open_tag, "action").unwrap_or_default();
    let action = page.join(&action).ok()?;
    let (mut fields, mut inputs, mut checked_docs) = (Vec::new(), Vec::new(), Vec::new());
    for piece in form
        .split("<input")
        .skip(1)
        .chain(form.split("<button").skip(1))
    {
        let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let kind = attr(tag, "type").unwrap_or_default();
        if kind == "hidden" {
            fields.push((name.clone(), attr(tag, "value").unwrap_or_default()));
        }
        if name == "doc" && tag.contains("checked") {
            checked_docs.push(attr(tag, "value").unwrap_or_default());
        }
        inputs.push(name);
    }
    Some(Form {
        action,
        fields,
        inputs,
        checked_docs,
    })
}

impl Browser {
    /// A fresh browser.
    pub fn new() -> Self {
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Browser { http }
    }

    /// Opens `url` and follows redirects while they stay off `stop_at`'s origin... returning the
    /// first response that is not a redirect, or a redirect to a URL starting with `stop_prefix`.
    pub async fn follow(&self, url: &str, stop_prefix: &str) -> (Url, Response) {
        let mut url = Url::parse(url).unwrap();
        loop {
            let res = self.http.get(url.clone()).send().await.unwrap();
            match redirect_target(&url, &res) {
                Some(next) if !next.as_str().starts_with(stop_prefix) => url = next,
                _ => return (url, res),
            }
        }
    }

    /// Goes through the simulator's pages as `person` from the DigiLocker authorize page at `url`,
    /// and returns the redirect the simulator finally answers (to the gateway's callback).
    pub async fn consent(&self, authorize_page: Url, first: Response, person: &Person) -> Response {
        let (mut page_url, mut res) = (authorize_page, first);
        for _ in 0..8 {
            if res.status().is_redirection() {
                return res;
            }
            assert_eq!(res.status(), StatusCode::OK, "simulator page at {page_url}");
            let html = res.text().await.unwrap();
            let form =
                parse_form(&html, &page_url).unwrap_or_else(|| panic!("no form on page: {html}"));
            let mut body = form.fields.clone();
            let has = |n: &str| form.inputs.iter().any(|i| i == n);
            if has("login_id") {
                body.push(("login_id".into(), person.login_id.clone()));
            }
            if has("otp") {
                body.push(("otp".into(), "123456".into()));
            }
            if has("pin") {
                body.push(("pin".into(), "123456".into()));
            }
            if has("decision") {
                let docs = person
                    .docs
                    .clone()
                    .map(|d| d.into_iter().map(String::from).collect())
                    .unwrap_or(form.checked_docs.clone());
                body.extend(docs.into_iter().map(|d| ("doc".to_owned(), d)));
                body.push(("decision".into(), person.decision.into()));
            }
            page_url = form.action.clone();
            res = self
                .http
                .post(form.action)
                .form(&body)
                .send()
                .await
                .unwrap();
        }
        panic!("the simulator journey did not end in a redirect");
    }
}

/// The absolute target of a redirect response.
pub fn redirect_target(from: &Url, res: &Response) -> Option<Url> {
    if !res.status().is_redirection() {
        return None;
    }
    let loc = res.headers().get(LOCATION)?.to_str().ok()?;
    from.join(loc).ok()
}
