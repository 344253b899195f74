#!/usr/bin/env bash
# `make install` into a temporary PREFIX, then build the examples the way a user would, through
# pkg-config, linked shared and static, and check that they run and sign correctly (expected
# signature from Python's hmac). Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(cd ../.. && pwd)
version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
major=${version%%.*}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix with space"
passed=0; failed=0
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what" >&2; fi
}

if ! make -s install PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2; echo "0 passed, 1 failed"; exit 1
fi
lib="$prefix/lib"
check "real library file" test -f "$lib/libsignwire.so.$version" -a ! -L "$lib/libsignwire.so.$version"
check "soname symlink" test "$(readlink "$lib/libsignwire.so.$major")" = "libsignwire.so.$version"
check "dev symlink" test "$(readlink "$lib/libsignwire.so")" = "libsignwire.so.$major"
check "soname recorded in the library" bash -c "readelf -d '$lib/libsignwire.so.$version' | grep -q 'Library soname: \[libsignwire.so.$major\]'"
check "static library" test -f "$lib/libsignwire.a"
check "header" cmp "$root/include/signwire.h" "$prefix/include/signwire.h"
check "pkg-config file" test -f "$lib/pkgconfig/signwire.pc"

export PKG_CONFIG_PATH="$lib/pkgconfig"
check "pkg-config version" test "$(pkg-config --modversion signwire)" = "$version"
pc() { pkg-config "$@" signwire | sed 's/ *$//'; } # pkgconf ends its output with a space
cflags=$(pc --cflags); libs=$(pc --libs); static_libs=$(pc --static --libs)
esc=${prefix// /\\ }
check "pkg-config --cflags" test "$cflags" = "-I$esc/include"
# A prefix outside the loader's path gets an rpath, so programs run without LD_LIBRARY_PATH.
check "pkg-config --libs" test "$libs" = "-L$esc/lib -Wl,-rpath,$esc/lib -lsignwire"
check "pkg-config --static adds the Rust runtime's libraries" grep -q -- "-lpthread" <<<"$static_libs"
# pkg-config escapes the space in the prefix; eval reads the flags as a shell reads a Makefile's.
eval "set -- $cflags"; cflags_a=("$@")
eval "set -- $libs"; libs_a=("$@")
eval "set -- ${static_libs/-lsignwire/-l:libsignwire.a}"; static_a=("$@")

# The header is C89, C99, C11 and C++-clean.
for std in c89 c99 c11; do
    check "header compiles as $std -pedantic" bash -c "echo '#include <signwire.h>' | cc -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only -x c - -I'$prefix/include'"
done
for std in c++98 c++11 c++17; do
    check "header compiles as $std -pedantic" bash -c "echo '#include <signwire.h>' | c++ -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only -x c++ - -I'$prefix/include'"
done

for kind in shared static; do
    if [ $kind = shared ]; then link=("${libs_a[@]}"); else link=("${static_a[@]}"); fi
    for prog in client server; do
        if ! cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Werror "examples/$prog.c" "${cflags_a[@]}" "${link[@]}" -o "$tmp/$prog-$kind" 2>"$tmp/cc.log"; then
            cat "$tmp/cc.log" >&2; failed=$((failed + 1)); echo "FAIL: build $prog ($kind) through pkg-config" >&2; continue
        fi
        passed=$((passed + 1))
    done
done
check "shared build needs libsignwire.so.$major" bash -c "readelf -d '$tmp/client-shared' | grep -q 'NEEDED.*\[libsignwire.so.$major\]'"
check "shared build resolves to the installed library (rpath)" bash -c "env -u LD_LIBRARY_PATH ldd '$tmp/client-shared' | grep -q 'libsignwire.so.$major => $lib/libsignwire.so.$major'"
check "static build does not need libsignwire.so" bash -c "! readelf -d '$tmp/client-static' | grep -q 'NEEDED.*libsignwire'"

export C_INSTALL_SECRET="install-test-secret-1"
printf '{"amount":"1.00","note":"\xe2\x82\xac"}' > "$tmp/body.json"
url='https://api.example.com/v1/pay?x=%20y'
args=(--key-id install-key --secret-env C_INSTALL_SECRET --method POST --url "$url" --body-file "$tmp/body.json")
changed=(--key-id install-key --secret-env C_INSTALL_SECRET --method POST --url "${url}z" --body-file "$tmp/body.json")
fixed=(--timestamp 1700000000 --nonce 0123456789abcdef0123456789abcdef)
want=$(python3 - "$tmp/body.json" "$url" <<'PY'
import hashlib, hmac, os, sys
body = open(sys.argv[1], "rb").read()
payload = b"POST" + sys.argv[2].encode() + b"1700000000" + b"0123456789abcdef0123456789abcdef" + body
print(hmac.new(os.environ["C_INSTALL_SECRET"].encode(), payload, hashlib.sha256).hexdigest())
PY
)
for kind in shared static; do
    env=(env -u LD_LIBRARY_PATH)
    out=$("${env[@]}" "$tmp/client-$kind" "${args[@]}" "${fixed[@]}" 2>&1)
    check "$kind client signs like Python's hmac" test "$(grep '^X-Signature: ' <<<"$out")" = "X-Signature: $want"
    check "$kind client prints four headers" test "$(grep -c ': ' <<<"$out")" = 4
    check "$kind server verifies it" test "$("${env[@]}" "$tmp/server-$kind" "${args[@]}" --now 1700000100 <<<"$out" 2>/dev/null)" = "ok install-key"
    check "$kind server refuses a changed URL" test "$("${env[@]}" "$tmp/server-$kind" "${changed[@]}" --now 1700000100 <<<"$out" 2>/dev/null)" = "SIGNWIRE_ERR_BAD_SIGNATURE"
    fresh=$("${env[@]}" "$tmp/client-$kind" "${args[@]}" 2>&1)
    check "$kind client signs now, server verifies now" test "$("${env[@]}" "$tmp/server-$kind" "${args[@]}" <<<"$fresh" 2>/dev/null)" = "ok install-key"
done

check "uninstall removes everything" bash -c "make -s uninstall PREFIX='$prefix' && test -z \"\$(find '$prefix' -type f -o -type l)\""
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
