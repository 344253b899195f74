//! Verifying requests.

use super::scheme::signwire_scheme;
use super::{boundary, bytes, check_handle_out, check_out, free_handle, handle, handle_mut, opt_text, put_handle, signwire_status, text, write_out};
use crate::canonical::Request;
use crate::error::{Error, Result, Status};
use crate::headers::{unix_now, Headers};
use crate::keyring::check_key_id;
use crate::verifier::Verifier;
use std::ffi::c_char;

/// Verifies requests for one scheme.
///
/// Thread-safety: `signwire_verifier_verify*`, `signwire_verifier_add_secret` and
/// `signwire_verifier_retire_secret` may be called from any number of threads at once.
/// The `signwire_verifier_set_*` functions must be called before the verifier is shared.
pub struct signwire_verifier {
    pub(crate) verifier: Verifier,
}

/// A verifier with the scheme's defaults (max age, future skew), an empty keyring and an
/// in-memory nonce store.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_new(scheme: *const signwire_scheme, out: *mut *mut signwire_verifier) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let scheme = handle(scheme, "scheme")?.scheme.clone();
        put_handle(out, Ok(signwire_verifier { verifier: Verifier::new(scheme) }))
    })
}

/// Release a verifier (its secrets are wiped). NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_free(verifier: *mut signwire_verifier) {
    free_handle(verifier)
}

/// Add a secret to a key id (a key id may hold several during rotation). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_add_secret(
    verifier: *const signwire_verifier,
    key_id: *const c_char,
    secret: *const c_char,
    secret_len: usize,
) -> signwire_status {
    boundary(|| {
        let v = handle(verifier, "verifier")?;
        v.verifier.keyring().add_secret(text(key_id, "key_id")?, bytes(secret, secret_len, "secret")?)
    })
}

/// Add a public key (PEM or JWK, `key_len` bytes) to a key id of an HTTP Message
/// Signatures scheme with an asymmetric algorithm (several per key id while rotating).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_add_public_key(
    verifier: *const signwire_verifier,
    key_id: *const c_char,
    key: *const c_char,
    key_len: usize,
) -> signwire_status {
    boundary(|| {
        let v = handle(verifier, "verifier")?;
        v.verifier.add_public_key(text(key_id, "key_id")?, bytes(key, key_len, "key")?)
    })
}

/// Remove every public key of a key id. `SIGNWIRE_ERR_UNKNOWN_KEY` when it had none.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_remove_public_key(verifier: *const signwire_verifier, key_id: *const c_char) -> signwire_status {
    boundary(|| {
        let v = handle(verifier, "verifier")?;
        let key_id = text(key_id, "key_id")?;
        if v.verifier.public_keys().remove(key_id)? {
            Ok(())
        } else {
            Err(crate::error::Error::new(crate::error::Status::UnknownKey, format!("key id {key_id:?} has no public key")))
        }
    })
}

/// Retire one secret of a key id. Thread-safe. `SIGNWIRE_ERR_UNKNOWN_KEY` when that secret
/// was not active for that key id.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_retire_secret(
    verifier: *const signwire_verifier,
    key_id: *const c_char,
    secret: *const c_char,
    secret_len: usize,
) -> signwire_status {
    boundary(|| {
        let v = handle(verifier, "verifier")?;
        let key_id = text(key_id, "key_id")?;
        if v.verifier.keyring().retire_secret(key_id, bytes(secret, secret_len, "secret")?)? {
            Ok(())
        } else {
            Err(Error::new(Status::UnknownKey, format!("no such active secret for key id {key_id:?}")))
        }
    })
}

/// Oldest accepted timestamp, in seconds before now (1 s to 7 days).
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_set_max_age(verifier: *mut signwire_verifier, seconds: u64) -> signwire_status {
    boundary(|| handle_mut(verifier, "verifier")?.verifier.set_max_age(seconds))
}

/// Furthest accepted timestamp, in seconds after now (at most 3600).
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_set_max_future_skew(verifier: *mut signwire_verifier, seconds: u64) -> signwire_status {
    boundary(|| handle_mut(verifier, "verifier")?.verifier.set_max_future_skew(seconds))
}

unsafe fn verify_common(
    verifier: *const signwire_verifier,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    remote_addr: *const c_char,
    now: Option<i64>,
    key_id_out: *mut c_char,
    key_id_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| -> Result<()> {
        super::diagnostics::set_last_diagnostic(None);
        check_out(key_id_out, written)?;
        let v = &handle(verifier, "verifier")?.verifier;
        let block = text(headers, "headers")?;
        let request = Request::new(text(method, "method")?, text(url, "url")?, bytes(body, body_len, "body")?)
            .with_remote_addr(opt_text(remote_addr, "remote_addr")?);
        // The thread's parsed-headers buffer, reused: two allocations per request were a
        // tenth of the verify overhead. A nonce-store callback that verifies on the same
        // thread finds it taken and gets its own.
        SCRATCH_HEADERS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let result = verify_parsed(v, &request, block, &mut scratch, now, key_id_out, key_id_cap, written);
                scratch.clear_and_wipe();
                result
            }
            Err(_) => verify_parsed(v, &request, block, &mut Headers::new(), now, key_id_out, key_id_cap, written),
        })
    })
}

thread_local! {
    static SCRATCH_HEADERS: std::cell::RefCell<Headers> = std::cell::RefCell::new(Headers::new());
}

#[allow(clippy::too_many_arguments)]
unsafe fn verify_parsed(
    v: &Verifier,
    request: &Request<'_>,
    block: &str,
    headers: &mut Headers,
    now: Option<i64>,
    key_id_out: *mut c_char,
    key_id_cap: usize,
    written: *mut usize,
) -> Result<()> {
    headers.parse_into(block)?;
    let request = request.with_headers(headers);
    // A successful verification spends the nonce, so a key id buffer that is too small
    // must be reported before verifying: otherwise the caller's retry with the size we
    // asked for would fail as a replay. Only a well-formed key id is measured; anything
    // else is left for the verifier to refuse with its own status.
    // A buffer that holds any key id (SIGNWIRE_KEY_ID_MAX, as the docs advise) needs no look.
    if key_id_cap <= crate::keyring::MAX_KEY_ID_LEN {
        if let Ok(Some(claimed)) = headers.get(&v.scheme().headers.key_id) {
            let needed = claimed.len() + 1;
            if check_key_id(claimed).is_ok() && key_id_cap < needed {
                *written = needed;
                return Err(Error::new(
                    Status::BufferTooSmall,
                    format!("key id buffer holds {key_id_cap} bytes, {needed} are needed (including the NUL)"),
                ));
            }
        }
    }
    let ok = v.verify_diagnosed(&request, now.unwrap_or_else(unix_now)).map_err(|r| {
        super::diagnostics::set_last_diagnostic(r.diagnostic.as_ref());
        r.error
    })?;
    write_out(ok.key_id.as_bytes(), key_id_out, key_id_cap, written)
}

/// Verify a request at the current time. `headers` is the request's header block
/// (`Name: value` lines, CRLF or LF). `remote_addr` may be NULL when no IP allowlist is
/// set. On success writes the verified key id (capacity `SIGNWIRE_KEY_ID_MAX` suffices); a
/// buffer too small for the request's key id is reported before anything is verified, so the
/// nonce is not spent and the retry with `*written` bytes can succeed.
/// On failure returns the reason; `signwire_last_error_message()` has detail for the log,
/// and `signwire_last_diagnostic()` the fingerprint line when diagnostics are on.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_verify(
    verifier: *const signwire_verifier,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    remote_addr: *const c_char,
    key_id_out: *mut c_char,
    key_id_cap: usize,
    written: *mut usize,
) -> signwire_status {
    verify_common(verifier, method, url, body, body_len, headers, remote_addr, None, key_id_out, key_id_cap, written)
}

/// Verify as if the clock read `now` (unix seconds): for tests and replaying logs.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_verify_at(
    verifier: *const signwire_verifier,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    remote_addr: *const c_char,
    now: i64,
    key_id_out: *mut c_char,
    key_id_cap: usize,
    written: *mut usize,
) -> signwire_status {
    verify_common(verifier, method, url, body, body_len, headers, remote_addr, Some(now), key_id_out, key_id_cap, written)
}
