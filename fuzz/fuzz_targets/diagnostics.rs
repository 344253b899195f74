//! Fuzz target `diagnostics`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/diagnostics.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/diagnostics/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
include!("../invariants/diagnostics.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
