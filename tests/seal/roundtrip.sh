#!/usr/bin/env bash
# Cross-language sealed-body round trip over HTTP on loopback, with fresh keys:
#   1. C client seals (RSA-OAEP-256) and signs (HopNow) -> Python server verifies, then opens
#      (the Python binding, and independently Python hmac + jwcrypto, which must agree);
#      a token altered after signing is refused as BAD_SIGNATURE, before any decryption.
#   2. Python client seals and signs (Python binding) -> C server verifies, then opens (under valgrind).
#   3. Python client without signwire (jwcrypto + hmac) -> C server.
#   4. With the PHP binding (bindings/php): PHP client -> Python server, and Python client ->
#      PHP server (php -S, OpeningKeys::verifyAndOpen).
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
: "${SIGNWIRE_LIB:=$PWD/target/release/libsignwire.so}"
export SIGNWIRE_LIB
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

libdir=$(dirname "$SIGNWIRE_LIB")
cc -std=c11 -Wall -Wextra -Werror -Iinclude tests/seal/peer.c -L"$libdir" -lsignwire -Wl,-rpath,"$libdir" -o "$work/peer"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/server.pem" 2>/dev/null
openssl pkey -in "$work/server.pem" -pubout -out "$work/server-pub.pem"
openssl rand -hex 32 > "$work/hmac.secret"
export SEAL_RSA_PRIVATE="$work/server.pem" SEAL_RSA_PUBLIC="$work/server-pub.pem" HMAC_SECRET_FILE="$work/hmac.secret"
BODY='{"card":"4111111111111111","cvv":"123","amount":"100.00"}'

wait_port() { for _ in $(seq 100); do [ -s "$1" ] && { cat "$1"; return; }; sleep 0.1; done; echo "server did not start" >&2; exit 1; }
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# 1. C client -> Python server (two requests: a good one, then a tampered one).
python3 tests/seal/peer.py server "$work/py.port" 2 & pids+=($!); py=$!
port=$(wait_port "$work/py.port")
if "$work/peer" client "$port" "$BODY"; then ok "C seals+signs -> Python verifies+opens (and hmac+jwcrypto agree)"; else bad "C -> Python"; fi
out=$("$work/peer" client "$port" "$BODY" tamper || true)
echo "$out"
if [[ "$out" == *"HTTP 401"*"SIGNWIRE_ERR_BAD_SIGNATURE"* ]]; then ok "token altered after signing: BAD_SIGNATURE, never decrypted"; else bad "tampered C -> Python"; fi
if wait "$py"; then ok "Python server: no disagreement with the independent check"; else bad "Python server exit"; fi

# 2. Python client (signwire) -> C server, the server under valgrind when available.
vg=()
command -v valgrind >/dev/null && vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
"${vg[@]}" "$work/peer" server "$work/c.port" > "$work/c.out" & pids+=($!); cs=$!
port=$(wait_port "$work/c.port")
if python3 tests/seal/peer.py client "$port" "$BODY"; then ok "Python seals+signs -> C verifies+opens"; else bad "Python -> C"; fi
if wait "$cs" && grep -qF "client-1 sent $BODY" "$work/c.out"; then ok "C server opened exactly the body${vg:+ (valgrind clean)}"; else cat "$work/c.out"; bad "C server"; fi

# 3. A counterparty without signwire -> C server.
"$work/peer" server "$work/c2.port" > "$work/c2.out" & pids+=($!); cs=$!
port=$(wait_port "$work/c2.port")
if python3 tests/seal/peer.py rawclient "$port" "$BODY"; then ok "jwcrypto+hmac (no signwire) -> C verifies+opens"; else bad "raw Python -> C"; fi
wait "$cs" || bad "C server (raw client)"

# 4. PHP, through the PHP binding.
if [ ! -f bindings/php/autoload.php ]; then
    bad "bindings/php is missing"
elif ! command -v php >/dev/null; then
    bad "php is not installed (scripts/deps/apt-seal.txt lists php-cli)"
else
    php=(php -d ffi.enable=1)
    python3 tests/seal/peer.py server "$work/py2.port" 1 & pids+=($!); py=$!
    port=$(wait_port "$work/py2.port")
    if "${php[@]}" tests/seal/php_peer.php client "$port" "$BODY"; then ok "PHP seals+signs -> Python verifies+opens"; else bad "PHP -> Python"; fi
    wait "$py" || bad "Python server (PHP client)"

    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${php[@]}" -S "127.0.0.1:$port" tests/seal/php_peer.php 2> "$work/php.log" & pids+=($!)
    for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break; sleep 0.1; done
    if python3 tests/seal/peer.py client "$port" "$BODY"; then ok "Python seals+signs -> PHP verifies+opens"; else cat "$work/php.log"; bad "Python -> PHP"; fi
    if "$work/peer" client "$port" "$BODY"; then ok "C seals+signs -> PHP verifies+opens"; else cat "$work/php.log"; bad "C -> PHP"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
