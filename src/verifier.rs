//! Verification: headers → policy checks → constant-time MAC compare → nonce record.
//!
//! The order is fixed (see DESIGN.md): well-formed headers (limits first), known key id,
//! timestamp window, IP allowlist, signature against every active secret, and only then the
//! nonce is recorded, so a forged request cannot burn a legitimate client's nonce.
//!
//! ```
//! use signwire::{Headers, Request, Scheme, Signer, Verifier};
//! let scheme = Scheme::load("hopnow").unwrap();
//! let signer = Signer::new(scheme.clone(), "k1", b"secret").unwrap();
//! let verifier = Verifier::new(scheme);
//! verifier.keyring().add_secret("k1", b"secret").unwrap();
//!
//! let body = b"{\"amount\":100}";
//! let url = "https://api.example.com/v1/pay";
//! let signed = signer.sign(&Request::new("POST", url, body)).unwrap();
//! let headers = Headers::parse(&signed.to_block()).unwrap();
//! let ok = verifier.verify(&Request::new("POST", url, body).with_headers(&headers)).unwrap();
//! assert_eq!(ok.key_id, "k1");
//! // The same request again is a replay.
//! let again = verifier.verify(&Request::new("POST", url, body).with_headers(&headers));
//! assert_eq!(again.unwrap_err().status(), signwire::Status::NonceReplayed);
//! ```

use crate::canonical::{self, Request, SignatureInput};
use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result, Status};
use crate::headers::{check_nonce, parse_timestamp, unix_now, Headers};
use crate::ip_policy::IpPolicy;
use crate::keyring::{check_key_id, Keyring};
use crate::mac::{decode_tag, Key};
use crate::replay::{MemoryStore, NonceCheck, NonceStore};
use crate::scheme::Scheme;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A request that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The key id whose secret signed it.
    pub key_id: String,
    /// The signed timestamp.
    pub timestamp: i64,
}

/// A refused request: the error, and the server-side diagnostic when enabled.
#[derive(Clone, Debug)]
pub struct Rejected {
    /// Why (the status is what the caller acts on).
    pub error: Error,
    /// What the server rebuilt, for its log; `None` unless diagnostics are enabled.
    pub diagnostic: Option<Diagnostic>,
}

/// Checks signed requests for one scheme. `Send + Sync`: share one across threads.
pub struct Verifier {
    scheme: Scheme,
    keyring: Keyring,
    max_age: u64,
    max_future_skew: u64,
    nonce_store: Arc<dyn NonceStore>,
    diagnostics: bool,
    ip_policy: IpPolicy,
    // AWS SigV4 signing keys by secret and day (unused by other schemes).
    sigv4_keys: crate::scheme::sigv4::KeyCache,
    // Public keys of an HTTP Message Signatures scheme with an asymmetric algorithm.
    public_keys: crate::scheme::http_signatures::PublicKeys,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme.name)
            .field("keyring", &self.keyring)
            .field("max_age", &self.max_age)
            .field("max_future_skew", &self.max_future_skew)
            .field("nonce_store", &self.nonce_store.describe())
            .field("ip_policy", &self.ip_policy)
            .finish()
    }
}

/// Computing a MAC with this key when the key id is unknown keeps that failure's time
/// profile the same as a bad signature's.
fn decoy_key(scheme: &Scheme) -> &'static Key {
    static DECOYS: OnceLock<[Key; 3]> = OnceLock::new();
    let d = DECOYS.get_or_init(|| {
        use crate::mac::Algorithm::*;
        [Sha1, Sha256, Sha512].map(|a| Key::new_unchecked_length(a, b"signwire decoy key"))
    });
    match scheme.algorithm {
        crate::mac::Algorithm::Sha1 => &d[0],
        crate::mac::Algorithm::Sha256 => &d[1],
        crate::mac::Algorithm::Sha512 => &d[2],
    }
}

impl Verifier {
    /// A verifier with the scheme's max age and skew, an empty keyring, and an in-memory
    /// nonce store of default capacity.
    pub fn new(scheme: Scheme) -> Verifier {
        let keyring = Keyring::with_format(scheme.algorithm, crate::scheme::webhooks::secret_format(scheme.kind));
        Verifier {
            max_age: scheme.max_age,
            max_future_skew: scheme.max_future_skew,
            scheme,
            keyring,
            nonce_store: Arc::new(MemoryStore::default()),
            diagnostics: false,
            ip_policy: IpPolicy::default(),
            sigv4_keys: Default::default(),
            public_keys: Default::default(),
        }
    }

    /// The keyring (thread-safe; add and retire secrets at any time).
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The scheme.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Oldest accepted timestamp, in seconds before now.
    pub fn set_max_age(&mut self, seconds: u64) -> Result<()> {
        if seconds == 0 || seconds > 7 * 24 * 3600 {
            return Err(Error::invalid("max_age must be 1 second to 7 days"));
        }
        self.max_age = seconds;
        Ok(())
    }

    /// Furthest accepted timestamp, in seconds after now.
    pub fn set_max_future_skew(&mut self, seconds: u64) -> Result<()> {
        if seconds > 3600 {
            return Err(Error::invalid("max_future_skew must be at most 3600 seconds"));
        }
        self.max_future_skew = seconds;
        Ok(())
    }

    /// Replace the nonce store.
    pub fn set_nonce_store(&mut self, store: Arc<dyn NonceStore>) {
        self.nonce_store = store;
    }

    /// Replace the nonce store with the one a URL names (`memory://?max_entries=N`,
    /// `sqlite:///path/file.db`, `redis://host:port/db`; see [`crate::replay::open`]).
    ///
    /// ```
    /// # let mut verifier = signwire::Verifier::new(signwire::Scheme::load("hopnow").unwrap());
    /// verifier.set_nonce_store_url("memory://?max_entries=10000").unwrap();
    /// assert_eq!(verifier.nonce_store().describe(), "memory://?max_entries=10000");
    /// ```
    pub fn set_nonce_store_url(&mut self, url: &str) -> Result<()> {
        self.nonce_store = crate::replay::open(url)?;
        Ok(())
    }

    /// The nonce store.
    pub fn nonce_store(&self) -> &Arc<dyn NonceStore> {
        &self.nonce_store
    }

    /// Accept requests only from clients in this CIDR range (call once per range). With no
    /// range allowed, any address is accepted; with one, a request whose client address is
    /// missing, malformed or outside every range fails with `IP_NOT_ALLOWED`.
    ///
    /// ```
    /// # let mut verifier = signwire::Verifier::new(signwire::Scheme::load("hopnow").unwrap());
    /// verifier.allow_ip("10.0.0.0/8").unwrap();
    /// verifier.allow_ip("2001:db8::/32").unwrap();
    /// ```
    pub fn allow_ip(&mut self, cidr: &str) -> Result<()> {
        self.ip_policy.allow(cidr)
    }

    /// Trust proxies in this CIDR range to report the client in `X-Forwarded-For` (off by
    /// default; see [`crate::ip_policy`] for the rule).
    pub fn trust_proxy(&mut self, cidr: &str) -> Result<()> {
        self.ip_policy.trust_proxy(cidr)
    }

    /// The IP allowlist and trusted proxies.
    pub fn ip_policy(&self) -> &IpPolicy {
        &self.ip_policy
    }

    /// Current max age.
    pub fn max_age(&self) -> u64 {
        self.max_age
    }

    /// Current future skew.
    pub fn max_future_skew(&self) -> u64 {
        self.max_future_skew
    }

    /// How long a nonce must be remembered: as long as its timestamp can be accepted.
    pub fn nonce_ttl(&self) -> Duration {
        Duration::from_secs(self.max_age + self.max_future_skew)
    }

    /// Produce a [`Diagnostic`] with every refusal (off by default): the reason, the server's
    /// clock and a fingerprint of each signed component as this server rebuilt it, for the
    /// server's log. It holds no secret and no signature, but it is not for the client.
    pub fn set_diagnostics(&mut self, enabled: bool) {
        self.diagnostics = enabled;
    }

    /// Whether refusals carry a [`Diagnostic`].
    pub fn diagnostics(&self) -> bool {
        self.diagnostics
    }

    /// [`Verifier::verify_at`], and on a refusal the diagnostic (when enabled).
    ///
    /// ```
    /// use signwire::{Headers, Request, Scheme, Verifier};
    /// let mut v = Verifier::new(Scheme::load("hopnow").unwrap());
    /// v.set_diagnostics(true);
    /// let h = Headers::new();
    /// let r = v.verify_diagnosed(&Request::new("GET", "https://h/", b"").with_headers(&h), 1700000000);
    /// let line = r.unwrap_err().diagnostic.unwrap().to_line();
    /// assert!(line.contains("reason=SIGNWIRE_ERR_MISSING_HEADER server_time=1700000000"));
    /// ```
    pub fn verify_diagnosed(&self, request: &Request<'_>, now: i64) -> std::result::Result<Verified, Rejected> {
        self.verify_at(request, now).map_err(|error| {
            let diagnostic = (self.diagnostics && error.status().is_verification_failure())
                .then(|| Diagnostic::new(&self.scheme, request, error.status(), now));
            Rejected { error, diagnostic }
        })
    }

    /// Verify at the current time.
    pub fn verify(&self, request: &Request<'_>) -> Result<Verified> {
        self.verify_at(request, unix_now())
    }

    /// Public keys by key id (HTTP Message Signatures with an asymmetric algorithm).
    pub fn public_keys(&self) -> &crate::scheme::http_signatures::PublicKeys {
        &self.public_keys
    }

    /// Add a public key (PEM or JWK) for `key_id`, for the scheme's algorithm; several per
    /// key id while rotating. Only for HTTP Message Signatures schemes.
    pub fn add_public_key(&self, key_id: &str, pem_or_jwk: &[u8]) -> Result<()> {
        let Some(profile) = &self.scheme.http else {
            return Err(Error::invalid(format!("scheme {:?} verifies shared secrets, not public keys", self.scheme.name)));
        };
        let key = crate::scheme::http_signatures::keys::VerifyingKey::parse(Some(profile.algorithm), pem_or_jwk)?;
        self.public_keys.add(key_id, key)
    }

    /// Verify as if the clock read `now` (unix seconds).
    pub fn verify_at(&self, request: &Request<'_>, now: i64) -> Result<Verified> {
        if self.scheme.kind == crate::scheme::Kind::HttpMessageSignatures {
            return crate::scheme::http_signatures::verify_request(self, request, now);
        }
        if self.scheme.kind == crate::scheme::Kind::AwsSigV4 {
            return crate::scheme::sigv4::verify(self, &self.sigv4_keys, &*self.nonce_store, request, now);
        }
        if self.scheme.kind != crate::scheme::Kind::Generic {
            return crate::scheme::webhooks::verify(self, &*self.nonce_store, request, now);
        }
        // 1. Inputs and required headers, well-formed, limits first.
        request.validate()?;
        let empty = Headers::new();
        let headers = request.headers.unwrap_or(&empty);
        let names = &self.scheme.headers;
        let [key_id, signature, timestamp_text, nonce] =
            headers.require_all([&names.key_id, &names.signature, &names.timestamp, &names.nonce])?;
        check_key_id(key_id).map_err(|e| Error::new(Status::MalformedHeader, format!("{}: {}", names.key_id, e.message())))?;
        let timestamp = parse_timestamp(timestamp_text)?;
        check_nonce(nonce, self.scheme.nonce_hex_len)?;
        let tag = decode_tag(signature.as_bytes(), self.scheme.encoding, self.scheme.algorithm.tag_len()).ok_or_else(|| {
            Error::new(
                Status::MalformedHeader,
                format!(
                    "{} must be {} {} characters for {}, got {} characters",
                    names.signature,
                    self.scheme.signature_len(),
                    self.scheme.encoding.name(),
                    self.scheme.algorithm.name(),
                    signature.len()
                ),
            )
        })?;

        let input = SignatureInput { request, key_id, timestamp: timestamp_text, nonce };
        let mut parts = canonical::Parts::new();
        canonical::payload_parts_into(&self.scheme.components, &self.scheme.separator, &input, &mut parts)?;

        // 2. Key id known.
        let Some(active) = self.keyring.get(key_id)? else {
            let _ = decoy_key(&self.scheme).verify_parts(&parts, tag.as_bytes());
            return Err(Error::new(Status::UnknownKey, format!("unknown key id {key_id:?}")));
        };

        // 3. Timestamp window, both sides.
        if timestamp < now.saturating_sub(self.max_age as i64) {
            return Err(Error::new(
                Status::TimestampTooOld,
                format!("timestamp {timestamp} is {} s older than server time {now} (max age {} s)", now - timestamp, self.max_age),
            ));
        }
        if timestamp > now.saturating_add(self.max_future_skew as i64) {
            return Err(Error::new(
                Status::TimestampInFuture,
                format!(
                    "timestamp {timestamp} is {} s ahead of server time {now} (max future skew {} s)",
                    timestamp.saturating_sub(now),
                    self.max_future_skew
                ),
            ));
        }

        // 4. IP allowlist, against the client address (trusted proxies resolved).
        self.ip_policy.check(request.remote_addr, request.headers)?;

        // 5. Signature against every active secret; no early exit on match.
        let mut matched = false;
        for key in active.keys() {
            matched |= key.verify_parts(&parts, tag.as_bytes()).is_ok();
        }
        if !matched {
            return Err(Error::new(Status::BadSignature, format!("signature does not match any active secret of key id {key_id:?}")));
        }

        // 6. Nonce, only for authentic requests.
        match self.nonce_store.check_and_record(key_id, nonce, self.nonce_ttl())? {
            NonceCheck::Fresh => Ok(Verified { key_id: key_id.to_string(), timestamp }),
            NonceCheck::Replayed => {
                Err(Error::new(Status::NonceReplayed, format!("nonce {nonce} of key id {key_id:?} was already used")))
            }
        }
    }
}
