//! Fuzz target `timestamp_nonce`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/timestamp_nonce.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/timestamp_nonce/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
include!("../invariants/timestamp_nonce.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
