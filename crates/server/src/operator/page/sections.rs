//! The sections of the operator's report: the funnel of each key, the failures and
//! DigiLocker's health, each a table whose numbers say what the bars show.

use crate::breaker::Circuit;
use crate::operator::report::Report;
use crate::operator::upstream::EndpointHealth;
use digigate_store::{Ending, KeyFunnel};
use maud::{html, Markup};

/// An epoch-milliseconds time as `2026-12-07 20:01:02`, in UTC.
pub(super) fn time(ms: i64) -> String {
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

/// A table's head: one column per name; a name marked `#` heads a column of numbers, set right.
fn column_heads(names: &[&str]) -> Markup {
    html! {
        thead {
            tr {
                @for name in names {
                    @match name.strip_prefix('#') {
                        Some(name) => th scope="col" class="n" { (name) },
                        None => th scope="col" { (name) },
                    }
                }
            }
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

pub(super) fn funnel_table(f: &KeyFunnel, name: Option<&str>) -> Markup {
    let c = f.created;
    let text = |s: &str| html! { (s) };
    html! {
        h2 {
            "API key " code { (f.api_key_id) }
            @if let Some(name) = name { " · " (name) }
        }
        table {
            caption.muted { (f.created) " sessions created, " (f.succeeded) " succeeded" }
            (column_heads(&["Stage", "#Sessions", "#Share", "Chart"]))
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

pub(super) fn failures(r: &Report) -> Markup {
    html! {
        h2 { "Failures" }
        @if r.failures.by_reason.is_empty() {
            p { "No session failed or expired in this window." }
        } @else {
            table {
                caption { "By reason" }
                (column_heads(&["Reason", "#Sessions", "Latest (UTC)"]))
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
                (column_heads(&["When (UTC)", "Reason", "Session", "API key"]))
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

pub(super) fn upstream(health: &[EndpointHealth]) -> Markup {
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
            (column_heads(&["Endpoint", "#Calls", "#OK", "Failed", "Circuit"]))
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

    #[test]
    fn codes_break_only_after_their_underscores() {
        assert_eq!(
            code_word("consent_denied").into_string(),
            "consent_<wbr>denied"
        );
        assert_eq!(code_word("<b>_x").into_string(), "&lt;b&gt;_<wbr>x");
    }
}
