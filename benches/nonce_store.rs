//! Nonce stores: one `check_and_record` of a fresh (key id, nonce), per store.
//! Run: `cargo bench --bench nonce_store`. Checks per second with several threads or
//! processes are measured by `scripts/bench` (benches/compare/stores.rs).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use signwire::replay::{MemoryStore, NonceStore};
use std::hint::black_box;
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(360);

/// Distinct 32-hex nonces, so every check is a first use (the common case).
fn nonce(i: u64) -> String {
    format!("{:032x}", i)
}

fn time_store(make: &dyn Fn() -> Box<dyn NonceStore>, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        // A new store per chunk keeps it below its capacity however long criterion runs.
        let chunk = left.min(200_000);
        let store = make();
        let nonces: Vec<String> = (0..chunk).map(nonce).collect();
        let start = Instant::now();
        for n in &nonces {
            black_box(store.check_and_record("k1", black_box(n), TTL).unwrap());
        }
        total += start.elapsed();
        left -= chunk;
    }
    total
}

fn stores(c: &mut Criterion) {
    let mut g = c.benchmark_group("nonce_store");
    g.throughput(Throughput::Elements(1));
    g.bench_function("memory", |b| b.iter_custom(|n| time_store(&|| Box::new(MemoryStore::default()), n)));
    g.finish();
}

criterion_group!(benches, stores);
criterion_main!(benches);
