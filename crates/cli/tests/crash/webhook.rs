//! A crash during a webhook delivery: the gateway is killed after the event was sent to the
//! receiver and before the attempt was recorded. After the restart (once the delivery's lease
//! has lapsed) the event is sent again with the same `webhook-id`: at least once, never lost.
//! The delivery is not duplicated (one delivery per event, each with one recorded attempt),
//! and each transition of the journey, which goes on across the restart, has exactly one event
//! id, delivered in order.

use super::{Rig, PERSONA};
use digigate_client::simulator::{Browser, Person};
use digigate_core::{SessionEventType, SessionStatus};
use digigate_store::testing::TestDatabase;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

const POINT: &str = "during-webhook-delivery";

/// One request the receiver got: its `webhook-id` and the event's `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Received {
    webhook_id: String,
    event_type: String,
}

/// The shared receiver (`support/receiver.rs`), each request read as its `webhook-id` and
/// event `type`.
async fn receiver() -> (u16, UnboundedReceiver<Received>) {
    let (port, mut raw) = super::receiver::receiver().await;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some((head, body)) = raw.recv().await {
            let body: Value = serde_json::from_str(&body).unwrap();
            let webhook_id = head
                .lines()
                .find_map(|l| l.strip_prefix("webhook-id:"))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default();
            let _ = tx.send(Received {
                webhook_id,
                event_type: body["type"].as_str().unwrap_or_default().to_owned(),
            });
        }
    });
    (port, rx)
}

/// Takes what the receiver got until `done` holds of all of it; panics after a minute.
async fn receive_until(
    rx: &mut UnboundedReceiver<Received>,
    all: &mut Vec<Received>,
    what: &str,
    done: impl Fn(&[Received]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(all) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(received)) => all.push(received),
            _ => panic!("{what}: received only {all:?}"),
        }
    }
}

pub async fn crash_during_webhook_delivery(db: TestDatabase) {
    let rig = Rig::new(db).await;
    let (hook_port, mut rx) = receiver().await;
    let hook = format!("http://127.0.0.1:{hook_port}/hook");
    let added: Value = serde_json::from_str(&rig.run(&[
        "webhooks",
        "add",
        "--api-key",
        &rig.api_key,
        "--url",
        &hook,
        "--development",
        "--json",
    ]))
    .unwrap();
    let endpoint_id = added["endpoint_id"].as_str().unwrap().to_owned();

    let mut gateway = rig.serve(Some(POINT));
    let token = rig.token().await;
    // The first event, `session.initialized` (the person opened the link), is what the
    // crash interrupts; the person is on DigiLocker's pages meanwhile.
    let (id, link) = rig.init(&token).await.expect("init answers");
    let browser = Browser::new();
    let page = browser.open_link(&link).await.unwrap();
    let ended = gateway.wait_for_exit(Duration::from_secs(60));
    assert_eq!(ended.signal(), Some(9), "killed by SIGKILL ({ended})");
    assert!(
        gateway
            .log()
            .contains(&format!("crash point reached: {POINT}")),
        "{}",
        gateway.log()
    );
    drop(gateway);
    let mut received = Vec::new();
    receive_until(&mut rx, &mut received, "before the crash", |r| {
        !r.is_empty()
    })
    .await;
    let first = received[0].clone();
    assert_eq!(first.event_type, "session.initialized");

    let _restarted = rig.serve(None);
    receive_until(
        &mut rx,
        &mut received,
        "the repeat after the restart",
        |r| r.iter().filter(|got| **got == first).count() >= 2,
    )
    .await;
    // The person consents and comes back to the restarted gateway; the journey's later
    // events are delivered after the repeated one.
    let callback = browser
        .consent(page, &Person::allowing(PERSONA))
        .await
        .unwrap();
    assert!(browser.get(callback).await.unwrap().status().is_success());
    receive_until(&mut rx, &mut received, "the journey's events", |r| {
        r.iter().any(|got| got.event_type == "session.succeeded")
    })
    .await;
    // A moment for a stray third copy of anything to show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(more) = rx.try_recv() {
        received.push(more);
    }

    // One event id per transition, and those are exactly the ids delivered, in order.
    let events = rig.store.session_events(&id).await.unwrap();
    let kinds: Vec<SessionEventType> = events.iter().map(|e| e.event_type).collect();
    assert_eq!(
        kinds,
        [
            SessionEventType::Initialized,
            SessionEventType::Authorized,
            SessionEventType::Succeeded
        ]
    );
    assert_eq!(
        rig.store.session(&id).await.unwrap().unwrap().status,
        SessionStatus::Succeeded
    );
    let event_ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        event_ids.iter().collect::<BTreeSet<_>>().len(),
        3,
        "{event_ids:?}"
    );
    assert_eq!(first.webhook_id, event_ids[0], "the interrupted one");
    let mut in_order: Vec<&str> = Vec::new();
    for got in &received {
        if in_order.last() != Some(&got.webhook_id.as_str()) {
            in_order.push(&got.webhook_id);
        }
    }
    assert_eq!(in_order, event_ids, "delivered in order: {received:?}");
    let copies = |event_id: &str| received.iter().filter(|r| r.webhook_id == event_id).count();
    assert_eq!(copies(event_ids[0]), 2, "sent before the crash and after");
    assert_eq!(copies(event_ids[1]), 1);
    assert_eq!(copies(event_ids[2]), 1);

    // The delivery log: one delivery per event, one recorded attempt each (the killed
    // attempt was never recorded), each answered 200.
    let attempts = rig.store.webhook_attempts(&endpoint_id, 100).await.unwrap();
    let mut deliveries: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for attempt in &attempts {
        deliveries
            .entry(attempt.event_id.as_str())
            .or_default()
            .insert(attempt.delivery_id.as_str());
        assert_eq!(attempt.http_status, Some(200), "{attempt:?}");
    }
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert_eq!(
        deliveries.keys().copied().collect::<BTreeSet<_>>(),
        event_ids.iter().copied().collect::<BTreeSet<_>>()
    );
    assert!(
        deliveries.values().all(|ids| ids.len() == 1),
        "{deliveries:?}"
    );
}
