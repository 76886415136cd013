//! `GET /files/{document_id}`: serves the exact bytes DigiLocker returned, to the holder of a
//! valid signed link.

use super::extract::ApiPath;
use super::extract::SessionData;
use crate::audit::{self, Action};
use crate::error::ApiError;
use crate::links::LinkQuery;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Checks the link's signature and expiry, then decrypts and serves the document.
#[utoipa::path(
    get,
    path = "/files/{document_id}",
    operation_id = "downloadDocument",
    tag = "journey",
    summary = "The exact bytes DigiLocker returned, for the holder of a valid signed link",
    params(
        ("document_id" = String, Path, description = "From the signed link."),
        ("expires" = i64, Query, description = "From the signed link: its expiry, Unix seconds."),
        ("signature" = String, Query, description = "From the signed link.")
    ),
    responses(
        (status = 200, description = "The document, as an attachment.", content(
            (String = "application/xml"), (String = "application/pdf"), (String = "application/octet-stream")
        )),
        crate::openapi::DownloadErrors
    )
)]
pub async fn download(
    State(state): State<AppState>,
    ApiPath(document_id): ApiPath<String>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let Ok(Query(q)) = query else {
        return Err(ApiError::NotFound);
    };
    if document_id.len() > 64 || !state.inner.links.check(&document_id, &q, now) {
        return Err(ApiError::NotFound);
    }
    let store = &state.inner.store;
    let doc = store
        .document_by_id(&document_id)
        .await?
        .ok_or(ApiError::Erased)?;
    let bytes = SessionData::open(&state, &doc.session_id)
        .await?
        .document_bytes(&doc)?;
    let detail = Some(doc.doc_type.as_str());
    audit::record(
        &state,
        None,
        &doc.session_id,
        Action::DocumentDownloaded,
        detail,
    )
    .await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    let content_type = HeaderValue::from_str(&doc.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let name = format!("attachment; filename=\"{}\"", doc.doc_type.as_str());
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).expect("ascii"),
    );
    Ok(res)
}
