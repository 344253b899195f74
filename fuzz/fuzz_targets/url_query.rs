//! Fuzz target `url_query`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/url_query.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/url_query/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
include!("../invariants/url_query.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
