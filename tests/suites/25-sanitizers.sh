#!/usr/bin/env bash
# The C ABI under AddressSanitizer + UndefinedBehaviorSanitizer (clang), and under valgrind:
# tests/c-sanitize/test_sanitize.c (every function with NULLs, exact-size buffers, invalid
# UTF-8, oversized input) and, when bindings/c is present, its test programs too; the
# thread test also under ThreadSanitizer.
#
# The Rust library itself is not instrumented (that needs -Zsanitizer, a nightly flag); ASan
# still checks the C side, intercepted libc calls (memcpy, strlen...) and leaks across the
# boundary, and valgrind checks the uninstrumented library's reads and writes.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"
LIB="${SIGNWIRE_LIB:-$ROOT/target/release/libsignwire.so}"
LIBDIR="$(dirname "$LIB")"
CC=clang-14
command -v "$CC" >/dev/null || { echo "clang-14 missing (scripts/deps/apt-sanitizers.txt)"; exit 1; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=c99 -O1 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I$ROOT/include"
LINK="-L$LIBDIR -lsignwire -Wl,-rpath,$LIBDIR"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="exitcode=87"

run() { # name, command...: runs it, prints its last line, fails on a non-zero exit
    local name="$1"; shift
    if "$@" >"$OUT/$name.log" 2>&1; then
        echo "  $name: $(tail -n 1 "$OUT/$name.log")"
    else
        local rc=$?
        echo "  $name: FAILED (exit $rc)"; tail -n 40 "$OUT/$name.log"; exit 1
    fi
}

echo "-- tests/c-sanitize under ASan+UBSan"
$CC $CFLAGS $SAN tests/c-sanitize/test_sanitize.c -o "$OUT/test_sanitize" $LINK
# Make sure the sanitizers are really in the binary (a silently dropped flag would pass).
nm "$OUT/test_sanitize" >"$OUT/symbols"
grep -q __asan_init "$OUT/symbols" || { echo "ASan runtime not linked"; exit 1; }
grep -q __ubsan_handle "$OUT/symbols" || { echo "UBSan runtime not linked"; exit 1; }
run asan-ubsan "$OUT/test_sanitize"

echo "-- tests/c-sanitize under valgrind"
$CC $CFLAGS tests/c-sanitize/test_sanitize.c -o "$OUT/test_plain" $LINK
run valgrind valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$OUT/test_plain"

# A canary: an out-of-bounds write in a test program must be caught, or the checks above
# prove nothing.
cat > "$OUT/canary.c" <<'C'
#include <stdlib.h>
int main(void) { volatile char *p = malloc(4); p[4] = 1; free((void *)p); return 0; }
C
$CC -O0 -g $SAN "$OUT/canary.c" -o "$OUT/canary"
if "$OUT/canary" >/dev/null 2>&1; then echo "  canary: ASan did not catch a heap overflow"; exit 1; fi
echo "  canary: heap overflow caught"

if [ -f bindings/c/Makefile ]; then
    echo "-- bindings/c tests under ASan+UBSan"
    make -s -C bindings/c BUILD="$OUT/bindings-asan" CC=$CC CFLAGS="-O1 -g $SAN" LIBDIR="$LIBDIR" all tests >/dev/null
    make -s -C bindings/c BUILD="$OUT/bindings-asan" "$OUT/bindings-asan/vectors.txt" >/dev/null
    VEC="$OUT/bindings-asan/vectors.txt"
    for t in "$OUT"/bindings-asan/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        if [ "$name" = test_threads ]; then
            run "asan-$name" env SIGNWIRE_THREAD_TEST_PER_THREAD="${SIGNWIRE_SAN_PER_THREAD:-5000}" "$t"
        else
            run "asan-$name" "$t" $VEC
        fi
    done
    if [ -f bindings/c/tests/test_threads.c ]; then
        # ThreadSanitizer needs every synchronisation instrumented. The Rust library is not
        # (that takes -Zsanitizer=thread and an instrumented std: nightly only), so its
        # futex-based locks are invisible and its interceptor calls (memcpy under a mutex)
        # look like races. They are suppressed; what TSan checks is the C side: the test's
        # threads, its shared counters and its use of the handles.
        echo "-- bindings/c test_threads under ThreadSanitizer (C side; calls from libsignwire suppressed)"
        make -s -C bindings/c BUILD="$OUT/bindings-tsan" CC=$CC CFLAGS="-O1 -g -fsanitize=thread" LIBDIR="$LIBDIR" \
            "$OUT/bindings-tsan/test_threads" >/dev/null
        printf 'called_from_lib:libsignwire.so\ncalled_from_lib:libsignwire.so.0\n' >"$OUT/tsan.supp"
        TSAN_OPTIONS="halt_on_error=1:exitcode=88:suppressions=$OUT/tsan.supp" run tsan-test_threads \
            env SIGNWIRE_THREAD_TEST_PER_THREAD="${SIGNWIRE_SAN_PER_THREAD:-2000}" "$OUT/bindings-tsan/test_threads"
        # Canary: an unsynchronised counter in C must be reported under the same options.
        cat > "$OUT/race.c" <<'C'
#include <pthread.h>
static long counter;
static void *bump(void *arg) { (void)arg; for (int i = 0; i < 100000; i++) counter++; return 0; }
int main(void) { pthread_t a, b; pthread_create(&a, 0, bump, 0); pthread_create(&b, 0, bump, 0);
                 pthread_join(a, 0); pthread_join(b, 0); return counter == 0; }
C
        $CC -O1 -g -fsanitize=thread -pthread "$OUT/race.c" -o "$OUT/race"
        if TSAN_OPTIONS="halt_on_error=1:exitcode=88:suppressions=$OUT/tsan.supp" "$OUT/race" >/dev/null 2>&1; then
            echo "  tsan canary: a C data race was not reported"; exit 1
        fi
        echo "  tsan canary: C data race caught"
    fi
fi
echo "sanitizers: ok"
