//! The Redis nonce store against a real redis-server on a loopback port. These need the
//! redis-server binary, so they are ignored in a plain `cargo test`; suite 40-replay runs
//! them with `--ignored redis_` after scripts/deps/apt-replay.txt has installed it.

mod replay_common;

use replay_common::*;
use signwire::replay::{NonceCheck, NonceStore, RedisStore};
use signwire::Status;
use std::time::{Duration, Instant};

#[test]
#[ignore = "child process of the race tests"]
fn race_worker_process() {
    race_worker();
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_race_eight_processes_accept_each_nonce_exactly_once() {
    let server = RedisServer::start();
    let r = race("race_worker_process", &format!("redis://127.0.0.1:{}/2?timeout_ms=5000", server.port), 10_000, 8);
    assert_each_accepted_once(&r, 10_000, 8);
    // Redis holds one key per accepted nonce, under the documented name, with a TTL.
    let mut conn = redis::Client::open(format!("redis://127.0.0.1:{}/2", server.port)).unwrap().get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("signwire:{KEY_ID}:*")).query(&mut conn).unwrap();
    assert_eq!(keys.len(), 10_000);
    let ttl: i64 = redis::cmd("TTL").arg(&keys[0]).query(&mut conn).unwrap();
    assert!((300..=360).contains(&ttl), "TTL {ttl} should be about max age + skew (360 s)");
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_outage_fails_closed_accepts_nothing_and_recovers() {
    let mut server = RedisServer::start();
    let v = verifier(&server.url());
    let reqs = sign_requests(60, SECRET);
    for r in &reqs[..10] {
        v.verify(&r.request()).unwrap();
    }
    server.stop();
    // Fresh requests and replays alike: refused, as unavailable, none accepted.
    let mut statuses = Vec::new();
    for r in reqs[10..40].iter().chain(&reqs[..5]) {
        statuses.push(v.verify(&r.request()).unwrap_err().status());
    }
    assert!(statuses.iter().all(|s| *s == Status::NonceStoreUnavailable), "{statuses:?}");
    server.restart();
    // Recovers by itself (after the connect back-off) without rebuilding the verifier.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match v.verify(&reqs[40].request()) {
            Ok(_) => break,
            Err(e) => {
                assert_eq!(e.status(), Status::NonceStoreUnavailable);
                assert!(Instant::now() < deadline, "did not recover after Redis returned: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    // The requests refused during the outage were never recorded.
    for r in &reqs[10..40] {
        v.verify(&r.request()).unwrap();
    }
    assert_eq!(v.verify(&reqs[10].request()).unwrap_err().status(), Status::NonceReplayed);
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_mid_run_outage_under_concurrent_load() {
    // Four threads verify a stream of fresh requests while Redis is killed and restarted.
    // Whatever the timing: nothing is accepted while Redis is down, no request is accepted
    // twice, and every failure is NONCE_STORE_UNAVAILABLE.
    let mut server = RedisServer::start();
    let v = std::sync::Arc::new(verifier(&server.url()));
    let reqs = std::sync::Arc::new(sign_requests(4000, SECRET));
    let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let accepted_while_down = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (v, reqs, down, bad) = (v.clone(), reqs.clone(), down.clone(), accepted_while_down.clone());
            std::thread::spawn(move || {
                let mut ok = Vec::new();
                for i in (t..reqs.len()).step_by(4) {
                    let was_down = down.load(std::sync::atomic::Ordering::SeqCst);
                    match v.verify(&reqs[i].request()) {
                        Ok(_) => {
                            if was_down && down.load(std::sync::atomic::Ordering::SeqCst) {
                                bad.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            ok.push(i);
                        }
                        Err(e) => assert_eq!(e.status(), Status::NonceStoreUnavailable, "{e}"),
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                ok
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(150));
    // The flag is up only while the process is certainly dead: set after kill+wait, cleared
    // before the restart begins.
    server.stop();
    down.store(true, std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    down.store(false, std::sync::atomic::Ordering::SeqCst);
    server.restart();
    let mut ok: Vec<usize> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert_eq!(accepted_while_down.load(std::sync::atomic::Ordering::SeqCst), 0, "accepted while Redis was down");
    let n = ok.len();
    ok.sort();
    ok.dedup();
    assert_eq!(ok.len(), n);
    assert!(n > 0 && n < 4000, "expected some refusals during the outage and some acceptances: {n}");
    // After the restart Redis is empty (no persistence in this test), yet the requests
    // accepted after the restart are remembered.
    let last = *ok.last().unwrap();
    assert_eq!(v.verify(&reqs[last].request()).unwrap_err().status(), Status::NonceReplayed);
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_store_semantics_and_password() {
    let server = RedisServer::start();
    let store = RedisStore::open(&format!("redis://127.0.0.1:{}/1?prefix=app1", server.port)).unwrap();
    assert_eq!(store.describe(), format!("redis://127.0.0.1:{}/1", server.port));
    let ttl = Duration::from_millis(1500);
    assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Fresh);
    assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Replayed);
    assert_eq!(store.check_and_record("k2", "aa", ttl).unwrap(), NonceCheck::Fresh);
    let mut conn = redis::Client::open(format!("redis://127.0.0.1:{}/1", server.port)).unwrap().get_connection().unwrap();
    let ttl_set: i64 = redis::cmd("TTL").arg("app1:k1:aa").query(&mut conn).unwrap();
    assert_eq!(ttl_set, 2, "1.5 s rounds up to 2 s, never down");
    // Expired in Redis: fresh again.
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(store.check_and_record("k1", "aa", ttl).unwrap(), NonceCheck::Fresh);
    // A password Redis does not accept is NONCE_STORE_UNAVAILABLE, and the message hides it.
    let _: () = redis::cmd("CONFIG").arg("SET").arg("requirepass").arg("s3cret-pass").query(&mut conn).unwrap();
    let e = RedisStore::open(&format!("redis://:wrong-pass@127.0.0.1:{}/0", server.port)).err().unwrap();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    assert!(!e.message().contains("wrong-pass"), "{}", e.message());
    let ok = RedisStore::open(&format!("redis://:s3cret-pass@127.0.0.1:{}/0", server.port)).unwrap();
    assert_eq!(ok.check_and_record("k1", "bb", ttl).unwrap(), NonceCheck::Fresh);
    assert!(!ok.describe().contains("s3cret"));
}

#[test]
#[ignore = "needs redis-server: run by tests/suites/40-replay.sh"]
fn redis_stalled_server_times_out_and_fails_closed() {
    // A listener that accepts and never answers: the command timeout, not a hang.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let e = RedisStore::open(&format!("redis://127.0.0.1:{port}/0?connect_timeout_ms=300&timeout_ms=300")).err().unwrap();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    // Not a performance check: without the timeout this would hang forever.
    assert!(started.elapsed() < Duration::from_secs(20), "hung for {:?}", started.elapsed());
    drop(listener);
}
