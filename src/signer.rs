//! Signing: (scheme, key id, secret) + request → authentication headers.
//!
//! ```
//! use signwire::{Request, Scheme, Signer};
//! let signer = Signer::new(Scheme::load("hopnow").unwrap(), "k1", b"secret").unwrap();
//! let req = Request::new("POST", "https://api.example.com/v1/pay", b"{\"amount\":100}");
//! let headers = signer.sign(&req).unwrap();
//! assert_eq!(headers.get("X-API-Key"), Some("k1"));
//! assert_eq!(headers.get("X-Signature").unwrap().len(), 64);
//! ```

use crate::canonical::{self, Request, SignatureInput};
use crate::error::{Error, Result, Status};
use crate::headers::{check_nonce, generate_nonce_into, unix_now, MAX_NONCE_HEX_LEN};
use crate::keyring::check_key_id;
use crate::mac::{Key, MAX_ENCODED_TAG_LEN};
use std::borrow::Cow;
use crate::scheme::Scheme;

/// Signs requests for one key id.
pub struct Signer {
    scheme: Scheme,
    key_id: String,
    key: Key,
    // AWS SigV4's signing key of the day (unused by other schemes).
    sigv4_keys: crate::scheme::sigv4::KeyCache,
    // HTTP Message Signatures: the algorithm's key (an HMAC secret or a private key).
    http_key: Option<crate::scheme::http_signatures::keys::SigningKey>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, key_id={}, <secret>)", self.scheme.name, self.key_id)
    }
}

/// The authentication headers of one signed request, in the scheme's order:
/// key id, signature, timestamp, nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    // The `Name: value\r\n` block itself, with where each name and value is in it: signing
    // builds one string, and the C ABI copies it out as it is. The spans are inline (no
    // scheme sends more than MAX_SIGNED_HEADERS): a Vec of them cost an allocation per
    // signature.
    block: String,
    spans: [[u32; 4]; MAX_SIGNED_HEADERS],
    len: usize,
}

/// Most headers any scheme's signature sends (HopNow's four).
const MAX_SIGNED_HEADERS: usize = 4;

impl SignedHeaders {
    fn with_capacity(capacity: usize) -> SignedHeaders {
        SignedHeaders { block: String::with_capacity(capacity), spans: [[0; 4]; MAX_SIGNED_HEADERS], len: 0 }
    }

    /// Every caller is in this crate and sends a fixed set of headers (the presets' tests
    /// sign with each of them), so a full set is a bug here: an `Internal` error, not a panic.
    fn push(&mut self, name: &str, value: &str) -> Result<()> {
        if self.len == MAX_SIGNED_HEADERS {
            return Err(Error::new(Status::Internal, format!("a scheme sends more than {MAX_SIGNED_HEADERS} signed headers")));
        }
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let start = self.block.len();
        self.block.push_str(name);
        self.block.push_str(": ");
        self.block.push_str(value);
        self.block.push_str("\r\n");
        let value_start = start + name.len() + 2;
        self.spans[self.len] = [at(start), at(start + name.len()), at(value_start), at(value_start + value.len())];
        self.len += 1;
        Ok(())
    }

    /// Header value by name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// (name, value) pairs, in order.
    ///
    /// ```
    /// use signwire::{Request, Scheme, Signer};
    /// let signer = Signer::new(Scheme::load("hopnow").unwrap(), "k1", b"secret").unwrap();
    /// let signed = signer.sign_at(&Request::new("GET", "https://h/", b""), 1700000000, "00112233445566778899aabbccddeeff").unwrap();
    /// let names: Vec<&str> = signed.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.spans[..self.len].iter().map(|&[start, name_end, value_start, value_end]| {
            let span = |a: u32, b: u32| self.block.get(a as usize..b as usize).unwrap_or_default();
            (span(start, name_end), span(value_start, value_end))
        })
    }

    pub(crate) fn from_entries(entries: &[(&str, &str)]) -> Result<SignedHeaders> {
        let mut h = SignedHeaders::with_capacity(256);
        for (n, v) in entries {
            h.push(n, v)?;
        }
        Ok(h)
    }

    /// `Name: value\r\n` lines.
    pub fn to_block(&self) -> String {
        self.block.clone()
    }

    /// `Name: value\r\n` lines, borrowed.
    ///
    /// ```
    /// use signwire::{Request, Scheme, Signer};
    /// let signer = Signer::new(Scheme::load("hopnow").unwrap(), "k1", b"secret").unwrap();
    /// let signed = signer.sign_at(&Request::new("GET", "https://h/", b""), 1700000000, "00112233445566778899aabbccddeeff").unwrap();
    /// assert!(signed.as_block().starts_with("X-API-Key: k1\r\nX-Signature: "));
    /// assert!(signed.as_block().ends_with("X-Nonce: 00112233445566778899aabbccddeeff\r\n"));
    /// ```
    pub fn as_block(&self) -> &str {
        &self.block
    }
}

/// What `explain` shows: the exact payload and the signature over it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The canonical payload bytes.
    pub payload: Vec<u8>,
    /// The encoded signature.
    pub signature: String,
    /// The headers the request would carry.
    pub headers: SignedHeaders,
}

impl Signer {
    /// A signer; refuses an empty secret and an invalid key id.
    pub fn new(scheme: Scheme, key_id: &str, secret: &[u8]) -> Result<Signer> {
        scheme.validate()?;
        check_key_id(key_id)?;
        let key = Key::new(scheme.algorithm, &crate::scheme::webhooks::secret_format(scheme.kind).decode(secret)?)?;
        let http_key = match &scheme.http {
            Some(p) if p.algorithm.is_symmetric() => Some(crate::scheme::http_signatures::keys::SigningKey::hmac(secret)?),
            Some(p) => {
                return Err(Error::invalid(format!(
                    "{} signs with a private key: use Signer::with_private_key",
                    p.algorithm.name()
                )))
            }
            None => None,
        };
        Ok(Signer { scheme, key_id: key_id.to_string(), key, sigv4_keys: Default::default(), http_key })
    }

    /// A signer for an HTTP Message Signatures scheme with an asymmetric algorithm: the
    /// private key as PEM or JWK (or, for `hmac-sha256`, a JWK of kty `oct`).
    pub fn with_private_key(scheme: Scheme, key_id: &str, pem_or_jwk: &[u8]) -> Result<Signer> {
        scheme.validate()?;
        check_key_id(key_id)?;
        let Some(profile) = &scheme.http else {
            return Err(Error::invalid(format!("scheme {:?} signs with a shared secret, not a private key", scheme.name)));
        };
        let http_key = crate::scheme::http_signatures::keys::SigningKey::parse(Some(profile.algorithm), pem_or_jwk)?;
        // The MAC key is unused by this kind; a fixed placeholder keeps the struct whole.
        let key = Key::new_unchecked_length(scheme.algorithm, b"unused");
        Ok(Signer { scheme, key_id: key_id.to_string(), key, sigv4_keys: Default::default(), http_key: Some(http_key) })
    }

    /// The scheme this signer follows.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The key id it signs for.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Sign with the current time and a fresh random nonce.
    pub fn sign(&self, request: &Request<'_>) -> Result<SignedHeaders> {
        let mut buf = [0u8; MAX_NONCE_HEX_LEN];
        let nonce = generate_nonce_into(self.scheme.nonce_hex_len, &mut buf)?;
        self.sign_at(request, unix_now(), nonce)
    }

    /// Sign with a given timestamp and nonce (tests, replays of recorded traffic, explain).
    pub fn sign_at(&self, request: &Request<'_>, timestamp: i64, nonce: &str) -> Result<SignedHeaders> {
        self.sign_with(request, timestamp, nonce, |_| ()).map(|(headers, ())| headers)
    }

    /// The payload, the signature and the headers, for debugging "Invalid signature".
    pub fn explain(&self, request: &Request<'_>, timestamp: i64, nonce: &str) -> Result<Explanation> {
        let (headers, payload) = self.sign_with(request, timestamp, nonce, |parts| parts.concat())?;
        let name = if self.http_key.is_some() { "Signature" } else { self.scheme.headers.signature.as_str() };
        let signature = headers.get(name).unwrap_or_default().to_string();
        Ok(Explanation { payload, signature, headers })
    }

    /// Sign, and hand the payload pieces to `with_parts` (explain keeps them; signing does
    /// not copy the body into a payload just to drop it).
    fn sign_with<T>(
        &self,
        request: &Request<'_>,
        timestamp: i64,
        nonce: &str,
        with_parts: impl FnOnce(&[Cow<'_, [u8]>]) -> T,
    ) -> Result<(SignedHeaders, T)> {
        request.validate()?;
        if timestamp < 0 {
            return Err(Error::invalid("timestamp is negative"));
        }
        if self.scheme.kind == crate::scheme::Kind::AwsSigV4 {
            let (headers, payload) = crate::scheme::sigv4::sign(&self.scheme, &self.key_id, &self.key, &self.sigv4_keys, request, timestamp)?;
            return Ok((headers, with_parts(&[Cow::Owned(payload)])));
        }
        if let Some(http_key) = &self.http_key {
            let (headers, base) = crate::scheme::http_signatures::sign_request(&self.scheme, &self.key_id, http_key, request, timestamp, nonce)?;
            return Ok((headers, with_parts(&[Cow::Owned(base)])));
        }
        if self.scheme.kind != crate::scheme::Kind::Generic {
            let (headers, payload) = crate::scheme::webhooks::sign(&self.scheme, &self.key, request, timestamp, nonce)?;
            return Ok((headers, with_parts(&[Cow::Owned(payload)])));
        }
        check_nonce(nonce, self.scheme.nonce_hex_len).map_err(|e| Error::invalid(e.message().to_string()))?;
        let mut ts_buf = [0u8; 20];
        let ts = decimal(timestamp.unsigned_abs(), &mut ts_buf);
        let input = SignatureInput { request, key_id: &self.key_id, timestamp: ts, nonce };
        let mut parts = canonical::Parts::new();
        canonical::payload_parts_into(&self.scheme.components, &self.scheme.separator, &input, &mut parts)?;
        let mut sig_buf = [0u8; MAX_ENCODED_TAG_LEN];
        let signature = self.key.sign_parts(&parts).encode_into(self.scheme.encoding, &mut sig_buf);
        let h = &self.scheme.headers;
        let mut headers = SignedHeaders::with_capacity(
            h.key_id.len() + h.signature.len() + h.timestamp.len() + h.nonce.len()
                + self.key_id.len() + signature.len() + ts.len() + nonce.len() + 4 * 4,
        );
        headers.push(&h.key_id, &self.key_id)?;
        headers.push(&h.signature, signature)?;
        headers.push(&h.timestamp, ts)?;
        headers.push(&h.nonce, nonce)?;
        Ok((headers, with_parts(&parts)))
    }
}

/// `n` in decimal, in `buf` (20 digits hold any u64): no allocation per signature.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[i..]).unwrap_or_else(|_| unreachable!())
}

#[cfg(test)]
mod tests {
    use super::{decimal, SignedHeaders};
    use crate::error::Status;

    #[test]
    fn more_signed_headers_than_fit_is_an_internal_error_not_a_panic() {
        let four = [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")];
        assert_eq!(SignedHeaders::from_entries(&four).unwrap().iter().count(), 4);
        let five = [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4"), ("E", "5")];
        let e = SignedHeaders::from_entries(&five).unwrap_err();
        assert_eq!(e.status(), Status::Internal);
        assert!(e.message().contains("more than 4 signed headers"), "{}", e.message());
    }

    #[test]
    fn decimal_matches_to_string() {
        for n in [0u64, 1, 9, 10, 99, 100, 1_700_000_000, u64::MAX] {
            assert_eq!(decimal(n, &mut [0u8; 20]), n.to_string());
        }
    }
}
