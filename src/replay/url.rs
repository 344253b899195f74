//! The store URL: one string that selects and configures a nonce store in every language.
//!
//! ```text
//! memory://?max_entries=1000000
//! sqlite:///var/lib/signwire/nonces.db?busy_timeout_ms=2000
//! host://?busy_timeout_ms=2000      (this host's SQLite file for this user, in $TMPDIR)
//! redis://[[user]:password@]host[:port][/db]?connect_timeout_ms=1000&timeout_ms=1000&prefix=signwire
//! rediss://[[user]:password@]host[:port][/db]?ca_file=/etc/app/ca.pem&cert_file=…&key_file=…&server_name=redis.internal
//! redis+sentinel://[[user]:password@]sentinel1:26379,sentinel2:26379,sentinel3:26379/service[/db]?sentinel_password=…
//! redis+cluster://[[user]:password@]node1:6379,node2:6379,node3:6379?wait_replicas=1
//! ```
//!
//! `rediss+sentinel://` speaks TLS to the Sentinels and to the primary alike. Every Redis form
//! also takes `eviction=refuse|allow` (refuse an evicting `maxmemory-policy`, the default) and
//! `wait_replicas=N` (replicas that must hold a nonce before it counts as recorded: 0 for one
//! server, 1 for Sentinel and Cluster, where a failover would otherwise forget recent nonces).
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

/// How the Redis servers are found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum RedisTopology {
    /// One server (or a proxy in front of several).
    Single,
    /// The primary that these Sentinels name for `service`.
    Sentinel { service: String },
    /// A Redis Cluster; the nodes are seeds, the rest is discovered.
    Cluster,
}

/// TLS settings of a `rediss` URL.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct TlsOptions {
    /// PEM file of the CA(s) to trust; the system's roots when absent.
    pub ca_file: Option<String>,
    /// PEM client certificate chain and key (mutual TLS); both or neither.
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    /// The name the server's certificate must carry, when it is not the host dialled.
    pub server_name: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RedisUrl {
    pub topology: RedisTopology,
    /// The server, the Sentinels, or the cluster's seed nodes.
    pub nodes: Vec<(String, u16)>,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub sentinel_username: Option<String>,
    pub sentinel_password: Option<String>,
    pub tls: Option<TlsOptions>,
    pub connect_timeout_ms: u64,
    pub timeout_ms: u64,
    pub prefix: String,
    /// Accept an evicting (or unreadable) `maxmemory-policy`.
    pub allow_eviction: bool,
    pub wait_replicas: u32,
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
    /// The URL without credentials or options, for logs.
    pub fn describe(&self) -> String {
        let scheme = match (&self.topology, self.tls.is_some()) {
            (RedisTopology::Single, false) => "redis",
            (RedisTopology::Single, true) => "rediss",
            (RedisTopology::Sentinel { .. }, false) => "redis+sentinel",
            (RedisTopology::Sentinel { .. }, true) => "rediss+sentinel",
            (RedisTopology::Cluster, false) => "redis+cluster",
            (RedisTopology::Cluster, true) => "rediss+cluster",
        };
        let nodes: Vec<String> = self.nodes.iter().map(|(h, p)| host_port(h, *p)).collect();
        match &self.topology {
            RedisTopology::Single => format!("{scheme}://{}/{}", nodes.join(","), self.db),
            RedisTopology::Sentinel { service } => format!("{scheme}://{}/{service}/{}", nodes.join(","), self.db),
            RedisTopology::Cluster => format!("{scheme}://{}", nodes.join(",")),
        }
    }
}

/// `host:port`, with IPv6 addresses in brackets.
pub(crate) fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
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
            "redis" | "rediss" | "redis+sentinel" | "rediss+sentinel" | "redis+cluster" | "rediss+cluster" => {
                Ok(StoreUrl::Redis(parse_redis(url, scheme, body, query)?))
            }
            other => Err(bad(
                url,
                format!(
                    "unknown store {:?}; expected memory, sqlite, host, redis, rediss, redis+sentinel or redis+cluster",
                    truncate_for_log(other)
                ),
            )),
        }
    }
}

fn parse_host_port(url: &str, hostport: &str, default_port: u16) -> Result<(String, u16)> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad(url, "unclosed [ in host"))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| bad(url, "expected :port after ]"))?),
        };
        (h, port)
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
        None => default_port,
        Some(p) => number(url, "port", p, 1, 65535)? as u16,
    };
    Ok((host.to_string(), port))
}

/// `user:password` → (user, password), percent-decoded; a user needs a password.
fn credentials(url: &str, u: Option<&str>) -> Result<(Option<String>, Option<String>)> {
    let Some(u) = u else { return Ok((None, None)) };
    let (user, pass) = match u.split_once(':') {
        Some((user, pass)) => (user, Some(pass)),
        None => (u, None),
    };
    let user = Some(percent_decode(url, user)?).filter(|s| !s.is_empty());
    let pass = pass.map(|p| percent_decode(url, p)).transpose()?.filter(|s| !s.is_empty());
    if pass.is_none() && user.is_some() {
        return Err(bad(url, "a user name needs a password (redis://user:password@host)"));
    }
    Ok((user, pass))
}

fn file_option(url: &str, name: &str, v: &str) -> Result<String> {
    let path = percent_decode(url, v)?;
    if !path.starts_with('/') || path.contains('\0') {
        return Err(bad(url, format!("{name} must be an absolute file path")));
    }
    Ok(path)
}

fn parse_redis(url: &str, scheme: &str, body: &str, query: Option<&str>) -> Result<RedisUrl> {
    let tls = scheme.starts_with("rediss");
    let topology_word = scheme.split_once('+').map(|(_, t)| t);
    let (authority, path) = match body.find('/') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let (username, password) = credentials(url, userinfo)?;
    let default_port = if topology_word == Some("sentinel") { 26379 } else { 6379 };
    let nodes = hosts.split(',').map(|h| parse_host_port(url, h, default_port)).collect::<Result<Vec<_>>>()?;
    let db_of = |p: &str| if p.is_empty() { Ok(0) } else { number(url, "database number", p, 0, 1_000_000).map(|n| n as i64) };
    let (topology, db) = match topology_word {
        None => {
            if nodes.len() != 1 {
                return Err(bad(url, "one host only; for several, use redis+sentinel:// or redis+cluster://"));
            }
            (RedisTopology::Single, db_of(path)?)
        }
        Some("sentinel") => {
            let (service, db) = path.split_once('/').unwrap_or((path, ""));
            if service.is_empty() || service.len() > 128 || !service.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
                return Err(bad(url, "needs the service (master) name after the Sentinels: redis+sentinel://s1:26379,s2:26379/mymaster/0"));
            }
            (RedisTopology::Sentinel { service: service.to_string() }, db_of(db)?)
        }
        _ => {
            // Redis Cluster has database 0 only.
            if !path.is_empty() && path != "0" {
                return Err(bad(url, "a Redis Cluster has database 0 only"));
            }
            (RedisTopology::Cluster, 0)
        }
    };
    let mut r = RedisUrl {
        wait_replicas: if topology == RedisTopology::Single { 0 } else { 1 },
        topology,
        nodes,
        db,
        username,
        password,
        sentinel_username: None,
        sentinel_password: None,
        tls: tls.then(TlsOptions::default),
        connect_timeout_ms: 1000,
        timeout_ms: 1000,
        prefix: "signwire".into(),
        allow_eviction: false,
    };
    let mut allowed = vec!["connect_timeout_ms", "timeout_ms", "prefix", "eviction", "wait_replicas"];
    if tls {
        allowed.extend(["ca_file", "cert_file", "key_file", "server_name"]);
    }
    if matches!(r.topology, RedisTopology::Sentinel { .. }) {
        allowed.extend(["sentinel_username", "sentinel_password"]);
    }
    for (k, v) in options(url, query, &allowed)? {
        let t = r.tls.get_or_insert_with(TlsOptions::default);
        match k {
            "connect_timeout_ms" => r.connect_timeout_ms = number(url, k, v, 1, MAX_TIMEOUT_MS)?,
            "timeout_ms" => r.timeout_ms = number(url, k, v, 1, MAX_TIMEOUT_MS)?,
            "wait_replicas" => r.wait_replicas = number(url, k, v, 0, 16)? as u32,
            "eviction" => {
                r.allow_eviction = match v {
                    "refuse" => false,
                    "allow" => true,
                    _ => return Err(bad(url, "eviction must be refuse or allow")),
                }
            }
            "ca_file" => t.ca_file = Some(file_option(url, k, v)?),
            "cert_file" => t.cert_file = Some(file_option(url, k, v)?),
            "key_file" => t.key_file = Some(file_option(url, k, v)?),
            "server_name" => {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b)) {
                    return Err(bad(url, "server_name must be a host name or IP address"));
                }
                t.server_name = Some(v.to_string());
            }
            "sentinel_username" => r.sentinel_username = Some(percent_decode(url, v)?).filter(|s| !s.is_empty()),
            "sentinel_password" => r.sentinel_password = Some(percent_decode(url, v)?).filter(|s| !s.is_empty()),
            _ => {
                if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) {
                    return Err(bad(url, "prefix must be 1 to 64 characters of A-Z a-z 0-9 - _ . :"));
                }
                r.prefix = v.to_string();
            }
        }
    }
    if !tls {
        r.tls = None;
    }
    if let Some(t) = &r.tls {
        if t.cert_file.is_some() != t.key_file.is_some() {
            return Err(bad(url, "cert_file and key_file go together"));
        }
        if r.topology == RedisTopology::Cluster {
            return Err(bad(url, "TLS to a Redis Cluster (rediss+cluster://) is not supported yet"));
        }
    }
    if r.sentinel_username.is_some() && r.sentinel_password.is_none() {
        return Err(bad(url, "sentinel_username needs sentinel_password"));
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
        let redis = |u: &str| match StoreUrl::parse(u).unwrap() {
            StoreUrl::Redis(r) => r,
            _ => panic!("{u}"),
        };
        let r = redis("redis://:p%40ss@127.0.0.1:6380/3?timeout_ms=20&prefix=app");
        assert_eq!((r.nodes[0].clone(), r.db, r.password.as_deref(), r.username.as_deref()), (("127.0.0.1".into(), 6380), 3, Some("p@ss"), None));
        assert_eq!((r.timeout_ms, r.connect_timeout_ms, r.prefix.as_str()), (20, 1000, "app"));
        assert_eq!((r.topology.clone(), r.wait_replicas, r.allow_eviction, r.tls.clone()), (RedisTopology::Single, 0, false, None));
        let r = redis("redis://[::1]:7000");
        assert_eq!((r.nodes.clone(), r.db), (vec![("::1".into(), 7000)], 0));
        assert_eq!(r.describe(), "redis://[::1]:7000/0");
        let r = redis("redis://app:pw@cache.internal");
        assert_eq!((r.nodes[0].clone(), r.username.as_deref(), r.password.as_deref()), (("cache.internal".into(), 6379), Some("app"), Some("pw")));
        let r = redis("rediss://app:pw@10.0.0.5:6380/2?ca_file=/etc/ca.pem&cert_file=/c.pem&key_file=/k.pem&server_name=redis.internal&eviction=allow");
        let tls = r.tls.clone().unwrap();
        assert_eq!((tls.ca_file.as_deref(), tls.cert_file.as_deref(), tls.key_file.as_deref()), (Some("/etc/ca.pem"), Some("/c.pem"), Some("/k.pem")));
        assert_eq!((tls.server_name.as_deref(), r.allow_eviction, r.db), (Some("redis.internal"), true, 2));
        assert_eq!(r.describe(), "rediss://10.0.0.5:6380/2");
        let r = redis("rediss://h");
        assert_eq!(r.tls, Some(TlsOptions::default()));
        let r = redis("redis+sentinel://u:pw@s1,s2:26380,[::1]/mymaster/4?sentinel_password=spw&wait_replicas=2");
        assert_eq!(r.topology, RedisTopology::Sentinel { service: "mymaster".into() });
        assert_eq!(r.nodes, vec![("s1".into(), 26379), ("s2".into(), 26380), ("::1".into(), 26379)]);
        assert_eq!((r.db, r.wait_replicas, r.sentinel_password.as_deref()), (4, 2, Some("spw")));
        assert_eq!(r.describe(), "redis+sentinel://s1:26379,s2:26380,[::1]:26379/mymaster/4");
        assert_eq!(redis("redis+sentinel://s1/m").wait_replicas, 1);
        let r = redis("redis+cluster://:pw@n1:7000,n2:7001");
        assert_eq!((r.topology.clone(), r.nodes.len(), r.wait_replicas), (RedisTopology::Cluster, 2, 1));
        assert_eq!(r.describe(), "redis+cluster://n1:7000,n2:7001");
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
            "redis://:secretpw@h1,h2",
            "redis://:secretpw@host?ca_file=/x",
            "redis://:secretpw@host?eviction=maybe",
            "redis://:secretpw@host?wait_replicas=17",
            "rediss://:secretpw@host?ca_file=relative.pem",
            "rediss://:secretpw@host?cert_file=/c.pem",
            "rediss://:secretpw@host?server_name=a/b",
            "redis+sentinel://:secretpw@s1:26379",
            "redis+sentinel://:secretpw@s1:26379/",
            "redis+sentinel://:secretpw@s1/m?sentinel_username=x",
            "redis+cluster://:secretpw@n1/3",
            "redis+cluster://:secretpw@n1?sentinel_password=x",
            "rediss+cluster://:secretpw@n1",
            "redis+proxy://:secretpw@n1",
            "postgres://x",
        ] {
            let e = StoreUrl::parse(url).unwrap_err();
            assert_eq!(e.status(), Status::InvalidArgument, "{url}");
            assert!(!e.message().contains("secretpw"), "{url}: {}", e.message());
        }
        assert_eq!(StoreUrl::parse(&format!("sqlite:///{}", "a".repeat(5000))).unwrap_err().status(), Status::InputTooLarge);
    }
}
