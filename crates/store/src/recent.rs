//! Records read recently, so that a poll does not go to the database every time: API keys (on
//! every backend) and sessions (on SQLite, where one server process owns the file).
//!
//! Correctness: a change made through this store drops the entries it touches before and after it
//! is written, and a read that began before a change is never remembered, so this process never
//! serves a record it changed. A change made by another process (the `digigate keys` command,
//! another instance on the same PostgreSQL) is seen at the latest [`KEY_CACHE_TTL`] later: that is
//! the bound within which a disabled key or a rotated secret stops working everywhere.

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
}

struct Entries<V> {
    by_id: HashMap<String, (Instant, V)>,
    /// Until when nothing is served or remembered (see [`AFTER_ABANDONED_CHANGE`]).
    suspended_until: Option<Instant>,
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

impl<V: Clone> Default for RecentReads<V> {
    fn default() -> Self {
        RecentReads {
            entries: RwLock::new(Entries {
                by_id: HashMap::new(),
                suspended_until: None,
                changes: 0,
            }),
        }
    }
}

impl<V: Clone> RecentReads<V> {
    /// The record `id` if it was read less than [`KEY_CACHE_TTL`] ago.
    pub(crate) fn get(&self, id: &str) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if entries.suspended() {
            return None;
        }
        let (read_at, value) = entries.by_id.get(id)?;
        (read_at.elapsed() < KEY_CACHE_TTL).then(|| value.clone())
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
            entries
                .by_id
                .retain(|_, (at, _)| at.elapsed() < KEY_CACHE_TTL);
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

    /// Forgets `id`, or everything when `None`.
    fn forget(&self, id: Option<&str>) {
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
        self.suspended_until
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

    #[test]
    fn a_record_is_served_until_it_is_a_ttl_old_or_forgotten() {
        let cache = RecentReads::<u32>::default();
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
        let cache = RecentReads::<u32>::default();
        let before = cache.start_read();
        cache.change(Some("a")).finish();
        cache.put(before, "a", &1);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn an_abandoned_change_suspends_the_cache() {
        let cache = RecentReads::<u32>::default();
        drop(cache.change(Some("a")));
        cache.put(cache.start_read(), "b", &2);
        assert_eq!(
            cache.get("b"),
            None,
            "nothing is remembered while suspended"
        );
    }
}
