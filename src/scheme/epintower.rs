//! The EpinTower preset: `SIGNATURE = bcrypt(sha1(field₁ ‖ field₂ ‖ …))`, `$2y$`, cost 10.
//!
//! The fields are concatenated in the order each endpoint's SIGNATURE row lists, with no
//! separator. EpinTower's documentation has two inconsistencies, decided here once:
//!
//! - Requests: its PHP sample bcrypts `$shaEncryptedHash`, a variable it never defines
//!   (PHP would hash the empty string, so every signature would be the same). The intent
//!   is `password_hash(sha1($data))`: **1** sha1 round.
//! - Responses: its sample checks `password_verify(sha1($shaHash), …)` with
//!   `$shaHash = sha1($data)`: **2** sha1 rounds, which is what signwire does for
//!   responses. [`super::bcrypt::BcryptScheme::sign_with_rounds`] and
//!   [`super::bcrypt::BcryptScheme::verify_with_rounds`] take an explicit count should
//!   the live API turn out to differ.
//!
//! ```
//! use signwire::scheme::epintower;
//! let fields = ["BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18",
//!               "DF6649B8_9D57_53DF_2674_C768FE6DE0CB"];
//! let signature = epintower::sign_request(&fields)?;      // "$2y$10$…", 60 characters
//! assert!(epintower::verify_request(&fields, &signature).is_ok());
//! // A response signature hashes twice, so a request signature does not pass as one.
//! assert!(epintower::verify_response(&fields, &signature).is_err());
//! # Ok::<(), signwire::Error>(())
//! ```

use super::bcrypt::{default_max_verify_cost, BcryptScheme, Direction, Prefix, DEFAULT_COST};
use crate::error::Result;

/// sha1 rounds in request signatures: `password_hash(sha1($data))`.
pub const REQUEST_SHA1_ROUNDS: u32 = 1;
/// sha1 rounds in response signatures: `password_verify(sha1(sha1($data)), …)`.
pub const RESPONSE_SHA1_ROUNDS: u32 = 2;

/// The preset as a [`BcryptScheme`] (any number of fields, cost 10, `$2y$`, verifying costs
/// up to 12: see [`super::bcrypt::VERIFY_COST_MARGIN`]).
///
/// ```
/// let s = signwire::scheme::epintower::scheme().with_cost(12)?;
/// assert!(s.sign(signwire::scheme::bcrypt::Direction::Request, &["a", "b"])?.starts_with("$2y$12$"));
/// # Ok::<(), signwire::Error>(())
/// ```
pub fn scheme() -> BcryptScheme {
    BcryptScheme {
        name: "epintower".into(),
        // Each endpoint lists its own fields; the preset accepts any number.
        fields: Vec::new(),
        request_sha1_rounds: REQUEST_SHA1_ROUNDS,
        response_sha1_rounds: RESPONSE_SHA1_ROUNDS,
        cost: DEFAULT_COST,
        prefix: Prefix::TwoY,
        // 12: a `$2y$31$` from the network is refused before any bcrypt work.
        max_verify_cost: default_max_verify_cost(DEFAULT_COST),
    }
}

/// Sign a request: `password_hash(sha1(concat(fields)), PASSWORD_BCRYPT)` at cost 10.
pub fn sign_request<F: AsRef<[u8]>>(fields: &[F]) -> Result<String> {
    scheme().sign(Direction::Request, fields)
}

/// Check a request signature (`$2y$`, `$2b$`, `$2a$`, cost 4–12): `Ok(())` or an error whose
/// status says why (`BAD_SIGNATURE`, `MALFORMED_HEADER` also for a cost above 12,
/// `UNSUPPORTED_ALGORITHM` for `$2x$`). A higher cap: `scheme().with_max_verify_cost(n)`.
pub fn verify_request<F: AsRef<[u8]>>(fields: &[F], signature: impl AsRef<[u8]>) -> Result<()> {
    scheme().verify(Direction::Request, fields, signature)
}

/// Sign a response as EpinTower does: `password_hash(sha1(sha1(concat(fields))))` at cost 10.
/// Useful for tests and for servers that imitate the API.
pub fn sign_response<F: AsRef<[u8]>>(fields: &[F]) -> Result<String> {
    scheme().sign(Direction::Response, fields)
}

/// Check EpinTower's response signature: `password_verify(sha1(sha1(concat(fields))), sig)`.
pub fn verify_response<F: AsRef<[u8]>>(fields: &[F], signature: impl AsRef<[u8]>) -> Result<()> {
    scheme().verify(Direction::Response, fields, signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use crate::scheme::bcrypt::bcrypt_input;

    const SPEC: [&str; 3] = ["BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18", "DF6649B8_9D57_53DF_2674_C768FE6DE0CB"];

    #[test]
    fn spec_example_intermediates_match_coreutils_sha1sum() {
        // printf %s BA078F…DF6649B8_9D57_53DF_2674_C768FE6DE0CB | sha1sum, then that hex | sha1sum
        assert_eq!(&bcrypt_input(&SPEC, REQUEST_SHA1_ROUNDS).unwrap()[..], b"74865cd92b89741f2ea1188fac34660e880a2a25");
        assert_eq!(&bcrypt_input(&SPEC, RESPONSE_SHA1_ROUNDS).unwrap()[..], b"3ddade451c0796c8c7eed8f5130872ce725e6ba3");
    }

    #[test]
    fn directions_do_not_cross() {
        let s = scheme().with_cost(4).unwrap();
        let req = s.sign(Direction::Request, &SPEC).unwrap();
        let resp = s.sign(Direction::Response, &SPEC).unwrap();
        assert!(s.verify(Direction::Request, &SPEC, &req).is_ok());
        assert!(s.verify(Direction::Response, &SPEC, &resp).is_ok());
        assert_eq!(s.verify(Direction::Response, &SPEC, &req).unwrap_err().status(), Status::BadSignature);
        assert_eq!(s.verify(Direction::Request, &SPEC, &resp).unwrap_err().status(), Status::BadSignature);
        assert!(s.verify_with_rounds(2, &SPEC, &resp).is_ok());
        assert!(sign_request(&SPEC).unwrap().starts_with("$2y$10$"));
    }
}
