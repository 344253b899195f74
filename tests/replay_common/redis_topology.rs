//! Redis servers of our own on loopback ports, for the tests and scripts/redis-faults: one
//! server (plain or TLS, with certificates made here by openssl), a primary with a replica
//! and three Sentinels, and a cluster of three primaries with a replica each. Each waits for
//! its ready state (a PING answer, the Sentinels knowing the replica and each other, every
//! cluster node reporting `cluster_state:ok` and every replica linked) instead of sleeping,
//! and kills what it started on drop.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A loopback port nobody listens on right now (below 55536, so that a cluster bus port
/// of port + 10000 exists).
pub fn free_port() -> u16 {
    loop {
        let p = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if p <= 55535 && TcpListener::bind(("127.0.0.1", p + 10000)).is_ok() {
            return p;
        }
    }
}

/// Poll `ready` until it holds, up to `secs` seconds: waiting for a state, not a duration.
pub fn wait_for(what: &str, secs: u64, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A plain connection for inspecting a server (TTL, DBSIZE, INFO); short timeouts.
pub fn inspect(port: u16) -> redis::RedisResult<redis::Connection> {
    let c = redis::Client::open(format!("redis://127.0.0.1:{port}/"))?.get_connection_with_timeout(Duration::from_millis(500))?;
    c.set_read_timeout(Some(Duration::from_secs(5)))?;
    Ok(c)
}

/// `INFO section` of a server as text, or empty when it does not answer.
pub fn info(port: u16, section: &str) -> String {
    inspect(port).and_then(|mut c| redis::cmd("INFO").arg(section).query::<String>(&mut c)).unwrap_or_default()
}

/// A fresh directory under the system temp dir.
pub fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("signwire-{name}-{}-{}", std::process::id(), free_port()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A redis-server of our own on a loopback port, stopped on drop. By default it keeps no
/// data on disk; [`RedisServer::persistent`] appends every write to a file and fsyncs it
/// before answering, so that a killed and restarted server still knows every nonce.
pub struct RedisServer {
    pub port: u16,
    pub dir: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// With extra redis-server arguments (`--tls-port`, `--replicaof`...).
    pub fn start_with(extra: &[String]) -> RedisServer {
        let port = free_port();
        let dir = fresh_dir(&format!("redis-{port}"));
        let mut args: Vec<String> = ["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(["--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"].map(String::from));
        args.extend(["--dir".to_string(), dir.display().to_string()]);
        args.extend(extra.iter().cloned());
        let mut s = RedisServer { port, dir, args, child: None };
        s.restart();
        s
    }

    /// Every write in an append-only file, fsynced before the reply.
    pub fn persistent(extra: &[String]) -> RedisServer {
        let mut a: Vec<String> = ["--appendonly", "yes", "--appendfsync", "always"].map(String::from).to_vec();
        a.extend(extra.iter().cloned());
        RedisServer::start_with(&a)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0?connect_timeout_ms=300&timeout_ms=300", self.port)
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Start (again) on the same port and wait until it answers (and has loaded its data).
    pub fn restart(&mut self) {
        assert!(self.child.is_none());
        let child = Command::new("redis-server")
            .args(&self.args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/deps/apt-replay.txt)");
        self.child = Some(child);
        let port = self.port;
        wait_for(&format!("redis-server on port {port}"), 20, || {
            inspect(port).and_then(|mut c| redis::cmd("PING").query::<String>(&mut c)).is_ok_and(|p| p == "PONG")
        });
    }

    /// Kill it (SIGKILL: no goodbye to clients) and wait until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::piped()).output().expect("openssl must be installed");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A CA, a server certificate for `redis.test` and 127.0.0.1, and a client certificate,
/// made by openssl in a fresh directory.
pub struct Certs {
    pub dir: PathBuf,
}

impl Certs {
    pub fn make() -> Certs {
        let dir = fresh_dir("certs");
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=signwire test CA", "-keyout", "ca.key", "-out", "ca.pem"];
        ca.extend(ec);
        openssl(&dir, &ca);
        std::fs::write(dir.join("server.ext"), "subjectAltName=DNS:redis.test,IP:127.0.0.1\n").unwrap();
        std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        for who in ["server", "client"] {
            let (key, csr, pem, ext, subj) = (format!("{who}.key"), format!("{who}.csr"), format!("{who}.pem"), format!("{who}.ext"), format!("/CN={who}"));
            let mut req = vec!["req", "-subj", &subj, "-keyout", &key, "-out", &csr];
            req.extend(ec);
            openssl(&dir, &req);
            openssl(&dir, &["x509", "-req", "-days", "2", "-in", &csr, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", &pem, "-extfile", &ext]);
        }
        // A second CA that signed nothing here: trusting it must fail.
        let mut other = vec!["req", "-x509", "-days", "2", "-subj", "/CN=other CA", "-keyout", "other-ca.key", "-out", "other-ca.pem"];
        other.extend(ec);
        openssl(&dir, &other);
        Certs { dir }
    }

    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).display().to_string()
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A redis-server with a TLS port that requires client certificates, beside a plain port on
/// which the tests inspect it.
pub struct TlsRedis {
    pub certs: Certs,
    pub tls_port: u16,
    pub server: RedisServer,
}

impl TlsRedis {
    pub fn start(persistent: bool) -> TlsRedis {
        let certs = Certs::make();
        let tls_port = free_port();
        let args: Vec<String> = vec![
            "--tls-port".into(),
            tls_port.to_string(),
            "--tls-cert-file".into(),
            certs.path("server.pem"),
            "--tls-key-file".into(),
            certs.path("server.key"),
            "--tls-ca-cert-file".into(),
            certs.path("ca.pem"),
            "--tls-auth-clients".into(),
            "yes".into(),
        ];
        let server = if persistent { RedisServer::persistent(&args) } else { RedisServer::start_with(&args) };
        TlsRedis { certs, tls_port, server }
    }

    /// A rediss:// URL with the CA, the client certificate and the server name.
    pub fn url(&self) -> String {
        format!(
            "rediss://127.0.0.1:{}/0?connect_timeout_ms=300&timeout_ms=300&ca_file={}&cert_file={}&key_file={}&server_name=redis.test",
            self.tls_port,
            self.certs.path("ca.pem"),
            self.certs.path("client.pem"),
            self.certs.path("client.key")
        )
    }
}

/// A primary, one replica and three Sentinels watching them as `mymaster`.
pub struct SentinelSet {
    pub nodes: Vec<RedisServer>,
    pub sentinels: Vec<(u16, Child, PathBuf)>,
}

/// What a Sentinel says the primary's port is.
pub fn sentinel_primary(sentinel: u16) -> Option<u16> {
    let mut c = inspect(sentinel).ok()?;
    let a: Vec<String> = redis::cmd("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg("mymaster").query(&mut c).ok()?;
    a.get(1)?.parse().ok()
}

impl SentinelSet {
    pub fn start() -> SentinelSet {
        // Two replicas: after the primary is lost, the one not promoted still confirms writes.
        let primary = RedisServer::start();
        let replicas: Vec<RedisServer> = (0..2).map(|_| RedisServer::start_with(&["--replicaof".into(), "127.0.0.1".into(), primary.port.to_string()])).collect();
        let pp = primary.port;
        for r in &replicas {
            let rp = r.port;
            wait_for("the replica to sync", 30, || info(rp, "replication").contains("master_link_status:up"));
        }
        let mut sentinels = Vec::new();
        for _ in 0..3 {
            let port = free_port();
            let dir = fresh_dir(&format!("sentinel-{port}"));
            let conf = dir.join("sentinel.conf");
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor mymaster 127.0.0.1 {pp} 2\n\
                     sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 4000\n\
                     sentinel parallel-syncs mymaster 1\n",
                    dir.display()
                ),
            )
            .unwrap();
            let child = Command::new("redis-sentinel")
                .arg(&conf)
                .args(["--loglevel", "warning"])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-sentinel must be installed (scripts/deps/apt-replay.txt)");
            sentinels.push((port, child, dir));
        }
        let mut nodes = vec![primary];
        nodes.extend(replicas);
        let set = SentinelSet { nodes, sentinels };
        for (port, _, _) in &set.sentinels {
            let port = *port;
            wait_for("each Sentinel to know the primary, the replica and the other Sentinels", 60, || {
                let Ok(mut c) = inspect(port) else { return false };
                let replicas: Vec<redis::Value> = redis::cmd("SENTINEL").arg("REPLICAS").arg("mymaster").query(&mut c).unwrap_or_default();
                let others: Vec<redis::Value> = redis::cmd("SENTINEL").arg("SENTINELS").arg("mymaster").query(&mut c).unwrap_or_default();
                sentinel_primary(port) == Some(pp) && replicas.len() == 2 && others.len() == 2
            });
        }
        set
    }

    pub fn url(&self) -> String {
        let s: Vec<String> = self.sentinels.iter().map(|(p, _, _)| format!("127.0.0.1:{p}")).collect();
        format!("redis+sentinel://{}/mymaster?connect_timeout_ms=300&timeout_ms=300", s.join(","))
    }

    /// Index in `nodes` of the server the Sentinels call primary.
    pub fn primary(&self) -> usize {
        let port = sentinel_primary(self.sentinels[0].0).expect("Sentinel answers");
        self.nodes.iter().position(|n| n.port == port).unwrap()
    }

    /// Kill the primary, wait until the Sentinels have promoted the replica, then start the
    /// old primary again: it returns empty (no data on disk), and only after the failover
    /// may it come back, so that it rejoins as a replica instead of as an empty primary.
    /// Returns (killed at, new primary named at, old node resynced at).
    pub fn fail_over(&mut self, restart_old: bool) -> (Instant, Instant, Instant) {
        let old = self.primary();
        let old_port = self.nodes[old].port;
        let killed = Instant::now();
        self.nodes[old].stop();
        let watch: Vec<u16> = self.sentinels.iter().map(|(p, _, _)| *p).collect();
        wait_for("the Sentinels to promote the replica", 60, || watch.iter().all(|s| sentinel_primary(*s).is_some_and(|p| p != old_port)));
        let promoted = Instant::now();
        let new_port = sentinel_primary(watch[0]).unwrap();
        wait_for("the new primary to take writes", 30, || info(new_port, "replication").contains("role:master"));
        if !restart_old {
            return (killed, promoted, Instant::now());
        }
        self.nodes[old].restart();
        wait_for("the old primary to rejoin as a synced replica", 60, || {
            info(old_port, "replication").contains(&format!("master_port:{new_port}")) && info(old_port, "replication").contains("master_link_status:up")
        });
        (killed, promoted, Instant::now())
    }
}

impl Drop for SentinelSet {
    fn drop(&mut self) {
        for (_, c, dir) in &mut self.sentinels {
            let _ = c.kill();
            let _ = c.wait();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Three primaries with a replica each, built by `redis-cli --cluster create`.
pub struct Cluster {
    pub nodes: Vec<RedisServer>,
}

impl Cluster {
    pub fn start() -> Cluster {
        let nodes: Vec<RedisServer> = (0..6)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled".into(),
                    "yes".into(),
                    "--cluster-node-timeout".into(),
                    "1000".into(),
                    "--cluster-config-file".into(),
                    "nodes.conf".into(),
                ])
            })
            .collect();
        let mut create = Command::new("redis-cli");
        create.args(["--cluster", "create"]);
        for n in &nodes {
            create.arg(format!("127.0.0.1:{}", n.port));
        }
        let out = create.args(["--cluster-replicas", "1", "--cluster-yes"]).output().expect("redis-cli must be installed");
        assert!(out.status.success(), "redis-cli --cluster create: {}", String::from_utf8_lossy(&out.stdout));
        let c = Cluster { nodes };
        c.wait_healthy();
        c
    }

    /// Every running node sees a full cluster, and every replica is linked to its primary.
    pub fn wait_healthy(&self) {
        for n in self.nodes.iter().filter(|n| n.is_running()) {
            let port = n.port;
            wait_for("cluster_state:ok and linked replicas", 60, || {
                let Ok(mut c) = inspect(port) else { return false };
                let ok = redis::cmd("CLUSTER").arg("INFO").query::<String>(&mut c).is_ok_and(|i| i.contains("cluster_state:ok"));
                let r = info(port, "replication");
                ok && (r.contains("role:master") || r.contains("master_link_status:up"))
            });
        }
    }

    pub fn url(&self) -> String {
        let seeds: Vec<String> = self.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        format!("redis+cluster://{}?connect_timeout_ms=300&timeout_ms=300", seeds.join(","))
    }

    /// Indexes of the nodes that are primaries now.
    pub fn primaries(&self) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].is_running() && info(self.nodes[i].port, "replication").contains("role:master")).collect()
    }

    /// Kill primary `i`, wait until its replica has taken over its slots, then start it
    /// again so that it rejoins as that replica's replica. Returns (killed, promoted, rejoined).
    pub fn fail_over(&mut self, i: usize) -> (Instant, Instant, Instant) {
        let port = self.nodes[i].port;
        let replica = (0..self.nodes.len())
            .find(|&j| info(self.nodes[j].port, "replication").contains(&format!("master_port:{port}")))
            .expect("the primary has a replica");
        let rport = self.nodes[replica].port;
        let killed = Instant::now();
        self.nodes[i].stop();
        wait_for("the replica to take over", 60, || info(rport, "replication").contains("role:master"));
        let promoted = Instant::now();
        self.nodes[i].restart();
        wait_for("the old primary to rejoin as a replica", 60, || info(port, "replication").contains("master_link_status:up"));
        self.wait_healthy();
        (killed, promoted, Instant::now())
    }
}
