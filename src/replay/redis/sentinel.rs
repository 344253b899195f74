//! Finding the current primary through Redis Sentinel.
//!
//! Each new connection asks the Sentinels, in the URL's order, which server is the primary of
//! the service, then checks with `ROLE` that the server agrees: during a failover a Sentinel
//! may still name the old primary, and writing there would record a nonce that the new
//! primary does not hold. The Sentinel connections are opened for the question and closed
//! after it, so no socket outlives the question (nothing to inherit across `fork`, nothing
//! to go stale between failovers).

use super::conn::{Conn, ConnSettings};
use redis::{ErrorKind, RedisError, RedisResult, Value};

/// The Sentinels of one service.
pub(crate) struct Sentinels {
    pub nodes: Vec<(String, u16)>,
    pub service: String,
    /// Credentials for the Sentinels themselves (not the data nodes'), same TLS.
    pub settings: ConnSettings,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

impl Sentinels {
    /// The address the first answering Sentinel gives for the service's primary.
    fn primary_address(&self) -> RedisResult<(String, u16)> {
        let mut last = RedisError::from((ErrorKind::InvalidClientConfig, "no Sentinel given"));
        for (host, port) in &self.nodes {
            let answer = Conn::open(host, *port, &self.settings)
                .and_then(|mut c| c.query(redis::cmd("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg(&self.service)));
            match answer {
                Ok(Value::Array(a)) if a.len() == 2 => {
                    if let (Some(h), Some(p)) = (text(&a[0]), text(&a[1]).and_then(|p| p.parse::<u16>().ok())) {
                        return Ok((h, p));
                    }
                    last = RedisError::from((ErrorKind::ParseError, "Sentinel gave a malformed address"));
                }
                Ok(_) => last = RedisError::from((ErrorKind::ResponseError, "Sentinel does not know this service")),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// A connection to the primary, which `ROLE` confirms is one.
    pub fn connect_primary(&self, data: &ConnSettings) -> RedisResult<Conn> {
        let (host, port) = self.primary_address()?;
        let mut conn = Conn::open(&host, port, data)?;
        match conn.query(&redis::cmd("ROLE"))? {
            Value::Array(a) if a.first().and_then(text).as_deref() == Some("master") => Ok(conn),
            _ => Err(RedisError::from((ErrorKind::ReadOnly, "the server Sentinel named is not a primary (failover in progress)"))),
        }
    }
}
