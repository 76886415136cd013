//! Webhook endpoints: where an API key's events go, with their sealed signing secrets. The
//! outbox of deliveries and the delivery log are in `outbox.rs`.

use crate::sql_store::{guard, SqlStore};
use crate::StoreError;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::fmt;

/// Where an API key's events are delivered.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpointRecord {
    /// The endpoint id (`we_…`).
    pub id: String,
    /// The API key whose events it receives.
    pub api_key_id: String,
    /// The target URL (checked when added and again at every delivery).
    pub url: String,
    /// The signing secret, sealed with the KEK (never shown by `Debug`).
    pub secret_sealed: Vec<u8>,
    /// The secret before the last rotation, still signing until `previous_secret_until_ms`.
    pub previous_secret_sealed: Option<Vec<u8>>,
    /// Until when the previous secret signs too, epoch milliseconds.
    pub previous_secret_until_ms: Option<i64>,
    /// When it was added, epoch milliseconds.
    pub created_at_ms: i64,
    /// When it was removed; a removed endpoint gets no new deliveries.
    pub removed_at_ms: Option<i64>,
}

impl fmt::Debug for WebhookEndpointRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpointRecord")
            .field("id", &self.id)
            .field("api_key_id", &self.api_key_id)
            .field("previous_secret_until_ms", &self.previous_secret_until_ms)
            .field("created_at_ms", &self.created_at_ms)
            .field("removed_at_ms", &self.removed_at_ms)
            .finish_non_exhaustive()
    }
}

const ENDPOINT_COLUMNS: &str = "id, api_key_id, url, secret_sealed, previous_secret_sealed, \
     previous_secret_until_ms, created_at_ms, removed_at_ms";

fn corrupt(column: &str) -> StoreError {
    StoreError::Corrupt(format!("webhooks.{column} could not be read"))
}

/// A column of a webhook row, or `Corrupt` naming the column (never the value).
pub(crate) fn get<'r, T>(row: &'r AnyRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(column).map_err(|_| corrupt(column))
}

fn endpoint(row: &AnyRow) -> Result<WebhookEndpointRecord, StoreError> {
    Ok(WebhookEndpointRecord {
        id: get(row, "id")?,
        api_key_id: get(row, "api_key_id")?,
        url: get(row, "url")?,
        secret_sealed: get(row, "secret_sealed")?,
        previous_secret_sealed: get(row, "previous_secret_sealed")?,
        previous_secret_until_ms: get(row, "previous_secret_until_ms")?,
        created_at_ms: get(row, "created_at_ms")?,
        removed_at_ms: get(row, "removed_at_ms")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_endpoint(
        &self,
        e: &WebhookEndpointRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&e.id)
        .bind(&e.api_key_id)
        .bind(&e.url)
        .bind(&e.secret_sealed)
        .bind(&e.previous_secret_sealed)
        .bind(e.previous_secret_until_ms)
        .bind(e.created_at_ms)
        .bind(e.removed_at_ms)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub(crate) async fn endpoints_of(
        &self,
        api_key_id: &str,
    ) -> Result<Vec<WebhookEndpointRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints \
             WHERE api_key_id = $1 AND removed_at_ms IS NULL ORDER BY created_at_ms, id"
        ))
        .bind(api_key_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(endpoint)
        .collect()
    }

    pub(crate) async fn endpoint_by_id(
        &self,
        id: &str,
    ) -> Result<Option<WebhookEndpointRecord>, StoreError> {
        if !crate::backend::storable_key(id) {
            return Ok(None);
        }
        sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(endpoint)
        .transpose()
    }

    pub(crate) async fn remove_endpoint(
        &self,
        id: &str,
        api_key_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let guarding = sqlx::query(
            "UPDATE webhook_endpoints SET removed_at_ms = $1 \
             WHERE id = $2 AND api_key_id = $3 AND removed_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(id)
        .bind(api_key_id);
        if !guard(&mut tx, guarding).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        // What was still to be sent to it is given up rather than sent to a removed endpoint.
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'abandoned', lease_owner = NULL, \
             lease_until_ms = NULL WHERE endpoint_id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn rotate_endpoint_secret(
        &self,
        id: &str,
        api_key_id: &str,
        secret_sealed: &[u8],
        previous_until_ms: i64,
    ) -> Result<bool, StoreError> {
        // SET expressions read the row as it was: the current secret becomes the previous one.
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, \
             previous_secret_until_ms = $1, secret_sealed = $2 \
             WHERE id = $3 AND api_key_id = $4 AND removed_at_ms IS NULL",
        )
        .bind(previous_until_ms)
        .bind(secret_sealed)
        .bind(id)
        .bind(api_key_id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
