//! Re-sealing everything sealed with the key-encryption key, in one transaction, so a key
//! rotation either re-wraps every value or none.

use crate::sql_store::SqlStore;
use crate::StoreError;
use sqlx::Row;

/// Which kind of KEK-sealed value is being re-sealed (the caller derives its AAD from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedKind {
    /// A session's wrapped data key.
    DataKey,
    /// A DigiLocker access token.
    AccessToken,
    /// A DigiLocker refresh token.
    RefreshToken,
    /// A pending authorization's PKCE verifier.
    PkceVerifier,
    /// The business's expected details of a session.
    Expected,
    /// DigiLocker's authorization code, kept from the callback until the fetch job sends it.
    AuthorizationCode,
    /// An API key's redirect signing secret (the owner id is the key's id).
    RedirectSecret,
    /// A webhook endpoint's signing secret, current or previous (the owner id is the endpoint's
    /// id; both columns share the context, so a rotation moves the current one unchanged).
    WebhookSecret,
}

/// Re-seals one value: `(kind, session id, sealed)` → the value sealed under the new key, or
/// `None` when it cannot be opened (the whole rotation is then abandoned).
pub type Resealer<'a> = dyn Fn(SealedKind, &str, &[u8]) -> Option<Vec<u8>> + Send + Sync + 'a;

/// (table, row key column, sealed column, kind)
const SEALED_COLUMNS: [(&str, &str, &str, SealedKind); 10] = [
    (
        "data_keys",
        "session_id",
        "wrapped_key",
        SealedKind::DataKey,
    ),
    (
        "upstream_tokens",
        "session_id",
        "access_token_sealed",
        SealedKind::AccessToken,
    ),
    (
        "upstream_tokens",
        "session_id",
        "refresh_token_sealed",
        SealedKind::RefreshToken,
    ),
    (
        "authorizations",
        "state_hash",
        "pkce_verifier_sealed",
        SealedKind::PkceVerifier,
    ),
    ("sessions", "id", "expected_sealed", SealedKind::Expected),
    (
        "code_exchanges",
        "session_id",
        "code_sealed",
        SealedKind::AuthorizationCode,
    ),
    (
        "code_exchanges",
        "session_id",
        "pkce_verifier_sealed",
        SealedKind::PkceVerifier,
    ),
    (
        "api_keys",
        "id",
        "redirect_secret_sealed",
        SealedKind::RedirectSecret,
    ),
    (
        "webhook_endpoints",
        "id",
        "secret_sealed",
        SealedKind::WebhookSecret,
    ),
    (
        "webhook_endpoints",
        "id",
        "previous_secret_sealed",
        SealedKind::WebhookSecret,
    ),
];

impl SqlStore {
    pub(crate) async fn reseal_all_tx(
        &self,
        reseal: &Resealer<'_>,
        kek_id: &str,
    ) -> Result<u64, StoreError> {
        let mut tx = self.backend.begin_write(&self.writer).await?;
        let mut count = 0;
        for (table, key, column, kind) in SEALED_COLUMNS {
            let session = if table == "authorizations" {
                "session_id"
            } else {
                key
            };
            let sql = format!("SELECT {key} AS k, {session} AS s, {column} AS v FROM {table} WHERE {column} IS NOT NULL");
            let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
            for row in rows {
                let bad = |_| StoreError::Corrupt(format!("{table}.{column} could not be read"));
                let (k, s, v): (String, String, Vec<u8>) = (
                    row.try_get("k").map_err(bad)?,
                    row.try_get("s").map_err(bad)?,
                    row.try_get("v").map_err(bad)?,
                );
                let Some(new) = reseal(kind, &s, &v) else {
                    tx.rollback().await?;
                    return Err(StoreError::Corrupt(format!(
                        "{table}.{column} could not be opened with the current key"
                    )));
                };
                sqlx::query(&format!(
                    "UPDATE {table} SET {column} = $1 WHERE {key} = $2"
                ))
                .bind(new)
                .bind(&k)
                .execute(&mut *tx)
                .await?;
                count += 1;
            }
        }
        sqlx::query("UPDATE data_keys SET kek_id = $1")
            .bind(kek_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(count)
    }
}
