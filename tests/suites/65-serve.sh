#!/usr/bin/env bash
# `signwire serve`, the local test endpoint: a client in each language (Python requests +
# binding, PHP Guzzle + binding, C binding over a socket, curl with `signwire sign` output)
# gets ok, and `signwire diff` names what a tampered request changed; HTTP limits.
# Expects target/release built (scripts/test does it).
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
command -v signwire >/dev/null || export PATH="$PWD/target/release:$PATH"
export SIGNWIRE_LIB="${SIGNWIRE_LIB:-$PWD/target/release/libsignwire.so}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
libdir=$(dirname "$SIGNWIRE_LIB")
cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iinclude tests/serve/client.c \
    -L"$libdir" -lsignwire -Wl,-rpath,"$libdir" -o "$tmp/client"
python3 tests/serve/run.py "$tmp/client"
