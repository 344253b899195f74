//! Every committed fuzz corpus file (fuzz/corpus/<target>/*, crash seeds included) replayed
//! through its target's invariants, with no fuzzer: the same code libFuzzer runs
//! (fuzz/invariants/<target>.rs, included by both), fed each file's bytes decoded the way
//! libfuzzer-sys decodes them. A once-found crash input that comes back fails `cargo test`.
//!
//! Gates, so that a run cannot pass without replaying: every target in fuzz/Cargo.toml has a
//! corpus directory here and a test below; every file of a corpus is replayed (none may fail
//! to decode); the `arbitrary` version that decodes here is the one the fuzz crate locks.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

mod bcrypt_hash {
    include!("../fuzz/invariants/bcrypt_hash.rs");
}
mod diagnostics {
    include!("../fuzz/invariants/diagnostics.rs");
}
mod ffi_verify {
    include!("../fuzz/invariants/ffi_verify.rs");
}
mod headers {
    include!("../fuzz/invariants/headers.rs");
}
mod http_signatures {
    include!("../fuzz/invariants/http_signatures.rs");
}
mod scheme_json {
    include!("../fuzz/invariants/scheme_json.rs");
}
mod seal_open {
    include!("../fuzz/invariants/seal_open.rs");
}
mod timestamp_nonce {
    include!("../fuzz/invariants/timestamp_nonce.rs");
}
mod url_query {
    include!("../fuzz/invariants/url_query.rs");
}
mod verify {
    include!("../fuzz/invariants/verify.rs");
}

/// The targets replayed below; `every_fuzz_target_is_replayed` ties it to fuzz/Cargo.toml.
const TARGETS: [&str; 10] = [
    "bcrypt_hash",
    "diagnostics",
    "ffi_verify",
    "headers",
    "http_signatures",
    "scheme_json",
    "seal_open",
    "timestamp_nonce",
    "url_query",
    "verify",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// Runs `run` on every corpus file of `target`; fails listing every file that panicked (an
/// invariant's assert or a crash) or that `run` could not decode (returned false).
fn replay(target: &str, run: impl Fn(&[u8]) -> bool) {
    let files = corpus(target);
    // The committed corpora hold 7 to 46 files each; fewer means a checkout lost them.
    assert!(files.len() >= 5, "fuzz/corpus/{target}: only {} files", files.len());
    let mut failures = Vec::new();
    for (name, bytes) in &files {
        match catch_unwind(AssertUnwindSafe(|| run(bytes))) {
            Ok(true) => {}
            Ok(false) => failures.push(format!("{name}: does not decode to the target's input (libFuzzer would skip it)")),
            Err(p) => {
                let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
                failures.push(format!("{name}: {}", msg.unwrap_or_else(|| "panic".into())));
            }
        }
    }
    assert!(failures.is_empty(), "fuzz/corpus/{target}: {} of {} files fail:\n{}", failures.len(), files.len(), failures.join("\n"));
    eprintln!("fuzz/corpus/{target}: {} files replayed", files.len());
}

/// libfuzzer-sys's decoding of a structured input (fuzz_target! with a typed closure): too
/// short for the type's minimum size, or not decodable, and the input is skipped.
fn decode<'a, T: arbitrary::Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(arbitrary::Unstructured::new(bytes)).ok()
}

macro_rules! replay_bytes {
    ($name:ident) => {
        #[test]
        fn $name() {
            replay(stringify!($name), |b| {
                $name::check(b);
                true
            });
        }
    };
}

macro_rules! replay_structured {
    ($name:ident) => {
        #[test]
        fn $name() {
            replay(stringify!($name), |b| match decode::<$name::Input>(b) {
                Some(i) => {
                    $name::check(i);
                    true
                }
                None => false,
            });
        }
    };
}

replay_bytes!(diagnostics);
replay_bytes!(headers);
replay_bytes!(http_signatures);
replay_bytes!(scheme_json);
replay_bytes!(timestamp_nonce);
replay_bytes!(url_query);
replay_structured!(bcrypt_hash);
replay_structured!(ffi_verify);
replay_structured!(seal_open);
replay_structured!(verify);

/// A new target without a replay here (or a corpus without a target) fails.
#[test]
fn every_fuzz_target_is_replayed() {
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    let mut bins: Vec<&str> = manifest
        .split("[[bin]]")
        .skip(1)
        .map(|b| b.lines().find_map(|l| l.strip_prefix("name = \"")).and_then(|n| n.strip_suffix('"')).expect("a bin name"))
        .collect();
    bins.sort_unstable();
    assert_eq!(bins, TARGETS, "fuzz/Cargo.toml's targets vs the replays in tests/fuzz_corpus.rs");
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("fuzz/corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort_unstable();
    assert_eq!(dirs, TARGETS, "fuzz/corpus/ directories vs the targets");
}

/// The corpus files were made by the fuzz crate's `arbitrary`; a different version may cut
/// the same bytes into different fields, and the replay would test other inputs.
#[test]
fn arbitrary_version_matches_the_fuzz_crate() {
    let version = |lock: &Path| -> String {
        let text = std::fs::read_to_string(lock).unwrap();
        let at = text.find("name = \"arbitrary\"\nversion = \"").unwrap_or_else(|| panic!("no arbitrary in {}", lock.display()));
        text[at..].lines().nth(1).unwrap().to_string()
    };
    assert_eq!(version(&root().join("Cargo.lock")), version(&root().join("fuzz/Cargo.lock")));
}
