//! Raw HMAC over any message: one-shot functions and a reusable key handle.

use super::{boundary, bytes, check_handle_out, check_out, free_handle, handle, put_handle, signwire_status, write_out};
use crate::mac::{Algorithm, Encoding, Key, MAX_ENCODED_TAG_LEN};
use std::ffi::c_char;

/// A secret keyed for HMAC once, reusable for many messages. Thread-safe.
pub struct signwire_hmac_key {
    key: Key,
}

/// Compute the HMAC of `message` under `secret` and write it encoded into `out`
/// (capacity `SIGNWIRE_SIGNATURE_MAX` always suffices).
#[no_mangle]
pub unsafe extern "C" fn signwire_hmac_sign(
    algorithm: i32,
    secret: *const c_char,
    secret_len: usize,
    message: *const c_char,
    message_len: usize,
    encoding: i32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let key = Key::new(Algorithm::from_code(algorithm)?, bytes(secret, secret_len, "secret")?)?;
        let tag = key.sign(bytes(message, message_len, "message")?);
        let mut buf = [0u8; MAX_ENCODED_TAG_LEN];
        write_out(tag.encode_into(Encoding::from_code(encoding)?, &mut buf).as_bytes(), out, out_cap, written)
    })
}

/// Check an encoded HMAC in constant time. `SIGNWIRE_OK` when it matches,
/// `SIGNWIRE_ERR_BAD_SIGNATURE` otherwise (also for wrong length or bad encoding).
#[no_mangle]
pub unsafe extern "C" fn signwire_hmac_verify(
    algorithm: i32,
    secret: *const c_char,
    secret_len: usize,
    message: *const c_char,
    message_len: usize,
    signature: *const c_char,
    signature_len: usize,
    encoding: i32,
) -> signwire_status {
    boundary(|| {
        let key = Key::new(Algorithm::from_code(algorithm)?, bytes(secret, secret_len, "secret")?)?;
        key.verify_encoded(bytes(message, message_len, "message")?, bytes(signature, signature_len, "signature")?, Encoding::from_code(encoding)?)
    })
}

/// Key a secret once. Free with `signwire_hmac_key_free`.
#[no_mangle]
pub unsafe extern "C" fn signwire_hmac_key_new(
    algorithm: i32,
    secret: *const c_char,
    secret_len: usize,
    out: *mut *mut signwire_hmac_key,
) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let key = Key::new(Algorithm::from_code(algorithm)?, bytes(secret, secret_len, "secret")?);
        put_handle(out, key.map(|key| signwire_hmac_key { key }))
    })
}

/// Release a key (its state is wiped). NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_hmac_key_free(key: *mut signwire_hmac_key) {
    free_handle(key)
}

/// HMAC of `message` with a prepared key, encoded into `out`.
#[no_mangle]
pub unsafe extern "C" fn signwire_hmac_key_sign(
    key: *const signwire_hmac_key,
    message: *const c_char,
    message_len: usize,
    encoding: i32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let key = handle(key, "key")?;
        let enc = Encoding::from_code(encoding)?;
        let mut buf = [0u8; MAX_ENCODED_TAG_LEN];
        write_out(key.key.sign(bytes(message, message_len, "message")?).encode_into(enc, &mut buf).as_bytes(), out, out_cap, written)
    })
}

/// Constant-time check of an encoded HMAC with a prepared key.
#[no_mangle]
pub unsafe extern "C" fn signwire_hmac_key_verify(
    key: *const signwire_hmac_key,
    message: *const c_char,
    message_len: usize,
    signature: *const c_char,
    signature_len: usize,
    encoding: i32,
) -> signwire_status {
    boundary(|| {
        let key = handle(key, "key")?;
        key.key.verify_encoded(bytes(message, message_len, "message")?, bytes(signature, signature_len, "signature")?, Encoding::from_code(encoding)?)
    })
}
