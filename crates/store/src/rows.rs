//! How records map to columns: the column lists every query selects, the stored forms of
//! lists and options, and the decoding of rows back into records. A value that does not
//! decode is [`StoreError::Corrupt`], naming the column but never the value.

use crate::records::{
    ApiKeyRecord, AuthorizationRecord, DataKeyRecord, DocumentRecord, MissingDocument,
    ProfileRecord, SessionEventRecord, SessionRecord, UpstreamTokenRecord,
};
use crate::StoreError;
use digigate_core::{DocType, FailureReason, Flow, SessionEventType, SessionStatus};
use sqlx::any::AnyRow;
use sqlx::Row;

pub(crate) const API_KEY_COLUMNS: &str =
    "id, name, secret_hash, created_at_ms, disabled_at_ms, redirect_urls, generation, \
     redirect_secret_sealed";
pub(crate) const SESSION_COLUMNS: &str =
    "id, api_key_id, status, flow, doc_types, redirect_url, options, \
     consent_expiry_ms, link_id, link_expires_at_ms, created_at_ms, updated_at_ms, failure_reason, \
     documents_consented, documents_missing, erased_at_ms, expected_sealed";
pub(crate) const AUTHORIZATION_COLUMNS: &str =
    "state_hash, session_id, binding_hash, pkce_verifier_sealed, created_at_ms, expires_at_ms";
pub(crate) const UPSTREAM_TOKEN_COLUMNS: &str =
    "session_id, access_token_sealed, refresh_token_sealed, expires_at_ms, revoked_at_ms";
pub(crate) const DOCUMENT_COLUMNS: &str =
    "id, session_id, doc_type, content_type, size, sha256, uri, \
     issuer_id, issuer, description, last_modified, sealed, created_at_ms, \
     verification, normalised_sealed";
pub(crate) const PROFILE_COLUMNS: &str = "session_id, sealed";
pub(crate) const AUDIT_COLUMNS: &str = "at_ms, api_key_id, session_id, action, detail";
pub(crate) const DATA_KEY_COLUMNS: &str = "session_id, wrapped_key, kek_id, created_at_ms";

/// Inside a transaction: inserts a new session row.
pub(crate) async fn insert_session_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    s: &SessionRecord,
) -> Result<(), StoreError> {
    let sql = insert_sql("sessions", SESSION_COLUMNS);
    sqlx::query(&sql)
        .bind(&s.id)
        .bind(&s.api_key_id)
        .bind(s.status.as_str())
        .bind(s.flow.as_str())
        .bind(DocType::join(&s.doc_types))
        .bind(&s.redirect_url)
        .bind(to_json(&s.options))
        .bind(s.consent_expiry_ms)
        .bind(&s.link_id)
        .bind(s.link_expires_at_ms)
        .bind(s.created_at_ms)
        .bind(s.updated_at_ms)
        .bind(s.failure_reason.map(FailureReason::as_str))
        .bind(DocType::join(&s.documents_consented))
        .bind(to_json(&s.documents_missing))
        .bind(s.erased_at_ms)
        .bind(&s.expected_sealed)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `INSERT INTO {table} ({columns}) VALUES ($1, …, $n)`: a placeholder per column, bound in
/// the columns' order.
pub(crate) fn insert_sql(table: &str, columns: &str) -> String {
    insert_rows_sql(table, columns, 1)
}

/// The `INSERT` of `rows` rows into `table`, parameters bound row after row, each in the
/// columns' order.
pub(crate) fn insert_rows_sql(table: &str, columns: &str, rows: usize) -> String {
    format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
        values_placeholders(rows, columns.split(',').count())
    )
}

/// A column of `row`, or `Corrupt` naming `table.column`.
fn get<'r, T>(row: &'r AnyRow, table: &str, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(column).map_err(|_| corrupt(table, column))
}

fn corrupt(table: &str, column: &str) -> StoreError {
    StoreError::Corrupt(format!("{table}.{column} could not be read"))
}

/// Decodes a JSON text column.
fn json<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    table: &str,
    column: &str,
) -> Result<T, StoreError> {
    let text: String = get(row, table, column)?;
    serde_json::from_str(&text).map_err(|_| corrupt(table, column))
}

/// Encodes a value as the JSON text it is stored as.
/// The `VALUES` list of a multi-row `INSERT` of `rows` rows of `columns` columns:
/// `($1, $2), ($3, $4)` for two rows of two, parameters numbered row after row.
fn values_placeholders(rows: usize, columns: usize) -> String {
    let row = |r: usize| {
        let p: Vec<String> = (1..=columns)
            .map(|c| format!("${}", r * columns + c))
            .collect();
        format!("({})", p.join(", "))
    };
    (0..rows).map(row).collect::<Vec<_>>().join(", ")
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serializing our own plain structs and string lists cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

fn doc_type(row: &AnyRow, table: &str, column: &str) -> Result<DocType, StoreError> {
    let text: String = get(row, table, column)?;
    DocType::from_api_name(&text).ok_or_else(|| corrupt(table, column))
}

fn doc_types(row: &AnyRow, table: &str, column: &str) -> Result<Vec<DocType>, StoreError> {
    let text: String = get(row, table, column)?;
    DocType::parse_list(&text).ok_or_else(|| corrupt(table, column))
}

pub(crate) fn api_key(row: &AnyRow) -> Result<ApiKeyRecord, StoreError> {
    let t = "api_keys";
    Ok(ApiKeyRecord {
        id: get(row, t, "id")?,
        name: get(row, t, "name")?,
        secret_hash: get(row, t, "secret_hash")?,
        created_at_ms: get(row, t, "created_at_ms")?,
        disabled_at_ms: get(row, t, "disabled_at_ms")?,
        redirect_urls: json(row, t, "redirect_urls")?,
        generation: get(row, t, "generation")?,
        redirect_secret_sealed: get(row, t, "redirect_secret_sealed")?,
    })
}

pub(crate) fn session(row: &AnyRow) -> Result<SessionRecord, StoreError> {
    let t = "sessions";
    let status: String = get(row, t, "status")?;
    let flow: String = get(row, t, "flow")?;
    let failure_reason: Option<String> = get(row, t, "failure_reason")?;
    let failure_reason = match failure_reason {
        None => None,
        Some(r) => Some(FailureReason::parse(&r).ok_or_else(|| corrupt(t, "failure_reason"))?),
    };
    let missing: Vec<MissingDocument> = json(row, t, "documents_missing")?;
    Ok(SessionRecord {
        id: get(row, t, "id")?,
        api_key_id: get(row, t, "api_key_id")?,
        status: SessionStatus::parse(&status).ok_or_else(|| corrupt(t, "status"))?,
        flow: Flow::parse(&flow).ok_or_else(|| corrupt(t, "flow"))?,
        doc_types: doc_types(row, t, "doc_types")?,
        redirect_url: get(row, t, "redirect_url")?,
        options: json(row, t, "options")?,
        consent_expiry_ms: get(row, t, "consent_expiry_ms")?,
        link_id: get(row, t, "link_id")?,
        link_expires_at_ms: get(row, t, "link_expires_at_ms")?,
        created_at_ms: get(row, t, "created_at_ms")?,
        updated_at_ms: get(row, t, "updated_at_ms")?,
        failure_reason,
        documents_consented: doc_types(row, t, "documents_consented")?,
        documents_missing: missing,
        erased_at_ms: get(row, t, "erased_at_ms")?,
        expected_sealed: get(row, t, "expected_sealed")?,
    })
}

pub(crate) fn authorization(row: &AnyRow) -> Result<AuthorizationRecord, StoreError> {
    let t = "authorizations";
    Ok(AuthorizationRecord {
        state_hash: get(row, t, "state_hash")?,
        session_id: get(row, t, "session_id")?,
        binding_hash: get(row, t, "binding_hash")?,
        pkce_verifier_sealed: get(row, t, "pkce_verifier_sealed")?,
        created_at_ms: get(row, t, "created_at_ms")?,
        expires_at_ms: get(row, t, "expires_at_ms")?,
    })
}

pub(crate) fn upstream_token(row: &AnyRow) -> Result<UpstreamTokenRecord, StoreError> {
    let t = "upstream_tokens";
    Ok(UpstreamTokenRecord {
        session_id: get(row, t, "session_id")?,
        access_token_sealed: get(row, t, "access_token_sealed")?,
        refresh_token_sealed: get(row, t, "refresh_token_sealed")?,
        expires_at_ms: get(row, t, "expires_at_ms")?,
        revoked_at_ms: get(row, t, "revoked_at_ms")?,
    })
}

pub(crate) fn document(row: &AnyRow) -> Result<DocumentRecord, StoreError> {
    let t = "documents";
    Ok(DocumentRecord {
        id: get(row, t, "id")?,
        session_id: get(row, t, "session_id")?,
        doc_type: doc_type(row, t, "doc_type")?,
        content_type: get(row, t, "content_type")?,
        size: get(row, t, "size")?,
        sha256: get(row, t, "sha256")?,
        uri: get(row, t, "uri")?,
        issuer_id: get(row, t, "issuer_id")?,
        issuer: get(row, t, "issuer")?,
        description: get(row, t, "description")?,
        last_modified: get(row, t, "last_modified")?,
        sealed: get(row, t, "sealed")?,
        created_at_ms: get(row, t, "created_at_ms")?,
        verification: get(row, t, "verification")?,
        normalised_sealed: get(row, t, "normalised_sealed")?,
    })
}

pub(crate) fn profile(row: &AnyRow) -> Result<ProfileRecord, StoreError> {
    let t = "profiles";
    Ok(ProfileRecord {
        session_id: get(row, t, "session_id")?,
        sealed: get(row, t, "sealed")?,
    })
}

pub(crate) fn data_key(row: &AnyRow) -> Result<DataKeyRecord, StoreError> {
    let t = "data_keys";
    Ok(DataKeyRecord {
        session_id: get(row, t, "session_id")?,
        wrapped_key: get(row, t, "wrapped_key")?,
        kek_id: get(row, t, "kek_id")?,
        created_at_ms: get(row, t, "created_at_ms")?,
    })
}

pub(crate) fn session_event(row: &AnyRow) -> Result<SessionEventRecord, StoreError> {
    let t = "session_events";
    let event_type: String = get(row, t, "type")?;
    let status: String = get(row, t, "status")?;
    let reason: Option<String> = get(row, t, "reason")?;
    let reason = match reason {
        None => None,
        Some(r) => Some(FailureReason::parse(&r).ok_or_else(|| corrupt(t, "reason"))?),
    };
    Ok(SessionEventRecord {
        id: get(row, t, "id")?,
        session_id: get(row, t, "session_id")?,
        api_key_id: get(row, t, "api_key_id")?,
        seq: get(row, t, "seq")?,
        event_type: SessionEventType::parse(&event_type).ok_or_else(|| corrupt(t, "type"))?,
        status: SessionStatus::parse(&status).ok_or_else(|| corrupt(t, "status"))?,
        reason,
        at_ms: get(row, t, "at_ms")?,
    })
}
