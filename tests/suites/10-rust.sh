#!/usr/bin/env bash
# Rust unit, integration (vectors, CLI, header drift) and doc tests.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
cargo test --release --quiet 2>&1
