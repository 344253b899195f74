//! Shared by the replay tests: signed requests, a race across processes, and a redis-server
//! started on a free loopback port.
#![allow(dead_code)]

use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};
use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const KEY_ID: &str = "race-client";
pub const SECRET: &[u8] = b"race secret, 32 bytes or more!!!";

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("signwire-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub struct Signed {
    pub url: String,
    pub body: String,
    pub headers: Headers,
}

impl Signed {
    pub fn request(&self) -> Request<'_> {
        Request::new("POST", &self.url, self.body.as_bytes()).with_headers(&self.headers)
    }
    pub fn nonce(&self) -> &str {
        self.headers.get("X-Nonce").unwrap().unwrap()
    }
}

/// `n` requests signed now, each with its own random nonce.
pub fn sign_requests(n: usize, secret: &[u8]) -> Vec<Signed> {
    let signer = Signer::new(Scheme::load("hopnow").unwrap(), KEY_ID, secret).unwrap();
    (0..n)
        .map(|i| {
            let url = format!("https://api.example.test/v1/items/{i}");
            let body = format!("{{\"item\":{i}}}");
            let h = signer.sign(&Request::new("POST", &url, body.as_bytes())).unwrap();
            Signed { url, body, headers: Headers::parse(&h.to_block()).unwrap() }
        })
        .collect()
}

pub fn verifier(store_url: &str) -> Verifier {
    let mut v = Verifier::new(Scheme::load("hopnow").unwrap());
    v.keyring().add_secret(KEY_ID, SECRET).unwrap();
    v.set_nonce_store_url(store_url).unwrap();
    v
}

/// The outcome of a race: per request index, how many workers accepted it, and every
/// status seen with its count.
pub struct RaceResult {
    pub accepted: Vec<u32>,
    pub statuses: HashMap<String, usize>,
}

/// Verify the same `n` signed requests in `workers` separate processes at once, all through
/// the store at `store_url`. `test_name` is the ignored test in the calling binary that runs
/// [`race_worker`].
pub fn race(test_name: &str, store_url: &str, n: usize, workers: usize) -> RaceResult {
    let dir = temp_dir(&format!("race-{}", test_name.replace(':', "_")));
    let requests = sign_requests(n, SECRET);
    let mut f = std::fs::File::create(dir.join("requests.tsv")).unwrap();
    for (i, r) in requests.iter().enumerate() {
        let h = &r.headers;
        let g = |name: &str| h.get(name).unwrap().unwrap().to_string();
        writeln!(f, "{i}\t{}\t{}\t{}\t{}\t{}", r.url, r.body, g("X-Timestamp"), g("X-Nonce"), g("X-Signature")).unwrap();
    }
    drop(f);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<Child> = (0..workers)
        .map(|w| {
            Command::new(&exe)
                .args(["--exact", test_name, "--ignored", "--nocapture", "--test-threads", "1"])
                .env("SIGNWIRE_RACE_DIR", &dir)
                .env("SIGNWIRE_RACE_STORE", store_url)
                .env("SIGNWIRE_RACE_WORKER", w.to_string())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // Every worker waits for this file, so they start together.
    std::fs::write(dir.join("go"), b"").unwrap();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a race worker failed");
    }
    let mut accepted = vec![0u32; n];
    let mut statuses = HashMap::new();
    for w in 0..workers {
        let text = std::fs::read_to_string(dir.join(format!("worker-{w}.txt"))).unwrap();
        assert_eq!(text.lines().count(), n, "worker {w} verified every request");
        for line in text.lines() {
            let (i, status) = line.split_once(' ').unwrap();
            if status == "OK" {
                accepted[i.parse::<usize>().unwrap()] += 1;
            }
            *statuses.entry(status.to_string()).or_default() += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    RaceResult { accepted, statuses }
}

/// The child side of [`race`]; does nothing unless started by it.
pub fn race_worker() {
    let (Ok(dir), Ok(url), Ok(w)) =
        (std::env::var("SIGNWIRE_RACE_DIR"), std::env::var("SIGNWIRE_RACE_STORE"), std::env::var("SIGNWIRE_RACE_WORKER"))
    else {
        panic!("race_worker runs only as a child of race()");
    };
    let dir = Path::new(&dir);
    let w: u64 = w.parse().unwrap();
    let v = verifier(&url);
    let text = std::fs::read_to_string(dir.join("requests.tsv")).unwrap();
    let mut rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    // Even workers go in order (all contending for the same nonce at once); odd workers
    // shuffle with their own seed.
    if w % 2 == 1 {
        let mut x = w.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for i in (1..rows.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rows.swap(i, (x % (i as u64 + 1)) as usize);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "race never started");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut out = String::new();
    for r in rows {
        let mut h = Headers::new();
        h.push("X-API-Key", KEY_ID).unwrap();
        h.push("X-Timestamp", r[3]).unwrap();
        h.push("X-Nonce", r[4]).unwrap();
        h.push("X-Signature", r[5]).unwrap();
        let req = Request::new("POST", r[1], r[2].as_bytes()).with_headers(&h);
        let status = match v.verify(&req) {
            Ok(_) => "OK".to_string(),
            Err(e) => e.status().name().to_string(),
        };
        out.push_str(&format!("{} {status}\n", r[0]));
    }
    std::fs::write(dir.join(format!("worker-{w}.txt")), out).unwrap();
}

/// Check a race: every request accepted exactly once in total, every other attempt a replay.
pub fn assert_each_accepted_once(r: &RaceResult, n: usize, workers: usize) {
    let total: u32 = r.accepted.iter().sum();
    let wrong: Vec<(usize, u32)> = r.accepted.iter().copied().enumerate().filter(|(_, c)| *c != 1).take(10).collect();
    assert!(wrong.is_empty(), "requests not accepted exactly once (index, times): {wrong:?}");
    assert_eq!(total as usize, n);
    assert_eq!(r.statuses.get("OK").copied().unwrap_or(0), n);
    assert_eq!(r.statuses.get(Status::NonceReplayed.name()).copied().unwrap_or(0), n * (workers - 1), "{:?}", r.statuses);
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

mod redis_topology;
#[allow(unused_imports)] // tests/replay.rs needs none of the Redis servers
pub use redis_topology::*;
