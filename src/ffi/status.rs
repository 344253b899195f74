//! Status codes, version and error-message functions, and size constants.

use super::last_error_ptr;
use crate::error::Status;
use std::ffi::c_char;

/// Result of every fallible signwire function. 0 is success; numbers are never reused.
///
/// A plain C enum (int-sized), not a fixed-width one: cbindgen writes fixed-width enums with
/// C23 syntax inside `#if` blocks, and PHP's FFI, which skips every `#` line, would read both
/// branches. Status values always fit in 32 bits.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum signwire_status {
    SIGNWIRE_OK = 0,
    SIGNWIRE_ERR_NULL_POINTER = 1,
    SIGNWIRE_ERR_INVALID_ARGUMENT = 2,
    SIGNWIRE_ERR_INVALID_UTF8 = 3,
    SIGNWIRE_ERR_BUFFER_TOO_SMALL = 4,
    SIGNWIRE_ERR_MISSING_HEADER = 5,
    SIGNWIRE_ERR_MALFORMED_HEADER = 6,
    SIGNWIRE_ERR_UNKNOWN_KEY = 7,
    SIGNWIRE_ERR_BAD_SIGNATURE = 8,
    SIGNWIRE_ERR_TIMESTAMP_TOO_OLD = 9,
    SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE = 10,
    SIGNWIRE_ERR_NONCE_REPLAYED = 11,
    SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE = 12,
    SIGNWIRE_ERR_IP_NOT_ALLOWED = 13,
    SIGNWIRE_ERR_INTERNAL = 14,
    SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM = 15,
    SIGNWIRE_ERR_MALFORMED_TOKEN = 16,
    SIGNWIRE_ERR_DECRYPTION_FAILED = 17,
    SIGNWIRE_ERR_WEAK_KEY = 18,
    SIGNWIRE_ERR_INPUT_TOO_LARGE = 19,
}

impl From<Status> for signwire_status {
    fn from(s: Status) -> Self {
        use signwire_status::*;
        match s {
            Status::Ok => SIGNWIRE_OK,
            Status::NullPointer => SIGNWIRE_ERR_NULL_POINTER,
            Status::InvalidArgument => SIGNWIRE_ERR_INVALID_ARGUMENT,
            Status::InvalidUtf8 => SIGNWIRE_ERR_INVALID_UTF8,
            Status::BufferTooSmall => SIGNWIRE_ERR_BUFFER_TOO_SMALL,
            Status::MissingHeader => SIGNWIRE_ERR_MISSING_HEADER,
            Status::MalformedHeader => SIGNWIRE_ERR_MALFORMED_HEADER,
            Status::UnknownKey => SIGNWIRE_ERR_UNKNOWN_KEY,
            Status::BadSignature => SIGNWIRE_ERR_BAD_SIGNATURE,
            Status::TimestampTooOld => SIGNWIRE_ERR_TIMESTAMP_TOO_OLD,
            Status::TimestampInFuture => SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE,
            Status::NonceReplayed => SIGNWIRE_ERR_NONCE_REPLAYED,
            Status::NonceStoreUnavailable => SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE,
            Status::IpNotAllowed => SIGNWIRE_ERR_IP_NOT_ALLOWED,
            Status::Internal => SIGNWIRE_ERR_INTERNAL,
            Status::UnsupportedAlgorithm => SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM,
            Status::MalformedToken => SIGNWIRE_ERR_MALFORMED_TOKEN,
            Status::DecryptionFailed => SIGNWIRE_ERR_DECRYPTION_FAILED,
            Status::WeakKey => SIGNWIRE_ERR_WEAK_KEY,
            Status::InputTooLarge => SIGNWIRE_ERR_INPUT_TOO_LARGE,
        }
    }
}

/// HMAC algorithms for the raw MAC functions.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub enum signwire_algorithm {
    SIGNWIRE_HMAC_SHA1 = 1,
    SIGNWIRE_HMAC_SHA256 = 2,
    SIGNWIRE_HMAC_SHA512 = 3,
}

/// Text encodings of a MAC tag.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub enum signwire_encoding {
    SIGNWIRE_ENCODING_HEX = 1,
    SIGNWIRE_ENCODING_BASE64 = 2,
}

/// Capacity for any encoded signature signwire writes, including the NUL.
pub const SIGNWIRE_SIGNATURE_MAX: usize = 129;
/// Capacity for a signed header block (`signwire_signer_sign`), including the NUL.
pub const SIGNWIRE_SIGNED_HEADERS_MAX: usize = 1024;
/// Capacity for a key id (`signwire_verifier_verify`), including the NUL.
pub const SIGNWIRE_KEY_ID_MAX: usize = 257;
/// Length of a HopNow signature (64 lowercase hex characters), without NUL.
pub const SIGNWIRE_HOPNOW_SIGNATURE_LEN: usize = 64;

/// The C ABI version; bindings refuse a library whose value differs from theirs.
#[no_mangle]
pub extern "C" fn signwire_abi_version() -> u32 {
    crate::ABI_VERSION
}

/// The library version, e.g. "0.1.0". Static; do not free.
#[no_mangle]
pub extern "C" fn signwire_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
}

/// The name of a status code, e.g. "SIGNWIRE_ERR_BAD_SIGNATURE"; unknown codes give
/// "SIGNWIRE_ERR_UNKNOWN_STATUS". Static; do not free.
#[no_mangle]
pub extern "C" fn signwire_status_name(status: i32) -> *const c_char {
    let name = match Status::from_code(status) {
        Some(s) => STATUS_NAMES[s.code() as usize],
        None => "SIGNWIRE_ERR_UNKNOWN_STATUS\0",
    };
    name.as_ptr() as *const c_char
}

const STATUS_NAMES: [&str; 20] = [
    "SIGNWIRE_OK\0",
    "SIGNWIRE_ERR_NULL_POINTER\0",
    "SIGNWIRE_ERR_INVALID_ARGUMENT\0",
    "SIGNWIRE_ERR_INVALID_UTF8\0",
    "SIGNWIRE_ERR_BUFFER_TOO_SMALL\0",
    "SIGNWIRE_ERR_MISSING_HEADER\0",
    "SIGNWIRE_ERR_MALFORMED_HEADER\0",
    "SIGNWIRE_ERR_UNKNOWN_KEY\0",
    "SIGNWIRE_ERR_BAD_SIGNATURE\0",
    "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD\0",
    "SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE\0",
    "SIGNWIRE_ERR_NONCE_REPLAYED\0",
    "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE\0",
    "SIGNWIRE_ERR_IP_NOT_ALLOWED\0",
    "SIGNWIRE_ERR_INTERNAL\0",
    "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM\0",
    "SIGNWIRE_ERR_MALFORMED_TOKEN\0",
    "SIGNWIRE_ERR_DECRYPTION_FAILED\0",
    "SIGNWIRE_ERR_WEAK_KEY\0",
    "SIGNWIRE_ERR_INPUT_TOO_LARGE\0",
];

/// Detail about the last failure on this thread, for the server's log ("" after a success).
/// Valid until the next signwire call on this thread; do not free. Never contains secrets
/// or expected signatures.
#[no_mangle]
pub extern "C" fn signwire_last_error_message() -> *const c_char {
    last_error_ptr()
}

/// `SIGNWIRE_SIGNATURE_MAX` as a function (PHP's FFI cannot see `#define`s).
#[no_mangle]
pub extern "C" fn signwire_signature_max() -> usize {
    SIGNWIRE_SIGNATURE_MAX
}

/// `SIGNWIRE_SIGNED_HEADERS_MAX` as a function.
#[no_mangle]
pub extern "C" fn signwire_signed_headers_max() -> usize {
    SIGNWIRE_SIGNED_HEADERS_MAX
}

/// `SIGNWIRE_KEY_ID_MAX` as a function.
#[no_mangle]
pub extern "C" fn signwire_key_id_max() -> usize {
    SIGNWIRE_KEY_ID_MAX
}

/// `SIGNWIRE_HOPNOW_SIGNATURE_LEN` as a function.
#[no_mangle]
pub extern "C" fn signwire_hopnow_signature_len() -> usize {
    SIGNWIRE_HOPNOW_SIGNATURE_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn size_constants_match_the_core() {
        assert_eq!(SIGNWIRE_SIGNATURE_MAX, crate::mac::MAX_ENCODED_TAG_LEN + 1);
        assert_eq!(SIGNWIRE_KEY_ID_MAX, crate::keyring::MAX_KEY_ID_LEN + 1);
        assert_eq!(SIGNWIRE_HOPNOW_SIGNATURE_LEN, crate::scheme::Scheme::load("hopnow").unwrap().signature_len());
    }

    #[test]
    fn c_names_and_numbers_match_the_core() {
        for s in Status::ALL {
            let c: signwire_status = s.into();
            assert_eq!(c as i32, s.code());
            assert_eq!(format!("{c:?}"), s.name());
            let n = unsafe { CStr::from_ptr(signwire_status_name(s.code())) };
            assert_eq!(n.to_str().unwrap(), s.name());
        }
        let n = unsafe { CStr::from_ptr(signwire_status_name(999)) };
        assert_eq!(n.to_str().unwrap(), "SIGNWIRE_ERR_UNKNOWN_STATUS");
    }
}
