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

/// Recently read records by id, each with when it was read.
pub(crate) struct RecentReads<V> {
    entries: RwLock<Entries<V>>,
}

struct Entries<V> {
    by_id: HashMap<String, (Instant, V)>,
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
                changes: 0,
            }),
        }
    }
}

impl<V: Clone> RecentReads<V> {
    /// The record `id` if it was read less than [`KEY_CACHE_TTL`] ago.
    pub(crate) fn get(&self, id: &str) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
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
        if entries.changes != start.changes {
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

    /// Forgets `id`, or everything when `None` (a change whose rows are not known in advance).
    /// Call before and after the change.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_served_until_it_is_a_ttl_old_or_forgotten() {
        let cache = RecentReads::<u32>::default();
        cache.put(cache.start_read(), "a", &1);
        assert_eq!(cache.get("a"), Some(1));
        cache.forget(Some("a"));
        assert_eq!(cache.get("a"), None);
        let mut old = cache.start_read();
        old.at = Instant::now().checked_sub(KEY_CACHE_TTL).unwrap();
        cache.put(old, "b", &2);
        assert_eq!(cache.get("b"), None, "an entry a TTL old is not served");
        cache.put(cache.start_read(), "c", &3);
        cache.forget(None);
        assert_eq!(cache.get("c"), None, "forgetting everything forgets c");
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_remembered() {
        let cache = RecentReads::<u32>::default();
        let before = cache.start_read();
        cache.forget(Some("a"));
        cache.put(before, "a", &1);
        assert_eq!(cache.get("a"), None);
    }
}
