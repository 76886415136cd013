//! `GET /kyc/digilocker/sessions/{id}/checks`: name, date of birth and gender compared across
//! the fetched documents, the DigiLocker profile and what the business expected at init.
//! Only documents whose signature verified count as evidence; the others are listed with their
//! standing, and without enough evidence the answer is `insufficient`, never `match`.

use super::extract::{succeeded_session, ApiPath, SessionData};
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::envelope::Data;
use crate::error::ApiError;
use crate::vault::kek_context;
use crate::AppState;
use axum::extract::State;
use digigate_core::api::{CheckReport, SourceStanding, CHECKS_ENTITY};
use digigate_documents::checks::{compare, Standing, Subject};
use digigate_documents::parse::{parse_dob, parse_gender};
use digigate_store::SealedKind;
use serde_json::Value;

/// A subject from a flat `{name, date_of_birth, gender}` object in any supported format.
fn subject(source: &str, standing: Standing, v: &Value) -> Subject {
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    Subject {
        source: source.to_owned(),
        name: text("name").map(str::to_owned),
        date_of_birth: text("date_of_birth").and_then(parse_dob),
        gender: text("gender").and_then(parse_gender),
        standing,
    }
}

/// The standing a stored verification report earns its document: only `verified` is evidence.
fn standing_of(verification: Option<&str>) -> Standing {
    let status = verification
        .and_then(|v| serde_json::from_str::<Value>(v).ok())
        .and_then(|v| v["status"].as_str().map(str::to_owned));
    match status.as_deref() {
        Some("verified") => Standing::Verified,
        Some("failed") => Standing::Failed,
        _ => Standing::Unverified,
    }
}

/// The cross-document check report of a succeeded session.
#[utoipa::path(
    get,
    path = "/kyc/digilocker/sessions/{session_id}/checks",
    operation_id = "sessionChecks",
    tag = "digilocker",
    summary = "Name, date of birth and gender compared across the documents, the profile and `expected`",
    params(crate::openapi::SessionPath, crate::openapi::ApiHeaders),
    responses((status = 200, description = "The check report.", body = digigate_core::api::Envelope<digigate_core::api::CheckReport>), crate::openapi::ResultErrors),
    security(("apiKey" = [], "accessToken" = []))
)]
pub async fn session_checks(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Data<CheckReport>, ApiError> {
    let session = succeeded_session(&state, &caller, &id).await?;
    let data = SessionData::open(&state, &session.id).await?;
    let mut subjects = Vec::new();
    for doc in state.inner.store.documents(&session.id).await? {
        let standing = standing_of(doc.verification.as_deref());
        let mut found = match data.normalised(&doc)? {
            Some(mut n) => serde_json::from_value::<Subject>(n["subject"].take())
                .map_err(ApiError::internal)?,
            // A document that failed verification is never parsed; it is still listed.
            None => Subject {
                source: doc.doc_type.as_str().to_owned(),
                ..Subject::default()
            },
        };
        found.standing = standing;
        subjects.push(found);
    }
    subjects.push(subject(
        "profile",
        Standing::Unsigned,
        &data.profile(&state).await?,
    ));
    if let Some(sealed) = &session.expected_sealed {
        let context = kek_context(SealedKind::Expected, &session.id);
        let plain = state
            .inner
            .vault
            .open_secret(&context, sealed)
            .map_err(ApiError::internal)?;
        let expected: Value = serde_json::from_slice(&plain).map_err(ApiError::internal)?;
        subjects.push(subject("expected", Standing::Claimed, &expected));
    }
    let report = compare(&subjects);
    audit::record(
        &state,
        Some(&caller.key.id),
        &session.id,
        Action::ChecksRead,
        None,
    )
    .await?;
    Ok(Data(CheckReport {
        entity: CHECKS_ENTITY.to_owned(),
        fields: serde_json::to_value(&report.fields).map_err(ApiError::internal)?,
        outcome: word(&report.outcome)?,
        session_id: session.id,
        sources: subjects.iter().map(|s| s.source.clone()).collect(),
        standings: subjects
            .iter()
            .map(|s| {
                Ok(SourceStanding {
                    source: s.source.clone(),
                    standing: word(&s.standing)?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    }))
}

/// The wire word of a unit enum the documents crate serialises (`match`, `verified`, …).
fn word(v: &impl serde::Serialize) -> Result<String, ApiError> {
    match serde_json::to_value(v).map_err(ApiError::internal)? {
        Value::String(s) => Ok(s),
        other => Err(ApiError::Internal(
            format!("expected a word, got {other}").into(),
        )),
    }
}
