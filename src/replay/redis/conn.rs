//! One connection to one Redis server, over TCP or TLS, with the store's timeouts.
//!
//! The redis crate encodes commands and parses replies; the socket is ours, so that TLS can
//! check a `server_name` other than the host dialled, trust a CA file and present a client
//! certificate, and so that every step (connect, handshake, AUTH, each reply) is bounded by
//! the URL's timeouts.

use super::super::url::{host_port, TlsOptions};
use crate::error::{Error, Result};
use redis::{Cmd, ErrorKind, RedisError, RedisResult, Value};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

/// What every connection of a store needs: timeouts, credentials, TLS.
pub(crate) struct ConnSettings {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls: Option<Tls>,
}

/// A TLS client configuration built once from the URL's files.
pub(crate) struct Tls {
    config: Arc<rustls::ClientConfig>,
    server_name: Option<String>,
}

impl Tls {
    /// Read the CA, certificate and key files. A file that cannot be read or parsed is a
    /// configuration mistake: `INVALID_ARGUMENT`, naming the file but never its contents.
    pub fn new(t: &TlsOptions) -> Result<Tls> {
        let read = |name: &str, path: &str| std::fs::read(path).map_err(|e| Error::invalid(format!("redis {name} {path}: {e}")));
        let mut roots = rustls::RootCertStore::empty();
        match &t.ca_file {
            Some(path) => {
                let pem = read("ca_file", path)?;
                for cert in CertificateDer::pem_slice_iter(&pem) {
                    let cert = cert.map_err(|e| Error::invalid(format!("redis ca_file {path}: {e}")))?;
                    roots.add(cert).map_err(|e| Error::invalid(format!("redis ca_file {path}: {e}")))?;
                }
                if roots.is_empty() {
                    return Err(Error::invalid(format!("redis ca_file {path}: no certificate in it")));
                }
            }
            None => {
                // The system's roots, for managed Redis with publicly trusted certificates.
                let found = rustls_native_certs::load_native_certs();
                for cert in found.certs {
                    let _ = roots.add(cert);
                }
                if roots.is_empty() {
                    return Err(Error::invalid("rediss:// without ca_file needs the system's CA certificates, and none were found"));
                }
            }
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::invalid(format!("redis TLS: {e}")))?
            .with_root_certificates(roots);
        let config = match (&t.cert_file, &t.key_file) {
            (Some(cert), Some(key)) => {
                let chain = CertificateDer::pem_slice_iter(&read("cert_file", cert)?)
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::invalid(format!("redis cert_file {cert}: {e}")))?;
                if chain.is_empty() {
                    return Err(Error::invalid(format!("redis cert_file {cert}: no certificate in it")));
                }
                // The key's parse error names only the file, never key material.
                let k = PrivateKeyDer::from_pem_slice(&read("key_file", key)?).map_err(|_| Error::invalid(format!("redis key_file {key}: no PEM private key in it")))?;
                builder.with_client_auth_cert(chain, k).map_err(|e| Error::invalid(format!("redis cert_file/key_file: {e}")))?
            }
            _ => builder.with_no_client_auth(),
        };
        Ok(Tls { config: Arc::new(config), server_name: t.server_name.clone() })
    }
}

enum Stream {
    Tcp(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// An open, authenticated connection with its database selected.
pub(crate) struct Conn {
    stream: Stream,
    parser: redis::Parser,
    /// `host:port` of the server, for messages and to tell servers apart.
    pub addr: String,
}

fn connect_tcp(host: &str, port: u16, s: &ConnSettings) -> RedisResult<TcpStream> {
    let mut last = None;
    for a in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&a, s.connect_timeout) {
            Ok(tcp) => {
                tcp.set_nodelay(true)?;
                tcp.set_read_timeout(Some(s.timeout))?;
                tcp.set_write_timeout(Some(s.timeout))?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or_else(|| RedisError::from((ErrorKind::InvalidClientConfig, "host resolves to no address")), RedisError::from))
}

impl Conn {
    /// Connect, finish the TLS handshake, authenticate and select the database.
    pub fn open(host: &str, port: u16, s: &ConnSettings) -> RedisResult<Conn> {
        let mut tcp = connect_tcp(host, port, s)?;
        // The handshake is bounded by the connect timeout, then replies by the command timeout.
        tcp.set_read_timeout(Some(s.connect_timeout))?;
        let stream = match &s.tls {
            None => Stream::Tcp(tcp),
            Some(tls) => {
                let name = tls.server_name.as_deref().unwrap_or(host);
                let name = ServerName::try_from(name.to_string())
                    .map_err(|_| RedisError::from((ErrorKind::InvalidClientConfig, "TLS server name is not a valid DNS name or IP address")))?;
                let mut c = rustls::ClientConnection::new(tls.config.clone(), name)
                    .map_err(|e| RedisError::from((ErrorKind::InvalidClientConfig, "TLS", e.to_string())))?;
                while c.is_handshaking() {
                    c.complete_io(&mut tcp)?;
                }
                Stream::Tls(Box::new(rustls::StreamOwned::new(c, tcp)))
            }
        };
        let mut conn = Conn { stream, parser: redis::Parser::new(), addr: host_port(host, port) };
        if let Some(pw) = &s.password {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = &s.username {
                auth.arg(user);
            }
            conn.query(auth.arg(pw))?;
        }
        if s.db != 0 {
            conn.query(redis::cmd("SELECT").arg(s.db))?;
        }
        conn.tcp().set_read_timeout(Some(s.timeout))?;
        Ok(conn)
    }

    fn tcp(&self) -> &TcpStream {
        match &self.stream {
            Stream::Tcp(s) => s,
            Stream::Tls(s) => s.get_ref(),
        }
    }

    /// Send commands in one write and read their replies; a server error in any is an error.
    pub fn pipeline(&mut self, cmds: &[&Cmd]) -> RedisResult<Vec<Value>> {
        let mut packed = Vec::new();
        for c in cmds {
            c.write_packed_command(&mut packed);
        }
        self.stream.write_all(&packed)?;
        self.stream.flush()?;
        let mut out = Vec::with_capacity(cmds.len());
        for _ in cmds {
            out.push(self.parser.parse_value(&mut self.stream)?);
        }
        out.into_iter().map(Value::extract_error).collect()
    }

    /// One command, one reply.
    pub fn query(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        Ok(self.pipeline(&[cmd])?.remove(0))
    }
}
