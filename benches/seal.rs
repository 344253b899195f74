//! Sealed bodies: seal and open with `dir` (AES-256-GCM only) and `RSA-OAEP-256` (a 2048-bit
//! RSA operation plus AES-256-GCM), at 1 KiB and 64 KiB. Run: `cargo bench --bench seal`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use signwire::seal::{OpeningKeys, Recipient, RsaPrivateKey, SharedKey};
use std::hint::black_box;

fn seal(c: &mut Criterion) {
    let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/seal/rsa2048-private.pem")).unwrap();
    let private = RsaPrivateKey::parse(&pem).unwrap();
    let aes = SharedKey::new(&[7u8; 32]).unwrap();
    let keys = OpeningKeys::new();
    let recipients = [
        ("dir", Recipient::shared("aes", aes.clone()).unwrap()),
        ("rsa-oaep-256", Recipient::rsa("rsa", private.public_key()).unwrap()),
    ];
    keys.add_shared("aes", aes).unwrap();
    keys.add_rsa("rsa", private).unwrap();
    for (name, to) in &recipients {
        let mut g = c.benchmark_group(format!("seal-{name}"));
        for (size, label) in [(1024usize, "1KiB"), (64 * 1024, "64KiB")] {
            let body = vec![0x5au8; size];
            let token = to.seal(&body).unwrap();
            g.throughput(Throughput::Bytes(size as u64));
            g.bench_with_input(BenchmarkId::new("seal", label), &body, |b, m| b.iter(|| to.seal(black_box(m)).unwrap()));
            g.bench_with_input(BenchmarkId::new("open", label), &token, |b, t| b.iter(|| keys.open(black_box(t)).unwrap()));
        }
        g.finish();
    }
}

criterion_group!(benches, seal);
criterion_main!(benches);
