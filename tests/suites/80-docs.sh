#!/usr/bin/env bash
# Every code block of README.md and docs/*.md runs (scripts/check-docs): Python as a script or
# doctest, PHP with the CLI, C compiled against include/ and run, shell in a scratch directory,
# JSON parsed. First, the checker's own controls: it must fail on a block that errors and on an
# unmarked block in a language it cannot run, and pass a marked one.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
export SIGNWIRE_LIB="${SIGNWIRE_LIB:-$PWD/target/release/libsignwire.so}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # expect 0|1 FILE: the checker's exit status on FILE
    local want=$1 file=$2 got=0
    scripts/check-docs "$file" > "$tmp/out" 2>&1 || got=$?
    if [ "$got" != "$want" ]; then
        echo "check-docs control failed: exit $got, wanted $want, for:"; cat "$file"; cat "$tmp/out"; exit 1
    fi
}
printf '# x\n\n```rust\nfn main() {}\n```\n' > "$tmp/unmarked.md"; expect 1 "$tmp/unmarked.md"
printf '# x\n\n```\nplain\n```\n' > "$tmp/nolang.md"; expect 1 "$tmp/nolang.md"
printf '# x\n\n```python\nimport signwire\nsignwire.Verifier("hopnow", keys={"k1": None})\n```\n' > "$tmp/stale.md"; expect 1 "$tmp/stale.md"
printf '# x\n\n```php\n<?php\nrequire "vendor/autoload.php";\nnew Signwire\\NoSuchClass();\n```\n' > "$tmp/stale-php.md"; expect 1 "$tmp/stale-php.md"
printf '# x\n\n```c\n#include <signwire.h>\nint main(void) { return signwire_no_such_function(); }\n```\n' > "$tmp/stale-c.md"; expect 1 "$tmp/stale-c.md"
printf '# x\n\n```rust no-run (an outline)\nfn main() {}\n```\n\n```text\nplain\n```\n\n```python\nimport signwire\n```\n' > "$tmp/marked.md"; expect 0 "$tmp/marked.md"
printf '# x\n\n```python\nprint("a")\n```\n\n```text output\nb\n```\n' > "$tmp/output.md"; expect 1 "$tmp/output.md"
printf '# x\n\n```python\nprint("a")\n```\n\n```text output\na\n```\n' > "$tmp/output-ok.md"; expect 0 "$tmp/output-ok.md"
echo "check-docs controls: ok (fails on unmarked, stale Python/PHP/C, wrong output; passes marked)"

exec scripts/check-docs
