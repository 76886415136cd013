//! A new session as init and the SDK's create both make it: `created`, with a fresh consent
//! link, and nothing consented, fetched or erased yet.

use crate::error::ApiError;
use crate::journey::random_token;
use crate::AppState;
use digigate_core::{DocType, Flow, SessionOptions, SessionStatus};
use digigate_store::SessionRecord;

/// What the request asked for: the part of a new session that differs between init and the SDK.
pub(crate) struct Asked {
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// The documents asked for.
    pub doc_types: Vec<DocType>,
    /// Where the person is sent when the journey ends.
    pub redirect_url: String,
    /// Page options.
    pub options: SessionOptions,
    /// When consent lapses, epoch milliseconds.
    pub consent_expiry_ms: i64,
    /// The details the business expects, sealed with the KEK.
    pub expected_sealed: Option<Vec<u8>>,
}

/// The session `id` of the key `api_key_id`, made at `now`: its link is a random token that
/// lapses after the configured link TTL. None is made while an open circuit to DigiLocker
/// would fail its journey at the callback.
pub(crate) fn created(
    state: &AppState,
    id: String,
    api_key_id: &str,
    asked: Asked,
    now: i64,
) -> Result<SessionRecord, ApiError> {
    state
        .inner
        .breakers
        .journeys_can_start(std::time::Instant::now())?;
    let cfg = &state.inner.config;
    Ok(SessionRecord {
        id,
        api_key_id: api_key_id.to_owned(),
        status: SessionStatus::Created,
        flow: asked.flow,
        doc_types: asked.doc_types,
        redirect_url: asked.redirect_url,
        options: asked.options,
        consent_expiry_ms: asked.consent_expiry_ms,
        link_id: random_token(),
        link_expires_at_ms: now + cfg.link_ttl.as_millis() as i64,
        created_at_ms: now,
        updated_at_ms: now,
        failure_reason: None,
        documents_consented: Vec::new(),
        documents_missing: Vec::new(),
        erased_at_ms: None,
        expected_sealed: asked.expected_sealed,
    })
}
