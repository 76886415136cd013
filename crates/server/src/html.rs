//! How pages shown to the person in the browser are rendered: plain server-rendered HTML with
//! strict security headers; the stylesheet is inline and allowed by its hash. What the pages say
//! is in `page_error` (failures) and `navigation` (where the browser goes next).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const STYLE: &str = "*{box-sizing:border-box}\
body{font-family:system-ui,sans-serif;background:#f4f6fa;color:#1d2433;margin:0;padding:0 1rem}\
main{max-width:32rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem 1.5rem;box-shadow:0 2px 12px #0001}\
h1{font-size:1.3rem;margin-top:0}p{line-height:1.5;overflow-wrap:anywhere}.brand{color:#5b6b8c;font-size:.85rem;letter-spacing:.05em;margin-bottom:.75rem}\
a.continue{display:inline-block;margin-top:.5rem;padding:.7rem 1.2rem;border-radius:8px;background:#2d4fd6;color:#fff;font-weight:600;text-decoration:none}\
a.continue:focus{outline:3px solid #1d2433;outline-offset:2px}";

static CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
});

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Adds the headers every HTML page and browser redirect carries.
pub fn secure(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&CSP).expect("ascii"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// A page with a title and a message; both are escaped.
pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    document(status, title, "", &format!("<p>{}</p>", escape(message)))
}

/// The HTML document every page shares: `head` goes into `<head>` as is, `body` after the title.
pub fn document(status: StatusCode, title: &str, head: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head}\
         <title>{t}</title><style>{STYLE}</style></head><body><main>\
         <div class=\"brand\">DIGIGATE · IDENTITY VERIFICATION</div><h1>{t}</h1>{body}\
         </main></body></html>",
        t = escape(title),
    );
    let mut res = (status, html).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(res)
}

/// `'sha256-…'`: the CSP source that allows exactly this inline script or stylesheet.
pub fn csp_hash(source: &str) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(source.as_bytes()));
    format!("'sha256-{hash}'")
}

/// A page that runs script (only the SDK's pages do): [`document`] with `style` as a second
/// stylesheet and a policy that allows `script_src` (CSP sources: hashes, `'self'`) and both
/// stylesheets by their hashes, and nothing else.
pub fn scripted_document(
    status: StatusCode,
    title: &str,
    style: &str,
    body: &str,
    script_src: &str,
) -> Response {
    let mut res = document(status, title, &format!("<style>{style}</style>"), body);
    let csp = format!(
        "default-src 'none'; script-src {script_src}; style-src {} {}; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        csp_hash(STYLE),
        csp_hash(style)
    );
    match HeaderValue::from_str(&csp) {
        Ok(v) => {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
            res
        }
        // A policy that is no header value would leave the page's strict one in place.
        Err(_) => res,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn pages_carry_strict_headers() {
        let res = page(StatusCode::NOT_FOUND, "Not found", "<script>");
        let h = res.headers();
        assert!(h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    }
}
