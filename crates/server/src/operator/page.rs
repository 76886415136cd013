//! The operator pages as HTML: the sign-in form and the report. Server-rendered maud templates,
//! no script; the stylesheet is inline and allowed by its hash alone, like the consent pages'
//! (`html.rs`), whose security headers these pages share. The chart is inline SVG drawn by
//! attributes, and every bar stands in a table row that says its number, so nothing is told by
//! the chart alone.

use super::report::{Report, Window};
use crate::html::{csp_hash, respond, style_only_policy};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sections::{failures, funnel_table, time, upstream};
use std::sync::LazyLock;

mod sections;

const STYLE: &str = "*{box-sizing:border-box}\
body{font-family:system-ui,sans-serif;background:#f4f6fa;color:#1d2433;margin:0;padding:0 .75rem}\
main{max-width:60rem;margin:1.5rem auto;background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 2px 12px #0001}\
main.narrow{max-width:28rem;margin-top:3rem}\
h1{font-size:1.3rem;margin:0 0 .75rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}\
p{line-height:1.5;overflow-wrap:anywhere}\
.brand{color:#5b6b8c;font-size:.85rem;letter-spacing:.05em;margin-bottom:.75rem}\
.top{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;justify-content:space-between}\
nav ul{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;margin:0;padding:0}\
nav a{display:inline-block;padding:.5rem .8rem;border-radius:8px;border:1px solid #c9d1e3;color:#2d4fd6;text-decoration:none}\
nav a[aria-current=page]{background:#2d4fd6;color:#fff;border-color:#2d4fd6}\
form.out{margin:0}\
button{font:inherit;padding:.6rem 1rem;border-radius:8px;border:1px solid #2d4fd6;background:#2d4fd6;color:#fff;font-weight:600;cursor:pointer}\
button.quiet{background:#fff;color:#2d4fd6;border-color:#c9d1e3}\
a:focus,button:focus,input:focus{outline:3px solid #1d2433;outline-offset:2px}\
label{display:block;font-weight:600;margin-bottom:.35rem}\
input{font:inherit;width:100%;padding:.6rem;border:1px solid #8792a8;border-radius:8px;margin-bottom:1rem}\
.error{color:#b3261e;font-weight:600}.muted{color:#5b6b8c;font-size:.9rem}\
table{width:100%;border-collapse:collapse;font-size:.95rem;margin-bottom:1.25rem}\
caption{text-align:left;font-weight:600;padding:.25rem 0 .4rem;overflow-wrap:anywhere}\
th,td{text-align:left;padding:.35rem .4rem;border-bottom:1px solid #e3e7f0;vertical-align:middle;overflow-wrap:break-word}\
thead th{font-size:.85rem;color:#5b6b8c;font-weight:600}\
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
td.bar{width:38%;min-width:3.5rem}\
svg.bar{display:block;width:100%;height:.9rem}\
.track{fill:#eef1f7}.s-created{fill:#5b6b8c}.s-flow{fill:#2d4fd6}.s-ok{fill:#1f7a4d}.s-bad{fill:#b3261e}.s-lapsed{fill:#a07800}.s-open{fill:#8792a8}\
tr.reason th{font-weight:400;padding-left:1.4rem}\
code{font-size:.85rem;overflow-wrap:anywhere}code.flag{white-space:nowrap}\
@media (max-width:30rem){body{padding:0 .5rem}main{padding:1rem .75rem;margin:.75rem auto}th,td{padding:.3rem .25rem}table{font-size:.9rem}}";

static CSP: LazyLock<String> = LazyLock::new(|| style_only_policy(&csp_hash(STYLE)));

/// An operator page: `main_class` sizes the card, `body` follows the brand line.
fn document(status: StatusCode, title: &str, main_class: &str, body: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · digigate operator" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main class=(main_class) {
                    div.brand { "DIGIGATE · OPERATOR" }
                    (body)
                }
            }
        }
    };
    let mut res = respond(status, page);
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&CSP).expect("ascii"),
    );
    res
}

/// The sign-in form, with `problem` above it when the last attempt went wrong.
pub(crate) fn sign_in(status: StatusCode, base: &str, problem: Option<&str>) -> Response {
    let body = html! {
        h1 { "Operator sign-in" }
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        p {
            "Enter the operator token: the contents of the file the gateway was started with ("
            code.flag { "--operator-token-file" }
            ")."
        }
        form method="post" action={ (base) "/sign-in" } {
            label for="token" { "Operator token" }
            input id="token" name="token" type="password" autocomplete="off" spellcheck="false"
                autocapitalize="off" required autofocus;
            button type="submit" { "Sign in" }
        }
    };
    document(status, "Operator sign-in", "narrow", body)
}

/// A page that says what went wrong, with a way back to the report.
pub(crate) fn problem(status: StatusCode, base: &str, title: &str, message: &str) -> Response {
    let body = html! {
        h1 { (title) }
        p { (message) }
        nav aria-label="Back" { ul { li { a href=(base) { "Back to the report" } } } }
    };
    document(status, title, "narrow", body)
}

/// The report for one window.
pub(crate) fn report(base: &str, r: &Report) -> Response {
    let body = html! {
        div.top {
            h1 { "Consent funnel" }
            form.out method="post" action={ (base) "/sign-out" } {
                button.quiet type="submit" { "Sign out" }
            }
        }
        nav aria-label="Window" {
            ul {
                @for w in Window::ALL {
                    li {
                        a href={ (base) "?window=" (w.name()) }
                            aria-current=[(w == r.window).then_some("page")] { (w.label()) }
                    }
                }
            }
        }
        p.muted {
            "Sessions created since " (time(r.since_ms)) " (UTC), as of " (time(r.now_ms))
            ". Each stage counts the sessions of the stage above that got that far."
        }
        @if r.funnels.is_empty() {
            p { "No sessions were created in this window." }
        }
        @for (f, name) in &r.funnels {
            (funnel_table(f, name.as_deref()))
        }
        (failures(r))
        (upstream(&r.upstream))
    };
    document(StatusCode::OK, "Consent funnel", "", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_is_allowed_by_its_hash_and_nothing_else() {
        let res = sign_in(StatusCode::UNAUTHORIZED, "/operator", Some("<b>"));
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(csp.contains(&csp_hash(STYLE)));
        assert!(!csp.contains("unsafe"));
        assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    }

    /// Key names are chosen by whoever creates the key, and ids reach the page from the
    /// database: none of them may become markup in the operator's browser.
    #[tokio::test]
    async fn hostile_key_names_and_ids_are_text_on_the_report() {
        use digigate_store::{EndingCount, FailureSummary, KeyFunnel, RecentFailure};
        let hostile = "<script>alert(1)</script>\"'&";
        let funnel = KeyFunnel {
            api_key_id: format!("key_{hostile}"),
            created: 1,
            link_opened: 0,
            returned: 0,
            succeeded: 0,
            failed: Vec::new(),
            expired: 1,
            in_progress: 0,
        };
        let report_of = Report {
            window: Window::Day,
            since_ms: 0,
            now_ms: 1,
            funnels: vec![(funnel, Some(hostile.to_owned()))],
            failures: FailureSummary {
                by_reason: vec![EndingCount {
                    ending: None,
                    count: 1,
                    last_at_ms: 1,
                }],
                recent: vec![RecentFailure {
                    at_ms: 1,
                    session_id: format!("ses_{hostile}"),
                    api_key_id: format!("key_{hostile}"),
                    ending: None,
                }],
            },
            upstream: Vec::new(),
        };
        let res = report("/operator\"><b>", &report_of);
        let page = crate::html::tests::body_text(res).await;
        assert!(
            !page.contains("<script>alert") && !page.contains("<b>"),
            "{page}"
        );
        let text = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;'&amp;";
        assert!(page.contains(&format!("API key <code>key_{text}</code> · {text}</h2>")));
        assert!(page.contains(&format!("<td><code>ses_{text}</code></td>")));
        assert!(page.contains("action=\"/operator&quot;&gt;&lt;b&gt;/sign-out\""));
    }
}
