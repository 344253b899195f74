//! The header-carried kind (HopNow and every JSON scheme document): key id, signature,
//! timestamp and nonce headers, a payload built from the scheme's components.
//!
//! Replay identity: the nonce. The verifier records it per scheme, not per key id: HopNow
//! does not sign the key id, so two key ids holding the same secret would otherwise accept
//! each other's requests once more.

use super::kind::{sealed, Candidates, Claims, Detail, SchemeKind};
use super::{KeyCache, Scheme};
use crate::canonical::{self, component_bytes, fingerprint_value, Component, Parts, Request, SignatureInput, UrlParts};
use crate::error::{Error, Result, Status};
use crate::headers::{check_nonce, decimal, parse_timestamp, Headers, SignedHeaders};
use crate::keyring::{check_key_id, SecretFormat};
use crate::mac::{decode_tag, Key, MAX_ENCODED_TAG_LEN};
use std::borrow::Cow;

/// The header-carried kind.
#[derive(Debug)]
pub(crate) struct Generic;

impl sealed::Sealed for Generic {}

fn header_value<'a>(request: &Request<'a>, name: &str) -> std::result::Result<&'a str, &'static str> {
    if name.is_empty() {
        return Err("(none)");
    }
    match request.headers.map(|h| h.get(name)) {
        Some(Ok(Some(v))) => Ok(v),
        Some(Err(_)) => Err("(repeated)"),
        _ => Err("(missing)"),
    }
}

impl SchemeKind for Generic {
    fn name(&self) -> &'static str {
        "generic"
    }

    fn secret_format(&self) -> SecretFormat {
        SecretFormat::Raw
    }

    fn read_claims<'r>(&self, scheme: &'r Scheme, request: &Request<'r>) -> Result<Claims<'r>> {
        static EMPTY: std::sync::OnceLock<Headers> = std::sync::OnceLock::new();
        let headers: &'r Headers = match request.headers {
            Some(h) => h,
            None => EMPTY.get_or_init(Headers::new),
        };
        let names = &scheme.headers;
        let [key_id, signature, timestamp_text, nonce] =
            headers.require_all([&names.key_id, &names.signature, &names.timestamp, &names.nonce])?;
        check_key_id(key_id).map_err(|e| Error::new(Status::MalformedHeader, format!("{}: {}", names.key_id, e.message())))?;
        let timestamp = parse_timestamp(timestamp_text)?;
        check_nonce(nonce, scheme.nonce_hex_len)?;
        let tag = decode_tag(signature.as_bytes(), scheme.encoding, scheme.algorithm.tag_len()).ok_or_else(|| {
            Error::new(
                Status::MalformedHeader,
                format!(
                    "{} must be {} {} characters for {}, got {} characters",
                    names.signature,
                    scheme.signature_len(),
                    scheme.encoding.name(),
                    scheme.algorithm.name(),
                    signature.len()
                ),
            )
        })?;
        let mut candidates = Candidates::new();
        candidates.push(tag)?;
        Ok(Claims { key_id: Some(key_id), timestamp, timestamp_text, expires: None, nonce, candidates, detail: Detail::None })
    }

    fn signed_parts<'r>(&self, scheme: &'r Scheme, request: &'r Request<'r>, claims: &Claims<'r>, parts: &mut Parts<'r>) -> Result<()> {
        let input = SignatureInput { request, key_id: claims.key_id.unwrap_or(""), timestamp: claims.timestamp_text, nonce: claims.nonce };
        canonical::payload_parts_into(&scheme.components, &scheme.separator, &input, parts)
    }

    fn replay_id<'r>(&self, _request: &Request<'r>, claims: &Claims<'r>, _signed: &[Cow<'r, [u8]>]) -> Cow<'r, str> {
        Cow::Borrowed(claims.nonce)
    }

    fn sign(
        &self,
        scheme: &Scheme,
        key_id: &str,
        key: &Key,
        _cache: &KeyCache,
        request: &Request<'_>,
        timestamp: i64,
        nonce: &str,
        explain: Option<&mut Vec<u8>>,
    ) -> Result<SignedHeaders> {
        check_nonce(nonce, scheme.nonce_hex_len).map_err(|e| Error::invalid(e.message().to_string()))?;
        let mut ts_buf = [0u8; 20];
        let ts = decimal(timestamp.unsigned_abs(), &mut ts_buf);
        let input = SignatureInput { request, key_id, timestamp: ts, nonce };
        let mut parts = Parts::new();
        canonical::payload_parts_into(&scheme.components, &scheme.separator, &input, &mut parts)?;
        let mut sig_buf = [0u8; MAX_ENCODED_TAG_LEN];
        let signature = key.sign_parts(&parts).encode_into(scheme.encoding, &mut sig_buf);
        let h = &scheme.headers;
        let mut headers = SignedHeaders::with_capacity(
            h.key_id.len() + h.signature.len() + h.timestamp.len() + h.nonce.len() + key_id.len() + signature.len() + ts.len() + nonce.len() + 4 * 4,
        );
        headers.push(&h.key_id, key_id)?;
        headers.push(&h.signature, signature)?;
        headers.push(&h.timestamp, ts)?;
        headers.push(&h.nonce, nonce)?;
        if let Some(out) = explain {
            *out = parts.concat();
        }
        Ok(headers)
    }

    fn fingerprint(&self, scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)> {
        let h = &scheme.headers;
        let shown = |r: std::result::Result<&str, &'static str>| r.map(|v| fingerprint_value(v.as_bytes())).unwrap_or_else(|e| e.to_string());
        let mut entries: Vec<(String, String)> = vec![("key_id".into(), shown(header_value(request, &h.key_id)))];
        let key_id = header_value(request, &h.key_id).unwrap_or("");
        let timestamp = header_value(request, &h.timestamp).unwrap_or("");
        let nonce = header_value(request, &h.nonce).unwrap_or("");
        let input = SignatureInput { request, key_id, timestamp, nonce };
        let url = UrlParts::split(request.url);
        for c in &scheme.components {
            let value = match c {
                Component::KeyId => continue,
                Component::Timestamp => shown(header_value(request, &h.timestamp)),
                Component::Nonce => shown(header_value(request, &h.nonce)),
                Component::Body => canonical::body_digest(request.body),
                // The client's hash of its body is the body's fingerprint, compared the same way.
                Component::BodySha256 => canonical::body_digest(request.body),
                other => match component_bytes(other, &url, &input) {
                    Ok(b) => fingerprint_value(&b),
                    Err(_) => "(invalid)".into(),
                },
            };
            let label = if matches!(c, Component::BodySha256) { "body".to_string() } else { c.label() };
            if !entries.iter().any(|(l, _)| *l == label) {
                entries.push((label, value));
            }
        }
        entries
    }
}
