//! HMAC-SHA256 and HMAC-SHA1 through `mac::Key`, at the sizes the comparison script uses.
//!
//! `keyed` signs with a key whose HMAC state was computed once (what `Signer`, `Verifier`
//! and `signwire_hmac_key_*` do); `one_shot` keys the state on every call (what
//! `signwire_hmac_sign` does). Run: `cargo bench --bench hmac`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use signwire::mac::{Algorithm, Encoding, Key};
use std::hint::black_box;

const SIZES: [(usize, &str); 4] = [(64, "64B"), (1024, "1KiB"), (64 * 1024, "64KiB"), (1024 * 1024, "1MiB")];
const SECRET: &[u8] = b"a 32-byte secret for benchmarks!";

fn hmac(c: &mut Criterion) {
    for (alg, name) in [(Algorithm::Sha256, "hmac-sha256"), (Algorithm::Sha1, "hmac-sha1")] {
        let mut g = c.benchmark_group(name);
        let key = Key::new(alg, SECRET).unwrap();
        for (size, label) in SIZES {
            let msg = vec![0x5au8; size];
            g.throughput(Throughput::Bytes(size as u64));
            g.bench_with_input(BenchmarkId::new("keyed", label), &msg, |b, m| b.iter(|| key.sign(black_box(m))));
            g.bench_with_input(BenchmarkId::new("keyed_hex", label), &msg, |b, m| {
                b.iter(|| key.sign(black_box(m)).encode(Encoding::Hex))
            });
            g.bench_with_input(BenchmarkId::new("one_shot", label), &msg, |b, m| {
                b.iter(|| Key::new(alg, black_box(SECRET)).unwrap().sign(black_box(m)))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, hmac);
criterion_main!(benches);
