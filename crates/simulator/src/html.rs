//! The page frame shared by every simulator page, and the security headers every page carries.
//!
//! Pages are plain server-rendered HTML without JavaScript, written as maud templates (`html!`:
//! checked when the crate compiles, and every value spliced into text or an attribute is
//! escaped). The one inline stylesheet is allowed by its SHA-256 hash in the
//! Content-Security-Policy; nothing else may load.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f2f4f8;color:#1f2937}
header{background:#fff;border-bottom:3px solid #5b3cc4;padding:12px 24px;display:flex;align-items:center;gap:10px}
.logo{width:30px;height:30px;border-radius:7px;background:#5b3cc4;color:#fff;font-weight:700;display:grid;place-items:center}
.brand{font-size:19px;font-weight:600;color:#2d1a7a}.brand small{font-weight:400;color:#6b7280}
main{max-width:440px;margin:40px auto;padding:0 16px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 6px 20px rgba(0,0,0,.05);padding:28px}
h1{font-size:21px;margin:0 0 6px}p.lead{color:#4b5563;margin:0 0 20px}
label{display:block;font-weight:600;margin:14px 0 6px}
input[type=text],input[type=password]{width:100%;padding:10px 12px;border:1px solid #cbd5e1;border-radius:6px;font-size:16px;letter-spacing:.04em}
input:focus{outline:2px solid #5b3cc4;border-color:#5b3cc4}
.hint{font-size:13px;color:#6b7280;margin-top:6px}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;border-radius:6px;padding:10px 12px;margin-bottom:14px}
.notice{background:#eff6ff;border:1px solid #bfdbfe;color:#1e40af;border-radius:6px;padding:10px 12px;margin-bottom:14px}
.actions{display:flex;gap:10px;margin-top:22px}
button{flex:1;padding:11px 14px;border-radius:6px;border:1px solid #5b3cc4;font-size:15px;font-weight:600;cursor:pointer}
button.primary{background:#5b3cc4;color:#fff}button.secondary{background:#fff;color:#5b3cc4}
ul.docs{list-style:none;padding:0;margin:8px 0 0;border:1px solid #e5e7eb;border-radius:8px}
ul.docs li{padding:10px 12px;border-top:1px solid #e5e7eb}ul.docs li:first-child{border-top:0}
ul.docs label{display:flex;gap:10px;align-items:flex-start;margin:0;font-weight:500}
ul.docs .tick{width:13px;margin:0 3px;color:#5b3cc4;font-weight:700}
ul.docs .sub{display:block;font-size:12px;color:#6b7280;font-weight:400}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 14px;margin:12px 0}dt{color:#6b7280}dd{margin:0}
footer{text-align:center;font-size:12px;color:#6b7280;margin:18px 0 40px}
";

/// `'sha256-…'` for the stylesheet, computed once.
static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

/// A page ready to send: status, title and the card's markup.
pub(crate) struct Page {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `<title>` text (before " - DigiLocker (simulator)").
    pub title: String,
    /// What the card holds.
    pub body: Markup,
    /// The origin (or `scheme:`) of the partner's redirect URI, allowed as a form target because
    /// the final form submission redirects there.
    pub redirect_source: Option<String>,
}

impl Page {
    /// A page with status 200 and no redirect target.
    pub(crate) fn new(title: impl Into<String>, body: Markup) -> Self {
        Self {
            status: StatusCode::OK,
            title: title.into(),
            body,
            redirect_source: None,
        }
    }

    /// The error page shown for a request that cannot go on (400 unless set otherwise).
    pub(crate) fn error(title: &str, message: &str) -> Self {
        let body = html! {
            h1 { (title) }
            div.error { (message) }
            p.hint { "Go back to the application you came from and start again." }
        };
        Self {
            status: StatusCode::BAD_REQUEST,
            ..Self::new(title, body)
        }
    }

    /// The whole document: the simulator's frame around the card.
    fn render(&self) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width,initial-scale=1";
                    meta name="robots" content="noindex";
                    title { (self.title) " - DigiLocker (simulator)" }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    header {
                        span.logo { "DL" }
                        span.brand { "DigiLocker " small { "(simulator)" } }
                    }
                    main {
                        div.card { (self.body) }
                        footer {
                            "DigiLocker simulator for development and testing. All people and \
                             documents are synthetic."
                        }
                    }
                }
            }
        }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut form_action = String::from("'self'");
        if let Some(source) = &self.redirect_source {
            form_action.push(' ');
            form_action.push_str(source);
        }
        let csp = format!(
            "default-src 'none'; style-src {}; form-action {form_action}; \
             frame-ancestors 'none'; base-uri 'none'",
            *STYLE_HASH
        );
        let mut response = (self.status, self.render()).into_response();
        let h = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        insert_common(h);
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

/// `no-store` and `no-referrer`, on pages and on the redirect back to the partner (which carries the code).
pub(crate) fn insert_common(h: &mut axum::http::HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// The CSP source expression for a redirect URI: its origin, or `scheme:` for app schemes.
/// Returns `None` for anything that could break out of the header.
pub(crate) fn csp_source(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    let source = match url.origin() {
        url::Origin::Tuple(..) => url.origin().ascii_serialization(),
        url::Origin::Opaque(_) => format!("{}:", url.scheme()),
    };
    let safe = source
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._:/[]".contains(&b));
    safe.then_some(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_sources_are_origins_or_schemes() {
        assert_eq!(
            csp_source("https://app.example.com:8443/cb?x=1").as_deref(),
            Some("https://app.example.com:8443")
        );
        assert_eq!(
            csp_source("com.example.app:/oauth").as_deref(),
            Some("com.example.app:")
        );
        assert_eq!(csp_source("not a url"), None);
    }

    #[test]
    fn every_page_has_the_security_headers_and_escapes_its_title() {
        let page = Page::error("<script>x</script>", "\"><img src=x>");
        let document = page.render().into_string();
        assert!(document.contains("<title>&lt;script&gt;x&lt;/script&gt; - DigiLocker"));
        assert!(document.contains("<div class=\"error\">&quot;&gt;&lt;img src=x&gt;</div>"));
        assert!(!document.contains("<script>") && !document.contains("<img"));
        assert!(document.contains(&format!("<style>{STYLE}</style>")));
        let response = page.into_response();
        let h = response.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"));
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }
}
