//! The operator pages as HTML: the sign-in form and the report. Server-rendered, no script;
//! the stylesheet is inline and allowed by its hash alone, like the consent pages' (`html.rs`),
//! whose security headers these pages share. The chart is inline SVG drawn by attributes, and
//! every bar stands in a table row that says its number, so nothing is told by the chart alone.

use super::report::{Report, Window};
use super::upstream::EndpointHealth;
use crate::breaker::Circuit;
use crate::html::{escape, secure};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use digigate_store::{Ending, KeyFunnel};
use sha2::{Digest, Sha256};
use std::fmt::Write;
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

static CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
});

/// An operator page: `main_class` sizes the card, `body` follows the brand line.
fn document(status: StatusCode, title: &str, main_class: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{t} · digigate operator</title><style>{STYLE}</style></head><body>\
         <main class=\"{main_class}\"><div class=\"brand\">DIGIGATE · OPERATOR</div>{body}\
         </main></body></html>",
        t = escape(title),
    );
    let mut res = secure((status, html).into_response());
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&CSP).expect("ascii"),
    );
    res
}

/// The sign-in form, with `problem` above it when the last attempt went wrong.
pub(crate) fn sign_in(status: StatusCode, base: &str, problem: Option<&str>) -> Response {
    let problem = problem.map_or(String::new(), |p| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(p))
    });
    let body = format!(
        "<h1>Operator sign-in</h1>{problem}\
         <p>Enter the operator token: the contents of the file the gateway was started with \
         (<code class=\"flag\">--operator-token-file</code>).</p>\
         <form method=\"post\" action=\"{base}/sign-in\">\
         <label for=\"token\">Operator token</label>\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" \
         spellcheck=\"false\" autocapitalize=\"off\" required autofocus>\
         <button type=\"submit\">Sign in</button></form>",
        base = escape(base),
    );
    document(status, "Operator sign-in", "narrow", &body)
}

/// A page that says what went wrong, with a way back to the report.
pub(crate) fn problem(status: StatusCode, base: &str, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p><nav aria-label=\"Back\"><ul><li><a href=\"{}\">Back to the report</a></li></ul></nav>",
        escape(title),
        escape(message),
        escape(base),
    );
    document(status, title, "narrow", &body)
}

/// The report for one window.
pub(crate) fn report(base: &str, r: &Report) -> Response {
    let mut body = String::new();
    let base = escape(base);
    let _ = write!(
        body,
        "<div class=\"top\"><h1>Consent funnel</h1>\
         <form class=\"out\" method=\"post\" action=\"{base}/sign-out\">\
         <button class=\"quiet\" type=\"submit\">Sign out</button></form></div>\
         <nav aria-label=\"Window\"><ul>"
    );
    for w in Window::ALL {
        let current = if w == r.window {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(
            body,
            "<li><a href=\"{base}?window={}\"{current}>{}</a></li>",
            w.name(),
            w.label()
        );
    }
    let _ = write!(
        body,
        "</ul></nav><p class=\"muted\">Sessions created since {} (UTC), as of {}. Each stage \
         counts the sessions of the stage above that got that far.</p>",
        time(r.since_ms),
        time(r.now_ms),
    );
    if r.funnels.is_empty() {
        let _ = write!(body, "<p>No sessions were created in this window.</p>");
    }
    for (f, name) in &r.funnels {
        funnel_table(&mut body, f, name.as_deref());
    }
    failures(&mut body, r);
    upstream(&mut body, &r.upstream);
    document(StatusCode::OK, "Consent funnel", "", &body)
}

/// An epoch-milliseconds time as `2026-12-07 20:01:02`, in UTC.
fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || "?".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

/// How a session ended without documents, as the page says it.
fn ending(e: &Ending) -> String {
    code_word(e.map_or("expired", |r| r.as_str()))
}

/// A snake_case code that a narrow column may break after its underscores, and nowhere else.
fn code_word(code: &str) -> String {
    escape(code).replace('_', "_<wbr>")
}

/// One row of a funnel: a stage, its count, its share of the created sessions and its bar.
fn stage_row(out: &mut String, class: &str, row_class: &str, label: &str, n: i64, created: i64) {
    let share = if created > 0 { n * 100 / created } else { 0 };
    // The bar's length is the share of created sessions; a non-zero count is always visible.
    let width = if n > 0 { share.max(1) } else { 0 };
    let _ = write!(
        out,
        "<tr class=\"{row_class}\"><th scope=\"row\">{label}</th><td class=\"n\">{n}</td>\
         <td class=\"n\">{share}%</td><td class=\"bar\"><svg class=\"bar\" viewBox=\"0 0 100 10\" \
         preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">\
         <rect class=\"track\" width=\"100\" height=\"10\"/>\
         <rect class=\"{class}\" width=\"{width}\" height=\"10\"/></svg></td></tr>"
    );
}

fn funnel_table(out: &mut String, f: &KeyFunnel, name: Option<&str>) {
    let name = name.map_or(String::new(), |n| format!(" · {}", escape(n)));
    let _ = write!(
        out,
        "<h2>API key <code>{}</code>{name}</h2><table><caption class=\"muted\">{} sessions \
         created, {} succeeded</caption><thead><tr><th scope=\"col\">Stage</th>\
         <th scope=\"col\" class=\"n\">Sessions</th><th scope=\"col\" class=\"n\">Share</th>\
         <th scope=\"col\">Chart</th></tr></thead><tbody>",
        escape(&f.api_key_id),
        f.created,
        f.succeeded,
    );
    let c = f.created;
    stage_row(out, "s-created", "", "Created", f.created, c);
    stage_row(out, "s-flow", "", "Link opened", f.link_opened, c);
    stage_row(
        out,
        "s-flow",
        "",
        "Came back from DigiLocker",
        f.returned,
        c,
    );
    stage_row(out, "s-ok", "", "Succeeded", f.succeeded, c);
    stage_row(out, "s-bad", "", "Failed", f.failed_total(), c);
    for (reason, n) in &f.failed {
        stage_row(out, "s-bad", "reason", &code_word(reason.as_str()), *n, c);
    }
    stage_row(out, "s-lapsed", "", "Expired", f.expired, c);
    stage_row(out, "s-open", "", "Still in progress", f.in_progress, c);
    out.push_str("</tbody></table>");
}

fn failures(out: &mut String, r: &Report) {
    out.push_str("<h2>Failures</h2>");
    if r.failures.by_reason.is_empty() {
        out.push_str("<p>No session failed or expired in this window.</p>");
        return;
    }
    out.push_str(
        "<table><caption>By reason</caption><thead><tr><th scope=\"col\">Reason</th>\
         <th scope=\"col\" class=\"n\">Sessions</th><th scope=\"col\">Latest (UTC)</th></tr>\
         </thead><tbody>",
    );
    for c in &r.failures.by_reason {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td>{}</td></tr>",
            ending(&c.ending),
            c.count,
            time(c.last_at_ms),
        );
    }
    out.push_str(
        "</tbody></table><table><caption>Latest</caption><thead><tr>\
         <th scope=\"col\">When (UTC)</th><th scope=\"col\">Reason</th>\
         <th scope=\"col\">Session</th><th scope=\"col\">API key</th></tr></thead><tbody>",
    );
    for f in &r.failures.recent {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            time(f.at_ms),
            ending(&f.ending),
            escape(&f.session_id),
            escape(&f.api_key_id),
        );
    }
    out.push_str("</tbody></table>");
}

fn upstream(out: &mut String, health: &[EndpointHealth]) {
    out.push_str("<h2>DigiLocker</h2>");
    // An open circuit is the one thing here that fails journeys by itself: say so first.
    let mut seen = Vec::new();
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
        let _ = write!(
            out,
            "<p class=\"error\" role=\"status\">The {} circuit {what}.</p>",
            class.as_str()
        );
    }
    out.push_str(
        "<p class=\"muted\">Calls this gateway process made since it started, by endpoint (each \
         retry counts): OK is answered as expected. Circuit is the breaker the calls go \
         through and its state now.</p><table><thead><tr>\
         <th scope=\"col\">Endpoint</th><th scope=\"col\" class=\"n\">Calls</th>\
         <th scope=\"col\" class=\"n\">OK</th><th scope=\"col\">Failed</th>\
         <th scope=\"col\">Circuit</th></tr></thead><tbody>",
    );
    for e in health {
        let failed = if e.failed.is_empty() {
            "none".to_owned()
        } else {
            e.failed
                .iter()
                .map(|(outcome, n)| format!("{} {n}", code_word(outcome)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let circuit = e.circuit.map_or("none".to_owned(), |(class, state)| {
            format!("{} {}", class.as_str(), code_word(state.as_str()))
        });
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{failed}</td><td>{circuit}</td></tr>",
            code_word(e.endpoint),
            e.calls(),
            e.ok,
        );
    }
    out.push_str("</tbody></table>");
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
        assert!(!csp.contains("unsafe"));
        assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn a_bar_is_as_long_as_its_share_and_a_few_sessions_still_show() {
        let mut row = String::new();
        stage_row(&mut row, "s-ok", "", "Succeeded", 1, 200);
        assert!(row.contains("<td class=\"n\">0%</td>"), "{row}");
        assert!(row.contains("class=\"s-ok\" width=\"1\""), "{row}");
        row.clear();
        stage_row(&mut row, "s-ok", "", "Succeeded", 3, 4);
        assert!(row.contains("75%") && row.contains("width=\"75\""), "{row}");
        row.clear();
        stage_row(&mut row, "s-bad", "", "Failed", 0, 0);
        assert!(row.contains("0%") && row.contains("width=\"0\""), "{row}");
    }
}
