//! Fuzz target `http_signatures`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/http_signatures.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/http_signatures/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
include!("../invariants/http_signatures.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
