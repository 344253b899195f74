//! The Redis nonce store against real redis-servers on loopback ports: one server (plain,
//! TLS, ACL users, eviction policies), a primary + replica + three Sentinels, and a cluster
//! of three primaries with replicas. These need Debian's redis-server, redis-sentinel and
//! openssl, so they are ignored in a plain `cargo test`; suite 40-replay runs every ignored
//! test of this file (`--ignored`, no name filter) after scripts/deps/apt-replay.txt.
//! Nothing here waits a fixed time: outages are placed by killing a server and waiting for
//! its death, recoveries by waiting for a server's state or for the first accepted request.

mod replay_common;

use replay_common::*;
use signwire::replay::{NonceCheck, NonceStore, RedisStore};
use signwire::Status;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(360);

#[test]
#[ignore = "child process of the race tests"]
fn race_worker_process() {
    race_worker();
}

/// Verify `reqs` until one is accepted, expecting only NONCE_STORE_UNAVAILABLE before.
fn until_accepted(v: &signwire::Verifier, reqs: &[Signed]) -> usize {
    let mut refused = 0;
    for (i, r) in reqs.iter().enumerate() {
        match v.verify(&r.request()) {
            Ok(_) => return i,
            Err(e) => {
                assert_eq!(e.status(), Status::NonceStoreUnavailable, "{e}");
                refused += 1;
                // Poll interval while the store reconnects (its back-off is 250 ms).
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    panic!("never recovered ({refused} refusals)");
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_race_eight_processes_accept_each_nonce_exactly_once() {
    let server = RedisServer::start();
    let r = race("race_worker_process", &format!("redis://127.0.0.1:{}/2?timeout_ms=5000", server.port), 10_000, 8);
    assert_each_accepted_once(&r, 10_000, 8);
    // Redis holds one key per accepted nonce, under the documented name (prefix, scheme,
    // nonce), in database 2,
    // with a TTL.
    let mut conn = redis::Client::open(format!("redis://127.0.0.1:{}/2", server.port)).unwrap().get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("signwire:hopnow:*")).query(&mut conn).unwrap();
    assert_eq!(keys.len(), 10_000);
    let ttl: i64 = redis::cmd("TTL").arg(&keys[0]).query(&mut conn).unwrap();
    assert!((300..=360).contains(&ttl), "TTL {ttl} should be about max age + skew (360 s)");
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_outage_fails_closed_accepts_nothing_and_recovers() {
    let mut server = RedisServer::start();
    let v = verifier(&server.url());
    let reqs = sign_requests(400, SECRET);
    for r in &reqs[..10] {
        v.verify(&r.request()).unwrap();
    }
    server.stop();
    // Fresh requests and replays alike: refused, as unavailable, none accepted.
    for r in reqs[10..40].iter().chain(&reqs[..5]) {
        assert_eq!(v.verify(&r.request()).unwrap_err().status(), Status::NonceStoreUnavailable);
    }
    server.restart();
    // Recovers by itself without rebuilding the verifier.
    let first = until_accepted(&v, &reqs[40..]) + 40;
    // The requests refused during the outage were never recorded.
    for r in &reqs[10..40] {
        v.verify(&r.request()).unwrap();
    }
    assert_eq!(v.verify(&reqs[10].request()).unwrap_err().status(), Status::NonceReplayed);
    assert_eq!(v.verify(&reqs[first].request()).unwrap_err().status(), Status::NonceReplayed);
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_mid_run_outage_under_concurrent_load() {
    // Four threads verify a stream of fresh requests while Redis is killed and restarted.
    // The outage starts once 200 requests were accepted and ends once the threads have seen
    // 40 refusals; the run ends once 200 more were accepted after the restart. Nothing is
    // accepted while Redis is down, no request twice, every failure is unavailable.
    let mut server = RedisServer::start();
    let v = Arc::new(verifier(&server.url()));
    let reqs = Arc::new(sign_requests(20_000, SECRET));
    let (next, accepted, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (down, done, bad) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (v, reqs, next, accepted, refused, down, done, bad) =
                (v.clone(), reqs.clone(), next.clone(), accepted.clone(), refused.clone(), down.clone(), done.clone(), bad.clone());
            std::thread::spawn(move || {
                let (mut ok, mut i) = (Vec::new(), next.fetch_add(1, SeqCst));
                while !done.load(SeqCst) {
                    let Some(r) = reqs.get(i) else { break };
                    let was_down = down.load(SeqCst);
                    match v.verify(&r.request()) {
                        Ok(_) => {
                            if was_down && down.load(SeqCst) {
                                bad.fetch_add(1, SeqCst);
                            }
                            accepted.fetch_add(1, SeqCst);
                            ok.push(i);
                            i = next.fetch_add(1, SeqCst);
                        }
                        Err(e) => {
                            assert_eq!(e.status(), Status::NonceStoreUnavailable, "{e}");
                            refused.fetch_add(1, SeqCst);
                            // The same request again (refused, so never recorded): the
                            // outage must not use up the pool.
                            std::thread::yield_now();
                        }
                    }
                }
                ok
            })
        })
        .collect();
    wait_for("200 acceptances before the outage", 60, || accepted.load(SeqCst) >= 200);
    // The flag is up only while the process is certainly dead: set after kill+wait, cleared
    // before the restart begins.
    server.stop();
    down.store(true, SeqCst);
    let refused_before = refused.load(SeqCst);
    wait_for("40 refusals during the outage", 60, || refused.load(SeqCst) >= refused_before + 40);
    down.store(false, SeqCst);
    server.restart();
    let after = accepted.load(SeqCst);
    wait_for("200 acceptances after the restart", 60, || accepted.load(SeqCst) >= after + 200);
    done.store(true, SeqCst);
    let mut ok: Vec<usize> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert_eq!(bad.load(SeqCst), 0, "accepted while Redis was down");
    let n = ok.len();
    ok.sort();
    ok.dedup();
    assert_eq!(ok.len(), n, "a request was accepted twice");
    // After the restart Redis is empty (no persistence in this test), yet the requests
    // accepted after the restart are remembered.
    let last = *ok.last().unwrap();
    assert_eq!(v.verify(&reqs[last].request()).unwrap_err().status(), Status::NonceReplayed);
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_persistent_server_remembers_nonces_across_a_kill() {
    // With appendfsync always, an acknowledged nonce is on disk before the reply: a server
    // killed and restarted still refuses the replay (the setup docs/REDIS.md asks for).
    let mut server = RedisServer::persistent(&[]);
    let v = verifier(&server.url());
    let reqs = sign_requests(200, SECRET);
    for r in &reqs[..50] {
        v.verify(&r.request()).unwrap();
    }
    server.stop();
    server.restart();
    let first = until_accepted(&v, &reqs[50..]);
    assert!(first < 150);
    for r in &reqs[..50] {
        assert_eq!(v.verify(&r.request()).unwrap_err().status(), Status::NonceReplayed);
    }
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_store_semantics_ttl_and_password() {
    let server = RedisServer::start();
    let store = RedisStore::open(&format!("redis://127.0.0.1:{}/1?prefix=app1", server.port)).unwrap();
    assert_eq!(store.describe(), format!("redis://127.0.0.1:{}/1", server.port));
    let ttl = Duration::from_millis(1500);
    assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Fresh);
    assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Replayed);
    assert_eq!(store.check_and_record("k2", "aa", ttl).unwrap(), NonceCheck::Fresh);
    let mut conn = redis::Client::open(format!("redis://127.0.0.1:{}/1", server.port)).unwrap().get_connection().unwrap();
    let pttl: i64 = redis::cmd("PTTL").arg("app1:k1:aa").query(&mut conn).unwrap();
    assert!((1501..=2000).contains(&pttl), "1.5 s rounds up to 2 s, never down: PTTL {pttl}");
    // Expired in Redis (made to expire now instead of waiting): fresh again.
    let _: i64 = redis::cmd("PEXPIRE").arg("app1:k1:aa").arg(1).query(&mut conn).unwrap();
    wait_for("the key to expire", 10, || redis::cmd("EXISTS").arg("app1:k1:aa").query::<i64>(&mut conn).unwrap() == 0);
    assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Fresh);
    // A password Redis does not accept is NONCE_STORE_UNAVAILABLE, and the message hides it.
    let _: () = redis::cmd("CONFIG").arg("SET").arg("requirepass").arg("s3cret-pass").query(&mut conn).unwrap();
    let e = RedisStore::open(&format!("redis://:wrong-pass@127.0.0.1:{}/0", server.port)).err().unwrap();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    assert!(!e.message().contains("wrong-pass"), "{}", e.message());
    let ok = RedisStore::open(&format!("redis://:s3cret-pass@127.0.0.1:{}/0", server.port)).unwrap();
    assert_eq!(ok.check_and_record("k1", "bb", ttl).unwrap(), NonceCheck::Fresh);
    assert!(!ok.describe().contains("s3cret"));
    assert!(!format!("{:?}", signwire::replay::open(&format!("redis://:s3cret-pass@127.0.0.1:{}/0", server.port)).unwrap()).contains("s3cret"));
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_acl_user_and_database() {
    let server = RedisServer::start();
    let mut admin = inspect(server.port).unwrap();
    // A user that may only write signwire keys and read the eviction policy.
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "app", "on", ">app-pass-1", "~signwire:*", "resetchannels", "+set", "+select", "+ping", "+info", "+auth"])
        .query(&mut admin)
        .unwrap();
    let url = format!("redis://app:app-pass-1@127.0.0.1:{}/3", server.port);
    let store = RedisStore::open(&url).unwrap();
    assert_eq!(store.check_and_record("k", "01", TTL).unwrap(), NonceCheck::Fresh);
    assert_eq!(store.check_and_record("k", "01", TTL).unwrap(), NonceCheck::Replayed);
    let _: () = redis::cmd("SELECT").arg(3).query(&mut admin).unwrap();
    assert_eq!(redis::cmd("EXISTS").arg("signwire:k:01").query::<i64>(&mut admin).unwrap(), 1, "written to database 3");
    assert!(!store.describe().contains("app-pass"));
    // The wrong password, and a prefix outside the user's keys: unavailable, never accepted.
    let e = RedisStore::open(&format!("redis://app:nope-pass@127.0.0.1:{}/3", server.port)).err().unwrap();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    assert!(!e.message().contains("nope-pass") && !e.message().contains("app-pass"), "{}", e.message());
    let other = RedisStore::open(&format!("{url}?prefix=other")).unwrap();
    let e = other.check_and_record("k", "02", TTL).unwrap_err();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    assert!(e.message().contains("NOPERM") && !e.message().contains("app-pass"), "{}", e.message());
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_evicting_policy_is_refused_unless_allowed() {
    let server = RedisServer::start();
    let mut admin = inspect(server.port).unwrap();
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
        let _: () = redis::cmd("CONFIG").arg("SET").arg("maxmemory-policy").arg(policy).query(&mut admin).unwrap();
        let e = RedisStore::open(&server.url()).err().unwrap();
        assert_eq!(e.status(), Status::NonceStoreUnavailable);
        assert!(e.message().contains(policy) && e.message().contains("noeviction"), "{}", e.message());
        let allowed = RedisStore::open(&format!("{}&eviction=allow", server.url())).unwrap();
        assert_eq!(allowed.check_and_record("k", policy, TTL).unwrap(), NonceCheck::Fresh);
    }
    let _: () = redis::cmd("CONFIG").arg("SET").arg("maxmemory-policy").arg("noeviction").query(&mut admin).unwrap();
    RedisStore::open(&server.url()).unwrap();
    // A user that may read neither INFO nor CONFIG (as on managed Redis): the store says it
    // cannot tell, and eviction=allow is the way to say it was checked elsewhere.
    let _: () = redis::cmd("ACL").arg(&["SETUSER", "limited", "on", ">lim-pass", "~*", "+set", "+ping", "+auth"]).query(&mut admin).unwrap();
    let url = format!("redis://limited:lim-pass@127.0.0.1:{}/0", server.port);
    let e = RedisStore::open(&url).err().unwrap();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    assert!(e.message().contains("cannot read maxmemory-policy") && e.message().contains("eviction=allow"), "{}", e.message());
    let s = RedisStore::open(&format!("{url}?eviction=allow")).unwrap();
    assert_eq!(s.check_and_record("k", "ff", TTL).unwrap(), NonceCheck::Fresh);
}

#[test]
#[ignore = "needs redis-server and openssl: run by tests/suites/40-replay.sh"]
fn redis_tls_with_ca_client_certificate_and_server_name() {
    let tls = TlsRedis::start(false);
    let store = RedisStore::open(&tls.url()).unwrap();
    assert_eq!(store.describe(), format!("rediss://127.0.0.1:{}/0", tls.tls_port));
    assert_eq!(store.check_and_record("k", "0a", TTL).unwrap(), NonceCheck::Fresh);
    assert_eq!(store.check_and_record("k", "0a", TTL).unwrap(), NonceCheck::Replayed);
    // The key went through the TLS port into the same server.
    let mut plain = inspect(tls.server.port).unwrap();
    assert_eq!(redis::cmd("EXISTS").arg("signwire:k:0a").query::<i64>(&mut plain).unwrap(), 1);
    // The certificate carries 127.0.0.1 as well: no server_name needed for it.
    let by_ip = tls.url().replace("&server_name=redis.test", "");
    assert_eq!(RedisStore::open(&by_ip).unwrap().check_and_record("k", "0b", TTL).unwrap(), NonceCheck::Fresh);
    // Each wrong setting fails closed.
    for (why, url) in [
        ("a name the certificate lacks", tls.url().replace("server_name=redis.test", "server_name=other.test")),
        ("a CA that did not sign it", tls.url().replace("ca.pem", "other-ca.pem")),
        ("no client certificate", tls.url().replace(&format!("&cert_file={}&key_file={}", tls.certs.path("client.pem"), tls.certs.path("client.key")), "")),
        ("plain TCP to the TLS port", format!("redis://127.0.0.1:{}/0?connect_timeout_ms=300&timeout_ms=300", tls.tls_port)),
    ] {
        let e = RedisStore::open(&url).err().unwrap_or_else(|| panic!("{why}: opened"));
        assert_eq!(e.status(), Status::NonceStoreUnavailable, "{why}: {e}");
    }
    // TLS files that cannot be read are a configuration mistake.
    let e = RedisStore::open(&tls.url().replace("ca.pem", "missing.pem")).err().unwrap();
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
    let e = RedisStore::open(&tls.url().replace("client.key", "ca.pem")).err().unwrap();
    assert_eq!(e.status(), Status::InvalidArgument, "{e}");
}

#[test]
#[ignore = "needs redis-server and openssl: run by tests/suites/40-replay.sh"]
fn redis_tls_outage_fails_closed_and_recovers() {
    let mut tls = TlsRedis::start(true);
    let v = verifier(&tls.url());
    let reqs = sign_requests(300, SECRET);
    for r in &reqs[..20] {
        v.verify(&r.request()).unwrap();
    }
    tls.server.stop();
    for r in reqs[20..40].iter().chain(&reqs[..5]) {
        assert_eq!(v.verify(&r.request()).unwrap_err().status(), Status::NonceStoreUnavailable);
    }
    tls.server.restart();
    until_accepted(&v, &reqs[40..]);
    for r in &reqs[..20] {
        assert_eq!(v.verify(&r.request()).unwrap_err().status(), Status::NonceReplayed, "persisted across the kill");
    }
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_stalled_server_times_out_and_fails_closed() {
    // A listener that accepts and never answers: the command timeout, not a hang.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    for url in [
        format!("redis://127.0.0.1:{port}/0?connect_timeout_ms=300&timeout_ms=300"),
        format!("rediss://127.0.0.1:{port}/0?connect_timeout_ms=300&timeout_ms=300&ca_file=/etc/ssl/certs/ca-certificates.crt"),
        format!("redis+sentinel://127.0.0.1:{port}/mymaster?connect_timeout_ms=300&timeout_ms=300"),
        format!("redis+cluster://127.0.0.1:{port}?connect_timeout_ms=300&timeout_ms=300"),
    ] {
        let e = RedisStore::open(&url).err().unwrap();
        assert_eq!(e.status(), Status::NonceStoreUnavailable, "{url}: {e}");
    }
    // A server paused mid-run (CLIENT PAUSE holds every command): the command times out.
    let server = RedisServer::start();
    let store = RedisStore::open(&server.url()).unwrap();
    assert_eq!(store.check_and_record("k", "01", TTL).unwrap(), NonceCheck::Fresh);
    let mut admin = inspect(server.port).unwrap();
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(5000).arg("ALL").query(&mut admin).unwrap();
    let e = store.check_and_record("k", "02", TTL).unwrap_err();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    assert!(e.message().contains("timed out"), "{e}");
    let _: () = redis::cmd("CLIENT").arg("UNPAUSE").query(&mut admin).unwrap();
    drop(listener);
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_forked_child_uses_its_own_connection() {
    // The parent fills its pool, then forks; parent and child then verify at the same time,
    // including the same 300 nonces. Over a shared socket they would read each other's
    // replies; with their own, each shared nonce is fresh exactly once and nothing fails.
    let server = RedisServer::start();
    let store = RedisStore::open(&format!("redis://127.0.0.1:{}/0?timeout_ms=5000", server.port)).unwrap();
    for i in 0..20 {
        assert_eq!(store.check_and_record("pre", &format!("{i:02x}"), TTL).unwrap(), NonceCheck::Fresh);
    }
    let run = |who: &str| -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..2000u32 {
            let (key, nonce) = if i % 2 == 0 { ("shared", format!("{:04x}", i / 2 % 300)) } else { (who, format!("{i:08x}")) };
            out.push(match store.check_and_record(key, &nonce, TTL) {
                Ok(NonceCheck::Fresh) => b'F',
                Ok(NonceCheck::Replayed) => b'R',
                Err(_) => b'E',
            });
        }
        out
    };
    let mut fds = [0i32; 2];
    // SAFETY: pipe writes two descriptors into a valid array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child runs the store (its own allocations are fine under glibc's fork
    // handlers), writes its answers to the pipe and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let out = run("child");
        // SAFETY: writes from a valid buffer, then leaves the child at once.
        unsafe {
            libc::write(fds[1], out.as_ptr().cast(), out.len());
            libc::_exit(0);
        }
    }
    // SAFETY: closes this process's copy of the write end.
    unsafe { libc::close(fds[1]) };
    let parent = run("parent");
    let mut child = vec![0u8; 2000];
    let mut got = 0;
    while got < child.len() {
        // SAFETY: reads into the unread part of a valid buffer.
        let n = unsafe { libc::read(fds[0], child[got..].as_mut_ptr().cast(), child.len() - got) };
        assert!(n > 0, "child wrote {got} answers");
        got += n as usize;
    }
    let mut status = 0;
    // SAFETY: waits for the child this test forked.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    for (who, out) in [("parent", &parent), ("child", &child)] {
        assert!(!out.contains(&b'E'), "{who} got errors");
        assert!(out.iter().skip(1).step_by(2).all(|&a| a == b'F'), "{who}'s own nonces are all fresh");
    }
    // Each shared nonce is asked about 3-4 times by each; fresh exactly once overall.
    let fresh_shared = parent.iter().chain(child.iter()).step_by(2).filter(|&&a| a == b'F').count();
    assert_eq!(fresh_shared, 300);
    // The parent's pool still works after the child has gone.
    assert_eq!(store.check_and_record("post", "01", TTL).unwrap(), NonceCheck::Fresh);
}

#[test]
#[ignore = "needs redis-server and redis-sentinel: run by tests/suites/40-replay.sh"]
fn redis_sentinel_follows_the_primary_through_a_failover() {
    let mut set = SentinelSet::start();
    let v = verifier(&set.url().replace("timeout_ms=300", "timeout_ms=2000"));
    let reqs = sign_requests(2000, SECRET);
    for r in &reqs[..100] {
        v.verify(&r.request()).unwrap();
    }
    let old = set.primary();
    // WAIT 1 by default: every accepted nonce is on the replica too.
    let keys = |p: u16| redis::cmd("DBSIZE").query::<i64>(&mut inspect(p).unwrap()).unwrap();
    assert!(set.nodes.iter().all(|n| keys(n.port) == 100 || n.port != set.nodes[old].port && keys(n.port) <= 100));
    assert_eq!(keys(set.nodes[old].port), 100);
    let stop = Arc::new(AtomicBool::new(false));
    // Verify while the failover runs: only acceptances or unavailable.
    let (v, reqs) = (Arc::new(v), Arc::new(reqs));
    let load = {
        let (v, reqs, stop) = (v.clone(), reqs.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut ok, mut unavailable, mut i) = (Vec::new(), 0, 100);
            while !stop.load(SeqCst) && i < 1500 {
                match v.verify(&reqs[i].request()) {
                    Ok(_) => ok.push(i),
                    Err(e) => {
                        assert_eq!(e.status(), Status::NonceStoreUnavailable, "{e}");
                        unavailable += 1;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                // Replays of requests accepted before the failover: never accepted.
                let old = &reqs[i % 100];
                assert!(v.verify(&old.request()).is_err(), "replay accepted during the failover");
                i += 1;
            }
            (ok, unavailable)
        })
    };
    set.fail_over(false);
    assert_ne!(set.primary(), old);
    stop.store(true, SeqCst);
    let (ok, unavailable) = load.join().unwrap();
    assert!(unavailable > 0, "the failover window was refused");
    // Recovers by itself: the next requests are accepted by the new primary.
    until_accepted(&v, &reqs[1500..]);
    // Every nonce accepted before or during the failover is still known.
    for i in (0..100).chain(ok) {
        assert_eq!(v.verify(&reqs[i].request()).unwrap_err().status(), Status::NonceReplayed, "request {i}");
    }
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_cluster_routes_by_slot_follows_moved_and_ask_and_survives_a_primary_kill() {
    let mut cluster = Cluster::start();
    let v = verifier(&cluster.url().replace("timeout_ms=300", "timeout_ms=2000"));
    let reqs = sign_requests(3000, SECRET);
    for r in &reqs[..300] {
        v.verify(&r.request()).unwrap();
    }
    // Keys spread over the three primaries, each on the primary of its slot (CLUSTER
    // KEYSLOT / COUNTKEYSINSLOT are the server's own hashing).
    let primaries = cluster.primaries();
    assert_eq!(primaries.len(), 3);
    let sizes: Vec<i64> = primaries.iter().map(|&i| redis::cmd("DBSIZE").query(&mut inspect(cluster.nodes[i].port).unwrap()).unwrap()).collect();
    assert!(sizes.iter().all(|&n| n > 30) && sizes.iter().sum::<i64>() == 300, "{sizes:?}");
    for r in &reqs[..10] {
        let key = format!("signwire:hopnow:{}", r.nonce());
        let holders: usize = primaries
            .iter()
            .map(|&i| {
                let mut c = inspect(cluster.nodes[i].port).unwrap();
                let slot: i64 = redis::cmd("CLUSTER").arg("KEYSLOT").arg(&key).query(&mut c).unwrap();
                redis::cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(slot).query::<i64>(&mut c).map(|n| usize::from(n > 0)).unwrap_or(0)
            })
            .sum();
        assert_eq!(holders, 1, "{key} is on exactly one primary");
    }
    // ASK then MOVED: slot s of a fresh request's key is migrated from A to B by hand.
    let fresh = &reqs[300];
    let key = format!("signwire:hopnow:{}", fresh.nonce());
    let mut any = inspect(cluster.nodes[primaries[0]].port).unwrap();
    let slot: i64 = redis::cmd("CLUSTER").arg("KEYSLOT").arg(&key).query(&mut any).unwrap();
    let id_of = |port: u16| redis::cmd("CLUSTER").arg("MYID").query::<String>(&mut inspect(port).unwrap()).unwrap();
    let owner = |port: u16| -> bool {
        let slots: Vec<Vec<redis::Value>> = redis::cmd("CLUSTER").arg("SLOTS").query(&mut inspect(port).unwrap()).unwrap();
        slots.iter().any(|r| {
            let (lo, hi): (i64, i64) = (redis::from_redis_value(&r[0]).unwrap(), redis::from_redis_value(&r[1]).unwrap());
            let node: Vec<redis::Value> = redis::from_redis_value(&r[2]).unwrap();
            let p: i64 = redis::from_redis_value(&node[1]).unwrap();
            (lo..=hi).contains(&slot) && p == i64::from(port)
        })
    };
    let a = *primaries.iter().find(|&&i| owner(cluster.nodes[i].port)).unwrap();
    let b = *primaries.iter().find(|&&i| i != a).unwrap();
    let (pa, pb) = (cluster.nodes[a].port, cluster.nodes[b].port);
    let (ida, idb) = (id_of(pa), id_of(pb));
    let _: () = redis::cmd("CLUSTER").arg("SETSLOT").arg(slot).arg("IMPORTING").arg(&ida).query(&mut inspect(pb).unwrap()).unwrap();
    let _: () = redis::cmd("CLUSTER").arg("SETSLOT").arg(slot).arg("MIGRATING").arg(&idb).query(&mut inspect(pa).unwrap()).unwrap();
    // A's slot is migrating and the key is not on A: A answers ASK, the store asks B.
    v.verify(&fresh.request()).unwrap();
    assert_eq!(redis::cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(slot).query::<i64>(&mut inspect(pb).unwrap()).unwrap(), 1);
    assert_eq!(v.verify(&fresh.request()).unwrap_err().status(), Status::NonceReplayed, "found through ASK again");
    // Finish the move: every primary now sends slot s to B (MOVED).
    for &i in &primaries {
        let _: () = redis::cmd("CLUSTER").arg("SETSLOT").arg(slot).arg("NODE").arg(&idb).query(&mut inspect(cluster.nodes[i].port).unwrap()).unwrap();
    }
    wait_for("every node to see the slot on B", 30, || primaries.iter().all(|&i| owner(cluster.nodes[i].port) == (i == b)) || owner(pb));
    assert_eq!(v.verify(&fresh.request()).unwrap_err().status(), Status::NonceReplayed, "found through MOVED");
    // Kill one primary: its slots have no primary until its replica takes over, and those
    // checks fail closed; then the store follows the new primary by itself.
    let victim = cluster.primaries()[0];
    let (tx, rx) = std::sync::mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let (v, reqs) = (Arc::new(v), Arc::new(reqs));
    let load = {
        let (v, reqs, stop) = (v.clone(), reqs.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut ok, mut unavailable, mut i) = (Vec::new(), 0, 301);
            while !stop.load(SeqCst) && i < 2500 {
                match v.verify(&reqs[i].request()) {
                    Ok(_) => ok.push(i),
                    Err(e) => {
                        assert_eq!(e.status(), Status::NonceStoreUnavailable, "{e}");
                        unavailable += 1;
                        let _ = tx.send(());
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                assert!(v.verify(&reqs[i % 300].request()).is_err(), "replay accepted during the failover");
                i += 1;
            }
            (ok, unavailable)
        })
    };
    cluster.fail_over(victim);
    stop.store(true, SeqCst);
    let (ok, unavailable) = load.join().unwrap();
    assert!(unavailable > 0 && rx.try_recv().is_ok(), "the window without a primary was refused");
    until_accepted(&v, &reqs[2500..]);
    for i in (0..300).chain(ok) {
        assert_eq!(v.verify(&reqs[i].request()).unwrap_err().status(), Status::NonceReplayed, "request {i}");
    }
}
