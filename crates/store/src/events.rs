//! Session events: one row per status change (and per erasure), written by [`record_event`]
//! inside the transaction that makes the change, so an event exists exactly when its change
//! committed. They are the session's history and the outbox webhooks are delivered from:
//! anything that must happen once per event (a delivery per endpoint) belongs in
//! [`record_event`], the one place events are written.

use crate::records::SessionEventRecord;
use crate::rows;
use crate::sql_store::SqlStore;
use crate::StoreError;
use digigate_core::SessionEventType;
use rand::RngCore;
use sqlx::{Any, Transaction};

pub(crate) const EVENT_COLUMNS: &str =
    "id, session_id, api_key_id, seq, type, status, reason, at_ms";

/// A fresh event id: `evt_` and 128 random bits in lowercase hex.
fn new_event_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("evt_{hex}")
}

/// Inside the transaction that just changed session `session_id`: appends its next event,
/// taking the API key, the status after the change and the failure reason from the session
/// row as the transaction sees it. Callers write it after their guarding `UPDATE` changed the
/// row, which holds the row's lock (PostgreSQL) or the write lock (SQLite) until commit, so
/// the next `seq` cannot be taken twice. Answers the event's id.
pub(crate) async fn record_event(
    tx: &mut Transaction<'_, Any>,
    session_id: &str,
    event_type: SessionEventType,
    at_ms: i64,
) -> Result<String, StoreError> {
    let id = new_event_id();
    let sql = format!(
        "INSERT INTO session_events ({EVENT_COLUMNS}) \
         SELECT $1, s.id, s.api_key_id, \
         (SELECT COALESCE(MAX(e.seq), 0) + 1 FROM session_events e WHERE e.session_id = $2), \
         $3, s.status, s.failure_reason, $4 FROM sessions s WHERE s.id = $2"
    );
    let written = sqlx::query(&sql)
        .bind(&id)
        .bind(session_id)
        .bind(event_type.as_str())
        .bind(at_ms)
        .execute(&mut **tx)
        .await?;
    if written.rows_affected() != 1 {
        // Callers record only after changing the row, so it exists; if not, stop the change.
        return Err(StoreError::Corrupt(
            "sessions.id of an event could not be read".to_owned(),
        ));
    }
    crate::outbox::fan_out_in(tx, &id).await?;
    Ok(id)
}

impl SqlStore {
    pub(crate) async fn events_of(
        &self,
        session_id: &str,
    ) -> Result<Vec<SessionEventRecord>, StoreError> {
        if !crate::backend::storable_key(session_id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM session_events WHERE session_id = $1 ORDER BY seq"
        );
        sqlx::query(&sql)
            .bind(session_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(rows::session_event)
            .collect()
    }
}
