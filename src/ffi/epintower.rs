//! bcrypt(sha1(fields)) signatures: the EpinTower preset and any bcrypt scheme document.
//!
//! Fields are passed as three arguments: `fields` (an array of `field_count` pointers),
//! `field_lens` (their lengths in bytes) and `field_count`. A field may be NULL only when
//! its length is 0. PHP's FFI and Python's ctypes build both arrays easily; nothing needs to
//! be NUL-terminated, and fields may hold any bytes.
//!
//! `cost` 0 means the default (10); otherwise 4–31. Signatures are written to `out`, whose
//! capacity `SIGNWIRE_BCRYPT_HASH_MAX` (60 characters + NUL) always suffices.
//!
//! Verification refuses a hash whose cost is above the scheme's `max_verify_cost` with
//! `SIGNWIRE_ERR_MALFORMED_HEADER` before any bcrypt work (the sender picks the cost, and one
//! `$2y$31$` would otherwise cost days of CPU). The preset's cap is 12 (its cost 10 + 2); the
//! `*_capped` calls take another (`max_verify_cost` 0 = that default).

use super::{boundary, bytes, check_handle_out, check_out, free_handle, handle, put_handle, signwire_status, text, write_out};
use crate::error::{Error, Result, Status};
use crate::scheme::bcrypt::{BcryptScheme, Direction, MAX_FIELDS};
use crate::scheme::epintower;
use std::ffi::c_char;

/// Length of a bcrypt signature, without NUL.
pub const SIGNWIRE_BCRYPT_HASH_LEN: usize = 60;
/// Capacity for a bcrypt signature, including the NUL.
pub const SIGNWIRE_BCRYPT_HASH_MAX: usize = 61;
/// The default bcrypt cost (what `cost` 0 selects).
pub const SIGNWIRE_BCRYPT_DEFAULT_COST: u32 = 10;
/// The highest cost the preset verifies by default (its cost 10 + 2).
pub const SIGNWIRE_BCRYPT_DEFAULT_MAX_VERIFY_COST: u32 = 12;

/// A bcrypt signature scheme (a preset or a JSON document). Immutable and thread-safe.
pub struct signwire_bcrypt_scheme {
    scheme: BcryptScheme,
}

unsafe fn fields<'a>(ptrs: *const *const c_char, lens: *const usize, count: usize) -> Result<Vec<&'a [u8]>> {
    if count > MAX_FIELDS {
        return Err(Error::new(Status::InputTooLarge, format!("field_count is {count}; the limit is {MAX_FIELDS}")));
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptrs.is_null() {
        return Err(Error::new(Status::NullPointer, "fields is NULL"));
    }
    if lens.is_null() {
        return Err(Error::new(Status::NullPointer, "field_lens is NULL"));
    }
    let ptrs = std::slice::from_raw_parts(ptrs, count);
    let lens = std::slice::from_raw_parts(lens, count);
    ptrs.iter().zip(lens).enumerate().map(|(i, (&p, &n))| bytes(p, n, &format!("fields[{i}]"))).collect()
}

unsafe fn sign_into(
    scheme: &BcryptScheme,
    rounds: u32,
    cost: u32,
    f: *const *const c_char,
    lens: *const usize,
    count: usize,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> Result<()> {
    check_out(out, written)?;
    let list = fields(f, lens, count)?;
    let scheme = if cost == 0 { scheme.clone() } else { scheme.clone().with_cost(cost)? };
    write_out(scheme.sign_with_rounds(rounds, &list)?.as_bytes(), out, out_cap, written)
}

/// The preset with `max_verify_cost` (0 = the preset's default cap).
fn preset_capped(max_verify_cost: u32) -> Result<BcryptScheme> {
    let s = epintower::scheme();
    if max_verify_cost == 0 {
        Ok(s)
    } else {
        s.with_max_verify_cost(max_verify_cost)
    }
}

unsafe fn verify_from(
    scheme: &BcryptScheme,
    rounds: u32,
    f: *const *const c_char,
    lens: *const usize,
    count: usize,
    signature: *const c_char,
    signature_len: usize,
) -> Result<()> {
    let list = fields(f, lens, count)?;
    scheme.verify_with_rounds(rounds, &list, bytes(signature, signature_len, "signature")?)
}

/// EpinTower request signature: bcrypt(sha1(concat(fields))), `$2y$`, `cost` (0 = 10).
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_sign_request(
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    cost: u32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| sign_into(&epintower::scheme(), epintower::REQUEST_SHA1_ROUNDS, cost, fields, field_lens, field_count, out, out_cap, written))
}

/// Check an EpinTower request signature (`$2y$`/`$2b$`/`$2a$`, cost 4–12).
/// `SIGNWIRE_OK` when it matches; `SIGNWIRE_ERR_BAD_SIGNATURE` when it does not;
/// `SIGNWIRE_ERR_MALFORMED_HEADER` for a malformed hash or a cost above 12;
/// `SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM` for `$2x$`. Another cap: the `_capped` variant.
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_verify_request(
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| verify_from(&epintower::scheme(), epintower::REQUEST_SHA1_ROUNDS, fields, field_lens, field_count, signature, signature_len))
}

/// EpinTower response signature: bcrypt(sha1(sha1(concat(fields)))), as the API signs.
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_sign_response(
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    cost: u32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| sign_into(&epintower::scheme(), epintower::RESPONSE_SHA1_ROUNDS, cost, fields, field_lens, field_count, out, out_cap, written))
}

/// Check an EpinTower response signature: password_verify(sha1(sha1(concat(fields))), sig).
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_verify_response(
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| verify_from(&epintower::scheme(), epintower::RESPONSE_SHA1_ROUNDS, fields, field_lens, field_count, signature, signature_len))
}

/// EpinTower-style signature with an explicit number of sha1 rounds (0–16; 0 bcrypts the
/// concatenation itself, which must then be at most 72 bytes without NUL).
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_sign_rounds(
    sha1_rounds: u32,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    cost: u32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| sign_into(&epintower::scheme(), sha1_rounds, cost, fields, field_lens, field_count, out, out_cap, written))
}

/// Check a signature made with an explicit number of sha1 rounds.
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_verify_rounds(
    sha1_rounds: u32,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| verify_from(&epintower::scheme(), sha1_rounds, fields, field_lens, field_count, signature, signature_len))
}

/// `signwire_epintower_verify_request` verifying costs up to `max_verify_cost` (10–31; 0 = 12).
/// A cap below 10 (the preset's signing cost) is `SIGNWIRE_ERR_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_verify_request_capped(
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    max_verify_cost: u32,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| verify_from(&preset_capped(max_verify_cost)?, epintower::REQUEST_SHA1_ROUNDS, fields, field_lens, field_count, signature, signature_len))
}

/// `signwire_epintower_verify_response` verifying costs up to `max_verify_cost` (10–31; 0 = 12).
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_verify_response_capped(
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    max_verify_cost: u32,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| verify_from(&preset_capped(max_verify_cost)?, epintower::RESPONSE_SHA1_ROUNDS, fields, field_lens, field_count, signature, signature_len))
}

/// `signwire_epintower_verify_rounds` verifying costs up to `max_verify_cost` (10–31; 0 = 12).
#[no_mangle]
pub unsafe extern "C" fn signwire_epintower_verify_rounds_capped(
    sha1_rounds: u32,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    max_verify_cost: u32,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| verify_from(&preset_capped(max_verify_cost)?, sha1_rounds, fields, field_lens, field_count, signature, signature_len))
}

/// `SIGNWIRE_BCRYPT_DEFAULT_MAX_VERIFY_COST` (12: the preset's cost 10 + 2) as a function.
#[no_mangle]
pub extern "C" fn signwire_bcrypt_default_max_verify_cost() -> u32 {
    SIGNWIRE_BCRYPT_DEFAULT_MAX_VERIFY_COST
}

/// Load a bcrypt scheme: a preset name ("epintower"), a path to a JSON document, or the
/// document itself. Free with `signwire_bcrypt_scheme_free`.
#[no_mangle]
pub unsafe extern "C" fn signwire_bcrypt_scheme_new(name_or_document: *const c_char, out: *mut *mut signwire_bcrypt_scheme) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let scheme = BcryptScheme::load(text(name_or_document, "name_or_document")?);
        put_handle(out, scheme.map(|scheme| signwire_bcrypt_scheme { scheme }))
    })
}

/// Release a bcrypt scheme. NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_bcrypt_scheme_free(scheme: *mut signwire_bcrypt_scheme) {
    free_handle(scheme)
}

/// Sign a request under `scheme` (its request sha1 rounds, `cost` 0 = the scheme's cost).
#[no_mangle]
pub unsafe extern "C" fn signwire_bcrypt_scheme_sign_request(
    scheme: *const signwire_bcrypt_scheme,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    cost: u32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        let s = &handle(scheme, "scheme")?.scheme;
        sign_into(s, s.sha1_rounds(Direction::Request), cost, fields, field_lens, field_count, out, out_cap, written)
    })
}

/// Check a request signature under `scheme`.
#[no_mangle]
pub unsafe extern "C" fn signwire_bcrypt_scheme_verify_request(
    scheme: *const signwire_bcrypt_scheme,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| {
        let s = &handle(scheme, "scheme")?.scheme;
        verify_from(s, s.sha1_rounds(Direction::Request), fields, field_lens, field_count, signature, signature_len)
    })
}

/// Sign a response under `scheme` (its response sha1 rounds).
#[no_mangle]
pub unsafe extern "C" fn signwire_bcrypt_scheme_sign_response(
    scheme: *const signwire_bcrypt_scheme,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    cost: u32,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        let s = &handle(scheme, "scheme")?.scheme;
        sign_into(s, s.sha1_rounds(Direction::Response), cost, fields, field_lens, field_count, out, out_cap, written)
    })
}

/// Check a response signature under `scheme`.
#[no_mangle]
pub unsafe extern "C" fn signwire_bcrypt_scheme_verify_response(
    scheme: *const signwire_bcrypt_scheme,
    fields: *const *const c_char,
    field_lens: *const usize,
    field_count: usize,
    signature: *const c_char,
    signature_len: usize,
) -> signwire_status {
    boundary(|| {
        let s = &handle(scheme, "scheme")?.scheme;
        verify_from(s, s.sha1_rounds(Direction::Response), fields, field_lens, field_count, signature, signature_len)
    })
}

/// `SIGNWIRE_BCRYPT_HASH_LEN` (60) as a function (PHP's FFI cannot see `#define`s).
#[no_mangle]
pub extern "C" fn signwire_bcrypt_hash_len() -> usize {
    SIGNWIRE_BCRYPT_HASH_LEN
}

/// `SIGNWIRE_BCRYPT_HASH_MAX` (61: 60 characters + NUL) as a function.
#[no_mangle]
pub extern "C" fn signwire_bcrypt_hash_max() -> usize {
    SIGNWIRE_BCRYPT_HASH_MAX
}

/// `SIGNWIRE_BCRYPT_DEFAULT_COST` (10) as a function.
#[no_mangle]
pub extern "C" fn signwire_bcrypt_default_cost() -> u32 {
    SIGNWIRE_BCRYPT_DEFAULT_COST
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::bcrypt;

    #[test]
    fn constants_match_the_core() {
        assert_eq!(SIGNWIRE_BCRYPT_HASH_LEN, bcrypt::HASH_LEN);
        assert_eq!(SIGNWIRE_BCRYPT_HASH_MAX, bcrypt::HASH_LEN + 1);
        assert_eq!(SIGNWIRE_BCRYPT_DEFAULT_COST, bcrypt::DEFAULT_COST);
        assert_eq!(SIGNWIRE_BCRYPT_DEFAULT_MAX_VERIFY_COST, bcrypt::default_max_verify_cost(bcrypt::DEFAULT_COST));
    }
}
