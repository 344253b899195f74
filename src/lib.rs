//! # signwire
//!
//! Sign and verify API requests: HMAC signatures over a canonical payload, timestamps and
//! nonces against replay, key rotation, and the legacy bcrypt(sha1(…)) scheme — one Rust
//! core with a C ABI (`include/signwire.h`) that C, PHP and Python share.
//!
//! Data flows one way: request parts → [`canonical`] payload → [`mac`] → headers
//! ([`Signer`]), and headers → policy checks → MAC compare → nonce record ([`Verifier`]).
//!
//! ```
//! use signwire::{Headers, Request, Scheme, Signer, Verifier};
//! let scheme = Scheme::load("hopnow")?;
//! let signer = Signer::new(scheme.clone(), "k1", b"s3cret")?;
//! let url = "https://api.example.com/v1/pay";
//! let signed = signer.sign(&Request::new("POST", url, b"{}"))?;
//!
//! let verifier = Verifier::new(scheme);
//! verifier.keyring().add_secret("k1", b"s3cret")?;
//! let headers = Headers::parse(&signed.to_block())?;
//! assert_eq!(verifier.verify(&Request::new("POST", url, b"{}").with_headers(&headers))?.key_id, "k1");
//! # Ok::<(), signwire::Error>(())
//! ```

#![deny(missing_docs)]

pub mod canonical;
pub mod cidr;
pub mod diagnostics;
pub mod error;
pub mod headers;
pub mod ip_policy;
pub mod keyring;
pub mod mac;
pub mod replay;
pub mod scheme;
pub mod seal;
pub mod signer;
pub mod verifier;

#[allow(missing_docs)]
pub mod ffi;

pub use canonical::Request;
pub use error::{Error, Result, Status};
pub use headers::Headers;
pub use scheme::Scheme;
pub use signer::{SignedHeaders, Signer};
pub use verifier::{Rejected, Verified, Verifier};

/// The crate version (`signwire_version()` in C).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The C ABI version. Bindings refuse a library whose ABI version differs from theirs.
/// Bump on any incompatible change to `include/signwire.h`.
pub const ABI_VERSION: u32 = 1;
