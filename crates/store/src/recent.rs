//! Records read recently, so that a poll does not go to the database every time: API keys,
//! sessions and their events.
//!
//! Correctness: a change made through this store drops the entries it touches before and after it
//! is written, and a read that began before a change is never remembered, so this process never
//! serves a record it changed. On PostgreSQL a change made anywhere (another instance, the
//! `digigate keys` command) is dropped when its notification arrives (`invalidation.rs`), and
//! while the listener is not connected nothing is served ([`RecentReads::close`]). On SQLite
//! another process's change (the `digigate keys` command) is seen at the latest
//! [`KEY_CACHE_TTL`] later; on PostgreSQL a listener connection lost without the socket saying
//! so is caught by heartbeats (`invalidation.rs`).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a record read from the database is used before it is read again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(1);

/// Entries kept before the stale ones are swept out.
const SWEEP_AT: usize = 4096;

/// How long nothing is cached after a change was abandoned half-way (its future dropped): the
/// statement may still commit on the database's side, until SQLite's busy timeout or the pool's
/// acquire timeout at the latest.
const AFTER_ABANDONED_CHANGE: Duration = Duration::from_secs(15);

/// Recently read records by id, each with when it was read.
pub(crate) struct RecentReads<V> {
    entries: RwLock<Entries<V>>,
    /// How long an entry is served (see [`KEY_CACHE_TTL`]).
    ttl: Duration,
}

struct Entries<V> {
    by_id: HashMap<String, (Instant, V)>,
    /// Until when nothing is served or remembered (see [`AFTER_ABANDONED_CHANGE`]).
    suspended_until: Option<Instant>,
    /// Whether nothing is served or remembered until [`RecentReads::open`]: while the changes
    /// of other processes cannot be heard of.
    closed: bool,
    /// Bumped by every change this store makes, so a read that started before a change cannot
    /// put back what the change made stale.
    changes: u64,
}

/// When a read began: its time and the change count then.
#[derive(Clone, Copy)]
pub(crate) struct ReadStart {
    at: Instant,
    changes: u64,
}

impl<V: Clone> RecentReads<V> {
    /// A cache serving entries for `ttl`; a `closed` one serves nothing until opened.
    pub(crate) fn new(ttl: Duration, closed: bool) -> Self {
        RecentReads {
            entries: RwLock::new(Entries {
                by_id: HashMap::new(),
                suspended_until: None,
                closed,
                changes: 0,
            }),
            ttl,
        }
    }

    /// The record `id` if it was read less than the TTL ago.
    pub(crate) fn get(&self, id: &str) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if entries.suspended() {
            return None;
        }
        let (read_at, value) = entries.by_id.get(id)?;
        (read_at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Call before reading a record from the database.
    pub(crate) fn start_read(&self) -> ReadStart {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        ReadStart {
            at: Instant::now(),
            changes: entries.changes,
        }
    }

    /// Remembers `value` as read at `start` (so the entry never claims to be fresher than the
    /// row was), unless this store changed anything since the read began.
    pub(crate) fn put(&self, start: ReadStart, id: &str, value: &V) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.changes != start.changes || entries.suspended() {
            return;
        }
        if entries.by_id.len() >= SWEEP_AT {
            let ttl = self.ttl;
            entries.by_id.retain(|_, (at, _)| at.elapsed() < ttl);
        }
        entries
            .by_id
            .insert(id.to_owned(), (start.at, value.clone()));
    }

    /// Marks the start of a change of `id` (of every record when `None`, for a change whose rows
    /// are not known in advance): forgets it now, and again when the returned guard is finished
    /// or dropped. A guard dropped unfinished (the change's future was abandoned, so its
    /// statement may still commit) suspends the cache for a while.
    pub(crate) fn change<'a>(&'a self, id: Option<&'a str>) -> Change<'a, V> {
        self.forget(id);
        Change {
            cache: self,
            id,
            finished: false,
        }
    }

    /// Stops serving and remembering anything, and forgets everything: changes made elsewhere
    /// can no longer be heard of.
    pub(crate) fn close(&self) {
        self.set_closed(true);
    }

    /// Serves and remembers again, starting empty: from now on changes made elsewhere are heard
    /// of, and any read that began before is not remembered (it may predate a change that was
    /// not heard of).
    pub(crate) fn open(&self) {
        self.set_closed(false);
    }

    fn set_closed(&self, closed: bool) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.closed = closed;
        entries.by_id.clear();
        entries.changes += 1;
    }

    /// Forgets `id`, or everything when `None`.
    pub(crate) fn forget(&self, id: Option<&str>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        match id {
            Some(id) => {
                entries.by_id.remove(id);
            }
            None => entries.by_id.clear(),
        }
        entries.changes += 1;
    }
}

impl<V> Entries<V> {
    fn suspended(&self) -> bool {
        self.closed
            || self
                .suspended_until
                .is_some_and(|until| Instant::now() < until)
    }
}

/// A change in progress (see [`RecentReads::change`]).
pub(crate) struct Change<'a, V: Clone> {
    cache: &'a RecentReads<V>,
    id: Option<&'a str>,
    finished: bool,
}

impl<V: Clone> Change<'_, V> {
    /// The change's write has returned (committed or failed).
    pub(crate) fn finish(mut self) {
        self.finished = true;
    }
}

impl<V: Clone> Drop for Change<'_, V> {
    fn drop(&mut self) {
        if !self.finished {
            let mut entries = self
                .cache
                .entries
                .write()
                .unwrap_or_else(|e| e.into_inner());
            entries.suspended_until = Some(Instant::now() + AFTER_ABANDONED_CHANGE);
        }
        self.cache.forget(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_cache() -> RecentReads<u32> {
        RecentReads::new(KEY_CACHE_TTL, false)
    }

    #[test]
    fn a_record_is_served_until_it_is_a_ttl_old_or_forgotten() {
        let cache = open_cache();
        cache.put(cache.start_read(), "a", &1);
        assert_eq!(cache.get("a"), Some(1));
        cache.change(Some("a")).finish();
        assert_eq!(cache.get("a"), None);
        let mut old = cache.start_read();
        old.at = Instant::now().checked_sub(KEY_CACHE_TTL).unwrap();
        cache.put(old, "b", &2);
        assert_eq!(cache.get("b"), None, "an entry a TTL old is not served");
        cache.put(cache.start_read(), "c", &3);
        cache.change(None).finish();
        assert_eq!(cache.get("c"), None, "a change of everything forgets c");
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_remembered() {
        let cache = open_cache();
        let before = cache.start_read();
        cache.change(Some("a")).finish();
        cache.put(before, "a", &1);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn an_abandoned_change_suspends_the_cache() {
        let cache = open_cache();
        drop(cache.change(Some("a")));
        cache.put(cache.start_read(), "b", &2);
        assert_eq!(
            cache.get("b"),
            None,
            "nothing is remembered while suspended"
        );
    }

    #[test]
    fn a_closed_cache_serves_nothing_and_an_opened_one_starts_empty() {
        let cache = RecentReads::<u32>::new(KEY_CACHE_TTL, true);
        cache.put(cache.start_read(), "a", &1);
        assert_eq!(cache.get("a"), None, "nothing is remembered while closed");
        let before = cache.start_read();
        cache.open();
        cache.put(before, "a", &1);
        assert_eq!(cache.get("a"), None, "a read from before the opening");
        cache.put(cache.start_read(), "b", &2);
        assert_eq!(cache.get("b"), Some(2));
        cache.close();
        assert_eq!(cache.get("b"), None);
        cache.open();
        assert_eq!(cache.get("b"), None, "reopened empty");
    }
}
