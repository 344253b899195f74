"""Build hook: compile libsignwire with cargo and bundle it, with signwire.h, in the wheel.

``pip install ./bindings/python`` (from a checkout, with cargo on PATH) runs
``cargo build --release --lib`` on the repository's crate, the same command the test
harness runs, so an already-built library is reused rather than rebuilt. The wheel is
tagged ``py3-none-<platform>``: ctypes needs no particular Python ABI, only the platform's.

Environment:
  CARGO                 cargo executable (default: ``cargo`` on PATH, then ~/.cargo/bin)
  CARGO_TARGET_DIR      honoured, as cargo does
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MANIFEST = ROOT / "Cargo.toml"
HEADER = ROOT / "include" / "signwire.h"
LIB_SUFFIXES = (".so", ".dylib", ".dll")


def crate_version() -> str:
    """The crate's version: package and library are released together."""
    if not MANIFEST.is_file():
        sys.exit(f"signwire: {MANIFEST} not found; build the Python package from a signwire checkout")
    text = MANIFEST.read_text(encoding="utf-8")
    package = re.search(r"^\[package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    version = package and re.search(r'^version\s*=\s*"([^"]+)"', package.group(1), re.M)
    if not version:
        sys.exit(f"signwire: no [package] version in {MANIFEST}")
    return version.group(1)


def find_cargo() -> str:
    cargo = os.environ.get("CARGO") or shutil.which("cargo")
    if not cargo:
        fallback = Path.home() / ".cargo" / "bin" / "cargo"
        if fallback.is_file():
            cargo = str(fallback)
    if not cargo:
        sys.exit("signwire: cargo not found. Install Rust (https://rustup.rs) or set CARGO.")
    return cargo


def build_library() -> Path:
    """Run cargo and return the path of the cdylib it produced."""
    cmd = [
        find_cargo(),
        "build",
        "--release",
        "--lib",
        "--manifest-path",
        str(MANIFEST),
        "--message-format=json-render-diagnostics",
    ]
    print("signwire: " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, cwd=str(ROOT))
    if proc.returncode != 0:
        sys.exit(f"signwire: cargo build failed (exit {proc.returncode})")
    found = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        target = msg.get("target") or {}
        if msg.get("reason") == "compiler-artifact" and target.get("name") == "signwire" and "cdylib" in target.get("kind", []):
            for f in msg.get("filenames", []):
                if f.endswith(LIB_SUFFIXES):
                    found = Path(f)
    if found is None or not found.is_file():
        sys.exit("signwire: cargo did not report the cdylib libsignwire")
    return found


class BuildWithLibrary(build_py):
    """build_py, plus the compiled library and the header beside the package."""

    def run(self) -> None:
        super().run()
        dest = Path(self.build_lib) / "signwire"
        dest.mkdir(parents=True, exist_ok=True)
        lib = build_library()
        shutil.copy2(lib, dest / lib.name)
        shutil.copy2(HEADER, dest / "signwire.h")
        print(f"signwire: bundled {lib} and {HEADER}", file=sys.stderr)


class PlatformWheel(bdist_wheel):
    """A platform wheel that fits any Python 3 (ctypes, no extension module)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):  # type: ignore[no-untyped-def]
        _, _, plat = super().get_tag()
        return "py3", "none", plat


setup(
    version=crate_version(),
    cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel},
)
