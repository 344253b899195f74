"""Loading: declarations from the header cover every exported function; lookup order; errors."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import signwire
from signwire import _cdecl, _native

PKG_PARENT = str(Path(signwire.__file__).resolve().parent.parent)


def exported_functions(lib_path):
    nm = shutil.which("nm")
    if not nm:
        pytest.fail("nm (binutils) is required")
    out = subprocess.run([nm, "-D", "--defined-only", str(lib_path)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()[-1].startswith("signwire_")}


def test_every_exported_function_is_declared_from_the_header():
    exported = exported_functions(_native.library_path)
    declared = set(_native.decls.functions)
    assert len(exported) >= 30
    assert declared == exported, f"only exported: {exported - declared}; only declared: {declared - exported}"
    assert _native.decls.unsupported == {}
    for name, f in _native.decls.functions.items():
        fn = getattr(_native.cdll, name)
        assert getattr(_native.lib, name) is fn
        assert fn.argtypes == list(f.argtypes) and fn.restype is f.restype, name


def test_declarations_follow_the_c_types():
    f = _native.decls.functions
    assert f["signwire_verifier_verify_at"].argnames[-4:] == ("now", "key_id_out", "key_id_cap", "written")
    assert f["signwire_verifier_verify_at"].argtypes[-4] is ctypes.c_int64
    assert f["signwire_verifier_set_max_age"].argtypes[1] is ctypes.c_uint64
    assert f["signwire_abi_version"].restype is ctypes.c_uint32
    assert f["signwire_version"].restype is ctypes.c_char_p
    assert f["signwire_signer_free"].restype is None
    # Distinct handle types: passing a signer where a verifier is expected is a TypeError.
    with signwire.Signer("hopnow", key_id="k1", secret=b"s") as s:
        with pytest.raises(ctypes.ArgumentError):
            _native.lib.signwire_verifier_add_secret(s._ptr, b"k", b"s", 1)


def test_reader_handles_callbacks_structs_and_typedefs():
    d = _cdecl.parse(
        """
        typedef int32_t sw_status;
        typedef struct sw_buf { const char *ptr; size_t len; uint8_t tag[16]; } sw_buf;
        typedef int32_t (*sw_cb)(void *ctx, const char *nonce, uint64_t ttl);
        sw_status sw_set(struct sw_x *x, sw_cb cb, void *ctx);
        sw_status sw_inline(int32_t (*check)(void *ctx, const char *n, size_t len), const sw_buf *b);
        void sw_void(void);
        sw_status sw_fields(const char *const *fields, const size_t *lens, char **names, const char c);
        """
    )
    assert d.unsupported == {}
    assert d.functions["sw_set"].restype is ctypes.c_int32
    assert d.functions["sw_set"].argtypes[1] is d.callbacks["sw_cb"]
    assert [n for n, _ in d.structs["sw_buf"]._fields_] == ["ptr", "len", "tag"]
    assert ctypes.sizeof(d.structs["sw_buf"]) >= 8 + 8 + 16
    assert d.functions["sw_inline"].argnames == ("check", "b")
    assert d.functions["sw_void"].argtypes == ()
    assert d.functions["sw_fields"].argtypes == (
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_char)),
        ctypes.c_char,
    )
    bad = _cdecl.parse("long double weird(struct_t x);")
    assert "weird" in bad.unsupported


def import_with(lib_path):
    env = dict(os.environ)
    if lib_path is None:
        env.pop("SIGNWIRE_LIB", None)
    else:
        env["SIGNWIRE_LIB"] = str(lib_path)
    code = f"import sys; sys.path.insert(0, {PKG_PARENT!r}); import signwire; print(signwire.library_path)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_signwire_lib_is_used_when_set():
    r = import_with(_native.library_path.resolve())
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()) == _native.library_path.resolve()


def test_missing_library_error_lists_path_and_expected_abi(tmp_path):
    missing = tmp_path / "nope" / "libsignwire.so"
    r = import_with(missing)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and str(missing) in r.stderr and "not found" in r.stderr
    assert "needs ABI 1" in r.stderr and "SIGNWIRE_LIB" in r.stderr


def fake_library(tmp_path, name, source):
    gcc = shutil.which("gcc") or shutil.which("cc")
    if not gcc:
        pytest.fail("gcc is required")
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / f"{name}.so"
    subprocess.run([gcc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out


def test_wrong_abi_is_refused(tmp_path):
    lib = fake_library(
        tmp_path,
        "abi2",
        'unsigned signwire_abi_version(void) { return 2; }\nconst char *signwire_version(void) { return "9.9.9"; }\n',
    )
    r = import_with(lib)
    assert r.returncode != 0
    assert f"{lib} (SIGNWIRE_LIB): library 9.9.9 has ABI 2, this package needs ABI 1" in r.stderr


def test_library_missing_declared_functions_is_refused(tmp_path):
    lib = fake_library(
        tmp_path,
        "partial",
        'unsigned signwire_abi_version(void) { return 1; }\nconst char *signwire_version(void) { return "0.0.1"; }\n',
    )
    r = import_with(lib)
    assert r.returncode != 0 and "lacks signwire_" in r.stderr and "different builds" in r.stderr


def test_not_a_signwire_library_is_refused(tmp_path):
    lib = fake_library(tmp_path, "other", "int something_else(void) { return 0; }\n")
    r = import_with(lib)
    assert r.returncode != 0 and "not a signwire library" in r.stderr


def test_installed_package_uses_its_bundled_library():
    """Run by tests/suites/50-python.sh against the pip-installed wheel (SIGNWIRE_LIB unset)."""
    if os.environ.get("SIGNWIRE_TEST_EXPECT") != "bundled":
        pytest.skip("only meaningful against an installed wheel; the suite sets SIGNWIRE_TEST_EXPECT=bundled")
    pkg = Path(signwire.__file__).resolve().parent
    assert _native.library_path.resolve().parent == pkg
    assert _native.header_path.resolve() == pkg / "signwire.h"
    assert (pkg / "py.typed").is_file()
    assert "site-packages" in str(pkg)
    r = import_with(None)
    assert r.returncode == 0 and Path(r.stdout.strip()).resolve().parent == pkg
