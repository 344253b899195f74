//! `Content-Digest` (RFC 9530): created when signing a body, checked when verifying.
//!
//! The field is a dictionary of algorithm → byte sequence. A verifier checks every
//! algorithm it knows (`sha-256`, `sha-512`), needs at least one, and ignores the others
//! (RFC 9530 section 2); the deprecated insecure ones (`md5`, `sha`, `unixsum`...) never count.

use super::structured_field::{self as sf, BareItem, Member};
use crate::error::{Error, Result, Status};
use subtle::ConstantTimeEq;

/// A digest algorithm of the Hash Algorithms for HTTP Digest Fields registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// `sha-256`.
    Sha256,
    /// `sha-512`.
    Sha512,
}

impl DigestAlgorithm {
    /// The registry key (`sha-256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha-256",
            DigestAlgorithm::Sha512 => "sha-512",
        }
    }

    /// The algorithm for a registry key.
    pub fn from_name(name: &str) -> Result<DigestAlgorithm> {
        match name {
            "sha-256" => Ok(DigestAlgorithm::Sha256),
            "sha-512" => Ok(DigestAlgorithm::Sha512),
            _ => Err(Error::new(Status::UnsupportedAlgorithm, format!("unsupported digest algorithm {name:?} (sha-256, sha-512)"))),
        }
    }

    fn digest(self, body: &[u8]) -> Vec<u8> {
        let alg = match self {
            DigestAlgorithm::Sha256 => &aws_lc_rs::digest::SHA256,
            DigestAlgorithm::Sha512 => &aws_lc_rs::digest::SHA512,
        };
        aws_lc_rs::digest::digest(alg, body).as_ref().to_vec()
    }
}

/// The `Content-Digest` field value for `body` (`sha-256=:...:`).
pub fn content_digest(algorithm: DigestAlgorithm, body: &[u8]) -> String {
    let mut out = String::from(algorithm.name());
    out.push('=');
    // Serialising a byte sequence cannot fail.
    let _ = sf::serialize_bare_item(&BareItem::ByteSeq(algorithm.digest(body)), &mut out);
    out
}

/// Check a received `Content-Digest` against the body: every known algorithm present must
/// match, and at least one must be present.
pub fn check_content_digest(field: &str, body: &[u8]) -> Result<DigestAlgorithm> {
    let dict = sf::parse_dictionary(field)
        .map_err(|e| Error::new(Status::MalformedHeader, format!("Content-Digest: {}", e.message())))?;
    let mut checked = None;
    for (key, member) in &dict {
        let Ok(alg) = DigestAlgorithm::from_name(key) else { continue };
        let Member::Item(sf::Item { bare: BareItem::ByteSeq(received), .. }) = member else {
            return Err(Error::new(Status::MalformedHeader, format!("Content-Digest: {key} must be a byte sequence")));
        };
        if !bool::from(alg.digest(body).ct_eq(received)) {
            return Err(Error::new(Status::BadSignature, format!("Content-Digest {key} does not match the body")));
        }
        checked.get_or_insert(alg);
    }
    checked.ok_or_else(|| Error::new(Status::UnsupportedAlgorithm, "Content-Digest has neither sha-256 nor sha-512"))
}
