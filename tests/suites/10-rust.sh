#!/usr/bin/env bash
# Rust unit, integration (vectors, CLI, header drift) and doc tests.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
cargo test --release --quiet 2>&1
# The MAC backend is picked by the CPU (aws-lc where x86 lacks SHA-NI, RustCrypto otherwise):
# run the integration tests again with each backend pinned, so both are exercised end to end
# whichever kind of machine this is. (Vectors, Wycheproof and zeroize already loop over both.)
for backend in rustcrypto aws-lc; do
    echo "-- integration tests with SIGNWIRE_MAC_BACKEND=$backend"
    SIGNWIRE_MAC_BACKEND=$backend cargo test --release --quiet --tests 2>&1
done
# The criterion benches and scripts/bench's programs must keep compiling (scripts/bench is
# not part of the test run: its timings need an idle machine).
cargo bench --no-run --quiet 2>&1
# The fuzz targets (scripts/fuzz) are a separate crate with its own lock file: type-check them
# so that an API change cannot break them unnoticed (--locked: the lock file is kept current).
# Building them for real needs cargo-fuzz and ASan (minutes); checking takes about one.
echo "-- fuzz targets compile (cargo check)"
cargo check --manifest-path fuzz/Cargo.toml --bins --locked --quiet 2>&1
