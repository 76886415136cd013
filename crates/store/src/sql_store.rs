//! The [`Store`] implementation over sqlx's `Any` driver: single-statement operations here,
//! guarded state changes in `transitions.rs`.

use crate::audit_batch::AuditBatcher;
use crate::backend::Backend;
use crate::group_commit::GroupCommit;
use crate::invalidation::{Caches, Listening};
use crate::recent::Change;
use crate::records::{
    ApiKeyRecord, AuditEntry, AuthorizationRecord, CompletedSession, DataKeyRecord, DocumentRecord,
    ProfileRecord, SessionEventRecord, SessionRecord, UpstreamTokenRecord,
};
use crate::rows::{self, to_json};
use crate::{Store, StoreError};
use digigate_core::{DocType, FailureReason, SessionStatus};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use std::sync::Arc;
use std::time::Duration;

/// A store on SQLite or PostgreSQL, chosen by the URL it was opened with.
pub(crate) struct SqlStore {
    /// Reads (and migrations).
    pub(crate) pool: AnyPool,
    /// Writes: on a SQLite file a single connection, so writers queue here rather than in
    /// SQLite's busy handler (see `Backend::open_writer`).
    pub(crate) writer: AnyPool,
    pub(crate) backend: Backend,
    /// Keys, sessions and events read recently (see `recent.rs` and `invalidation.rs` for how
    /// stale one may be).
    caches: Arc<Caches>,
    /// On PostgreSQL, the task hearing of changes made by other instances (stops on drop).
    _listening: Option<Listening>,
    /// The writers that group new sessions into shared commits.
    creations: GroupCommit,
    /// The task that appends audit lines written on their own, many to a statement.
    pub(crate) audit: AuditBatcher,
}

/// A change of one session (or of every one) in progress: its record and its events.
struct SessionChange<'a> {
    session: Change<'a, SessionRecord>,
    events: Change<'a, Vec<SessionEventRecord>>,
}

impl SessionChange<'_> {
    /// The change's write has returned (committed or failed).
    fn finish(self) {
        self.session.finish();
        self.events.finish();
    }
}

impl SqlStore {
    /// Opens the pool for `url` without migrating; records read are served from memory for
    /// up to `cache_ttl`, by default [`KEY_CACHE_TTL`] on SQLite and, where changes are
    /// announced, [`LISTENED_TTL`](crate::invalidation::LISTENED_TTL) on PostgreSQL.
    pub(crate) async fn connect(
        url: &str,
        cache_ttl: Option<Duration>,
    ) -> Result<Self, StoreError> {
        let backend = Backend::from_url(url)?;
        let pool = backend.open_pool(url).await?;
        let writer = backend.open_writer(url, &pool).await?;
        tracing::debug!(?backend, "storage connected");
        let creations = GroupCommit::start(writer.clone(), backend);
        // On PostgreSQL nothing is served from memory until the listener hears of changes.
        let cache_ttl = cache_ttl.unwrap_or(match backend {
            Backend::Sqlite => crate::recent::KEY_CACHE_TTL,
            Backend::Postgres => crate::invalidation::LISTENED_TTL,
        });
        let caches = Arc::new(Caches::new(cache_ttl, backend == Backend::Postgres));
        let listening =
            (backend == Backend::Postgres).then(|| crate::invalidation::start(url, &caches));
        let audit = AuditBatcher::start(writer.clone());
        Ok(SqlStore {
            pool,
            writer,
            backend,
            caches,
            _listening: listening,
            creations,
            audit,
        })
    }

    /// Marks a change of session `id` (every session when `None`) in the caches; finish it
    /// once the write has returned.
    fn changing_sessions<'a>(&'a self, id: Option<&'a str>) -> SessionChange<'a> {
        SessionChange {
            session: self.caches.sessions.change(id),
            events: self.caches.events.change(id),
        }
    }

    /// The row `sql` selects with `keys` bound to `$1..`, decoded.
    async fn find_one<T>(
        &self,
        sql: &str,
        keys: &[&str],
        decode: fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        if !keys.iter().all(|k| crate::backend::storable_key(k)) {
            return Ok(None);
        }
        let query = keys.iter().fold(sqlx::query(sql), |q, key| q.bind(*key));
        let row = query.fetch_optional(&self.pool).await?;
        row.as_ref().map(decode).transpose()
    }

    /// Every row `sql` selects with `keys` bound to `$1..`, decoded.
    async fn find_all<T>(
        &self,
        sql: &str,
        keys: &[&str],
        decode: fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        if !keys.iter().all(|k| crate::backend::storable_key(k)) {
            return Ok(Vec::new());
        }
        let query = keys.iter().fold(sqlx::query(sql), |q, key| q.bind(*key));
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(decode)
            .collect()
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        self.backend
            .migrator()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Unavailable(e.into()))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        for pool in [&self.pool, &self.writer] {
            sqlx::query("SELECT 1 FROM api_keys LIMIT 1")
                .fetch_optional(pool)
                .await?;
        }
        Ok(())
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let sql = rows::insert_sql("api_keys", rows::API_KEY_COLUMNS);
        sqlx::query(&sql)
            .bind(&key.id)
            .bind(&key.name)
            .bind(&key.secret_hash)
            .bind(key.created_at_ms)
            .bind(key.disabled_at_ms)
            .bind(to_json(&key.redirect_urls))
            .bind(key.generation)
            .bind(&key.redirect_secret_sealed)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        if let Some(key) = self.caches.keys.get(id) {
            return Ok(Some(key));
        }
        let read = self.caches.keys.start_read();
        let sql = format!(
            "SELECT {} FROM api_keys WHERE id = $1",
            rows::API_KEY_COLUMNS
        );
        let key = self.find_one(&sql, &[id], rows::api_key).await?;
        if let Some(key) = &key {
            self.caches.keys.put(read, &key.id, key);
        }
        Ok(key)
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM api_keys ORDER BY created_at_ms, id",
            rows::API_KEY_COLUMNS
        );
        self.find_all(&sql, &[], rows::api_key).await
    }

    async fn set_api_key_disabled(
        &self,
        id: &str,
        disabled_at_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        let change = self.caches.keys.change(Some(id));
        let done = sqlx::query("UPDATE api_keys SET disabled_at_ms = $1 WHERE id = $2")
            .bind(disabled_at_ms)
            .bind(id)
            .execute(&self.writer)
            .await;
        change.finish();
        Ok(done?.rows_affected() == 1)
    }

    async fn set_api_key_secret_hash(
        &self,
        id: &str,
        secret_hash: &str,
    ) -> Result<bool, StoreError> {
        let change = self.caches.keys.change(Some(id));
        let done = sqlx::query(
            "UPDATE api_keys SET secret_hash = $1, generation = generation + 1 WHERE id = $2",
        )
        .bind(secret_hash)
        .bind(id)
        .execute(&self.writer)
        .await;
        change.finish();
        Ok(done?.rows_affected() == 1)
    }

    async fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        rows::insert_session_in(&mut tx, s).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        s: &SessionRecord,
        created: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.creations.create(s, created).await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM sessions WHERE id = $1 AND deleted_at_ms IS NULL",
            rows::SESSION_COLUMNS
        );
        self.find_one(&sql, &[id], rows::session).await
    }

    async fn session_for_key(
        &self,
        id: &str,
        api_key_id: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let mine = |s: SessionRecord| (s.api_key_id == api_key_id).then_some(s);
        let cache = &self.caches.sessions;
        if let Some(cached) = cache.get(id) {
            return Ok(mine(cached));
        }
        let read = cache.start_read();
        let sql = format!(
            "SELECT {} FROM sessions WHERE id = $1 AND deleted_at_ms IS NULL",
            rows::SESSION_COLUMNS
        );
        let found = self.find_one(&sql, &[id], rows::session).await?;
        if let Some(s) = &found {
            cache.put(read, id, s);
        }
        Ok(found.and_then(mine))
    }

    async fn session_by_link(&self, link_id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM sessions WHERE link_id = $1 AND deleted_at_ms IS NULL",
            rows::SESSION_COLUMNS
        );
        self.find_one(&sql, &[link_id], rows::session).await
    }

    async fn transition(
        &self,
        id: &str,
        to: SessionStatus,
        reason: Option<FailureReason>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let changing = self.changing_sessions(Some(id));
        let outcome = self.transition_guarded(id, to, reason, now_ms).await;
        changing.finish();
        outcome
    }

    async fn start_authorization(
        &self,
        auth: &AuthorizationRecord,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let changing = self.changing_sessions(Some(&auth.session_id));
        let outcome = self.start_authorization_tx(auth, now_ms).await;
        changing.finish();
        outcome
    }

    async fn consume_authorization(
        &self,
        state_hash: &str,
        binding_hash: &str,
        now_ms: i64,
    ) -> Result<Option<AuthorizationRecord>, StoreError> {
        let changing = self.changing_sessions(None);
        let outcome = self
            .consume_authorization_tx(state_hash, binding_hash, now_ms)
            .await;
        changing.finish();
        outcome
    }

    async fn put_upstream_token(&self, t: &UpstreamTokenRecord) -> Result<(), StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        put_upstream_token_in(&mut tx, t).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn upstream_token(
        &self,
        session_id: &str,
    ) -> Result<Option<UpstreamTokenRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM upstream_tokens WHERE session_id = $1",
            rows::UPSTREAM_TOKEN_COLUMNS
        );
        self.find_one(&sql, &[session_id], rows::upstream_token)
            .await
    }

    async fn mark_upstream_token_revoked(
        &self,
        session_id: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE upstream_tokens SET revoked_at_ms = $1 WHERE session_id = $2 AND revoked_at_ms IS NULL")
            .bind(now_ms)
            .bind(session_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn complete_session(&self, c: &CompletedSession) -> Result<bool, StoreError> {
        let changing = self.changing_sessions(Some(&c.session_id));
        let outcome = self.complete_session_tx(c).await;
        changing.finish();
        outcome
    }

    async fn documents(&self, session_id: &str) -> Result<Vec<DocumentRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM documents WHERE session_id = $1 ORDER BY created_at_ms, id",
            rows::DOCUMENT_COLUMNS
        );
        self.find_all(&sql, &[session_id], rows::document).await
    }

    async fn document(
        &self,
        session_id: &str,
        doc_type: DocType,
    ) -> Result<Option<DocumentRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM documents WHERE session_id = $1 AND doc_type = $2",
            rows::DOCUMENT_COLUMNS
        );
        self.find_one(&sql, &[session_id, doc_type.as_str()], rows::document)
            .await
    }

    async fn document_by_id(
        &self,
        document_id: &str,
    ) -> Result<Option<DocumentRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM documents WHERE id = $1",
            rows::DOCUMENT_COLUMNS
        );
        self.find_one(&sql, &[document_id], rows::document).await
    }

    async fn profile(&self, session_id: &str) -> Result<Option<ProfileRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM profiles WHERE session_id = $1",
            rows::PROFILE_COLUMNS
        );
        self.find_one(&sql, &[session_id], rows::profile).await
    }

    async fn data_key(&self, session_id: &str) -> Result<Option<DataKeyRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM data_keys WHERE session_id = $1",
            rows::DATA_KEY_COLUMNS
        );
        self.find_one(&sql, &[session_id], rows::data_key).await
    }

    async fn erase_session_data(&self, session_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let changing = self.changing_sessions(Some(session_id));
        let outcome = self.erase_session_data_tx(session_id, now_ms).await;
        changing.finish();
        outcome
    }

    async fn delete_session(
        &self,
        session_id: &str,
        api_key_id: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let changing = self.changing_sessions(Some(session_id));
        let outcome = self.delete_session_tx(session_id, api_key_id, now_ms).await;
        changing.finish();
        outcome
    }

    async fn sessions_due_for_erasure(
        &self,
        succeeded_before_ms: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.due_for_erasure(succeeded_before_ms, limit).await
    }

    async fn reseal_all(
        &self,
        reseal: &crate::Resealer<'_>,
        kek_id: &str,
    ) -> Result<u64, StoreError> {
        let changing = self.changing_sessions(None);
        // Keys hold a sealed redirect secret too.
        let keys = self.caches.keys.change(None);
        let outcome = self.reseal_all_tx(reseal, kek_id).await;
        keys.finish();
        changing.finish();
        outcome
    }

    async fn claim_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
        now_ms: i64,
    ) -> Result<crate::IdempotencyClaim, StoreError> {
        self.claim_key(api_key_id, key, request_hash, now_ms).await
    }

    async fn release_idempotency_key(
        &self,
        api_key_id: &str,
        key: &str,
        owner: &str,
    ) -> Result<(), StoreError> {
        self.release_key(api_key_id, key, owner).await
    }

    async fn insert_session_answering(
        &self,
        session: &SessionRecord,
        created: &AuditEntry,
        key: &str,
        owner: &str,
        response: &str,
    ) -> Result<bool, StoreError> {
        self.insert_session_answering_tx(session, created, key, owner, response)
            .await
    }

    async fn consume_callback(
        &self,
        state_hash: &str,
        binding_hash: &str,
        now_ms: i64,
        then: &crate::AfterCallback<'_>,
    ) -> Result<Option<crate::CallbackConsumed>, StoreError> {
        let changing = self.changing_sessions(None);
        let outcome = self
            .consume_callback_tx(state_hash, binding_hash, now_ms, then)
            .await;
        changing.finish();
        outcome
    }

    async fn take_code_for_exchange(
        &self,
        session_id: &str,
        now_ms: i64,
    ) -> Result<Option<crate::PendingExchange>, StoreError> {
        self.take_code_tx(session_id, now_ms).await
    }

    async fn store_exchange(
        &self,
        token: &UpstreamTokenRecord,
        documents_consented: &[DocType],
    ) -> Result<bool, StoreError> {
        let changing = self.changing_sessions(Some(&token.session_id));
        let outcome = self.store_exchange_tx(token, documents_consented).await;
        changing.finish();
        outcome
    }

    async fn sessions_due_for_expiry(
        &self,
        now_ms: i64,
        authorization_ttl_ms: i64,
        limit: i64,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.due_for_expiry(now_ms, authorization_ttl_ms, limit)
            .await
    }

    async fn enqueue_job(&self, job: &crate::NewJob, now_ms: i64) -> Result<String, StoreError> {
        self.enqueue(job, now_ms).await
    }

    async fn claim_jobs(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<crate::JobRecord>, StoreError> {
        self.claim(now_ms, lease_ms, limit).await
    }

    async fn finish_job(
        &self,
        id: &str,
        attempt: i64,
        outcome: &crate::JobOutcome,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.finish(id, attempt, outcome, now_ms).await
    }

    async fn renew_job_lease(
        &self,
        id: &str,
        attempt: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        self.renew(id, attempt, until_ms).await
    }

    async fn session_jobs(&self, session_id: &str) -> Result<Vec<crate::JobRecord>, StoreError> {
        self.jobs_of(session_id).await
    }

    async fn set_api_key_redirect_secret(
        &self,
        id: &str,
        redirect_secret_sealed: &[u8],
    ) -> Result<bool, StoreError> {
        let change = self.caches.keys.change(Some(id));
        let done = sqlx::query("UPDATE api_keys SET redirect_secret_sealed = $1 WHERE id = $2")
            .bind(redirect_secret_sealed)
            .bind(id)
            .execute(&self.writer)
            .await;
        change.finish();
        Ok(done?.rows_affected() == 1)
    }

    async fn insert_webhook_endpoint(
        &self,
        e: &crate::WebhookEndpointRecord,
    ) -> Result<(), StoreError> {
        self.insert_endpoint(e).await
    }

    async fn webhook_endpoints(
        &self,
        api_key_id: &str,
    ) -> Result<Vec<crate::WebhookEndpointRecord>, StoreError> {
        self.endpoints_of(api_key_id).await
    }

    async fn webhook_endpoint(
        &self,
        id: &str,
    ) -> Result<Option<crate::WebhookEndpointRecord>, StoreError> {
        self.endpoint_by_id(id).await
    }

    async fn remove_webhook_endpoint(
        &self,
        id: &str,
        api_key_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.remove_endpoint(id, api_key_id, now_ms).await
    }

    async fn rotate_webhook_secret(
        &self,
        id: &str,
        api_key_id: &str,
        secret_sealed: &[u8],
        previous_until_ms: i64,
    ) -> Result<bool, StoreError> {
        self.rotate_endpoint_secret(id, api_key_id, secret_sealed, previous_until_ms)
            .await
    }

    async fn claim_webhook_deliveries(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<crate::ClaimedDelivery>, StoreError> {
        self.claim_deliveries(owner, now_ms, lease_ms, limit).await
    }

    async fn finish_webhook_attempt(
        &self,
        delivery_id: &str,
        owner: &str,
        attempt: &crate::WebhookAttemptRecord,
        outcome: crate::DeliveryOutcome,
    ) -> Result<(), StoreError> {
        self.finish_attempt(delivery_id, owner, attempt, outcome)
            .await
    }

    async fn webhook_attempts(
        &self,
        endpoint_id: &str,
        limit: i64,
    ) -> Result<Vec<crate::WebhookAttemptRecord>, StoreError> {
        self.attempts_of(endpoint_id, limit).await
    }

    async fn prune_webhook_log(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.prune_log(before_ms).await
    }

    async fn redeliver_webhook(
        &self,
        endpoint_id: &str,
        api_key_id: &str,
        event_or_delivery_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.redeliver(endpoint_id, api_key_id, event_or_delivery_id, now_ms)
            .await
    }

    async fn session_events(
        &self,
        session_id: &str,
    ) -> Result<Vec<crate::SessionEventRecord>, StoreError> {
        let cache = &self.caches.events;
        if let Some(events) = cache.get(session_id) {
            return Ok(events);
        }
        let read = cache.start_read();
        let events = self.events_of(session_id).await?;
        cache.put(read, session_id, &events);
        Ok(events)
    }

    async fn funnel(&self, q: crate::FunnelQuery) -> Result<Vec<crate::KeyFunnel>, StoreError> {
        self.funnel_of(q).await
    }

    async fn failures(
        &self,
        since_ms: i64,
        limit: i64,
    ) -> Result<crate::FailureSummary, StoreError> {
        self.failures_since(since_ms, limit).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.append_audit_row(entry).await
    }

    async fn audit_log(
        &self,
        session_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_rows(session_id, limit).await
    }
}

/// Runs the guarding `UPDATE` a transaction opens with: whether it changed the one row it
/// names. When it did not, the caller rolls back and reports the change refused.
pub(crate) async fn guard<'q>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
) -> Result<bool, StoreError> {
    Ok(query.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Inside a transaction: stores a session's (sealed) upstream token, replacing any previous one.
pub(crate) async fn put_upstream_token_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    t: &UpstreamTokenRecord,
) -> Result<(), StoreError> {
    let sql = format!(
        "{} ON CONFLICT (session_id) DO UPDATE SET access_token_sealed = excluded.access_token_sealed, \
         refresh_token_sealed = excluded.refresh_token_sealed, expires_at_ms = excluded.expires_at_ms, \
         revoked_at_ms = excluded.revoked_at_ms",
        rows::insert_sql("upstream_tokens", rows::UPSTREAM_TOKEN_COLUMNS)
    );
    sqlx::query(&sql)
        .bind(&t.session_id)
        .bind(&t.access_token_sealed)
        .bind(&t.refresh_token_sealed)
        .bind(t.expires_at_ms)
        .bind(t.revoked_at_ms)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
