//! Load-and-fault harness for the Redis nonce store (run by scripts/redis-faults; a short
//! run is part of suite 40-replay).
//!
//! For each topology (one server, TLS, Sentinel, Cluster) it starts the servers on loopback
//! (tests/replay_common/redis_topology.rs), signs a pool of requests, and runs N verifier
//! processes. Each process sends its share of the pool as fresh requests and, after each,
//! replays one of its own earlier requests and one of another process's. Meanwhile servers
//! are killed and restarted: the single and TLS server (kept on disk with appendfsync
//! always), the Sentinel primary (failover), one cluster primary (its replica takes over).
//! Every attempt is logged by the workers; the report counts, per topology, replays
//! accepted, requests accepted more than once, refusals inside the fault windows and their
//! statuses, and the time from each kill to the first acceptance after it. Then a
//! throughput run: the same N processes sending fresh requests only, beside
//! `redis-benchmark -t set` with N clients against the same servers.
//!
//!   redis_faults [--workers N] [--requests K] [--rate R] [--faults F] [--bench-seconds S] [TOPOLOGY...]

#[path = "../tests/replay_common/mod.rs"]
mod replay_common;

use replay_common::*;
use signwire::{Headers, Request, Status};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros() as u64
}

/// One verification attempt, as a worker logs it.
#[derive(Clone)]
struct Attempt {
    t_us: u64,
    index: usize,
    kind: char, // F fresh, S replay of own, O replay of another process's
    status: String,
}

fn load_pool(path: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| l.split('\t').map(String::from).collect()).collect()
}

fn verify_row(v: &signwire::Verifier, r: &[String]) -> String {
    let mut h = Headers::new();
    h.push("X-API-Key", KEY_ID).unwrap();
    h.push("X-Timestamp", &r[3]).unwrap();
    h.push("X-Nonce", &r[4]).unwrap();
    h.push("X-Signature", &r[5]).unwrap();
    match v.verify(&Request::new("POST", &r[1], r[2].as_bytes()).with_headers(&h)) {
        Ok(_) => "OK".into(),
        Err(e) => e.status().name().to_string(),
    }
}

/// A worker process: `--worker MODE POOL STORE W N RATE`. Fault mode logs every attempt on
/// stdout, sending at most RATE fresh requests a second (load pacing, so that the pool lasts
/// through the faults); bench mode sends fresh requests as fast as it can for the seconds
/// given and prints its count.
fn worker(args: &[String]) {
    let (mode, pool, url, w, n) = (&args[0], &args[1], &args[2], args[3].parse::<usize>().unwrap(), args[4].parse::<usize>().unwrap());
    let rate: f64 = args[5].parse().unwrap();
    let rows = load_pool(pool);
    let v = verifier(url);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    // Start together: the orchestrator writes a line to every worker's stdin.
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    if mode == "bench" {
        let secs: f64 = go.trim().parse().unwrap();
        let start = Instant::now();
        let (mut count, mut refused) = (0usize, 0usize);
        for i in (w..rows.len()).step_by(n) {
            // Only acceptances count: a refusal is cheap and would flatter the rate.
            if verify_row(&v, &rows[i]) == "OK" {
                count += 1;
            } else {
                refused += 1;
            }
            if (count + refused) % 64 == 0 && start.elapsed().as_secs_f64() >= secs {
                break;
            }
        }
        writeln!(out, "bench {count} {} {refused}", start.elapsed().as_secs_f64()).unwrap();
        return;
    }
    // Stop when the orchestrator closes stdin.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s2 = stop.clone();
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::stdin().read_line(&mut rest);
        s2.store(true, SeqCst);
    });
    let mut x = (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut mine: Vec<usize> = Vec::new();
    let start = Instant::now();
    for i in (w..rows.len()).step_by(n) {
        if stop.load(SeqCst) {
            break;
        }
        let due = start + std::time::Duration::from_secs_f64(mine.len() as f64 / rate);
        if let Some(ahead) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(ahead);
        }
        // Each line carries the time the answer came (a kill mid-request fails it after
        // the kill, so it counts in that fault's window).
        let st = verify_row(&v, &rows[i]);
        writeln!(out, "{} {i} F {st}", now_us()).unwrap();
        mine.push(i);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // A replay of one of this process's own requests...
        let own = mine[(x as usize) % mine.len()];
        let st = verify_row(&v, &rows[own]);
        writeln!(out, "{} {own} S {st}", now_us()).unwrap();
        // ...and one of another process's (already sent by it, or about to be).
        if n > 1 && i >= n {
            let other = i - 1 - (x as usize >> 8) % (i.min(50 * n) - 1).max(1);
            if other % n != w {
                let st = verify_row(&v, &rows[other]);
                writeln!(out, "{} {other} O {st}", now_us()).unwrap();
            }
        }
        if mine.len() % 32 == 0 {
            out.flush().unwrap();
        }
    }
    out.flush().unwrap();
}

struct Workers {
    children: Vec<Child>,
    log: Arc<Mutex<Vec<Attempt>>>,
    accepted: Arc<AtomicUsize>,
    live: Arc<AtomicUsize>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

fn spawn_workers(mode: &str, pool: &str, url: &str, n: usize, rate: f64) -> (Vec<Child>, Vec<BufReader<std::process::ChildStdout>>) {
    let exe = std::env::current_exe().unwrap();
    let mut children = Vec::new();
    let mut outs = Vec::new();
    for w in 0..n {
        let mut c = Command::new(&exe)
            .args(["--worker", mode, pool, url, &w.to_string(), &n.to_string(), &rate.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut r = BufReader::new(c.stdout.take().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "worker {w} did not start");
        children.push(c);
        outs.push(r);
    }
    (children, outs)
}

impl Workers {
    fn start(pool: &str, url: &str, n: usize, rate: f64) -> Workers {
        let (mut children, outs) = spawn_workers("fault", pool, url, n, rate);
        let log = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let live = Arc::new(AtomicUsize::new(n));
        let readers = outs
            .into_iter()
            .map(|r| {
                let (log, accepted, live) = (log.clone(), accepted.clone(), live.clone());
                std::thread::spawn(move || {
                    for line in r.lines() {
                        let line = line.unwrap();
                        let f: Vec<&str> = line.split(' ').collect();
                        let a = Attempt { t_us: f[0].parse().unwrap(), index: f[1].parse().unwrap(), kind: f[2].chars().next().unwrap(), status: f[3].to_string() };
                        if a.status == "OK" {
                            accepted.fetch_add(1, SeqCst);
                        }
                        log.lock().unwrap().push(a);
                    }
                    live.fetch_sub(1, SeqCst);
                })
            })
            .collect();
        for c in &mut children {
            writeln!(c.stdin.as_mut().unwrap(), "go").unwrap();
        }
        Workers { children, log, accepted, live, readers }
    }

    /// Wait until `more` further requests have been accepted (the fleet is verifying).
    fn wait_accepted(&self, more: usize) {
        let target = self.accepted.load(SeqCst) + more;
        wait_for("acceptances", 120, || {
            assert!(self.live.load(SeqCst) > 0, "the workers used up the request pool: raise --requests");
            self.accepted.load(SeqCst) >= target
        });
    }

    fn finish(mut self) -> Vec<Attempt> {
        for c in &mut self.children {
            drop(c.stdin.take());
        }
        for c in &mut self.children {
            assert!(c.wait().unwrap().success(), "a worker failed");
        }
        for r in self.readers.drain(..) {
            r.join().unwrap();
        }
        let mut log = self.log.lock().unwrap().clone();
        log.sort_by_key(|a| a.t_us);
        log
    }
}

/// What a topology offers the harness.
struct Topo {
    name: &'static str,
    url: String,
    /// Kill a server and bring the service back; returns the kill time.
    fault: Box<dyn FnMut() -> u64>,
    /// redis-benchmark arguments that reach the same servers (now).
    bench: Box<dyn Fn() -> Vec<String>>,
    /// Plain ports of the data servers (for CONFIG during the throughput run).
    data_ports: Vec<u16>,
    _keep: Box<dyn std::any::Any>,
}

fn single(tls: bool) -> Topo {
    if tls {
        let t = Arc::new(Mutex::new(TlsRedis::start(true)));
        let g = t.lock().unwrap();
        let (url, port, ca, cert, key) = (g.url(), g.tls_port, g.certs.path("ca.pem"), g.certs.path("client.pem"), g.certs.path("client.key"));
        let plain = g.server.port;
        drop(g);
        let t2 = t.clone();
        Topo {
            name: "TLS",
            url,
            fault: Box::new(move || {
                let mut g = t2.lock().unwrap();
                let killed = now_us();
                g.server.stop();
                g.server.restart();
                killed
            }),
            bench: Box::new(move || {
                ["-p", &port.to_string(), "--tls", "--cacert", &ca, "--cert", &cert, "--key", &key, "--sni", "redis.test"].map(String::from).to_vec()
            }),
            data_ports: vec![plain],
            _keep: Box::new(t),
        }
    } else {
        let s = Arc::new(Mutex::new(RedisServer::persistent(&[])));
        let (url, port) = {
            let g = s.lock().unwrap();
            (g.url(), g.port)
        };
        let s2 = s.clone();
        Topo {
            name: "single",
            url,
            fault: Box::new(move || {
                let mut g = s2.lock().unwrap();
                let killed = now_us();
                g.stop();
                g.restart();
                killed
            }),
            bench: Box::new(move || vec!["-p".into(), port.to_string()]),
            data_ports: vec![port],
            _keep: Box::new(s),
        }
    }
}

fn sentinel() -> Topo {
    let s = Arc::new(Mutex::new(SentinelSet::start()));
    let url = s.lock().unwrap().url();
    let s2 = s.clone();
    let s3 = s.clone();
    let primary_port = move || {
        let g = s3.lock().unwrap();
        g.nodes[g.primary()].port
    };
    Topo {
        name: "Sentinel",
        url,
        fault: Box::new(move || {
            let (killed, _, _) = s2.lock().unwrap().fail_over(true);
            now_us() - killed.elapsed().as_micros() as u64
        }),
        bench: Box::new(move || vec!["-p".into(), primary_port().to_string()]),
        data_ports: vec![],
        _keep: Box::new(s),
    }
}

fn cluster() -> Topo {
    let c = Arc::new(Mutex::new(Cluster::start()));
    let (url, port) = {
        let g = c.lock().unwrap();
        (g.url(), g.nodes[0].port)
    };
    let c2 = c.clone();
    Topo {
        name: "Cluster",
        url,
        fault: Box::new(move || {
            let mut g = c2.lock().unwrap();
            let victim = g.primaries()[0];
            let (killed, _, _) = g.fail_over(victim);
            now_us() - killed.elapsed().as_micros() as u64
        }),
        bench: Box::new(move || vec!["--cluster".into(), "-p".into(), port.to_string()]),
        data_ports: vec![],
        _keep: Box::new(c),
    }
}

fn redis_benchmark(args: &[String], clients: usize, requests: usize) -> f64 {
    let out = Command::new("redis-benchmark")
        .args(args)
        .args(["-t", "set", "-c", &clients.to_string(), "-n", &requests.to_string(), "-r", "100000000", "-q"])
        .output()
        .expect("redis-benchmark (redis-tools)");
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "\n");
    text.lines()
        .filter_map(|l| l.strip_prefix("SET: "))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .last()
        .unwrap_or_else(|| panic!("redis-benchmark said: {text}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        return worker(&args[1..]);
    }
    let (mut workers, mut requests, mut faults, mut bench_secs, mut rate, mut topologies) = (4usize, 100_000usize, 2usize, 5.0f64, 300.0f64, Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().expect("option needs a value").clone();
        match a.as_str() {
            "--workers" => workers = val().parse().unwrap(),
            "--requests" => requests = val().parse().unwrap(),
            "--faults" => faults = val().parse().unwrap(),
            "--bench-seconds" => bench_secs = val().parse().unwrap(),
            "--rate" => rate = val().parse().unwrap(),
            t => topologies.push(t.to_string()),
        }
    }
    if topologies.is_empty() {
        topologies = ["single", "tls", "sentinel", "cluster"].map(String::from).to_vec();
    }
    let dir = fresh_dir("redis-faults");
    let mut failures = 0;
    println!("| topology | processes | attempts (fresh / own replay / other's replay) | accepted | replays accepted | accepted twice | faults | refused as NONCE_STORE_UNAVAILABLE (each fault) | other statuses | recovered after kill, ms (each fault) | verify/s | redis-benchmark SET/s | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for name in &topologies {
        let mut topo = match name.as_str() {
            "single" => single(false),
            "tls" => single(true),
            "sentinel" => sentinel(),
            "cluster" => cluster(),
            other => panic!("unknown topology {other}"),
        };
        // The fault run: a fresh pool of signed requests.
        let pool = dir.join(format!("{name}-pool.tsv"));
        write_pool(&pool, requests);
        let w = Workers::start(pool.to_str().unwrap(), &topo.url, workers, rate);
        let mut kills = Vec::new();
        w.wait_accepted(500);
        for _ in 0..faults {
            kills.push((topo.fault)());
            w.wait_accepted(500);
        }
        let log = w.finish();
        if let Ok(dump) = std::env::var("REDIS_FAULTS_LOG") {
            let mut f = std::io::BufWriter::new(std::fs::File::create(format!("{dump}.{name}")).unwrap());
            for k in &kills {
                writeln!(f, "{k} KILL").unwrap();
            }
            for a in &log {
                writeln!(f, "{} {} {} {}", a.t_us, a.index, a.kind, a.status).unwrap();
            }
        }
        // Per request: how many acceptances; replays accepted = attempts accepted after the
        // request's first acceptance.
        let mut accepted_at: HashMap<usize, u64> = HashMap::new();
        let (mut replays_accepted, mut count) = (0usize, HashMap::<char, usize>::new());
        let mut times: HashMap<usize, usize> = HashMap::new();
        for a in &log {
            *count.entry(a.kind).or_default() += 1;
            if a.status == "OK" {
                *times.entry(a.index).or_default() += 1;
                if accepted_at.contains_key(&a.index) {
                    replays_accepted += 1;
                } else {
                    accepted_at.insert(a.index, a.t_us);
                }
            }
        }
        let twice = times.values().filter(|&&n| n > 1).count();
        // Fault windows: from each kill to the first acceptance after the last refusal that
        // follows it (before the next kill). In a cluster the other primaries' slots keep
        // working meanwhile, so the window ends with the dead primary's slots' recovery.
        let (mut refused, mut recoveries, mut other) = (Vec::new(), Vec::new(), HashMap::<String, usize>::new());
        for (k, &kill) in kills.iter().enumerate() {
            let until = kills.get(k + 1).copied().unwrap_or(u64::MAX);
            let period: Vec<&Attempt> = log.iter().filter(|a| a.t_us >= kill && a.t_us < until).collect();
            let unavailable = |a: &&&Attempt| a.status == Status::NonceStoreUnavailable.name();
            refused.push(period.iter().filter(unavailable).count());
            let last_refusal = period.iter().rev().find(unavailable).map_or(kill, |a| a.t_us);
            let first_ok = period.iter().find(|a| a.t_us > last_refusal && a.status == "OK").map(|a| a.t_us);
            recoveries.push(first_ok.map_or("never".to_string(), |t| format!("{}", (t - kill) / 1000)));
        }
        // Outside the windows too, only these three statuses may appear.
        for a in &log {
            if !["OK", Status::NonceReplayed.name(), Status::NonceStoreUnavailable.name()].contains(&a.status.as_str()) {
                *other.entry(a.status.clone()).or_default() += 1;
            }
        }
        // The throughput run: fresh requests only, no faults. The servers that keep nonces on
        // disk fsync once a second meanwhile, so that both sides measure the path to Redis,
        // not this machine's disk.
        for port in &topo.data_ports {
            let _ = inspect(*port).and_then(|mut c| redis::cmd("CONFIG").arg("SET").arg("appendfsync").arg("everysec").query::<()>(&mut c));
        }
        let bench_pool = dir.join(format!("{name}-bench.tsv"));
        write_pool(&bench_pool, ((bench_secs * 15_000.0) as usize * workers).max(20_000));
        let (mut children, mut outs) = spawn_workers("bench", bench_pool.to_str().unwrap(), &topo.url, workers, 0.0);
        for c in &mut children {
            writeln!(c.stdin.as_mut().unwrap(), "{bench_secs}").unwrap();
        }
        let (mut rate, mut bench_refused) = (0.0, 0usize);
        for (c, o) in children.iter_mut().zip(&mut outs) {
            let mut line = String::new();
            o.read_line(&mut line).unwrap();
            let f: Vec<&str> = line.split_whitespace().collect();
            rate += f[1].parse::<f64>().unwrap() / f[2].parse::<f64>().unwrap();
            bench_refused += f[3].parse::<usize>().unwrap();
            assert!(c.wait().unwrap().success());
        }
        let bench = redis_benchmark(&(topo.bench)(), workers, ((rate * bench_secs) as usize).max(10_000));
        if bench_refused > 0 {
            eprintln!("{}: {bench_refused} requests refused in the throughput run", topo.name);
        }
        let ok = bench_refused == 0 && replays_accepted == 0 && twice == 0 && other.is_empty() && refused.iter().all(|&n| n > 0) && !recoveries.iter().any(|r| r == "never");
        if !ok {
            failures += 1;
        }
        println!(
            "| {} | {workers} | {} ({} / {} / {}) | {} | {replays_accepted} | {twice} | {} | {} | {} | {} | {rate:.0} | {bench:.0} | {:.2} |",
            topo.name,
            log.len(),
            count.get(&'F').unwrap_or(&0),
            count.get(&'S').unwrap_or(&0),
            count.get(&'O').unwrap_or(&0),
            accepted_at.len(),
            kills.len(),
            refused.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "),
            if other.is_empty() { "none".to_string() } else { format!("{other:?}") },
            recoveries.join(", "),
            rate / bench
        );
        drop(topo);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if failures > 0 {
        eprintln!("redis-faults: {failures} topology(ies) failed (a replay accepted, a request accepted twice, another status, no refusal in a fault window, or no recovery)");
        std::process::exit(1);
    }
}

fn write_pool(path: &std::path::Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for (i, r) in sign_requests(n, SECRET).iter().enumerate() {
        let g = |name: &str| r.headers.get(name).unwrap().unwrap().to_string();
        writeln!(f, "{i}\t{}\t{}\t{}\t{}\t{}", r.url, r.body, g("X-Timestamp"), g("X-Nonce"), g("X-Signature")).unwrap();
    }
}
