//! The address the person is sent back to when the journey ends: the business's `redirect_url`
//! with the session's id and status appended (Sandbox's parameters).

use digigate_core::SessionStatus;
use digigate_store::SessionRecord;

/// `session.redirect_url` with `session_id` and `status` appended, or `None` when the stored
/// address no longer parses (it was checked at init, so this means the record is damaged).
pub fn to_business(session: &SessionRecord, status: SessionStatus) -> Option<String> {
    let mut location = url::Url::parse(&session.redirect_url).ok()?;
    location
        .query_pairs_mut()
        .append_pair("session_id", &session.id)
        .append_pair("status", status.as_str());
    Some(location.into())
}
