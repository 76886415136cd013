//! `GET /kyc/digilocker/sessions/{id}/status`.

use super::extract::{caller_session, ApiPath};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use digigate_core::{DocType, SessionEventType, SessionStatus};
use serde_json::{json, Value};

/// The session's status in Sandbox's shape, plus `updated_at`, `history` (every status with
/// the time it was entered: `created` from the session, the rest from its events) and, when
/// failed, `reason` and `retryable`.
pub async fn session_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Data<Value>, ApiError> {
    let s = caller_session(&state, &caller, &id).await?;
    let mut data = json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session",
        "id": s.id,
        "status": s.status.as_str(),
        "created_at": s.created_at_ms,
        "updated_at": s.updated_at_ms,
    });
    if s.status == SessionStatus::Succeeded {
        let consented: Vec<&str> = s
            .documents_consented
            .iter()
            .map(|d: &DocType| d.as_str())
            .collect();
        data["documents_consented"] = json!(consented);
        if !s.documents_missing.is_empty() {
            data["documents_missing"] = json!(s.documents_missing);
        }
        if s.erased_at_ms.is_some() {
            data["erased_at"] = json!(s.erased_at_ms);
        }
    }
    if let Some(reason) = s.failure_reason {
        data["reason"] = json!(reason.as_str());
        data["retryable"] = json!(reason.is_retryable());
    }
    // A session still `created` has no events (the first is `session.initialized`), so the
    // most frequent poll, before the person opens the link, costs no second query.
    let events = if s.status == SessionStatus::Created {
        Vec::new()
    } else {
        state.inner.store.session_events(&s.id).await?
    };
    let mut history =
        vec![json!({"status": SessionStatus::Created.as_str(), "at": s.created_at_ms})];
    // Erasure is an event but no status: the history lists statuses.
    history.extend(
        events
            .iter()
            .filter(|e| e.event_type != SessionEventType::Erased)
            .map(|e| json!({"status": e.status.as_str(), "at": e.at_ms})),
    );
    data["history"] = Value::Array(history);
    Ok(Data(data))
}
