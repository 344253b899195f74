//! EpinTower: bcrypt(sha1(fields)) at cost 10, sign and verify, and
//! the refusal of a cost-31 hash under the default cap. One call takes tens of
//! milliseconds, so the sample is small. The comparison with PHP's password_hash is in
//! scripts/bench (benches/php/compare.php). Run: `cargo bench --bench bcrypt`.

use criterion::{criterion_group, criterion_main, Criterion};
use signwire::scheme::epintower;
use std::hint::black_box;

fn bcrypt(c: &mut Criterion) {
    let fields = ["merchant-42", "order-1001", "100.00", "EUR", "1700000000"];
    let signature = epintower::sign_request(&fields).unwrap();
    let mut g = c.benchmark_group("epintower_cost10");
    g.sample_size(10);
    g.bench_function("sign_request", |b| b.iter(|| epintower::sign_request(black_box(&fields)).unwrap()));
    g.bench_function("verify_request", |b| b.iter(|| epintower::verify_request(black_box(&fields), &signature).unwrap()));
    g.finish();
    // The sender picks the cost: a `$2y$31$` is refused by the default cap (12) before any
    // bcrypt work. Checked for real it would take ~2²¹ times the verify_request row.
    let h31 = format!("$2y$31${}", &signature[7..]);
    let mut g = c.benchmark_group("epintower_refusal");
    g.bench_function("verify_request_cost31_default_cap", |b| b.iter(|| epintower::verify_request(black_box(&fields), &h31).unwrap_err()));
    g.finish();
}

criterion_group!(benches, bcrypt);
criterion_main!(benches);
