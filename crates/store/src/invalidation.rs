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
//! again, nothing is served from memory or remembered, and it starts empty each time.
//!
//! A connection can also die without the socket saying so (a silent network partition). So
//! every store also announces a heartbeat ([`BEAT_EVERY`], on a connection of its own), and
//! when the listener has heard nothing at all for [`SILENCE_LIMIT`] (not even its own beats)
//! nothing is served until it hears something again, starting empty. That bounds how long a
//! change made elsewhere can be served here by [`SILENCE_LIMIT`] on a dead line, and by the
//! announcement's delivery otherwise, so entries can live for [`LISTENED_TTL`] (far longer than
//! a business's poll interval) instead of the 1 s that bounds staleness on SQLite.

use crate::recent::RecentReads;
use crate::records::{ApiKeyRecord, SessionEventRecord, SessionRecord};
use sqlx::postgres::PgListener;
use sqlx::Connection;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// The channel changes are announced on, as `key:<id>` or `session:<id>`.
pub(crate) const CHANNEL: &str = "digigate_changes";

/// The first wait before listening again after a failure; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(100);
/// The longest wait between attempts to listen again.
const RETRY_MAX: Duration = Duration::from_secs(5);

/// How often every store announces a heartbeat (`beat`), which every listener hears.
pub(crate) const BEAT_EVERY: Duration = Duration::from_millis(250);
/// How long a listener may hear nothing before nothing is served: the bound on serving a record
/// changed elsewhere when the listening connection died silently.
pub(crate) const SILENCE_LIMIT: Duration = Duration::from_secs(1);
/// How long an entry is served on PostgreSQL, where changes are announced: long enough that a
/// business polling a session every second or two is answered from memory, short enough that
/// what is kept stays small (the sessions polled in the last 10 s).
pub(crate) const LISTENED_TTL: Duration = Duration::from_secs(10);

/// Records read recently: API keys, sessions, and each session's events (its status history).
pub(crate) struct Caches {
    pub(crate) keys: RecentReads<ApiKeyRecord>,
    pub(crate) sessions: RecentReads<SessionRecord>,
    pub(crate) events: RecentReads<Vec<SessionEventRecord>>,
    /// When the listener last heard anything, in milliseconds since `born`.
    heard_ms: AtomicU64,
    /// Whether the caches were closed because the listener fell silent (not because its
    /// connection was lost), so that the next announcement heard opens them again.
    closed_for_silence: AtomicBool,
    born: Instant,
}

impl Caches {
    /// Caches serving entries for `ttl`; `closed` ones serve nothing until a listener opens them.
    pub(crate) fn new(ttl: Duration, closed: bool) -> Self {
        Caches {
            keys: RecentReads::new(ttl, closed),
            sessions: RecentReads::new(ttl, closed),
            events: RecentReads::new(ttl, closed),
            heard_ms: AtomicU64::new(0),
            closed_for_silence: AtomicBool::new(false),
            born: Instant::now(),
        }
    }

    /// Notes that the listener heard something at `now`: the line is alive and every
    /// announcement committed before this one has arrived, so caches closed for silence open
    /// again (empty).
    fn heard(&self, now: Instant) {
        let ms = now.saturating_duration_since(self.born).as_millis() as u64;
        self.heard_ms.fetch_max(ms, Ordering::AcqRel);
        if self.closed_for_silence.swap(false, Ordering::AcqRel) {
            self.open();
        }
    }

    /// Closes the caches if the listener has heard nothing for [`SILENCE_LIMIT`] at `now`.
    /// Answers whether it did.
    fn close_if_silent(&self, now: Instant) -> bool {
        let heard = self.born + Duration::from_millis(self.heard_ms.load(Ordering::Acquire));
        if now.saturating_duration_since(heard) <= SILENCE_LIMIT
            || self.closed_for_silence.swap(true, Ordering::AcqRel)
        {
            return false;
        }
        self.close();
        true
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
        if payload == "beat" {
            return;
        }
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

/// The tasks listening for announcements and beating; they stop when this is dropped (with
/// the store).
pub(crate) struct Listening([tokio::task::AbortHandle; 2]);

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.iter().for_each(tokio::task::AbortHandle::abort);
    }
}

/// Starts listening on the database at `url` for changes of what `caches` holds; they are
/// opened once the subscription holds and closed whenever it is lost or falls silent.
pub(crate) fn start(url: &str, caches: &Arc<Caches>) -> Listening {
    let listening = tokio::spawn(listen(url.to_owned(), Arc::downgrade(caches)));
    let beating = tokio::spawn(beat(url.to_owned(), Arc::downgrade(caches)));
    Listening([listening.abort_handle(), beating.abort_handle()])
}

/// Announces a heartbeat every [`BEAT_EVERY`] on a connection of its own, and closes the
/// caches whenever the listener has heard nothing for [`SILENCE_LIMIT`].
async fn beat(url: String, caches: Weak<Caches>) {
    let mut connection: Option<sqlx::PgConnection> = None;
    let mut tick = tokio::time::interval(BEAT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if connection.is_none() {
            connection = sqlx::PgConnection::connect(&url).await.ok();
        }
        if let Some(conn) = connection.as_mut() {
            let sent = sqlx::query("SELECT pg_notify($1, 'beat')")
                .bind(CHANNEL)
                .execute(conn)
                .await;
            if sent.is_err() {
                // Connected again at the next beat; meanwhile silence closes the caches.
                connection = None;
            }
        }
        let Some(held) = caches.upgrade() else { return };
        if held.close_if_silent(Instant::now()) {
            tracing::warn!(
                "the connection listening for changes has heard nothing, not even heartbeats; \
                 nothing is served from memory until it hears again"
            );
        }
    }
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
                held.heard(Instant::now());
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
                        Ok(Some(announced)) => {
                            held.forget_announced(announced.payload());
                            held.heard(Instant::now());
                        }
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

    #[test]
    fn a_silent_listener_serves_nothing_until_it_hears_again_and_then_starts_empty() {
        let caches = Caches::new(Duration::from_secs(60), false);
        let start = caches.born;
        caches.heard(start);
        caches.keys.put(caches.keys.start_read(), "a", &key("a"));

        assert!(!caches.close_if_silent(start + SILENCE_LIMIT));
        assert!(caches.keys.get("a").is_some(), "heard within the limit");

        let silent = start + SILENCE_LIMIT + Duration::from_millis(1);
        assert!(caches.close_if_silent(silent));
        assert!(
            caches.keys.get("a").is_none(),
            "nothing served while silent"
        );
        assert!(!caches.close_if_silent(silent), "closed once");
        caches.keys.put(caches.keys.start_read(), "a", &key("a"));
        assert!(
            caches.keys.get("a").is_none(),
            "nothing remembered while silent"
        );

        caches.heard(silent + BEAT_EVERY);
        assert!(caches.keys.get("a").is_none(), "opened again empty");
        caches.keys.put(caches.keys.start_read(), "a", &key("a"));
        assert!(caches.keys.get("a").is_some(), "served again once heard");
    }

    #[test]
    fn a_heartbeat_drops_nothing() {
        let caches = Caches::new(Duration::from_secs(60), false);
        caches.keys.put(caches.keys.start_read(), "a", &key("a"));
        caches.forget_announced("beat");
        assert!(caches.keys.get("a").is_some());
    }
}
