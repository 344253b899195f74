//! Nonce stores: remember each (key id, nonce) for its lifetime, so a captured request
//! cannot be replayed.
//!
//! A store answers [`NonceCheck::Fresh`] exactly once per (key id, nonce) within the TTL.
//! When it cannot answer (full, unreachable, read-only) it returns
//! `NONCE_STORE_UNAVAILABLE`, and the verifier refuses the request: fail closed.
//!
//! ```
//! use signwire::replay::{MemoryStore, NonceCheck, NonceStore};
//! use std::time::Duration;
//! let store = MemoryStore::new(1000);
//! let ttl = Duration::from_secs(360);
//! assert_eq!(store.check_and_record("k1", "00112233445566778899aabbccddeeff", ttl).unwrap(), NonceCheck::Fresh);
//! assert_eq!(store.check_and_record("k1", "00112233445566778899aabbccddeeff", ttl).unwrap(), NonceCheck::Replayed);
//! // Another client's identical nonce is its own.
//! assert_eq!(store.check_and_record("k2", "00112233445566778899aabbccddeeff", ttl).unwrap(), NonceCheck::Fresh);
//! ```

mod memory;

pub use memory::MemoryStore;

use crate::error::Result;
use std::time::Duration;

/// The answer of a nonce store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonceCheck {
    /// First use: now recorded.
    Fresh,
    /// Already recorded within its lifetime.
    Replayed,
}

/// A place that remembers nonces. Implementations must be atomic: two concurrent calls with
/// the same (key id, nonce) get one `Fresh` and one `Replayed`.
pub trait NonceStore: Send + Sync {
    /// Record (key id, nonce) for `ttl` if it is new.
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck>;

    /// A short description for logs (`memory`, `sqlite:///var/lib/x.db`); never a password.
    fn describe(&self) -> String;
}
