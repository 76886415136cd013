//! `/metrics` after real journeys: the counters an operator graphs move as sessions pass each
//! stage, and no label value carries a session id, a link id, a key secret or a person's data.

use crate::common::{spawn, Backend, TestApp};
use digigate_server::testing::on_both_backends;
use digigate_simulator::Persona;
use serde_json::json;
use std::collections::BTreeMap;

/// Serves the gateway's metrics router on its own port, as `--metrics-listen` does, and scrapes it.
async fn scrape(app: &TestApp) -> String {
    let gateway = app.gateway.as_ref().expect("the gateway runs");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = gateway.metrics_router();
    tokio::spawn(digigate_server::serve(
        listener,
        router,
        std::future::pending(),
    ));
    let res = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert!(res.status().is_success());
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    res.text().await.unwrap()
}

/// Every sample line as `name{labels}` → value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("a sample has a value");
            (series.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

fn value(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("{series} is scraped"))
}

/// Every label value of every sample.
fn label_values(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some(labels) = line
            .split_once('{')
            .and_then(|(_, rest)| rest.split_once('}'))
        else {
            continue;
        };
        for pair in labels.0.split("\",") {
            let (_, v) = pair.split_once("=\"").expect("a label is name=\"value\"");
            values.push(v.trim_end_matches('"').to_owned());
        }
    }
    values
}

async fn a_journey_moves_the_funnel_and_no_label_names_a_session_or_a_person(backend: Backend) {
    let app = spawn(backend).await;
    let (succeeded, _) = app.consented_journey(&["aadhaar", "pan"]).await;
    let (denied, _) = app.signin_denying("9000000002", &["aadhaar"]).await;
    assert_eq!(app.status(&denied).await["status"], "failed");
    let (unopened, link) = app.init("signin", &["pan"], json!({})).await;
    let res = app
        .delete(&format!("/kyc/digilocker/sessions/{succeeded}"))
        .await;
    assert!(res.status().is_success());
    let _ = app
        .get("/kyc/digilocker/sessions/not-a-session/status")
        .await;

    let text = scrape(&app).await;
    let s = samples(&text);
    let funnel = |stage: &str| value(&s, &format!("digigate_funnel_total{{stage=\"{stage}\"}}"));
    assert_eq!(funnel("created"), 3.0);
    assert_eq!(funnel("link_opened"), 2.0);
    assert_eq!(funnel("sent_to_digilocker"), 2.0);
    assert_eq!(funnel("returned"), 2.0);
    assert_eq!(funnel("documents_fetched"), 1.0);
    assert_eq!(funnel("succeeded"), 1.0);
    let transitions = |to: &str, reason: &str| {
        value(
            &s,
            &format!("digigate_session_transitions_total{{to=\"{to}\",reason=\"{reason}\"}}"),
        )
    };
    assert_eq!(transitions("created", "none"), 3.0);
    assert_eq!(transitions("initialized", "none"), 2.0);
    // A denied consent fails the session in the callback's own transaction, never authorized.
    assert_eq!(transitions("authorized", "none"), 1.0);
    assert_eq!(transitions("succeeded", "none"), 1.0);
    assert_eq!(transitions("failed", "consent_denied"), 1.0);
    assert_eq!(
        value(&s, "digigate_session_erasures_total{cause=\"request\"}"),
        1.0
    );
    for endpoint in ["token", "user", "eaadhaar", "file"] {
        let series =
            format!("digigate_upstream_requests_total{{endpoint=\"{endpoint}\",outcome=\"ok\"}}");
        assert!(value(&s, &series) >= 1.0, "{series}");
    }
    for doc_type in ["aadhaar", "pan"] {
        let series = format!(
            "digigate_document_signatures_total{{doc_type=\"{doc_type}\",status=\"verified\",reason=\"none\"}}"
        );
        assert_eq!(value(&s, &series), 1.0, "{series}");
    }
    let status_route = "/kyc/digilocker/sessions/{session_id}/status";
    assert!(
        value(
            &s,
            &format!(
                "digigate_http_request_duration_seconds_count{{route=\"{status_route}\",method=\"GET\",status=\"200\"}}"
            )
        ) >= 1.0
    );
    assert_eq!(
        value(
            &s,
            &format!(
                "digigate_http_request_duration_seconds_count{{route=\"{status_route}\",method=\"GET\",status=\"404\"}}"
            )
        ),
        1.0
    );
    assert!(
        value(
            &s,
            "digigate_http_request_duration_seconds_count{route=\"/connect/{link_id}\",method=\"GET\",status=\"303\"}"
        ) >= 2.0
    );

    let link_id = link.rsplit('/').next().unwrap().to_owned();
    let mut forbidden = vec![
        succeeded,
        denied,
        unopened,
        link_id,
        "not-a-session".to_owned(),
        app.secret.clone(),
        app.token.clone(),
    ];
    for p in Persona::built_in() {
        forbidden.push(p.name.clone());
        forbidden.push(p.mobile.clone());
        forbidden.extend(p.aadhaar.iter().map(|a| a.number.clone()));
        forbidden.extend(p.pan.iter().map(|r| r.number.clone()));
    }
    let values = label_values(&text);
    assert!(
        values.contains(&"consent_denied".to_owned()),
        "labels were read"
    );
    for value in &values {
        for f in forbidden.iter().filter(|f| f.len() >= 6) {
            assert!(!value.contains(f.as_str()), "a label value holds {value}");
        }
        // A route label is a template: its segments are short words or `{placeholders}`,
        // never an id (a UUID is 36 characters, a link id 43).
        if value.starts_with('/') {
            assert!(
                value.split('/').all(|seg| seg.len() <= 20),
                "a raw path in a label: {value}"
            );
        }
    }
}

on_both_backends!(a_journey_moves_the_funnel_and_no_label_names_a_session_or_a_person);
