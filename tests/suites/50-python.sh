#!/usr/bin/env bash
# Python binding, as a user gets it: a platform wheel built by pip from bindings/python with the
# harness's library (SIGNWIRE_LIB, no cargo run), graded and repaired by auditwheel into a
# manylinux wheel, installed in a fresh virtualenv on a PATH without cargo (under 10 s), then
# `mypy --strict` on the installed package, the pytest suite and the package's doctests against
# that install, with SIGNWIRE_LIB unset so the bundled library is the one under test.
# The sdist and `python -m build` from a clean copy are suite 80-install's.
# Test deps: scripts/deps/pip-python.txt.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lib=${SIGNWIRE_LIB:-$root/target/release/libsignwire.so}
[ -f "$lib" ] || { echo "$lib missing: cargo build --release first (scripts/test does)"; exit 1; }

echo "-- pip wheel ./bindings/python with SIGNWIRE_LIB (bundles the built library, no cargo)"
rm -rf bindings/python/build
SIGNWIRE_LIB=$lib python3 -m pip wheel -v --no-deps -w "$work/dist" ./bindings/python >"$work/wheel.log" 2>&1 ||
    { cat "$work/wheel.log"; exit 1; }
grep -q "SIGNWIRE_LIB is set: bundling" "$work/wheel.log" || { echo "FAIL: the build hook did not use SIGNWIRE_LIB"; exit 1; }
wheel=$(ls "$work"/dist/signwire-*-py3-none-linux_*.whl)
# The library is in platlib (Root-Is-Purelib: false), which auditwheel requires.
unzip -p "$wheel" '*.dist-info/WHEEL' | grep -qx 'Root-Is-Purelib: false' || { echo "FAIL: wheel is purelib"; exit 1; }

echo "-- auditwheel show / repair"
auditwheel show "$wheel" 2>&1 | grep -v '^INFO'
auditwheel repair -w "$work/repaired" "$wheel" >"$work/repair.log" 2>&1 || { cat "$work/repair.log"; exit 1; }
manylinux=$(ls "$work"/repaired/signwire-*-py3-none-manylinux_*.whl)
echo "repaired: $(basename "$manylinux"), grafted: $(unzip -Z1 "$manylinux" | grep '^signwire.libs/' | tr '\n' ' ')"
auditwheel show "$manylinux" 2>/dev/null | tr -s '\n ' '  ' | grep -q "consistent with the following platform tag: \"manylinux_" ||
    { echo "FAIL: repaired wheel is not manylinux"; auditwheel show "$manylinux"; exit 1; }

echo "-- fresh venv, no cargo on PATH: install the manylinux wheel"
python3 -m venv --system-site-packages "$work/venv"
py="$work/venv/bin/python"
nocargo_path="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
if env PATH="$nocargo_path" bash -c 'command -v cargo rustc'; then echo "FAIL: cargo is on the no-cargo PATH"; exit 1; fi
mkdir "$work/home"
# The limit is on CPU time (user + system), which other jobs on the machine do not inflate;
# the wall time is printed beside it.
/usr/bin/time -f '%e %U %S' -o "$work/time" \
    env -i PATH="$nocargo_path" HOME="$work/home" "$py" -m pip install -q --no-index --no-deps --no-cache-dir --ignore-installed "$manylinux"
read -r wall user sys < "$work/time"
cpu=$(python3 -c "print(round($user + $sys, 2))")
echo "installed in $wall s wall, $cpu s CPU (limit 10 s CPU)"
python3 -c "import sys; sys.exit(0 if $cpu < 10 else 1)" || { echo "FAIL: installing the wheel took $cpu s of CPU"; exit 1; }

# Run from outside the checkout so that bindings/python/src cannot be imported by accident.
cd "$work"
site=$("$py" -c 'import signwire, os; print(os.path.dirname(signwire.__file__))')
case "$site" in "$work/venv/"*) ;; *) echo "FAIL: signwire imported from $site, not the venv"; exit 1;; esac
echo "-- mypy --strict on the installed package"
env -u SIGNWIRE_LIB "$py" -m mypy --strict --no-incremental --cache-dir=/dev/null "$site"
export SIGNWIRE_TEST_INSTALLED=1 SIGNWIRE_TEST_EXPECT=bundled
echo "-- pytest bindings/python/tests (installed manylinux wheel, no cargo on PATH)"
env -u SIGNWIRE_LIB PATH="$nocargo_path" "$py" -m pytest -q -p no:cacheprovider -c "$root/bindings/python/pyproject.toml" \
    --rootdir "$root/bindings/python" "$root/bindings/python/tests"
echo "-- doctests of the installed package"
env -u SIGNWIRE_LIB PATH="$nocargo_path" "$py" -m pytest -q -p no:cacheprovider -c "$root/bindings/python/pyproject.toml" \
    --rootdir "$work" --doctest-modules --pyargs signwire
