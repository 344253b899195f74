//! Request parts → the exact bytes that get signed.
//!
//! One canonicaliser for every language: the payload a PHP client signs and the payload a C
//! server rebuilds come from this code, so they cannot drift apart.
//!
//! ```
//! use signwire::canonical::{Component, Request, SignatureInput, payload};
//! let req = Request::new("POST", "https://api.example.com/v1/pay?b=2&a=1", b"{}");
//! let input = SignatureInput { request: &req, key_id: "k1", timestamp: "1700000000", nonce: "00112233445566778899aabbccddeeff" };
//! let p = payload(&[Component::Method, Component::Url, Component::Timestamp, Component::Nonce, Component::Body], "", &input).unwrap();
//! assert_eq!(p, b"POSThttps://api.example.com/v1/pay?b=2&a=11700000000 00112233445566778899aabbccddeeff{}".iter().copied().filter(|&b| b != b' ').collect::<Vec<u8>>());
//! ```

use crate::error::{Error, Result, Status};
use crate::headers::{truncate_for_log, Headers};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Longest URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 16 * 1024;
/// Longest method accepted, in bytes.
pub const MAX_METHOD_LEN: usize = 32;
/// Largest body accepted, in bytes.
pub const MAX_BODY_LEN: usize = 64 * 1024 * 1024;

/// One piece of the signed payload, in a scheme's ordered list.
///
/// In JSON, the simple components are strings (`"method"`) and the parameterised ones are
/// one-key objects (`{"header": "Content-Type"}`, `{"literal": "v1"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Component {
    /// The HTTP method, uppercase (`POST`).
    Method,
    /// The URL exactly as sent (`https://host/path?query`), byte for byte.
    Url,
    /// The path alone (`/v1/pay`), as sent; `/` when the URL has none.
    Path,
    /// Path and raw query (`/v1/pay?b=2&a=1`), as sent.
    PathAndQuery,
    /// The query decoded, re-encoded per RFC 3986 and sorted (`a=1&b=2`).
    CanonicalQuery,
    /// The timestamp header's value.
    Timestamp,
    /// The nonce header's value.
    Nonce,
    /// The raw body bytes.
    Body,
    /// Lowercase hex SHA-256 of the body.
    BodySha256,
    /// The key id header's value.
    KeyId,
    /// The value of a named request header (empty when absent).
    Header(String),
    /// A fixed string (a version tag such as `v1`).
    Literal(String),
}

impl Component {
    /// Short label for explain output and diagnostics.
    pub fn label(&self) -> String {
        match self {
            Component::Method => "method".into(),
            Component::Url => "url".into(),
            Component::Path => "path".into(),
            Component::PathAndQuery => "path_and_query".into(),
            Component::CanonicalQuery => "canonical_query".into(),
            Component::Timestamp => "timestamp".into(),
            Component::Nonce => "nonce".into(),
            Component::Body => "body".into(),
            Component::BodySha256 => "body_sha256".into(),
            Component::KeyId => "key_id".into(),
            Component::Header(h) => format!("header:{h}"),
            Component::Literal(_) => "literal".into(),
        }
    }
}

/// The parts of an HTTP request that a scheme may sign.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Uppercase method.
    pub method: &'a str,
    /// The URL as sent (absolute, or origin-form `/path?query`).
    pub url: &'a str,
    /// The raw body bytes, exactly as transmitted.
    pub body: &'a [u8],
    /// Request headers (for `header` components; for verification also the auth headers).
    pub headers: Option<&'a Headers>,
    /// The peer address as the server sees it (for IP allowlists).
    pub remote_addr: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A request with no extra headers and no remote address.
    pub fn new(method: &'a str, url: &'a str, body: &'a [u8]) -> Request<'a> {
        Request { method, url, body, headers: None, remote_addr: None }
    }

    /// The same request with headers.
    pub fn with_headers(mut self, headers: &'a Headers) -> Request<'a> {
        self.headers = Some(headers);
        self
    }

    /// The same request with the peer address.
    pub fn with_remote_addr(mut self, addr: Option<&'a str>) -> Request<'a> {
        self.remote_addr = addr;
        self
    }

    /// Check method, URL and body before any work.
    pub fn validate(&self) -> Result<()> {
        check_method(self.method)?;
        check_url(self.url)?;
        if self.body.len() > MAX_BODY_LEN {
            return Err(Error::new(
                Status::InputTooLarge,
                format!("body is {} bytes, the limit is {MAX_BODY_LEN}", self.body.len()),
            ));
        }
        Ok(())
    }
}

/// A method must be a non-empty uppercase token: `post` is refused, not fixed, so that a
/// client that signs `post` learns it here instead of from a server's "Invalid signature".
pub fn check_method(method: &str) -> Result<()> {
    if method.is_empty() {
        return Err(Error::invalid("method is empty"));
    }
    if method.len() > MAX_METHOD_LEN {
        return Err(Error::new(Status::InputTooLarge, format!("method is longer than {MAX_METHOD_LEN} bytes")));
    }
    if !method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-' || b == b'_') {
        return Err(Error::invalid(format!(
            "method {:?} must be uppercase ASCII letters (e.g. POST)",
            truncate_for_log(method)
        )));
    }
    Ok(())
}

/// A URL must be non-empty, within [`MAX_URL_LEN`], and free of spaces and control bytes
/// (which cannot appear in an HTTP request line).
pub fn check_url(url: &str) -> Result<()> {
    if url.is_empty() {
        return Err(Error::invalid("URL is empty"));
    }
    if url.len() > MAX_URL_LEN {
        return Err(Error::new(Status::InputTooLarge, format!("URL is {} bytes, the limit is {MAX_URL_LEN}", url.len())));
    }
    // A fold without early exit compiles to vector code; URLs are checked per request.
    if url.bytes().fold(false, |bad, b| bad | (b <= 0x20) | (b == 0x7f)) {
        return Err(Error::invalid("URL contains spaces or control characters; percent-encode them"));
    }
    Ok(())
}

/// A URL split into the pieces components refer to. Nothing is decoded or normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `https`, or empty for origin-form URLs.
    pub scheme: &'a str,
    /// `host[:port]`, or empty.
    pub authority: &'a str,
    /// The path, possibly empty.
    pub path: &'a str,
    /// The raw query after `?`, if any.
    pub query: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Split `scheme://authority/path?query#fragment` or `/path?query`. The fragment is
    /// dropped (clients never send it).
    pub fn split(url: &'a str) -> UrlParts<'a> {
        let url = url.split_once('#').map_or(url, |(u, _)| u);
        let (scheme, rest) = match url.find("://") {
            Some(i) if url[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) && i > 0 => {
                (&url[..i], &url[i + 3..])
            }
            _ => ("", url),
        };
        let (authority, path_query) = if scheme.is_empty() {
            ("", rest)
        } else {
            match rest.find(['/', '?']) {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            }
        };
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_query, None),
        };
        UrlParts { scheme, authority, path, query }
    }

    /// The path, `/` when empty.
    pub fn path_or_root(&self) -> &'a str {
        if self.path.is_empty() {
            "/"
        } else {
            self.path
        }
    }

    /// `path?query` as sent (`/` when the path is empty).
    pub fn path_and_query(&self) -> String {
        match self.query {
            Some(q) => format!("{}?{}", self.path_or_root(), q),
            None => self.path_or_root().to_string(),
        }
    }
}

fn percent_decode(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).ok_or_else(|| Error::invalid("query has a truncated percent-escape"))?;
            let mut byte = [0u8; 1];
            hex::decode_to_slice(hex, &mut byte).map_err(|_| Error::invalid("query has an invalid percent-escape"))?;
            out.push(byte[0]);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// RFC 3986 encoding: unreserved characters stay, every other byte becomes `%XX` (uppercase).
pub fn rfc3986_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push('%');
            s.push_str(&format!("{b:02X}"));
        }
    }
    s
}

/// The canonical query: what PHP's `parse_str`/`$_GET` and Python's `parse_qsl` (and so Flask,
/// Django, FastAPI, Laravel) read, re-encoded so that two queries an application reads
/// differently never share a canonical form:
///
/// - each `name=value` pair is split on `&`, `+` decoded as a space and `%XX` as its byte (form
///   decoding, as both parsers do: signing `+` as a literal let `to=alice%2Bbob` be signed and
///   `to=alice+bob`, read as `alice bob`, accepted), then re-encoded per RFC 3986;
/// - pairs are sorted by name only, stably: values of a repeated name keep the order sent,
///   because PHP keeps the last and Python frameworks the first (`to=attacker&to=alice` and
///   `to=alice&to=attacker` differ);
/// - a literal `;` is refused (`INVALID_ARGUMENT`; send `%3B`): PHP and Python read it as part
///   of a value, other parsers (Rack, older Python, some Java servers) as a pair separator;
/// - a pair without `=` gets an empty value, as both parsers read it.
///
/// ```
/// use signwire::canonical::canonical_query;
/// assert_eq!(canonical_query("b=2&a=1&a=0&c=%7e+x%2B").unwrap(), "a=1&a=0&b=2&c=~%20x%2B");
/// assert!(canonical_query("a=1;b=2").is_err());
/// ```
pub fn canonical_query(query: &str) -> Result<String> {
    if query.contains(';') {
        return Err(Error::invalid("the query has a literal ';', which parsers split differently; send it as %3B"));
    }
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((rfc3986_encode(&form_decode(k)?), rfc3986_encode(&form_decode(v)?)));
    }
    // Stable: a repeated name's values stay in the order sent.
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    Ok(out)
}

/// `application/x-www-form-urlencoded` decoding of one name or value: `+` is a space.
fn form_decode(s: &str) -> Result<Vec<u8>> {
    if s.contains('+') {
        percent_decode(&s.replace('+', "%20"))
    } else {
        percent_decode(s)
    }
}

/// Everything a payload can be built from.
#[derive(Clone, Copy, Debug)]
pub struct SignatureInput<'a> {
    /// The request.
    pub request: &'a Request<'a>,
    /// The key id as sent.
    pub key_id: &'a str,
    /// The timestamp as sent (decimal seconds).
    pub timestamp: &'a str,
    /// The nonce as sent.
    pub nonce: &'a str,
}

/// The payload as a list of byte pieces: `components` in order, `separator` between them.
/// Borrowed where possible, so signing a large body never copies it.
pub fn payload_parts<'a>(components: &[Component], separator: &'a str, input: &SignatureInput<'a>) -> Result<Parts<'a>> {
    let mut parts = Parts::new();
    payload_parts_into(components, separator, input, &mut parts)?;
    Ok(parts)
}

/// [`payload_parts`] appended to `parts`, which the caller keeps on its stack: `Parts` is a
/// few hundred bytes, and returning it by value copied it more than once per request.
pub fn payload_parts_into<'a>(components: &[Component], separator: &'a str, input: &SignatureInput<'a>, parts: &mut Parts<'a>) -> Result<()> {
    // Splitting the URL costs as much as the rest of a small payload: only when used.
    let needs_url = components.iter().any(|c| matches!(c, Component::Path | Component::PathAndQuery | Component::CanonicalQuery));
    let url = if needs_url {
        UrlParts::split(input.request.url)
    } else {
        UrlParts { scheme: "", authority: "", path: "", query: None }
    };
    for (i, c) in components.iter().enumerate() {
        if i > 0 && !separator.is_empty() {
            parts.push(Cow::Borrowed(separator.as_bytes()));
        }
        parts.push(component_bytes(c, &url, input)?);
    }
    Ok(())
}

/// The pieces of a payload, in order; on the stack for up to 12 pieces (a scheme of six
/// components with separators), which every preset fits: a verifier builds one per
/// request, and a heap allocation cost as much as the checks around it.
///
/// ```
/// use signwire::canonical::Parts;
/// use std::borrow::Cow;
/// let mut parts = Parts::new();
/// for p in ["POST", "/pay", "1700000000"] {
///     parts.push(Cow::Borrowed(p.as_bytes()));
/// }
/// assert_eq!(parts.concat(), b"POST/pay1700000000");
/// ```
pub struct Parts<'a> {
    len: usize,
    inline: [Cow<'a, [u8]>; PARTS_INLINE],
    // Everything, once there are more than PARTS_INLINE pieces.
    spill: Vec<Cow<'a, [u8]>>,
}

const PARTS_INLINE: usize = 12;

impl<'a> Parts<'a> {
    /// No pieces.
    pub fn new() -> Parts<'a> {
        Parts { len: 0, inline: [const { Cow::Borrowed(&[] as &[u8]) }; PARTS_INLINE], spill: Vec::new() }
    }

    /// Append a piece.
    pub fn push(&mut self, part: Cow<'a, [u8]>) {
        if self.spill.is_empty() && self.len < PARTS_INLINE {
            self.inline[self.len] = part;
        } else {
            if self.spill.is_empty() {
                self.spill.extend(self.inline.iter_mut().map(std::mem::take));
            }
            self.spill.push(part);
        }
        self.len += 1;
    }
}

impl Default for Parts<'_> {
    fn default() -> Self {
        Parts::new()
    }
}

impl<'a> std::ops::Deref for Parts<'a> {
    type Target = [Cow<'a, [u8]>];
    fn deref(&self) -> &Self::Target {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

impl std::fmt::Debug for Parts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The bytes of one component.
pub fn component_bytes<'a>(c: &Component, url: &UrlParts<'a>, input: &SignatureInput<'a>) -> Result<Cow<'a, [u8]>> {
    Ok(match c {
        Component::Method => Cow::Borrowed(input.request.method.as_bytes()),
        Component::Url => Cow::Borrowed(input.request.url.as_bytes()),
        Component::Path => Cow::Borrowed(url.path_or_root().as_bytes()),
        Component::PathAndQuery => Cow::Owned(url.path_and_query().into_bytes()),
        Component::CanonicalQuery => Cow::Owned(canonical_query(url.query.unwrap_or(""))?.into_bytes()),
        Component::Timestamp => Cow::Borrowed(input.timestamp.as_bytes()),
        Component::Nonce => Cow::Borrowed(input.nonce.as_bytes()),
        Component::Body => Cow::Borrowed(input.request.body),
        Component::BodySha256 => Cow::Owned(crate::mac::sha256_hex(input.request.body).into_bytes()),
        Component::KeyId => Cow::Borrowed(input.key_id.as_bytes()),
        Component::Header(name) => match input.request.headers {
            Some(h) => Cow::Borrowed(h.get(name)?.unwrap_or("").as_bytes()),
            None => Cow::Borrowed(&[]),
        },
        Component::Literal(s) => Cow::Owned(s.clone().into_bytes()),
    })
}

/// The payload as one byte string.
pub fn payload(components: &[Component], separator: &str, input: &SignatureInput<'_>) -> Result<Vec<u8>> {
    Ok(payload_parts(components, separator, input)?.concat())
}

/// Hex characters of the body's SHA-256 shown in fingerprints: 64 bits tell bodies apart
/// without making a log a dictionary-attack oracle for short bodies any more than the length
/// already is.
const BODY_HASH_PREFIX: usize = 16;

/// Longest clear value kept in a fingerprint; longer ones are shown as length + hash.
const MAX_CLEAR_VALUE: usize = 2048;

/// Length and SHA-256 prefix of bytes that must not be logged in clear (fingerprints).
///
/// ```
/// assert_eq!(signwire::canonical::body_digest(b"{}"), "len:2,sha256:44136fa355b3678a");
/// ```
pub fn body_digest(body: &[u8]) -> String {
    let h = crate::mac::sha256_hex(body);
    format!("len:{},sha256:{}", body.len(), &h[..BODY_HASH_PREFIX])
}

/// One fingerprint value, escaped so it holds no space or control byte; over-long values
/// are digested, empty ones shown as `(empty)`.
pub(crate) fn fingerprint_value(bytes: &[u8]) -> String {
    if bytes.len() > MAX_CLEAR_VALUE {
        return body_digest(bytes);
    }
    if bytes.is_empty() {
        return "(empty)".into();
    }
    escape_for_display(bytes).replace(' ', "\\x20")
}

/// Payload bytes escaped so that every invisible byte shows: printable ASCII stays, `\` is
/// doubled, `\n`, `\r`, `\t` are named, everything else is `\xNN`. For `explain` output.
pub fn escape_for_display(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

#[cfg(test)]
mod tests {

    #[test]
    fn parts_spill_to_the_heap_in_order() {
        let words: Vec<String> = (0..30).map(|i| format!("p{i};")).collect();
        for n in [0, 1, super::PARTS_INLINE - 1, super::PARTS_INLINE, super::PARTS_INLINE + 1, 30] {
            let mut parts = super::Parts::new();
            for w in &words[..n] {
                parts.push(std::borrow::Cow::Borrowed(w.as_bytes()));
            }
            assert_eq!(parts.len(), n);
            assert_eq!(parts.concat(), words[..n].concat().into_bytes(), "{n} parts");
        }
    }
    use super::*;

    #[test]
    fn split_urls() {
        let u = UrlParts::split("https://api.example.com:8443/v1/pay?b=2&a=1#frag");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.authority, "api.example.com:8443");
        assert_eq!(u.path, "/v1/pay");
        assert_eq!(u.query, Some("b=2&a=1"));
        let u = UrlParts::split("https://h?x=1");
        assert_eq!((u.authority, u.path, u.query), ("h", "", Some("x=1")));
        assert_eq!(u.path_and_query(), "/?x=1");
        let u = UrlParts::split("/p?q");
        assert_eq!((u.scheme, u.authority, u.path, u.query), ("", "", "/p", Some("q")));
    }

    #[test]
    fn canonical_queries() {
        assert_eq!(canonical_query("").unwrap(), "");
        assert_eq!(canonical_query("z&y=").unwrap(), "y=&z=");
        assert_eq!(canonical_query("k=%E2%82%AC&j=a%20b").unwrap(), "j=a%20b&k=%E2%82%AC");
        assert_eq!(canonical_query("a=%zz").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(canonical_query("a=%4").unwrap_err().status(), Status::InvalidArgument);
    }

    #[test]
    fn methods_and_urls() {
        assert!(check_method("POST").is_ok());
        assert_eq!(check_method("post").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(check_method("").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(check_url("").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(check_url("https://h/a b").unwrap_err().status(), Status::InvalidArgument);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_for_display(b"a\\b\n\x00\xc3\xa9"), "a\\\\b\\n\\x00\\xc3\\xa9");
    }
}
