//! One error type for the whole library.
//!
//! Every failure carries a [`Status`] (what went wrong, stable across languages: the C ABI
//! returns it as `signwire_status`, Python and PHP map it to one exception class each) and a
//! message meant for the *server's* log. Messages never contain secrets or expected
//! signatures; they may contain what the client sent (a key id, a timestamp), which the
//! client already knows.
//!
//! ```
//! use signwire::{Error, Status};
//! let e = Error::new(Status::BadSignature, "signature does not match");
//! assert_eq!(e.status(), Status::BadSignature);
//! assert_eq!(e.status().name(), "SIGNWIRE_ERR_BAD_SIGNATURE");
//! ```

use std::fmt;

/// What went wrong, as a stable code.
///
/// The numbers are part of the C ABI and are never reused: a new failure gets a new number.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL (C ABI only).
    NullPointer = 1,
    /// An argument is out of range or malformed (empty secret, lowercase method, bad scheme...).
    InvalidArgument = 2,
    /// A text argument is not valid UTF-8.
    InvalidUtf8 = 3,
    /// The caller's output buffer is too small; the needed size is reported.
    BufferTooSmall = 4,
    /// A header the scheme requires is absent.
    MissingHeader = 5,
    /// A header is present but malformed, duplicated or oversized.
    MalformedHeader = 6,
    /// The key id is not in the keyring.
    UnknownKey = 7,
    /// The signature does not match any active secret of the key.
    BadSignature = 8,
    /// The timestamp is older than the maximum age.
    TimestampTooOld = 9,
    /// The timestamp is further in the future than the allowed skew.
    TimestampInFuture = 10,
    /// The nonce was already used within its lifetime.
    NonceReplayed = 11,
    /// The nonce store could not answer (full, unreachable, read-only): fail closed.
    NonceStoreUnavailable = 12,
    /// The remote address is not in the allowlist.
    IpNotAllowed = 13,
    /// A bug in signwire (a caught panic, a broken invariant).
    Internal = 14,
    /// An algorithm, encryption or hash variant that signwire refuses (e.g. bcrypt `$2x$`, JWE `alg: none`).
    UnsupportedAlgorithm = 15,
    /// A sealed-body token is malformed (parts, base64url, header JSON).
    MalformedToken = 16,
    /// Decryption failed: wrong key, or altered ciphertext, IV, tag or header.
    DecryptionFailed = 17,
    /// A key is too weak for its purpose (e.g. RSA under 2048 bits).
    WeakKey = 18,
    /// An input exceeds its size limit.
    InputTooLarge = 19,
}

impl Status {
    /// Every status, in numeric order; for bindings and exhaustive tests.
    pub const ALL: [Status; 20] = [
        Status::Ok,
        Status::NullPointer,
        Status::InvalidArgument,
        Status::InvalidUtf8,
        Status::BufferTooSmall,
        Status::MissingHeader,
        Status::MalformedHeader,
        Status::UnknownKey,
        Status::BadSignature,
        Status::TimestampTooOld,
        Status::TimestampInFuture,
        Status::NonceReplayed,
        Status::NonceStoreUnavailable,
        Status::IpNotAllowed,
        Status::Internal,
        Status::UnsupportedAlgorithm,
        Status::MalformedToken,
        Status::DecryptionFailed,
        Status::WeakKey,
        Status::InputTooLarge,
    ];

    /// The numeric code used by the C ABI.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The status for a numeric code, if it is one.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The stable name, identical to the C enum constant (`SIGNWIRE_ERR_BAD_SIGNATURE`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "SIGNWIRE_OK",
            Status::NullPointer => "SIGNWIRE_ERR_NULL_POINTER",
            Status::InvalidArgument => "SIGNWIRE_ERR_INVALID_ARGUMENT",
            Status::InvalidUtf8 => "SIGNWIRE_ERR_INVALID_UTF8",
            Status::BufferTooSmall => "SIGNWIRE_ERR_BUFFER_TOO_SMALL",
            Status::MissingHeader => "SIGNWIRE_ERR_MISSING_HEADER",
            Status::MalformedHeader => "SIGNWIRE_ERR_MALFORMED_HEADER",
            Status::UnknownKey => "SIGNWIRE_ERR_UNKNOWN_KEY",
            Status::BadSignature => "SIGNWIRE_ERR_BAD_SIGNATURE",
            Status::TimestampTooOld => "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD",
            Status::TimestampInFuture => "SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE",
            Status::NonceReplayed => "SIGNWIRE_ERR_NONCE_REPLAYED",
            Status::NonceStoreUnavailable => "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE",
            Status::IpNotAllowed => "SIGNWIRE_ERR_IP_NOT_ALLOWED",
            Status::Internal => "SIGNWIRE_ERR_INTERNAL",
            Status::UnsupportedAlgorithm => "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM",
            Status::MalformedToken => "SIGNWIRE_ERR_MALFORMED_TOKEN",
            Status::DecryptionFailed => "SIGNWIRE_ERR_DECRYPTION_FAILED",
            Status::WeakKey => "SIGNWIRE_ERR_WEAK_KEY",
            Status::InputTooLarge => "SIGNWIRE_ERR_INPUT_TOO_LARGE",
        }
    }

    /// True for the outcomes of verifying a request (as opposed to misuse of the API).
    /// A server answers all of these with the same generic "authentication failed".
    pub fn is_verification_failure(self) -> bool {
        matches!(
            self,
            Status::MissingHeader
                | Status::MalformedHeader
                | Status::UnknownKey
                | Status::BadSignature
                | Status::TimestampTooOld
                | Status::TimestampInFuture
                | Status::NonceReplayed
                | Status::NonceStoreUnavailable
                | Status::IpNotAllowed
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failure: a [`Status`] plus a message for the server's log.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    message: String,
}

impl Error {
    /// An error with a status and a log message (which must not contain secrets).
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Error { status, message: message.into() }
    }

    /// What went wrong.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Detail for the server's log. Never send it to the client: use
    /// [`Error::client_message`] there.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What a server may tell the client: generic for every verification failure, so an
    /// attacker learns nothing about which check failed.
    pub fn client_message(&self) -> &'static str {
        if self.status.is_verification_failure() {
            "authentication failed"
        } else {
            "bad request"
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(Status::InvalidArgument, message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.name(), self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.name(), self.message)
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout signwire.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_unique_and_round_trip() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code(), i as i32);
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        assert_eq!(Status::from_code(-1), None);
        assert_eq!(Status::from_code(Status::ALL.len() as i32), None);
    }

    #[test]
    fn client_message_is_generic_for_every_verification_failure() {
        let a = Error::new(Status::BadSignature, "x").client_message();
        let b = Error::new(Status::UnknownKey, "y").client_message();
        let c = Error::new(Status::NonceReplayed, "z").client_message();
        assert_eq!(a, b);
        assert_eq!(b, c);
    }
}
