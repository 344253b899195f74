//! In-process nonce store: sharded, bounded, evicting only expired entries.
//!
//! Each (key id, nonce) is kept as a 96-bit keyed hash plus a 32-bit expiry: 16 bytes a
//! nonce plus the hash table's own overhead, whatever the key id and nonce lengths. The
//! hash key is random per store, so nobody can aim for a collision; an accidental one
//! (probability about n²/2⁹⁷) would only make a fresh nonce look replayed — a refused
//! request, never an accepted replay.
//!
//! ```
//! use signwire::replay::{MemoryStore, NonceCheck, NonceStore};
//! use std::time::Duration;
//! let store = MemoryStore::new(2);
//! let ttl = Duration::from_secs(300);
//! assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Fresh);
//! assert_eq!(store.check_and_record("k1", "bb", ttl).unwrap(), NonceCheck::Fresh);
//! // Full of live nonces: refuse rather than forget one.
//! assert!(store.check_and_record("k1", "cc", ttl).is_err());
//! assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Replayed);
//! ```

use super::{NonceCheck, NonceStore};
use crate::error::{Error, Result, Status};
use std::collections::hash_map::{Entry, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Enough shards that two threads rarely want the same lock, and that a shard growing its
/// table (a rehash, under the lock) holds up few checks: 16 made two threads 1.3× one.
const SHARDS: usize = 256;

/// Default capacity of [`MemoryStore`]: one million live nonces, about 55 MB when full.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// A shard sweeps its expired entries at most this often (seconds) unless the store is full.
const SWEEP_INTERVAL: u32 = 10;

/// A bounded in-memory nonce store for one process.
///
/// Entries expire after their TTL (rounded up to whole seconds, plus up to one second).
/// Expired entries are swept out every few seconds and whenever the store is full. When it
/// is full of *live* nonces, a new nonce fails with `NONCE_STORE_UNAVAILABLE` instead of
/// displacing a live one (which would let that request be replayed).
///
/// Only for a single process: PHP-FPM, gunicorn and several hosts need `sqlite://` or
/// `redis://`.
pub struct MemoryStore {
    shards: Box<[Padded]>,
    /// Slots handed out to shards: entries held (live, or expired and not yet swept) plus
    /// each shard's unused `quota`. Never above `max_entries`, so memory stays bounded.
    count: AtomicUsize,
    max_entries: usize,
    /// How many slots a shard takes from `count` at a time: touching the shared counter on
    /// every insert made two threads fight over its cache line (1.19× the throughput of one).
    chunk: usize,
    /// SipHash-1-3 key, random per store.
    key: [u64; 2],
    /// [`monotonic_seconds`] when the store was made.
    epoch: u64,
}

/// 96 bits of keyed hash of (key id, nonce), already uniformly distributed. Three `u32`s
/// rather than a `u128` so that an entry (tag and expiry) packs into 16 bytes: a quarter
/// of a cache line, which is what a check costs once the table outgrows the caches.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Tag([u32; 3]);

impl Hash for Tag {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.0[0]) | u64::from(self.0[1]) << 32);
    }
}

/// Passes a [`Tag`]'s first half through: hashing a random number again buys nothing.
#[derive(Default)]
struct TagHasher(u64);

impl Hasher for TagHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only reached if something other than a Tag is hashed; fold the bytes in.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// One shard per cache-line pair, so that two threads on different shards never write the
/// same line (adjacent-line prefetch makes 64 bytes too few).
#[repr(align(128))]
struct Padded(Mutex<Shard>);

struct Shard {
    /// Slots taken from the store's `count` and not used yet.
    quota: usize,
    /// Tag → expiry, in whole seconds since the store's epoch; live while `now < expiry`.
    entries: HashMap<Tag, u32, BuildHasherDefault<TagHasher>>,
    /// No entry expires before this (a lower bound; exact after a sweep).
    earliest: u32,
    last_sweep: u32,
}

impl Shard {
    /// Drop expired entries; returns how many.
    fn sweep(&mut self, now: u32) -> usize {
        let before = self.entries.len();
        let mut earliest = u32::MAX;
        self.entries.retain(|_, exp| {
            let live = *exp > now;
            if live {
                earliest = earliest.min(*exp);
            }
            live
        });
        self.earliest = earliest;
        self.last_sweep = now;
        before - self.entries.len()
    }
}

impl MemoryStore {
    /// A store holding at most `max_entries` nonces (at least 1).
    pub fn new(max_entries: usize) -> MemoryStore {
        MemoryStore {
            shards: (0..SHARDS)
                .map(|_| Padded(Mutex::new(Shard { quota: 0, entries: HashMap::default(), earliest: u32::MAX, last_sweep: 0 })))
                .collect(),
            count: AtomicUsize::new(0),
            max_entries: max_entries.max(1),
            // At most 1/64 of the capacity parked in quotas; small stores take one at a time,
            // so their limit is exact. A full store reclaims every quota before refusing.
            chunk: (max_entries / (SHARDS * 64)).clamp(1, 64),
            key: random_key(),
            epoch: monotonic_seconds(),
        }
    }

    /// Number of entries held (live, or expired and not yet swept). Locks every shard in
    /// turn, so it is for tests and monitoring, not for hot paths.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.0.lock().map_or(0, |g| g.entries.len())).sum()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    fn tag(&self, key_id: &str, nonce: &str) -> Tag {
        // One pass for all 96 bits (two passes of std's 64-bit SipHash cost a fifth of a
        // check). The key id's length goes first, so ("ab","c") and ("a","bc") differ.
        let mut h = siphasher::sip128::SipHasher13::new_with_keys(self.key[0], self.key[1]);
        h.write_u64(key_id.len() as u64);
        h.write(key_id.as_bytes());
        h.write(nonce.as_bytes());
        let t = siphasher::sip128::Hasher128::finish128(&h).as_u128();
        Tag([t as u32, (t >> 32) as u32, (t >> 64) as u32])
    }

    fn lock(&self, i: usize) -> Result<MutexGuard<'_, Shard>> {
        self.shards[i]
            .0
            .lock()
            .map_err(|_| Error::new(Status::NonceStoreUnavailable, "memory nonce store lock poisoned"))
    }

    /// Take one slot for a shard from its `quota`, else a chunk (or, near the limit, one)
    /// from the shared count.
    fn reserve(&self, quota: &mut usize) -> bool {
        if *quota == 0 {
            let take = |n: usize| {
                self.count.fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| (c + n <= self.max_entries).then_some(c + n)).is_ok()
            };
            if take(self.chunk) {
                *quota = self.chunk;
            } else if take(1) {
                *quota = 1;
            } else {
                return false;
            }
        }
        *quota -= 1;
        true
    }

    /// Sweep `shard`; with `reclaim`, also hand its unused quota back to the shared count.
    fn sweep(&self, shard: &mut Shard, now: u32, reclaim: bool) {
        let mut freed = shard.sweep(now);
        if reclaim {
            freed += std::mem::take(&mut shard.quota);
        }
        self.count.fetch_sub(freed, Ordering::AcqRel);
    }

    fn full(&self) -> bool {
        self.count.load(Ordering::Acquire) >= self.max_entries
    }

    /// Seconds since the store was made, on the monotonic clock.
    fn now(&self) -> u32 {
        u32::try_from(monotonic_seconds().saturating_sub(self.epoch)).unwrap_or(u32::MAX)
    }

    /// [`NonceStore::check_and_record`] with the store's clock reading `now` seconds: lets
    /// tests and benchmarks move time without sleeping. `now` must not go backwards.
    #[doc(hidden)]
    pub fn check_and_record_at(&self, key_id: &str, nonce: &str, ttl: Duration, now: u32) -> Result<NonceCheck> {
        let tag = self.tag(key_id, nonce);
        let idx = tag.0[2] as usize % SHARDS;
        // Whole seconds, rounded up, plus one for the part of the current second already
        // gone and one for the coarse clock's lag (under a second): a nonce is never
        // forgotten early.
        let ttl_secs = ttl.as_secs().saturating_add(u64::from(ttl.subsec_nanos() > 0)).saturating_add(2);
        let expiry = now.saturating_add(u32::try_from(ttl_secs).unwrap_or(u32::MAX));
        for attempt in 0..2 {
            let mut guard = self.lock(idx)?;
            let shard = &mut *guard;
            // The shared count is read only when this shard needs slots and may sweep.
            let due = now.saturating_sub(shard.last_sweep) >= SWEEP_INTERVAL || (shard.quota == 0 && self.full());
            if shard.earliest <= now && due {
                self.sweep(shard, now, false);
            }
            // One probe of the table for both the lookup and the insert.
            match shard.entries.entry(tag) {
                Entry::Occupied(mut e) => {
                    if *e.get() > now {
                        return Ok(NonceCheck::Replayed);
                    }
                    // Expired: reuse the slot.
                    *e.get_mut() = expiry;
                    shard.earliest = shard.earliest.min(expiry);
                    return Ok(NonceCheck::Fresh);
                }
                Entry::Vacant(v) => {
                    if self.reserve(&mut shard.quota) {
                        v.insert(expiry);
                        shard.earliest = shard.earliest.min(expiry);
                        return Ok(NonceCheck::Fresh);
                    }
                }
            }
            if attempt == 0 {
                // Full: expired entries and unused quotas may sit in other shards. Sweep
                // and reclaim them one lock at a time (never two at once, so no lock-order
                // deadlock), then try again.
                drop(guard);
                for i in (0..SHARDS).filter(|&i| i != idx) {
                    let mut other = self.lock(i)?;
                    if other.earliest <= now {
                        self.sweep(&mut other, now, true);
                    } else {
                        let quota = std::mem::take(&mut other.quota);
                        self.count.fetch_sub(quota, Ordering::AcqRel);
                    }
                }
            }
        }
        Err(Error::new(
            Status::NonceStoreUnavailable,
            format!(
                "memory nonce store is full: {} live nonces; raise max_entries or lower max_age (refusing rather than forgetting a live nonce)",
                self.max_entries
            ),
        ))
    }
}

/// Whole seconds on a clock that never goes back. Linux: `CLOCK_MONOTONIC_COARSE`, which
/// the vDSO answers from the last timer tick without reading the TSC (10 ns here against
/// 30 ns for `Instant::now`, a tenth of a whole check); it lags by less than a tick, which
/// the expiry's extra second covers. Elsewhere: `Instant` from a process-wide origin.
fn monotonic_seconds() -> u64 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) } == 0 {
            return u64::try_from(ts.tv_sec).unwrap_or(0);
        }
    }
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    // Offset by a day so that the fallback never reads 0 and agrees in kind (a count of
    // seconds) with the clock above; only differences are used.
    86_400 + ORIGIN.get_or_init(Instant::now).elapsed().as_secs()
}

/// A SipHash key from the OS generator (std's `RandomState` keys are not exposed).
fn random_key() -> [u64; 2] {
    let mut b = [0u8; 16];
    // If the OS generator fails, std's per-process random hasher keys are the fallback:
    // still unknown outside the process.
    if getrandom::fill(&mut b).is_err() {
        use std::hash::BuildHasher;
        let s = std::collections::hash_map::RandomState::new();
        return [s.hash_one(1u8), s.hash_one(2u8)];
    }
    [u64::from_le_bytes(b[..8].try_into().unwrap_or_default()), u64::from_le_bytes(b[8..].try_into().unwrap_or_default())]
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(DEFAULT_MAX_ENTRIES)
    }
}

impl NonceStore for MemoryStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck> {
        self.check_and_record_at(key_id, nonce, ttl, self.now())
    }

    fn describe(&self) -> String {
        format!("memory://?max_entries={}", self.max_entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const TTL: Duration = Duration::from_secs(60);

    fn n(i: usize) -> String {
        format!("{i:032x}")
    }

    #[test]
    fn full_store_refuses_rather_than_forgets() {
        let s = MemoryStore::new(100);
        for i in 0..100 {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 0).unwrap(), NonceCheck::Fresh, "{i}");
        }
        for i in 100..300 {
            let e = s.check_and_record_at("k", &n(i), TTL, 30).unwrap_err();
            assert_eq!(e.status(), Status::NonceStoreUnavailable);
        }
        // Every one of the first hundred is still remembered.
        for i in 0..100 {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 30).unwrap(), NonceCheck::Replayed, "{i}");
        }
        assert_eq!(s.len(), 100);
    }

    #[test]
    fn quotas_never_exceed_nor_waste_the_capacity() {
        // Large enough that shards take 64 slots at a time: the limit is still exact,
        // because a full store reclaims the other shards' unused quotas before refusing.
        let max = SHARDS * 64 * 64;
        let s = MemoryStore::new(max);
        assert_eq!(s.chunk, 64);
        for i in 0..max {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 0).unwrap(), NonceCheck::Fresh, "{i}");
        }
        for i in max..max + 50 {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 1).unwrap_err().status(), Status::NonceStoreUnavailable);
        }
        assert_eq!(s.len(), max);
        assert_eq!(s.count.load(Ordering::Relaxed), max);
        // Once they expire, every slot is usable again.
        for i in max..2 * max {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 100).unwrap(), NonceCheck::Fresh, "{i}");
        }
        assert_eq!(s.len(), max);
    }

    #[test]
    fn expired_entries_are_evicted_and_make_room() {
        let s = MemoryStore::new(100);
        for i in 0..100 {
            s.check_and_record_at("k", &n(i), TTL, 0).unwrap();
        }
        // TTL 60 s is kept for 62 s: at 61 still live, at 62 gone.
        assert!(s.check_and_record_at("k", &n(1000), TTL, 61).is_err());
        assert_eq!(s.check_and_record_at("k", &n(5), TTL, 61).unwrap(), NonceCheck::Replayed);
        for i in 100..200 {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 62).unwrap(), NonceCheck::Fresh, "{i}");
        }
        assert_eq!(s.len(), 100, "the expired hundred were swept out");
        // An expired nonce is fresh again (its timestamp can no longer pass the window).
        for i in 0..100 {
            assert_eq!(s.check_and_record_at("k", &n(i), TTL, 200).unwrap(), NonceCheck::Fresh);
        }
    }

    #[test]
    fn periodic_sweep_frees_memory_without_being_full() {
        let s = MemoryStore::new(1_000_000);
        for i in 0..1000 {
            s.check_and_record_at("k", &n(i), Duration::from_secs(5), 0).unwrap();
        }
        assert_eq!(s.len(), 1000);
        // Enough later inserts to touch every shard after the sweep interval (the chance
        // that one of the shards gets none is below 1e-10).
        let later = SHARDS * 40;
        for i in 1000..1000 + later {
            s.check_and_record_at("k", &n(i), Duration::from_secs(5), 100).unwrap();
        }
        assert_eq!(s.len(), later);
    }

    #[test]
    fn key_ids_are_separate_and_unambiguous() {
        let s = MemoryStore::new(10);
        assert_eq!(s.check_and_record_at("ab", "c", TTL, 0).unwrap(), NonceCheck::Fresh);
        assert_eq!(s.check_and_record_at("a", "bc", TTL, 0).unwrap(), NonceCheck::Fresh);
        assert_eq!(s.check_and_record_at("a", "bc", TTL, 0).unwrap(), NonceCheck::Replayed);
    }

    #[test]
    fn concurrent_same_nonce_is_fresh_exactly_once() {
        let s = Arc::new(MemoryStore::new(100_000));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || (0..5000).filter(|i| s.check_and_record("k", &n(*i), TTL).unwrap() == NonceCheck::Fresh).count())
            })
            .collect();
        let fresh: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(fresh, 5000);
        assert_eq!(s.len(), 5000);
    }
}
