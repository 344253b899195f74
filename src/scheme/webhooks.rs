//! Established webhook schemes: Standard Webhooks and Stripe.
//!
//! Both sign a payload the generic engine builds (`{id}.{timestamp}.{body}` and
//! `{t}.{body}`: components with a `.` separator); only the headers differ from the generic
//! model, so only that is code here: no key id header (every configured secret is tried),
//! several signatures in one header (secret rotation on the sender's side), and Standard
//! Webhooks' `whsec_<base64>` secrets. Replay: the webhook id (Standard Webhooks) or the
//! signature (Stripe, which has no id header) is recorded with the timestamp, so the exact
//! same delivery is refused while a retry (new timestamp, new signature) passes.
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

use super::{HeaderNames, Kind, Scheme};
use crate::canonical::{self, Component, Request, SignatureInput};
use crate::diagnostics::body_digest;
use crate::error::{Error, Result, Status};
use crate::headers::parse_timestamp;
use crate::keyring::SecretFormat;
use crate::mac::{Algorithm, Encoding, Key};
use crate::replay::{NonceCheck, NonceStore};
use crate::signer::SignedHeaders;
use crate::verifier::{Verified, Verifier};

/// Most signatures accepted in one header (a sender rotating secrets sends two or three).
pub const MAX_SIGNATURES: usize = 16;
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

/// How a kind's secrets are written.
pub fn secret_format(kind: Kind) -> SecretFormat {
    match kind {
        Kind::StandardWebhooks => SecretFormat::WhsecBase64,
        Kind::AwsSigV4 => SecretFormat::Aws4,
        // Stripe keys HMAC with the `whsec_...` text itself.
        Kind::Generic | Kind::Stripe | Kind::HttpMessageSignatures => SecretFormat::Raw,
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

fn payload<'a>(scheme: &'a Scheme, request: &'a Request<'a>, timestamp: &'a str, id: &'a str) -> Result<canonical::Parts<'a>> {
    let input = SignatureInput { request, key_id: "", timestamp, nonce: id };
    canonical::payload_parts(&scheme.components, &scheme.separator, &input)
}

/// Sign as the sender: `nonce` is the webhook id (Standard Webhooks; ignored by Stripe).
pub(crate) fn sign(scheme: &Scheme, key: &Key, request: &Request<'_>, timestamp: i64, nonce: &str) -> Result<(SignedHeaders, Vec<u8>)> {
    let ts = timestamp.to_string();
    if scheme.kind == Kind::StandardWebhooks {
        check_id(nonce).map_err(|e| Error::invalid(e.message().to_string()))?;
    }
    let parts = payload(scheme, request, &ts, nonce)?;
    let slices: Vec<&[u8]> = parts.iter().map(|p| p.as_ref()).collect();
    let signature = key.sign_parts(&slices).encode(scheme.encoding);
    let headers = match scheme.kind {
        Kind::StandardWebhooks => SignedHeaders::from_entries(&[
            ("webhook-id", nonce),
            ("webhook-timestamp", &ts),
            ("webhook-signature", &format!("v1,{signature}")),
        ])?,
        _ => SignedHeaders::from_entries(&[("Stripe-Signature", &format!("t={ts},v1={signature}"))])?,
    };
    Ok((headers, slices.concat()))
}

/// The parts of a received webhook's headers: (timestamp text, id, candidate signatures).
struct Received<'a> {
    timestamp: &'a str,
    id: &'a str,
    signatures: Vec<Vec<u8>>,
}

fn too_many() -> Error {
    Error::new(Status::MalformedHeader, format!("more than {MAX_SIGNATURES} signatures in one header"))
}

fn parse<'a>(scheme: &Scheme, request: &Request<'a>) -> Result<Received<'a>> {
    let Some(headers) = request.headers else {
        return Err(Error::new(Status::MissingHeader, format!("required header {} is missing", scheme.headers.signature)));
    };
    let tag_len = scheme.algorithm.tag_len();
    match scheme.kind {
        Kind::StandardWebhooks => {
            let id = headers.require("webhook-id")?;
            let timestamp = headers.require("webhook-timestamp")?;
            let header = headers.require("webhook-signature")?;
            check_id(id)?;
            let mut signatures = Vec::new();
            for entry in header.split(' ').filter(|e| !e.is_empty()) {
                if signatures.len() >= MAX_SIGNATURES {
                    return Err(too_many());
                }
                // Other versions (v1a: asymmetric) are someone else's to check.
                if let Some(b64) = entry.strip_prefix("v1,") {
                    if let Some(tag) = crate::mac::decode_tag(b64.as_bytes(), Encoding::Base64, tag_len) {
                        signatures.push(tag.as_bytes().to_vec());
                    }
                }
            }
            if signatures.is_empty() {
                return Err(Error::new(Status::MalformedHeader, "webhook-signature holds no well-formed v1 signature"));
            }
            Ok(Received { timestamp, id, signatures })
        }
        _ => {
            let header = headers.require("Stripe-Signature")?;
            let mut timestamp = None;
            let mut signatures = Vec::new();
            for item in header.split(',') {
                let (k, v) = item.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((item.trim(), ""));
                match k {
                    "t" if timestamp.is_some() => return Err(Error::new(Status::MalformedHeader, "Stripe-Signature has t= twice")),
                    "t" => timestamp = Some(v),
                    "v1" => {
                        if signatures.len() >= MAX_SIGNATURES {
                            return Err(too_many());
                        }
                        if let Some(tag) = crate::mac::decode_tag(v.as_bytes(), Encoding::Hex, tag_len) {
                            signatures.push(tag.as_bytes().to_vec());
                        }
                    }
                    _ => {} // v0 (test mode) and future schemes are not this verifier's
                }
            }
            let timestamp = timestamp.ok_or_else(|| Error::new(Status::MalformedHeader, "Stripe-Signature has no t= timestamp"))?;
            if signatures.is_empty() {
                return Err(Error::new(Status::MalformedHeader, "Stripe-Signature holds no well-formed v1 signature"));
            }
            Ok(Received { timestamp, id: "", signatures })
        }
    }
}

/// Verify as the receiver, in the generic order: headers, a known secret, the time window,
/// every signature against every secret (no early exit), then the replay record.
pub(crate) fn verify(verifier: &Verifier, store: &dyn NonceStore, request: &Request<'_>, now: i64) -> Result<Verified> {
    let scheme = verifier.scheme();
    request.validate()?;
    let r = parse(scheme, request)?;
    let timestamp = parse_timestamp(r.timestamp)?;
    let keys = verifier.keyring().all()?;
    let parts = payload(scheme, request, r.timestamp, r.id)?;
    let slices: Vec<&[u8]> = parts.iter().map(|p| p.as_ref()).collect();
    if keys.is_empty() {
        return Err(Error::new(Status::UnknownKey, format!("no secret is configured for {}", scheme.name)));
    }
    if timestamp < now.saturating_sub(verifier.max_age() as i64) {
        return Err(Error::new(
            Status::TimestampTooOld,
            format!("timestamp {timestamp} is {} s older than server time {now} (max age {} s)", now - timestamp, verifier.max_age()),
        ));
    }
    if timestamp > now.saturating_add(verifier.max_future_skew() as i64) {
        return Err(Error::new(
            Status::TimestampInFuture,
            format!("timestamp {timestamp} is {} s ahead of server time {now} (max future skew {} s)", timestamp.saturating_sub(now), verifier.max_future_skew()),
        ));
    }
    let mut matched: Option<(String, Vec<u8>)> = None;
    for (key_id, active) in &keys {
        for key in active.keys() {
            let tag = key.sign_parts(&slices);
            for candidate in &r.signatures {
                if tag.ct_eq_bytes(candidate) && matched.is_none() {
                    matched = Some((key_id.clone(), candidate.clone()));
                }
            }
        }
    }
    let Some((key_id, signature)) = matched else {
        return Err(Error::new(
            Status::BadSignature,
            format!("none of {} signature(s) matches any configured secret", r.signatures.len()),
        ));
    };
    let replay_id = match scheme.kind {
        Kind::StandardWebhooks => format!("{timestamp}.{}", r.id),
        _ => format!("{timestamp}.{}", hex::encode(&signature[..16])),
    };
    match store.check_and_record(&key_id, &replay_id, verifier.nonce_ttl())? {
        NonceCheck::Fresh => Ok(Verified { key_id, timestamp }),
        NonceCheck::Replayed => Err(Error::new(Status::NonceReplayed, format!("delivery {replay_id} was already accepted"))),
    }
}

/// Fingerprint entries (after `scheme`) for diagnostics: what the payload is built from.
pub(crate) fn fingerprint(scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)> {
    let clear = |v: Option<&str>| match v {
        Some("") => "(empty)".to_string(),
        Some(v) => crate::canonical::escape_for_display(v.as_bytes()).replace(' ', "\\x20"),
        None => "(missing)".to_string(),
    };
    let get = |n: &str| request.headers.and_then(|h| h.get(n).ok().flatten());
    let mut out = Vec::new();
    match scheme.kind {
        Kind::StandardWebhooks => {
            out.push(("webhook_id".to_string(), clear(get("webhook-id"))));
            out.push(("timestamp".to_string(), clear(get("webhook-timestamp"))));
        }
        _ => {
            let t = get("Stripe-Signature").and_then(|h| h.split(',').find_map(|i| i.trim().strip_prefix("t=")));
            out.push(("timestamp".to_string(), clear(t)));
        }
    }
    out.push(("body".to_string(), body_digest(request.body)));
    out
}
