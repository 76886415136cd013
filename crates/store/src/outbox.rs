//! The webhook outbox: one delivery per event and endpoint, written in the transaction that
//! records the event, and the delivery log.
//!
//! Deliveries are claimed with a lease (`lease_owner`, `lease_until_ms`) by one conditional
//! `UPDATE … RETURNING`; on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so several
//! instances never claim the same one. A delivery is claimable only when no earlier event of the
//! same session for the same endpoint is still pending, which keeps each session's events in
//! order per endpoint.

use crate::backend::Backend;
use crate::sql_store::SqlStore;
use crate::webhooks::get;
use crate::StoreError;
use sqlx::any::AnyRow;

/// The event a delivery carries, as `session_events` recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// The event id (`evt_…`), sent as `webhook-id` on every attempt.
    pub id: String,
    /// The session it is about.
    pub session_id: String,
    /// Its place among the session's events (deliveries per endpoint keep this order).
    pub seq: i64,
    /// `session.initialized`, `session.succeeded`, …
    pub event_type: String,
    /// The session's status after the change.
    pub status: String,
    /// The failure reason, if any.
    pub reason: Option<String>,
    /// When it happened, epoch milliseconds.
    pub at_ms: i64,
}

/// A delivery claimed for one attempt under a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// The delivery id (`{event_id}.{endpoint_id}`).
    pub id: String,
    /// The endpoint it goes to.
    pub endpoint_id: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// The event, as it was recorded.
    pub event: WebhookEvent,
}

/// What became of one attempt, and so of the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx: done.
    Delivered,
    /// It failed; try again at this time (epoch milliseconds).
    RetryAt(i64),
    /// It failed and the schedule is spent: given up.
    Abandoned,
}

/// One line of an endpoint's delivery log: an attempt, never the response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttemptRecord {
    /// The attempt's id.
    pub id: String,
    /// The delivery it belongs to.
    pub delivery_id: String,
    /// The endpoint it went to.
    pub endpoint_id: String,
    /// The event delivered (`webhook-id`).
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// When the attempt started, epoch milliseconds.
    pub attempted_at_ms: i64,
    /// How long it took, milliseconds.
    pub duration_ms: i64,
    /// The HTTP status the receiver answered, if it answered.
    pub http_status: Option<i64>,
    /// The class of failure when it did not answer (`timeout`, `connect`, `refused_target`, …).
    pub error: Option<String>,
    /// The delivery's state after the attempt's delivery was last updated (`pending`,
    /// `delivered`, `abandoned`).
    pub delivery_state: String,
}

/// Inside the transaction that records event `event_id` (`events::record_event`): one pending
/// delivery of it per active endpoint of its API key, so an event is never committed without
/// its deliveries, nor a delivery without its event.
pub(crate) async fn fan_out_in(
    conn: &mut sqlx::AnyConnection,
    event_id: &str,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, session_id, seq, event_type, \
         status, reason, event_at_ms, state, attempts, next_attempt_at_ms, created_at_ms) \
         SELECT e.id || '.' || w.id, e.id, w.id, e.session_id, e.seq, e.type, e.status, \
         e.reason, e.at_ms, 'pending', 0, e.at_ms, e.at_ms \
         FROM session_events e JOIN webhook_endpoints w \
         ON w.api_key_id = e.api_key_id AND w.removed_at_ms IS NULL WHERE e.id = $1",
    )
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The condition on deliveries `d` that may be claimed at the time bound as `now` (a
/// placeholder): pending, due, not leased, and the earliest pending event of their session for
/// their endpoint.
fn claimable(now: &str) -> String {
    format!(
        "d.state = 'pending' AND d.next_attempt_at_ms <= {now} \
         AND (d.lease_until_ms IS NULL OR d.lease_until_ms <= {now}) \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
           WHERE p.endpoint_id = d.endpoint_id AND p.session_id = d.session_id \
           AND p.seq < d.seq AND p.state = 'pending')"
    )
}

fn claimed(row: &AnyRow) -> Result<ClaimedDelivery, StoreError> {
    Ok(ClaimedDelivery {
        id: get(row, "id")?,
        endpoint_id: get(row, "endpoint_id")?,
        attempts: get(row, "attempts")?,
        event: WebhookEvent {
            id: get(row, "event_id")?,
            session_id: get(row, "session_id")?,
            seq: get(row, "seq")?,
            event_type: get(row, "event_type")?,
            status: get(row, "status")?,
            reason: get(row, "reason")?,
            at_ms: get(row, "event_at_ms")?,
        },
    })
}

fn attempt(row: &AnyRow) -> Result<WebhookAttemptRecord, StoreError> {
    Ok(WebhookAttemptRecord {
        id: get(row, "id")?,
        delivery_id: get(row, "delivery_id")?,
        endpoint_id: get(row, "endpoint_id")?,
        event_id: get(row, "event_id")?,
        event_type: get(row, "event_type")?,
        attempted_at_ms: get(row, "attempted_at_ms")?,
        duration_ms: get(row, "duration_ms")?,
        http_status: get(row, "http_status")?,
        error: get(row, "error")?,
        delivery_state: get(row, "state")?,
    })
}

impl SqlStore {
    pub(crate) async fn claim_deliveries(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        // Most polls find nothing: asked on the read pool first, they never take SQLite's one
        // writer (nor a PostgreSQL write transaction) for nothing.
        let due = sqlx::query(&format!(
            "SELECT d.id FROM webhook_deliveries d WHERE {} LIMIT 1",
            claimable("$1")
        ))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // A delivery waits while an earlier event of its session for the same endpoint is
        // still pending (being sent, or waiting for its next attempt).
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_owner = $1, lease_until_ms = $2 \
             WHERE id IN (SELECT d.id FROM webhook_deliveries d WHERE {} \
               ORDER BY d.next_attempt_at_ms, d.seq LIMIT $4{skip_locked}) \
             AND state = 'pending' AND (lease_until_ms IS NULL OR lease_until_ms <= $3) \
             RETURNING id, endpoint_id, attempts, event_id, session_id, seq, event_type, status, \
             reason, event_at_ms",
            claimable("$3")
        );
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let rows = sqlx::query(&sql)
            .bind(owner)
            .bind(now_ms + lease_ms)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut claimed: Vec<ClaimedDelivery> =
            rows.iter().map(claimed).collect::<Result<_, _>>()?;
        claimed.sort_by_key(|d| d.event.seq);
        Ok(claimed)
    }

    pub(crate) async fn finish_attempt(
        &self,
        delivery_id: &str,
        owner: &str,
        log: &WebhookAttemptRecord,
        outcome: DeliveryOutcome,
    ) -> Result<(), StoreError> {
        let (state, next) = match outcome {
            DeliveryOutcome::Delivered => ("delivered", None),
            DeliveryOutcome::RetryAt(at) => ("pending", Some(at)),
            DeliveryOutcome::Abandoned => ("abandoned", None),
        };
        let mut tx = self.backend.begin_write(&self.writer).await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, attempted_at_ms, \
             duration_ms, http_status, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&log.id)
        .bind(delivery_id)
        .bind(&log.endpoint_id)
        .bind(log.attempted_at_ms)
        .bind(log.duration_ms)
        .bind(log.http_status)
        .bind(&log.error)
        .execute(&mut *tx)
        .await?;
        // Only the holder of the lease moves the delivery on; a redelivery requested meanwhile
        // (which clears the lease) is not undone by this attempt's outcome.
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, \
             next_attempt_at_ms = COALESCE($2, next_attempt_at_ms), lease_owner = NULL, \
             lease_until_ms = NULL WHERE id = $3 AND lease_owner = $4",
        )
        .bind(state)
        .bind(next)
        .bind(delivery_id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn attempts_of(
        &self,
        endpoint_id: &str,
        limit: i64,
    ) -> Result<Vec<WebhookAttemptRecord>, StoreError> {
        if !crate::backend::storable_key(endpoint_id) {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT a.id, a.delivery_id, a.endpoint_id, d.event_id, d.event_type, \
             a.attempted_at_ms, a.duration_ms, a.http_status, a.error, d.state \
             FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
             WHERE a.endpoint_id = $1 ORDER BY a.attempted_at_ms DESC, a.id LIMIT $2",
        )
        .bind(endpoint_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(attempt)
        .collect()
    }

    pub(crate) async fn prune_log(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let finished = "SELECT id FROM webhook_deliveries \
             WHERE state <> 'pending' AND created_at_ms < $1";
        sqlx::query(&format!(
            "DELETE FROM webhook_attempts WHERE delivery_id IN ({finished})"
        ))
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        let pruned = sqlx::query(
            "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at_ms < $1",
        )
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(pruned.rows_affected())
    }

    pub(crate) async fn redeliver(
        &self,
        endpoint_id: &str,
        api_key_id: &str,
        event_or_delivery_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let keys = [endpoint_id, api_key_id, event_or_delivery_id];
        if !keys.iter().all(|k| crate::backend::storable_key(k)) {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at_ms = $1, \
             attempts = 0, lease_owner = NULL, lease_until_ms = NULL \
             WHERE endpoint_id = $2 AND (id = $3 OR event_id = $3) \
             AND endpoint_id IN (SELECT id FROM webhook_endpoints \
               WHERE api_key_id = $4 AND removed_at_ms IS NULL)",
        )
        .bind(now_ms)
        .bind(endpoint_id)
        .bind(event_or_delivery_id)
        .bind(api_key_id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
