//! In-process nonce store: sharded, bounded, evicting only expired entries.

use super::{NonceCheck, NonceStore};
use crate::error::{Error, Result, Status};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SHARDS: usize = 16;

/// Default capacity of [`MemoryStore`]: about 100 MB worst case.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// A bounded in-memory nonce store for one process.
///
/// Entries expire after their TTL. When a shard is full it first drops its expired entries;
/// if it is still full, the check fails with `NONCE_STORE_UNAVAILABLE` instead of forgetting
/// a live nonce (which would let its request be replayed).
pub struct MemoryStore {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    hasher: std::collections::hash_map::RandomState,
}

struct Shard {
    entries: HashMap<Box<str>, Instant>,
}

impl MemoryStore {
    /// A store holding at most `max_entries` live nonces (rounded up to a multiple of 16).
    pub fn new(max_entries: usize) -> MemoryStore {
        let per_shard = max_entries.max(1).div_ceil(SHARDS);
        MemoryStore {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard { entries: HashMap::new() })).collect(),
            per_shard,
            hasher: Default::default(),
        }
    }

    /// Number of entries held (live or not yet swept).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map(|s| s.entries.len()).unwrap_or(0)).sum()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_MAX_ENTRIES)
    }
}

impl NonceStore for MemoryStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck> {
        use std::hash::BuildHasher;
        // The NUL cannot occur in a key id or nonce that passed validation, so the pair is unambiguous.
        let mut key = String::with_capacity(key_id.len() + 1 + nonce.len());
        key.push_str(key_id);
        key.push('\0');
        key.push_str(nonce);
        let shard = &self.shards[(self.hasher.hash_one(&key) as usize) % SHARDS];
        let mut shard = shard
            .lock()
            .map_err(|_| Error::new(Status::NonceStoreUnavailable, "memory nonce store lock poisoned"))?;
        let now = Instant::now();
        if let Some(exp) = shard.entries.get(key.as_str()) {
            if *exp > now {
                return Ok(NonceCheck::Replayed);
            }
        }
        if shard.entries.len() >= self.per_shard && !shard.entries.contains_key(key.as_str()) {
            shard.entries.retain(|_, exp| *exp > now);
            if shard.entries.len() >= self.per_shard {
                return Err(Error::new(
                    Status::NonceStoreUnavailable,
                    format!("memory nonce store is full ({} live entries per shard); raise max_entries", self.per_shard),
                ));
            }
        }
        shard.entries.insert(key.into_boxed_str(), now + ttl);
        Ok(NonceCheck::Fresh)
    }

    fn describe(&self) -> String {
        format!("memory://?max_entries={}", self.per_shard * SHARDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_store_refuses_and_expired_entries_are_evicted() {
        let s = MemoryStore::new(16); // one entry per shard
        let long = Duration::from_secs(3600);
        let mut refused = 0;
        for i in 0..200 {
            match s.check_and_record("k", &format!("{i:032x}"), long) {
                Ok(NonceCheck::Fresh) => {}
                Err(e) => {
                    assert_eq!(e.status(), Status::NonceStoreUnavailable);
                    refused += 1;
                }
                Ok(NonceCheck::Replayed) => panic!("distinct nonce reported as replayed"),
            }
        }
        assert!(refused >= 200 - 16, "a full store must refuse, not forget");
        assert!(s.len() <= 16);

        let s = MemoryStore::new(16);
        for i in 0..16 * 8 {
            // Zero TTL: expired at once, so every shard can always evict.
            assert_eq!(s.check_and_record("k", &format!("{i:032x}"), Duration::ZERO).unwrap(), NonceCheck::Fresh);
        }
    }
}
