//! The address the person is sent back to when the journey ends: the business's `redirect_url`
//! with the session's id and status appended (Sandbox's parameters), then `ts` and `sig`, the
//! signature that lets the business trust them (`docs/redirect.md`).

use crate::webhooks::SigningSecret;
use crate::AppState;
use digigate_core::SessionStatus;
use digigate_store::{SealedKind, SessionRecord, StoreError};

/// `session.redirect_url` with `session_id` and `status` appended, then, when the key has a
/// redirect secret, `ts` (`now_secs`, Unix seconds) and `sig` = `v1,` + base64 of HMAC-SHA256
/// over `"{session_id}.{status}.{ts}"`. `None` when the stored address no longer parses (it was
/// checked at init, so this means the record is damaged).
pub fn to_business(
    session: &SessionRecord,
    status: SessionStatus,
    secret: Option<&SigningSecret>,
    now_secs: i64,
) -> Option<String> {
    let mut location = url::Url::parse(&session.redirect_url).ok()?;
    {
        let mut query = location.query_pairs_mut();
        query
            .append_pair("session_id", &session.id)
            .append_pair("status", status.as_str());
        if let Some(secret) = secret {
            let signed = format!("{}.{}.{now_secs}", session.id, status.as_str());
            query
                .append_pair("ts", &now_secs.to_string())
                .append_pair("sig", &secret.sign(signed.as_bytes()));
        }
    }
    Some(location.into())
}

/// Where to send the person of `session` now that it is `status`: [`to_business`] signed with
/// its key's redirect secret at the current time. `Ok(None)` when the stored address no longer
/// parses. Every page that sends the person back calls this.
pub async fn for_session(
    state: &AppState,
    session: &SessionRecord,
    status: SessionStatus,
) -> Result<Option<String>, StoreError> {
    let secret = redirect_secret(state, &session.api_key_id).await?;
    let now_secs = chrono::Utc::now().timestamp();
    Ok(to_business(session, status, secret.as_ref(), now_secs))
}

/// The redirect secret of an API key, opened; `None` for a key that has none yet (its
/// redirects stay unsigned until `digigate keys rotate-redirect-secret`).
pub async fn redirect_secret(
    state: &AppState,
    api_key_id: &str,
) -> Result<Option<SigningSecret>, StoreError> {
    let Some(key) = state.inner.store.api_key(api_key_id).await? else {
        return Ok(None);
    };
    let Some(sealed) = key.redirect_secret_sealed else {
        return Ok(None);
    };
    SigningSecret::open(
        &state.inner.vault,
        SealedKind::RedirectSecret,
        api_key_id,
        &sealed,
    )
    .map(Some)
    // Sending the person on unsigned would pass a forgeable redirect off as a checked one.
    .map_err(|_| StoreError::Corrupt("api_keys.redirect_secret_sealed could not be opened".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use digigate_core::{Flow, SessionOptions};

    fn session(redirect_url: &str) -> SessionRecord {
        SessionRecord {
            id: "sess_1".into(),
            api_key_id: "key_test_1".into(),
            status: SessionStatus::Succeeded,
            flow: Flow::Signin,
            doc_types: vec![],
            redirect_url: redirect_url.into(),
            options: SessionOptions::default(),
            consent_expiry_ms: 0,
            link_id: "l".into(),
            link_expires_at_ms: 0,
            created_at_ms: 0,
            updated_at_ms: 0,
            failure_reason: None,
            documents_consented: vec![],
            documents_missing: vec![],
            erased_at_ms: None,
            expected_sealed: None,
        }
    }

    #[test]
    fn the_signature_follows_sandboxs_parameters_and_covers_id_status_and_time() {
        let secret = SigningSecret::generate();
        let s = session("https://shop.example/done?order=7");
        let at = to_business(&s, SessionStatus::Succeeded, Some(&secret), 1_700_000_000).unwrap();
        let url = url::Url::parse(&at).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["order", "session_id", "status", "ts", "sig"]);
        assert_eq!(pairs[3].1, "1700000000");
        assert_eq!(
            pairs[4].1,
            secret.sign(b"sess_1.succeeded.1700000000"),
            "{at}"
        );
        let unsigned = to_business(&s, SessionStatus::Failed, None, 1).unwrap();
        assert_eq!(
            unsigned,
            "https://shop.example/done?order=7&session_id=sess_1&status=failed"
        );
    }
}
