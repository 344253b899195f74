"""Find, load and declare libsignwire.

Lookup order (the first that exists and matches wins):

1. ``SIGNWIRE_LIB``: an absolute path to the library. When set, it is the only candidate,
   so that a typo never silently falls back to another copy.
2. The copy bundled in the wheel, beside this file.
3. The repository's ``target/release`` (working from a checkout).

The declarations come from ``signwire.h``: the copy bundled beside this file, or the
repository's ``include/signwire.h``. A library whose ``signwire_abi_version()`` differs from
:data:`ABI_VERSION`, or that lacks a function the header declares, is refused with an
ImportError that lists every path tried and what was expected.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Any, List, Optional, Tuple

from . import _cdecl

#: The C ABI version this package is written against (``signwire_abi_version()``).
ABI_VERSION = 1

_HERE = Path(__file__).resolve().parent
# bindings/python/src/signwire -> repository root, when running from a checkout.
_REPO = _HERE.parents[3] if len(_HERE.parents) > 3 else _HERE

if sys.platform == "darwin":
    _LIBNAME = "libsignwire.dylib"
elif sys.platform == "win32":
    _LIBNAME = "signwire.dll"
else:
    _LIBNAME = "libsignwire.so"


def _expected_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("signwire")
        except PackageNotFoundError:
            return "(this checkout's)"
    except ImportError:  # pragma: no cover - Python < 3.8
        return "(unknown)"


def header_candidates() -> List[Path]:
    """Where the header is looked for, in order."""
    return [_HERE / "signwire.h", _REPO / "include" / "signwire.h"]


def library_candidates() -> List[Tuple[str, Path]]:
    """(origin, path) pairs in lookup order."""
    env = os.environ.get("SIGNWIRE_LIB")
    if env:
        return [("SIGNWIRE_LIB", Path(env))]
    return [("bundled", _HERE / _LIBNAME), ("repository", _REPO / "target" / "release" / _LIBNAME)]


def _read_header() -> Tuple[Path, _cdecl.Declarations]:
    tried = []
    for path in header_candidates():
        if path.is_file():
            return path, _cdecl.parse(path.read_text(encoding="utf-8"))
        tried.append(str(path))
    raise ImportError("signwire: cannot find signwire.h; tried:\n  " + "\n  ".join(tried))


def _load() -> Tuple[Any, Path, Path, _cdecl.Declarations]:
    header_path, decls = _read_header()
    attempts: List[str] = []
    for origin, path in library_candidates():
        if not path.is_file():
            attempts.append(f"{path} ({origin}): not found")
            continue
        try:
            lib = ctypes.CDLL(str(path.resolve()))
        except OSError as e:
            attempts.append(f"{path} ({origin}): cannot be loaded: {e}")
            continue
        try:
            lib.signwire_abi_version.restype = ctypes.c_uint32
            lib.signwire_abi_version.argtypes = []
            lib.signwire_version.restype = ctypes.c_char_p
            lib.signwire_version.argtypes = []
            abi = lib.signwire_abi_version()
            found = (lib.signwire_version() or b"?").decode("utf-8", "replace")
        except AttributeError:
            attempts.append(f"{path} ({origin}): not a signwire library (no signwire_abi_version)")
            continue
        if abi != ABI_VERSION:
            attempts.append(f"{path} ({origin}): library {found} has ABI {abi}, this package needs ABI {ABI_VERSION}")
            continue
        missing = _cdecl.declare(lib, decls)
        if missing:
            attempts.append(
                f"{path} ({origin}): library {found} lacks {', '.join(missing[:5])}"
                f"{' …' if len(missing) > 5 else ''} declared in {header_path} (library and header are from different builds)"
            )
            continue
        return lib, path, header_path, decls
    raise ImportError(
        f"signwire: no usable libsignwire (this package is version {_expected_version()}, "
        f"needs ABI {ABI_VERSION}); tried:\n  "
        + "\n  ".join(attempts)
        + "\nBuild it with `cargo build --release` in the repository, reinstall the package "
        "(`pip install ./bindings/python`), or set SIGNWIRE_LIB to the library's absolute path."
    )


class Functions:
    """The library's functions that the header declares, and nothing else: a function the
    header does not declare would be called without argument types."""

    def __init__(self, cdll: Any, decls: _cdecl.Declarations) -> None:
        for name in decls.functions:
            setattr(self, name, getattr(cdll, name))

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"{name} is not declared in {header_path}: the header and this package are from different versions")


cdll, library_path, header_path, decls = _load()
#: Declared functions of the loaded library (``lib.signwire_signer_sign(...)``).
lib = Functions(cdll, decls)

#: Status codes by name, read from the header (``SIGNWIRE_OK`` = 0, ...).
STATUS = dict(decls.enums["signwire_status"])
#: Status names by code.
STATUS_NAMES = {v: k for k, v in STATUS.items()}
OK = STATUS["SIGNWIRE_OK"]
BUFFER_TOO_SMALL = STATUS["SIGNWIRE_ERR_BUFFER_TOO_SMALL"]


def library_version() -> str:
    """``signwire_version()`` of the loaded library."""
    version: bytes = lib.signwire_version()
    return version.decode("utf-8")


def last_error_message() -> str:
    """``signwire_last_error_message()`` on this thread."""
    raw: Optional[bytes] = lib.signwire_last_error_message()
    return (raw or b"").decode("utf-8", "replace")
