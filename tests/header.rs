//! The committed include/signwire.h must equal what cbindgen generates from src/ffi now.
//! Regenerate with `scripts/regen-header` (SIGNWIRE_WRITE_HEADER=1 cargo build).

#[test]
fn committed_header_matches_generated() {
    let fresh = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/signwire.h")).expect("generated header");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/signwire.h")).expect("include/signwire.h");
    assert!(
        fresh == committed,
        "include/signwire.h is stale: run scripts/regen-header and commit the result"
    );
}
