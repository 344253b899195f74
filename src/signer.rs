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

use crate::canonical::Request;
use crate::error::{Error, Result};
use crate::headers::{generate_nonce_into, unix_now, MAX_NONCE_HEX_LEN};
use crate::keyring::check_key_id;
use crate::mac::Key;
use crate::scheme::{KeyCache, Scheme};

pub use crate::headers::SignedHeaders;

/// Signs requests for one key id.
pub struct Signer {
    scheme: Scheme,
    key_id: String,
    key: Key,
    // Keys the kind derives per request (AWS SigV4's signing key of the day).
    derived_keys: KeyCache,
    // HTTP Message Signatures: the algorithm's key (an HMAC secret or a private key).
    http_key: Option<crate::scheme::http_signatures::keys::SigningKey>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, key_id={}, <secret>)", self.scheme.name, self.key_id)
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
        let key = Key::new(scheme.algorithm, &scheme.secret_format().decode(secret)?)?;
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
        Ok(Signer { scheme, key_id: key_id.to_string(), key, derived_keys: KeyCache::default(), http_key })
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
        Ok(Signer { scheme, key_id: key_id.to_string(), key, derived_keys: KeyCache::default(), http_key: Some(http_key) })
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
        self.sign_with(request, timestamp, nonce, None)
    }

    /// The payload, the signature and the headers, for debugging "Invalid signature". For
    /// AWS SigV4 the payload is the canonical request, a blank line, and the string to sign.
    pub fn explain(&self, request: &Request<'_>, timestamp: i64, nonce: &str) -> Result<Explanation> {
        let mut payload = Vec::new();
        let headers = self.sign_with(request, timestamp, nonce, Some(&mut payload))?;
        let name = if self.http_key.is_some() { "Signature" } else { self.scheme.headers.signature.as_str() };
        let signature = headers.get(name).unwrap_or_default().to_string();
        Ok(Explanation { payload, signature, headers })
    }

    /// Sign through the scheme's kind; `explain` receives the signed bytes (signing alone
    /// does not copy the body into a payload just to drop it).
    fn sign_with(&self, request: &Request<'_>, timestamp: i64, nonce: &str, explain: Option<&mut Vec<u8>>) -> Result<SignedHeaders> {
        request.validate()?;
        if timestamp < 0 {
            return Err(Error::invalid("timestamp is negative"));
        }
        // RFC 9421 is not a plug-in yet (asymmetric keys): its own path, until it is.
        if let Some(http_key) = &self.http_key {
            let (headers, base) = crate::scheme::http_signatures::sign_request(&self.scheme, &self.key_id, http_key, request, timestamp, nonce)?;
            if let Some(out) = explain {
                *out = base;
            }
            return Ok(headers);
        }
        self.scheme.plugin().sign(&self.scheme, &self.key_id, &self.key, &self.derived_keys, request, timestamp, nonce, explain)
    }
}
