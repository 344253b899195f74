//! Generates include/signwire.h from src/ffi with cbindgen.
//!
//! The header is committed. A test (tests/header.rs) regenerates it into OUT_DIR's copy and
//! fails when the committed file differs, so the C, PHP and Python declarations, which are
//! all read from it, cannot drift from the Rust code.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // bcrypt backend: libxcrypt's crypt_blowfish (PHP's code, ~15% faster than the `bcrypt`
    // crate) on Linux with glibc, where libcrypt is part of the base system and its
    // development link comes with libc6-dev; SIGNWIRE_BCRYPT=rust selects the portable crate.
    println!("cargo:rustc-check-cfg=cfg(signwire_libxcrypt)");
    println!("cargo:rerun-if-env-changed=SIGNWIRE_BCRYPT");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu && std::env::var("SIGNWIRE_BCRYPT").as_deref() != Ok("rust") {
        println!("cargo:rustc-cfg=signwire_libxcrypt");
    }
    // A versioned soname (libsignwire.so.0) so that an installed libsignwire.so.0.1.0 can be
    // upgraded in place and programs record the ABI they were linked against
    // (bindings/c's `make install` creates the matching symlinks).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsignwire.so.{major}");
        // A program linked against target/<profile>/libsignwire.so records that soname, so put
        // the soname link beside the library (as libtool does in a build tree); without it such
        // programs (the bindings' C test helpers) would not start. OUT_DIR is
        // target/<profile>/build/<pkg>-<hash>/out.
        #[cfg(unix)]
        if let Some(profile_dir) = out_dir.ancestors().nth(3) {
            let link = profile_dir.join(format!("libsignwire.so.{major}"));
            if std::fs::symlink_metadata(&link).is_err() {
                let _ = std::os::unix::fs::symlink("libsignwire.so", &link);
            }
        }
    }
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let generated = cbindgen::Builder::new()
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    let mut raw = Vec::new();
    generated.write(&mut raw);
    let text = c89(&String::from_utf8(raw).expect("cbindgen wrote UTF-8"));
    std::fs::write(out_dir.join("signwire.h"), &text).expect("write OUT_DIR/signwire.h");
    // Writing into the source tree only when asked keeps `cargo build` of a published crate
    // read-only; scripts/regen-header sets it.
    if std::env::var_os("SIGNWIRE_WRITE_HEADER").is_some() {
        std::fs::write(crate_dir.join("include/signwire.h"), &text).expect("write include/signwire.h");
    }
}

/// C89 (`-std=c89 -pedantic`) rejects two things cbindgen writes whatever its configuration:
/// a comma after an enum's last variant, and `//` comments after `#endif` and `}`. The doc
/// comments are already `/** */` (cbindgen.toml's documentation_style).
fn c89(header: &str) -> String {
    let lines: Vec<&str> = header.lines().collect();
    let mut out = String::with_capacity(header.len());
    for (i, line) in lines.iter().enumerate() {
        let closes_block = lines.get(i + 1).is_some_and(|next| next.starts_with('}'));
        let line = match line.find(" // ") {
            Some(at) if line.starts_with('#') || line.starts_with('}') => {
                format!("{} /* {} */", &line[..at], &line[at + 4..])
            }
            _ => line.to_string(),
        };
        out.push_str(if closes_block { line.strip_suffix(',').unwrap_or(&line) } else { &line });
        out.push('\n');
    }
    out
}
