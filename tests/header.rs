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

/// Every `.rs` file under `dir`, recursively, with its text.
fn rust_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
    out
}

/// Code lines only: `//` comments (and doc comments, whose examples use the public API as a
/// user would) are not imports.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim_start().starts_with("//"))
}

/// The scheme kinds are plug-ins below the policy: nothing under src/scheme may reach the
/// verifier, the signer, the diagnostics, the nonce stores or the IP policy (a module cycle,
/// and the way policy copies crept into kinds before), nor read a clock (the verifier passes
/// `now`). Elsewhere in the library nothing matches on `Kind::`: it calls the kind's methods.
#[test]
fn scheme_kinds_stay_below_the_pipeline() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden = ["crate::verifier", "crate::signer", "crate::diagnostics", "crate::replay", "crate::ip_policy", "super::super::"];
    // Re-exports at the crate root would hide the same dependency: `crate::{Verifier, ...}`.
    let forbidden_names = ["Verifier", "Signer", "Diagnostic", "NonceStore", "IpPolicy", "Verified"];
    let clocks = ["unix_now", "SystemTime", "Instant::now"];
    let mut found = Vec::new();
    for (path, text) in rust_files(&root.join("scheme")) {
        for (n, line) in code_lines(&text) {
            let at = format!("{}:{n}: {}", path.display(), line.trim());
            if forbidden.iter().any(|f| line.contains(f)) || clocks.iter().any(|c| line.contains(c)) {
                found.push(at);
            } else if line.contains("crate::") && forbidden_names.iter().any(|f| line.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == *f)) {
                found.push(at);
            }
        }
    }
    assert!(found.is_empty(), "src/scheme reaches above itself or reads a clock:\n{}", found.join("\n"));

    let mut matches = Vec::new();
    for (path, text) in rust_files(&root) {
        if path.starts_with(root.join("scheme")) {
            continue;
        }
        for (n, line) in code_lines(&text) {
            if line.contains("Kind::") && !line.contains("ErrorKind::") {
                matches.push(format!("{}:{n}: {}", path.display(), line.trim()));
            }
        }
    }
    assert!(matches.is_empty(), "only src/scheme may name scheme kinds:\n{}", matches.join("\n"));
}

/// The check above sees what it is meant to see (a checker that finds nothing proves nothing).
#[test]
fn the_layering_check_catches_an_import() {
    let sample = "use crate::verifier::Verifier;\n// use crate::signer::Signer;\n";
    let hits: Vec<_> = code_lines(sample).filter(|(_, l)| l.contains("crate::verifier") || l.contains("crate::signer")).collect();
    assert_eq!(hits, vec![(1, "use crate::verifier::Verifier;")]);
}
