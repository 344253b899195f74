//! Verification: THE pipeline, one order of policy for every scheme kind.
//!
//! A scheme kind (`src/scheme/`) only reads what a request claims and says which bytes are
//! signed; [`Verifier::verify_at`] alone decides what is checked and in which order, so a
//! policy added here holds for every kind and a kind added there gets every policy:
//!
//! 1. **Limits and well-formed claims.** Method, URL and body sizes, then the kind's bounded
//!    parse of its headers: key id (if the format has one), timestamp, candidate signatures.
//! 2. **Time window**: `now - max_age <= timestamp <= now + max_future_skew` (and `expires`
//!    when the format carries one).
//! 3. **IP allowlist**, against the client address (trusted proxies resolved).
//! 4. **Signature**: the signed bytes, then the MAC of every candidate signature against
//!    every active secret of the key id (webhooks: of every key id), with no early exit. An
//!    unknown key id (or an empty keyring) runs one decoy secret through the same key
//!    derivation and compare, then refuses with `UNKNOWN_KEY`.
//! 5. **Replay record**, only for an authentic request, so a forgery cannot burn a real
//!    client's nonce. It records the delivery's own identity (the nonce, the webhook id
//!    with its timestamp, Stripe's timestamp with the body digest, SigV4's signature),
//!    scoped by the scheme's name, never by the key id or the secret or the signature that
//!    matched: a replay with one of several signatures dropped, or under another key id
//!    that holds the same secret, is still a replay.
//!
//! **The timing rule.** No refusal that a client cannot authenticate may cost a different
//! amount for a known key id than for an unknown one, or the refusal tells which key ids
//! exist. So every check that can refuse such a client (limits, claims, window, IP) runs
//! before the keyring is consulted, and does the same work whatever the key id; from the
//! keyring on, an unknown key id does what a known one does (one secret: the decoy).
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

use crate::canonical::{Parts, Request};
use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result, Status};
use crate::headers::unix_now;
use crate::ip_policy::IpPolicy;
use crate::keyring::Keyring;
use crate::mac::Key;
use crate::replay::{MemoryStore, NonceCheck, NonceStore};
use crate::scheme::kind::{Claims, SchemeKind};
use crate::scheme::{KeyCache, Scheme};
use std::sync::Arc;
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
    // Keys a kind derives per request (AWS SigV4's signing key of the day), by secret.
    derived_keys: KeyCache,
    // The one decoy: an unknown key id runs it through the same derivation and compare.
    decoy: Key,
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

/// The decoy secret, in every kind's secret format (base64 for `whsec_`): its MAC matches
/// nothing a client can send without knowing it, and it is never a configured secret.
const DECOY_SECRET: &[u8] = b"c2lnbndpcmUgZGVjb3kgc2VjcmV0IGZvciB1bmtub3duIGtleSBpZHM=";

/// The decoy's id in the derived-key cache (configured secrets are numbered from 1).
const DECOY_SECRET_ID: u64 = 0;

impl Verifier {
    /// A verifier with the scheme's max age and skew, an empty keyring, and an in-memory
    /// nonce store of default capacity.
    pub fn new(scheme: Scheme) -> Verifier {
        let format = scheme.secret_format();
        let keyring = Keyring::with_format(scheme.algorithm, format);
        // The decoy decodes in every format (it is base64), so no error can come of it.
        let decoy_bytes = format.decode(DECOY_SECRET).unwrap_or_default();
        let decoy = Key::new_unchecked_length(scheme.algorithm, &decoy_bytes);
        Verifier {
            max_age: scheme.max_age,
            max_future_skew: scheme.max_future_skew,
            scheme,
            keyring,
            nonce_store: Arc::new(MemoryStore::default()),
            diagnostics: false,
            ip_policy: IpPolicy::default(),
            derived_keys: KeyCache::default(),
            decoy,
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

    /// Verify as if the clock read `now` (unix seconds), in the order the module
    /// documentation gives, for every scheme kind.
    pub fn verify_at(&self, request: &Request<'_>, now: i64) -> Result<Verified> {
        // RFC 9421 is not a plug-in yet (asymmetric keys): its own path, until it is.
        if self.scheme.http.is_some() {
            return verify_http_signatures(self, request, now);
        }
        let kind = self.scheme.plugin();
        // 1. Limits first, then the claims (bounded: nothing proportional to the body).
        request.validate()?;
        let claims = kind.read_claims(&self.scheme, request)?;
        // 2. Time window, both sides.
        self.check_window(&claims, now)?;
        // 3. IP allowlist.
        self.ip_policy.check(request.remote_addr, request.headers)?;
        // 4. The signed bytes (the same work for every key id), then the keyring.
        let mut parts = Parts::new();
        kind.signed_parts(&self.scheme, request, &claims, &mut parts)?;
        let key_id = self.match_signature(kind, &claims, &parts)?;
        // 5. The delivery's identity, recorded only now that it is authentic.
        let replay_id = kind.replay_id(request, &claims, &parts);
        match self.nonce_store.check_and_record(&self.scheme.name, &replay_id, self.nonce_ttl())? {
            NonceCheck::Fresh => Ok(Verified { key_id, timestamp: claims.timestamp }),
            NonceCheck::Replayed => Err(Error::new(
                Status::NonceReplayed,
                format!("{} delivery {} was already accepted", self.scheme.name, crate::headers::truncate_for_log(&replay_id)),
            )),
        }
    }

    fn check_window(&self, claims: &Claims<'_>, now: i64) -> Result<()> {
        let timestamp = claims.timestamp;
        if timestamp < now.saturating_sub(self.max_age as i64) {
            return Err(Error::new(
                Status::TimestampTooOld,
                format!(
                    "timestamp {timestamp} is {} s older than server time {now} (max age {} s)",
                    now.saturating_sub(timestamp),
                    self.max_age
                ),
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
        if let Some(expires) = claims.expires {
            if expires < now {
                return Err(Error::new(Status::TimestampTooOld, format!("signature expired at {expires}, server time is {now}")));
            }
        }
        Ok(())
    }

    /// Whether any candidate is the MAC under `key` (derived per request if the kind says):
    /// every candidate is compared, without early exit.
    fn any_candidate_matches(&self, kind: &dyn SchemeKind, claims: &Claims<'_>, parts: &Parts<'_>, key: &Key, secret_id: u64) -> bool {
        let key = kind.derive_key(&self.scheme, key, secret_id, claims, &self.derived_keys);
        let tag = key.sign_parts(parts);
        claims.candidates.iter().fold(false, |any, candidate| any | tag.ct_eq_bytes(candidate.as_bytes()))
    }

    /// The key id whose active secret made one of the candidates; every secret of every key
    /// id in question is tried (no early exit), and an unknown key id tries the decoy.
    fn match_signature(&self, kind: &dyn SchemeKind, claims: &Claims<'_>, parts: &Parts<'_>) -> Result<String> {
        let unknown = |what: String| {
            let _ = self.any_candidate_matches(kind, claims, parts, &self.decoy, DECOY_SECRET_ID);
            Err(Error::new(Status::UnknownKey, what))
        };
        match claims.key_id {
            Some(key_id) => {
                let Some(active) = self.keyring.get(key_id)? else {
                    return unknown(format!("unknown key id {key_id:?}"));
                };
                let mut matched = false;
                for (secret_id, key) in active.entries() {
                    matched |= self.any_candidate_matches(kind, claims, parts, key, secret_id);
                }
                if !matched {
                    return Err(Error::new(Status::BadSignature, format!("signature does not match any active secret of key id {key_id:?}")));
                }
                Ok(key_id.to_string())
            }
            None => {
                let keys = self.keyring.all()?;
                if keys.is_empty() {
                    return unknown(format!("no secret is configured for {}", self.scheme.name));
                }
                let mut matched: Option<&str> = None;
                for (key_id, active) in &keys {
                    for (secret_id, key) in active.entries() {
                        if self.any_candidate_matches(kind, claims, parts, key, secret_id) && matched.is_none() {
                            matched = Some(key_id);
                        }
                    }
                }
                match matched {
                    Some(key_id) => Ok(key_id.to_string()),
                    None => Err(Error::new(
                        Status::BadSignature,
                        format!("none of {} signature(s) matches any configured secret", claims.candidates.len()),
                    )),
                }
            }
        }
    }
}

// The RFC 9421 kind is not a SchemeKind yet (its claims carry asymmetric signatures); its
// policy lives here, beside the one pipeline, so that src/scheme never sees the verifier.
/// Verify for [`crate::Verifier`], in the order every kind follows: well-formed claims,
/// time window (`created`, `expires`), IP allowlist, signature against every key of the
/// key id (an unknown id costs a decoy verification), then the nonce record.
fn verify_http_signatures(verifier: &Verifier, request: &Request<'_>, now: i64) -> Result<Verified> {
    use base64::Engine as _;
    let scheme = verifier.scheme();
    let profile = crate::scheme::http_signatures::profile_of(scheme)?;
    request.validate()?;
    let empty = crate::headers::Headers::new();
    let message = crate::scheme::http_signatures::message_of(request, &empty);
    let selected = crate::scheme::http_signatures::select(profile, message.headers)?;
    let candidate = crate::scheme::http_signatures::prepare(profile, &message, selected)?;
    let params = &candidate.params;
    let key_id = params.keyid().unwrap_or_default();
    crate::keyring::check_key_id(key_id).map_err(|e| Error::new(Status::MalformedHeader, format!("keyid: {}", e.message())))?;
    let created = params.created().unwrap_or_default();
    if created < now.saturating_sub(verifier.max_age() as i64) {
        return Err(Error::new(
            Status::TimestampTooOld,
            format!("created {created} is {} s older than server time {now} (max age {} s)", now.saturating_sub(created), verifier.max_age()),
        ));
    }
    if created > now.saturating_add(verifier.max_future_skew() as i64) {
        return Err(Error::new(
            Status::TimestampInFuture,
            format!("created {created} is {} s ahead of server time {now} (max future skew {} s)", created.saturating_sub(now), verifier.max_future_skew()),
        ));
    }
    if let Some(expires) = params.expires() {
        if expires < now {
            return Err(Error::new(Status::TimestampTooOld, format!("signature expired at {expires}, server time {now}")));
        }
    }
    verifier.ip_policy().check(request.remote_addr, request.headers)?;

    let base = candidate.base.as_bytes();
    let mut matched = false;
    if profile.algorithm.is_symmetric() {
        let Some(active) = verifier.keyring().get(key_id)? else {
            let _ = decoy_hmac().verify(base, &candidate.signature);
            return Err(Error::new(Status::UnknownKey, format!("unknown key id {key_id:?}")));
        };
        for key in active.keys() {
            matched |= key.verify(base, &candidate.signature).is_ok();
        }
    } else {
        let Some(keys) = verifier.public_keys().get(key_id)? else {
            return Err(Error::new(Status::UnknownKey, format!("unknown key id {key_id:?}")));
        };
        for key in keys.iter().filter(|k| k.algorithm() == profile.algorithm) {
            matched |= key.verify(base, &candidate.signature);
        }
    }
    if !matched {
        return Err(Error::new(Status::BadSignature, format!("signature {} does not match any key of key id {key_id:?}", candidate.label)));
    }
    // The covered Content-Digest binds the body: checked once the signature is authentic.
    if params.components.iter().any(|c| c.name == "content-digest") {
        let field = crate::scheme::http_signatures::combined(message.headers, "content-digest").unwrap_or_default();
        crate::scheme::http_signatures::digest::check_content_digest(&field, request.body)?;
    }
    // The nonce (when signed) identifies the delivery; without one, the signature does.
    let replay_id = match params.nonce() {
        Some(n) => n.to_string(),
        None => base64::engine::general_purpose::STANDARD.encode(&candidate.signature),
    };
    match verifier.nonce_store().check_and_record(key_id, &replay_id, verifier.nonce_ttl())? {
        crate::replay::NonceCheck::Fresh => Ok(Verified { key_id: key_id.to_string(), timestamp: created }),
        crate::replay::NonceCheck::Replayed => Err(Error::new(
            Status::NonceReplayed,
            format!("nonce {} of key id {key_id:?} was already used", crate::headers::truncate_for_log(&replay_id)),
        )),
    }
}

fn decoy_hmac() -> &'static crate::mac::Key {
    static DECOY: std::sync::OnceLock<crate::mac::Key> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| crate::mac::Key::new_unchecked_length(crate::mac::Algorithm::Sha256, b"signwire decoy key"))
}
