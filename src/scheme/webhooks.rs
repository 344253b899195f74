//! Established webhook schemes: Standard Webhooks and Stripe.
//!
//! Both sign a payload the generic engine builds (`{id}.{timestamp}.{body}` and
//! `{t}.{body}`: components with a `.` separator); only the headers differ from the generic
//! model, so only that is code here: no key id header (every configured secret is tried),
//! several signatures in one header (secret rotation on the sender's side), and Standard
//! Webhooks' `whsec_<base64>` secrets.
//!
//! Replay identity, the delivery's own: Standard Webhooks' `webhook-id` with its timestamp;
//! Stripe (no id header) the timestamp with the body's SHA-256. Never which of several
//! signatures matched, so a delivery replayed with one of its signatures dropped is still a
//! replay, while the sender's retry (new timestamp) is a new delivery.
//!
//! ```
//! use signwire::{Headers, Request, Scheme, Signer, Verifier};
//! let secret = b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let signer = Signer::new(Scheme::load("standard-webhooks")?, "endpoint", secret)?;
//! let req = Request::new("POST", "https://example.com/hook", br#"{"test": 2432232314}"#);
//! let sent = signer.sign_at(&req, 1614265330, "msg_p5jXN8AQM9LWM0D4loKWxJek")?;
//! assert_eq!(sent.get("webhook-signature"), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
//!
//! let verifier = Verifier::new(Scheme::load("standard-webhooks")?);
//! verifier.keyring().add_secret("endpoint", secret)?;
//! let h = Headers::parse(&sent.to_block())?;
//! assert_eq!(verifier.verify_at(&req.with_headers(&h), 1614265331)?.key_id, "endpoint");
//! # Ok::<(), signwire::Error>(())
//! ```

use super::kind::{sealed, Candidates, Claims, Detail, SchemeKind};
use super::{HeaderNames, Kind, KeyCache, Scheme};
use crate::canonical::{self, body_digest, fingerprint_value, Component, Parts, Request, SignatureInput};
use crate::error::{Error, Result, Status};
use crate::headers::{parse_timestamp, SignedHeaders};
use crate::keyring::SecretFormat;
use crate::mac::{Algorithm, Encoding, Key};
use std::borrow::Cow;

pub use super::kind::MAX_SIGNATURES;
/// Longest webhook id accepted.
pub const MAX_ID_LEN: usize = 256;

/// Standard Webhooks (standardwebhooks.com): 5 minutes either side, as its libraries check.
pub(super) fn standard_webhooks() -> Scheme {
    Scheme {
        kind: Kind::StandardWebhooks,
        name: "standard-webhooks".into(),
        algorithm: Algorithm::Sha256,
        encoding: Encoding::Base64,
        components: vec![Component::Nonce, Component::Timestamp, Component::Body],
        separator: ".".into(),
        headers: HeaderNames {
            key_id: String::new(),
            signature: "webhook-signature".into(),
            timestamp: "webhook-timestamp".into(),
            nonce: "webhook-id".into(),
        },
        max_age: 300,
        max_future_skew: 300,
        nonce_hex_len: 32,
        aws: None,
        http: None,
    }
}

/// Stripe webhooks: `Stripe-Signature`, 5 minutes of tolerance as `stripe` defaults to.
pub(super) fn stripe() -> Scheme {
    Scheme {
        kind: Kind::Stripe,
        name: "stripe".into(),
        algorithm: Algorithm::Sha256,
        encoding: Encoding::Hex,
        components: vec![Component::Timestamp, Component::Body],
        separator: ".".into(),
        headers: HeaderNames {
            key_id: String::new(),
            signature: "Stripe-Signature".into(),
            timestamp: String::new(),
            nonce: String::new(),
        },
        max_age: 300,
        max_future_skew: 300,
        nonce_hex_len: 32,
        aws: None,
        http: None,
    }
}

fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(Error::new(
            Status::MalformedHeader,
            format!("webhook-id must be 1 to {MAX_ID_LEN} printable ASCII characters without spaces"),
        ));
    }
    Ok(())
}

/// The payload both webhook kinds sign: their components with a `.` separator.
fn payload_into<'a>(scheme: &'a Scheme, request: &'a Request<'a>, timestamp: &'a str, id: &'a str, parts: &mut Parts<'a>) -> Result<()> {
    let input = SignatureInput { request, key_id: "", timestamp, nonce: id };
    canonical::payload_parts_into(&scheme.components, &scheme.separator, &input, parts)
}

/// Sign with the payload shared with verification; `write` formats the headers.
fn sign_payload(
    scheme: &Scheme,
    key: &Key,
    request: &Request<'_>,
    timestamp: i64,
    id: &str,
    explain: Option<&mut Vec<u8>>,
    write: impl FnOnce(&str, &str) -> Result<SignedHeaders>,
) -> Result<SignedHeaders> {
    let ts = timestamp.to_string();
    let mut parts = Parts::new();
    payload_into(scheme, request, &ts, id, &mut parts)?;
    let signature = key.sign_parts(&parts).encode(scheme.encoding);
    if let Some(out) = explain {
        *out = parts.concat();
    }
    write(&ts, &signature)
}

fn no_headers(scheme: &Scheme) -> Error {
    Error::new(Status::MissingHeader, format!("required header {} is missing", scheme.headers.signature))
}

/// Standard Webhooks.
#[derive(Debug)]
pub(crate) struct StandardWebhooks;

impl sealed::Sealed for StandardWebhooks {}

impl SchemeKind for StandardWebhooks {
    fn name(&self) -> &'static str {
        "standard-webhooks"
    }

    fn secret_format(&self) -> SecretFormat {
        SecretFormat::WhsecBase64
    }

    fn read_claims<'r>(&self, scheme: &'r Scheme, request: &Request<'r>) -> Result<Claims<'r>> {
        let headers = request.headers.ok_or_else(|| no_headers(scheme))?;
        let id = headers.require("webhook-id")?;
        let timestamp_text = headers.require("webhook-timestamp")?;
        let header = headers.require("webhook-signature")?;
        check_id(id)?;
        let timestamp = parse_timestamp(timestamp_text)?;
        let mut candidates = Candidates::new();
        let mut entries = 0;
        for entry in header.split(' ').filter(|e| !e.is_empty()) {
            entries += 1;
            if entries > MAX_SIGNATURES {
                return Err(Error::new(Status::MalformedHeader, format!("more than {MAX_SIGNATURES} signatures in one header")));
            }
            // Other versions (v1a: asymmetric) are someone else's to check.
            if let Some(b64) = entry.strip_prefix("v1,") {
                if let Some(tag) = crate::mac::decode_tag(b64.as_bytes(), Encoding::Base64, scheme.algorithm.tag_len()) {
                    candidates.push(tag)?;
                }
            }
        }
        if candidates.is_empty() {
            return Err(Error::new(Status::MalformedHeader, "webhook-signature holds no well-formed v1 signature"));
        }
        Ok(Claims { key_id: None, timestamp, timestamp_text, expires: None, nonce: id, candidates, detail: Detail::None })
    }

    fn signed_parts<'r>(&self, scheme: &'r Scheme, request: &'r Request<'r>, claims: &Claims<'r>, parts: &mut Parts<'r>) -> Result<()> {
        payload_into(scheme, request, claims.timestamp_text, claims.nonce, parts)
    }

    fn replay_id<'r>(&self, _request: &Request<'r>, claims: &Claims<'r>, _signed: &[Cow<'r, [u8]>]) -> Cow<'r, str> {
        // A sender's retry keeps the id and takes a new timestamp: a new delivery.
        Cow::Owned(format!("{}.{}", claims.timestamp, claims.nonce))
    }

    fn sign(
        &self,
        scheme: &Scheme,
        _key_id: &str,
        key: &Key,
        _cache: &KeyCache,
        request: &Request<'_>,
        timestamp: i64,
        nonce: &str,
        explain: Option<&mut Vec<u8>>,
    ) -> Result<SignedHeaders> {
        check_id(nonce).map_err(|e| Error::invalid(e.message().to_string()))?;
        sign_payload(scheme, key, request, timestamp, nonce, explain, |ts, sig| {
            SignedHeaders::from_entries(&[("webhook-id", nonce), ("webhook-timestamp", ts), ("webhook-signature", &format!("v1,{sig}"))])
        })
    }

    fn fingerprint(&self, _scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)> {
        let get = |n: &str| request.headers.and_then(|h| h.get(n).ok().flatten());
        vec![
            ("webhook_id".to_string(), shown(get("webhook-id"))),
            ("timestamp".to_string(), shown(get("webhook-timestamp"))),
            ("body".to_string(), body_digest(request.body)),
        ]
    }
}

fn shown(v: Option<&str>) -> String {
    v.map(|v| fingerprint_value(v.as_bytes())).unwrap_or_else(|| "(missing)".to_string())
}

/// Stripe.
#[derive(Debug)]
pub(crate) struct Stripe;

impl sealed::Sealed for Stripe {}

impl SchemeKind for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn secret_format(&self) -> SecretFormat {
        // Stripe keys HMAC with the `whsec_...` text itself.
        SecretFormat::Raw
    }

    fn read_claims<'r>(&self, scheme: &'r Scheme, request: &Request<'r>) -> Result<Claims<'r>> {
        let headers = request.headers.ok_or_else(|| no_headers(scheme))?;
        let header = headers.require("Stripe-Signature")?;
        let mut timestamp = None;
        let mut candidates = Candidates::new();
        let mut v1 = 0;
        for item in header.split(',') {
            let (k, v) = item.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((item.trim(), ""));
            match k {
                "t" if timestamp.is_some() => return Err(Error::new(Status::MalformedHeader, "Stripe-Signature has t= twice")),
                "t" => timestamp = Some(v),
                "v1" => {
                    v1 += 1;
                    if v1 > MAX_SIGNATURES {
                        return Err(Error::new(Status::MalformedHeader, format!("more than {MAX_SIGNATURES} signatures in one header")));
                    }
                    if let Some(tag) = crate::mac::decode_tag(v.as_bytes(), Encoding::Hex, scheme.algorithm.tag_len()) {
                        candidates.push(tag)?;
                    }
                }
                _ => {} // v0 (test mode) and future schemes are not this verifier's
            }
        }
        let timestamp_text = timestamp.ok_or_else(|| Error::new(Status::MalformedHeader, "Stripe-Signature has no t= timestamp"))?;
        let timestamp = parse_timestamp(timestamp_text)?;
        if candidates.is_empty() {
            return Err(Error::new(Status::MalformedHeader, "Stripe-Signature holds no well-formed v1 signature"));
        }
        Ok(Claims { key_id: None, timestamp, timestamp_text, expires: None, nonce: "", candidates, detail: Detail::None })
    }

    fn signed_parts<'r>(&self, scheme: &'r Scheme, request: &'r Request<'r>, claims: &Claims<'r>, parts: &mut Parts<'r>) -> Result<()> {
        payload_into(scheme, request, claims.timestamp_text, "", parts)
    }

    fn replay_id<'r>(&self, request: &Request<'r>, claims: &Claims<'r>, _signed: &[Cow<'r, [u8]>]) -> Cow<'r, str> {
        // No id header: the delivery is its timestamp and its body.
        Cow::Owned(format!("{}.{}", claims.timestamp, crate::mac::sha256_hex(request.body)))
    }

    fn sign(
        &self,
        scheme: &Scheme,
        _key_id: &str,
        key: &Key,
        _cache: &KeyCache,
        request: &Request<'_>,
        timestamp: i64,
        _nonce: &str,
        explain: Option<&mut Vec<u8>>,
    ) -> Result<SignedHeaders> {
        sign_payload(scheme, key, request, timestamp, "", explain, |ts, sig| {
            SignedHeaders::from_entries(&[("Stripe-Signature", &format!("t={ts},v1={sig}"))])
        })
    }

    fn fingerprint(&self, _scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)> {
        let get = |n: &str| request.headers.and_then(|h| h.get(n).ok().flatten());
        let t = get("Stripe-Signature").and_then(|h| h.split(',').find_map(|i| i.trim().strip_prefix("t=")));
        vec![("timestamp".to_string(), shown(t)), ("body".to_string(), body_digest(request.body))]
    }
}
