//! The storage suite: every test is a function of an `Arc<dyn Store>`, instantiated once per
//! backend (`sqlite::…`, `postgres::…`) on a fresh, migrated database of its own. The
//! PostgreSQL half needs a server (`DIGIGATE_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and fails loudly without one.

mod audit;
mod authorizations;
mod completion;
mod erasure;
mod events;
mod fixtures;
mod funnel;
mod indexes;
mod invalidation;
mod jobs;
mod keys;
mod rotation;
mod sessions;
mod webhooks;

use digigate_store::testing::TestDatabase;
use digigate_store::Store;
use std::sync::Arc;

async fn migrated(db: &TestDatabase) -> Arc<dyn Store> {
    let store = digigate_store::connect(&db.url)
        .await
        .expect("the test database opens");
    store.migrate().await.expect("migrations apply");
    store
}

/// Declares a `#[tokio::test]` per backend for each `module::test_function`.
macro_rules! on_both_backends {
    ($($module:ident :: $test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let db = digigate_store::testing::TestDatabase::sqlite();
                    super::$module::$test(super::migrated(&db).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let db = digigate_store::testing::TestDatabase::postgres().await;
                    super::$module::$test(super::migrated(&db).await).await;
                }
            )*
        }
    };
}

on_both_backends! {
    keys::migrating_again_changes_nothing,
    keys::api_keys_round_trip_and_list_oldest_first,
    keys::inserting_a_key_with_an_existing_id_is_a_conflict,
    keys::a_key_can_be_disabled_and_enabled_again,
    keys::rotating_a_secret_replaces_its_hash_and_bumps_its_generation,
    sessions::sessions_round_trip_by_id_and_by_link,
    sessions::a_session_is_invisible_to_another_key,
    sessions::a_second_session_with_a_used_id_or_link_is_a_conflict,
    sessions::illegal_transitions_are_refused_and_change_nothing,
    sessions::a_failed_session_records_its_reason,
    sessions::an_id_with_a_nul_finds_nothing_rather_than_failing,
    sessions::a_polled_session_shows_every_change_made_through_the_store_at_once,
    invalidation::a_polled_history_shows_every_change_made_through_the_store_at_once,
    authorizations::starting_an_authorization_on_an_expired_link_writes_nothing,
    authorizations::starting_an_authorization_on_a_finished_session_writes_nothing,
    authorizations::an_authorization_is_consumed_exactly_once_when_ten_tasks_race,
    authorizations::a_wrong_binding_hash_consumes_nothing,
    authorizations::an_expired_state_is_not_consumed,
    authorizations::a_state_is_not_consumed_when_its_session_moved_on,
    authorizations::upstream_tokens_are_replaced_and_revoked_once,
    authorizations::an_upstream_token_for_an_unknown_session_is_refused,
    completion::completing_an_authorized_session_stores_everything_at_once,
    completion::completing_a_session_that_is_not_authorized_writes_nothing,
    completion::two_documents_of_one_type_are_a_conflict_and_nothing_is_written,
    completion::erasing_twice_erases_once,
    completion::sealed_blobs_round_trip_byte_for_byte,
    audit::audit_lines_are_kept_in_order_and_cannot_be_changed,
    audit::deleting_erases_at_once_hides_the_session_and_repeats_harmlessly,
    audit::another_key_cannot_delete_a_session,
    audit::only_old_succeeded_sessions_are_due_for_erasure,
    audit::erasure_also_forgets_the_expected_details,
    audit::sessions_created_together_are_each_stored_with_their_audit_line,
    audit::an_abandoned_idempotency_claim_is_taken_over_after_a_minute,
    rotation::a_rotation_that_stops_part_way_changes_nothing_and_can_be_run_again,
    audit::a_slow_request_whose_claim_was_taken_over_stores_no_second_session,
    audit::a_session_that_cannot_be_stored_leaves_its_claim_unanswered,
    events::a_journey_writes_one_event_per_transition_in_order,
    events::refused_transitions_write_no_event,
    events::a_failure_event_carries_its_reason,
    events::an_event_is_written_only_when_its_change_commits,
    events::racing_changes_write_one_event_each,
    events::deleting_a_session_writes_one_erasure_event,
    funnel::the_funnel_counts_each_stage_per_key_for_sessions_created_in_the_window,
    funnel::an_opened_session_counts_as_expired_once_its_authorization_lapsed,
    funnel::an_empty_window_has_no_keys,
    funnel::failures_are_counted_by_reason_and_listed_newest_first,
    jobs::a_claimed_job_is_claimed_again_only_once_its_lease_lapses,
    jobs::a_retried_job_waits_for_its_time_and_a_given_up_one_never_runs_again,
    jobs::concurrent_claimers_never_get_the_same_job,
    jobs::the_callback_keeps_the_code_and_enqueues_its_fetch_in_one_transaction,
    jobs::a_callback_can_store_its_fetch_already_claimed_by_the_caller,
    jobs::a_claimed_callback_job_whose_claimer_died_is_claimed_again_once_its_lease_lapses,
    jobs::a_code_taken_by_racing_jobs_is_handed_out_once,
    jobs::a_denied_callback_fails_the_session_in_the_same_transaction,
    jobs::an_exchange_is_stored_only_while_the_session_is_authorized,
    jobs::only_lapsed_unfinished_sessions_are_due_for_expiry,
    jobs::erasing_a_session_forgets_its_finished_jobs_and_its_kept_code,
    webhooks::each_event_is_claimed_by_one_owner_until_its_lease_lapses,
    webhooks::a_later_event_of_a_session_waits_until_the_earlier_one_is_done,
    webhooks::a_removed_endpoint_gets_no_new_deliveries_and_its_pending_ones_are_given_up,
    webhooks::redelivery_and_rotation_are_scoped_to_the_endpoints_key,
    webhooks::pruning_forgets_only_finished_deliveries_older_than_the_bound,
    webhooks::a_master_key_rotation_reseals_webhook_and_redirect_secrets,
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_in_the_database_itself() {
    use sqlx::Connection;
    let db = TestDatabase::sqlite();
    let store = migrated(&db).await;
    let line = digigate_store::AuditEntry {
        at_ms: 1,
        api_key_id: None,
        session_id: Some("s".to_owned()),
        action: "session.created".to_owned(),
        detail: None,
    };
    store.append_audit(&line).await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    for sql in ["DELETE FROM audit_log", "UPDATE audit_log SET action = 'x'"] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let pg = TestDatabase::postgres().await;
    let store = migrated(&pg).await;
    store.append_audit(&line).await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
    for sql in ["DELETE FROM audit_log", "UPDATE audit_log SET action = 'x'"] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.audit_log(None, 10).await.unwrap(), vec![line]);
}

#[tokio::test]
async fn sqlite_files_are_opened_with_wal_journaling() {
    use sqlx::{Connection, Row};
    let db = TestDatabase::sqlite();
    let _store = migrated(&db).await;
    let mut conn = sqlx::SqliteConnection::connect(&db.url)
        .await
        .expect("the file opens");
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn an_unknown_url_scheme_is_refused() {
    let refused = digigate_store::connect("mysql://root@127.0.0.1/digigate").await;
    assert!(matches!(
        refused,
        Err(digigate_store::StoreError::UnsupportedUrl)
    ));
}
