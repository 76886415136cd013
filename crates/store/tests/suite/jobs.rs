//! Durable jobs (claim, lease, retry, finish) and the callback's changes that feed them: the
//! kept code, the fetch job enqueued with the state change, the code taken once.

use crate::fixtures::{authorization, open_link, session, MINUTE, NOW, TENANT};
use digigate_core::{DocType, FailureReason, SessionEventType, SessionStatus};
use digigate_store::{
    AfterCallback, JobOutcome, JobRecord, NewJob, SessionRecord, Store, UpstreamTokenRecord,
    FETCH_JOB,
};
use std::collections::HashSet;
use std::sync::Arc;

const LEASE: i64 = 30_000;

fn job(session_id: &str, run_at_ms: i64) -> NewJob {
    NewJob {
        kind: "test".to_owned(),
        session_id: Some(session_id.to_owned()),
        payload: r#"{"n":1}"#.to_owned(),
        run_at_ms,
    }
}

pub async fn a_claimed_job_is_claimed_again_only_once_its_lease_lapses(store: Arc<dyn Store>) {
    let id = store.enqueue_job(&job("s", NOW), NOW).await.unwrap();
    let first = store.claim_jobs(NOW, LEASE, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        (&first[0].id, first[0].attempts, first[0].locked_until_ms),
        (&id, 1, Some(NOW + LEASE))
    );
    assert_eq!(first[0].payload, r#"{"n":1}"#);
    claims_nothing(&*store, NOW + LEASE - 1).await;
    // The claimer died: once its lease lapses the job is claimed again, as attempt 2.
    let again = store.claim_jobs(NOW + LEASE, LEASE, 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 2));
    // The first claimer wakes up late: its claim no longer holds the job.
    assert!(!store
        .finish_job(&id, 1, &JobOutcome::Done, NOW + LEASE + 1)
        .await
        .unwrap());
    assert!(store
        .finish_job(&id, 2, &JobOutcome::Done, NOW + LEASE + 2)
        .await
        .unwrap());
    assert!(!store
        .finish_job(&id, 2, &JobOutcome::Done, NOW + LEASE + 3)
        .await
        .unwrap());
    claims_nothing(&*store, NOW + 10 * LEASE).await;
    let stored = store.session_jobs("s").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (
            stored[0].done_at_ms,
            stored[0].locked_until_ms,
            stored[0].attempts
        ),
        (Some(NOW + LEASE + 2), None, 2)
    );
}

pub async fn a_retried_job_waits_for_its_time_and_a_given_up_one_never_runs_again(
    store: Arc<dyn Store>,
) {
    assert!(store.claim_jobs(NOW, LEASE, 10).await.unwrap().is_empty());
    let id = store.enqueue_job(&job("s", NOW + 5), NOW).await.unwrap();
    assert!(
        store
            .claim_jobs(NOW + 4, LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "not yet due"
    );
    let claimed = store.claim_jobs(NOW + 5, LEASE, 10).await.unwrap();
    let retry = JobOutcome::Retry {
        run_at_ms: NOW + 10_000,
        error: "repository_unavailable".to_owned(),
    };
    assert!(store
        .finish_job(&id, claimed[0].attempts, &retry, NOW + 6)
        .await
        .unwrap());
    claims_nothing(&*store, NOW + 9_999).await;
    let again = store.claim_jobs(NOW + 10_000, LEASE, 10).await.unwrap();
    assert_eq!(
        again[0].last_error.as_deref(),
        Some("repository_unavailable")
    );
    assert_eq!(again[0].attempts, 2);
    let give_up = JobOutcome::GiveUp {
        error: "consent window lapsed".to_owned(),
    };
    assert!(store
        .finish_job(&id, 2, &give_up, NOW + 10_001)
        .await
        .unwrap());
    claims_nothing(&*store, NOW + 100 * LEASE).await;
    let stored = &store.session_jobs("s").await.unwrap()[0];
    assert_eq!(stored.done_at_ms, Some(NOW + 10_001));
    assert_eq!(stored.last_error.as_deref(), Some("consent window lapsed"));
}

pub async fn concurrent_claimers_never_get_the_same_job(store: Arc<dyn Store>) {
    for i in 0..40 {
        store
            .enqueue_job(&job(&format!("s{i}"), NOW), NOW)
            .await
            .unwrap();
    }
    let claimers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = store.claim_jobs(NOW, LEASE, 3).await.unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 40, "every job claimed once: {all:?}");
    assert_eq!(distinct.len(), 40);
}

async fn initialized(store: &dyn Store, id: &str) -> digigate_store::AuthorizationRecord {
    let auth = authorization(id, id);
    open_link(store, &session(id, TENANT), &auth).await;
    auth
}

/// Session `id` past its callback, as the server leaves it: `authorized`, with DigiLocker's
/// code kept and its `fetch` job queued.
async fn fetch_queued(store: &dyn Store, id: &str) {
    let auth = initialized(store, id).await;
    let then = AfterCallback::Fetch {
        seal_code: &sealed_code,
        claim_lease_ms: None,
    };
    store
        .consume_callback(&auth.state_hash, &auth.binding_hash, NOW + 1, &then)
        .await
        .unwrap()
        .unwrap();
}

/// Asserts that no job is there to claim at `at`.
async fn claims_nothing(store: &dyn Store, at: i64) {
    let claimed = store.claim_jobs(at, LEASE, 10).await.unwrap();
    assert!(claimed.is_empty(), "claimed at {at}: {claimed:?}");
}

/// Asserts that session `id` has no DigiLocker code to hand out at `at`.
async fn no_code_kept(store: &dyn Store, id: &str, at: i64) {
    let code = store.take_code_for_exchange(id, at).await.unwrap();
    assert!(code.is_none(), "a code of {id} was still kept");
}

fn sealed_code(session_id: &str) -> Vec<u8> {
    format!("sealed-code-of-{session_id}").into_bytes()
}

pub async fn the_callback_keeps_the_code_and_enqueues_its_fetch_in_one_transaction(
    store: Arc<dyn Store>,
) {
    let auth = initialized(&*store, "s").await;
    let then = AfterCallback::Fetch {
        seal_code: &sealed_code,
        claim_lease_ms: None,
    };
    let consumed = store
        .consume_callback(&auth.state_hash, &auth.binding_hash, NOW + 1, &then)
        .await
        .unwrap();
    let consumed = consumed.unwrap();
    assert_eq!(consumed.authorization, auth);
    assert!(consumed.claimed_job.is_none());
    assert_eq!(
        store.session("s").await.unwrap().unwrap().status,
        SessionStatus::Authorized
    );
    let jobs = store.session_jobs("s").await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].kind.as_str(), jobs[0].run_at_ms),
        (FETCH_JOB, NOW + 1)
    );
    // A replay consumes nothing and enqueues nothing.
    assert!(store
        .consume_callback(&auth.state_hash, &auth.binding_hash, NOW + 2, &then)
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.session_jobs("s").await.unwrap().len(), 1);
    // The code is handed out once, with the verifier; then never again.
    let taken = store
        .take_code_for_exchange("s", NOW + 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.code_sealed, sealed_code("s"));
    assert_eq!(taken.pkce_verifier_sealed, auth.pkce_verifier_sealed);
    no_code_kept(&*store, "s", NOW + 4).await;
    no_code_kept(&*store, "other", NOW + 4).await;
}

/// Session "s" called back at `NOW + 1`, its fetch job stored claimed by the caller for
/// [`LEASE`].
async fn claimed_by_the_callback(store: &dyn Store) -> JobRecord {
    let auth = initialized(store, "s").await;
    let then = AfterCallback::Fetch {
        seal_code: &sealed_code,
        claim_lease_ms: Some(LEASE),
    };
    let consumed = store
        .consume_callback(&auth.state_hash, &auth.binding_hash, NOW + 1, &then)
        .await
        .unwrap()
        .unwrap();
    consumed.claimed_job.expect("claimed for the caller")
}

pub async fn a_callback_can_store_its_fetch_already_claimed_by_the_caller(store: Arc<dyn Store>) {
    let job = claimed_by_the_callback(&*store).await;
    assert_eq!(
        (job.kind.as_str(), job.attempts, job.locked_until_ms),
        (FETCH_JOB, 1, Some(NOW + 1 + LEASE))
    );
    assert_eq!(store.session_jobs("s").await.unwrap(), vec![job.clone()]);
    // No runner claims it while the caller's lease holds; the caller finishes it as its first
    // attempt, as if it had claimed it.
    assert!(store
        .claim_jobs(NOW + LEASE, LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .finish_job(&job.id, 1, &JobOutcome::Done, NOW + 2)
        .await
        .unwrap());
    assert!(store
        .claim_jobs(NOW + 10 * LEASE, LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_claimed_callback_job_whose_claimer_died_is_claimed_again_once_its_lease_lapses(
    store: Arc<dyn Store>,
) {
    let first = claimed_by_the_callback(&*store).await;
    let again = store.claim_jobs(NOW + 1 + LEASE, LEASE, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].id.as_str(), again[0].attempts),
        (first.id.as_str(), 2)
    );
    // The dead claimer's attempt is fenced off.
    assert!(!store
        .finish_job(&first.id, 1, &JobOutcome::Done, NOW + 2 + LEASE)
        .await
        .unwrap());
}

pub async fn a_code_taken_by_racing_jobs_is_handed_out_once(store: Arc<dyn Store>) {
    fetch_queued(&*store, "s").await;
    let takers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take_code_for_exchange("s", NOW + 2).await })
        })
        .collect();
    let mut handed_out = 0;
    for taker in takers {
        handed_out += usize::from(taker.await.unwrap().unwrap().is_some());
    }
    assert_eq!(handed_out, 1);
}

pub async fn a_denied_callback_fails_the_session_in_the_same_transaction(store: Arc<dyn Store>) {
    let auth = initialized(&*store, "s").await;
    let then = AfterCallback::Fail(FailureReason::ConsentDenied);
    assert!(store
        .consume_callback(&auth.state_hash, &auth.binding_hash, NOW + 1, &then)
        .await
        .unwrap()
        .is_some());
    let s = store.session("s").await.unwrap().unwrap();
    assert_eq!(
        (s.status, s.failure_reason),
        (SessionStatus::Failed, Some(FailureReason::ConsentDenied))
    );
    let events: Vec<_> = store
        .session_events("s")
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.event_type))
        .collect();
    assert_eq!(
        events,
        vec![
            (1, SessionEventType::Initialized),
            (2, SessionEventType::Authorized),
            (3, SessionEventType::Failed)
        ]
    );
    assert!(store.session_jobs("s").await.unwrap().is_empty());
    no_code_kept(&*store, "s", NOW + 2).await;
}

fn token(session_id: &str) -> UpstreamTokenRecord {
    UpstreamTokenRecord {
        session_id: session_id.to_owned(),
        access_token_sealed: b"sealed-access".to_vec(),
        refresh_token_sealed: None,
        expires_at_ms: Some(NOW + 60 * MINUTE),
        revoked_at_ms: None,
    }
}

pub async fn an_exchange_is_stored_only_while_the_session_is_authorized(store: Arc<dyn Store>) {
    let auth = initialized(&*store, "s").await;
    assert!(!store
        .store_exchange(&token("s"), &[DocType::Pan])
        .await
        .unwrap());
    assert!(store.upstream_token("s").await.unwrap().is_none());
    store
        .consume_authorization(&auth.state_hash, &auth.binding_hash, NOW + 1)
        .await
        .unwrap()
        .unwrap();
    assert!(store
        .store_exchange(&token("s"), &[DocType::Pan, DocType::Aadhaar])
        .await
        .unwrap());
    assert_eq!(store.upstream_token("s").await.unwrap(), Some(token("s")));
    let s = store.session("s").await.unwrap().unwrap();
    assert_eq!(s.documents_consented, vec![DocType::Pan, DocType::Aadhaar]);
    assert_eq!(
        s.status,
        SessionStatus::Authorized,
        "storing a token is no status change"
    );
    assert_eq!(store.session_events("s").await.unwrap().len(), 2);
}

pub async fn only_lapsed_unfinished_sessions_are_due_for_expiry(store: Arc<dyn Store>) {
    let auth_ttl = 10 * MINUTE;
    let at = |id: &str, link: i64, consent: i64| SessionRecord {
        link_expires_at_ms: link,
        consent_expiry_ms: consent,
        ..session(id, TENANT)
    };
    // Unopened: lapses with its link (NOW + 15 min in the fixture) or its consent window.
    store
        .insert_session(&at("fresh", NOW + MINUTE, NOW + 60 * MINUTE))
        .await
        .unwrap();
    store
        .insert_session(&at("link-gone", NOW - 1, NOW + 60 * MINUTE))
        .await
        .unwrap();
    store
        .insert_session(&at("consent-gone", NOW + MINUTE, NOW))
        .await
        .unwrap();
    // Opened: its authorization outlives the link by `auth_ttl`.
    store
        .insert_session(&at("opened", NOW - MINUTE, NOW + 60 * MINUTE))
        .await
        .unwrap();
    store
        .transition("opened", SessionStatus::Initialized, None, NOW - 2 * MINUTE)
        .await
        .unwrap();
    store
        .insert_session(&at("opened-long-ago", NOW - auth_ttl, NOW + 60 * MINUTE))
        .await
        .unwrap();
    store
        .transition(
            "opened-long-ago",
            SessionStatus::Initialized,
            None,
            NOW - auth_ttl,
        )
        .await
        .unwrap();
    store
        .insert_session(&at("finished", NOW - 1, NOW - 1))
        .await
        .unwrap();
    store
        .transition("finished", SessionStatus::Expired, None, NOW - 1)
        .await
        .unwrap();
    let mut due: Vec<String> = store
        .sessions_due_for_expiry(NOW, auth_ttl, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    due.sort();
    assert_eq!(due, vec!["consent-gone", "link-gone", "opened-long-ago"]);
    assert_eq!(
        store
            .sessions_due_for_expiry(NOW, auth_ttl, 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn erasing_a_session_forgets_its_finished_jobs_and_its_kept_code(store: Arc<dyn Store>) {
    fetch_queued(&*store, "s").await;
    let claimed = store.claim_jobs(NOW + 1, LEASE, 10).await.unwrap();
    assert!(store
        .finish_job(&claimed[0].id, 1, &JobOutcome::Done, NOW + 2)
        .await
        .unwrap());
    assert!(store.erase_session_data("s", NOW + 3).await.unwrap());
    assert!(store.session_jobs("s").await.unwrap().is_empty());
    no_code_kept(&*store, "s", NOW + 4).await;
}
