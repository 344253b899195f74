//! Fuzz target `scheme_json`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/scheme_json.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/scheme_json/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
include!("../invariants/scheme_json.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
