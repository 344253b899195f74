//! AWS Signature Version 4 for HTTP requests (`Authorization: AWS4-HMAC-SHA256 ...`).
//!
//! Unlike the component schemes, SigV4 signs a *canonical request* (method, canonical URI,
//! canonical query, canonical headers, signed header list, payload hash), then a *string to
//! sign* over its SHA-256, with a key derived per day, region and service from the secret
//! access key. That construction is code, here; the scheme value only carries the options
//! (region, service, path encoding, payload mode). The rules follow AWS's documentation and
//! botocore's `SigV4Auth` / `S3SigV4Auth`, which the tests compare against.
//!
//! Not supported: presigned URLs (query-string auth), chunked streaming payload signing
//! (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), SigV4A (ECDSA), the `Date` header in place of
//! `X-Amz-Date`.
//!
//! ```
//! use signwire::{Headers, Request, Scheme, Signer, Verifier};
//! // AWS's published test suite, "get-vanilla".
//! let scheme = Scheme::load("aws-sigv4:us-east-1:service")?;
//! let signer = Signer::new(scheme.clone(), "AKIDEXAMPLE", b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
//! let req = Request::new("GET", "https://example.amazonaws.com/", b"");
//! let sent = signer.sign_at(&req, 1440938160, "")?; // 20150830T123600Z
//! assert_eq!(sent.get("Authorization"), Some("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!     SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
//!
//! let verifier = Verifier::new(scheme);
//! verifier.keyring().add_secret("AKIDEXAMPLE", b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
//! let h = Headers::parse(&sent.to_block())?;
//! assert_eq!(verifier.verify_at(&req.with_headers(&h), 1440938170)?.key_id, "AKIDEXAMPLE");
//! # Ok::<(), signwire::Error>(())
//! ```

use super::kind::{sealed, Candidates, Claims, Detail, SchemeKind};
use super::{HeaderNames, Kind, Scheme};
use crate::canonical::{fingerprint_value, rfc3986_encode, Parts, Request, UrlParts};
use crate::error::{Error, Result, Status};
use crate::headers::{truncate_for_log, Headers, SignedHeaders};
use crate::keyring::{check_key_id, SecretFormat};
use crate::mac::{sha256_hex, Algorithm, Encoding, Key, Tag};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Mutex;

/// The algorithm name in the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The payload hash placeholder for bodies that are not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// AWS's window: requests more than 15 minutes from the server's clock are refused.
pub const WINDOW_SECONDS: u64 = 15 * 60;
/// Most signed headers accepted in one `Authorization` header.
pub const MAX_SIGNED_HEADERS: usize = 64;
/// Headers botocore never signs (its `SIGNED_HEADERS_BLACKLIST`): hop-by-hop headers that
/// proxies add, drop or rewrite, and tracing headers that tracing libraries change on the
/// way. Signing one of them breaks the signature as soon as a proxy or tracer touches it.
const UNSIGNED_HEADERS: &[&str] = &[
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// How the path becomes the canonical URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UriEncoding {
    /// Every service but S3: dot segments and empty segments removed, then the path as sent
    /// is percent-encoded again (`%2B` is signed as `%252B`, `~` stays).
    Double,
    /// S3: the path is signed as sent (already encoded once), not normalised.
    Single,
}

/// The SigV4 options of a scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The region in the credential scope (`us-east-1`).
    pub region: String,
    /// The service in the credential scope (`s3`, `execute-api`, `sqs`).
    pub service: String,
    /// Canonical URI rules (default: `single` for `s3`, `double` otherwise).
    pub uri_encoding: UriEncoding,
    /// Sign `UNSIGNED-PAYLOAD` instead of the body hash (sender), accept it (receiver).
    /// Off by default: with it the body is not authenticated.
    pub unsigned_payload: bool,
    /// Send and require `X-Amz-Content-SHA256` (default: on for `s3`).
    pub content_sha256_header: bool,
}

impl Options {
    /// Options with the service's defaults.
    pub fn new(region: &str, service: &str) -> Options {
        let s3 = service == "s3";
        Options {
            region: region.to_string(),
            service: service.to_string(),
            uri_encoding: if s3 { UriEncoding::Single } else { UriEncoding::Double },
            unsigned_payload: false,
            content_sha256_header: s3,
        }
    }

    fn validate(&self) -> Result<()> {
        for (what, v) in [("region", &self.region), ("service", &self.service)] {
            if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.') {
                return Err(Error::invalid(format!(
                    "aws-sigv4 {what} {:?} must be 1 to 64 lowercase letters, digits, '-', '_' or '.'",
                    truncate_for_log(v)
                )));
            }
        }
        Ok(())
    }
}

/// The scheme for one region and service, with AWS's 15-minute window both ways.
pub fn scheme(options: Options) -> Result<Scheme> {
    options.validate()?;
    Ok(Scheme {
        kind: Kind::AwsSigV4,
        name: "aws-sigv4".into(),
        algorithm: Algorithm::Sha256,
        encoding: Encoding::Hex,
        components: Vec::new(),
        separator: String::new(),
        headers: HeaderNames {
            key_id: String::new(),
            signature: "Authorization".into(),
            timestamp: "X-Amz-Date".into(),
            nonce: String::new(),
        },
        max_age: WINDOW_SECONDS,
        max_future_skew: WINDOW_SECONDS,
        nonce_hex_len: 32,
        aws: Some(options),
        http: None,
    })
}

/// `aws-sigv4:REGION:SERVICE`, the short form of a scheme document.
pub(super) fn from_short_name(name: &str) -> Option<Result<Scheme>> {
    let rest = name.strip_prefix("aws-sigv4")?;
    if rest.is_empty() {
        return Some(Err(Error::invalid(
            "aws-sigv4 needs a region and a service: \"aws-sigv4:REGION:SERVICE\" or {\"kind\": \"aws-sigv4\", \"region\": ..., \"service\": ...}",
        )));
    }
    let mut parts = rest.strip_prefix(':')?.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(region), Some(service), None) => Some(scheme(Options::new(region, service))),
        _ => Some(Err(Error::invalid("aws-sigv4 short form is \"aws-sigv4:REGION:SERVICE\""))),
    }
}

// ---- time ------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Howard Hinnant's algorithm (proleptic Gregorian calendar).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// `YYYYMMDDTHHMMSSZ` for unix seconds.
pub fn amz_date(unix: i64) -> Result<String> {
    let (days, secs) = (unix.div_euclid(86400), unix.rem_euclid(86400));
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return Err(Error::invalid("timestamp is outside years 0 to 9999"));
    }
    Ok(format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60))
}

/// Unix seconds of a strict `YYYYMMDDTHHMMSSZ`.
pub fn parse_amz_date(s: &str) -> Result<i64> {
    let bad = || Error::new(Status::MalformedHeader, format!("X-Amz-Date {:?} is not YYYYMMDDTHHMMSSZ", truncate_for_log(s)));
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| bad());
    let (y, mo, d, h, mi, se) = (n(0..4)?, n(4..6)?, n(6..8)?, n(9..11)?, n(11..13)?, n(13..15)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d == 0 || d > month_days[mo as usize - 1] || h > 23 || mi > 59 || se > 59 {
        return Err(bad());
    }
    Ok(days_from_civil(y as i64, mo, d) * 86400 + (h * 3600 + mi * 60 + se) as i64)
}

// ---- canonical request -----------------------------------------------------------------

/// RFC 3986 section 5.2.4 plus AWS's removal of empty segments, as botocore does it.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let first = if path.starts_with('/') { "/" } else { "" };
    let last = if path.ends_with('/') && !out.is_empty() { "/" } else { "" };
    format!("{first}{}{last}", out.join("/"))
}

/// The canonical URI of a path as sent.
///
/// ```
/// use signwire::scheme::sigv4::{canonical_uri, UriEncoding};
/// assert_eq!(canonical_uri("/a/./b//c/../%2B~=", UriEncoding::Double), "/a/b/%252B~%3D");
/// assert_eq!(canonical_uri("/a/%2B~", UriEncoding::Single), "/a/%2B~");
/// assert_eq!(canonical_uri("", UriEncoding::Single), "/");
/// ```
pub fn canonical_uri(path: &str, encoding: UriEncoding) -> String {
    match encoding {
        UriEncoding::Single if path.is_empty() => "/".into(),
        UriEncoding::Single => path.to_string(),
        UriEncoding::Double => {
            let normalised = remove_dot_segments(path);
            let mut out = String::with_capacity(normalised.len() * 2);
            for seg in normalised.split('/').enumerate() {
                if seg.0 > 0 {
                    out.push('/');
                }
                out.push_str(&rfc3986_encode(seg.1.as_bytes()));
            }
            out
        }
    }
}

fn decode_query_part(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3).ok_or_else(|| Error::invalid("query has a truncated percent-escape"))?;
                let mut byte = [0u8; 1];
                hex::decode_to_slice(hex, &mut byte).map_err(|_| Error::invalid("query has an invalid percent-escape"))?;
                out.push(byte[0]);
                i += 3;
                continue;
            }
            // Form encoding, which is how SDKs send a space in a query (and sign it as %20).
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// The canonical query: pairs decoded (`+` is a space, as form encoding and AWS read it),
/// re-encoded per RFC 3986 (`%20`, `%2B`, `%3D`), sorted by encoded name then value.
///
/// ```
/// use signwire::scheme::sigv4::canonical_query;
/// assert_eq!(canonical_query("b=2&a=x%3Dy&a=1+2&c").unwrap(), "a=1%202&a=x%3Dy&b=2&c=");
/// ```
pub fn canonical_query(query: &str) -> Result<String> {
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((rfc3986_encode(&decode_query_part(k)?), rfc3986_encode(&decode_query_part(v)?)));
    }
    pairs.sort();
    Ok(pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

/// `host[:port]` of a URL as botocore derives it: lowercase, no userinfo, default port dropped.
fn host_from_url(url: &UrlParts<'_>) -> Option<String> {
    let authority = url.authority.rsplit_once('@').map_or(url.authority, |(_, h)| h).to_ascii_lowercase();
    if authority.is_empty() {
        return None;
    }
    let default = match url.scheme.to_ascii_lowercase().as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    Some(match authority.strip_suffix(default) {
        Some(h) if !default.is_empty() && !h.ends_with(']') && h.contains(':') => authority.clone(),
        Some(h) if !default.is_empty() => h.to_string(),
        _ => authority,
    })
}

/// Trimall: surrounding whitespace removed, inner runs collapsed to one space.
fn trimall(v: &str) -> String {
    v.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// The parts of a canonical request and what is signed over it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical request text.
    pub request: String,
    /// `host;x-amz-date;...`.
    pub signed_headers: String,
    /// The payload hash line (hex SHA-256 or `UNSIGNED-PAYLOAD`).
    pub payload_hash: String,
}

/// Build the canonical request from (lowercase name, trimmed values) pairs, sorted by name.
fn canonical_request(method: &str, url: &UrlParts<'_>, opts: &Options, headers: &[(String, String)], payload_hash: &str) -> Result<Canonical> {
    let mut request = String::with_capacity(256);
    request.push_str(method);
    request.push('\n');
    request.push_str(&canonical_uri(url.path, opts.uri_encoding));
    request.push('\n');
    request.push_str(&canonical_query(url.query.unwrap_or(""))?);
    request.push('\n');
    for (n, v) in headers {
        request.push_str(n);
        request.push(':');
        request.push_str(v);
        request.push('\n');
    }
    request.push('\n');
    let signed_headers = headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";");
    request.push_str(&signed_headers);
    request.push('\n');
    request.push_str(payload_hash);
    Ok(Canonical { request, signed_headers, payload_hash: payload_hash.to_string() })
}

/// Group (lowercase name, value) pairs by name, sorted, repeated values joined with `,`.
fn group(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0)); // stable: repeated headers keep their order
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, v) in pairs {
        match out.last_mut() {
            Some((last, joined)) if *last == n => {
                joined.push(',');
                joined.push_str(&v);
            }
            _ => out.push((n, v)),
        }
    }
    out
}

fn scope(date: &str, opts: &Options) -> String {
    format!("{date}/{}/{}/aws4_request", opts.region, opts.service)
}

fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

// ---- signing key -----------------------------------------------------------------------

/// kDate → kRegion → kService → kSigning from kSecret (the HMAC state keyed with
/// `AWS4` + secret). The intermediate keys are wiped.
fn derive(k_secret: &Key, date: &str, opts: &Options) -> Key {
    let mut k = k_secret.sign(date.as_bytes());
    for part in [opts.region.as_bytes(), opts.service.as_bytes(), b"aws4_request"] {
        let next = Key::new_unchecked_length(Algorithm::Sha256, k.as_bytes()).sign(part);
        k.wipe();
        k = next;
    }
    let signing = Key::new_unchecked_length(Algorithm::Sha256, k.as_bytes());
    k.wipe();
    signing
}

/// Most derived keys kept (a key per secret per day; a verifier with many access keys
/// derives again past this, which costs four HMACs).
const CACHE_ENTRIES: usize = 256;

/// Derived signing keys by (secret id, day): the derivation is four HMACs and a key setup,
/// the same all day. Entries are wiped when evicted or dropped (`Key` wipes its state).
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<Vec<(u64, [u8; 8], Key)>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyCache(<keys>)")
    }
}

impl KeyCache {
    /// The signing key of `k_secret` for the day of `date` (`YYYYMMDD...`).
    fn get(&self, secret_id: u64, k_secret: &Key, date: &str, opts: &Options) -> Key {
        let mut day = [0u8; 8];
        day.copy_from_slice(&date.as_bytes()[..8]);
        // A poisoned lock only means another thread panicked mid-push; the list is still valid.
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, key)) = entries.iter().find(|(id, d, _)| *id == secret_id && *d == day) {
            return key.clone();
        }
        let key = derive(k_secret, &date[..8], opts);
        // Yesterday's keys for this secret are done with (clocks only move forward, and the
        // window is 15 minutes); past the cap, the oldest entry goes.
        entries.retain(|(id, d, _)| *id != secret_id || *d > day);
        if entries.len() >= CACHE_ENTRIES {
            entries.remove(0);
        }
        entries.push((secret_id, day, key.clone()));
        key
    }
}

// ---- sign --------------------------------------------------------------------------------

/// Sign as the client: `X-Amz-Date`, `X-Amz-Content-SHA256` (when the options ask) and
/// `Authorization`. Every header given with the request is signed except the ones botocore
/// leaves out (`User-Agent`, `Expect`, `Transfer-Encoding`, `X-Amzn-Trace-Id`) and the ones
/// this function writes; `Host` comes from the URL unless given. A session token is signed
/// by passing it as the `X-Amz-Security-Token` request header.
/// With `explain`, also the canonical request, a blank line and the string to sign.
fn sign(
    scheme: &Scheme,
    access_key_id: &str,
    key: &Key,
    cache: &KeyCache,
    request: &Request<'_>,
    timestamp: i64,
    explain: Option<&mut Vec<u8>>,
) -> Result<SignedHeaders> {
    let opts = options(scheme)?;
    check_key_id(access_key_id)?;
    if access_key_id.contains('/') {
        return Err(Error::invalid("an AWS access key id cannot contain '/'"));
    }
    let date_time = amz_date(timestamp)?;
    let url = UrlParts::split(request.url);
    let payload_hash = if opts.unsigned_payload { UNSIGNED_PAYLOAD.to_string() } else { sha256_hex(request.body) };
    let mut pairs = Vec::new();
    let mut has_host = false;
    if let Some(h) = request.headers {
        for (n, v) in h.iter() {
            let n = n.to_ascii_lowercase();
            if UNSIGNED_HEADERS.contains(&n.as_str()) || matches!(n.as_str(), "authorization" | "x-amz-date" | "x-amz-content-sha256") {
                continue;
            }
            has_host |= n == "host";
            pairs.push((n, trimall(v)));
        }
    }
    if !has_host {
        let host = host_from_url(&url).ok_or_else(|| Error::invalid("aws-sigv4 needs an absolute URL or a Host header"))?;
        pairs.push(("host".into(), host));
    }
    pairs.push(("x-amz-date".into(), date_time.clone()));
    let send_hash = opts.content_sha256_header || opts.unsigned_payload;
    if send_hash {
        pairs.push(("x-amz-content-sha256".into(), payload_hash.clone()));
    }
    let headers = group(pairs);
    if headers.len() > MAX_SIGNED_HEADERS {
        return Err(Error::invalid(format!("more than {MAX_SIGNED_HEADERS} headers to sign")));
    }
    let canonical = canonical_request(request.method, &url, opts, &headers, &payload_hash)?;
    let scope = scope(&date_time[..8], opts);
    let sts = string_to_sign(&date_time, &scope, &canonical.request);
    let signature = hex::encode(cache.get(0, key, &date_time, opts).sign(sts.as_bytes()).as_bytes());
    let authorization = format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={signature}",
        canonical.signed_headers
    );
    let mut out: Vec<(&str, &str)> = vec![("X-Amz-Date", &date_time)];
    if send_hash {
        out.push(("X-Amz-Content-SHA256", &payload_hash));
    }
    out.push(("Authorization", &authorization));
    if let Some(e) = explain {
        *e = format!("{}\n\n{sts}", canonical.request).into_bytes();
    }
    SignedHeaders::from_entries(&out)
}

fn options(scheme: &Scheme) -> Result<&Options> {
    scheme.aws.as_ref().ok_or_else(|| Error::new(Status::Internal, "aws-sigv4 scheme without options"))
}

// ---- verify ------------------------------------------------------------------------------

/// A parsed `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// `YYYYMMDD` of the credential scope.
    pub date: &'a str,
    /// Region of the credential scope.
    pub region: &'a str,
    /// Service of the credential scope.
    pub service: &'a str,
    /// Signed header names, lowercase, sorted.
    pub signed_headers: Vec<&'a str>,
    /// The 32 signature bytes.
    pub signature: [u8; 32],
}

fn malformed(m: impl Into<String>) -> Error {
    Error::new(Status::MalformedHeader, m)
}

/// Parse `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
/// SignedHeaders=a;b, Signature=<64 hex>` strictly: each field once, nothing else.
pub fn parse_authorization(header: &str) -> Result<Authorization<'_>> {
    let rest = header
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| malformed(format!("Authorization must start with \"{ALGORITHM} \" (SigV4A and other schemes are not accepted)")))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for item in rest.split(',') {
        let item = item.trim_matches(' ');
        let (k, v) = item.split_once('=').ok_or_else(|| malformed(format!("Authorization field {:?} is not Name=value", truncate_for_log(item))))?;
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed(format!("Authorization has an unknown field {:?}", truncate_for_log(k)))),
        };
        if slot.replace(v).is_some() {
            return Err(malformed(format!("Authorization has {k} twice")));
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(malformed("Authorization must have Credential, SignedHeaders and Signature"));
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts[..] else {
        return Err(malformed("Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request"));
    };
    check_key_id(access_key_id).map_err(|e| malformed(format!("Credential access key id: {}", e.message())))?;
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) || region.is_empty() || service.is_empty() || terminator != "aws4_request" {
        return Err(malformed("Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request"));
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    if signed_headers.len() > MAX_SIGNED_HEADERS {
        return Err(malformed(format!("SignedHeaders lists more than {MAX_SIGNED_HEADERS} headers")));
    }
    for (i, h) in signed_headers.iter().enumerate() {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)) {
            return Err(malformed(format!("SignedHeaders entry {:?} is not a lowercase header name", truncate_for_log(h))));
        }
        if i > 0 && signed_headers[i - 1] >= *h {
            return Err(malformed("SignedHeaders must be sorted, without repeats"));
        }
    }
    for required in ["host", "x-amz-date"] {
        if !signed_headers.contains(&required) {
            return Err(malformed(format!("SignedHeaders must include {required}")));
        }
    }
    let mut sig = [0u8; 32];
    if signature.len() != 64 || signature.bytes().any(|b| b.is_ascii_uppercase()) || hex::decode_to_slice(signature, &mut sig).is_err() {
        return Err(malformed("Signature must be 64 lowercase hex characters"));
    }
    Ok(Authorization { access_key_id, date, region, service, signed_headers, signature: sig })
}

/// The headers a received request signed, grouped as the client grouped them.
fn received_headers(request: &Request<'_>, url: &UrlParts<'_>, signed: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(signed.len());
    for &name in signed {
        let values: Vec<String> =
            request.headers.map(|h| h.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| trimall(v)).collect()).unwrap_or_default();
        if values.is_empty() {
            if name == "host" {
                if let Some(host) = host_from_url(url) {
                    out.push((name.to_string(), host));
                    continue;
                }
            }
            return Err(Error::new(Status::MissingHeader, format!("signed header {name} is missing from the request")));
        }
        out.push((name.to_string(), values.join(",")));
    }
    Ok(out)
}

/// `X-Amz-Content-SHA256` as claimed, checked for syntax only (no body hashing): present
/// when the options require it, signed when present, a hash or `UNSIGNED-PAYLOAD` where
/// allowed.
fn claimed_payload_hash<'r>(request: &Request<'r>, opts: &Options, signed: &[&str]) -> Result<Option<&'r str>> {
    let header = match request.headers {
        Some(h) => h.get("x-amz-content-sha256")?,
        None => None,
    };
    let Some(value) = header else {
        if opts.content_sha256_header {
            return Err(Error::new(Status::MissingHeader, "required header X-Amz-Content-SHA256 is missing"));
        }
        return Ok(None);
    };
    if !signed.contains(&"x-amz-content-sha256") {
        return Err(malformed("X-Amz-Content-SHA256 is present but not in SignedHeaders"));
    }
    if value == UNSIGNED_PAYLOAD {
        if !opts.unsigned_payload {
            return Err(Error::new(Status::BadSignature, "UNSIGNED-PAYLOAD is not accepted (the scheme's unsigned_payload is false)"));
        }
        return Ok(Some(value));
    }
    if value.starts_with("STREAMING-") {
        return Err(malformed("chunked streaming payload signing is not supported"));
    }
    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(malformed("X-Amz-Content-SHA256 must be 64 lowercase hex characters or UNSIGNED-PAYLOAD"));
    }
    Ok(Some(value))
}

/// The payload hash to sign: the body's, which a claimed `X-Amz-Content-SHA256` must equal
/// (or `UNSIGNED-PAYLOAD` where allowed).
fn received_payload_hash(request: &Request<'_>, opts: &Options, signed: &[&str]) -> Result<String> {
    match claimed_payload_hash(request, opts, signed)? {
        Some(UNSIGNED_PAYLOAD) => Ok(UNSIGNED_PAYLOAD.to_string()),
        Some(claimed) => {
            let actual = sha256_hex(request.body);
            if claimed != actual {
                return Err(Error::new(Status::BadSignature, "the body does not match X-Amz-Content-SHA256"));
            }
            Ok(actual)
        }
        None => Ok(sha256_hex(request.body)),
    }
}

/// What `read_claims` keeps for `signed_parts`: the parsed `Authorization` and the signed
/// headers as the client grouped them.
#[derive(Debug)]
pub(crate) struct Received<'r> {
    auth: Authorization<'r>,
    headers: Vec<(String, String)>,
}

/// AWS Signature Version 4.
#[derive(Debug)]
pub(crate) struct SigV4;

impl sealed::Sealed for SigV4 {}

impl SchemeKind for SigV4 {
    fn name(&self) -> &'static str {
        "aws-sigv4"
    }

    fn secret_format(&self) -> SecretFormat {
        SecretFormat::Aws4
    }

    fn read_claims<'r>(&self, scheme: &'r Scheme, request: &Request<'r>) -> Result<Claims<'r>> {
        let opts = options(scheme)?;
        static EMPTY: std::sync::OnceLock<Headers> = std::sync::OnceLock::new();
        let headers: &'r Headers = match request.headers {
            Some(h) => h,
            None => EMPTY.get_or_init(Headers::new),
        };
        let auth_text = headers.require("Authorization")?;
        let date_text = headers.require("X-Amz-Date")?;
        let auth = parse_authorization(auth_text)?;
        let timestamp = parse_amz_date(date_text)?;
        if auth.date != &date_text[..8] {
            return Err(malformed(format!("credential scope date {} is not X-Amz-Date's day {}", auth.date, &date_text[..8])));
        }
        if auth.region != opts.region || auth.service != opts.service {
            return Err(Error::new(
                Status::BadSignature,
                format!(
                    "credential scope {}/{} is not this verifier's {}/{}",
                    truncate_for_log(auth.region),
                    truncate_for_log(auth.service),
                    opts.region,
                    opts.service
                ),
            ));
        }
        claimed_payload_hash(request, opts, &auth.signed_headers)?;
        let url = UrlParts::split(request.url);
        let signed = received_headers(request, &url, &auth.signed_headers)?;
        let mut candidates = Candidates::new();
        candidates.push(Tag::from_digest(&auth.signature))?;
        Ok(Claims {
            key_id: Some(auth.access_key_id),
            timestamp,
            timestamp_text: date_text,
            expires: None,
            nonce: "",
            candidates,
            detail: Detail::SigV4(Received { auth, headers: signed }),
        })
    }

    fn signed_parts<'r>(&self, scheme: &'r Scheme, request: &'r Request<'r>, claims: &Claims<'r>, parts: &mut Parts<'r>) -> Result<()> {
        let opts = options(scheme)?;
        let Detail::SigV4(r) = &claims.detail else {
            return Err(Error::new(Status::Internal, "aws-sigv4 claims without their Authorization"));
        };
        let payload_hash = received_payload_hash(request, opts, &r.auth.signed_headers)?;
        let url = UrlParts::split(request.url);
        let canonical = canonical_request(request.method, &url, opts, &r.headers, &payload_hash)?;
        let sts = string_to_sign(claims.timestamp_text, &scope(r.auth.date, opts), &canonical.request);
        parts.push(Cow::Owned(sts.into_bytes()));
        Ok(())
    }

    fn derive_key<'k>(&self, scheme: &Scheme, secret: &'k Key, secret_id: u64, claims: &Claims<'_>, cache: &KeyCache) -> Cow<'k, Key> {
        match options(scheme) {
            Ok(opts) => Cow::Owned(cache.get(secret_id, secret, claims.timestamp_text, opts)),
            // Unreachable (read_claims needed the options); a key that matches nothing.
            Err(_) => Cow::Borrowed(secret),
        }
    }

    fn replay_id<'r>(&self, _request: &Request<'r>, claims: &Claims<'r>, _signed: &[Cow<'r, [u8]>]) -> Cow<'r, str> {
        // The one signature binds the canonical request, the time and the secret: the same
        // request signed again in another second, or by another secret, is another request;
        // the access key id is not signed, so it is not part of the identity.
        let sig = claims.candidates.iter().next().map(|t| hex::encode(t.as_bytes())).unwrap_or_default();
        Cow::Owned(format!("{}.{sig}", claims.timestamp))
    }

    fn sign(
        &self,
        scheme: &Scheme,
        key_id: &str,
        key: &Key,
        cache: &KeyCache,
        request: &Request<'_>,
        timestamp: i64,
        _nonce: &str,
        explain: Option<&mut Vec<u8>>,
    ) -> Result<SignedHeaders> {
        sign(scheme, key_id, key, cache, request, timestamp, explain)
    }

    fn fingerprint(&self, scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)> {
        fingerprint(scheme, request)
    }
}

/// Fingerprint entries (after `scheme`) for diagnostics: what the canonical request is built
/// from as this side sees it, and a digest of the canonical request itself (AWS's own error
/// names the canonical request; a digest compares without printing headers).
fn fingerprint(scheme: &Scheme, request: &Request<'_>) -> Vec<(String, String)> {
    let clear = |v: &str| fingerprint_value(v.as_bytes());
    let mut out = Vec::new();
    let Ok(opts) = options(scheme) else { return out };
    let url = UrlParts::split(request.url);
    out.push(("scope".into(), format!("{}/{}", opts.region, opts.service)));
    out.push(("method".into(), clear(request.method)));
    out.push(("canonical_uri".into(), clear(&canonical_uri(url.path, opts.uri_encoding))));
    out.push(("canonical_query".into(), canonical_query(url.query.unwrap_or("")).map(|q| clear(&q)).unwrap_or_else(|_| "(invalid)".into())));
    let get = |n: &str| request.headers.and_then(|h| h.get(n).ok().flatten());
    out.push(("x_amz_date".into(), get("X-Amz-Date").map(clear).unwrap_or_else(|| "(missing)".into())));
    let auth = get("Authorization").map(parse_authorization);
    match &auth {
        Some(Ok(a)) => {
            out.push(("access_key_id".into(), clear(a.access_key_id)));
            out.push(("credential_scope".into(), clear(&format!("{}/{}/{}", a.date, a.region, a.service))));
            out.push(("signed_headers".into(), clear(&a.signed_headers.join(";"))));
            let built = received_payload_hash(request, opts, &a.signed_headers)
                .and_then(|p| Ok((p.clone(), received_headers(request, &url, &a.signed_headers)?)))
                .and_then(|(p, h)| canonical_request(request.method, &url, opts, &h, &p));
            match built {
                Ok(c) => {
                    for (n, v) in received_headers(request, &url, &a.signed_headers).unwrap_or_default() {
                        out.push((format!("header:{n}"), clear(&v)));
                    }
                    out.push(("payload_hash".into(), c.payload_hash.clone()));
                    out.push(("canonical_request_sha256".into(), sha256_hex(c.request.as_bytes())[..16].to_string()));
                }
                Err(e) => out.push(("canonical_request".into(), format!("({})", e.status().name()))),
            }
        }
        Some(Err(_)) => out.push(("authorization".into(), "(invalid)".into())),
        None => out.push(("authorization".into(), "(missing)".into())),
    }
    out.push(("body".into(), crate::canonical::body_digest(request.body)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // 20150830T123600Z, the date of AWS's published test suite.
    const T: i64 = 1440938160;

    #[test]
    fn signing_key_matches_aws_documentation() {
        // docs.aws.amazon.com "Examples of how to derive a signing key": this secret, date
        // 20120215, us-east-1, iam -> f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d.
        let k = Key::new(Algorithm::Sha256, b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let signing = derive(&k, "20120215", &Options::new("us-east-1", "iam"));
        let probe = signing.sign(b"x");
        let want = hex::decode("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d").unwrap();
        assert_eq!(probe, Key::new_unchecked_length(Algorithm::Sha256, &want).sign(b"x"));
    }

    #[test]
    fn dates_round_trip_and_are_strict() {
        assert_eq!(amz_date(T).unwrap(), "20150830T123600Z");
        assert_eq!(parse_amz_date("20150830T123600Z").unwrap(), T);
        assert_eq!(parse_amz_date("20000229T000000Z").unwrap(), 951782400);
        for bad in ["20150830T123600", "2015-08-30T12:36:00Z", "20150230T123600Z", "20150830T243600Z", "20190229T000000Z", "2015083OT123600Z"] {
            assert_eq!(parse_amz_date(bad).unwrap_err().status(), Status::MalformedHeader, "{bad}");
        }
        for t in [0i64, 951782399, 4102444800, 1700000000] {
            assert_eq!(parse_amz_date(&amz_date(t).unwrap()).unwrap(), t);
        }
    }
    #[test]
    fn canonical_pieces() {
        assert_eq!(canonical_uri("", UriEncoding::Double), "/");
        assert_eq!(canonical_uri("/%E1%88%B4", UriEncoding::Double), "/%25E1%2588%25B4");
        assert_eq!(canonical_uri("/a b", UriEncoding::Double), "/a%20b");
        assert_eq!(canonical_query("").unwrap(), "");
        assert_eq!(canonical_query("a=%zz").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(trimall("  a \t  b  "), "a b");
        let h = |u: &str| host_from_url(&UrlParts::split(u));
        assert_eq!(h("https://Example.com:443/").as_deref(), Some("example.com"));
        assert_eq!(h("http://example.com:8080/").as_deref(), Some("example.com:8080"));
        assert_eq!(h("https://u:p@example.com/").as_deref(), Some("example.com"));
        assert_eq!(h("/path"), None);
    }

    #[test]
    fn key_cache_is_per_secret_and_day() {
        let cache = KeyCache::default();
        let o = Options::new("us-east-1", "service");
        let a = Key::new(Algorithm::Sha256, b"AWS4a").unwrap();
        let b = Key::new(Algorithm::Sha256, b"AWS4b").unwrap();
        let d1 = "20150830T000000Z";
        let d2 = "20150831T000000Z";
        assert_eq!(cache.get(1, &a, d1, &o).sign(b"m"), derive(&a, &d1[..8], &o).sign(b"m"));
        assert_eq!(cache.get(2, &b, d1, &o).sign(b"m"), derive(&b, &d1[..8], &o).sign(b"m"));
        assert_eq!(cache.get(1, &a, d1, &o).sign(b"m"), derive(&a, &d1[..8], &o).sign(b"m"));
        assert_eq!(cache.get(1, &a, d2, &o).sign(b"m"), derive(&a, &d2[..8], &o).sign(b"m"));
        assert_ne!(derive(&a, &d1[..8], &o).sign(b"m"), derive(&a, &d2[..8], &o).sign(b"m"));
        assert_eq!(cache.entries.lock().unwrap().len(), 2);
    }
}
