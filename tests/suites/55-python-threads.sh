#!/usr/bin/env bash
# Concurrency from Python: one Verifier shared by 8 threads x 50,000 verifications through
# the ctypes binding (tests/concurrency/python_threads.py); results must equal a
# single-threaded run. The C counterpart is bindings/c/tests/test_threads.c (suite 20-c,
# and under ThreadSanitizer in 25-sanitizers).
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
export SIGNWIRE_LIB="${SIGNWIRE_LIB:-$PWD/target/release/libsignwire.so}"
PYTHONPATH="$PWD/bindings/python/src" python3 tests/concurrency/python_threads.py \
    "${SIGNWIRE_THREAD_TEST_PER_THREAD:-50000}"
