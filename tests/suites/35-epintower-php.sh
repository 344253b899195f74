#!/usr/bin/env bash
# EpinTower bcrypt(sha1) interop with real PHP (php-cli, installed from scripts/deps/apt-epintower.txt):
# hashes made by signwire's C ABI (through PHP FFI) and CLI pass password_verify, and
# password_hash/crypt output passes signwire's verify, for both sha1 round counts, with the
# spec's example values and random ASCII, UTF-8 and binary fields.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
lib="${SIGNWIRE_LIB:-$PWD/target/release/libsignwire.so}"
cli="$(command -v signwire || echo "$PWD/target/release/signwire")"
command -v php >/dev/null || { echo "php not found (scripts/deps/apt-epintower.txt lists php-cli)"; exit 1; }
[ -f "$lib" ] || { echo "library $lib not found: build with cargo build --release"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# PHP's FFI reads '#' lines as comments but not the C++ guard's 'extern "C" {' and '}'.
sed -e '/^#/d' -e '/^extern "C" {/d' -e '/^}  \(\/\/\|\/\*\) extern "C"/d' include/signwire.h > "$tmp/signwire-php.h"
php -d ffi.enable=1 tests/interop/epintower-php.php "$tmp/signwire-php.h" "$lib" "$cli"
