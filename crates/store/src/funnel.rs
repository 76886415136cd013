//! What the operator page shows, read from `sessions` and `session_events`: the consent funnel
//! of the sessions created in a window, per API key, and the recent failures by reason.
//!
//! Both are counts and identifiers only (key ids, session ids, statuses, reason codes, times),
//! never anything about a person. Both are aggregated in SQL, so a week of traffic is a few
//! rows per key, not a row per session.

use crate::sql_store::SqlStore;
use crate::StoreError;
use digigate_core::FailureReason;
use sqlx::Row;

/// Which sessions a funnel counts, and the lifecycle rules that say when an unfinished one has
/// lapsed (the same rules as the server's `expiry::expiry_due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunnelQuery {
    /// Sessions created at or after this time (epoch milliseconds) are counted.
    pub since_ms: i64,
    /// "Now": an unfinished session whose time is up at this moment counts as expired, as its
    /// status would answer if it were read now.
    pub now_ms: i64,
    /// How long an authorization stays valid after its link was opened (the server's
    /// `authorization_ttl`), which bounds how long an opened session may wait for DigiLocker.
    pub authorization_ttl_ms: i64,
}

/// How far the sessions of one API key created in the window got. Each later stage counts a
/// subset of the earlier one's sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFunnel {
    /// The API key the sessions belong to.
    pub api_key_id: String,
    /// Sessions created (`POST …/sessions/init`).
    pub created: i64,
    /// Sessions whose link the person opened and was sent on to DigiLocker from.
    pub link_opened: i64,
    /// Sessions DigiLocker sent the person back from (with consent or with a refusal).
    pub returned: i64,
    /// Sessions whose documents were stored.
    pub succeeded: i64,
    /// Failed sessions by reason, most frequent first (then by reason code).
    pub failed: Vec<(FailureReason, i64)>,
    /// Sessions that lapsed before finishing (marked `expired`, or due to be).
    pub expired: i64,
    /// Sessions still under way (neither finished nor lapsed).
    pub in_progress: i64,
}

impl KeyFunnel {
    /// Every failed session, whatever the reason.
    pub fn failed_total(&self) -> i64 {
        self.failed.iter().map(|(_, n)| n).sum()
    }
}

/// How sessions ended without documents: `Some(reason)` for a failure, `None` for expiry.
pub type Ending = Option<FailureReason>;

/// How many sessions ended one way since a time, and when the last one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingCount {
    /// The failure reason, or `None` for sessions that expired.
    pub ending: Ending,
    /// How many sessions ended this way.
    pub count: i64,
    /// When the latest of them did, epoch milliseconds.
    pub last_at_ms: i64,
}

/// One session that ended without documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentFailure {
    /// When it ended, epoch milliseconds.
    pub at_ms: i64,
    /// The session (an opaque id the operator can look up with `digigate session status`).
    pub session_id: String,
    /// Its API key.
    pub api_key_id: String,
    /// The failure reason, or `None` when it expired.
    pub ending: Ending,
}

/// The sessions that ended without documents since a time: counts by reason and the latest
/// few. Only endings the store has recorded are here (an unread lapsed session has no event
/// yet; the funnel counts it as expired all the same).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureSummary {
    /// By reason, most frequent first (then by the latest time).
    pub by_reason: Vec<EndingCount>,
    /// The latest, newest first.
    pub recent: Vec<RecentFailure>,
}

/// The funnel of the sessions created in a window, grouped in SQL by key, outcome and the
/// stages reached. `outcome` is the status, with an unfinished session whose time is up read
/// as `expired` and any other unfinished one as `in_progress`; the stages come from the
/// session's events (opened: `session.initialized`; back from DigiLocker: `session.authorized`,
/// or `session.failed`, which only DigiLocker's answer or what follows it can cause).
///
/// The events are read as one grouped pass joined to the sessions, not as an `EXISTS` per
/// session: PostgreSQL plans the latter as costly enough to JIT-compile it, which took 1.4 s of
/// a 2.2 s query over 200 000 sessions. A session's events come after its creation; the minute
/// of slack before the window keeps those of a session created right at its start even if
/// another instance's clock is a little behind.
const FUNNEL_SQL: &str = "SELECT api_key_id, outcome, failure_reason, opened, returned, \
     COUNT(*) AS sessions FROM (\
       SELECT s.api_key_id, s.failure_reason, \
         CASE \
           WHEN s.status IN ('succeeded', 'failed', 'expired') THEN s.status \
           WHEN s.status = 'created' \
             AND ($1 >= s.link_expires_at_ms OR $1 >= s.consent_expiry_ms) THEN 'expired' \
           WHEN s.status = 'initialized' \
             AND ($1 >= s.link_expires_at_ms + $2 OR $1 >= s.consent_expiry_ms) THEN 'expired' \
           WHEN s.status = 'authorized' AND $1 >= s.consent_expiry_ms THEN 'expired' \
           ELSE 'in_progress' END AS outcome, \
         COALESCE(e.opened, 0) AS opened, COALESCE(e.returned, 0) AS returned \
       FROM sessions s LEFT JOIN (\
         SELECT session_id, \
           MAX(CASE WHEN type = 'session.initialized' THEN 1 ELSE 0 END) AS opened, \
           MAX(CASE WHEN type IN ('session.authorized', 'session.failed') THEN 1 ELSE 0 END) \
             AS returned \
         FROM session_events WHERE at_ms >= $3 - 60000 AND type IN \
           ('session.initialized', 'session.authorized', 'session.failed') \
         GROUP BY session_id\
       ) AS e ON e.session_id = s.id \
       WHERE s.created_at_ms >= $3\
     ) AS cohort GROUP BY api_key_id, outcome, failure_reason, opened, returned";

const ENDINGS_SQL: &str = "SELECT reason, COUNT(*) AS endings, MAX(at_ms) AS last_at_ms \
     FROM session_events WHERE type IN ('session.failed', 'session.expired') AND at_ms >= $1 \
     GROUP BY reason";

const RECENT_SQL: &str = "SELECT at_ms, session_id, api_key_id, reason FROM session_events \
     WHERE type IN ('session.failed', 'session.expired') AND at_ms >= $1 \
     ORDER BY at_ms DESC, id LIMIT $2";

fn column<'r, T>(row: &'r sqlx::any::AnyRow, name: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(name)
        .map_err(|_| StoreError::Corrupt(format!("funnel.{name} could not be read")))
}

/// A stored reason code (`None` stays `None`: the session expired).
fn ending(reason: Option<String>) -> Result<Ending, StoreError> {
    reason
        .map(|r| {
            FailureReason::parse(&r).ok_or_else(|| {
                StoreError::Corrupt("session_events.reason could not be read".into())
            })
        })
        .transpose()
}

impl SqlStore {
    pub(crate) async fn funnel_of(&self, q: FunnelQuery) -> Result<Vec<KeyFunnel>, StoreError> {
        let rows = sqlx::query(FUNNEL_SQL)
            .bind(q.now_ms)
            .bind(q.authorization_ttl_ms)
            .bind(q.since_ms)
            .fetch_all(&self.pool)
            .await?;
        let mut keys: Vec<KeyFunnel> = Vec::new();
        for row in &rows {
            let api_key_id: String = column(row, "api_key_id")?;
            let outcome: String = column(row, "outcome")?;
            let reason: Option<String> = column(row, "failure_reason")?;
            let opened: i64 = column(row, "opened")?;
            let returned: i64 = column(row, "returned")?;
            let n: i64 = column(row, "sessions")?;
            let at = match keys.iter().position(|k| k.api_key_id == api_key_id) {
                Some(at) => at,
                None => {
                    keys.push(KeyFunnel {
                        api_key_id,
                        ..KeyFunnel::default()
                    });
                    keys.len() - 1
                }
            };
            let key = &mut keys[at];
            key.created += n;
            key.link_opened += opened * n;
            key.returned += returned * n;
            match outcome.as_str() {
                "succeeded" => key.succeeded += n,
                "expired" => key.expired += n,
                "in_progress" => key.in_progress += n,
                "failed" => {
                    let reason = ending(reason)?.ok_or_else(|| {
                        StoreError::Corrupt("sessions.failure_reason could not be read".into())
                    })?;
                    match key.failed.iter_mut().find(|(r, _)| *r == reason) {
                        Some((_, count)) => *count += n,
                        None => key.failed.push((reason, n)),
                    }
                }
                _ => {
                    return Err(StoreError::Corrupt(
                        "sessions.status could not be read".into(),
                    ))
                }
            }
        }
        for key in &mut keys {
            key.failed
                .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        }
        keys.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then(a.api_key_id.cmp(&b.api_key_id))
        });
        Ok(keys)
    }

    pub(crate) async fn failures_since(
        &self,
        since_ms: i64,
        limit: i64,
    ) -> Result<FailureSummary, StoreError> {
        let mut by_reason = Vec::new();
        for row in sqlx::query(ENDINGS_SQL)
            .bind(since_ms)
            .fetch_all(&self.pool)
            .await?
        {
            by_reason.push(EndingCount {
                ending: ending(column(&row, "reason")?)?,
                count: column(&row, "endings")?,
                last_at_ms: column(&row, "last_at_ms")?,
            });
        }
        by_reason.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at_ms.cmp(&a.last_at_ms)));
        let mut recent = Vec::new();
        for row in sqlx::query(RECENT_SQL)
            .bind(since_ms)
            .bind(limit.max(0))
            .fetch_all(&self.pool)
            .await?
        {
            recent.push(RecentFailure {
                at_ms: column(&row, "at_ms")?,
                session_id: column(&row, "session_id")?,
                api_key_id: column(&row, "api_key_id")?,
                ending: ending(column(&row, "reason")?)?,
            });
        }
        Ok(FailureSummary { by_reason, recent })
    }
}
