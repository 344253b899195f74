//! HMAC-SHA256 time per call: signwire's RustCrypto backend vs aws-lc-rs, same key and data, by size.
//! `cargo run --release --example backends`; add `OPENSSL_ia32cap=":~0x20000000"` to hide SHA-NI
//! from aws-lc, and build with `RUSTFLAGS='--cfg sha2_backend="soft"'` for sha2's portable code.
use std::hint::black_box;
use std::time::Instant;
fn main() {
    let secret = b"a 32-byte secret for benchmarks!";
    let sw = signwire::mac::Key::with_backend(signwire::mac::Algorithm::Sha256, secret, signwire::mac::Backend::RustCrypto).unwrap();
    let lc = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    for size in [64usize, 1024, 65536, 1 << 20] {
        let data = vec![7u8; size];
        assert_eq!(sw.sign(&data).as_bytes(), aws_lc_rs::hmac::sign(&lc, &data).as_ref());
        let n = (200_000_000 / (size + 200)).max(20) as u32;
        let mut best = [f64::MAX; 2];
        for _ in 0..5 {
            let t = Instant::now();
            for _ in 0..n { black_box(sw.sign(black_box(&data))); }
            best[0] = best[0].min(t.elapsed().as_nanos() as f64 / n as f64);
            let t = Instant::now();
            for _ in 0..n { black_box(aws_lc_rs::hmac::sign(&lc, black_box(&data))); }
            best[1] = best[1].min(t.elapsed().as_nanos() as f64 / n as f64);
        }
        println!("{size:>8} B  sha2 {:>10.0} ns  aws-lc {:>10.0} ns  sha2/aws-lc {:.3}", best[0], best[1], best[0] / best[1]);
    }
}
