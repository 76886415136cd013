//! The operator page's numbers: the funnel of the sessions created in a window, per key, and
//! the sessions that ended without documents, by reason.

use crate::fixtures::{authorization, completion, session, MINUTE, NOW};
use digigate_core::{FailureReason, SessionStatus};
use digigate_store::{EndingCount, FunnelQuery, KeyFunnel, RecentFailure, SessionRecord, Store};
use std::sync::Arc;

const A: &str = "key_test_tenantone";
const B: &str = "key_test_tenanttwo";
const HOUR: i64 = 60 * MINUTE;

/// The funnel of the last hour as seen ten minutes after `NOW`, with a 30-minute
/// authorization lifetime (the server's default).
fn last_hour() -> FunnelQuery {
    FunnelQuery {
        since_ms: NOW + 10 * MINUTE - HOUR,
        now_ms: NOW + 10 * MINUTE,
        authorization_ttl_ms: 30 * MINUTE,
    }
}

async fn insert(store: &dyn Store, s: SessionRecord) {
    store.insert_session(&s).await.unwrap();
}

/// Opens the link of session `id` (→ initialized) a minute after it was created.
async fn open(store: &dyn Store, id: &str) {
    assert!(store
        .start_authorization(&authorization(id, id), NOW + MINUTE)
        .await
        .unwrap());
}

/// DigiLocker sends the person of `id` back with a code (→ authorized).
async fn come_back(store: &dyn Store, id: &str) {
    let auth = authorization(id, id);
    assert!(store
        .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + 2 * MINUTE)
        .await
        .unwrap()
        .is_some());
}

async fn fail(store: &dyn Store, id: &str, reason: FailureReason, at_ms: i64) {
    assert!(store
        .transition(id, SessionStatus::Failed, Some(reason), at_ms)
        .await
        .unwrap());
}

/// Key A: one session of each ending, one still waiting, one from last week; key B: one
/// waiting.
async fn a_morning_of_journeys(store: &dyn Store) {
    insert(store, session("waiting", A)).await;
    insert(
        store,
        SessionRecord {
            link_expires_at_ms: NOW + MINUTE,
            ..session("unopened", A)
        },
    )
    .await;
    for id in ["done", "broken", "denied"] {
        insert(store, session(id, A)).await;
        open(store, id).await;
    }
    for id in ["done", "broken"] {
        come_back(store, id).await;
    }
    let mut done = completion("done");
    done.now_ms = NOW + 3 * MINUTE;
    assert!(store.complete_session(&done).await.unwrap());
    fail(
        store,
        "broken",
        FailureReason::RepositoryUnavailable,
        NOW + 4 * MINUTE,
    )
    .await;
    fail(
        store,
        "denied",
        FailureReason::ConsentDenied,
        NOW + 5 * MINUTE,
    )
    .await;
    insert(
        store,
        SessionRecord {
            created_at_ms: NOW - 7 * 24 * HOUR,
            ..session("last-week", A)
        },
    )
    .await;
    insert(store, session("other-tenant", B)).await;
}

pub async fn the_funnel_counts_each_stage_per_key_for_sessions_created_in_the_window(
    store: Arc<dyn Store>,
) {
    a_morning_of_journeys(&*store).await;
    let funnel = store.funnel(last_hour()).await.unwrap();
    assert_eq!(
        funnel,
        vec![
            KeyFunnel {
                api_key_id: A.to_owned(),
                created: 5,
                link_opened: 3,
                // A refusal at DigiLocker is a return too: the person came back.
                returned: 3,
                succeeded: 1,
                failed: vec![
                    (FailureReason::ConsentDenied, 1),
                    (FailureReason::RepositoryUnavailable, 1),
                ],
                // The unopened link lapsed at NOW + 1 minute: expired, though nobody has read
                // it since to mark it so.
                expired: 1,
                in_progress: 1,
            },
            KeyFunnel {
                api_key_id: B.to_owned(),
                created: 1,
                in_progress: 1,
                ..KeyFunnel::default()
            },
        ]
    );
    assert_eq!(funnel[0].failed_total(), 2);
}

pub async fn an_opened_session_counts_as_expired_once_its_authorization_lapsed(
    store: Arc<dyn Store>,
) {
    insert(&*store, session("opened", A)).await;
    open(&*store, "opened").await;
    let at = |now_ms| FunnelQuery {
        now_ms,
        ..last_hour()
    };
    // The link lapses at NOW + 15 minutes; its authorization may be used 30 minutes longer.
    let before = store.funnel(at(NOW + 44 * MINUTE)).await.unwrap();
    assert_eq!((before[0].in_progress, before[0].expired), (1, 0));
    let after = store.funnel(at(NOW + 45 * MINUTE)).await.unwrap();
    assert_eq!((after[0].in_progress, after[0].expired), (0, 1));
    assert_eq!(after[0].link_opened, 1, "it was opened all the same");
}

pub async fn an_empty_window_has_no_keys(store: Arc<dyn Store>) {
    a_morning_of_journeys(&*store).await;
    let later = FunnelQuery {
        since_ms: NOW + HOUR,
        now_ms: NOW + 2 * HOUR,
        authorization_ttl_ms: 30 * MINUTE,
    };
    assert_eq!(store.funnel(later).await.unwrap(), vec![]);
}

pub async fn failures_are_counted_by_reason_and_listed_newest_first(store: Arc<dyn Store>) {
    a_morning_of_journeys(&*store).await;
    assert!(store
        .transition(
            "other-tenant",
            SessionStatus::Expired,
            None,
            NOW + 6 * MINUTE
        )
        .await
        .unwrap());
    insert(&*store, session("again", A)).await;
    open(&*store, "again").await;
    fail(
        &*store,
        "again",
        FailureReason::ConsentDenied,
        NOW + 7 * MINUTE,
    )
    .await;

    let summary = store.failures(NOW, 3).await.unwrap();
    assert_eq!(
        summary.by_reason,
        vec![
            EndingCount {
                ending: Some(FailureReason::ConsentDenied),
                count: 2,
                last_at_ms: NOW + 7 * MINUTE,
            },
            EndingCount {
                ending: None,
                count: 1,
                last_at_ms: NOW + 6 * MINUTE,
            },
            EndingCount {
                ending: Some(FailureReason::RepositoryUnavailable),
                count: 1,
                last_at_ms: NOW + 4 * MINUTE,
            },
        ]
    );
    let recent = |id: &str, key: &str, ending, minutes| RecentFailure {
        at_ms: NOW + minutes * MINUTE,
        session_id: id.to_owned(),
        api_key_id: key.to_owned(),
        ending,
    };
    assert_eq!(
        summary.recent,
        vec![
            recent("again", A, Some(FailureReason::ConsentDenied), 7),
            recent("other-tenant", B, None, 6),
            recent("denied", A, Some(FailureReason::ConsentDenied), 5),
        ],
        "the latest three, newest first"
    );

    let since_six = store.failures(NOW + 6 * MINUTE, 10).await.unwrap();
    assert_eq!(since_six.recent.len(), 2, "older endings are left out");
    assert_eq!(since_six.by_reason.iter().map(|c| c.count).sum::<i64>(), 2);
}
