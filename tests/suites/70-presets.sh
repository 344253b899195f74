#!/usr/bin/env bash
# Presets against the schemes' own libraries (scripts/deps/pip-beyond.txt): Standard Webhooks
# vs `standardwebhooks`, Stripe vs `stripe`, both ways, through the Python binding (from
# this checkout, on the harness's SIGNWIRE_LIB) and the CLI (target/release/signwire).
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
export SIGNWIRE_LIB="${SIGNWIRE_LIB:-$PWD/target/release/libsignwire.so}"
PYTHONPATH="$PWD/bindings/python/src" exec python3 -m pytest -q -p no:cacheprovider tests/presets
