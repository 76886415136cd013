//! How pages shown to the person in the browser are rendered: maud templates (`html!`, checked
//! when the crate compiles; every value spliced into text or an attribute is escaped, only
//! `PreEscaped` constants are not) in one document shell, with strict security headers. The
//! stylesheet is inline and allowed by its hash. What the pages say is in `page_error`
//! (failures) and `navigation` (where the browser goes next).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const STYLE: &str = "*{box-sizing:border-box}\
body{font-family:system-ui,sans-serif;background:#f4f6fa;color:#1d2433;margin:0;padding:0 1rem}\
main{max-width:32rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem 1.5rem;box-shadow:0 2px 12px #0001}\
h1{font-size:1.3rem;margin-top:0}p{line-height:1.5;overflow-wrap:anywhere}.brand{color:#5b6b8c;font-size:.85rem;letter-spacing:.05em;margin-bottom:.75rem}\
a.continue{display:inline-block;margin-top:.5rem;padding:.7rem 1.2rem;border-radius:8px;background:#2d4fd6;color:#fff;font-weight:600;text-decoration:none}\
a.continue:focus{outline:3px solid #1d2433;outline-offset:2px}";

/// The policy of a page whose only inline content is stylesheets with these hashes: nothing
/// runs, nothing loads but its own images, forms post only to the gateway.
pub fn style_only_policy(style_hashes: &str) -> String {
    format!(
        "default-src 'none'; style-src {style_hashes}; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

static CSP: LazyLock<String> = LazyLock::new(|| style_only_policy(&csp_hash(STYLE)));

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

/// `markup` answered as an HTML page (`text/html; charset=utf-8`) with `status` and the
/// headers of [`secure`].
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    secure((status, markup).into_response())
}

/// The HTML document every page shares: `head` goes into `<head>` before the title, `body`
/// after the heading, which repeats the title.
pub fn shell(title: &str, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                (head)
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    div.brand { "DIGIGATE · IDENTITY VERIFICATION" }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The document of a page that says one thing: a title and a message.
pub fn message(title: &str, message: &str) -> Markup {
    shell(title, html! {}, html! { p { (message) } })
}

/// A page with a title and a message.
pub fn page(status: StatusCode, title: &str, text: &str) -> Response {
    respond(status, message(title, text))
}

/// A page of the shared [`shell`].
pub fn document(status: StatusCode, title: &str, head: Markup, body: Markup) -> Response {
    respond(status, shell(title, head, body))
}

/// `'sha256-…'`: the CSP source that allows exactly this inline script or stylesheet.
pub fn csp_hash(source: &str) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(source.as_bytes()));
    format!("'sha256-{hash}'")
}

/// An inline `<script>` of one of the gateway's own constant scripts (allowed by its
/// [`csp_hash`]); never anything built from a request.
pub fn inline_script(source: &'static str) -> Markup {
    html! { script { (PreEscaped(source)) } }
}

/// A page that runs script (only the SDK's pages do): [`document`] with `style` as a second
/// stylesheet and a policy that allows `script_src` (CSP sources: hashes, `'self'`) and both
/// stylesheets by their hashes, and nothing else.
pub fn scripted_document(
    status: StatusCode,
    title: &str,
    style: &'static str,
    body: Markup,
    script_src: &str,
) -> Response {
    let head = html! { style { (PreEscaped(style)) } };
    let mut res = document(status, title, head, body);
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
pub(crate) mod tests {
    use super::*;

    /// The body of a page, as the browser receives it.
    pub(crate) async fn body_text(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("an in-memory body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[test]
    fn text_reaches_the_page_as_text_never_as_markup() {
        let page = message(
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)> & co",
        )
        .into_string();
        assert!(
            !page.contains("<script>alert") && !page.contains("<img"),
            "{page}"
        );
        assert!(page.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
        assert!(page.contains("<p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; co</p>"));
    }

    #[test]
    fn the_stylesheet_in_the_page_is_the_one_the_policy_allows() {
        let page = message("Title", "Message").into_string();
        assert!(page.contains(&format!("<style>{STYLE}</style>")));
        assert!(CSP.contains(&csp_hash(STYLE)));
    }

    #[test]
    fn pages_carry_strict_headers() {
        let res = page(StatusCode::NOT_FOUND, "Not found", "<script>");
        let h = res.headers();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert!(h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    }
}
