//! Nonce-store throughput for scripts/bench: checks per second, printed as JSON lines.
//!
//! memory: one store, 1 and 2 threads, each thread recording its own distinct nonces
//! (every check a first use, the common case), runs interleaved, medians over rounds.
//! Nonces are made before the clock starts. Wall-clock time: this measures parallelism,
//! so run it on an otherwise idle machine.
//!
//! Run: `cargo bench --bench stores -- [--quick]`.

use signwire::replay::{MemoryStore, NonceCheck, NonceStore};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(360);

fn nonces(thread: usize, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{:08x}{:024x}", thread, i)).collect()
}

/// CPU time of the calling thread: on a shared machine, time spent waiting for a core is
/// not counted (std has no such clock).
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Checks per CPU-second of one thread, alone on a fresh store.
fn run_cpu(store: Arc<dyn NonceStore>, n: usize) -> f64 {
    let list = nonces(0, n);
    let start = thread_cpu();
    for nonce in &list {
        assert_eq!(store.check_and_record("client-1", nonce, TTL).unwrap(), NonceCheck::Fresh);
    }
    n as f64 / (thread_cpu() - start).as_secs_f64()
}

/// Checks per (wall-clock) second with `threads` threads sharing `store`.
fn run(store: Arc<dyn NonceStore>, threads: usize, per_thread: usize) -> f64 {
    let work: Vec<Vec<String>> = (0..threads).map(|t| nonces(t, per_thread)).collect();
    let barrier = Arc::new(std::sync::Barrier::new(threads + 1));
    let handles: Vec<_> = work
        .into_iter()
        .map(|list| {
            let store = store.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                for n in &list {
                    assert_eq!(store.check_and_record("client-1", n, TTL).unwrap(), NonceCheck::Fresh);
                }
                barrier.wait();
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    barrier.wait();
    let elapsed = start.elapsed();
    for h in handles {
        h.join().unwrap();
    }
    (threads * per_thread) as f64 / elapsed.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let (rounds, per_thread) = if quick { (5, 100_000) } else { (11, 300_000) };

    let (mut one, mut two, mut scaling, mut cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        let fresh = || -> Arc<dyn NonceStore> { Arc::new(MemoryStore::new(4 * per_thread)) };
        cpu.push(run_cpu(fresh(), per_thread));
        let (a, b) = if r % 2 == 0 {
            let a = run(fresh(), 1, per_thread);
            (a, run(fresh(), 2, per_thread))
        } else {
            let b = run(fresh(), 2, per_thread);
            (run(fresh(), 1, per_thread), b)
        };
        one.push(a);
        two.push(b);
        scaling.push(b / a);
    }
    // The goal row: one thread's checks per CPU-second (load from other processes cannot
    // inflate it); the wall-clock figures below need an idle machine to mean anything.
    let cpu = median(cpu);
    println!(
        "{{\"group\":\"stores\",\"row\":\"memory\",\"threads\":1,\"checks_per_s\":{cpu:.0},\"ns_per_check\":{:.1},\"clock\":\"thread cpu\",\"rounds\":{rounds}}}",
        1e9 / cpu
    );
    println!(
        "{{\"group\":\"stores\",\"row\":\"memory_wall\",\"threads\":1,\"checks_per_s\":{:.0},\"clock\":\"wall\",\"rounds\":{rounds}}}",
        median(one)
    );
    println!(
        "{{\"group\":\"stores\",\"row\":\"memory_wall\",\"threads\":2,\"checks_per_s\":{:.0},\"clock\":\"wall\",\"rounds\":{rounds}}}",
        median(two)
    );
    println!("{{\"group\":\"stores\",\"row\":\"memory_scaling\",\"ratio\":{:.4},\"rounds\":{rounds},\"higher_is_better\":true}}", median(scaling));
}
