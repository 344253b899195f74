//! Sealed bodies: recipients (sealing side), opening keys (receiving side), seal, open,
//! sealed query parameters, and verify-then-open.
//!
//! Token and plaintext lengths are deterministic: a call that returns
//! `SIGNWIRE_ERR_BUFFER_TOO_SMALL` reports in `*written` the capacity that the same call needs
//! (the token bytes differ each time, their length does not). Plaintext is never written to
//! a buffer that is too small, not even in part.

use super::verifier::signwire_verifier;
use super::{boundary, bytes, check_handle_out, check_out, free_handle, handle, opt_text, put_handle, signwire_status, text, write_out};
use crate::canonical::Request;
use crate::error::{Error, Result, Status};
use crate::headers::Headers;
use crate::keyring::MAX_KEY_ID_LEN;
use crate::seal::{query, OpeningKeys, Recipient, RsaPrivateKey, RsaPublicKey, SharedKey, MAX_TOKEN_LEN};
use std::ffi::c_char;

/// Who to seal for: a key id plus a shared AES key or an RSA public key. Thread-safe.
pub struct signwire_seal_recipient {
    recipient: Recipient,
}

/// The receiver's keys by key id (`kid`). Thread-safe, including adding and removing keys
/// while other threads open tokens.
pub struct signwire_seal_keys {
    keys: OpeningKeys,
}

/// A recipient for `dir` + `A256GCM`: `key` is exactly 32 bytes (shorter is
/// `SIGNWIRE_ERR_WEAK_KEY`). The key is copied; wipe your copy when done.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_recipient_new_shared(
    kid: *const c_char,
    key: *const c_char,
    key_len: usize,
    out: *mut *mut signwire_seal_recipient,
) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let key = SharedKey::new(bytes(key, key_len, "key")?)?;
        put_handle(out, Recipient::shared(text(kid, "kid")?, key).map(|recipient| signwire_seal_recipient { recipient }))
    })
}

/// A recipient for `RSA-OAEP-256` + `A256GCM`: `public_key` is PEM (`PUBLIC KEY`,
/// `RSA PUBLIC KEY`) or DER, 2048 bits or more (else `SIGNWIRE_ERR_WEAK_KEY`).
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_recipient_new_rsa(
    kid: *const c_char,
    public_key: *const c_char,
    public_key_len: usize,
    out: *mut *mut signwire_seal_recipient,
) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let key = RsaPublicKey::parse(bytes(public_key, public_key_len, "public_key")?)?;
        put_handle(out, Recipient::rsa(text(kid, "kid")?, key).map(|recipient| signwire_seal_recipient { recipient }))
    })
}

/// Release a recipient (a shared key is wiped). NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_recipient_free(recipient: *mut signwire_seal_recipient) {
    free_handle(recipient)
}

/// The capacity `signwire_seal` needs for a body of `body_len` bytes (token plus NUL).
/// `SIGNWIRE_ERR_INPUT_TOO_LARGE` when the token would exceed `signwire_seal_max_token_len()`.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_len(
    recipient: *const signwire_seal_recipient,
    body_len: usize,
    needed: *mut usize,
) -> signwire_status {
    boundary(|| {
        if needed.is_null() {
            return Err(Error::new(Status::NullPointer, "needed is NULL"));
        }
        *needed = 0;
        *needed = handle(recipient, "recipient")?.recipient.sealed_len(body_len)? + 1;
        Ok(())
    })
}

/// Seal `body` into a JWE compact token (NUL-terminated text) in `out`.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal(
    recipient: *const signwire_seal_recipient,
    body: *const c_char,
    body_len: usize,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let r = &handle(recipient, "recipient")?.recipient;
        let needed = r.sealed_len(body_len)? + 1;
        if out_cap < needed {
            // Before encrypting: the caller learns the size without spending randomness.
            *written = needed;
            return Err(Error::new(Status::BufferTooSmall, format!("out holds {out_cap} bytes, the token needs {needed}")));
        }
        write_out(r.seal(bytes(body, body_len, "body")?)?.as_bytes(), out, out_cap, written)
    })
}

/// Seal the pairs of `query` named in `names` (comma-separated, matched as they appear in
/// the query) into one parameter `param` (NULL means `sealed`), in place of the first of
/// them. Writes the new query.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_query(
    recipient: *const signwire_seal_recipient,
    query: *const c_char,
    names: *const c_char,
    param: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let r = &handle(recipient, "recipient")?.recipient;
        let names: Vec<&str> = text(names, "names")?.split(',').map(str::trim).collect();
        let param = opt_text(param, "param")?.unwrap_or(query::DEFAULT_PARAM);
        let sealed = query::seal_query(text(query, "query")?, &names, param, r)?;
        write_out(sealed.as_bytes(), out, out_cap, written)
    })
}

/// Keys to open tokens with, refusing tokens longer than `max_token_len` bytes before any
/// work (0 means the default, `signwire_seal_max_token_len()`).
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_keys_new(max_token_len: usize, out: *mut *mut signwire_seal_keys) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let keys = if max_token_len == 0 { Ok(OpeningKeys::new()) } else { OpeningKeys::new().with_max_token_len(max_token_len) };
        put_handle(out, keys.map(|keys| signwire_seal_keys { keys }))
    })
}

/// Release opening keys (shared keys are wiped; AWS-LC wipes RSA keys). NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_keys_free(keys: *mut signwire_seal_keys) {
    free_handle(keys)
}

/// Open `dir` tokens whose `kid` is `kid` with a 32-byte shared key. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_keys_add_shared(
    keys: *const signwire_seal_keys,
    kid: *const c_char,
    key: *const c_char,
    key_len: usize,
) -> signwire_status {
    boundary(|| {
        let keys = &handle(keys, "keys")?.keys;
        keys.add_shared(text(kid, "kid")?, SharedKey::new(bytes(key, key_len, "key")?)?)
    })
}

/// Open `RSA-OAEP-256` tokens whose `kid` is `kid` with an RSA private key: PEM
/// (`PRIVATE KEY`, `RSA PRIVATE KEY`) or DER, not password-protected. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_keys_add_rsa(
    keys: *const signwire_seal_keys,
    kid: *const c_char,
    private_key: *const c_char,
    private_key_len: usize,
) -> signwire_status {
    boundary(|| {
        let keys = &handle(keys, "keys")?.keys;
        keys.add_rsa(text(kid, "kid")?, RsaPrivateKey::parse(bytes(private_key, private_key_len, "private_key")?)?)
    })
}

/// Forget the key of `kid` (rotation). `SIGNWIRE_ERR_UNKNOWN_KEY` when there is none.
#[no_mangle]
pub unsafe extern "C" fn signwire_seal_keys_remove(keys: *const signwire_seal_keys, kid: *const c_char) -> signwire_status {
    boundary(|| {
        let kid = text(kid, "kid")?;
        if handle(keys, "keys")?.keys.remove(kid) {
            Ok(())
        } else {
            Err(Error::new(Status::UnknownKey, "no opening key with that kid"))
        }
    })
}

/// Open a token into `out` (the plaintext, then a NUL not counted in `*written`).
/// Capacity `token_len + 1` always suffices. Statuses: `MALFORMED_TOKEN`,
/// `UNSUPPORTED_ALGORITHM`, `UNKNOWN_KEY`, `DECRYPTION_FAILED`, `INPUT_TOO_LARGE`; on any
/// failure nothing is written to `out`.
#[no_mangle]
pub unsafe extern "C" fn signwire_open(
    keys: *const signwire_seal_keys,
    token: *const c_char,
    token_len: usize,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let plain = handle(keys, "keys")?.keys.open(bytes(token, token_len, "token")?)?;
        write_out(&plain, out, out_cap, written)
    })
}

/// Open the parameter `param` (NULL means `sealed`) of `query` and write the query with the
/// sealed pairs back in its place. Capacity `strlen(query) + 1` always suffices.
#[no_mangle]
pub unsafe extern "C" fn signwire_open_query(
    keys: *const signwire_seal_keys,
    query: *const c_char,
    param: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let keys = &handle(keys, "keys")?.keys;
        let param = opt_text(param, "param")?.unwrap_or(query::DEFAULT_PARAM);
        let opened = query::open_query(text(query, "query")?, param, keys)?;
        write_out(opened.as_bytes(), out, out_cap, written)
    })
}

/// The server side of encrypt-then-sign in one call: verify the request whose body is the
/// token as received (exactly as `signwire_verifier_verify`), and only if it passes, open
/// the body into `out`. A request that fails verification is never decrypted.
///
/// Buffers are checked before verifying, because a verified request's nonce is spent:
/// `out_cap` must be at least `body_len + 1`, and `key_id_out`, when not NULL, must hold
/// `signwire_key_id_max()` bytes; `key_id_out` may be NULL (then `key_id_cap` and
/// `key_id_written` are ignored).
#[no_mangle]
pub unsafe extern "C" fn signwire_verify_and_open(
    verifier: *const signwire_verifier,
    keys: *const signwire_seal_keys,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    remote_addr: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
    key_id_out: *mut c_char,
    key_id_cap: usize,
    key_id_written: *mut usize,
) -> signwire_status {
    boundary(|| -> Result<()> {
        check_out(out, written)?;
        if !key_id_out.is_null() {
            check_out(key_id_out, key_id_written)?;
            if key_id_cap < MAX_KEY_ID_LEN + 1 {
                *key_id_written = MAX_KEY_ID_LEN + 1;
                return Err(Error::new(Status::BufferTooSmall, "key_id_out must hold signwire_key_id_max() bytes"));
            }
        }
        if out_cap <= body_len {
            *written = body_len.saturating_add(1);
            return Err(Error::new(Status::BufferTooSmall, "out must hold body_len + 1 bytes (checked before verifying)"));
        }
        let v = &handle(verifier, "verifier")?.verifier;
        let keys = &handle(keys, "keys")?.keys;
        let headers = Headers::parse(text(headers, "headers")?)?;
        let request = Request::new(text(method, "method")?, text(url, "url")?, bytes(body, body_len, "body")?)
            .with_headers(&headers)
            .with_remote_addr(opt_text(remote_addr, "remote_addr")?);
        let (verified, plain) = crate::seal::verify_and_open(v, &request, keys)?;
        write_out(&plain, out, out_cap, written)?;
        if !key_id_out.is_null() {
            write_out(verified.key_id.as_bytes(), key_id_out, key_id_cap, key_id_written)?;
        }
        Ok(())
    })
}

/// The largest token signwire seals or opens, in bytes (16 MiB).
#[no_mangle]
pub extern "C" fn signwire_seal_max_token_len() -> usize {
    MAX_TOKEN_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null_mut;

    fn status_of(s: signwire_status) -> Option<Status> {
        Status::from_code(s as i32)
    }

    #[test]
    fn seal_open_through_the_abi_with_size_queries() {
        unsafe {
            let key = [3u8; 32];
            let mut r = null_mut();
            assert_eq!(signwire_seal_recipient_new_shared(c"k1".as_ptr(), key.as_ptr().cast(), 32, &mut r), signwire_status::SIGNWIRE_OK);
            let body = b"card=4111111111111111";
            let mut needed = 0;
            assert_eq!(signwire_seal_len(r, body.len(), &mut needed), signwire_status::SIGNWIRE_OK);
            let mut small = [0 as c_char; 8];
            let mut written = 0;
            let s = signwire_seal(r, body.as_ptr().cast(), body.len(), small.as_mut_ptr(), small.len(), &mut written);
            assert_eq!((status_of(s), written), (Some(Status::BufferTooSmall), needed));
            let mut buf = vec![0 as c_char; needed];
            let s = signwire_seal(r, body.as_ptr().cast(), body.len(), buf.as_mut_ptr(), buf.len(), &mut written);
            assert_eq!((s, written), (signwire_status::SIGNWIRE_OK, needed - 1));

            let mut keys = null_mut();
            assert_eq!(signwire_seal_keys_new(0, &mut keys), signwire_status::SIGNWIRE_OK);
            assert_eq!(signwire_seal_keys_add_shared(keys, c"k1".as_ptr(), key.as_ptr().cast(), 32), signwire_status::SIGNWIRE_OK);
            // Too small for the plaintext: nothing written, the needed size reported.
            let mut plain = [0x55 as c_char; 4];
            let s = signwire_open(keys, buf.as_ptr(), written, plain.as_mut_ptr(), plain.len(), &mut needed);
            assert_eq!((status_of(s), needed), (Some(Status::BufferTooSmall), body.len() + 1));
            assert!(plain.iter().all(|c| *c == 0x55));
            let mut plain = vec![0 as c_char; written + 1];
            let mut n = 0;
            assert_eq!(signwire_open(keys, buf.as_ptr(), written, plain.as_mut_ptr(), plain.len(), &mut n), signwire_status::SIGNWIRE_OK);
            assert_eq!(std::slice::from_raw_parts(plain.as_ptr() as *const u8, n), body);
            // Altered token: DECRYPTION_FAILED and the buffer untouched.
            buf[written - 3] = if buf[written - 3] == b'A' as c_char { b'B' as c_char } else { b'A' as c_char };
            let mut plain = vec![0x55 as c_char; written + 1];
            let s = signwire_open(keys, buf.as_ptr(), written, plain.as_mut_ptr(), plain.len(), &mut n);
            assert_eq!(status_of(s), Some(Status::DecryptionFailed));
            assert!(plain.iter().all(|c| *c == 0x55));
            assert_eq!(signwire_seal_keys_remove(keys, c"k1".as_ptr()), signwire_status::SIGNWIRE_OK);
            assert_eq!(status_of(signwire_seal_keys_remove(keys, c"k1".as_ptr())), Some(Status::UnknownKey));
            signwire_seal_keys_free(keys);
            signwire_seal_recipient_free(r);
        }
    }

    #[test]
    fn null_pointers_and_bad_keys_are_statuses() {
        unsafe {
            let mut r = null_mut();
            let s = signwire_seal_recipient_new_shared(c"k".as_ptr(), [1u8; 16].as_ptr().cast(), 16, &mut r);
            assert_eq!((status_of(s), r.is_null()), (Some(Status::WeakKey), true));
            assert_eq!(status_of(signwire_seal_recipient_new_shared(std::ptr::null(), [1u8; 32].as_ptr().cast(), 32, &mut r)), Some(Status::NullPointer));
            assert_eq!(status_of(signwire_seal_recipient_new_rsa(c"k".as_ptr(), std::ptr::null(), 5, &mut r)), Some(Status::NullPointer));
            let mut written = 0;
            let mut out = [0 as c_char; 8];
            assert_eq!(status_of(signwire_open(std::ptr::null(), c"x".as_ptr(), 1, out.as_mut_ptr(), 8, &mut written)), Some(Status::NullPointer));
            assert_eq!(status_of(signwire_seal_len(std::ptr::null(), 1, null_mut())), Some(Status::NullPointer));
            let mut keys = null_mut();
            assert_eq!(status_of(signwire_seal_keys_new(MAX_TOKEN_LEN + 1, &mut keys)), Some(Status::InvalidArgument));
            signwire_seal_keys_free(null_mut());
            signwire_seal_recipient_free(null_mut());
        }
    }
}
