//! Memory and speed of the in-memory nonce store with one million live nonces.
//!
//! `cargo bench --bench nonce_memory` prints the process's resident set size (VmRSS, from
//! /proc/self/status) before and after recording 1,000,000 distinct live nonces of the
//! HopNow shape (32 hex characters) under a 20-character key id, the time per check, and
//! exits non-zero if the total resident size reaches 100 MB (the budget). Resident
//! size is a property of the data layout, not of machine speed, so it can be checked here;
//! the timings are only reported.

use signwire::replay::{MemoryStore, NonceCheck, NonceStore};
use std::time::{Duration, Instant};

const N: usize = 1_000_000;
const BUDGET_MB: f64 = 100.0;

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn main() {
    // `cargo bench` passes --bench; any other argument filters, as libtest would.
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"nonce_memory".contains(a.as_str())) {
        return;
    }
    let before = status_kb("VmRSS:").expect("/proc/self/status (Linux only)");
    let store = MemoryStore::new(N);
    let ttl = Duration::from_secs(360);
    let key_id = "client-0000000000001";
    // Nonces are made on the fly into one buffer, so only the store grows the heap.
    let mut buf = String::with_capacity(32);
    let mut nonce = |i: u64| {
        use std::fmt::Write;
        buf.clear();
        write!(buf, "{:032x}", (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)).unwrap();
        buf.clone()
    };
    let started = Instant::now();
    for i in 0..N as u64 {
        assert_eq!(store.check_and_record(key_id, &nonce(i), ttl).unwrap(), NonceCheck::Fresh);
    }
    let insert = started.elapsed();
    let started = Instant::now();
    for i in 0..100_000 {
        assert_eq!(store.check_and_record(key_id, &nonce(i), ttl).unwrap(), NonceCheck::Replayed);
    }
    let replay = started.elapsed();
    // Full: refuses rather than forgets.
    let full = store.check_and_record(key_id, "ffffffffffffffffffffffffffffffff", ttl).unwrap_err();
    assert_eq!(full.status(), signwire::Status::NonceStoreUnavailable);
    assert_eq!(store.len(), N);
    let after = status_kb("VmRSS:").unwrap();
    let peak = status_kb("VmHWM:").unwrap();
    let store_kb = after.saturating_sub(before);
    println!("memory store, {N} live nonces (key id 20 chars, nonce 32 hex):");
    println!("  process RSS before          {:7.1} MB", mb(before));
    println!("  process RSS after           {:7.1} MB  (budget {BUDGET_MB} MB)", mb(after));
    println!("  store's share               {:7.1} MB  = {:.1} bytes per nonce", mb(store_kb), store_kb as f64 * 1024.0 / N as f64);
    println!("  peak RSS (while growing)    {:7.1} MB", mb(peak));
    println!("  insert {:.0} ns/check, replay {:.0} ns/check", insert.as_nanos() as f64 / N as f64, replay.as_nanos() as f64 / 100_000.0);
    println!("  cpu: {}", if std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default().contains(" sha_ni") { "sha_ni" } else { "no sha_ni" });
    if mb(after) >= BUDGET_MB {
        eprintln!("FAIL: {:.1} MB resident with {N} live nonces, budget {BUDGET_MB} MB", mb(after));
        std::process::exit(1);
    }
    std::hint::black_box(&store);
}
