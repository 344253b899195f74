//! Choosing a verifier's nonce store: by URL, or a C callback.

use super::verifier::signwire_verifier;
use super::{boundary, handle_mut, signwire_status, text};
use crate::error::{Error, Status};
use crate::replay::{CallbackStore, NonceCheck};
use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

/// What a nonce callback returns. Any other value (including 0, what many FFI layers return
/// when the callback itself failed) counts as `SIGNWIRE_NONCE_STORE_ERROR`: the request is
/// refused with `SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signwire_nonce_result {
    /// First use of (scope, nonce): now recorded for `ttl_seconds`.
    SIGNWIRE_NONCE_FRESH = 1,
    /// Already recorded and not yet expired.
    SIGNWIRE_NONCE_REPLAYED = 2,
    /// The store could not answer.
    SIGNWIRE_NONCE_STORE_ERROR = 3,
}

/// A nonce store implemented by the caller. Must atomically record (scope, nonce) for
/// `ttl_seconds` if absent and return `SIGNWIRE_NONCE_FRESH`, or return
/// `SIGNWIRE_NONCE_REPLAYED` if present. `scope` is the scheme's name (a delivery's identity
/// is unique per scheme, whichever key id signed it); `nonce` is the delivery's identity.
/// Both are NUL-terminated and valid only during the call. Called from whichever thread
/// verifies, possibly several at once.
pub type signwire_nonce_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, scope: *const c_char, nonce: *const c_char, ttl_seconds: u64) -> i32>;

/// Use the nonce store a URL names instead of the default in-memory one:
/// `memory://?max_entries=N` (one process), `sqlite:///path/file.db` (processes on one
/// host), `redis://[:password@]host:port/db` (several hosts). The store is opened (or
/// connected) now: a malformed URL gives `SIGNWIRE_ERR_INVALID_ARGUMENT`, a store that
/// cannot be opened or reached `SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE`; the verifier keeps
/// its previous store on failure. Call before the verifier is shared between threads.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_set_nonce_store(verifier: *mut signwire_verifier, url: *const c_char) -> signwire_status {
    boundary(|| {
        let v = handle_mut(verifier, "verifier")?;
        v.verifier.set_nonce_store_url(text(url, "url")?)
    })
}

/// The raw pointer handed back to the callback. The caller promises, by registering it,
/// that the callback may be called from any thread with it.
struct UserData(*mut c_void);
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

/// Use a caller-supplied nonce store: `callback(user_data, scope, nonce, ttl_seconds)` is
/// called once per request whose signature is valid. `user_data` is passed through
/// untouched and must stay valid while the verifier exists. Call before the verifier is
/// shared between threads.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_set_nonce_store_callback(
    verifier: *mut signwire_verifier,
    callback: signwire_nonce_callback,
    user_data: *mut c_void,
) -> signwire_status {
    boundary(|| {
        let v = handle_mut(verifier, "verifier")?;
        let f = callback.ok_or_else(|| Error::new(Status::NullPointer, "callback is NULL"))?;
        let data = UserData(user_data);
        let store = CallbackStore::new("C callback", move |scope, nonce, ttl| {
            let unavailable = |why: &str| Error::new(Status::NonceStoreUnavailable, format!("nonce callback {why}"));
            let k = CString::new(scope).map_err(|_| unavailable("cannot take a scope containing NUL"))?;
            let n = CString::new(nonce).map_err(|_| unavailable("cannot take a nonce containing NUL"))?;
            let ttl = ttl.as_secs().saturating_add(u64::from(ttl.subsec_nanos() > 0));
            let data = &data;
            match f(data.0, k.as_ptr(), n.as_ptr(), ttl) {
                1 => Ok(NonceCheck::Fresh),
                2 => Ok(NonceCheck::Replayed),
                3 => Err(unavailable("reported a store error")),
                other => Err(unavailable(&format!("returned {other}, which is not a signwire_nonce_result"))),
            }
        });
        v.verifier.set_nonce_store(Arc::new(store));
        Ok(())
    })
}
