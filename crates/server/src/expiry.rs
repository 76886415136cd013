//! When a session lapses: an unopened link after `link_ttl`; an opened one once its
//! authorization could no longer be valid; any unfinished session at the consent expiry.

use crate::config::GatewayConfig;
use crate::envelope::now_ms;
use crate::AppState;
use digigate_core::SessionStatus;
use digigate_store::{SessionRecord, StoreError};

/// Whether `s` should be `expired` at `now_ms`.
pub fn expiry_due(s: &SessionRecord, cfg: &GatewayConfig, now_ms: i64) -> bool {
    let auth_ttl = cfg.authorization_ttl.as_millis() as i64;
    match s.status {
        SessionStatus::Created => now_ms >= s.link_expires_at_ms.min(s.consent_expiry_ms),
        SessionStatus::Initialized => {
            now_ms >= (s.link_expires_at_ms + auth_ttl).min(s.consent_expiry_ms)
        }
        SessionStatus::Authorized => now_ms >= s.consent_expiry_ms,
        _ => false,
    }
}

/// Moves a lapsed session to `expired` and returns it as stored now.
pub async fn expire_if_due(
    state: &AppState,
    s: SessionRecord,
) -> Result<SessionRecord, StoreError> {
    let now = now_ms();
    if !expiry_due(&s, &state.inner.config, now) {
        return Ok(s);
    }
    let store = &state.inner.store;
    if store
        .transition(&s.id, SessionStatus::Expired, None, now)
        .await?
    {
        tracing::info!(session_id = %s.id, "session expired");
        state.transition_committed(SessionStatus::Expired, None);
    }
    Ok(store.session(&s.id).await?.unwrap_or(s))
}

/// How many lapsed sessions one sweep moves at most; the next tick takes the rest.
const EXPIRY_BATCH: i64 = 500;

/// Moves every session whose link or consent window has lapsed to `expired` (each move writes
/// its `session.expired` event), so sessions expire on time without a request reading them.
/// Run by the job runner's tick; answers how many sessions it expired.
pub async fn expire_lapsed(state: &AppState) -> Result<usize, StoreError> {
    let (store, cfg) = (&state.inner.store, &state.inner.config);
    let now = now_ms();
    let auth_ttl = cfg.authorization_ttl.as_millis() as i64;
    let mut expired = 0;
    for s in store
        .sessions_due_for_expiry(now, auth_ttl, EXPIRY_BATCH)
        .await?
    {
        if expiry_due(&s, cfg, now)
            && store
                .transition(&s.id, SessionStatus::Expired, None, now)
                .await?
        {
            tracing::info!(session_id = %s.id, "session expired");
            state.transition_committed(SessionStatus::Expired, None);
            expired += 1;
        }
    }
    Ok(expired)
}
