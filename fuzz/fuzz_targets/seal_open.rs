//! Fuzz target `seal_open`, run by scripts/fuzz.
//! The input type and invariants are in fuzz/invariants/seal_open.rs, shared with
//! tests/fuzz_corpus.rs, which replays the committed corpus (fuzz/corpus/seal_open/) in the test
//! command; this file only hands libFuzzer's inputs to them.
#![no_main]
// The derive in the included file names `arbitrary`: libfuzzer-sys's copy, the version the
// corpus was made with (tests/fuzz_corpus.rs checks that it decodes the same way).
use libfuzzer_sys::arbitrary;
include!("../invariants/seal_open.rs");

libfuzzer_sys::fuzz_target!(|i: Input| check(i));
