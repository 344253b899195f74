//! Nonce-store throughput for scripts/bench: checks per second, printed as JSON lines.
//!
//! - memory: one store, 1 and 2 threads, each thread recording its own distinct nonces
//!   (every check a first use, the common case), runs interleaved, medians over rounds.
//! - sqlite: one file, 1 and 4 processes (this program re-run as workers), each process with
//!   its own connection, as PHP-FPM or gunicorn workers would.
//! - redis: one connection, against `redis-benchmark -t set -c 1` on the same server (the
//!   limit a client of one connection can reach); needs `SIGNWIRE_BENCH_REDIS=redis://…`
//!   (scripts/bench starts a server), otherwise the row says it was skipped.
//!
//! Nonces are made before the clock starts. Wall-clock time: these rows measure throughput
//! and parallelism, so run them on an otherwise idle machine.
//!
//! Run: `cargo bench --bench stores -- [--quick]`.

use signwire::replay::{self, MemoryStore, NonceCheck, NonceStore};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(360);

fn nonces(worker: usize, n: usize) -> Vec<String> {
    let salt = std::process::id();
    (0..n).map(|i| format!("{:08x}{:08x}{:016x}", salt, worker, i)).collect()
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

/// Checks per (wall-clock) second with `threads` threads sharing `store`, and the CPU time
/// per check (ns) summed over the threads: on a loaded machine the wall figure cannot show
/// scaling, but contention (cache lines bouncing, lock spinning) still shows as CPU time.
fn run(store: Arc<dyn NonceStore>, threads: usize, per_thread: usize) -> (f64, f64) {
    run_on(vec![store; threads], per_thread)
}

/// [`run`] with thread `i` on `stores[i]`: with one store per thread nothing is shared, so
/// two threads on two stores show what this machine's two cores give for this work.
fn run_on(stores: Vec<Arc<dyn NonceStore>>, per_thread: usize) -> (f64, f64) {
    let threads = stores.len();
    let work: Vec<Vec<String>> = (0..threads).map(|t| nonces(t, per_thread)).collect();
    let barrier = Arc::new(std::sync::Barrier::new(threads + 1));
    let handles: Vec<_> = work
        .into_iter()
        .zip(stores)
        .map(|(list, store)| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let cpu = thread_cpu();
                for n in &list {
                    assert_eq!(store.check_and_record("client-1", n, TTL).unwrap(), NonceCheck::Fresh);
                }
                let cpu = thread_cpu() - cpu;
                barrier.wait();
                cpu
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    barrier.wait();
    let elapsed = start.elapsed();
    let cpu: Duration = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let checks = (threads * per_thread) as f64;
    (checks / elapsed.as_secs_f64(), cpu.as_nanos() as f64 / checks)
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

/// Worker process: open the store, wait for "go" on stdin, record `n` nonces, print seconds.
fn sqlite_worker(url: &str, worker: usize, n: usize) {
    let store = replay::open(url).unwrap();
    let list = nonces(worker, n);
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    for nonce in &list {
        assert_eq!(store.check_and_record("client-1", nonce, TTL).unwrap(), NonceCheck::Fresh);
    }
}

/// Checks per second with `procs` processes recording `per_proc` nonces each in one file.
fn sqlite_run(dir: &std::path::Path, round: usize, procs: usize, per_proc: usize) -> f64 {
    use std::io::Write;
    let url = format!("sqlite://{}/round{round}-{procs}.db", dir.display());
    drop(replay::open(&url).unwrap()); // create the file and table before the clock starts
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..procs)
        .map(|w| {
            Command::new(&exe)
                .args(["--sqlite-worker", &url, &w.to_string(), &per_proc.to_string()])
                .stdin(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300)); // let every worker open and build its nonces
    let start = Instant::now();
    for c in &mut children {
        c.stdin.take().unwrap().write_all(b"go\n").unwrap();
    }
    for c in &mut children {
        assert!(c.wait().unwrap().success(), "sqlite worker failed");
    }
    (procs * per_proc) as f64 / start.elapsed().as_secs_f64()
}

fn redis_benchmark_set(url: &str, n: usize) -> Option<f64> {
    // redis://host:port/db as scripts/bench writes it.
    let hostport = url.strip_prefix("redis://")?.split('/').next()?;
    let (host, port) = hostport.rsplit_once(':')?;
    let out = Command::new("redis-benchmark")
        .args(["-h", host, "-p", port, "-t", "set", "-c", "1", "-P", "1", "-n", &n.to_string(), "--csv", "-q"])
        .output()
        .ok()?;
    // "SET","41152.26",...
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("\"SET\""))?;
    line.split(',').nth(1)?.trim_matches('"').parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--sqlite-worker") {
        sqlite_worker(&args[1], args[2].parse().unwrap(), args[3].parse().unwrap());
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (rounds, per_thread) = if quick { (5, 100_000) } else { (11, 300_000) };

    let (mut one, mut two, mut scaling, mut cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut one_cpu, mut two_cpu) = (Vec::new(), Vec::new());
    let mut unshared = Vec::new();
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
        // The machine's own ceiling, measured beside the goal row in every round.
        let separate = run_on(vec![fresh(), fresh()], per_thread);
        unshared.push(separate.0 / a.0);
        one.push(a.0);
        two.push(b.0);
        scaling.push(b.0 / a.0);
        one_cpu.push(a.1);
        two_cpu.push(b.1);
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
    println!("{{\"group\":\"stores\",\"row\":\"memory_wall\",\"threads\":2,\"checks_per_s\":{:.0},\"clock\":\"wall\",\"rounds\":{rounds}}}", median(two));
    for (threads, v) in [(1, one_cpu), (2, two_cpu)] {
        println!("{{\"group\":\"stores\",\"row\":\"memory_cpu\",\"threads\":{threads},\"cpu_ns_per_check\":{:.1},\"clock\":\"thread cpu, summed\",\"rounds\":{rounds}}}", median(v));
    }
    println!("{{\"group\":\"stores\",\"row\":\"memory_scaling\",\"ratio\":{:.4},\"rounds\":{rounds},\"higher_is_better\":true}}", median(scaling));
    println!(
        "{{\"group\":\"stores\",\"row\":\"memory_scaling_unshared\",\"ratio\":{:.4},\"rounds\":{rounds},\"higher_is_better\":true,\"note\":\"two threads on two separate stores vs one thread: the machine's ceiling\"}}",
        median(unshared)
    );

    // SQLite: 1 and 4 processes on one file.
    let dir = std::env::temp_dir().join(format!("signwire-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (sq_rounds, per_proc) = if quick { (3, 2_000) } else { (5, 5_000) };
    let (mut s1, mut s4) = (Vec::new(), Vec::new());
    for r in 0..sq_rounds {
        s1.push(sqlite_run(&dir, r, 1, per_proc));
        s4.push(sqlite_run(&dir, r, 4, per_proc));
    }
    let _ = std::fs::remove_dir_all(&dir);
    for (procs, v) in [(1, s1), (4, s4)] {
        println!("{{\"group\":\"stores\",\"row\":\"sqlite\",\"processes\":{procs},\"checks_per_s\":{:.0},\"rounds\":{sq_rounds}}}", median(v));
    }

    // Redis: one connection vs redis-benchmark SET with one connection, interleaved.
    match std::env::var("SIGNWIRE_BENCH_REDIS") {
        Ok(url) => {
            let store = replay::open(&url).unwrap();
            let n = if quick { 5_000 } else { 20_000 };
            let (mut ours, mut theirs, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
            for r in 0..(if quick { 3 } else { 5 }) {
                let list = nonces(1000 + r, n);
                let start = Instant::now();
                for nonce in &list {
                    assert_eq!(store.check_and_record("client-1", nonce, TTL).unwrap(), NonceCheck::Fresh);
                }
                let a = n as f64 / start.elapsed().as_secs_f64();
                let Some(b) = redis_benchmark_set(&url, n) else {
                    println!("{{\"group\":\"stores\",\"row\":\"redis_vs_benchmark\",\"skipped\":\"redis-benchmark did not run\"}}");
                    return;
                };
                ours.push(a);
                theirs.push(b);
                ratio.push(a / b);
            }
            println!(
                "{{\"group\":\"stores\",\"row\":\"redis_vs_benchmark\",\"signwire_checks_per_s\":{:.0},\"redis_benchmark_set_per_s\":{:.0},\"ratio\":{:.4},\"higher_is_better\":true}}",
                median(ours),
                median(theirs),
                median(ratio)
            );
        }
        Err(_) => println!("{{\"group\":\"stores\",\"row\":\"redis_vs_benchmark\",\"skipped\":\"no Redis server (set SIGNWIRE_BENCH_REDIS=redis://127.0.0.1:PORT/0)\"}}"),
    }
}
