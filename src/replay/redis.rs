//! Nonce store in Redis, shared by every host.
//!
//! One command per check: `SET {prefix}:{key_id}:{nonce} 1 NX EX {ttl}` sets the key only
//! if it is absent, atomically in Redis, and expires it by itself. Key ids are printable
//! ASCII without spaces and nonces are hex, so the key is unambiguous.
//!
//! Every failure — connect refused or timed out, a command timeout, an error reply — is
//! `NONCE_STORE_UNAVAILABLE`. Connections are pooled per store; a broken one is dropped,
//! and a new one is made on the next check, so verification recovers by itself when Redis
//! returns. After a failed connect, checks fail at once for a short back-off instead of
//! each waiting out the connect timeout.
//!
//! Retrying is safe in one direction only, and that is the one used: if a `SET NX` reached
//! Redis but its reply was lost, the retry sees the key and reports a replay — a refused
//! request, never a nonce accepted twice.

use super::url::RedisUrl;
use super::{NonceCheck, NonceStore};
use crate::error::{Error, Result, Status};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most idle connections kept per store.
const MAX_IDLE: usize = 16;
/// After a failed connect, checks fail without trying again for this long.
const CONNECT_BACKOFF: Duration = Duration::from_millis(250);

/// A nonce store in Redis.
pub struct RedisStore {
    client: ::redis::Client,
    describe: String,
    prefix: String,
    connect_timeout: Duration,
    command_timeout: Duration,
    idle: Mutex<Vec<::redis::Connection>>,
    retry_after: Mutex<Option<Instant>>,
}

impl RedisStore {
    /// Connect to the Redis of a `redis://` URL (checking that it answers), with its
    /// timeouts. Fails with `NONCE_STORE_UNAVAILABLE` when it cannot be reached.
    pub fn open(url: &str) -> Result<RedisStore> {
        match super::url::StoreUrl::parse(url)? {
            super::url::StoreUrl::Redis(r) => RedisStore::from_url(&r),
            _ => Err(Error::invalid("RedisStore::open needs a redis:// URL")),
        }
    }

    pub(crate) fn from_url(r: &RedisUrl) -> Result<RedisStore> {
        let info = ::redis::ConnectionInfo {
            addr: ::redis::ConnectionAddr::Tcp(r.host.clone(), r.port),
            redis: ::redis::RedisConnectionInfo {
                db: r.db,
                username: r.username.clone(),
                password: r.password.clone(),
                protocol: ::redis::ProtocolVersion::RESP2,
            },
        };
        let client = ::redis::Client::open(info).map_err(|e| Error::invalid(format!("redis nonce store {}: {e}", r.describe())))?;
        let store = RedisStore {
            client,
            describe: r.describe(),
            prefix: r.prefix.clone(),
            connect_timeout: Duration::from_millis(r.connect_timeout_ms),
            command_timeout: Duration::from_millis(r.timeout_ms),
            idle: Mutex::new(Vec::new()),
            retry_after: Mutex::new(None),
        };
        let mut conn = store.connect()?;
        ::redis::cmd("PING").query::<String>(&mut conn).map_err(|e| store.unavailable("PING", &e))?;
        store.give_back(conn);
        Ok(store)
    }

    fn unavailable(&self, what: &str, e: &::redis::RedisError) -> Error {
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

    fn connect(&self) -> Result<::redis::Connection> {
        let mut retry = self.retry_after.lock().map_err(|_| poisoned())?;
        if let Some(t) = *retry {
            if Instant::now() < t {
                return Err(Error::new(
                    Status::NonceStoreUnavailable,
                    format!("redis nonce store {}: unreachable a moment ago; retrying shortly", self.describe),
                ));
            }
        }
        let conn = self.client.get_connection_with_timeout(self.connect_timeout).and_then(|c| {
            c.set_read_timeout(Some(self.command_timeout))?;
            c.set_write_timeout(Some(self.command_timeout))?;
            Ok(c)
        });
        match conn {
            Ok(c) => {
                *retry = None;
                Ok(c)
            }
            Err(e) => {
                *retry = Some(Instant::now() + CONNECT_BACKOFF);
                Err(self.unavailable("connect", &e))
            }
        }
    }

    fn give_back(&self, conn: ::redis::Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }

    fn set_nx(&self, conn: &mut ::redis::Connection, key: &str, ttl: u64) -> ::redis::RedisResult<NonceCheck> {
        let reply: Option<String> = ::redis::cmd("SET").arg(key).arg(1).arg("NX").arg("EX").arg(ttl).query(conn)?;
        Ok(match reply {
            Some(_) => NonceCheck::Fresh,
            None => NonceCheck::Replayed,
        })
    }
}

fn poisoned() -> Error {
    Error::new(Status::NonceStoreUnavailable, "redis nonce store lock poisoned")
}

impl NonceStore for RedisStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, ttl: Duration) -> Result<NonceCheck> {
        let key = format!("{}:{key_id}:{nonce}", self.prefix);
        // Whole seconds, rounded up: never expire early.
        let ttl = ttl.as_secs().saturating_add(u64::from(ttl.subsec_nanos() > 0)).max(1);
        let pooled = self.idle.lock().map_err(|_| poisoned())?.pop();
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(c) => c,
            None => self.connect()?,
        };
        match self.set_nx(&mut conn, &key, ttl) {
            Ok(answer) => {
                self.give_back(conn);
                Ok(answer)
            }
            Err(e) => {
                drop(conn);
                // Connections made before this failure are probably broken as well.
                self.idle.lock().map_err(|_| poisoned())?.clear();
                // A pooled connection may have died with a Redis restart that is already
                // over: one retry on a fresh connection. A timeout is not retried (the
                // server may be stalled, and the caller has waited long enough).
                if reused && !e.is_timeout() && (e.is_connection_dropped() || e.is_io_error()) {
                    let mut fresh = self.connect()?;
                    let answer = self.set_nx(&mut fresh, &key, ttl).map_err(|e| self.unavailable("SET NX", &e))?;
                    self.give_back(fresh);
                    return Ok(answer);
                }
                Err(self.unavailable("SET NX", &e))
            }
        }
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}
