//! Signature schemes as data: which components are signed, how, and in which headers.
//!
//! A scheme is a value, not code: the presets (`hopnow`) are the same struct that a JSON
//! document describes, so an API of this family needs no new code in any language.
//!
//! ```
//! use signwire::scheme::Scheme;
//! let hopnow = Scheme::load("hopnow").unwrap();
//! assert_eq!(hopnow.headers.signature, "X-Signature");
//! let custom = Scheme::from_json(r#"{
//!     "name": "acme",
//!     "algorithm": "hmac-sha512",
//!     "encoding": "base64",
//!     "components": ["method", "path_and_query", "timestamp", "nonce", "body_sha256"],
//!     "separator": "\n",
//!     "headers": {"key_id": "X-Acme-Key", "signature": "X-Acme-Signature",
//!                 "timestamp": "X-Acme-Time", "nonce": "X-Acme-Nonce"},
//!     "max_age": 120
//! }"#).unwrap();
//! assert_eq!(custom.max_age, 120);
//! ```

pub mod bcrypt;
#[cfg(signwire_libxcrypt)]
mod xcrypt;
pub mod epintower;
mod generic;
pub mod http_signatures;
mod hopnow;
pub(crate) mod kind;
pub mod sigv4;
pub mod webhooks;

use crate::canonical::{Component, Request};
use crate::error::{Error, Result, Status};
use crate::keyring::SecretFormat;
use crate::mac::{Algorithm, Encoding};
use kind::SchemeKind;
use serde::{Deserialize, Serialize};

pub use kind::MAX_SIGNATURES;
/// Derived per-request keys (AWS SigV4's signing key of the day), by secret and day; a
/// verifier and a signer each own one. Kinds that derive nothing leave it empty.
pub use sigv4::KeyCache;

/// Largest scheme document accepted, in bytes.
pub const MAX_SCHEME_DOCUMENT_LEN: usize = 64 * 1024;

/// Header names a scheme reads and writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderNames {
    /// Carries the key id (`X-API-Key`).
    pub key_id: String,
    /// Carries the encoded signature (`X-Signature`).
    pub signature: String,
    /// Carries the timestamp (`X-Timestamp`).
    pub timestamp: String,
    /// Carries the nonce (`X-Nonce`).
    pub nonce: String,
}

/// How a scheme carries its signature. The generic engine (key id, signature, timestamp and
/// nonce headers) covers every scheme described by components; established webhook schemes
/// sign a component payload too but carry it differently (no key id header, several
/// signatures in one header, encoded secrets), in small dedicated code paths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// Key id, signature, timestamp and nonce headers, as [`HeaderNames`] says.
    #[default]
    Generic,
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> ...`,
    /// payload `{id}.{timestamp}.{body}`, `whsec_<base64>` secrets.
    StandardWebhooks,
    /// Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>...]`, payload `{t}.{body}`.
    Stripe,
    /// AWS Signature Version 4: `Authorization: AWS4-HMAC-SHA256 ...` over a canonical
    /// request, with the options in [`Scheme::aws`].
    AwsSigV4,
    /// HTTP Message Signatures (RFC 9421): `Signature-Input` / `Signature`, with the
    /// profile in [`Scheme::http`].
    HttpMessageSignatures,
}

impl Kind {
    /// Every kind, the registry the verifier's policy × kind tests enumerate: a kind added
    /// to the enum and not here fails `registry_lists_every_kind`.
    pub const ALL: [Kind; 4] = [Kind::Generic, Kind::StandardWebhooks, Kind::Stripe, Kind::AwsSigV4];

    /// The JSON name (`standard-webhooks`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::HttpMessageSignatures => http_signatures::KIND_NAME,
            other => other.plugin().name(),
        }
    }

    /// The kind with this JSON name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind's implementation: the one place that matches on the kind; everything after
    /// it calls trait methods.
    pub(crate) fn plugin(self) -> &'static dyn SchemeKind {
        match self {
            Kind::Generic => &generic::Generic,
            Kind::StandardWebhooks => &webhooks::StandardWebhooks,
            Kind::Stripe => &webhooks::Stripe,
            Kind::AwsSigV4 => &sigv4::SigV4,
            // Not a plug-in yet: RFC 9421 verifies and signs by its own path (asymmetric keys),
            // which Verifier::verify_at and Signer call before the pipeline; it is absent
            // from Kind::ALL until it implements SchemeKind.
            Kind::HttpMessageSignatures => &generic::Generic,
        }
    }
}

/// A signature scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// How the signature travels (generic headers, or an established webhook format).
    pub kind: Kind,
    /// Short name, for logs and diagnostics.
    pub name: String,
    /// The MAC.
    pub algorithm: Algorithm,
    /// How the tag is written in the signature header.
    pub encoding: Encoding,
    /// Signed components, in order.
    pub components: Vec<Component>,
    /// Bytes placed between components (empty for HopNow).
    pub separator: String,
    /// Header names.
    pub headers: HeaderNames,
    /// Oldest accepted timestamp, in seconds before now.
    pub max_age: u64,
    /// Furthest accepted timestamp, in seconds after now (clients' clocks run fast too).
    pub max_future_skew: u64,
    /// Nonce length in hex characters.
    pub nonce_hex_len: usize,
    /// Region, service and payload options of an AWS SigV4 scheme (`None` otherwise).
    pub aws: Option<sigv4::Options>,
    /// Label, algorithm, components, tag and digest of an HTTP Message Signatures scheme
    /// (`None` otherwise).
    pub http: Option<Box<http_signatures::Profile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemeDocument {
    #[serde(default)]
    kind: Option<String>,
    // Required for generic schemes; a preset kind fixes them.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default = "default_encoding")]
    encoding: String,
    #[serde(default)]
    components: Option<Vec<Component>>,
    #[serde(default)]
    separator: String,
    #[serde(default)]
    headers: Option<HeaderNames>,
    // aws-sigv4 only.
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    uri_encoding: Option<sigv4::UriEncoding>,
    #[serde(default)]
    unsigned_payload: Option<bool>,
    #[serde(default)]
    content_sha256_header: Option<bool>,
    // Absent: 300 s and 60 s for generic schemes, the preset's own window for a kind.
    #[serde(default)]
    max_age: Option<u64>,
    #[serde(default)]
    max_future_skew: Option<u64>,
    #[serde(default = "default_nonce_hex_len")]
    nonce_hex_len: usize,
}

fn default_encoding() -> String {
    "hex".into()
}
fn default_max_age() -> u64 {
    300
}
/// Default future skew: one minute covers NTP-less cash desks without widening replay much.
pub const DEFAULT_MAX_FUTURE_SKEW: u64 = 60;
fn default_max_future_skew() -> u64 {
    DEFAULT_MAX_FUTURE_SKEW
}
fn default_nonce_hex_len() -> usize {
    32
}

/// Names of the built-in presets.
pub const PRESETS: &[&str] = &["hopnow", "standard-webhooks", "stripe", "aws-sigv4:REGION:SERVICE"];

impl Scheme {
    /// A preset by name, a path to a JSON document (`*.json`), or a JSON document itself
    /// (text starting with `{`).
    pub fn load(name_or_document: &str) -> Result<Scheme> {
        let s = name_or_document.trim_start();
        if s.starts_with('{') {
            return Scheme::from_json(s);
        }
        if let Some(preset) = Scheme::preset(s) {
            return Ok(preset);
        }
        if let Some(aws) = sigv4::from_short_name(s) {
            return aws;
        }
        if s.ends_with(".json") || s.contains('/') {
            let meta = std::fs::metadata(s)
                .map_err(|e| Error::invalid(format!("cannot read scheme document {s:?}: {e}")))?;
            if meta.len() > MAX_SCHEME_DOCUMENT_LEN as u64 {
                return Err(Error::new(Status::InputTooLarge, format!("scheme document {s:?} is over {MAX_SCHEME_DOCUMENT_LEN} bytes")));
            }
            // Bounded read: the size above can be 0 for a FIFO or a device that never ends.
            let mut text = String::new();
            std::fs::File::open(s)
                .and_then(|f| std::io::Read::read_to_string(&mut std::io::Read::take(f, MAX_SCHEME_DOCUMENT_LEN as u64 + 1), &mut text))
                .map_err(|e| Error::invalid(format!("cannot read scheme document {s:?}: {e}")))?;
            return Scheme::from_json(&text);
        }
        Err(Error::invalid(format!(
            "unknown scheme {:?}: expected one of {PRESETS:?}, a path to a .json document, or a JSON document",
            crate::headers::truncate_for_log(s)
        )))
    }

    /// A built-in preset.
    pub fn preset(name: &str) -> Option<Scheme> {
        match name {
            "hopnow" => Some(hopnow::scheme()),
            "standard-webhooks" => Some(webhooks::standard_webhooks()),
            "stripe" => Some(webhooks::stripe()),
            _ => None,
        }
    }

    /// Parse and validate a JSON scheme document (format in README).
    pub fn from_json(text: &str) -> Result<Scheme> {
        if text.len() > MAX_SCHEME_DOCUMENT_LEN {
            return Err(Error::new(Status::InputTooLarge, format!("scheme document is over {MAX_SCHEME_DOCUMENT_LEN} bytes")));
        }
        if serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some(http_signatures::KIND_NAME))
        {
            return http_signatures::scheme_from_document(text);
        }
        let doc: SchemeDocument =
            serde_json::from_str(text).map_err(|e| Error::invalid(format!("scheme document: {e}")))?;
        let aws_fields = doc.region.is_some() || doc.service.is_some() || doc.uri_encoding.is_some()
            || doc.unsigned_payload.is_some() || doc.content_sha256_header.is_some();
        if doc.kind.as_deref() == Some("aws-sigv4") {
            let (Some(region), Some(service)) = (doc.region.as_deref(), doc.service.as_deref()) else {
                return Err(Error::invalid("scheme document: kind aws-sigv4 needs \"region\" and \"service\""));
            };
            let mut o = sigv4::Options::new(region, service);
            o.uri_encoding = doc.uri_encoding.unwrap_or(o.uri_encoding);
            o.unsigned_payload = doc.unsigned_payload.unwrap_or(o.unsigned_payload);
            o.content_sha256_header = doc.content_sha256_header.unwrap_or(o.content_sha256_header);
            let mut preset = sigv4::scheme(o)?;
            preset.max_age = doc.max_age.unwrap_or(preset.max_age);
            preset.max_future_skew = doc.max_future_skew.unwrap_or(preset.max_future_skew);
            preset.validate()?;
            return Ok(preset);
        }
        if aws_fields {
            return Err(Error::invalid("scheme document: region, service, uri_encoding, unsigned_payload and content_sha256_header apply to kind aws-sigv4 only"));
        }
        if let Some(kind) = doc.kind.as_deref().filter(|k| *k != "generic") {
            // A preset kind is fixed by its specification: only the time window may change.
            let mut preset = Scheme::preset(kind)
                .filter(|p| p.kind != Kind::Generic)
                .ok_or_else(|| Error::invalid(format!("scheme document: unknown kind {:?}", crate::headers::truncate_for_log(kind))))?;
            preset.max_age = doc.max_age.unwrap_or(default_max_age());
            preset.max_future_skew = doc.max_future_skew.unwrap_or(default_max_future_skew());
            preset.validate()?;
            return Ok(preset);
        }
        let missing = |f: &str| Error::invalid(format!("scheme document: missing field `{f}`"));
        let scheme = Scheme {
            kind: Kind::Generic,
            name: doc.name.ok_or_else(|| missing("name"))?,
            algorithm: Algorithm::parse(&doc.algorithm.ok_or_else(|| missing("algorithm"))?)?,
            encoding: Encoding::parse(&doc.encoding)?,
            components: doc.components.ok_or_else(|| missing("components"))?,
            separator: doc.separator,
            headers: doc.headers.ok_or_else(|| missing("headers"))?,
            max_age: doc.max_age.unwrap_or(default_max_age()),
            max_future_skew: doc.max_future_skew.unwrap_or(default_max_future_skew()),
            nonce_hex_len: doc.nonce_hex_len,
            aws: None,
            http: None,
        };
        scheme.validate()?;
        Ok(scheme)
    }

    /// The scheme as a JSON document that [`Scheme::from_json`] reads back.
    pub fn to_json(&self) -> String {
        if let Some(p) = &self.http {
            return http_signatures::to_document(self, p).to_string();
        }
        let mut doc = serde_json::json!({
            "name": self.name,
            "algorithm": self.algorithm.name(),
            "encoding": self.encoding.name(),
            "components": self.components,
            "separator": self.separator,
            "headers": self.headers,
            "max_age": self.max_age,
            "max_future_skew": self.max_future_skew,
            "nonce_hex_len": self.nonce_hex_len,
        });
        if self.kind != Kind::Generic {
            doc["kind"] = self.kind.name().into();
        }
        if let Some(o) = &self.aws {
            doc["region"] = o.region.clone().into();
            doc["service"] = o.service.clone().into();
            doc["uri_encoding"] = serde_json::to_value(o.uri_encoding).unwrap_or_default();
            doc["unsigned_payload"] = o.unsigned_payload.into();
            doc["content_sha256_header"] = o.content_sha256_header.into();
        }
        doc.to_string()
    }

    /// Refuse schemes that would be insecure or ambiguous.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(format!("scheme {:?}: {m}", self.name)));
        if self.name.is_empty() || self.name.len() > 64 {
            return bad("name must be 1 to 64 characters".into());
        }
        if self.max_age == 0 || self.max_age > 7 * 24 * 3600 {
            return bad("max_age must be 1 second to 7 days".into());
        }
        if self.max_future_skew > 3600 {
            return bad("max_future_skew must be at most 3600 seconds".into());
        }
        if self.kind != Kind::Generic {
            return Ok(());
        }
        if self.components.is_empty() || self.components.len() > 32 {
            return bad("components must list 1 to 32 entries".into());
        }
        // Without a signed timestamp and nonce, the replay checks would read unsigned headers.
        for required in [Component::Timestamp, Component::Nonce] {
            if !self.components.contains(&required) {
                return bad(format!("components must include {:?} (replay protection reads it)", required.label()));
            }
        }
        if !self.components.iter().any(|c| matches!(c, Component::Body | Component::BodySha256)) {
            return bad("components must include body or body_sha256 (the body must be signed)".into());
        }
        if self.separator.len() > 16 {
            return bad("separator is longer than 16 bytes".into());
        }
        let h = &self.headers;
        let names = [&h.key_id, &h.signature, &h.timestamp, &h.nonce];
        for n in names {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return bad(format!("header name {n:?} is not a valid header name"));
            }
        }
        for (i, a) in names.iter().enumerate() {
            if names[i + 1..].iter().any(|b| b.eq_ignore_ascii_case(a)) {
                return bad(format!("header name {a:?} is used twice"));
            }
        }
        if !(16..=128).contains(&self.nonce_hex_len) || self.nonce_hex_len % 2 != 0 {
            return bad("nonce_hex_len must be an even number from 16 to 128".into());
        }
        if self.max_age == 0 || self.max_age > 7 * 24 * 3600 {
            return bad("max_age must be 1 second to 7 days".into());
        }
        if self.max_future_skew > 3600 {
            return bad("max_future_skew must be at most 3600 seconds".into());
        }
        for c in &self.components {
            if let Component::Header(n) = c {
                if n.is_empty() || names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                    return bad(format!("header component {n:?} must name a non-auth request header"));
                }
            }
        }
        Ok(())
    }

    /// Length of the encoded signature this scheme produces.
    pub fn signature_len(&self) -> usize {
        self.encoding.encoded_len(self.algorithm.tag_len())
    }

    /// The kind's implementation.
    pub(crate) fn plugin(&self) -> &'static dyn SchemeKind {
        self.kind.plugin()
    }

    /// How this scheme's secrets are written (`whsec_` base64 for Standard Webhooks...).
    pub fn secret_format(&self) -> SecretFormat {
        self.plugin().secret_format()
    }

    /// Labelled, secret-free fingerprint entries of what `request` signs under this scheme
    /// (after the `scheme` entry; see [`crate::diagnostics`]).
    pub(crate) fn fingerprint_entries(&self, request: &Request<'_>) -> Vec<(String, String)> {
        self.plugin().fingerprint(self, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_of_preset() {
        let h = Scheme::load("hopnow").unwrap();
        assert_eq!(Scheme::from_json(&h.to_json()).unwrap(), h);
    }

    #[test]
    fn insecure_or_bad_documents_are_refused() {
        let base = Scheme::load("hopnow").unwrap().to_json();
        let v: serde_json::Value = serde_json::from_str(&base).unwrap();
        let with = |k: &str, val: serde_json::Value| {
            let mut v = v.clone();
            v[k] = val;
            Scheme::from_json(&v.to_string()).unwrap_err().status()
        };
        assert_eq!(with("components", serde_json::json!(["method", "url", "body"])), Status::InvalidArgument);
        assert_eq!(with("algorithm", serde_json::json!("md5")), Status::UnsupportedAlgorithm);
        assert_eq!(with("encoding", serde_json::json!("rot13")), Status::InvalidArgument);
        assert_eq!(with("max_age", serde_json::json!(0)), Status::InvalidArgument);
        assert_eq!(with("unknown_field", serde_json::json!(1)), Status::InvalidArgument);
        assert_eq!(Scheme::load("nope").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(Scheme::from_json("{").unwrap_err().status(), Status::InvalidArgument);
    }

    #[test]
    fn registry_lists_every_kind() {
        // Exhaustive: a new variant does not compile until it has a position here, and then
        // fails below until `Kind::ALL` lists it there.
        fn position(k: Kind) -> usize {
            match k {
                Kind::Generic => 0,
                Kind::StandardWebhooks => 1,
                Kind::Stripe => 2,
                Kind::AwsSigV4 => 3,
                // Verified by its own path until it implements SchemeKind (see `plugin`).
                Kind::HttpMessageSignatures => 0,
            }
        }
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(position(k), i, "{k:?}");
            assert_eq!(Kind::from_name(k.name()), Some(k));
            assert_eq!(k.plugin().name(), k.name());
        }
        assert_eq!(Kind::ALL.len(), 1 + Kind::ALL.into_iter().map(position).max().unwrap_or(0));
    }
}
