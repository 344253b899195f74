"""Build hook: bundle libsignwire (compiled by cargo, or given prebuilt) and signwire.h in the wheel.

Any PyPA front end drives it through setuptools' PEP 517 backend (pyproject.toml):
``python -m build``, ``pip wheel``, ``pip install`` from a checkout or from the sdist.

* Where the Rust crate is: ``rust/`` inside an unpacked sdist (the sdist carries the crate's
  sources, Cargo.toml/Cargo.lock, build.rs, cbindgen.toml and include/), else the repository
  root two levels up (a checkout).
* ``SIGNWIRE_LIB=/path/to/libsignwire.so`` at build time: bundle that library, no cargo run.
  Its header is taken from beside it, or from the matching ``include/`` (``target/release`` ->
  repository ``include/``, ``PREFIX/lib`` -> ``PREFIX/include``), else from the crate.
* Otherwise ``cargo build --release --lib`` (``--locked`` from an sdist). ``CARGO`` and
  ``CARGO_TARGET_DIR`` are honoured, so a target directory from an earlier build is reused.

The library goes to platlib (the wheel is ``Root-Is-Purelib: false``, which ``auditwheel``
needs) and the wheel is tagged ``py3-none-<platform>``: ctypes needs no particular Python
ABI, only the platform's, so one wheel serves every Python 3.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
LIB_SUFFIXES = (".so", ".dylib", ".dll")
if sys.platform == "darwin":
    LIBNAME = "libsignwire.dylib"
elif sys.platform == "win32":
    LIBNAME = "signwire.dll"
else:
    LIBNAME = "libsignwire.so"

# What the sdist copies from a checkout into rust/: everything `cargo build --lib` reads.
# Cargo.toml names the benchmark targets, so cargo wants their files to exist.
CRATE_FILES = ["Cargo.toml", "Cargo.lock", "build.rs", "cbindgen.toml", "README.md"]
CRATE_GLOBS = ["src/**/*", "include/*.h", "benches/*.rs", "benches/compare/*.rs"]


def crate_root() -> Tuple[Path, bool]:
    """(crate directory, whether it is the copy inside an sdist)."""
    if (HERE / "rust" / "Cargo.toml").is_file():
        return HERE / "rust", True
    checkout = HERE.parent.parent
    if (checkout / "Cargo.toml").is_file():
        return checkout, False
    sys.exit(f"signwire: no Rust crate in {HERE / 'rust'} or {checkout}; build from a signwire checkout or its sdist")


def crate_version() -> str:
    """The crate's version: package and library are released together."""
    manifest = crate_root()[0] / "Cargo.toml"
    text = manifest.read_text(encoding="utf-8")
    package = re.search(r"^\[package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    version = package and re.search(r'^version\s*=\s*"([^"]+)"', package.group(1), re.M)
    if not version:
        sys.exit(f"signwire: no [package] version in {manifest}")
    return version.group(1)


def find_cargo() -> str:
    cargo = os.environ.get("CARGO") or shutil.which("cargo")
    if not cargo:
        fallback = Path.home() / ".cargo" / "bin" / "cargo"
        if fallback.is_file():
            cargo = str(fallback)
    if not cargo:
        sys.exit(
            "signwire: cargo not found. Install Rust (https://rustup.rs) or set CARGO; or build "
            "without cargo from an existing library: SIGNWIRE_LIB=/path/to/libsignwire.so pip install ..."
        )
    return cargo


def build_library() -> Path:
    """Run cargo and return the path of the cdylib it produced."""
    crate, from_sdist = crate_root()
    cmd = [find_cargo(), "build", "--release", "--lib", "--manifest-path", str(crate / "Cargo.toml")]
    cmd += ["--locked"] if from_sdist else []
    cmd += ["--message-format=json-render-diagnostics"]
    target = os.environ.get("CARGO_TARGET_DIR") or str(crate / "target")
    print(
        "signwire: compiling the Rust library libsignwire with cargo (release profile).\n"
        "signwire: a first build compiles about 60 crates, AWS-LC's C code among them: roughly\n"
        "signwire: 5-10 minutes on 2 cores and 0.5 GB in the target directory; a rebuild in an\n"
        f"signwire: existing target directory takes seconds. Target directory: {target}\n"
        "signwire: (set CARGO_TARGET_DIR to reuse one, or SIGNWIRE_LIB to skip cargo)\n"
        "signwire: $ " + " ".join(cmd),
        file=sys.stderr,
        flush=True,
    )
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, cwd=str(crate))
    if proc.returncode != 0:
        sys.exit(f"signwire: cargo build failed (exit {proc.returncode})")
    found: Optional[Path] = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        target_info = msg.get("target") or {}
        if msg.get("reason") == "compiler-artifact" and target_info.get("name") == "signwire" and "cdylib" in target_info.get("kind", []):
            for f in msg.get("filenames", []):
                if f.endswith(LIB_SUFFIXES):
                    found = Path(f)
    if found is None or not found.is_file():
        sys.exit("signwire: cargo did not report the cdylib libsignwire")
    print(f"signwire: cargo finished in {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    return found


def header_candidates(lib: Path) -> List[Path]:
    """Where the header of a prebuilt library is looked for, in order."""
    d = lib.parent
    return [
        d / "signwire.h",  # beside it (a bundle, bindings/php/lib/)
        d.parent.parent / "include" / "signwire.h",  # <checkout>/target/release, /usr/lib/<multiarch>
        d.parent / "include" / "signwire.h",  # PREFIX/lib -> PREFIX/include
    ]


def prebuilt_library() -> Optional[Tuple[Path, Path]]:
    """(library, header) from SIGNWIRE_LIB, or None when it is unset."""
    env = os.environ.get("SIGNWIRE_LIB")
    if not env:
        return None
    lib = Path(env)
    if not lib.is_file():
        sys.exit(f"signwire: SIGNWIRE_LIB={env} is not a file")
    tried = header_candidates(lib) + [crate_root()[0] / "include" / "signwire.h"]
    for header in tried:
        if header.is_file():
            return lib, header
    sys.exit("signwire: no signwire.h for SIGNWIRE_LIB; tried " + ", ".join(map(str, tried)))


class BuildWithLibrary(build_py):
    """build_py, plus the library and the header beside the package."""

    def run(self) -> None:
        super().run()
        dest = Path(self.build_lib) / "signwire"
        dest.mkdir(parents=True, exist_ok=True)
        given = prebuilt_library()
        if given:
            lib, header = given
            print(f"signwire: SIGNWIRE_LIB is set: bundling {lib} (no cargo run)", file=sys.stderr)
        else:
            lib, header = build_library(), crate_root()[0] / "include" / "signwire.h"
        # copyfile follows symlinks (libsignwire.so -> .so.0 -> .so.0.1.0): the wheel holds the file.
        shutil.copyfile(lib, dest / LIBNAME)
        os.chmod(dest / LIBNAME, 0o755)
        shutil.copyfile(header, dest / "signwire.h")
        print(f"signwire: bundled {lib} and {header}", file=sys.stderr)


class SdistWithCrate(sdist):
    """The sdist also carries the Rust crate (in rust/), so that it builds on its own."""

    def make_release_tree(self, base_dir: str, files: List[str]) -> None:
        super().make_release_tree(base_dir, files)
        crate, from_sdist = crate_root()
        if from_sdist:
            return  # MANIFEST.in's `graft rust` copied it already
        dest = Path(base_dir) / "rust"
        self.mkpath(str(dest))
        for name in CRATE_FILES:
            if (crate / name).is_file():
                self.copy_file(str(crate / name), str(dest / name))
        for pattern in CRATE_GLOBS:
            for path in sorted(crate.glob(pattern)):
                if path.is_file():
                    rel = path.relative_to(crate)
                    self.mkpath(str((dest / rel).parent))
                    self.copy_file(str(path), str(dest / rel))


class PlatformWheel(bdist_wheel):
    """A platform wheel that fits any Python 3 (ctypes, no extension module)."""

    def get_tag(self):  # type: ignore[no-untyped-def]
        _, _, plat = super().get_tag()
        return "py3", "none", plat


class BinaryDistribution(Distribution):
    """Has a compiled library: installs to platlib, as auditwheel requires."""

    def has_ext_modules(self) -> bool:
        return True


setup(
    version=crate_version(),
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildWithLibrary, "sdist": SdistWithCrate, "bdist_wheel": PlatformWheel},
)
