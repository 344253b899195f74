//! Fuzz target `headers`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/headers.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/headers/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
include!("../invariants/headers.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
