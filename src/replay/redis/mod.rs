//! Nonce store in Redis, shared by every host: one server (`redis://`, `rediss://`), the
//! primary that Sentinel names (`redis+sentinel://`), or a Redis Cluster (`redis+cluster://`).
//!
//! One command per check: `SET {prefix}:{key_id}:{nonce} 1 NX EX {ttl}` sets the key only
//! if it is absent, atomically in Redis, and expires it by itself. Key ids are printable
//! ASCII without spaces and nonces are hex, so the key is unambiguous. In a cluster the key's
//! hash slot picks the primary; the redis crate follows `MOVED` and `ASK`.
//!
//! Replication is asynchronous: a primary that dies right after `SET` may take the nonce
//! with it, and the replica promoted in its place would accept the same request again. So,
//! with `wait_replicas=N` (1 by default for Sentinel and Cluster), a nonce counts as recorded
//! only once `WAIT N` confirms that N replicas hold it; otherwise the check is
//! `NONCE_STORE_UNAVAILABLE`. The same `WAIT` refuses writes to an old primary cut off from
//! its replicas (split brain).
//!
//! Redis may also forget nonces by itself: under an evicting `maxmemory-policy`
//! (`allkeys-*`, `volatile-*`) it drops keys with a TTL when memory runs short, and replays
//! pass. Each new connection reads the policy (`INFO memory`, else `CONFIG GET`) and refuses
//! an evicting or unreadable one unless the URL says `eviction=allow`.
//!
//! Every failure — connect refused or timed out, a command timeout, an error reply, a
//! failover in progress — is `NONCE_STORE_UNAVAILABLE`. Connections are pooled per store; a
//! broken one is dropped with the rest of the pool, and a new one is made on the next check,
//! so verification recovers by itself when Redis (or the new primary) answers. After a failed
//! connect, checks fail at once for a short back-off instead of each waiting out the connect
//! timeout.
//!
//! Retrying is safe in one direction only, and that is the one used: if a `SET NX` reached
//! Redis but its reply was lost, the retry sees the key and reports a replay — a refused
//! request, never a nonce accepted twice.
//!
//! After `fork()` (PHP-FPM, gunicorn `--preload`) the child must not talk over its parent's
//! sockets: both would read each other's replies. The store remembers the process id that
//! filled its pool; a check in another process closes the inherited copies (closing a copy
//! sends nothing, the parent's socket stays open) and connects anew.

mod conn;
mod sentinel;

use super::url::{RedisTopology, RedisUrl};
use super::{NonceCheck, NonceStore};
use crate::error::{Error, Result, Status};
use conn::{Conn, ConnSettings, Tls};
use redis::cluster::{ClusterClient, ClusterConnection};
use redis::cluster_routing::{MultipleNodeRoutingInfo, Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{RedisError, RedisResult, Value};
use sentinel::Sentinels;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most idle connections kept per store.
const MAX_IDLE: usize = 16;
/// After a failed connect, checks fail without trying again for this long.
const CONNECT_BACKOFF: Duration = Duration::from_millis(250);
/// Policies under which Redis deletes keys before their TTL.
const EVICTING: &[&str] = &["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"];

/// Where connections go.
enum Backend {
    /// One server, or the primary Sentinel names; plain connections of our own.
    Nodes { target: Target, settings: ConnSettings, idle: Mutex<Vec<Conn>> },
    /// A Redis Cluster through the redis crate's slot-routing connection.
    Cluster { client: ClusterClient, idle: Mutex<Vec<ClusterConnection>> },
}

enum Target {
    Single(String, u16),
    Sentinel(Sentinels),
}

/// A nonce store in Redis.
pub struct RedisStore {
    backend: Backend,
    describe: String,
    prefix: String,
    allow_eviction: bool,
    wait_replicas: u32,
    /// `WAIT`'s own timeout, below the command timeout so that Redis answers first.
    wait_ms: u64,
    /// The process whose sockets the pool holds.
    owner: AtomicU32,
    retry_after: Mutex<Option<Instant>>,
}

fn poisoned() -> Error {
    Error::new(Status::NonceStoreUnavailable, "redis nonce store lock poisoned")
}

/// The `maxmemory_policy:` line of `INFO memory`.
fn policy_in_info(v: &Value) -> Option<String> {
    let text = match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::VerbatimString { text, .. } => text.clone(),
        _ => return None,
    };
    text.lines().find_map(|l| l.strip_prefix("maxmemory_policy:")).map(|p| p.trim().to_string())
}

impl RedisStore {
    /// Connect to the Redis of a `redis://`, `rediss://`, `redis+sentinel://` or
    /// `redis+cluster://` URL (checking that it answers and does not evict), with its
    /// timeouts. Fails with `NONCE_STORE_UNAVAILABLE` when it cannot be reached or would
    /// evict nonces, `INVALID_ARGUMENT` for a malformed URL or unreadable TLS files.
    pub fn open(url: &str) -> Result<RedisStore> {
        match super::url::StoreUrl::parse(url)? {
            super::url::StoreUrl::Redis(r) => RedisStore::from_url(&r),
            _ => Err(Error::invalid("RedisStore::open needs a redis URL (redis://, rediss://, redis+sentinel://, redis+cluster://)")),
        }
    }

    pub(crate) fn from_url(r: &RedisUrl) -> Result<RedisStore> {
        let tls = || r.tls.as_ref().map(Tls::new).transpose();
        let settings = |username: &Option<String>, password: &Option<String>, db: i64| -> Result<ConnSettings> {
            Ok(ConnSettings {
                connect_timeout: Duration::from_millis(r.connect_timeout_ms),
                timeout: Duration::from_millis(r.timeout_ms),
                db,
                username: username.clone(),
                password: password.clone(),
                tls: tls()?,
            })
        };
        let backend = match &r.topology {
            RedisTopology::Single => Backend::Nodes {
                target: Target::Single(r.nodes[0].0.clone(), r.nodes[0].1),
                settings: settings(&r.username, &r.password, r.db)?,
                idle: Mutex::new(Vec::new()),
            },
            RedisTopology::Sentinel { service } => Backend::Nodes {
                target: Target::Sentinel(Sentinels {
                    nodes: r.nodes.clone(),
                    service: service.clone(),
                    settings: settings(&r.sentinel_username, &r.sentinel_password, 0)?,
                }),
                settings: settings(&r.username, &r.password, r.db)?,
                idle: Mutex::new(Vec::new()),
            },
            RedisTopology::Cluster => {
                let seeds: Vec<String> = r.nodes.iter().map(|(h, p)| format!("redis://{}", super::url::host_port(h, *p))).collect();
                let mut b = ClusterClient::builder(seeds)
                    .connection_timeout(Duration::from_millis(r.connect_timeout_ms))
                    .response_timeout(Duration::from_millis(r.timeout_ms))
                    // Enough tries to follow a MOVED and an ASK; short waits on CLUSTERDOWN
                    // and TRYAGAIN, since the caller is waiting for a verification.
                    .retries(3)
                    .min_retry_wait(5)
                    .max_retry_wait(50);
                if let Some(p) = &r.password {
                    b = b.password(p.clone());
                }
                if let Some(u) = &r.username {
                    b = b.username(u.clone());
                }
                let client = b.build().map_err(|e| Error::invalid(format!("redis nonce store {}: {}", r.describe(), e)))?;
                Backend::Cluster { client, idle: Mutex::new(Vec::new()) }
            }
        };
        let store = RedisStore {
            backend,
            describe: r.describe(),
            prefix: r.prefix.clone(),
            allow_eviction: r.allow_eviction,
            wait_replicas: r.wait_replicas,
            wait_ms: (r.timeout_ms / 2).max(1),
            owner: AtomicU32::new(std::process::id()),
            retry_after: Mutex::new(None),
        };
        // Connect now, so that a wrong address, password or policy shows at start-up.
        match &store.backend {
            Backend::Nodes { idle, .. } => {
                let conn = store.connect_node()?;
                store.give_back(idle, conn);
            }
            Backend::Cluster { idle, .. } => {
                let conn = store.connect_cluster()?;
                store.give_back(idle, conn);
            }
        }
        Ok(store)
    }

    fn unavailable(&self, what: &str, e: &RedisError) -> Error {
        let why = if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connection_refusal() {
            "connection refused".to_string()
        } else if e.is_connection_dropped() {
            "connection lost".to_string()
        } else {
            // The crate's messages name the failing command and the server's reply; they
            // never include the password.
            e.to_string()
        };
        Error::new(Status::NonceStoreUnavailable, format!("redis nonce store {}: {what}: {why}", self.describe))
    }

    fn refuse(&self, why: String) -> Error {
        Error::new(Status::NonceStoreUnavailable, format!("redis nonce store {}: {why}", self.describe))
    }

    /// Refuse a policy under which Redis would delete nonces early.
    fn check_policy(&self, server: &str, policy: Option<String>) -> Result<()> {
        match policy {
            _ if self.allow_eviction => Ok(()),
            Some(p) if p == "noeviction" => Ok(()),
            Some(p) if EVICTING.contains(&p.as_str()) => Err(self.refuse(format!(
                "{server} has maxmemory-policy {p}, under which Redis deletes nonces before they expire and replays \
                 pass; set it to noeviction (or add eviction=allow to the URL to accept the risk)"
            ))),
            Some(p) => Err(self.refuse(format!("{server} has an unknown maxmemory-policy {p:?}; add eviction=allow to the URL to use it anyway"))),
            None => Err(self.refuse(format!(
                "cannot read maxmemory-policy on {server} (INFO and CONFIG GET are not allowed for this user, as on \
                 managed Redis); make sure it is noeviction in the provider's settings and add eviction=allow to the URL"
            ))),
        }
    }

    fn backoff_check(&self) -> Result<()> {
        let retry = self.retry_after.lock().map_err(|_| poisoned())?;
        match *retry {
            Some(t) if Instant::now() < t => {
                Err(Error::new(Status::NonceStoreUnavailable, format!("redis nonce store {}: unreachable a moment ago; retrying shortly", self.describe)))
            }
            _ => Ok(()),
        }
    }

    fn note_connect<C>(&self, r: Result<C>) -> Result<C> {
        let mut retry = self.retry_after.lock().map_err(|_| poisoned())?;
        *retry = if r.is_err() { Some(Instant::now() + CONNECT_BACKOFF) } else { None };
        r
    }

    fn connect_node(&self) -> Result<Conn> {
        let Backend::Nodes { target, settings, .. } = &self.backend else { unreachable!("node connection of a cluster store") };
        self.backoff_check()?;
        let r = (|| {
            let mut conn = match target {
                Target::Single(host, port) => Conn::open(host, *port, settings).map_err(|e| self.unavailable("connect", &e))?,
                Target::Sentinel(s) => s.connect_primary(settings).map_err(|e| self.unavailable("connect to the primary", &e))?,
            };
            if !self.allow_eviction {
                let policy = match conn.query(redis::cmd("INFO").arg("memory")) {
                    Ok(v) => policy_in_info(&v),
                    Err(_) => None,
                };
                let policy = match policy {
                    Some(p) => Some(p),
                    None => match conn.query(redis::cmd("CONFIG").arg("GET").arg("maxmemory-policy")) {
                        Ok(Value::Array(a)) if a.len() == 2 => redis::from_redis_value::<String>(&a[1]).ok(),
                        Ok(Value::Map(m)) if m.len() == 1 => redis::from_redis_value::<String>(&m[0].1).ok(),
                        _ => None,
                    },
                };
                self.check_policy(&conn.addr, policy)?;
            }
            Ok(conn)
        })();
        self.note_connect(r)
    }

    fn connect_cluster(&self) -> Result<ClusterConnection> {
        let Backend::Cluster { client, .. } = &self.backend else { unreachable!("cluster connection of a node store") };
        self.backoff_check()?;
        let r = (|| {
            let mut conn = client.get_connection().map_err(|e| self.unavailable("connect", &e))?;
            if !self.allow_eviction {
                // Every primary's policy; a node that refuses INFO counts as unreadable.
                let all = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
                let answers = match conn.route_command(redis::cmd("INFO").arg("memory"), all) {
                    Ok(Value::Map(m)) => m,
                    _ => return self.check_policy("the cluster", None).map(|_| conn),
                };
                for (addr, info) in &answers {
                    let addr = redis::from_redis_value::<String>(addr).unwrap_or_default();
                    self.check_policy(&addr, policy_in_info(info))?;
                }
            }
            Ok(conn)
        })();
        self.note_connect(r)
    }

    fn give_back<C>(&self, idle: &Mutex<Vec<C>>, conn: C) {
        if let Ok(mut idle) = idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }

    /// In a process forked after the pool was filled, close the inherited copies.
    fn after_fork(&self) -> Result<()> {
        let me = std::process::id();
        if self.owner.load(Ordering::Acquire) != me {
            match &self.backend {
                Backend::Nodes { idle, .. } => idle.lock().map_err(|_| poisoned())?.clear(),
                Backend::Cluster { idle, .. } => idle.lock().map_err(|_| poisoned())?.clear(),
            }
            *self.retry_after.lock().map_err(|_| poisoned())? = None;
            self.owner.store(me, Ordering::Release);
        }
        Ok(())
    }

    fn set_cmd(key: &str, ttl: u64) -> redis::Cmd {
        let mut c = redis::cmd("SET");
        c.arg(key).arg(1).arg("NX").arg("EX").arg(ttl);
        c
    }

    fn wait_cmd(&self) -> redis::Cmd {
        let mut c = redis::cmd("WAIT");
        c.arg(self.wait_replicas).arg(self.wait_ms);
        c
    }

    /// The answer of `SET NX` (and `WAIT`): recorded, replayed, or not safely recorded.
    fn answer(&self, set: &Value, wait: Option<&Value>) -> RedisResult<NonceCheck> {
        if matches!(set, Value::Nil) {
            return Ok(NonceCheck::Replayed);
        }
        if let Some(w) = wait {
            let acked: i64 = redis::from_redis_value(w)?;
            if acked < i64::from(self.wait_replicas) {
                return Err(RedisError::from((
                    redis::ErrorKind::ResponseError,
                    "nonce not confirmed by enough replicas",
                    format!("WAIT: {acked} of {} replicas acknowledged", self.wait_replicas),
                )));
            }
        }
        Ok(NonceCheck::Fresh)
    }

    fn set_nx_node(&self, conn: &mut Conn, key: &str, ttl: u64) -> RedisResult<NonceCheck> {
        let set = Self::set_cmd(key, ttl);
        if self.wait_replicas == 0 {
            let v = conn.query(&set)?;
            return self.answer(&v, None);
        }
        // One round trip: WAIT after a SET that wrote nothing returns at once.
        let v = conn.pipeline(&[&set, &self.wait_cmd()])?;
        self.answer(&v[0], Some(&v[1]))
    }

    fn set_nx_cluster(&self, conn: &mut ClusterConnection, key: &str, ttl: u64) -> RedisResult<NonceCheck> {
        let set = Self::set_cmd(key, ttl);
        let v: Value = set.query(conn)?;
        if self.wait_replicas == 0 || matches!(v, Value::Nil) {
            return self.answer(&v, None);
        }
        // WAIT has no key; send it to the primary of the key's slot, where SET went.
        let route = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(Route::new(hash_slot(key.as_bytes()), SlotAddr::Master)));
        let w = conn.route_command(&self.wait_cmd(), route)?;
        self.answer(&v, Some(&w))
    }

    /// Run `op` on a pooled or new connection, with one retry on a fresh connection when a
    /// pooled one turns out to be dead.
    fn with_conn<C>(
        &self,
        idle: &Mutex<Vec<C>>,
        connect: impl Fn() -> Result<C>,
        op: impl Fn(&mut C) -> RedisResult<NonceCheck>,
    ) -> Result<NonceCheck> {
        let pooled = idle.lock().map_err(|_| poisoned())?.pop();
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(c) => c,
            None => connect()?,
        };
        match op(&mut conn) {
            Ok(answer) => {
                self.give_back(idle, conn);
                Ok(answer)
            }
            Err(e) => {
                drop(conn);
                // Connections made before this failure are probably broken as well.
                idle.lock().map_err(|_| poisoned())?.clear();
                // A pooled connection may have died with a Redis restart that is already
                // over: one retry on a fresh connection. A timeout is not retried (the
                // server may be stalled, and the caller has waited long enough).
                if reused && !e.is_timeout() && (e.is_connection_dropped() || e.is_io_error()) {
                    let mut fresh = connect()?;
                    let answer = op(&mut fresh).map_err(|e| self.unavailable("SET NX", &e))?;
                    self.give_back(idle, fresh);
                    return Ok(answer);
                }
                Err(self.unavailable("SET NX", &e))
            }
        }
    }
}

/// The cluster hash slot of a key: CRC16-XMODEM of the key, or of its first non-empty
/// `{hash tag}`, modulo 16384 (the Redis Cluster specification's algorithm; the crate's own
/// is private).
fn hash_slot(key: &[u8]) -> u16 {
    let tagged = key
        .iter()
        .position(|&b| b == b'{')
        .and_then(|open| key[open + 1..].iter().position(|&b| b == b'}').filter(|&len| len > 0).map(|len| &key[open + 1..open + 1 + len]));
    let mut crc: u16 = 0;
    for &b in tagged.unwrap_or(key) {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc % 16384
}

impl NonceStore for RedisStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck> {
        self.after_fork()?;
        let key = format!("{}:{key_id}:{nonce}", self.prefix);
        // Whole seconds, rounded up: never expire early.
        let ttl = ttl.as_secs().saturating_add(u64::from(ttl.subsec_nanos() > 0)).max(1);
        match &self.backend {
            Backend::Nodes { idle, .. } => self.with_conn(idle, || self.connect_node(), |c| self.set_nx_node(c, &key, ttl)),
            Backend::Cluster { idle, .. } => self.with_conn(idle, || self.connect_cluster(), |c| self.set_nx_cluster(c, &key, ttl)),
        }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_slots_match_the_cluster_specification() {
        // The specification's check value and examples (CLUSTER KEYSLOT on a real cluster
        // is compared in tests/replay_redis.rs).
        assert_eq!(super::hash_slot(b"123456789"), 0x31C3 % 16384);
        assert_eq!(super::hash_slot(b"{user1000}.following"), super::hash_slot(b"user1000"));
        assert_ne!(super::hash_slot(b"foo{}{bar}"), super::hash_slot(b"bar"));
    }
}
