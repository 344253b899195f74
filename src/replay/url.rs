//! The store URL: one string that selects and configures a nonce store in every language.
//!
//! ```text
//! memory://?max_entries=1000000
//! sqlite:///var/lib/signwire/nonces.db?busy_timeout_ms=2000
//! host://?busy_timeout_ms=2000      (this host's SQLite file for this user, in $TMPDIR)
//! redis://[[user]:password@]host[:port][/db]?connect_timeout_ms=1000&timeout_ms=1000&prefix=signwire
//! ```
//!
//! Unknown options are refused, not ignored: a typo in `max_entries` must not silently leave
//! the default in force.

use crate::error::{Error, Result};
use crate::headers::truncate_for_log;

/// A store URL taken apart. Nothing is connected or opened here.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum StoreUrl {
    Memory { max_entries: usize },
    Sqlite { path: String, busy_timeout_ms: u64 },
    /// `host://`: this host's SQLite file for this user (see `sqlite::per_host_path`).
    Host { busy_timeout_ms: u64 },
    Redis(RedisUrl),
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RedisUrl {
    pub host: String,
    pub port: u16,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub connect_timeout_ms: u64,
    pub timeout_ms: u64,
    pub prefix: String,
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreUrl::Memory { max_entries } => write!(f, "memory://?max_entries={max_entries}"),
            StoreUrl::Sqlite { path, busy_timeout_ms } => write!(f, "sqlite://{path}?busy_timeout_ms={busy_timeout_ms}"),
            StoreUrl::Host { busy_timeout_ms } => write!(f, "host://?busy_timeout_ms={busy_timeout_ms}"),
            StoreUrl::Redis(r) => f.write_str(&r.describe()),
        }
    }
}

impl RedisUrl {
    /// The URL without credentials, for logs.
    pub fn describe(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("redis://{host}:{}/{}", self.port, self.db)
    }
}

/// Largest `max_entries` a memory store accepts (about 2.5 GB of entries).
pub(crate) const MAX_MEMORY_ENTRIES: usize = 100_000_000;
/// Longest timeout accepted in a store URL, in milliseconds.
const MAX_TIMEOUT_MS: u64 = 60_000;
/// Longest store URL accepted.
const MAX_URL_LEN: usize = 4096;

fn bad(url: &str, why: impl std::fmt::Display) -> Error {
    // The URL may hold a Redis password: show only its scheme.
    let scheme = url.split_once("://").map_or("?", |(s, _)| s);
    Error::invalid(format!("nonce store URL ({}://…): {why}", truncate_for_log(scheme)))
}

fn percent_decode(url: &str, s: &str) -> Result<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let pair = b.get(i + 1..i + 3).ok_or_else(|| bad(url, "truncated percent-escape"))?;
            let mut byte = [0u8];
            hex::decode_to_slice(pair, &mut byte).map_err(|_| bad(url, "invalid percent-escape"))?;
            out.push(byte[0]);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad(url, "percent-escapes do not decode to UTF-8"))
}

/// `name=value` pairs of the query; each name at most once, each in `allowed`.
fn options<'a>(url: &str, query: Option<&'a str>, allowed: &[&str]) -> Result<Vec<(&'a str, &'a str)>> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(|| bad(url, format!("option {:?} has no value", truncate_for_log(pair))))?;
        if !allowed.contains(&k) {
            return Err(bad(url, format!("unknown option {:?} (known: {})", truncate_for_log(k), allowed.join(", "))));
        }
        if seen.iter().any(|(s, _)| *s == k) {
            return Err(bad(url, format!("option {k} given twice")));
        }
        seen.push((k, v));
    }
    Ok(seen)
}

fn number(url: &str, name: &str, v: &str, min: u64, max: u64) -> Result<u64> {
    v.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n) && v.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| bad(url, format!("{name} must be a whole number from {min} to {max}")))
}

impl StoreUrl {
    pub(crate) fn parse(url: &str) -> Result<StoreUrl> {
        if url.len() > MAX_URL_LEN {
            return Err(Error::new(crate::Status::InputTooLarge, format!("nonce store URL is longer than {MAX_URL_LEN} bytes")));
        }
        if url.bytes().any(|b| b <= 0x20 || b == 0x7f) {
            return Err(bad(url, "contains spaces or control characters (percent-encode them)"));
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad(url, "expected memory://, sqlite:///path/file.db or redis://host:port/db"))?;
        let (body, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        match scheme {
            "memory" => {
                if !body.is_empty() {
                    return Err(bad(url, "memory:// takes no host or path, only ?max_entries=N"));
                }
                let mut max_entries = super::memory::DEFAULT_MAX_ENTRIES;
                for (k, v) in options(url, query, &["max_entries"])? {
                    if k == "max_entries" {
                        max_entries = number(url, k, v, 1, MAX_MEMORY_ENTRIES as u64)? as usize;
                    }
                }
                Ok(StoreUrl::Memory { max_entries })
            }
            "sqlite" => {
                // File-URL form: sqlite:// + an absolute path. A relative path would depend on
                // the working directory of each worker process.
                if !body.starts_with('/') {
                    return Err(bad(url, "needs an absolute path: sqlite:///var/lib/app/nonces.db"));
                }
                let path = percent_decode(url, body)?;
                if path.contains('\0') {
                    return Err(bad(url, "path contains a NUL byte"));
                }
                if path.ends_with('/') {
                    return Err(bad(url, "path names a directory; add a file name"));
                }
                let mut busy_timeout_ms = 2000;
                for (k, v) in options(url, query, &["busy_timeout_ms"])? {
                    if k == "busy_timeout_ms" {
                        busy_timeout_ms = number(url, k, v, 0, MAX_TIMEOUT_MS)?;
                    }
                }
                Ok(StoreUrl::Sqlite { path, busy_timeout_ms })
            }
            "host" => {
                if !body.is_empty() {
                    return Err(bad(url, "host:// takes no host or path, only ?busy_timeout_ms=N"));
                }
                let mut busy_timeout_ms = 2000;
                for (k, v) in options(url, query, &["busy_timeout_ms"])? {
                    if k == "busy_timeout_ms" {
                        busy_timeout_ms = number(url, k, v, 0, MAX_TIMEOUT_MS)?;
                    }
                }
                Ok(StoreUrl::Host { busy_timeout_ms })
            }
            "redis" => Ok(StoreUrl::Redis(parse_redis(url, body, query)?)),
            "rediss" => Err(bad(url, "TLS to Redis (rediss://) is not built in; use a local TLS tunnel (stunnel, spiped) and redis://")),
            other => Err(bad(url, format!("unknown store {:?}; expected memory, sqlite, host or redis", truncate_for_log(other)))),
        }
    }
}

fn parse_redis(url: &str, body: &str, query: Option<&str>) -> Result<RedisUrl> {
    let (authority, path) = match body.find('/') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let (username, password) = match userinfo {
        None => (None, None),
        Some(u) => {
            let (user, pass) = match u.split_once(':') {
                Some((user, pass)) => (user, Some(pass)),
                None => (u, None),
            };
            let user = Some(percent_decode(url, user)?).filter(|s| !s.is_empty());
            let pass = pass.map(|p| percent_decode(url, p)).transpose()?.filter(|s| !s.is_empty());
            if pass.is_none() && user.is_some() {
                return Err(bad(url, "a user name needs a password (redis://user:password@host)"));
            }
            (user, pass)
        }
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad(url, "unclosed [ in host"))?;
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(bad(url, "no host (redis://127.0.0.1:6379/0)"));
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b)) {
        return Err(bad(url, format!("host {:?} is not a host name or IP address", truncate_for_log(host))));
    }
    let port = match port {
        None => 6379,
        Some(p) => number(url, "port", p, 1, 65535)? as u16,
    };
    let db = if path.is_empty() { 0 } else { number(url, "database number", path, 0, 1_000_000)? as i64 };
    let mut r = RedisUrl {
        host: host.to_string(),
        port,
        db,
        username,
        password,
        connect_timeout_ms: 1000,
        timeout_ms: 1000,
        prefix: "signwire".into(),
    };
    for (k, v) in options(url, query, &["connect_timeout_ms", "timeout_ms", "prefix"])? {
        match k {
            "connect_timeout_ms" => r.connect_timeout_ms = number(url, k, v, 1, MAX_TIMEOUT_MS)?,
            "timeout_ms" => r.timeout_ms = number(url, k, v, 1, MAX_TIMEOUT_MS)?,
            _ => {
                if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) {
                    return Err(bad(url, "prefix must be 1 to 64 characters of A-Z a-z 0-9 - _ . :"));
                }
                r.prefix = v.to_string();
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    #[test]
    fn parses_each_store() {
        assert_eq!(StoreUrl::parse("memory://").unwrap(), StoreUrl::Memory { max_entries: 1_000_000 });
        assert_eq!(StoreUrl::parse("memory://?max_entries=5").unwrap(), StoreUrl::Memory { max_entries: 5 });
        assert_eq!(
            StoreUrl::parse("sqlite:///var/lib/x%20y.db?busy_timeout_ms=50").unwrap(),
            StoreUrl::Sqlite { path: "/var/lib/x y.db".into(), busy_timeout_ms: 50 }
        );
        let StoreUrl::Redis(r) = StoreUrl::parse("redis://:p%40ss@127.0.0.1:6380/3?timeout_ms=20&prefix=app").unwrap() else { panic!() };
        assert_eq!((r.host.as_str(), r.port, r.db, r.password.as_deref(), r.username.as_deref()), ("127.0.0.1", 6380, 3, Some("p@ss"), None));
        assert_eq!((r.timeout_ms, r.connect_timeout_ms, r.prefix.as_str()), (20, 1000, "app"));
        let StoreUrl::Redis(r) = StoreUrl::parse("redis://[::1]:7000").unwrap() else { panic!() };
        assert_eq!((r.host.as_str(), r.port, r.db), ("::1", 7000, 0));
        assert_eq!(r.describe(), "redis://[::1]:7000/0");
        let StoreUrl::Redis(r) = StoreUrl::parse("redis://app:pw@cache.internal").unwrap() else { panic!() };
        assert_eq!((r.host.as_str(), r.port, r.username.as_deref(), r.password.as_deref()), ("cache.internal", 6379, Some("app"), Some("pw")));
    }

    #[test]
    fn host_is_the_per_host_sqlite_file() {
        assert_eq!(StoreUrl::parse("host://").unwrap(), StoreUrl::Host { busy_timeout_ms: 2000 });
        assert_eq!(StoreUrl::parse("host://?busy_timeout_ms=5").unwrap(), StoreUrl::Host { busy_timeout_ms: 5 });
        assert!(StoreUrl::parse("host:///tmp/x.db").is_err());
        assert!(StoreUrl::parse("host://?max_entries=5").is_err());
        // Two opens are one file: a nonce recorded through one is a replay through the other.
        let (a, b) = (crate::replay::open("host://").unwrap(), crate::replay::open("host://").unwrap());
        assert!(a.describe().contains("signwire-") && a.describe().ends_with("nonces.db"), "{}", a.describe());
        let nonce = format!("{:032x}", std::process::id() as u128 * 7919 + crate::headers::unix_now() as u128);
        let ttl = std::time::Duration::from_secs(60);
        assert_eq!(a.check_and_record("k", &nonce, ttl).unwrap(), crate::replay::NonceCheck::Fresh);
        assert_eq!(b.check_and_record("k", &nonce, ttl).unwrap(), crate::replay::NonceCheck::Replayed);
        let dir = crate::replay::sqlite::per_host_path().unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::symlink_metadata(dir.parent().unwrap()).unwrap().mode() & 0o777, 0o700);
    }

    #[test]
    fn refuses_mistakes_without_echoing_passwords() {
        for url in [
            "memory",
            "memory://?max_entries=0",
            "memory://?max_entries=-1",
            "memory://?max_entries=1e6",
            "memory://?max_entrys=10",
            "memory://?max_entries=1&max_entries=2",
            "memory://host",
            "sqlite://relative.db",
            "sqlite:///dir/",
            "sqlite:///x.db?timeout=1",
            "sqlite:///x%zz.db",
            "sqlite:///x%00.db",
            "sqlite:///with space.db",
            "redis://",
            "redis://:secretpw@host:0/0",
            "redis://:secretpw@host:99999",
            "redis://:secretpw@host/x",
            "redis://:secretpw@ho$t",
            "redis://host?timeout_ms=0",
            "redis://host?bogus=1",
            "redis://user@host",
            "rediss://:secretpw@host",
            "postgres://x",
        ] {
            let e = StoreUrl::parse(url).unwrap_err();
            assert_eq!(e.status(), Status::InvalidArgument, "{url}");
            assert!(!e.message().contains("secretpw"), "{url}: {}", e.message());
        }
        assert_eq!(StoreUrl::parse(&format!("sqlite:///{}", "a".repeat(5000))).unwrap_err().status(), Status::InputTooLarge);
    }
}
