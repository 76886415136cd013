//! Several `digigate serve` processes on one PostgreSQL database act as one gateway behind a load
//! balancer. Each test runs the built binary as separate processes: the DigiLocker simulator
//! (`digigate simulator`), two gateway instances on ports of their own that share the database,
//! the key material (`*_FILE`), the DigiLocker credentials and one `--public-url` (instance A's,
//! standing for the load balancer's), and one-shot commands (`migrate`, `keys`, `audit`) against
//! the same database. Where a load balancer would route a request to another instance, the test
//! sends it to instance B by rewriting the port; cookies are per host, not per port, so the
//! browser carries them across as it would behind one public name.
mod cluster;
#[path = "../support/process.rs"]
mod process;
#[path = "../support/served.rs"]
mod served;
#[path = "../support/temp_dir.rs"]
mod temp_dir;

use cluster::{Cluster, DOC_TYPES};
use process::free_port;
use serde_json::Value;
use std::time::{Duration, Instant};
use url::Url;

/// A document answer without its download link, which is signed with a fresh expiry per call.
fn without_links(mut data: Value) -> Value {
    data.as_object_mut().unwrap().remove("files");
    data
}

#[tokio::test]
async fn a_session_started_on_one_instance_finishes_on_another_and_reads_the_same_on_both() {
    let cluster = Cluster::start(&[]).await;
    // A token issued by A is accepted by B: they share the JWT secret and the key table.
    let token = cluster.authenticate(0).await;
    let session_id = cluster.journey_across_instances(&token).await;

    let sessions = format!("/kyc/digilocker/sessions/{session_id}");
    let (status_a, on_a) = cluster.get(0, &token, &format!("{sessions}/status")).await;
    let (status_b, on_b) = cluster.get(1, &token, &format!("{sessions}/status")).await;
    assert_eq!((status_a, status_b), (200, 200), "{on_a} {on_b}");
    assert_eq!(on_a["status"], "succeeded", "{on_a}");
    assert_eq!(on_a, on_b);

    let profile = format!("{sessions}/user/profile");
    let (_, profile_a) = cluster.get(0, &token, &profile).await;
    let (_, profile_b) = cluster.get(1, &token, &profile).await;
    assert!(profile_a.is_object(), "{profile_a}");
    assert_eq!(profile_a, profile_b);

    let http = reqwest::Client::new();
    for doc_type in DOC_TYPES {
        let path = format!("{sessions}/documents/{doc_type}");
        let (status_a, on_a) = cluster.get(0, &token, &path).await;
        let (status_b, on_b) = cluster.get(1, &token, &path).await;
        assert_eq!(
            (status_a, status_b),
            (200, 200),
            "{doc_type}: {on_a} {on_b}"
        );
        assert_eq!(on_a["verified"], true, "{doc_type}: {on_a}");
        // A download link signed by A works on B (its key derives from the shared master key).
        let mut link = Url::parse(on_a["files"][0]["url"].as_str().unwrap()).unwrap();
        let from_a = http.get(link.clone()).send().await.unwrap();
        assert_eq!(from_a.status(), 200, "{doc_type}");
        let from_a = from_a.bytes().await.unwrap();
        link.set_port(Some(cluster.port(1))).unwrap();
        let from_b = http.get(link).send().await.unwrap();
        assert_eq!(from_b.status(), 200, "{doc_type}");
        assert_eq!(from_b.bytes().await.unwrap(), from_a, "{doc_type}");
        assert_eq!(without_links(on_a), without_links(on_b), "{doc_type}");
    }

    let actions = cluster.audit_actions(&session_id);
    for (action, times) in [
        ("session.created", 1),
        ("link.opened", 1),
        ("callback.completed", 1),
        ("document.read", 6),
    ] {
        let seen = actions.iter().filter(|a| *a == action).count();
        assert_eq!(seen, times, "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn a_key_disabled_by_the_command_stops_working_on_every_instance() {
    let cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let probe = "/kyc/digilocker/sessions/no-such-session/status";
    for instance in [0, 1] {
        let (status, body) = cluster.get(instance, &token, probe).await;
        assert_eq!(
            status, 404,
            "the key works on instance {instance} first: {body}"
        );
    }

    let said = cluster.run(&["keys", "disable", &cluster.api_key]);
    assert!(said.contains("disabled"), "{said}");

    // Each instance keeps the key in memory for up to a second, and drops it when PostgreSQL
    // announces the change (the command changes it through the same store, and the database's
    // trigger announces it), so the refusal comes within milliseconds. The poll allows three
    // seconds: a cache that let a disabled key through for longer on any instance fails here.
    for instance in [0, 1] {
        let refused = format!("instance {instance} refusing a disabled key");
        until_answered(&cluster, instance, &token, probe, 401, &refused).await;
    }
    // Nor can a new token be had from either instance.
    for instance in [0, 1] {
        let res = reqwest::Client::new()
            .post(cluster.base(instance).join("/authenticate").unwrap())
            .header("x-api-key", &cluster.api_key)
            .header("x-api-secret", &cluster.api_secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "instance {instance}");
    }
}

#[tokio::test]
async fn a_session_deleted_on_one_instance_is_gone_on_the_other() {
    let cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let (status, created) = cluster.init(0, &token, None).await;
    assert_eq!(status, 200, "{created}");
    let session = format!(
        "/kyc/digilocker/sessions/{}",
        created["session_id"].as_str().unwrap()
    );
    let status_path = format!("{session}/status");
    // B polls the session, as a business does, so B keeps it in memory.
    for _ in 0..3 {
        let (status, body) = cluster.get(1, &token, &status_path).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("created")));
    }

    let (deleted, body) = cluster.delete(0, &token, &session).await;
    assert_eq!(deleted, 200, "{body}");

    // A's deletion is announced by PostgreSQL; B drops the session when the announcement
    // arrives (milliseconds), not when its second in memory is up. (The store's suite shows
    // with an hour-long TTL that the announcement alone does it.)
    until_answered(
        &cluster,
        1,
        &token,
        &status_path,
        404,
        "B forgetting the session",
    )
    .await;
}

/// Polls `GET path` on one instance until it answers `expected`, for at most three seconds.
async fn until_answered(
    cluster: &Cluster,
    instance: usize,
    token: &str,
    path: &str,
    expected: u16,
    what: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let (status, _) = cluster.get(instance, token, path).await;
        if status == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {what}: still answers {status}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether the log shows a retention sweep that ran to its end: the sweep stops when its query
/// for sessions due for erasure returns no rows (sqlx logs each statement with its row count).
fn finished_a_sweep(log: &str) -> bool {
    log.lines().any(|line| {
        line.contains("FROM sessions WHERE status IN") && line.contains("rows_returned=0")
    })
}

#[tokio::test]
async fn the_retention_sweep_of_every_instance_erases_a_session_once() {
    let mut cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let session_id = cluster.journey_across_instances(&token).await;

    // Both instances restarted with no retention at all: each sweeps as it starts, over the same
    // succeeded session. Statement logging shows when each one's sweep has run to its end.
    cluster.stop_instances();
    let ports = [free_port(), free_port()];
    cluster.start_instances(
        &ports,
        &["--retention-hours", "0"],
        "info,sqlx::query=debug",
    );
    for (_, process) in &mut cluster.instances {
        process.wait_until("the end of its first retention sweep", |p| {
            finished_a_sweep(&p.log())
        });
    }

    let erased = cluster
        .audit_actions(&session_id)
        .into_iter()
        .filter(|a| a == "session.erased")
        .count();
    assert_eq!(erased, 1, "one erasure in the audit log");
    let sweepers = cluster
        .instances
        .iter()
        .filter(|(_, p)| p.log().contains("retention sweep erased session data"))
        .count();
    assert_eq!(sweepers, 1, "exactly one instance erased the session");

    let token = cluster.authenticate(1).await;
    let path = format!("/kyc/digilocker/sessions/{session_id}/documents/pan");
    let (status_a, on_a) = cluster.get(0, &token, &path).await;
    let (status_b, on_b) = cluster.get(1, &token, &path).await;
    assert_ne!(status_a, 200, "the document is gone: {on_a}");
    assert_eq!((status_a, &on_a), (status_b, &on_b));
}

#[tokio::test]
async fn rate_limits_are_counted_per_instance() {
    let cluster = Cluster::start(&["--rate-limit-per-minute", "2"]).await;
    let token = cluster.authenticate(0).await;
    let probe = "/kyc/digilocker/sessions/no-such-session/status";
    for _ in 0..2 {
        assert_eq!(cluster.get(0, &token, probe).await.0, 404);
    }
    assert_eq!(
        cluster.get(0, &token, probe).await.0,
        429,
        "A's limit is spent"
    );
    // B counts on its own: behind a balancer with N instances a key gets up to N times the limit.
    for _ in 0..2 {
        assert_eq!(cluster.get(1, &token, probe).await.0, 404);
    }
    assert_eq!(cluster.get(1, &token, probe).await.0, 429);
}

#[tokio::test]
async fn instances_started_together_on_an_empty_database_migrate_it_and_serve_one_journey() {
    let mut cluster = Cluster::prepare().await;
    // No `digigate migrate` first: every instance applies the migrations as it starts, at the
    // same moment as the others (PostgreSQL serialises them under sqlx's advisory lock).
    let ports = [cluster.public_port(), free_port(), free_port()];
    cluster.start_instances(&ports, &[], "info");
    cluster.create_api_key();
    let token = cluster.authenticate(2).await;
    let session_id = cluster.journey_across_instances(&token).await;
    let status = format!("/kyc/digilocker/sessions/{session_id}/status");
    for instance in 0..3 {
        let (code, data) = cluster.get(instance, &token, &status).await;
        assert_eq!((code, data["status"].as_str()), (200, Some("succeeded")));
    }
}

#[tokio::test]
async fn an_init_retried_on_another_instance_with_its_idempotency_key_answers_the_first_session() {
    let cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    let (first_status, first) = cluster.init(0, &token, Some("order-4711")).await;
    assert_eq!(first_status, 200, "{first}");
    // The client's retry lands on the other instance.
    let (again_status, again) = cluster.init(1, &token, Some("order-4711")).await;
    assert_eq!(again_status, 200, "{again}");
    assert_eq!(again["session_id"], first["session_id"]);
    let (_, other) = cluster.init(1, &token, Some("order-4712")).await;
    assert_ne!(other["session_id"], first["session_id"]);
}

#[tokio::test]
async fn two_instances_run_each_fetch_exactly_once_between_them() {
    let cluster = Cluster::start(&[]).await;
    let token = cluster.authenticate(0).await;
    // Callbacks land on B; both instances' runners poll the shared jobs.
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(cluster.journey_across_instances(&token).await);
    }
    let store = cluster.store().await;
    for id in &sessions {
        let jobs = store.session_jobs(id).await.unwrap();
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(
            jobs[0].attempts, 1,
            "claimed by one instance, once: {jobs:?}"
        );
        assert!(jobs[0].done_at_ms.is_some() && jobs[0].last_error.is_none());
        let events: Vec<_> = store
            .session_events(id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.event_type.as_str())
            .collect();
        assert_eq!(
            events,
            [
                "session.initialized",
                "session.authorized",
                "session.succeeded"
            ]
        );
        let outcomes = cluster
            .audit_actions(id)
            .into_iter()
            .filter(|a| a == "callback.completed")
            .count();
        assert_eq!(outcomes, 1, "{id}");
    }
}
