//! "Why did it fail": fingerprints of what was signed, comparable across client and server
//! without sharing the secret or the signature.
//!
//! Each side reduces a request to one line, `signwire-fp key=value ...`: the scheme, then
//! one entry per signed component. Short values the client sent anyway (method, URL,
//! timestamp, nonce, key id) appear in clear; the body only as its length and a SHA-256
//! prefix. The verifier (when diagnostics are enabled) adds the reason and its clock. The
//! client gets the same line from `explain`, and [`diff`] names the first entry that differs.
//!
//! ```
//! use signwire::{diagnostics, Headers, Request, Scheme};
//! let scheme = Scheme::load("hopnow").unwrap();
//! let h = Headers::parse("X-API-Key: k1\nX-Timestamp: 1700000000\nX-Nonce: 00112233445566778899aabbccddeeff\n").unwrap();
//! let client = diagnostics::fingerprint(&scheme, &Request::new("POST", "https://api.example.com/v1/pay", b"{}").with_headers(&h));
//! let server = diagnostics::fingerprint(&scheme, &Request::new("POST", "http://10.0.0.5:8080/v1/pay", b"{}").with_headers(&h));
//! let d = diagnostics::diff(&client.to_line(), &server.to_line()).unwrap();
//! assert_eq!(d.summary, "URL: client signed https://api.example.com/v1/pay, server rebuilt http://10.0.0.5:8080/v1/pay");
//! ```

use crate::canonical::{fingerprint_value, Request};
use crate::error::{Error, Result, Status};
use crate::scheme::Scheme;

/// Marker that starts every fingerprint line (client and server), so that [`diff`] finds it
/// in a log file or in `explain` output.
pub const MARKER: &str = "signwire-fp";


/// The fingerprint of one request as one side saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// `(label, value)` pairs: `scheme` first, then (server side) `reason` and
    /// `server_time`, then one per signed component. Values are escaped, without spaces.
    pub entries: Vec<(String, String)>,
}

impl Fingerprint {
    /// Value of an entry.
    pub fn get(&self, label: &str) -> Option<&str> {
        self.entries.iter().find(|(l, _)| l == label).map(|(_, v)| v.as_str())
    }

    /// `signwire-fp scheme=hopnow method=POST url=... body=len:2,sha256:44136fa355b3678a`.
    pub fn to_line(&self) -> String {
        let mut s = String::from(MARKER);
        for (l, v) in &self.entries {
            s.push(' ');
            s.push_str(l);
            s.push('=');
            s.push_str(v);
        }
        s
    }

    /// Read the last fingerprint line found in `text` (a log, or `explain` output).
    pub fn parse(text: &str) -> Result<Fingerprint> {
        let line = text
            .lines()
            .rev()
            .find_map(|l| l.find(MARKER).map(|i| &l[i + MARKER.len()..]))
            .ok_or_else(|| Error::invalid(format!("no '{MARKER} ...' line found")))?;
        let mut entries = Vec::new();
        for (i, tok) in line.split_whitespace().enumerate() {
            // Position only, never the text: a pasted log line may hold anything, secrets included.
            let (l, v) = tok
                .split_once('=')
                .ok_or_else(|| Error::invalid(format!("fingerprint entry {} ({} bytes) has no '='", i + 1, tok.len())))?;
            entries.push((l.to_string(), v.to_string()));
        }
        Ok(Fingerprint { entries })
    }
}

/// A verification failure as the server saw it, for its log only (never for the client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Why the request was refused.
    pub status: Status,
    /// The server's clock when it refused.
    pub server_time: i64,
    /// What the server rebuilt, with `reason` and `server_time` entries.
    pub fingerprint: Fingerprint,
}

impl Diagnostic {
    /// A diagnostic for `request` refused with `status` at `now`.
    pub fn new(scheme: &Scheme, request: &Request<'_>, status: Status, now: i64) -> Diagnostic {
        let mut fp = fingerprint(scheme, request);
        fp.entries.insert(1, ("reason".into(), status.name().into()));
        fp.entries.insert(2, ("server_time".into(), now.to_string()));
        Diagnostic { status, server_time: now, fingerprint: fp }
    }

    /// The log line.
    pub fn to_line(&self) -> String {
        self.fingerprint.to_line()
    }
}

pub use crate::canonical::body_digest;

/// What a request signs under `scheme`, as one side sees it: the scheme name, then the
/// kind's entries (key id, one per signed component...). Never fails: a missing or unusable
/// part shows as `(missing)`, `(repeated)` or `(invalid)`, which is itself the answer.
pub fn fingerprint(scheme: &Scheme, request: &Request<'_>) -> Fingerprint {
    let mut entries = vec![("scheme".to_string(), fingerprint_value(scheme.name.as_bytes()))];
    entries.extend(scheme.fingerprint_entries(request));
    Fingerprint { entries }
}

/// The first difference between a client's and a server's fingerprints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The differing entry's label, or `None` when every signed component matches.
    pub label: Option<String>,
    /// One sentence naming the cause, e.g. `URL: client signed ..., server rebuilt ...`.
    pub summary: String,
}

fn display_name(label: &str) -> String {
    match label {
        "url" => "URL".into(),
        "method" => "Method".into(),
        "path" => "Path".into(),
        "path_and_query" => "Path and query".into(),
        "canonical_query" => "Canonical query".into(),
        "timestamp" => "Timestamp".into(),
        "nonce" => "Nonce".into(),
        "key_id" => "Key id".into(),
        "body" => "Body".into(),
        "scheme" => "Scheme".into(),
        other => other.to_string(),
    }
}

fn rebuilt(label: &str) -> bool {
    matches!(label, "url" | "path" | "path_and_query" | "canonical_query" | "canonical_uri" | "host")
}

/// Compare a client's fingerprint text with a server's diagnostic text (each may be a whole
/// log or `explain` output; the last fingerprint line of each is used).
pub fn diff(client: &str, server: &str) -> Result<Difference> {
    let c = Fingerprint::parse(client).map_err(|e| Error::invalid(format!("client side: {}", e.message())))?;
    let s = Fingerprint::parse(server).map_err(|e| Error::invalid(format!("server side: {}", e.message())))?;
    Ok(compare(&c, &s))
}

/// [`diff`] on parsed fingerprints.
pub fn compare(c: &Fingerprint, s: &Fingerprint) -> Difference {
    const SERVER_ONLY: [&str; 2] = ["reason", "server_time"];
    for (label, cv) in c.entries.iter().filter(|(l, _)| !SERVER_ONLY.contains(&l.as_str())) {
        let sv = s.get(label).unwrap_or("(not signed by the server's scheme)");
        if cv != sv {
            let verb = if rebuilt(label) { "rebuilt" } else { "received" };
            let summary = if label == "scheme" {
                format!("Scheme: client used {cv}, server expects {sv}")
            } else if label == "body" {
                format!("Body: client signed {cv}, server {verb} {sv} (a framework or proxy changed the raw body)")
            } else {
                format!("{}: client signed {cv}, server {verb} {sv}", display_name(label))
            };
            return Difference { label: Some(label.clone()), summary };
        }
    }
    if let Some((label, _)) = s.entries.iter().find(|(l, _)| !SERVER_ONLY.contains(&l.as_str()) && c.get(l).is_none()) {
        return Difference {
            label: Some(label.clone()),
            summary: format!("{}: the server's scheme signs it, the client's output does not show it", display_name(label)),
        };
    }
    let reason = s.get("reason").unwrap_or("(no reason recorded)");
    let server_time = s.get("server_time").and_then(|t| t.parse::<i64>().ok());
    let ts = c.get("timestamp").and_then(|t| t.parse::<i64>().ok());
    let summary = match (reason, server_time, ts) {
        ("SIGNWIRE_ERR_TIMESTAMP_TOO_OLD" | "SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE", Some(now), Some(t)) => format!(
            "Timestamp: every component matches, but the client signed at {t} and the server's clock read {now} ({} s {}): fix the clock or sign right before sending",
            (now - t).abs(),
            if t < now { "behind" } else { "ahead" }
        ),
        ("SIGNWIRE_ERR_BAD_SIGNATURE", _, _) => {
            "Secret: every signed component matches, so the secret differs (wrong or rotated secret for this key id), or the signature header was altered".into()
        }
        ("SIGNWIRE_ERR_UNKNOWN_KEY", _, _) => format!("Key id: the server has no secret for key id {}", c.get("key_id").unwrap_or("?")),
        ("SIGNWIRE_ERR_NONCE_REPLAYED", _, _) => "Nonce: every component matches; the server already accepted this nonce (send a fresh one per request)".into(),
        (r, _, _) => format!("every signed component matches; the server refused with {r}"),
    };
    Difference { label: None, summary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Headers;

    fn fp(url: &str, body: &[u8], ts: &str) -> Fingerprint {
        let scheme = Scheme::load("hopnow").unwrap();
        let h = Headers::parse(&format!("X-API-Key: k1\nX-Timestamp: {ts}\nX-Nonce: 00112233445566778899aabbccddeeff\n")).unwrap();
        fingerprint(&scheme, &Request::new("POST", url, body).with_headers(&h))
    }

    #[test]
    fn lines_round_trip_and_hide_the_body() {
        let f = fp("https://h/p?a=1", b"secret body with spaces", "1700000000");
        let line = f.to_line();
        assert!(!line.contains("secret body"));
        assert_eq!(Fingerprint::parse(&format!("log: {line}\n")).unwrap(), f);
        assert_eq!(f.get("body").unwrap(), body_digest(b"secret body with spaces"));
        assert_eq!(f.get("url"), Some("https://h/p?a=1"));
    }

    #[test]
    fn diff_names_first_component() {
        let a = fp("https://h/p", b"{}", "1700000000");
        let b = fp("https://h/p", b"{ }", "1700000000");
        assert_eq!(compare(&a, &b).label.as_deref(), Some("body"));
        assert_eq!(compare(&a, &a).label, None);
        let scheme = Scheme::load("hopnow").unwrap();
        let h = Headers::new();
        let d = Diagnostic::new(&scheme, &Request::new("POST", "https://h/p", b"{}").with_headers(&h), Status::MissingHeader, 5);
        assert_eq!(d.fingerprint.get("timestamp"), Some("(missing)"));
        assert_eq!(d.fingerprint.get("reason"), Some("SIGNWIRE_ERR_MISSING_HEADER"));
    }

    #[test]
    fn stale_timestamp_is_explained_with_server_time() {
        let scheme = Scheme::load("hopnow").unwrap();
        let h = Headers::parse("X-API-Key: k1\nX-Timestamp: 1700000000\nX-Nonce: 00112233445566778899aabbccddeeff\n").unwrap();
        let req = Request::new("POST", "https://h/p", b"{}").with_headers(&h);
        let d = Diagnostic::new(&scheme, &req, Status::TimestampTooOld, 1700000900);
        let diff = compare(&fingerprint(&scheme, &req), &d.fingerprint);
        assert!(diff.summary.contains("1700000900") && diff.summary.contains("900 s behind"), "{}", diff.summary);
    }
}
