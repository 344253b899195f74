//! HopNow sign and verify (memory nonce store) at 64 B, 1 KiB, 64 KiB and 1 MiB bodies, and
//! verify next to the bare HMAC of the same payload (the verify-overhead row).
//!
//! `sign` is `Signer::sign` (fresh nonce from the OS, current time, headers as text).
//! `verify` parses the header block and runs `Verifier::verify_at` with every check and the
//! memory store; each request carries a new nonce, signed outside the timed loop.
//! Run: `cargo bench --bench hopnow`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use signwire::mac::{Algorithm, Key};
use signwire::{Headers, Request, Scheme, Signer, Verifier};
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [(usize, &str); 4] = [(64, "64B"), (1024, "1KiB"), (64 * 1024, "64KiB"), (1024 * 1024, "1MiB")];
const SECRET: &[u8] = b"a 32-byte secret for benchmarks!";
const URL: &str = "https://api.example.com/v1/payments?merchant=42";
const NOW: i64 = 1_700_000_000;

/// Verify `iters` requests, each with its own nonce; signing happens between timed chunks.
fn time_verify(signer: &Signer, body: &[u8], iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        // A fresh verifier per chunk keeps the store bounded however long criterion runs.
        let chunk = left.min(10_000);
        let verifier = Verifier::new(Scheme::load("hopnow").unwrap());
        verifier.keyring().add_secret("k1", SECRET).unwrap();
        let blocks: Vec<String> = (0..chunk)
            .map(|i| signer.sign_at(&Request::new("POST", URL, body), NOW, &format!("{:032x}", i)).unwrap().to_block())
            .collect();
        let start = Instant::now();
        for block in &blocks {
            let headers = Headers::parse(black_box(block)).unwrap();
            let req = Request::new("POST", URL, black_box(body)).with_headers(&headers);
            black_box(verifier.verify_at(&req, NOW).unwrap());
        }
        total += start.elapsed();
        left -= chunk;
    }
    total
}

fn hopnow(c: &mut Criterion) {
    let signer = Signer::new(Scheme::load("hopnow").unwrap(), "k1", SECRET).unwrap();
    let mut g = c.benchmark_group("hopnow");
    for (size, label) in SIZES {
        let body = vec![b'x'; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("sign", label), &body, |b, body| {
            b.iter(|| signer.sign(&Request::new("POST", URL, black_box(body))).unwrap().to_block())
        });
        g.bench_with_input(BenchmarkId::new("verify", label), &body, |b, body| b.iter_custom(|n| time_verify(&signer, body, n)));
    }
    g.finish();

    // The verify-overhead row: the same 1 KiB payload, MAC only.
    let mut g = c.benchmark_group("verify_overhead");
    let body = vec![b'x'; 1024];
    let key = Key::new(Algorithm::Sha256, SECRET).unwrap();
    let nonce = "00112233445566778899aabbccddeeff";
    let ts = NOW.to_string();
    g.bench_function("bare_hmac/1KiB", |b| {
        b.iter(|| key.sign_parts(&[&b"POST"[..], URL.as_bytes(), ts.as_bytes(), nonce.as_bytes(), black_box(&body[..])]))
    });
    g.bench_function("verify/1KiB", |b| b.iter_custom(|n| time_verify(&signer, &body, n)));
    g.finish();
}

criterion_group!(benches, hopnow);
criterion_main!(benches);
