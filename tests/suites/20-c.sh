#!/usr/bin/env bash
# C binding (bindings/c): the C tests natively and under valgrind (no error, no leak), the
# 8-thread test, `make install` + pkg-config (shared and static), and the C example client
# cross-checked against the CLI verifier. Expects target/release built (scripts/test does it).
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
root=$PWD
c=bindings/c
make -s -C $c all

echo "-- C tests, native and under valgrind"
make -s -C $c test

echo "-- make install + pkg-config"
make -s -C $c check-install

echo "-- every function in include/signwire.h is called by the C tests"
# A gate, not a report: a function added to the header needs a C test with expected values
# from an independent source (tests/test_signwire.c says which) before this suite passes.
functions=$(grep -o '\bsignwire_[a-z0-9_]*(' include/signwire.h | tr -d '(' | sort -u)
[ "$(wc -w <<<"$functions")" -ge 60 ] || { echo "FAIL: found only $(wc -w <<<"$functions") functions in include/signwire.h"; exit 1; }
missing=$(while read -r f; do grep -q "\b$f(" $c/tests/test_signwire.c || echo "$f"; done <<<"$functions")
if [ -n "$missing" ]; then echo "FAIL: not called by $c/tests/test_signwire.c:" $missing; exit 1; fi
echo "all $(wc -w <<<"$functions") called"

echo "-- the README's C example compiles"
tmpc=$(mktemp -d)
awk '/^##+ C$/{c=1} c&&/^```c$/{p=1;next} p&&/^```$/{exit} p' README.md > "$tmpc/readme.c"
# An empty extraction (the section moved or was renamed) would compile: it fails instead.
grep -q 'signwire_' "$tmpc/readme.c" || { echo "FAIL: no C example calling signwire_* under a '## C' or '### C' heading in README.md"; exit 1; }
cc -std=c99 -Wall -Wextra -Werror -Iinclude -c "$tmpc/readme.c" -o "$tmpc/readme.o"
rm -rf "$tmpc"
echo ok

echo "-- C example signs, CLI verifies; one changed byte anywhere is a bad signature"
cli=${SIGNWIRE_CLI:-$root/target/release/signwire}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export C_SUITE_SECRET="c-suite-cli-secret"
printf '{"amount":"10.00","memo":"caf\xc3\xa9"}' > "$tmp/body"
url='https://api.example.com/v1/pay?ref=a%2Fb'
ts=1700000000 nonce=00112233445566778899aabbccddeeff
$c/build/client --key-id c-demo --secret-env C_SUITE_SECRET --method POST --url "$url" \
    --body-file "$tmp/body" --timestamp $ts --nonce $nonce > "$tmp/headers"
verify() { # verify METHOD URL BODYFILE HEADERSFILE -> prints the CLI's verdict
    local hdr=() line
    while IFS= read -r line; do hdr+=(--header "$line"); done < "$4"
    "$cli" verify --scheme hopnow --key-id c-demo --secret-env C_SUITE_SECRET --method "$1" --url "$2" \
        --body-file "$3" --now $((ts + 10)) "${hdr[@]}" 2>/dev/null || true
}
fails=0
expect() { if [ "$1" = "$2" ]; then echo "ok: $3"; else echo "FAIL: $3: got '$1', want '$2'"; fails=$((fails + 1)); fi; }
expect "$(verify POST "$url" "$tmp/body" "$tmp/headers")" "ok c-demo" "CLI verifies the C client's request"
expect "$(verify PUT "$url" "$tmp/body" "$tmp/headers")" SIGNWIRE_ERR_BAD_SIGNATURE "method changed"
expect "$(verify POST "${url/ref=a/ref=b}" "$tmp/body" "$tmp/headers")" SIGNWIRE_ERR_BAD_SIGNATURE "URL changed"
printf '{"amount":"10.01","memo":"caf\xc3\xa9"}' > "$tmp/body2"
expect "$(verify POST "$url" "$tmp/body2" "$tmp/headers")" SIGNWIRE_ERR_BAD_SIGNATURE "body changed"
sed "s/^X-Timestamp: $ts/X-Timestamp: $((ts + 1))/" "$tmp/headers" > "$tmp/h2"
expect "$(verify POST "$url" "$tmp/body" "$tmp/h2")" SIGNWIRE_ERR_BAD_SIGNATURE "timestamp changed"
sed "s/^X-Nonce: 0011/X-Nonce: 0012/" "$tmp/headers" > "$tmp/h3"
expect "$(verify POST "$url" "$tmp/body" "$tmp/h3")" SIGNWIRE_ERR_BAD_SIGNATURE "nonce changed"
# The C server example agrees with the CLI.
expect "$($c/build/server --key-id c-demo --secret-env C_SUITE_SECRET --method POST --url "$url" \
    --body-file "$tmp/body" --now $((ts + 10)) < "$tmp/headers" 2>/dev/null)" "ok c-demo" "C server verifies it too"
[ $fails -eq 0 ]
