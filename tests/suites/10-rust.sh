#!/usr/bin/env bash
# Rust unit, integration (vectors, CLI, header drift) and doc tests.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
cargo test --release --quiet 2>&1
# The criterion benches and scripts/bench's programs must keep compiling (scripts/bench is
# not part of the test run: its timings need an idle machine).
cargo bench --no-run --quiet 2>&1
