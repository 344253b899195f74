#!/usr/bin/env bash
# Installing signwire the way each ecosystem does (docs/INSTALL.md), from a clean copy of the tree:
#   C       the header as C89/C99/C11/C++; the examples' make needs no OpenSSL
#   Python  `python -m build` -> sdist + wheel (cargo compiles the crate from the sdist); the
#           sdist installs with pip in a fresh venv (cargo again); both sign like Python's hmac
#           (the manylinux wheel without cargo is suite 50-python's)
#   PHP     a Composer project with the package as a copied path repository ("symlink": false,
#           tests export-ignored) runs the examples with only SIGNWIRE_LIB set; a symlinked one too
#   Debian  scripts/deb -> .deb (contents, soname, symbols); `apt-get install ./x.deb`,
#           then a C program built with `pkg-config --cflags --libs signwire` runs, the CLI, its
#           man page and completions work, the Composer project runs with nothing set; removed after.
# Compiles the crate twice (about a minute each on 2 cores), in a copy of target/release's
# dependencies, so the harness's own build stays fresh. Expected signatures come from Python's
# hmac and PHP's hash_hmac. SIGNWIRE_TEST_LINTIAN=1 also runs lintian on the .deb (minutes).
# Deps: scripts/deps/apt-install.txt, pip-python.txt.
set -uo pipefail
cd "${SIGNWIRE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
root=$PWD
lib=${SIGNWIRE_LIB:-$root/target/release/libsignwire.so}
[ -f "$lib" ] || { echo "$lib missing: cargo build --release first (scripts/test does)"; exit 1; }
version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)
work=$(mktemp -d)
deb_installed=0
cleanup() {
    if [ $deb_installed = 1 ]; then
        flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq signwire >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }
check() { # check DESCRIPTION COMMAND... (output shown on failure)
    local what=$1; shift
    if "$@" >"$work/check.log" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/    /' "$work/check.log" | tail -20; fi
}

# The secret, URL, body, timestamp and nonce every signature below is made from; the expected
# HopNow signature (HMAC-SHA256 over method, URL, timestamp, nonce and body) is Python's.
export INSTALL_SECRET="install-suite-secret-$$"
url='https://api.example.com/v1/pay?ref=a%2Fb'
ts=1700000000 nonce=0123456789abcdef0123456789abcdef
printf '{"amount":"9.99","memo":"caf\xc3\xa9"}' > "$work/body.json"
want=$(python3 - "$work/body.json" "$url" $ts $nonce <<'PY'
import hashlib, hmac, os, sys
body = open(sys.argv[1], "rb").read()
payload = b"POST" + sys.argv[2].encode() + sys.argv[3].encode() + sys.argv[4].encode() + body
print(hmac.new(os.environ["INSTALL_SECRET"].encode(), payload, hashlib.sha256).hexdigest())
PY
)

echo "-- C: the header compiles as C89, C99, C11 and C++"
for std in c89 c99 c11; do
    check "signwire.h as -std=$std -pedantic" cc -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only -x c include/signwire.h
done
for std in c++98 c++11 c++17; do
    check "signwire.h as -std=$std -pedantic" c++ -std=$std -pedantic -Wall -Wextra -Werror -fsyntax-only -x c++ include/signwire.h
done
check "the examples' make links no OpenSSL (only the tests need libssl-dev)" \
    bash -c "! make -s -n -B -C bindings/c BUILD='$work/cbuild' all | grep -e -lcrypto -e -lssl"

echo "-- a clean copy of the tree (tracked and new files, no build output)"
mkdir "$work/clone"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/clone" 2>/dev/null
clone=$work/clone
check "the copy has no target/ and no bundled library" bash -c "[ ! -e '$clone/target' ] && [ ! -e '$clone/bindings/php/lib' ]"
# Dependencies compiled once already: a private copy of target/release, so that building the
# crate from another path (which recompiles it) leaves the harness's fingerprints alone.
mkdir -p "$work/target"
cp -a "$root/target/release" "$work/target/release"
export CARGO_TARGET_DIR=$work/target

echo "-- Python: python -m build in the clean copy (sdist, then a wheel built from it with cargo)"
start=$(date +%s)
if (cd "$clone/bindings/python" && env -u SIGNWIRE_LIB python3 -m build -o "$work/dist") >"$work/build.log" 2>&1; then
    ok "python -m build ($(( $(date +%s) - start )) s)"
else
    bad "python -m build"; tail -30 "$work/build.log"
fi
sdist=$(ls "$work"/dist/signwire-"$version".tar.gz 2>/dev/null)
wheel=$(ls "$work"/dist/signwire-"$version"-py3-none-linux_*.whl 2>/dev/null)
check "sdist and platform wheel produced" test -n "$sdist" -a -n "$wheel"
check "the build said that Rust is compiling, and how long it takes" \
    bash -c "grep -q 'compiling the Rust library' '$work/build.log' && grep -q 'minutes on 2 cores' '$work/build.log' && grep -q 'cargo finished in' '$work/build.log'"
tar tzf "$sdist" > "$work/sdist.txt" 2>/dev/null
for f in rust/Cargo.toml rust/Cargo.lock rust/build.rs rust/cbindgen.toml rust/include/signwire.h rust/src/lib.rs \
         rust/src/ffi/mod.rs rust/src/bin/signwire.rs src/signwire/__init__.py src/signwire/py.typed setup.py pyproject.toml; do
    grep -qx "signwire-$version/$f" "$work/sdist.txt" || bad "sdist lacks $f"
done
check "sdist holds the crate and the package, no build output or tests" \
    bash -c "! grep -e '/target/' -e '\.so$' -e '/tests/' '$work/sdist.txt'"
check "wheel: library in platlib, SPDX license expression" bash -c "
    unzip -p '$wheel' '*.dist-info/WHEEL' | grep -qx 'Root-Is-Purelib: false' &&
    unzip -Z1 '$wheel' | grep -qx 'signwire/libsignwire.so' &&
    unzip -p '$wheel' '*.dist-info/METADATA' | grep -qx 'License-Expression: Apache-2.0 OR MIT'"

echo "-- Python: pip install the sdist in a fresh venv (cargo on PATH)"
python3 -m venv "$work/venv-sdist"
start=$(date +%s)
if env -u SIGNWIRE_LIB "$work/venv-sdist/bin/python" -m pip install -q --no-cache-dir "$sdist" >"$work/sdist-install.log" 2>&1; then
    ok "pip install signwire-$version.tar.gz ($(( $(date +%s) - start )) s)"
else
    bad "pip install the sdist"; tail -30 "$work/sdist-install.log"
fi
cat > "$work/sign.py" <<'PY'
import os, sys, signwire
assert signwire.library_path.is_relative_to(sys.prefix), signwire.library_path
body = open(sys.argv[1], "rb").read()
h = signwire.Signer("hopnow", key_id="k1", secret=os.environ["INSTALL_SECRET"]).sign(
    "POST", sys.argv[2], body=body, timestamp=int(sys.argv[3]), nonce=sys.argv[4])
print(h["X-Signature"])
PY
out=$(cd "$work" && env -u SIGNWIRE_LIB "$work/venv-sdist/bin/python" sign.py body.json "$url" $ts $nonce 2>&1)
check "the sdist-installed package loads its own library and signs like Python's hmac" test "$out" = "$want"
unset CARGO_TARGET_DIR
rm -rf "$work/target"

echo "-- PHP: a Composer project with a copied path repository"
# The package as a user gets it: a copy (no tests: .gitattributes export-ignore), outside any
# checkout, so that only SIGNWIRE_LIB, its own lib/ or a system install can provide the library.
export COMPOSER_HOME=$work/composer-home COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_NO_INTERACTION=1
composer_project() { # composer_project DIR SYMLINK(true|false)
    mkdir -p "$1"
    cat > "$1/composer.json" <<EOF
{
    "name": "example/app",
    "repositories": [{"packagist.org": false}, {"type": "path", "url": "$clone/bindings/php", "options": {"symlink": $2}}],
    "require": {"signwire/signwire": "*@dev"}
}
EOF
    cat > "$1/app.php" <<'PHP'
<?php
// Signs through Composer's autoloader; prints how the library was loaded and the signature.
require __DIR__ . '/vendor/autoload.php';
[, $url, $ts, $nonce, $bodyFile] = $argv;
$signer = new Signwire\Signer('hopnow', keyId: 'k1', secret: getenv('INSTALL_SECRET'));
$h = $signer->sign('POST', $url, body: file_get_contents($bodyFile), timestamp: (int) $ts, nonce: $nonce);
echo Signwire\Library::loadedVia(), "\n", $h['X-Signature'], "\n";
PHP
    (cd "$1" && composer install --no-progress --quiet)
}
app=$work/app-copy
check "composer install (path repository, symlink false, no packagist)" composer_project "$app" false
pkg=$app/vendor/signwire/signwire
check "the package was copied, not linked" bash -c "[ -d '$pkg' ] && [ ! -L '$pkg' ] && [ -f '$pkg/src/Library.php' ]"
check "export-ignore kept tests/ and phpunit.xml.dist out of the copy" bash -c "[ ! -e '$pkg/tests' ] && [ ! -e '$pkg/phpunit.xml.dist' ]"
php_env=(env -i PATH=/usr/bin:/bin INSTALL_SECRET="$INSTALL_SECRET")
out=$("${php_env[@]}" SIGNWIRE_LIB="$lib" php "$app/app.php" "$url" $ts $nonce "$work/body.json" 2>&1)
check "copied package, only SIGNWIRE_LIB set: loads it and signs like Python's hmac" \
    test "$out" = "cdef $(realpath "$lib")"$'\n'"$want"
php_hmac=$(php -r '[, $u, $t, $n, $b] = $argv; echo hash_hmac("sha256", "POST$u$t$n" . file_get_contents($b), getenv("INSTALL_SECRET"));' \
    "$url" $ts $nonce "$work/body.json")
check "PHP's hash_hmac agrees with Python's hmac" test "$php_hmac" = "$want"
examples() { # examples -> "SIGNATURE VERDICT" from the copied package's sign.php and verify.php
    local env=("$@")
    "${env[@]}" php "$pkg/examples/sign.php" --scheme hopnow --key-id k1 --secret-env INSTALL_SECRET --method POST \
        --url "$url" --body-file "$work/body.json" --timestamp $ts --nonce $nonce > "$work/headers.txt" 2>"$work/php.err"
    local sig; sig=$(sed -n 's/^X-Signature: //p' "$work/headers.txt")
    local verdict; verdict=$("${env[@]}" php "$pkg/examples/verify.php" --scheme hopnow --key-id k1 --secret-env INSTALL_SECRET \
        --method POST --url "$url" --body-file "$work/body.json" --headers-file "$work/headers.txt" --now $((ts + 5)) 2>>"$work/php.err")
    echo "$sig $verdict"
}
check "copied package, only SIGNWIRE_LIB set: examples sign (= hmac) and verify" \
    test "$(examples "${php_env[@]}" SIGNWIRE_LIB="$lib")" = "$want ok k1"
out=$("${php_env[@]}" php "$app/app.php" "$url" $ts $nonce "$work/body.json" 2>&1)
if [ -e /usr/lib/"$(gcc -print-multiarch)"/libsignwire.so.0 ] || [ -e /usr/local/lib/libsignwire.so.0 ] || [ -e /usr/lib/libsignwire.so.0 ]; then
    echo "note: a system libsignwire is installed already; skipping the 'nothing found' check"
else
    check "copied package, nothing set, nothing installed: the error names every place tried" bash -c "
        grep -q 'libsignwire not found; tried SIGNWIRE_LIB (unset), $pkg/lib/libsignwire.so' <<<'$out' &&
        grep -q '/usr/local/lib/libsignwire.so' <<<'$out' && grep -q 'Install the library' <<<'$out'"
fi
# A `make install` into a prefix of its own, found through pkg-config's libdir alone.
prefix=$work/prefix
make -s -C bindings/c install PREFIX="$prefix" LIBDIR="$(dirname "$lib")" >"$work/make-install.log" 2>&1 || cat "$work/make-install.log"
out=$("${php_env[@]}" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" php "$app/app.php" "$url" $ts $nonce "$work/body.json" 2>&1)
check "copied package, only PKG_CONFIG_PATH set: finds a make install through pkg-config's libdir" \
    test "$out" = "cdef $prefix/lib/libsignwire.so.$version"$'\n'"$want"
app_link=$work/app-link
check "composer install (path repository, symlink true)" composer_project "$app_link" true
check "symlinked package, only SIGNWIRE_LIB set: signs like Python's hmac" bash -c "
    [ -L '$app_link/vendor/signwire/signwire' ] &&
    test \"\$(${php_env[*]} SIGNWIRE_LIB='$lib' php '$app_link/app.php' '$url' $ts $nonce '$work/body.json' | tail -1)\" = '$want'"

echo "-- Debian package: scripts/deb"
# Packages the harness's build (target/release), as `scripts/deb` does after its cargo build.
if deb=$(SIGNWIRE_DEB_NO_BUILD=1 SIGNWIRE_DEB_COMPRESS="-Zgzip -z1" CARGO_TARGET_DIR="$(dirname "$(dirname "$lib")")" scripts/deb 2>"$work/deb.log"); then
    ok "scripts/deb built $(basename "$deb")"
else
    bad "scripts/deb"; cat "$work/deb.log"; deb=/nonexistent
fi
multiarch=$(gcc -print-multiarch)
dpkg-deb -c "$deb" 2>/dev/null | awk '{print $6 ($7 ? " " $7 " " $8 : "")}' > "$work/deb.txt"
for f in "./usr/lib/$multiarch/libsignwire.so.$version" "./usr/lib/$multiarch/libsignwire.so.0 -> libsignwire.so.$version" \
         "./usr/lib/$multiarch/libsignwire.so -> libsignwire.so.0" "./usr/lib/$multiarch/libsignwire.a" \
         "./usr/lib/$multiarch/pkgconfig/signwire.pc" ./usr/include/signwire.h ./usr/bin/signwire; do
    grep -qxF "$f" "$work/deb.txt" || bad ".deb lacks $f"
done
cli_has() { "$root/target/release/signwire" "$@" >/dev/null 2>&1; }
if cli_has man; then
    grep -qx ./usr/share/man/man1/signwire.1.gz "$work/deb.txt" || bad ".deb lacks the man page"
else
    echo "note: this CLI has no 'man' subcommand yet; the package has no man page"
fi
if cli_has completions bash; then
    grep -qx ./usr/share/bash-completion/completions/signwire "$work/deb.txt" || bad ".deb lacks the bash completion"
else
    echo "note: this CLI has no 'completions' subcommand yet; the package has no completions"
fi
mkdir -p "$work/deb-x" && dpkg-deb -x "$deb" "$work/deb-x" 2>/dev/null
check ".deb: soname libsignwire.so.0 and shlibs/symbols control files" bash -c "
    readelf -d '$work/deb-x/usr/lib/$multiarch/libsignwire.so.$version' | grep -q 'Library soname: \[libsignwire.so.0\]' &&
    dpkg-deb -I '$deb' shlibs | grep -qx 'libsignwire 0 signwire (>= $version)' &&
    dpkg-deb -I '$deb' symbols | grep -q '^ signwire_abi_version@Base $version'"
# Every exported function is in the symbols file, and every one is declared in the header.
nm -D --defined-only "$work/deb-x/usr/lib/$multiarch/libsignwire.so.$version" | awk '$2 == "T" {print $3}' | sort > "$work/exported"
grep -o '\bsignwire_[a-z0-9_]*(' include/signwire.h | tr -d '(' | sort -u > "$work/declared"
check "exported symbols are exactly the header's functions" diff "$work/exported" "$work/declared"
check ".deb Depends come from dpkg-shlibdeps (libc6, libcrypt1)" bash -c "dpkg-deb -f '$deb' Depends | grep -q 'libc6 (>=' && dpkg-deb -f '$deb' Depends | grep -q libcrypt1"
# lintian takes minutes on this package (its static library): run it when asked.
if [ -n "${SIGNWIRE_TEST_LINTIAN:-}" ]; then
    lintian --no-tag-display-limit "$deb" > "$work/lintian.txt" 2>&1 || true
    check "lintian: no errors" bash -c "! grep '^E: ' '$work/lintian.txt'"
    grep '^[EW]: ' "$work/lintian.txt" | sed 's/^/    lintian /'
fi

echo "-- Debian package: apt-get install ./$(basename "$deb"), use, remove"
if dpkg-query -W -f='${Status}' signwire 2>/dev/null | grep -q "install ok installed"; then
    bad "a signwire package is installed already; not replacing it"
elif flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$work/apt.log" 2>&1; then
    deb_installed=1; ok "apt-get install ./$(basename "$deb")"
else
    bad "apt-get install"; tail "$work/apt.log"
fi
if [ $deb_installed = 1 ]; then
    cp bindings/c/examples/client.c bindings/c/examples/server.c bindings/c/examples/common.h "$work/"
    build_c() { cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Werror "$work/$1.c" $(pkg-config --cflags --libs signwire) -o "$work/$1-sys"; }
    check "pkg-config --modversion signwire" test "$(env -u PKG_CONFIG_PATH pkg-config --modversion signwire)" = "$version"
    check "C programs build with \`pkg-config --cflags --libs signwire\`" bash -c "$(declare -f build_c); work='$work'; build_c client && build_c server"
    check "they need libsignwire.so.0, found in the system path (no rpath, no LD_LIBRARY_PATH)" bash -c "
        readelf -d '$work/client-sys' | grep -q 'NEEDED.*libsignwire.so.0' && ! readelf -d '$work/client-sys' | grep -qi 'rpath' &&
        env -u LD_LIBRARY_PATH ldd '$work/client-sys' | grep -q 'libsignwire.so.0 => \(/usr\)\?/lib/$multiarch/libsignwire.so.0'"
    args=(--key-id k1 --secret-env INSTALL_SECRET --method POST --url "$url" --body-file "$work/body.json")
    env -u LD_LIBRARY_PATH "$work/client-sys" "${args[@]}" --timestamp $ts --nonce $nonce > "$work/c-headers.txt" 2>&1
    check "the C client signs like Python's hmac" grep -qx "X-Signature: $want" "$work/c-headers.txt"
    check "the C server verifies it" test "$(env -u LD_LIBRARY_PATH "$work/server-sys" "${args[@]}" --now $((ts + 5)) < "$work/c-headers.txt" 2>&1)" = "ok k1"
    static_libs=$(pkg-config --static --libs signwire | sed 's/-lsignwire/-l:libsignwire.a/')
    # shellcheck disable=SC2086 # pkg-config output is a list of flags
    cc -std=c99 -D_POSIX_C_SOURCE=200809L "$work/client.c" $(pkg-config --cflags signwire) $static_libs -o "$work/client-static" 2>"$work/cc.log"
    check "the static library links through pkg-config --static (no libsignwire.so needed)" bash -c "
        [ -x '$work/client-static' ] && ! readelf -d '$work/client-static' | grep -q 'NEEDED.*libsignwire'"
    "$work/client-static" "${args[@]}" --timestamp $ts --nonce $nonce > "$work/static-headers.txt" 2>&1
    check "the statically linked client signs like Python's hmac" grep -qx "X-Signature: $want" "$work/static-headers.txt"
    check "/usr/bin/signwire --help" bash -c "/usr/bin/signwire --help 2>&1 | grep -qi usage"
    /usr/bin/signwire sign --scheme hopnow "${args[@]}" --timestamp $ts --nonce $nonce > "$work/cli-headers.txt" 2>&1
    check "/usr/bin/signwire sign gives the same signature" grep -qx "X-Signature: $want" "$work/cli-headers.txt"
    if [ -e /usr/share/man/man1/signwire.1.gz ]; then
        check "man signwire" bash -c "MANPAGER=cat MANWIDTH=80 man signwire 2>/dev/null | grep -qi signwire"
    fi
    if [ -e /usr/share/bash-completion/completions/signwire ]; then
        check "bash completion completes 'signwire si' to sign" bash -c '
            source /usr/share/bash-completion/completions/signwire && complete -p signwire >/dev/null &&
            COMP_WORDS=(signwire si) COMP_CWORD=1 COMP_LINE="signwire si" COMP_POINT=11 &&
            _signwire signwire si signwire && [[ " ${COMPREPLY[*]} " == *" sign "* ]]'
    fi
    for f in /usr/share/zsh/vendor-completions/_signwire /usr/share/fish/vendor_completions.d/signwire.fish; do
        [ -e /usr/share/bash-completion/completions/signwire ] && { [ -s "$f" ] && ok "$f" || bad "$f missing"; }
    done
    if [ -e /usr/share/man/man1/signwire-sign.1.gz ]; then
        check "man signwire-sign (a page per subcommand)" bash -c "MANPAGER=cat MANWIDTH=80 man signwire-sign 2>/dev/null | grep -q 'signwire-sign'"
    fi
    out=$("${php_env[@]}" php "$app/app.php" "$url" $ts $nonce "$work/body.json" 2>&1)
    check "copied Composer package, nothing set: finds the system library and signs like Python's hmac" \
        test "$out" = "cdef /usr/lib/$multiarch/libsignwire.so.$version"$'\n'"$want"
    check "copied Composer package, nothing set: examples sign and verify" test "$(examples "${php_env[@]}")" = "$want ok k1"
    if flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq signwire >"$work/apt.log" 2>&1; then
        deb_installed=0; ok "apt-get remove signwire"
    else
        bad "apt-get remove signwire"; tail "$work/apt.log"
    fi
    check "nothing of the package is left" bash -c "
        [ ! -e /usr/lib/$multiarch/libsignwire.so.0 ] && [ ! -e /usr/include/signwire.h ] && [ ! -e /usr/bin/signwire ]"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
