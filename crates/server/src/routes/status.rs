//! `GET /kyc/digilocker/sessions/{id}/status`.

use super::extract::{caller_session, ApiPath};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::{HistoryEntry, MissingDocument, SessionStatusData, SESSION_ENTITY};
use digigate_core::{SessionEventType, SessionStatus};

/// The session's status in Sandbox's shape, plus `updated_at`, `history` (every status with
/// the time it was entered: `created` from the session, the rest from its events) and, when
/// failed, `reason` and `retryable`.
#[utoipa::path(
    get,
    path = "/kyc/digilocker/sessions/{session_id}/status",
    operation_id = "sessionStatus",
    tag = "digilocker",
    summary = "The session's status and, once it succeeded, the documents consented to",
    params(crate::openapi::SessionPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The session.", body = digigate_core::api::Envelope<digigate_core::api::SessionStatusData>), crate::openapi::CallerErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn session_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Data<SessionStatusData>, ApiError> {
    let s = caller_session(&state, &caller, &id).await?;
    let succeeded = s.status == SessionStatus::Succeeded;
    let missing: Vec<MissingDocument> = s
        .documents_missing
        .iter()
        .map(|m| MissingDocument {
            doc_type: m.doc_type,
            reason: m.reason.clone(),
        })
        .collect();
    // A session still `created` has no events (the first is `session.initialized`), so the
    // most frequent poll, before the person opens the link, costs no second query.
    let events = if s.status == SessionStatus::Created {
        Vec::new()
    } else {
        state.inner.store.session_events(&s.id).await?
    };
    let mut history = vec![HistoryEntry {
        at: s.created_at_ms,
        status: SessionStatus::Created.as_str().to_owned(),
    }];
    // Erasure is an event but no status: the history lists statuses.
    history.extend(
        events
            .iter()
            .filter(|e| e.event_type != SessionEventType::Erased)
            .map(|e| HistoryEntry {
                at: e.at_ms,
                status: e.status.as_str().to_owned(),
            }),
    );
    Ok(Data(SessionStatusData {
        entity: SESSION_ENTITY.to_owned(),
        created_at: s.created_at_ms,
        documents_consented: succeeded.then(|| s.documents_consented.clone()),
        documents_missing: (succeeded && !missing.is_empty()).then_some(missing),
        erased_at: s.erased_at_ms.filter(|_| succeeded),
        history,
        id: s.id,
        reason: s.failure_reason.map(|r| r.as_str().to_owned()),
        retryable: s.failure_reason.map(|r| r.is_retryable()),
        status: s.status.as_str().to_owned(),
        updated_at: s.updated_at_ms,
    }))
}
