//! `GET /kyc/digilocker/sessions/{id}/documents/{doc_type}`: Sandbox's `files[]` with signed,
//! short-lived digigate download links.

use super::extract::{succeeded_session, ApiPath, SessionData};
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{RawQuery, State};
use digigate_core::api::{DocumentAnswer, FileMetadata, FileRef, FILE_ENTITY};
use digigate_core::DocType;
use serde_json::Value;

/// The stored document of one type.
#[utoipa::path(
    get,
    path = "/kyc/digilocker/sessions/{session_id}/documents/{doc_type}",
    operation_id = "fetchDocument",
    tag = "digilocker",
    summary = "A consented document, as a signed short-lived download link",
    params(
        crate::openapi::SessionPath,
        crate::openapi::DocumentParams,
        crate::openapi::ApiHeaders
    ),
    responses((status = 200, description = "The document's file, its normalised fields and its verification.", body = digigate_core::api::Envelope<digigate_core::api::DocumentAnswer>), crate::openapi::DocumentErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn fetch_document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, doc_type)): ApiPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Data<DocumentAnswer>, ApiError> {
    let doc_type = DocType::from_api_name(&doc_type).ok_or_else(|| {
        ApiError::BadRequest(
            "Invalid doc_type: must be one of aadhaar, pan, driving_license".into(),
        )
    })?;
    let session = succeeded_session(&state, &caller, &id).await?;
    if let Some(m) = session
        .documents_missing
        .iter()
        .find(|m| m.doc_type == doc_type)
    {
        return Err(ApiError::DocumentUnavailable(doc_type, m.reason.clone()));
    }
    if !session.documents_consented.contains(&doc_type) {
        return Err(ApiError::ConsentNotProvided(doc_type));
    }
    let Some(doc) = state.inner.store.document(&session.id, doc_type).await? else {
        return Err(ApiError::Erased);
    };
    let cfg = &state.inner.config;
    let expires = chrono::Utc::now().timestamp() + cfg.download_ttl.as_secs() as i64;
    let url = cfg.public_link(&state.inner.links.sign(&doc.id, expires));
    let detail = Some(doc_type.as_str());
    audit::record(
        &state,
        Some(&caller.key.id),
        &session.id,
        Action::DocumentRead,
        detail,
    )
    .await?;
    let data = SessionData::open(&state, &session.id).await?;
    let mut document = data
        .normalised(&doc)?
        .map_or(Value::Null, |mut n| n["document"].take());
    if !wants_photo(raw.as_deref()) {
        if let Some(fields) = document.as_object_mut() {
            fields.remove("photo");
        }
    }
    let verification = doc
        .verification
        .as_deref()
        .map(serde_json::from_str::<Value>)
        .transpose()
        .map_err(ApiError::internal)?
        .unwrap_or(Value::Null);
    // Sandbox's fields stay as they are; beside them, an unverified document cannot be missed.
    let status = verification["status"].as_str().unwrap_or("unverified");
    let warning = (status != "verified").then(|| {
        let reason = verification["reason"].as_str().unwrap_or("unknown");
        format!(
            "The document's signature is {status} ({reason}): its contents are not proven to come from DigiLocker; do not rely on them."
        )
    });
    Ok(Data(DocumentAnswer {
        verified: status == "verified",
        warning,
        document,
        files: vec![FileRef {
            entity: FILE_ENTITY.to_owned(),
            metadata: FileMetadata {
                content_type: doc.content_type,
                last_modified: doc.last_modified,
                description: doc.description,
                issuer: doc.issuer,
                issuer_id: doc.issuer_id,
            },
            size: doc.size,
            url,
        }],
        verification,
    }))
}

/// Whether the query asks for the photo (`?include=photo`, also in a comma list).
fn wants_photo(query: Option<&str>) -> bool {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .any(|(k, v)| k == "include" && v.split(',').any(|part| part.trim() == "photo"))
}
