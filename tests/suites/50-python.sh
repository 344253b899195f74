#!/usr/bin/env bash
# Python binding: `pip install ./bindings/python` into a fresh virtualenv (which builds
# libsignwire with cargo and bundles it with signwire.h in the wheel), then the pytest suite
# and the package's doctests against that installed wheel, with SIGNWIRE_LIB unset so the
# bundled library is the one under test. Test deps: scripts/deps/pip-python.txt.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv --system-site-packages "$work/venv"
py="$work/venv/bin/python"
rm -rf bindings/python/build
echo "-- pip install ./bindings/python"
"$py" -m pip install -q --disable-pip-version-check ./bindings/python

# Run from outside the checkout so that bindings/python/src cannot be imported by accident.
cd "$work"
export SIGNWIRE_TEST_INSTALLED=1 SIGNWIRE_TEST_EXPECT=bundled
echo "-- pytest bindings/python/tests (installed wheel)"
env -u SIGNWIRE_LIB "$py" -m pytest -q -p no:cacheprovider -c "$root/bindings/python/pyproject.toml" \
    --rootdir "$root/bindings/python" "$root/bindings/python/tests"
echo "-- doctests of the installed package"
env -u SIGNWIRE_LIB "$py" -m pytest -q -p no:cacheprovider -c "$root/bindings/python/pyproject.toml" \
    --rootdir "$work" --doctest-modules --pyargs signwire
