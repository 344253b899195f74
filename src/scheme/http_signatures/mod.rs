//! HTTP Message Signatures (RFC 9421) with `Content-Digest` (RFC 9530), as a scheme kind.
//!
//! A [`Profile`] is what an API fixes: the label, the algorithm, the components every
//! signature must cover, the `tag`, the digest, whether a nonce is required. Signing and
//! verifying share one signature-base builder ([`base::signature_base`]); the verifier's
//! policy (window from `created`, `expires`, nonce replay, IP allowlist, every key of the id
//! tried) is the same as every other kind's.
//!
//! ```
//! use signwire::scheme::http_signatures::{Profile, keys::{Algorithm, SigningKey}, sign, SignOptions};
//! use signwire::scheme::http_signatures::components::Message;
//! use signwire::Headers;
//! let profile = Profile::new(Algorithm::HmacSha256, &["@method", "@target-uri", "content-digest"]).unwrap();
//! let key = SigningKey::hmac(b"a shared secret of 32 bytes!!!!!").unwrap();
//! let headers = Headers::new();
//! let msg = Message { method: "POST", url: "https://api.example.com/pay", headers: &headers, status: None };
//! let out = sign(&profile, "k1", &key, &msg, b"{}", &SignOptions { created: 1700000000, nonce: None }).unwrap();
//! assert!(out.signature_input.starts_with("sig1=(\"@method\" \"@target-uri\" \"content-digest\");created=1700000000;keyid=\"k1\""));
//! assert_eq!(out.content_digest.as_deref(), Some("sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:"));
//! ```

pub mod base;
pub mod components;
pub mod digest;
pub mod keys;
pub mod params;
pub mod structured_field;

use crate::error::{Error, Result, Status};
use crate::headers::Headers;
use base64::Engine;
use components::{ComponentId, Message};
use digest::DigestAlgorithm;
use keys::{Algorithm, SigningKey, VerifyingKey};
use params::SignatureParams;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use structured_field::{self as sf, BareItem, Member};

/// The scheme kind's name in scheme documents.
pub const KIND_NAME: &str = "http-message-signatures";

/// What an API fixes about its HTTP message signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The label signatures are written under, and the only one verified when
    /// `verify_label` is set.
    pub label: String,
    /// Verify only the signature under `label` (otherwise: the one whose `tag` matches, or
    /// the only one present).
    pub verify_label: bool,
    /// The one algorithm accepted (a verifier never lets the message choose).
    pub algorithm: Algorithm,
    /// Components the signer covers, in order; a verifier requires each of them.
    pub components: Vec<ComponentId>,
    /// The application tag (`tag=`), written and required when set.
    pub tag: Option<String>,
    /// Send and check `Content-Digest` with this algorithm (`content-digest` must then be
    /// among the components).
    pub digest: Option<DigestAlgorithm>,
    /// Sign a nonce and require one.
    pub nonce: bool,
    /// Write `alg=` when signing.
    pub include_alg: bool,
    /// Write `expires=created+N` when signing.
    pub expires_in: Option<u64>,
}

impl Profile {
    /// A profile with label `sig1`, `Content-Digest` sha-256 when `content-digest` is
    /// covered, a nonce, and `alg` written.
    pub fn new(algorithm: Algorithm, components: &[&str]) -> Result<Profile> {
        let components = components.iter().map(|c| ComponentId::parse(c)).collect::<Result<Vec<_>>>()?;
        let digest = components.iter().any(|c| c.name == "content-digest").then_some(DigestAlgorithm::Sha256);
        let p = Profile {
            label: "sig1".into(),
            verify_label: false,
            algorithm,
            components,
            tag: None,
            digest,
            nonce: false,
            include_alg: false,
            expires_in: None,
        };
        p.validate()?;
        Ok(p)
    }

    /// Check the profile is consistent.
    pub fn validate(&self) -> Result<()> {
        let key_ok = self.label.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'*')
            && self.label.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*'));
        if !key_ok {
            return Err(Error::invalid(format!("label {:?} must be a structured-field key (lowercase, digits, _-.*)", self.label)));
        }
        SignatureParams::for_signing(self.components.clone(), None, None, None, None, None, self.tag.as_deref())?;
        if self.digest.is_some() && !self.components.iter().any(|c| c.name == "content-digest") {
            return Err(Error::invalid("content_digest is set but content-digest is not among the components"));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    kind: String,
    name: Option<String>,
    algorithm: String,
    components: Vec<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    verify_label: Option<bool>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    content_digest: Option<String>,
    #[serde(default)]
    nonce: Option<bool>,
    #[serde(default)]
    include_alg: Option<bool>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    max_age: Option<u64>,
    #[serde(default)]
    max_future_skew: Option<u64>,
}

/// Parse a scheme document of this kind: (name, profile, max_age, max_future_skew).
pub(crate) fn from_document(text: &str) -> Result<(String, Profile, Option<u64>, Option<u64>)> {
    let doc: Document = serde_json::from_str(text).map_err(|e| Error::invalid(format!("scheme document: {e}")))?;
    if doc.kind != KIND_NAME {
        return Err(Error::invalid("scheme document: not an http-message-signatures document"));
    }
    let algorithm = Algorithm::from_name(&doc.algorithm)?;
    let refs: Vec<&str> = doc.components.iter().map(String::as_str).collect();
    let mut p = Profile::new(algorithm, &refs)?;
    if let Some(l) = doc.label {
        p.label = l;
    }
    p.verify_label = doc.verify_label.unwrap_or(false);
    p.tag = doc.tag;
    p.digest = match doc.content_digest.as_deref() {
        Some("none") => None,
        Some(d) => Some(DigestAlgorithm::from_name(d)?),
        None => p.digest,
    };
    p.nonce = doc.nonce.unwrap_or(true);
    p.include_alg = doc.include_alg.unwrap_or(true);
    p.expires_in = doc.expires_in;
    p.validate()?;
    Ok((doc.name.unwrap_or_else(|| KIND_NAME.to_string()), p, doc.max_age, doc.max_future_skew))
}

/// Per-signature choices of the signer.
#[derive(Clone, Copy, Debug)]
pub struct SignOptions<'a> {
    /// `created`, unix seconds.
    pub created: i64,
    /// `nonce`, when the profile signs one.
    pub nonce: Option<&'a str>,
}

/// A signature ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The `Signature-Input` member (`sig1=(...);created=...`).
    pub signature_input: String,
    /// The `Signature` member (`sig1=:...:`).
    pub signature: String,
    /// The `Content-Digest` value to send, when the profile adds one and the message lacks it.
    pub content_digest: Option<String>,
    /// The signature base that was signed.
    pub base: String,
}

/// Sign `message` (whose headers are sent as they are) with `body`.
pub fn sign(profile: &Profile, key_id: &str, key: &SigningKey, message: &Message<'_>, body: &[u8], opts: &SignOptions<'_>) -> Result<Signed> {
    if key.algorithm() != profile.algorithm {
        return Err(Error::invalid(format!("the key is for {}, the scheme signs {}", key.algorithm().name(), profile.algorithm.name())));
    }
    if opts.created < 0 {
        return Err(Error::invalid("created is negative"));
    }
    if profile.nonce && opts.nonce.is_none() {
        return Err(Error::invalid("the scheme signs a nonce"));
    }
    // Content-Digest goes into a copy of the headers so that the base covers it.
    let mut with_digest;
    let mut message = *message;
    let mut content_digest = None;
    if let Some(alg) = profile.digest {
        match message.headers.get("content-digest")? {
            Some(existing) => {
                digest::check_content_digest(existing, body)?;
            }
            None => {
                let value = digest::content_digest(alg, body);
                with_digest = message.headers.clone();
                with_digest.push("Content-Digest", &value)?;
                content_digest = Some(value);
                message.headers = &with_digest;
            }
        }
    }
    let expires = profile.expires_in.map(|n| opts.created.saturating_add(n.min(i64::MAX as u64) as i64));
    let params = SignatureParams::for_signing(
        profile.components.clone(),
        Some(opts.created),
        Some(key_id),
        profile.include_alg.then(|| profile.algorithm.name()),
        expires,
        if profile.nonce { opts.nonce } else { None },
        profile.tag.as_deref(),
    )?;
    let base = base::signature_base(&params, &message)?;
    let signature = key.sign(base.as_bytes())?;
    let mut signature_member = format!("{}=", profile.label);
    sf::serialize_bare_item(&BareItem::ByteSeq(signature), &mut signature_member)?;
    Ok(Signed { signature_input: format!("{}={}", profile.label, params.serialize()?), signature: signature_member, content_digest, base })
}

/// A signature found in a message, with its base rebuilt: what a verifier checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Its label.
    pub label: String,
    /// Its parameters.
    pub params: SignatureParams,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// The signature base rebuilt from the message.
    pub base: String,
}

pub(crate) fn combined(headers: &Headers, name: &str) -> Option<String> {
    let lines: Vec<&str> = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v).collect();
    (!lines.is_empty()).then(|| lines.join(", "))
}

/// Every signature in the message: (label, parameters, signature bytes), in order.
pub fn parse_signatures(headers: &Headers) -> Result<Vec<(String, SignatureParams, Vec<u8>)>> {
    let input = combined(headers, "signature-input")
        .ok_or_else(|| Error::new(Status::MissingHeader, "required header Signature-Input is missing"))?;
    let sigs = combined(headers, "signature").ok_or_else(|| Error::new(Status::MissingHeader, "required header Signature is missing"))?;
    let malformed = |h: &str, e: Error| Error::new(Status::MalformedHeader, format!("{h}: {}", e.message()));
    let input = sf::parse_dictionary(&input).map_err(|e| malformed("Signature-Input", e))?;
    let sigs = sf::parse_dictionary(&sigs).map_err(|e| malformed("Signature", e))?;
    let mut out = Vec::with_capacity(input.len());
    for (label, member) in &input {
        let Member::InnerList(list) = member else {
            return Err(Error::new(Status::MalformedHeader, format!("Signature-Input: {label} is not an inner list")));
        };
        let params = SignatureParams::from_inner_list(list)?;
        let signature = match sigs.iter().find(|(l, _)| l == label) {
            Some((_, Member::Item(sf::Item { bare: BareItem::ByteSeq(b), .. }))) => b.clone(),
            Some(_) => return Err(Error::new(Status::MalformedHeader, format!("Signature: {label} is not a byte sequence"))),
            None => return Err(Error::new(Status::MissingHeader, format!("Signature has no {label} for Signature-Input's {label}"))),
        };
        out.push((label.clone(), params, signature));
    }
    Ok(out)
}

/// The one signature the profile verifies: under its label (when `verify_label`), else the
/// one with its tag (when set), else the only one. Never "any that verifies": which
/// signature counts is the application's decision (RFC 9421 section 7.2.6).
pub fn select(profile: &Profile, headers: &Headers) -> Result<(String, SignatureParams, Vec<u8>)> {
    let all = parse_signatures(headers)?;
    let mut matching: Vec<_> = all
        .into_iter()
        .filter(|(label, params, _)| {
            (!profile.verify_label || *label == profile.label) && profile.tag.as_deref().map_or(true, |t| params.tag() == Some(t))
        })
        .collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(Error::new(
            Status::MissingHeader,
            match (&profile.tag, profile.verify_label) {
                (_, true) => format!("no signature labelled {:?}", profile.label),
                (Some(t), _) => format!("no signature with tag {t:?}"),
                _ => "no signature".to_string(),
            },
        )),
        n => Err(Error::new(Status::MalformedHeader, format!("{n} signatures match: the scheme must fix a label or a tag"))),
    }
}

/// Check a selected signature's parameters against the profile and rebuild its base
/// (everything that needs no key and nothing proportional to the body): required
/// components, `alg`, `keyid`, `created`, nonce presence.
pub fn prepare(profile: &Profile, message: &Message<'_>, selected: (String, SignatureParams, Vec<u8>)) -> Result<Candidate> {
    let (label, params, signature) = selected;
    for required in &profile.components {
        if !params.covers(required) {
            return Err(Error::new(Status::MalformedHeader, format!("signature {label} does not cover required component {}", required.to_text())));
        }
    }
    if let Some(alg) = params.alg() {
        if alg != profile.algorithm.name() {
            return Err(Error::new(Status::UnsupportedAlgorithm, format!("signature {label} uses alg {alg:?}; this scheme accepts {}", profile.algorithm.name())));
        }
    }
    if sf::param(&params.params, "keyid").is_none() {
        return Err(Error::new(Status::MissingHeader, format!("signature {label} has no keyid")));
    }
    if params.created().is_none() {
        return Err(Error::new(Status::MissingHeader, format!("signature {label} has no created")));
    }
    if profile.nonce && params.nonce().is_none() {
        return Err(Error::new(Status::MissingHeader, format!("signature {label} has no nonce")));
    }
    if let Some(n) = params.nonce() {
        if n.is_empty() || n.len() > 128 {
            return Err(Error::new(Status::MalformedHeader, "nonce must be 1 to 128 characters"));
        }
    }
    let base = base::signature_base(&params, message)?;
    Ok(Candidate { label, params, signature, base })
}

/// Keys for asymmetric algorithms, by key id; several per id while rotating.
#[derive(Default)]
pub struct PublicKeys {
    keys: RwLock<HashMap<String, Vec<Arc<VerifyingKey>>>>,
}

impl std::fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.keys.read().map(|k| k.len()).unwrap_or(0);
        write!(f, "PublicKeys({n} key ids)")
    }
}

impl PublicKeys {
    /// Add a key under `key_id` (kept beside the id's other keys).
    pub fn add(&self, key_id: &str, key: VerifyingKey) -> Result<()> {
        crate::keyring::check_key_id(key_id)?;
        let mut map = self.keys.write().map_err(|_| Error::new(Status::Internal, "public key table poisoned"))?;
        map.entry(key_id.to_string()).or_default().push(Arc::new(key));
        Ok(())
    }

    /// Remove every key of `key_id`; true when there were some.
    pub fn remove(&self, key_id: &str) -> Result<bool> {
        let mut map = self.keys.write().map_err(|_| Error::new(Status::Internal, "public key table poisoned"))?;
        Ok(map.remove(key_id).is_some())
    }

    /// The keys of `key_id`.
    pub fn get(&self, key_id: &str) -> Result<Option<Vec<Arc<VerifyingKey>>>> {
        let map = self.keys.read().map_err(|_| Error::new(Status::Internal, "public key table poisoned"))?;
        Ok(map.get(key_id).cloned())
    }
}

/// Decode a standard base64 signature (for tests and tools).
pub fn decode_base64(s: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| Error::invalid("invalid base64"))
}


// --- the kind inside signwire's Scheme, Signer and Verifier ---

use crate::canonical::Request;
use crate::scheme::{Kind, Scheme};
use crate::headers::SignedHeaders;

/// A `Scheme` from a document of this kind.
pub(crate) fn scheme_from_document(text: &str) -> Result<Scheme> {
    let (name, profile, max_age, max_future_skew) = from_document(text)?;
    let mut scheme = Scheme::preset("hopnow").ok_or_else(|| Error::new(Status::Internal, "hopnow preset missing"))?;
    scheme.kind = Kind::HttpMessageSignatures;
    scheme.name = name;
    scheme.algorithm = crate::mac::Algorithm::Sha256;
    scheme.components = Vec::new();
    scheme.max_age = max_age.unwrap_or(300);
    scheme.max_future_skew = max_future_skew.unwrap_or(crate::scheme::DEFAULT_MAX_FUTURE_SKEW);
    scheme.http = Some(Box::new(profile));
    scheme.validate()?;
    Ok(scheme)
}

/// The document [`scheme_from_document`] reads back.
pub(crate) fn to_document(scheme: &Scheme, p: &Profile) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "kind": KIND_NAME,
        "name": scheme.name,
        "algorithm": p.algorithm.name(),
        "components": p.components.iter().map(ComponentId::to_text).collect::<Vec<_>>(),
        "label": p.label,
        "verify_label": p.verify_label,
        "content_digest": p.digest.map_or("none", DigestAlgorithm::name),
        "nonce": p.nonce,
        "include_alg": p.include_alg,
        "max_age": scheme.max_age,
        "max_future_skew": scheme.max_future_skew,
    });
    if let Some(t) = &p.tag {
        doc["tag"] = t.clone().into();
    }
    if let Some(e) = p.expires_in {
        doc["expires_in"] = e.into();
    }
    doc
}

pub(crate) fn profile_of(scheme: &Scheme) -> Result<&Profile> {
    scheme.http.as_deref().ok_or_else(|| Error::new(Status::Internal, "http-message-signatures scheme without its profile"))
}

pub(crate) fn message_of<'a>(request: &Request<'a>, empty: &'a Headers) -> Message<'a> {
    Message { method: request.method, url: request.url, headers: request.headers.unwrap_or(empty), status: None }
}

/// Sign for [`crate::Signer`]: the headers to add (`Content-Digest` when the scheme adds
/// one, `Signature-Input`, `Signature`) and the signature base.
pub(crate) fn sign_request(
    scheme: &Scheme,
    key_id: &str,
    key: &SigningKey,
    request: &Request<'_>,
    timestamp: i64,
    nonce: &str,
) -> Result<(SignedHeaders, Vec<u8>)> {
    let profile = profile_of(scheme)?;
    let empty = Headers::new();
    let message = message_of(request, &empty);
    let signed = sign(profile, key_id, key, &message, request.body, &SignOptions { created: timestamp, nonce: Some(nonce) })?;
    let input = signed.signature_input.split_once('=').map_or("", |(_, v)| v);
    let sig = signed.signature.split_once('=').map_or("", |(_, v)| v);
    let (label_input, label_sig) = (format!("{}={input}", profile.label), format!("{}={sig}", profile.label));
    let mut entries: Vec<(&str, &str)> = Vec::with_capacity(3);
    if let Some(d) = &signed.content_digest {
        entries.push(("Content-Digest", d));
    }
    entries.push(("Signature-Input", &label_input));
    entries.push(("Signature", &label_sig));
    Ok((SignedHeaders::from_entries(&entries)?, signed.base.into_bytes()))
}

