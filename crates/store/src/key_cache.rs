//! API keys read recently, so that a status poll does not read its caller's key from the
//! database every time.
//!
//! Correctness: a change made through this store (disable, re-enable, secret rotation) drops the
//! entry at once, so this process never serves a key it changed. A change made by another process
//! (the `digigate keys` command, another instance on the same PostgreSQL) is seen at the latest
//! [`KEY_CACHE_TTL`] later: that is the bound within which a disabled key or a rotated secret
//! stops working everywhere.

use crate::records::ApiKeyRecord;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a key read from the database is used before it is read again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(1);

/// Recently read keys by id, each with when it was read.
#[derive(Default)]
pub(crate) struct KeyCache {
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    by_id: HashMap<String, (Instant, ApiKeyRecord)>,
    /// Bumped by every change this store makes, so a read that started before a change cannot
    /// put back what the change made stale.
    changes: u64,
}

/// When a read of a key began: its time and the cache's change count then.
#[derive(Clone, Copy)]
pub(crate) struct ReadStart {
    at: Instant,
    changes: u64,
}

impl KeyCache {
    /// The key `id` if it was read less than [`KEY_CACHE_TTL`] ago.
    pub(crate) fn get(&self, id: &str) -> Option<ApiKeyRecord> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let (read_at, key) = entries.by_id.get(id)?;
        (read_at.elapsed() < KEY_CACHE_TTL).then(|| key.clone())
    }

    /// Call before reading a key from the database.
    pub(crate) fn start_read(&self) -> ReadStart {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        ReadStart {
            at: Instant::now(),
            changes: entries.changes,
        }
    }

    /// Remembers `key` as read at `start` (so the entry never claims to be fresher than the row
    /// was), unless this store changed a key since the read began.
    pub(crate) fn put(&self, start: ReadStart, key: &ApiKeyRecord) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.changes != start.changes {
            return;
        }
        // Stale entries of keys nobody uses any more are dropped as the map grows.
        if entries.by_id.len() >= 1024 {
            entries
                .by_id
                .retain(|_, (at, _)| at.elapsed() < KEY_CACHE_TTL);
        }
        entries
            .by_id
            .insert(key.id.clone(), (start.at, key.clone()));
    }

    /// Forgets `id` (when this store changes it): call before and after the change.
    pub(crate) fn forget(&self, id: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.by_id.remove(id);
        entries.changes += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> ApiKeyRecord {
        ApiKeyRecord {
            id: id.to_owned(),
            name: "k".to_owned(),
            secret_hash: "h".to_owned(),
            created_at_ms: 0,
            disabled_at_ms: None,
            redirect_urls: Vec::new(),
            generation: 0,
        }
    }

    #[test]
    fn a_key_is_served_until_it_is_a_ttl_old_or_forgotten() {
        let cache = KeyCache::default();
        cache.put(cache.start_read(), &key("a"));
        assert_eq!(cache.get("a").map(|k| k.id), Some("a".to_owned()));
        cache.forget("a");
        assert!(cache.get("a").is_none());
        let mut old = cache.start_read();
        old.at = Instant::now().checked_sub(KEY_CACHE_TTL).unwrap();
        cache.put(old, &key("b"));
        assert!(cache.get("b").is_none(), "an entry a TTL old is not served");
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_remembered() {
        let cache = KeyCache::default();
        let before = cache.start_read();
        cache.forget("a");
        cache.put(before, &key("a"));
        assert!(cache.get("a").is_none());
    }
}
