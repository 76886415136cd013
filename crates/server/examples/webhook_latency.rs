//! Measures webhook delivery latency: from an event's commit to the receiver's 2xx, for 1,000
//! events, through the real store, deliverer and HTTP. Prints the median, p99 and maximum.
//!
//! `cargo run --release -p digigate-server --example webhook_latency -- [sqlite|postgres] [poll_ms] [events_per_sec] [wake|poll]`
//!
//! Each event is a session moved `created → expired` through the store (the transaction that
//! records the event writes its delivery); its time is the event's `at_ms`, taken just before
//! the commit. The receiver notes the time it answers.

use digigate_core::SessionStatus;
use digigate_server::testing::{Backend, TestStack};
use digigate_store::testing::created_session;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EVENTS: usize = 1000;

type Arrivals = Arc<Mutex<HashMap<String, i64>>>;

async fn receive(
    axum::extract::State(arrivals): axum::extract::State<Arrivals>,
    headers: axum::http::HeaderMap,
) -> &'static str {
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let now = chrono::Utc::now().timestamp_millis();
    arrivals.lock().unwrap().entry(id).or_insert(now);
    "ok"
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = match args.get(1).map(String::as_str) {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let poll_ms: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let rate: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(200);
    // `poll` measures an event committed by another instance, which only the poll finds.
    let wake = args.get(4).map(String::as_str) != Some("poll");

    let arrivals: Arrivals = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(arrivals.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let db = backend.database().await;
    let store = digigate_store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let stack = TestStack::on_own_port(store.clone(), |c| {
        c.webhooks.poll_interval = Duration::from_millis(poll_ms)
    })
    .await;
    let created = stack.create_api_key_with_redirect_secret(Vec::new()).await;
    let key = created.id.to_string();
    let vault = digigate_server::vault::Vault::new(&secrecy::SecretBox::new(Box::new([1; 32])));
    let policy = digigate_server::webhooks::TargetPolicy {
        development: true,
        allow_private: false,
    };
    digigate_server::webhooks::endpoints::add(store.as_ref(), &vault, policy, &key, &url, 0)
        .await
        .unwrap();
    stack.gateway.spawn_webhook_deliverer();

    let mut committed: HashMap<String, i64> = HashMap::new();
    let pace = Duration::from_micros(1_000_000 / rate.max(1));
    let mut tick = tokio::time::interval(pace);
    for n in 0..EVENTS {
        tick.tick().await;
        let id = format!("latency-{n}");
        let now = chrono::Utc::now().timestamp_millis();
        store
            .insert_session(&created_session(&id, &key, now))
            .await
            .unwrap();
        let at = chrono::Utc::now().timestamp_millis();
        assert!(store
            .transition(&id, SessionStatus::Expired, None, at)
            .await
            .unwrap());
        if wake {
            // As the gateway's own transitions do (this one went through the store directly).
            stack.gateway.wake_webhook_deliverer();
        }
        let event = store.session_events(&id).await.unwrap().remove(0);
        committed.insert(event.id, event.at_ms);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while arrivals.lock().unwrap().len() < EVENTS && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrived = arrivals.lock().unwrap().clone();
    let mut latencies: Vec<i64> = committed
        .iter()
        .filter_map(|(id, at)| arrived.get(id).map(|got| got - at))
        .collect();
    latencies.sort_unstable();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{backend:?}, poll {poll_ms} ms, {}, {rate} events/s: {} of {EVENTS} delivered; \
         commit → receiver: median {} ms, p99 {} ms, max {} ms",
        if wake {
            "woken by the commit"
        } else {
            "poll only"
        },
        latencies.len(),
        pick(0.5),
        pick(0.99),
        latencies.last().copied().unwrap_or_default(),
    );
}
