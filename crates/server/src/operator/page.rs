//! The operator pages as HTML: the sign-in form and the report. Server-rendered maud templates,
//! no script; the stylesheet is inline and allowed by its hash alone, like the consent pages'
//! (`html.rs`), whose security headers these pages share. The chart is inline SVG drawn by
//! attributes, and every bar stands in a table row that says its number, so nothing is told by
//! the chart alone.

use super::report::{Report, Window};
use super::upstream::EndpointHealth;
use crate::breaker::Circuit;
use crate::html::{csp_hash, respond, style_only_policy};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use digigate_store::{Ending, KeyFunnel};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::sync::LazyLock;

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

/// An epoch-milliseconds time as `2026-12-07 20:01:02`, in UTC.
fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || "?".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

/// How a session ended without documents, as the page says it.
fn ending(e: &Ending) -> Markup {
    code_word(e.map_or("expired", |r| r.as_str()))
}

/// A snake_case code that a narrow column may break after its underscores, and nowhere else.
fn code_word(code: &str) -> Markup {
    html! {
        @for (i, part) in code.split('_').enumerate() {
            @if i > 0 { "_" wbr; }
            (part)
        }
    }
}

/// One row of a funnel: a stage, its count, its share of the created sessions and its bar.
fn stage_row(class: &str, row_class: &str, label: Markup, n: i64, created: i64) -> Markup {
    let share = if created > 0 { n * 100 / created } else { 0 };
    // The bar's length is the share of created sessions; a non-zero count is always visible.
    let width = if n > 0 { share.max(1) } else { 0 };
    // SVG is foreign content: a `<rect>` is closed by its end tag, not by being void.
    html! {
        tr class=(row_class) {
            th scope="row" { (label) }
            td.n { (n) }
            td.n { (share) "%" }
            td.bar {
                svg.bar viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"
                    focusable="false" {
                    rect.track width="100" height="10" {}
                    rect class=(class) width=(width) height="10" {}
                }
            }
        }
    }
}

fn funnel_table(f: &KeyFunnel, name: Option<&str>) -> Markup {
    let c = f.created;
    let text = |s: &str| html! { (s) };
    html! {
        h2 {
            "API key " code { (f.api_key_id) }
            @if let Some(name) = name { " · " (name) }
        }
        table {
            caption.muted { (f.created) " sessions created, " (f.succeeded) " succeeded" }
            thead {
                tr {
                    th scope="col" { "Stage" }
                    th scope="col" class="n" { "Sessions" }
                    th scope="col" class="n" { "Share" }
                    th scope="col" { "Chart" }
                }
            }
            tbody {
                (stage_row("s-created", "", text("Created"), f.created, c))
                (stage_row("s-flow", "", text("Link opened"), f.link_opened, c))
                (stage_row("s-flow", "", text("Came back from DigiLocker"), f.returned, c))
                (stage_row("s-ok", "", text("Succeeded"), f.succeeded, c))
                (stage_row("s-bad", "", text("Failed"), f.failed_total(), c))
                @for (reason, n) in &f.failed {
                    (stage_row("s-bad", "reason", code_word(reason.as_str()), *n, c))
                }
                (stage_row("s-lapsed", "", text("Expired"), f.expired, c))
                (stage_row("s-open", "", text("Still in progress"), f.in_progress, c))
            }
        }
    }
}

fn failures(r: &Report) -> Markup {
    html! {
        h2 { "Failures" }
        @if r.failures.by_reason.is_empty() {
            p { "No session failed or expired in this window." }
        } @else {
            table {
                caption { "By reason" }
                thead {
                    tr {
                        th scope="col" { "Reason" }
                        th scope="col" class="n" { "Sessions" }
                        th scope="col" { "Latest (UTC)" }
                    }
                }
                tbody {
                    @for c in &r.failures.by_reason {
                        tr {
                            th scope="row" { (ending(&c.ending)) }
                            td.n { (c.count) }
                            td { (time(c.last_at_ms)) }
                        }
                    }
                }
            }
            table {
                caption { "Latest" }
                thead {
                    tr {
                        th scope="col" { "When (UTC)" }
                        th scope="col" { "Reason" }
                        th scope="col" { "Session" }
                        th scope="col" { "API key" }
                    }
                }
                tbody {
                    @for f in &r.failures.recent {
                        tr {
                            td { (time(f.at_ms)) }
                            td { (ending(&f.ending)) }
                            td { code { (f.session_id) } }
                            td { code { (f.api_key_id) } }
                        }
                    }
                }
            }
        }
    }
}

fn upstream(health: &[EndpointHealth]) -> Markup {
    // An open circuit is the one thing here that fails journeys by itself: say so first.
    let mut seen = Vec::new();
    let mut alerts = Vec::new();
    for (class, circuit) in health.iter().filter_map(|e| e.circuit) {
        if circuit == Circuit::Closed || seen.contains(&class) {
            continue;
        }
        seen.push(class);
        let what = if circuit == Circuit::Open {
            "is open: journeys that need it fail at once with upstream_circuit_open"
        } else {
            "is half open: the next call is a probe that closes or reopens it"
        };
        alerts.push((class.as_str(), what));
    }
    html! {
        h2 { "DigiLocker" }
        @for (class, what) in alerts {
            p.error role="status" { "The " (class) " circuit " (what) "." }
        }
        p.muted {
            "Calls this gateway process made since it started, by endpoint (each retry counts): \
             OK is answered as expected. Circuit is the breaker the calls go through and its \
             state now."
        }
        table {
            thead {
                tr {
                    th scope="col" { "Endpoint" }
                    th scope="col" class="n" { "Calls" }
                    th scope="col" class="n" { "OK" }
                    th scope="col" { "Failed" }
                    th scope="col" { "Circuit" }
                }
            }
            tbody {
                @for e in health {
                    tr {
                        th scope="row" { (code_word(e.endpoint)) }
                        td.n { (e.calls()) }
                        td.n { (e.ok) }
                        td {
                            @for (i, (outcome, n)) in e.failed.iter().enumerate() {
                                @if i > 0 { ", " }
                                (code_word(outcome)) " " (n)
                            }
                            @if e.failed.is_empty() { "none" }
                        }
                        td {
                            @match e.circuit {
                                Some((class, state)) => {
                                    (class.as_str()) " " (code_word(state.as_str()))
                                }
                                None => "none",
                            }
                        }
                    }
                }
            }
        }
    }
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

    #[test]
    fn a_bar_is_as_long_as_its_share_and_a_few_sessions_still_show() {
        let label = || html! { "Succeeded" };
        let row = stage_row("s-ok", "", label(), 1, 200).into_string();
        assert!(row.contains("<td class=\"n\">0%</td>"), "{row}");
        assert!(row.contains("class=\"s-ok\" width=\"1\""), "{row}");
        let row = stage_row("s-ok", "", label(), 3, 4).into_string();
        assert!(row.contains("75%") && row.contains("width=\"75\""), "{row}");
        let row = stage_row("s-bad", "", label(), 0, 0).into_string();
        assert!(row.contains("0%") && row.contains("width=\"0\""), "{row}");
    }

    /// Key names are chosen by whoever creates the key, and ids reach the page from the
    /// database: none of them may become markup in the operator's browser.
    #[tokio::test]
    async fn hostile_key_names_and_ids_are_text_on_the_report() {
        use digigate_store::{EndingCount, FailureSummary, RecentFailure};
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

    #[test]
    fn codes_break_only_after_their_underscores() {
        assert_eq!(
            code_word("consent_denied").into_string(),
            "consent_<wbr>denied"
        );
        assert_eq!(code_word("<b>_x").into_string(), "&lt;b&gt;_<wbr>x");
    }
}
