//! A nonce store backed by a function: for stores signwire does not ship (Memcached, a
//! database the application already has). The C ABI wraps a C function pointer in one.
//!
//! The function must be atomic: two concurrent calls with the same (key id, nonce) must
//! get one `Fresh` and one `Replayed`. It may be called from any thread that verifies.
//!
//! ```
//! use signwire::replay::{CallbackStore, NonceCheck, NonceStore};
//! use std::collections::HashSet;
//! use std::sync::Mutex;
//! use std::time::Duration;
//! let seen = Mutex::new(HashSet::new());
//! let store = CallbackStore::new("my-store", move |key_id: &str, nonce: &str, _ttl: Duration| {
//!     let fresh = seen.lock().unwrap().insert(format!("{key_id}:{nonce}"));
//!     Ok(if fresh { NonceCheck::Fresh } else { NonceCheck::Replayed })
//! });
//! assert_eq!(store.check_and_record("k1", "ab", Duration::from_secs(60)).unwrap(), NonceCheck::Fresh);
//! assert_eq!(store.check_and_record("k1", "ab", Duration::from_secs(60)).unwrap(), NonceCheck::Replayed);
//! ```

use super::{NonceCheck, NonceStore};
use crate::error::Result;
use std::time::Duration;

type CheckFn = dyn Fn(&str, &str, Duration) -> Result<NonceCheck> + Send + Sync;

/// A nonce store that calls a function.
pub struct CallbackStore {
    name: String,
    f: Box<CheckFn>,
}

impl CallbackStore {
    /// A store named `name` (for logs) that calls `f(key_id, nonce, ttl)`.
    pub fn new(name: &str, f: impl Fn(&str, &str, Duration) -> Result<NonceCheck> + Send + Sync + 'static) -> CallbackStore {
        CallbackStore { name: name.to_string(), f: Box::new(f) }
    }
}

impl NonceStore for CallbackStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck> {
        (self.f)(key_id, nonce, ttl)
    }

    fn describe(&self) -> String {
        format!("callback ({})", self.name)
    }
}
