//! Nonce stores: remember each (scope, nonce) for its lifetime, so a captured request
//! cannot be replayed.
//!
//! The verifier records a delivery's own identity (the nonce, a webhook id...) scoped by the
//! scheme's name, never by the key id that signed it: key ids that share a secret must not
//! accept each other's requests again. A store answers [`NonceCheck::Fresh`] exactly once per
//! (scope, nonce) within the TTL.
//! When it cannot answer (full, unreachable, read-only) it returns
//! `NONCE_STORE_UNAVAILABLE`, and the verifier refuses the request: fail closed.
//!
//! | store | for | URL |
//! |---|---|---|
//! | [`MemoryStore`] | one process | `memory://?max_entries=1000000` |
//! | [`SqliteStore`] | many processes on one host (PHP-FPM, gunicorn) | `sqlite:///var/lib/app/nonces.db?busy_timeout_ms=2000` |
//! | [`RedisStore`] | many hosts | `redis://[[user]:password@]host[:port][/db]?connect_timeout_ms=1000&timeout_ms=1000&prefix=signwire`, `rediss://…` (TLS), `redis+sentinel://s1,s2,s3/mymaster`, `redis+cluster://n1,n2,n3` |
//! | [`CallbackStore`] | anything else | (a function; in C a function pointer) |
//!
//! [`open`] turns a URL into a store; every binding passes the same string to it.
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

mod callback;
mod memory;
mod redis;
mod sqlite;
mod url;

pub use callback::CallbackStore;
pub use memory::{MemoryStore, DEFAULT_MAX_ENTRIES};
pub use redis::RedisStore;
pub use sqlite::SqliteStore;

use crate::error::Result;
use std::sync::Arc;
use std::time::Duration;

/// Open the nonce store a URL names. A malformed URL is `INVALID_ARGUMENT`; a store that
/// cannot be opened or reached (missing directory, Redis down) is `NONCE_STORE_UNAVAILABLE`.
/// Passwords in the URL never appear in messages or in [`NonceStore::describe`].
///
/// ```
/// use signwire::replay;
/// let store = replay::open("memory://?max_entries=5000").unwrap();
/// assert_eq!(store.describe(), "memory://?max_entries=5000");
/// assert_eq!(replay::open("memcached://x").unwrap_err().status(), signwire::Status::InvalidArgument);
/// ```
pub fn open(url: &str) -> Result<Arc<dyn NonceStore>> {
    Ok(match url::StoreUrl::parse(url)? {
        url::StoreUrl::Memory { max_entries } => Arc::new(MemoryStore::new(max_entries)),
        url::StoreUrl::Sqlite { path, busy_timeout_ms } => Arc::new(SqliteStore::open(path, Duration::from_millis(busy_timeout_ms))?),
        url::StoreUrl::Host { busy_timeout_ms } => Arc::new(SqliteStore::open(sqlite::per_host_path()?, Duration::from_millis(busy_timeout_ms))?),
        url::StoreUrl::Redis(r) => Arc::new(RedisStore::from_url(&r)?),
    })
}

/// The answer of a nonce store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonceCheck {
    /// First use: now recorded.
    Fresh,
    /// Already recorded within its lifetime.
    Replayed,
}

/// A place that remembers nonces. Implementations must be atomic: two concurrent calls with
/// the same (scope, nonce) get one `Fresh` and one `Replayed`.
pub trait NonceStore: Send + Sync {
    /// Record (scope, nonce) for `ttl` if it is new. The verifier passes the scheme's name as
    /// `key_id` (the scope); the parameter keeps its name for existing implementations.
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck>;

    /// A short description for logs (`memory`, `sqlite:///var/lib/x.db`); never a password.
    fn describe(&self) -> String;
}

impl std::fmt::Debug for dyn NonceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // describe() never includes a password, so this is safe to log.
        write!(f, "NonceStore({})", self.describe())
    }
}
