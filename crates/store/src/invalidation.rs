//! What this process keeps of records read recently, and how it hears that they changed.
//!
//! On PostgreSQL several instances share the database, so a record kept in memory here may be
//! changed by another at any moment. Every change of a key or a session is announced by the
//! database itself (triggers of migration `0009_change_notifications.sql`: `pg_notify` in the
//! changing transaction, delivered when it commits), and every store keeps one connection that
//! listens and drops what each announcement names. So a change made elsewhere stops being served
//! here once its announcement has arrived: the time a commit takes to reach a listener, a few
//! milliseconds on one network.
//!
//! Announcements are not queued for a listener that is not connected. So until the listener is
//! subscribed (at start) and from the moment its connection is lost until it is subscribed
//! again, nothing is served from memory or remembered, and it starts empty each time. The TTL
//! stays as the backstop for a connection that dies without the socket saying so (a silent
//! network partition): then a record is served at most a TTL after its change.

use crate::recent::RecentReads;
use crate::records::{ApiKeyRecord, SessionEventRecord, SessionRecord};
use sqlx::postgres::PgListener;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The channel changes are announced on, as `key:<id>` or `session:<id>`.
pub(crate) const CHANNEL: &str = "digigate_changes";

/// The first wait before listening again after a failure; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(100);
/// The longest wait between attempts to listen again.
const RETRY_MAX: Duration = Duration::from_secs(5);

/// Records read recently: API keys, sessions, and each session's events (its status history).
pub(crate) struct Caches {
    pub(crate) keys: RecentReads<ApiKeyRecord>,
    pub(crate) sessions: RecentReads<SessionRecord>,
    pub(crate) events: RecentReads<Vec<SessionEventRecord>>,
}

impl Caches {
    /// Caches serving entries for `ttl`; `closed` ones serve nothing until a listener opens them.
    pub(crate) fn new(ttl: Duration, closed: bool) -> Self {
        Caches {
            keys: RecentReads::new(ttl, closed),
            sessions: RecentReads::new(ttl, closed),
            events: RecentReads::new(ttl, closed),
        }
    }

    fn open(&self) {
        self.keys.open();
        self.sessions.open();
        self.events.open();
    }

    fn close(&self) {
        self.keys.close();
        self.sessions.close();
        self.events.close();
    }

    /// Drops what an announcement names. One this version does not understand (a newer
    /// instance's) drops everything, to be safe.
    fn forget_announced(&self, payload: &str) {
        match payload.split_once(':') {
            Some(("key", id)) => self.keys.forget(Some(id)),
            Some(("session", id)) => {
                self.sessions.forget(Some(id));
                self.events.forget(Some(id));
            }
            _ => {
                self.keys.forget(None);
                self.sessions.forget(None);
                self.events.forget(None);
            }
        }
    }
}

/// The task listening for announcements; it stops when this is dropped (with the store).
pub(crate) struct Listening(tokio::task::AbortHandle);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts listening on the database at `url` for changes of what `caches` holds; they are
/// opened once the subscription holds and closed whenever it is lost.
pub(crate) fn start(url: &str, caches: &Arc<Caches>) -> Listening {
    let task = tokio::spawn(listen(url.to_owned(), Arc::downgrade(caches)));
    Listening(task.abort_handle())
}

async fn listen(url: String, caches: Weak<Caches>) {
    let mut retry = RETRY_FIRST;
    // Whether a loss or a failure was logged: repeated failures to listen again are not.
    let mut warned = false;
    loop {
        match subscribe(&url).await {
            Ok(mut listener) => {
                let Some(held) = caches.upgrade() else { return };
                // Subscribed before opening: every change committed from now on is heard of,
                // and the caches start empty, so nothing from before is served.
                held.open();
                drop(held);
                if warned {
                    tracing::info!("listening for changes again; recent reads are served again");
                }
                retry = RETRY_FIRST;
                let lost = loop {
                    let received = listener.try_recv().await;
                    let Some(held) = caches.upgrade() else { return };
                    match received {
                        Ok(Some(announced)) => held.forget_announced(announced.payload()),
                        Ok(None) => {
                            held.close();
                            break None;
                        }
                        Err(e) => {
                            held.close();
                            break Some(e);
                        }
                    }
                };
                tracing::warn!(
                    error = lost.as_ref().map(tracing::field::display),
                    "the connection listening for changes was lost; nothing is served from \
                     memory until it is back"
                );
                warned = true;
            }
            Err(e) if !warned => {
                tracing::warn!(
                    error = %e,
                    "cannot listen for changes; nothing is served from memory until it can"
                );
                warned = true;
            }
            Err(_) => {}
        }
        if caches.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_MAX);
    }
}

/// A connection of its own, subscribed to [`CHANNEL`]. It does not reconnect by itself: a lost
/// connection is reported (`try_recv` answers `None`) so the caches are closed first.
async fn subscribe(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> ApiKeyRecord {
        ApiKeyRecord {
            id: id.to_owned(),
            name: "k".to_owned(),
            secret_hash: String::new(),
            created_at_ms: 0,
            disabled_at_ms: None,
            redirect_urls: Vec::new(),
            generation: 0,
            redirect_secret_sealed: None,
        }
    }

    #[test]
    fn an_announcement_drops_what_it_names_and_an_unknown_one_drops_everything() {
        let caches = Caches::new(Duration::from_secs(60), false);
        for id in ["a", "b"] {
            caches.keys.put(caches.keys.start_read(), id, &key(id));
            caches
                .events
                .put(caches.events.start_read(), id, &Vec::new());
        }
        caches.forget_announced("session:a");
        assert!(caches.events.get("a").is_none(), "a's history is dropped");
        assert!(
            caches.keys.get("a").is_some(),
            "a session's id names no key"
        );
        caches.forget_announced("key:a");
        assert!(caches.keys.get("a").is_none());
        assert!(caches.keys.get("b").is_some() && caches.events.get("b").is_some());
        caches.forget_announced("something-new:b");
        assert!(caches.keys.get("b").is_none() && caches.events.get("b").is_none());
    }
}
