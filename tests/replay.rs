//! Replay protection and policy: stores shared across processes, fail-closed behaviour,
//! nonces never burnt by forgeries, IP policy end to end, keyring changes under load, and
//! the C ABI for all of it. Redis is in tests/replay_redis.rs (run by suite 40-replay).

mod replay_common;

use replay_common::*;
use signwire::ffi::policy::*;
use signwire::ffi::replay::*;
use signwire::ffi::scheme::*;
use signwire::ffi::status::signwire_status;
use signwire::ffi::verifier::*;
use signwire::replay::{CallbackStore, NonceCheck};
use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};
use std::collections::HashSet;
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[test]
#[ignore = "child process of the race tests"]
fn race_worker_process() {
    race_worker();
}

#[test]
fn sqlite_race_eight_processes_accept_each_nonce_exactly_once() {
    let dir = temp_dir("sqlite-race");
    let url = format!("sqlite://{}/nonces.db?busy_timeout_ms=10000", dir.display());
    let r = race("race_worker_process", &url, 10_000, 8);
    assert_each_accepted_once(&r, 10_000, 8);
    // The file holds exactly the accepted nonces.
    let c = rusqlite::Connection::open(dir.join("nonces.db")).unwrap();
    let rows: i64 = c.query_row("SELECT count(*) FROM signwire_nonces WHERE key_id = ?1", ["hopnow"], |r| r.get(0)).unwrap();
    assert_eq!(rows, 10_000);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn locked_sqlite_fails_closed_accepts_nothing_and_recovers() {
    let dir = temp_dir("sqlite-locked");
    let db = dir.join("nonces.db");
    let v = verifier(&format!("sqlite://{}?busy_timeout_ms=100", db.display()));
    let reqs = sign_requests(30, SECRET);
    for r in &reqs[..5] {
        v.verify(&r.request()).unwrap();
    }
    let locker = rusqlite::Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    for r in &reqs[5..] {
        assert_eq!(v.verify(&r.request()).unwrap_err().status(), Status::NonceStoreUnavailable);
    }
    // A replay is refused too (as unavailable: the store cannot say which it is).
    assert_eq!(v.verify(&reqs[0].request()).unwrap_err().status(), Status::NonceStoreUnavailable);
    locker.execute_batch("ROLLBACK").unwrap();
    // Nothing was recorded while locked: the same requests are fresh now.
    for r in &reqs[5..] {
        v.verify(&r.request()).unwrap();
    }
    for r in &reqs {
        assert_eq!(v.verify(&r.request()).unwrap_err().status(), Status::NonceReplayed);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unopenable_sqlite_store_is_unavailable() {
    let mut v = Verifier::new(Scheme::load("hopnow").unwrap());
    let e = v.set_nonce_store_url("sqlite:///nonexistent-signwire/dir/nonces.db").unwrap_err();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    // A directory where the file should be.
    let dir = temp_dir("sqlite-dir");
    let e = v.set_nonce_store_url(&format!("sqlite://{}", dir.display())).unwrap_err();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    // A file that is not a database.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    let e = v.set_nonce_store_url(&format!("sqlite://{}", junk.display())).unwrap_err();
    assert_eq!(e.status(), Status::NonceStoreUnavailable);
    let _ = std::fs::remove_dir_all(dir);
}

/// Counts calls to a callback store, which answers like a correct store would.
fn counting_store() -> (Arc<AtomicUsize>, CallbackStore) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Mutex::new(HashSet::new());
    let c = calls.clone();
    let store = CallbackStore::new("counting", move |k: &str, n: &str, _| {
        c.fetch_add(1, Ordering::SeqCst);
        Ok(if seen.lock().unwrap().insert(format!("{k}/{n}")) { NonceCheck::Fresh } else { NonceCheck::Replayed })
    });
    (calls, store)
}

#[test]
fn a_refused_request_never_records_its_nonce() {
    let dir = temp_dir("burn");
    let stores = ["memory://?max_entries=100".to_string(), format!("sqlite://{}/n.db", dir.display()), "callback".to_string()];
    for url in stores {
        let mut v = Verifier::new(Scheme::load("hopnow").unwrap());
        v.keyring().add_secret(KEY_ID, SECRET).unwrap();
        v.allow_ip("203.0.113.0/24").unwrap();
        let calls = if url == "callback" {
            let (calls, store) = counting_store();
            v.set_nonce_store(Arc::new(store));
            Some(calls)
        } else {
            v.set_nonce_store_url(&url).unwrap();
            None
        };
        let good = &sign_requests(1, SECRET)[0];
        let ok_ip = Some("203.0.113.9");
        // Forgeries reusing the legitimate client's nonce, each refused before step 6.
        let forged_secret = {
            let s = Signer::new(Scheme::load("hopnow").unwrap(), KEY_ID, b"an attacker's guess at the secret").unwrap();
            let ts: i64 = good.headers.get("X-Timestamp").unwrap().unwrap().parse().unwrap();
            let h = s.sign_at(&Request::new("POST", &good.url, good.body.as_bytes()), ts, good.nonce()).unwrap();
            Headers::parse(&h.to_block()).unwrap()
        };
        let tampered_body = Request::new("POST", &good.url, b"{\"item\":999999}").with_headers(&good.headers);
        assert_eq!(v.verify(&tampered_body.with_remote_addr(ok_ip)).unwrap_err().status(), Status::BadSignature, "{url}");
        let wrong_key = Request::new("POST", &good.url, good.body.as_bytes()).with_headers(&forged_secret);
        assert_eq!(v.verify(&wrong_key.with_remote_addr(ok_ip)).unwrap_err().status(), Status::BadSignature, "{url}");
        // The genuine request from outside the allowlist: refused, nonce untouched.
        assert_eq!(v.verify(&good.request().with_remote_addr(Some("198.51.100.1"))).unwrap_err().status(), Status::IpNotAllowed);
        assert_eq!(v.verify(&good.request()).unwrap_err().status(), Status::IpNotAllowed);
        // Too old: refused before the signature, nonce untouched.
        let now: i64 = good.headers.get("X-Timestamp").unwrap().unwrap().parse().unwrap();
        assert_eq!(v.verify_at(&good.request().with_remote_addr(ok_ip), now + 10_000).unwrap_err().status(), Status::TimestampTooOld);
        if let Some(c) = &calls {
            assert_eq!(c.load(Ordering::SeqCst), 0, "the store was consulted for a refused request");
        }
        // The legitimate client still gets in, once.
        assert_eq!(v.verify(&good.request().with_remote_addr(ok_ip)).unwrap().key_id, KEY_ID, "{url}");
        assert_eq!(v.verify(&good.request().with_remote_addr(ok_ip)).unwrap_err().status(), Status::NonceReplayed, "{url}");
        if let Some(c) = &calls {
            assert_eq!(c.load(Ordering::SeqCst), 2);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ip_policy_applies_in_verify_with_forwarded_for() {
    let mut v = Verifier::new(Scheme::load("hopnow").unwrap());
    v.keyring().add_secret(KEY_ID, SECRET).unwrap();
    v.allow_ip("2001:db8:77::/48").unwrap();
    v.allow_ip("192.0.2.0/24").unwrap();
    v.trust_proxy("10.0.0.0/8").unwrap();
    // (peer, X-Forwarded-For, expected status or None for accepted)
    let cases: &[(&str, Option<&str>, Option<Status>)] = &[
        ("192.0.2.10", None, None),
        ("::ffff:192.0.2.10", None, None),
        ("2001:db8:77::5", None, None),
        ("2001:db8:78::5", None, Some(Status::IpNotAllowed)),
        ("10.0.0.1", Some("192.0.2.44"), None),
        ("10.0.0.1", Some("192.0.2.44, 10.3.3.3"), None),
        ("10.0.0.1", Some("192.0.2.44, 198.51.100.7"), Some(Status::IpNotAllowed)),
        ("10.0.0.1", Some("[2001:db8:77::9]:1234"), None),
        ("198.51.100.7", Some("192.0.2.44"), Some(Status::IpNotAllowed)),
        ("10.0.0.1", Some("garbage"), Some(Status::IpNotAllowed)),
        ("10.0.0.1", None, Some(Status::IpNotAllowed)),
    ];
    let reqs = sign_requests(cases.len(), SECRET);
    for ((peer, xff, want), r) in cases.iter().zip(&reqs) {
        let mut h = r.headers.clone();
        if let Some(x) = xff {
            h.push("X-Forwarded-For", x).unwrap();
        }
        let req = Request::new("POST", &r.url, r.body.as_bytes()).with_headers(&h).with_remote_addr(Some(peer));
        assert_eq!(v.verify(&req).err().map(|e| e.status()), *want, "peer {peer}, X-Forwarded-For {xff:?}");
    }
}

// ---- C ABI ----

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

struct CVerifier(*mut signwire_verifier);
unsafe impl Send for CVerifier {}
unsafe impl Sync for CVerifier {}
impl Drop for CVerifier {
    fn drop(&mut self) {
        unsafe { signwire_verifier_free(self.0) }
    }
}

fn c_verifier() -> CVerifier {
    unsafe {
        let mut scheme = std::ptr::null_mut();
        assert_eq!(signwire_scheme_new(c("hopnow").as_ptr(), &mut scheme), signwire_status::SIGNWIRE_OK);
        let mut v = std::ptr::null_mut();
        assert_eq!(signwire_verifier_new(scheme, &mut v), signwire_status::SIGNWIRE_OK);
        signwire_scheme_free(scheme);
        CVerifier(v)
    }
}

fn c_verify(v: &CVerifier, r: &Signed, remote: Option<&str>) -> signwire_status {
    let block = c(&r.headers.to_block());
    let (m, u) = (c("POST"), c(&r.url));
    let remote = remote.map(c);
    let mut out = [0 as c_char; 300];
    let mut written = 0usize;
    unsafe {
        signwire_verifier_verify(
            v.0,
            m.as_ptr(),
            u.as_ptr(),
            r.body.as_ptr() as *const c_char,
            r.body.len(),
            block.as_ptr(),
            remote.as_ref().map_or(std::ptr::null(), |r| r.as_ptr()),
            out.as_mut_ptr(),
            out.len(),
            &mut written,
        )
    }
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(signwire::ffi::status::signwire_last_error_message()) }.to_string_lossy().into_owned()
}

#[test]
fn c_abi_nonce_store_by_url() {
    use signwire_status::*;
    let dir = temp_dir("c-url");
    let v = c_verifier();
    let url = c(&format!("sqlite://{}/n.db", dir.display()));
    unsafe {
        assert_eq!(signwire_verifier_set_nonce_store(std::ptr::null_mut(), url.as_ptr()), SIGNWIRE_ERR_NULL_POINTER);
        assert_eq!(signwire_verifier_set_nonce_store(v.0, std::ptr::null()), SIGNWIRE_ERR_NULL_POINTER);
        assert_eq!(signwire_verifier_set_nonce_store(v.0, b"sqlite:///\xff.db\0".as_ptr() as *const c_char), SIGNWIRE_ERR_INVALID_UTF8);
        assert_eq!(signwire_verifier_set_nonce_store(v.0, c("redis://:hunter2@127.0.0.1:99999/0").as_ptr()), SIGNWIRE_ERR_INVALID_ARGUMENT);
        assert!(!last_error().contains("hunter2"), "{}", last_error());
        let port = free_port();
        let down = c(&format!("redis://:hunter2@127.0.0.1:{port}/0?connect_timeout_ms=200"));
        assert_eq!(signwire_verifier_set_nonce_store(v.0, down.as_ptr()), SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE);
        assert!(!last_error().contains("hunter2"), "{}", last_error());
        assert_eq!(signwire_verifier_set_nonce_store(v.0, url.as_ptr()), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_add_secret(v.0, c(KEY_ID).as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len()), SIGNWIRE_OK);
    }
    let r = &sign_requests(1, SECRET)[0];
    assert_eq!(c_verify(&v, r, None), SIGNWIRE_OK);
    // A second verifier on the same file (another worker process, in production) sees it.
    let v2 = c_verifier();
    unsafe {
        assert_eq!(signwire_verifier_set_nonce_store(v2.0, url.as_ptr()), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_add_secret(v2.0, c(KEY_ID).as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len()), SIGNWIRE_OK);
    }
    assert_eq!(c_verify(&v2, r, None), SIGNWIRE_ERR_NONCE_REPLAYED);
    let _ = std::fs::remove_dir_all(dir);
}

/// A C-style store: a set behind a mutex, with a switch to answer other values.
struct CStore {
    seen: Mutex<HashSet<(String, String)>>,
    ttls: Mutex<Vec<u64>>,
    answer_override: Mutex<Option<i32>>,
}

unsafe extern "C" fn c_store_cb(user_data: *mut c_void, key_id: *const c_char, nonce: *const c_char, ttl: u64) -> i32 {
    let store = &*(user_data as *const CStore);
    if let Some(a) = *store.answer_override.lock().unwrap() {
        return a;
    }
    store.ttls.lock().unwrap().push(ttl);
    let k = CStr::from_ptr(key_id).to_str().unwrap().to_string();
    let n = CStr::from_ptr(nonce).to_str().unwrap().to_string();
    if store.seen.lock().unwrap().insert((k, n)) {
        signwire_nonce_result::SIGNWIRE_NONCE_FRESH as i32
    } else {
        signwire_nonce_result::SIGNWIRE_NONCE_REPLAYED as i32
    }
}

#[test]
fn c_abi_nonce_store_callback() {
    use signwire_status::*;
    let store = Box::new(CStore { seen: Mutex::new(HashSet::new()), ttls: Mutex::new(Vec::new()), answer_override: Mutex::new(None) });
    let v = c_verifier();
    let data = &*store as *const CStore as *mut c_void;
    unsafe {
        assert_eq!(signwire_verifier_set_nonce_store_callback(v.0, None, data), SIGNWIRE_ERR_NULL_POINTER);
        assert_eq!(signwire_verifier_set_nonce_store_callback(std::ptr::null_mut(), Some(c_store_cb), data), SIGNWIRE_ERR_NULL_POINTER);
        assert_eq!(signwire_verifier_set_nonce_store_callback(v.0, Some(c_store_cb), data), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_set_max_age(v.0, 100), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_set_max_future_skew(v.0, 20), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_add_secret(v.0, c(KEY_ID).as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len()), SIGNWIRE_OK);
    }
    let reqs = sign_requests(8, SECRET);
    assert_eq!(c_verify(&v, &reqs[0], None), SIGNWIRE_OK);
    assert_eq!(c_verify(&v, &reqs[0], None), SIGNWIRE_ERR_NONCE_REPLAYED);
    assert_eq!(*store.ttls.lock().unwrap(), vec![120, 120], "TTL = max age + future skew");
    assert!(store.seen.lock().unwrap().contains(&("hopnow".to_string(), reqs[0].nonce().to_string())), "recorded under the scheme, not the key id");
    // Anything but FRESH or REPLAYED — an error, 0 from a crashed callback, junk — fails closed.
    for (i, answer) in [3, 0, -1, 42].into_iter().enumerate() {
        *store.answer_override.lock().unwrap() = Some(answer);
        assert_eq!(c_verify(&v, &reqs[1 + i], None), SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE, "answer {answer}");
    }
    *store.answer_override.lock().unwrap() = None;
    assert_eq!(c_verify(&v, &reqs[1], None), SIGNWIRE_OK, "nothing was recorded during the errors");
    drop(v);
}

#[test]
fn c_abi_allow_ip_and_trust_proxy() {
    use signwire_status::*;
    let v = c_verifier();
    unsafe {
        assert_eq!(signwire_verifier_allow_ip(std::ptr::null_mut(), c("10.0.0.0/8").as_ptr()), SIGNWIRE_ERR_NULL_POINTER);
        assert_eq!(signwire_verifier_allow_ip(v.0, std::ptr::null()), SIGNWIRE_ERR_NULL_POINTER);
        assert_eq!(signwire_verifier_allow_ip(v.0, c("10.0.0.1/8").as_ptr()), SIGNWIRE_ERR_INVALID_ARGUMENT);
        assert!(last_error().contains("10.0.0.0/8"), "{}", last_error());
        assert_eq!(signwire_verifier_trust_proxy(v.0, c("fd00::/129").as_ptr()), SIGNWIRE_ERR_INVALID_ARGUMENT);
        assert_eq!(signwire_verifier_allow_ip(v.0, c("203.0.113.0/24").as_ptr()), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_trust_proxy(v.0, c("fd00::/8").as_ptr()), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_add_secret(v.0, c(KEY_ID).as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len()), SIGNWIRE_OK);
    }
    let reqs = sign_requests(4, SECRET);
    assert_eq!(c_verify(&v, &reqs[0], None), SIGNWIRE_ERR_IP_NOT_ALLOWED);
    assert!(last_error().contains("no remote address"), "{}", last_error());
    assert_eq!(c_verify(&v, &reqs[0], Some("198.51.100.1")), SIGNWIRE_ERR_IP_NOT_ALLOWED);
    assert_eq!(c_verify(&v, &reqs[0], Some("::ffff:203.0.113.50")), SIGNWIRE_OK);
    let mut via_proxy = Signed { url: reqs[1].url.clone(), body: reqs[1].body.clone(), headers: reqs[1].headers.clone() };
    via_proxy.headers.push("X-Forwarded-For", "203.0.113.51").unwrap();
    assert_eq!(c_verify(&v, &via_proxy, Some("[fd00::1]:443")), SIGNWIRE_OK);
}

/// Secrets are added and retired from other threads while requests are verified through the
/// C ABI: a secret that stays active always verifies, a rotating one gives only OK or
/// BAD_SIGNATURE (never a torn state), and once retired it verifies no more.
#[test]
fn keyring_changes_at_runtime_under_concurrent_verification() {
    use signwire_status::*;
    const STABLE: &[u8] = b"stable secret that is never retired";
    const ROTATING: &[u8] = b"rotating secret, added and retired";
    let v = Arc::new(c_verifier());
    unsafe {
        assert_eq!(signwire_verifier_set_nonce_store(v.0, c("memory://?max_entries=100000").as_ptr()), SIGNWIRE_OK);
        assert_eq!(signwire_verifier_add_secret(v.0, c(KEY_ID).as_ptr(), STABLE.as_ptr() as *const c_char, STABLE.len()), SIGNWIRE_OK);
    }
    let stable_reqs = sign_requests(3000, STABLE);
    let rotating_reqs = sign_requests(3000, ROTATING);
    let other_id = "late-client";
    let late_signer = Signer::new(Scheme::load("hopnow").unwrap(), other_id, b"late client's secret").unwrap();
    let late_req = {
        let (u, b) = ("https://api.example.test/late", "{}");
        let h = late_signer.sign(&Request::new("POST", u, b.as_bytes())).unwrap();
        Signed { url: u.into(), body: b.into(), headers: Headers::parse(&h.to_block()).unwrap() }
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The first SYNCED rounds are handshakes with the rotating thread (it verifies once while
    // the secret is surely present and once while it is surely retired), so both outcomes are
    // seen by construction, not by scheduling luck; the rounds after run free, racing.
    const SYNCED: usize = 30;
    let (to_verifier, rotation_event) = std::sync::mpsc::channel::<bool>();
    let (verified, rotator_resume) = std::sync::mpsc::channel::<()>();
    let rotator = {
        let (v, stop) = (v.clone(), stop.clone());
        std::thread::spawn(move || {
            let k = c(KEY_ID);
            let mut rounds = 0;
            while !stop.load(Ordering::Relaxed) || rounds < 100 {
                unsafe {
                    assert_eq!(signwire_verifier_add_secret(v.0, k.as_ptr(), ROTATING.as_ptr() as *const c_char, ROTATING.len()), SIGNWIRE_OK);
                    if rounds < SYNCED {
                        to_verifier.send(true).unwrap();
                        rotator_resume.recv().unwrap();
                    } else {
                        std::thread::yield_now();
                    }
                    assert_eq!(signwire_verifier_retire_secret(v.0, k.as_ptr(), ROTATING.as_ptr() as *const c_char, ROTATING.len()), SIGNWIRE_OK);
                    if rounds < SYNCED {
                        to_verifier.send(false).unwrap();
                        rotator_resume.recv().unwrap();
                    }
                }
                rounds += 1;
            }
            rounds
        })
    };
    let stable = {
        let v = v.clone();
        std::thread::spawn(move || stable_reqs.iter().filter(|r| c_verify(&v, r, None) == SIGNWIRE_OK).count())
    };
    let rotating = {
        let v = v.clone();
        std::thread::spawn(move || {
            let mut seen = std::collections::HashMap::new();
            let mut reqs = rotating_reqs.iter();
            for _ in 0..2 * SYNCED {
                let present = rotation_event.recv().unwrap();
                let got = c_verify(&v, reqs.next().unwrap(), None);
                let want = if present { SIGNWIRE_OK } else { SIGNWIRE_ERR_BAD_SIGNATURE };
                assert_eq!(got, want, "secret {}", if present { "present" } else { "retired" });
                *seen.entry(got as i32).or_insert(0usize) += 1;
                verified.send(()).unwrap();
            }
            for r in reqs {
                *seen.entry(c_verify(&v, r, None) as i32).or_insert(0usize) += 1;
            }
            seen
        })
    };
    let adder = {
        let v = v.clone();
        std::thread::spawn(move || unsafe {
            let secret = b"late client's secret";
            assert_eq!(signwire_verifier_add_secret(v.0, c(other_id).as_ptr(), secret.as_ptr() as *const c_char, secret.len()), SIGNWIRE_OK);
        })
    };
    assert_eq!(stable.join().unwrap(), 3000, "a secret that was never retired must always verify");
    let seen = rotating.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    assert!(rotator.join().unwrap() >= 100);
    adder.join().unwrap();
    let allowed = [SIGNWIRE_OK as i32, SIGNWIRE_ERR_BAD_SIGNATURE as i32];
    assert!(seen.keys().all(|k| allowed.contains(k)), "unexpected statuses while rotating: {seen:?}");
    assert_eq!(seen.values().sum::<usize>(), 3000);
    // Both outcomes happened: at least the handshaken ones (a zero here would mean the
    // rotating secret was never seen, or never retired).
    assert!(seen.get(&(SIGNWIRE_OK as i32)).copied().unwrap_or(0) >= SYNCED, "{seen:?}");
    assert!(seen.get(&(SIGNWIRE_ERR_BAD_SIGNATURE as i32)).copied().unwrap_or(0) >= SYNCED, "{seen:?}");
    // Retired for good now.
    let after = sign_requests(1, ROTATING);
    assert_eq!(c_verify(&v, &after[0], None), SIGNWIRE_ERR_BAD_SIGNATURE);
    unsafe {
        let k = c(KEY_ID);
        assert_eq!(signwire_verifier_retire_secret(v.0, k.as_ptr(), ROTATING.as_ptr() as *const c_char, ROTATING.len()), SIGNWIRE_ERR_UNKNOWN_KEY);
    }
    // The key id added from another thread is live for the next verification.
    assert_eq!(c_verify(&v, &late_req, None), SIGNWIRE_OK);
    // Retiring the stable secret removes the key id: the next request is UNKNOWN_KEY.
    unsafe {
        assert_eq!(signwire_verifier_retire_secret(v.0, c(KEY_ID).as_ptr(), STABLE.as_ptr() as *const c_char, STABLE.len()), SIGNWIRE_OK);
    }
    assert_eq!(c_verify(&v, &sign_requests(1, STABLE)[0], None), SIGNWIRE_ERR_UNKNOWN_KEY);
}
