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
use crate::error::{Error, Result};
use crate::headers::{check_nonce, generate_nonce, unix_now};
use crate::keyring::check_key_id;
use crate::mac::Key;
use crate::scheme::Scheme;

/// Signs requests for one key id.
pub struct Signer {
    scheme: Scheme,
    key_id: String,
    key: Key,
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
    entries: Vec<(String, String)>,
}

impl SignedHeaders {
    /// Header value by name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// (name, value) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// `Name: value\r\n` lines.
    pub fn to_block(&self) -> String {
        self.entries.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect()
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
        let key = Key::new(scheme.algorithm, secret)?;
        Ok(Signer { scheme, key_id: key_id.to_string(), key })
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
        let nonce = generate_nonce(self.scheme.nonce_hex_len)?;
        self.sign_at(request, unix_now(), &nonce)
    }

    /// Sign with a given timestamp and nonce (tests, replays of recorded traffic, explain).
    pub fn sign_at(&self, request: &Request<'_>, timestamp: i64, nonce: &str) -> Result<SignedHeaders> {
        Ok(self.explain(request, timestamp, nonce)?.headers)
    }

    /// The payload, the signature and the headers, for debugging "Invalid signature".
    pub fn explain(&self, request: &Request<'_>, timestamp: i64, nonce: &str) -> Result<Explanation> {
        request.validate()?;
        if timestamp < 0 {
            return Err(Error::invalid("timestamp is negative"));
        }
        check_nonce(nonce, self.scheme.nonce_hex_len).map_err(|e| Error::invalid(e.message().to_string()))?;
        let ts = timestamp.to_string();
        let input = SignatureInput { request, key_id: &self.key_id, timestamp: &ts, nonce };
        let parts = canonical::payload_parts(&self.scheme.components, &self.scheme.separator, &input)?;
        let slices: Vec<&[u8]> = parts.iter().map(|p| p.as_ref()).collect();
        let signature = self.key.sign_parts(&slices).encode(self.scheme.encoding);
        let h = &self.scheme.headers;
        let headers = SignedHeaders {
            entries: vec![
                (h.key_id.clone(), self.key_id.clone()),
                (h.signature.clone(), signature.clone()),
                (h.timestamp.clone(), ts.clone()),
                (h.nonce.clone(), nonce.to_string()),
            ],
        };
        Ok(Explanation { payload: slices.concat(), signature, headers })
    }
}
