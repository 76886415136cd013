//! Storage of digigate: the [`Store`] trait, and one implementation of it that speaks to either
//! SQLite (the default: a single file) or PostgreSQL (shared by several gateway instances).
//!
//! # One SQL text for both backends
//!
//! Queries go through sqlx's `Any` driver rather than through code generic over the backend.
//! Every statement is written once, with `$1..$n` placeholders whose first appearances are in
//! ascending order (SQLite binds `$N` by number, PostgreSQL natively), and binds and reads only
//! `i64`, `String`, `Vec<u8>` and `Option`s of them, which both drivers map the same way. The
//! two backends differ only where they must, and all of that lives in `backend.rs`: the
//! migrations (`migrations/sqlite/` and `migrations/postgres/`, whose column types differ),
//! the per-connection SQLite pragmas (WAL, `synchronous=FULL`, busy timeout, foreign keys),
//! pool sizes, and how a write transaction begins (`BEGIN IMMEDIATE` on SQLite, so writers
//! queue on the busy timeout instead of failing on a stale snapshot). A generic implementation
//! would have needed a wall of `where` bounds on every method for no difference in the SQL.
//!
//! # Guarantees
//!
//! Multi-step changes run in one transaction whose first statement is the guarding conditional
//! `UPDATE`; if it changes no row, the transaction is rolled back, so nothing is half-written.
//! "Consume once" is a single `UPDATE … WHERE consumed_at_ms IS NULL … RETURNING`.
//! Errors never carry stored values: [`StoreError::Corrupt`] names a column, not its content.

mod audit;
mod audit_batch;
mod audit_line;
mod backend;
mod code_exchange;
mod events;
mod funnel;
mod group_commit;
mod idempotency;
mod invalidation;
mod jobs;
mod outbox;
mod recent;
mod records;
mod rotation;
mod rows;
mod sql_store;
mod transitions;
mod webhooks;

#[cfg(feature = "testing")]
pub mod testing;

pub use records::{
    ApiKeyRecord, AuditEntry, AuthorizationRecord, CompletedSession, DataKeyRecord, DocumentRecord,
    MissingDocument, ProfileRecord, SessionEventRecord, SessionRecord, UpstreamTokenRecord,
};

pub use code_exchange::{AfterCallback, CallbackConsumed, PendingExchange};
pub use funnel::{Ending, EndingCount, FailureSummary, FunnelQuery, KeyFunnel, RecentFailure};
pub use idempotency::IdempotencyClaim;
pub use jobs::{JobOutcome, JobRecord, NewJob, FETCH_JOB};
pub use outbox::{ClaimedDelivery, DeliveryOutcome, WebhookAttemptRecord, WebhookEvent};
pub use recent::KEY_CACHE_TTL;
pub use rotation::{Resealer, SealedKind};
pub use webhooks::WebhookEndpointRecord;

use digigate_core::{DocType, FailureReason, SessionStatus};
use std::sync::Arc;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the operation.
    #[error("storage is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// No connection to the database could be had within the pool's acquire timeout, or the
    /// connection broke (refused, reset, the server shutting down): the database is away, not
    /// the request wrong. The server answers 503 with `Retry-After`; the pool reconnects on
    /// its own when the database is back.
    #[error("the database is unreachable")]
    Unreachable(#[source] sqlx::Error),
    /// A record with the same key (id, link id, state hash, document type of a session) exists.
    #[error("a record with this id already exists")]
    Conflict,
    /// A stored value could not be read back; the message names the column, never the value.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Erased data was committed as deleted, but the database could not yet overwrite its old
    /// copies (a long reader held the SQLite log); repeating the erasure tries again.
    #[error("erased data could not yet be scrubbed from the database files")]
    ScrubIncomplete,
    /// The database URL is neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported database URL scheme")]
    UnsupportedUrl,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ if is_connection_failure(&e) => StoreError::Unreachable(e),
            _ => StoreError::Unavailable(e),
        }
    }
}

impl StoreError {
    /// Whether the database is away (so the caller may retry later) rather than the operation
    /// wrong: [`StoreError::Unreachable`], or an [`StoreError::Unavailable`] whose cause is a
    /// lost connection.
    pub fn is_unreachable(&self) -> bool {
        match self {
            StoreError::Unreachable(_) => true,
            StoreError::Unavailable(e) => is_connection_failure(e),
            _ => false,
        }
    }
}

/// A pool that timed out or closed, a broken socket, or PostgreSQL's connection-exception
/// class (`08…`) and shutdown codes (`57P01` admin shutdown, `57P02` crash shutdown,
/// `57P03` cannot connect now).
fn is_connection_failure(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
        _ => false,
    }
}

/// Everything digigate keeps: API keys, consent sessions, their authorizations, upstream
/// tokens, and the encrypted documents, profiles and data keys they produced.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies the pending migrations of this backend; running it again changes nothing.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// Whether the database answers and holds digigate's tables (a readiness probe): one
    /// cheap read of the keys table, on the pools reads and writes use.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Stores a new API key; an existing id is [`StoreError::Conflict`].
    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;
    /// The API key with this id.
    async fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    /// Every API key, oldest first.
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Disables (`Some(time)`) or re-enables (`None`) a key; whether the key exists.
    async fn set_api_key_disabled(
        &self,
        id: &str,
        disabled_at_ms: Option<i64>,
    ) -> Result<bool, StoreError>;
    /// Replaces the secret hash of a key (rotation) and bumps its generation, which ends every
    /// token issued before; whether the key exists.
    async fn set_api_key_secret_hash(
        &self,
        id: &str,
        secret_hash: &str,
    ) -> Result<bool, StoreError>;

    /// Stores a new session; an existing id or link id is [`StoreError::Conflict`].
    async fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError>;
    /// Stores a new session and the audit line of its creation in one transaction; an existing
    /// id or link id is [`StoreError::Conflict`] and stores neither. Concurrent creations share
    /// a commit (see `group_commit.rs`); it returns once the commit is durable.
    async fn create_session(
        &self,
        s: &SessionRecord,
        created: &AuditEntry,
    ) -> Result<(), StoreError>;
    /// The session with this id, whoever owns it.
    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// The session only if it belongs to `api_key_id` (tenant scoping is done in SQL).
    async fn session_for_key(
        &self,
        id: &str,
        api_key_id: &str,
    ) -> Result<Option<SessionRecord>, StoreError>;
    /// The session whose consent link has this id.
    async fn session_by_link(&self, link_id: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Conditional update: sets status `to` (+ updated_at, failure_reason) only if the current status is in
    /// `SessionStatus::allowed_predecessors(to)`, and writes its event in the same transaction;
    /// returns whether a row changed.
    async fn transition(
        &self,
        id: &str,
        to: SessionStatus,
        reason: Option<FailureReason>,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// One transaction: move the session to `initialized` (only from created|initialized and only while link_expires_at_ms > now)
    /// and insert the authorization. false (and nothing written) if the session was not eligible.
    async fn start_authorization(
        &self,
        auth: &AuthorizationRecord,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// One transaction: atomically mark the authorization with this state_hash AND binding_hash consumed (only if not
    /// consumed and expires_at_ms > now) and move its session initialized → authorized. Returns the record, or None with
    /// nothing changed (unknown/used/expired state, wrong binding, or session not initialized).
    async fn consume_authorization(
        &self,
        state_hash: &str,
        binding_hash: &str,
        now_ms: i64,
    ) -> Result<Option<AuthorizationRecord>, StoreError>;
    /// One transaction: consumes the authorization as [`Store::consume_authorization`] does
    /// (moving its session to `authorized`) and then does `then`: keeps the sealed code and
    /// enqueues the session's fetch job (claimed by the caller if `then` asks), or fails the
    /// session. None with nothing changed when the authorization may not be consumed.
    async fn consume_callback(
        &self,
        state_hash: &str,
        binding_hash: &str,
        now_ms: i64,
        then: &AfterCallback<'_>,
    ) -> Result<Option<CallbackConsumed>, StoreError>;
    /// Takes the session's sealed code and PKCE verifier for its code exchange, recording that
    /// the exchange is being sent; None when they were taken before (the exchange may have
    /// been sent: it must not be sent again) or never kept.
    async fn take_code_for_exchange(
        &self,
        session_id: &str,
        now_ms: i64,
    ) -> Result<Option<PendingExchange>, StoreError>;
    /// One transaction: stores the upstream token won by the code exchange and the documents
    /// the person consented to, while the session is `authorized`; false (nothing written)
    /// otherwise. A fetch resumed after a crash starts from these.
    async fn store_exchange(
        &self,
        token: &UpstreamTokenRecord,
        documents_consented: &[DocType],
    ) -> Result<bool, StoreError>;
    /// Unfinished sessions whose link or consent window lapsed by `now_ms` (an opened link
    /// lapses `authorization_ttl_ms` after the link itself), oldest change first.
    async fn sessions_due_for_expiry(
        &self,
        now_ms: i64,
        authorization_ttl_ms: i64,
        limit: i64,
    ) -> Result<Vec<SessionRecord>, StoreError>;

    /// Stores a job on its own (jobs caused by a state change are stored with it); answers its id.
    async fn enqueue_job(&self, job: &NewJob, now_ms: i64) -> Result<String, StoreError>;
    /// Claims up to `limit` jobs due by `now_ms` that no live claim holds, leasing each for
    /// `lease_ms`; instances sharing the database never get the same job.
    async fn claim_jobs(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<JobRecord>, StoreError>;
    /// Ends attempt `attempt` of a job as `outcome`; false (nothing changed) when the job was
    /// claimed again since (the lease lapsed) or is already finished.
    async fn finish_job(
        &self,
        id: &str,
        attempt: i64,
        outcome: &JobOutcome,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Extends the lease of attempt `attempt` of a running job to `until_ms`; false when the
    /// claim no longer holds the job.
    async fn renew_job_lease(
        &self,
        id: &str,
        attempt: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError>;
    /// The jobs of a session, oldest first.
    async fn session_jobs(&self, session_id: &str) -> Result<Vec<JobRecord>, StoreError>;

    /// Stores the (already encrypted) upstream token of a session, replacing any previous one.
    async fn put_upstream_token(&self, t: &UpstreamTokenRecord) -> Result<(), StoreError>;
    /// The upstream token of a session.
    async fn upstream_token(
        &self,
        session_id: &str,
    ) -> Result<Option<UpstreamTokenRecord>, StoreError>;
    /// Records that the session's upstream token was revoked (the first revocation time is kept).
    async fn mark_upstream_token_revoked(
        &self,
        session_id: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One transaction: insert the wrapped data key, every document, the profile, set documents_consented and
    /// documents_missing, and move the session authorized → succeeded. false (nothing written) if the session was not
    /// authorized (or its data was already erased). The nested records are stored under `c.session_id`.
    async fn complete_session(&self, c: &CompletedSession) -> Result<bool, StoreError>;
    /// The documents of a session, ordered by creation time, then id.
    async fn documents(&self, session_id: &str) -> Result<Vec<DocumentRecord>, StoreError>;
    /// The document of one type of a session.
    async fn document(
        &self,
        session_id: &str,
        doc_type: DocType,
    ) -> Result<Option<DocumentRecord>, StoreError>;
    /// The document with this id.
    async fn document_by_id(&self, document_id: &str)
        -> Result<Option<DocumentRecord>, StoreError>;
    /// The (encrypted) profile of a session.
    async fn profile(&self, session_id: &str) -> Result<Option<ProfileRecord>, StoreError>;
    /// The wrapped data key that encrypts a session's documents and profile.
    async fn data_key(&self, session_id: &str) -> Result<Option<DataKeyRecord>, StoreError>;
    /// One transaction: delete the session's documents, profile and data key, and record erased_at_ms on the session.
    /// Returns whether anything was erased now (a second call returns false and changes nothing).
    async fn erase_session_data(&self, session_id: &str, now_ms: i64) -> Result<bool, StoreError>;
    /// One transaction: mark the key's session deleted (invisible to every read from then on) and
    /// erase its documents, profile, data key and expected details. Answers the deletion time (the
    /// first one when repeated), or None when the key has no such session.
    async fn delete_session(
        &self,
        session_id: &str,
        api_key_id: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError>;
    /// Finished (succeeded, failed or expired) sessions whose data was not erased and which last
    /// changed before the given time.
    async fn sessions_due_for_erasure(
        &self,
        succeeded_before_ms: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError>;

    /// One transaction: re-seals every value sealed with the key-encryption key (data keys,
    /// DigiLocker tokens, PKCE verifiers, expected details) and records `kek_id` on every data
    /// key. If any value cannot be re-sealed nothing changes. Answers how many were re-sealed.
    async fn reseal_all(&self, reseal: &Resealer<'_>, kek_id: &str) -> Result<u64, StoreError>;

    /// Claims `key` for the API key's request whose body hashes to `request_hash`, or reports
    /// the earlier request that holds it.
    async fn claim_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
        now_ms: i64,
    ) -> Result<IdempotencyClaim, StoreError>;
    /// Releases the claim on `key` held by `owner` so the request can be retried; a claim that
    /// was taken over or answered meanwhile is left alone.
    async fn release_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
        owner: &str,
    ) -> Result<(), StoreError>;
    /// One transaction: records `response` as the answer of the claim on `key` of the
    /// session's API key, only while `owner` still holds it, and inserts the session. false
    /// (nothing written) when the claim was taken over or answered meanwhile; an existing
    /// session id or link id is [`StoreError::Conflict`] (nothing written either).
    async fn insert_session_answering(
        &self,
        session: &SessionRecord,
        created: &AuditEntry,
        key: &str,
        owner: &str,
        response: &str,
    ) -> Result<bool, StoreError>;

    /// Replaces the sealed redirect secret of a key (issuing one for a key that had none);
    /// whether the key exists.
    async fn set_api_key_redirect_secret(
        &self,
        id: &str,
        redirect_secret_sealed: &[u8],
    ) -> Result<bool, StoreError>;

    /// Stores a new webhook endpoint; an existing id is [`StoreError::Conflict`].
    async fn insert_webhook_endpoint(&self, e: &WebhookEndpointRecord) -> Result<(), StoreError>;
    /// The endpoints of an API key that were not removed, oldest first.
    async fn webhook_endpoints(
        &self,
        api_key_id: &str,
    ) -> Result<Vec<WebhookEndpointRecord>, StoreError>;
    /// The endpoint with this id (removed ones included; callers scope it to their key).
    async fn webhook_endpoint(&self, id: &str)
        -> Result<Option<WebhookEndpointRecord>, StoreError>;
    /// One transaction: removes the key's endpoint and gives up what was still to be sent to
    /// it; whether it was there to remove.
    async fn remove_webhook_endpoint(
        &self,
        id: &str,
        api_key_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Makes `secret_sealed` the key's endpoint's secret; the current one keeps signing too
    /// until `previous_until_ms`. Whether the endpoint exists (and is not removed).
    async fn rotate_webhook_secret(
        &self,
        id: &str,
        api_key_id: &str,
        secret_sealed: &[u8],
        previous_until_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Claims up to `limit` due deliveries for `owner` until `now_ms + lease_ms`, each the
    /// earliest pending event of its session for its endpoint; none is claimed by two owners.
    async fn claim_webhook_deliveries(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// One transaction: logs an attempt and, while `owner` still holds the delivery's lease,
    /// moves the delivery on as `outcome` says.
    async fn finish_webhook_attempt(
        &self,
        delivery_id: &str,
        owner: &str,
        attempt: &WebhookAttemptRecord,
        outcome: DeliveryOutcome,
    ) -> Result<(), StoreError>;
    /// An endpoint's delivery log, newest attempt first.
    async fn webhook_attempts(
        &self,
        endpoint_id: &str,
        limit: i64,
    ) -> Result<Vec<WebhookAttemptRecord>, StoreError>;
    /// One transaction: forgets delivered and abandoned deliveries of events recorded before
    /// `before_ms`, with their delivery log (pending ones stay, whatever their age); how many.
    async fn prune_webhook_log(&self, before_ms: i64) -> Result<u64, StoreError>;
    /// Makes a delivery (by its id, or by its event's id) of the key's endpoint due now with a
    /// fresh schedule, whatever became of it; whether there was one.
    async fn redeliver_webhook(
        &self,
        endpoint_id: &str,
        api_key_id: &str,
        event_or_delivery_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// The events of a session (one per status change, and its erasure), oldest first.
    async fn session_events(&self, session_id: &str)
        -> Result<Vec<SessionEventRecord>, StoreError>;

    /// The consent funnel of the sessions created since `q.since_ms`, per API key, most
    /// sessions first (for the operator page).
    async fn funnel(&self, q: FunnelQuery) -> Result<Vec<KeyFunnel>, StoreError>;
    /// The sessions that ended without documents since `since_ms`: counts by reason and the
    /// latest `limit`, newest first (for the operator page).
    async fn failures(&self, since_ms: i64, limit: i64) -> Result<FailureSummary, StoreError>;

    /// Appends a line to the audit log (which refuses updates and deletes).
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// Audit lines, oldest first: of one session, or of all.
    async fn audit_log(
        &self,
        session_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Opens the store for a URL (`sqlite:///path/file.db?mode=rwc`, `sqlite://relative.db`, `postgres://…`) — does not migrate.
///
/// A SQLite URL without `mode=` is opened with `mode=rwc`, so the file is created on first start.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(sql_store::SqlStore::connect(url, None).await?))
}

/// Opens the store as [`connect`] does, serving records read from memory for up to
/// `cache_ttl` instead of [`KEY_CACHE_TTL`]: with a TTL far longer than a test, a test sees a
/// change made elsewhere only through invalidation, never by the entry growing old.
#[cfg(feature = "testing")]
pub async fn connect_with_cache_ttl(
    url: &str,
    cache_ttl: std::time::Duration,
) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(
        sql_store::SqlStore::connect(url, Some(cache_ttl)).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn a_lost_connection_is_unreachable_and_a_bad_statement_is_not() {
        let timed_out = StoreError::from(sqlx::Error::PoolTimedOut);
        assert!(matches!(timed_out, StoreError::Unreachable(_)));
        assert!(timed_out.is_unreachable());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StoreError::from(sqlx::Error::Io(refused)).is_unreachable());
        assert!(StoreError::Unavailable(sqlx::Error::PoolClosed).is_unreachable());
        let wrong = StoreError::from(sqlx::Error::RowNotFound);
        assert!(matches!(wrong, StoreError::Unavailable(_)));
        assert!(!wrong.is_unreachable());
        assert!(!StoreError::Conflict.is_unreachable());
    }
}
