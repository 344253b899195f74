#!/usr/bin/env bash
# Sealed bodies (JWE): interop both ways with jwcrypto and joserfc (from PyPI, see
# scripts/deps/pip-seal.txt), for dir+A256GCM and RSA-OAEP-256+A256GCM; then the
# cross-language round trip (tests/seal/roundtrip.sh), when present.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
command -v signwire >/dev/null || export PATH="$PWD/target/release:$PATH"
python3 tests/seal/interop.py
if [ -f tests/seal/roundtrip.sh ]; then
    bash tests/seal/roundtrip.sh
fi
