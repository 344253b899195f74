"""Cross-language: Python signs, C and the CLI verify; C and the CLI sign, Python verifies.

The C program (tests/c/xlang.c) is compiled here with gcc against the header and library
this Python process loaded. The CLI is the repository's target/release/signwire. The
examples (examples/sign.py, verify.py) are run as the demo runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import HERE

import signwire
from signwire import _native

SECRET = "cross-language secret ✓"
URL = "https://api.example.com/v1/orders?ref=a%2Fb"
BODY = '{"order":42,"note":"naïve café"}'.encode()
EXAMPLES = HERE.parent / "examples"


@pytest.fixture(scope="module")
def xlang(tmp_path_factory):
    gcc = shutil.which("gcc") or shutil.which("cc")
    if not gcc:
        pytest.fail("gcc is required (scripts/deps/apt-core.txt installs build-essential)")
    out = tmp_path_factory.mktemp("c") / "xlang"
    # The library's soname is libsignwire.so.<major> (what bindings/c installs), and a program
    # linked against it looks for that name at run time: link through a directory that has it.
    lib = _native.library_path.resolve()
    libdir = tmp_path_factory.mktemp("lib")
    (libdir / "libsignwire.so").symlink_to(lib)
    (libdir / f"libsignwire.so.{_native.library_version().split('.')[0]}").symlink_to(lib)
    # A wheel repaired by auditwheel carries the libraries it needs (libcrypt) in signwire.libs/,
    # found through the library's $ORIGIN-relative RUNPATH, which the symlinks above do not
    # keep: put them beside the symlinks too. The -rpath below serves link and run time; as
    # DT_RPATH (--disable-new-dtags) it also applies to libsignwire's own dependencies.
    grafted = lib.parent.parent / "signwire.libs"
    for dep in grafted.iterdir() if grafted.is_dir() else []:
        (libdir / dep.name).symlink_to(dep)
    cmd = [gcc, "-std=c99", "-Wall", "-Werror", "-o", str(out), str(HERE / "c" / "xlang.c"),
           f"-I{_native.header_path.parent}", f"-L{libdir}", f"-Wl,-rpath,{libdir}", "-Wl,--disable-new-dtags", "-lsignwire"]
    subprocess.run(cmd, check=True)
    return str(out)


@pytest.fixture
def body_file(tmp_path):
    p = tmp_path / "body.json"
    p.write_bytes(BODY)
    return str(p)


def env():
    e = dict(os.environ, XLANG_SECRET=SECRET, SW_SECRET=SECRET)
    return e


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env(), timeout=60)


def cli_header_args(headers):
    out = []
    for k, v in headers.items():
        out += ["--header", f"{k}: {v}"]
    return out


def test_python_signs_c_verifies(xlang, body_file):
    headers = signwire.Signer("hopnow", key_id="py-client", secret=SECRET).sign("POST", URL, BODY)
    block = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    r = run([xlang, "verify", "py-client", "POST", URL, body_file], stdin=block)
    assert (r.returncode, r.stdout) == (0, "ok py-client\n"), r.stderr
    r = run([xlang, "verify", "py-client", "POST", URL, body_file], stdin=block)
    assert (r.returncode, r.stdout.strip()) == (0, "ok py-client")  # a new C process: new nonce store
    tampered = block.replace(headers["X-Signature"], headers["X-Signature"][::-1])
    r = run([xlang, "verify", "py-client", "POST", URL, body_file], stdin=tampered)
    assert (r.returncode, r.stdout.strip()) == (1, "SIGNWIRE_ERR_BAD_SIGNATURE")


def test_c_signs_python_verifies(xlang, body_file):
    r = run([xlang, "sign", "c-client", "PATCH", URL, body_file])
    assert r.returncode == 0, r.stderr
    verifier = signwire.Verifier("hopnow", keys={"c-client": SECRET})
    assert verifier.verify("PATCH", URL, r.stdout, BODY) == "c-client"
    with pytest.raises(signwire.NonceReplayed):
        verifier.verify("PATCH", URL, r.stdout, BODY)
    with pytest.raises(signwire.BadSignature):
        signwire.Verifier("hopnow", keys={"c-client": SECRET}).verify("PATCH", URL, r.stdout, BODY + b" ")


def test_python_signs_cli_verifies(cli, body_file):
    headers = signwire.Signer("hopnow", key_id="py-client", secret=SECRET).sign("POST", URL, BODY)
    base = [cli, "verify", "--scheme", "hopnow", "--key-id", "py-client", "--secret-env", "SW_SECRET",
            "--method", "POST", "--url", URL, "--body-file", body_file]
    r = run(base + cli_header_args(headers))
    assert (r.returncode, r.stdout.strip()) == (0, "ok py-client"), r.stderr
    r = run(base[:-1] + [os.devnull] + cli_header_args(headers))
    assert (r.returncode, r.stdout.strip()) == (1, "SIGNWIRE_ERR_BAD_SIGNATURE")


def test_cli_signs_python_verifies(cli, body_file):
    r = run([cli, "sign", "--scheme", "hopnow", "--key-id", "cli-client", "--secret-env", "SW_SECRET",
             "--method", "DELETE", "--url", URL, "--body-file", body_file])
    assert r.returncode == 0, r.stderr
    verifier = signwire.Verifier("hopnow", keys={"cli-client": SECRET.encode()})
    assert verifier.verify("DELETE", URL, r.stdout, BODY) == "cli-client"


def test_fixed_timestamp_and_nonce_agree_byte_for_byte(cli, body_file):
    args = ["--scheme", "hopnow", "--key-id", "k1", "--secret-env", "SW_SECRET", "--method", "PUT",
            "--url", URL, "--body-file", body_file, "--timestamp", "1700000000", "--nonce", "ab" * 16]
    r = run([cli, "sign"] + args)
    assert r.returncode == 0, r.stderr
    py = signwire.Signer("hopnow", key_id="k1", secret=SECRET).sign("PUT", URL, BODY, timestamp=1700000000, nonce="ab" * 16)
    assert r.stdout == "".join(f"{k}: {v}\n" for k, v in py.items())


def test_examples_chain_with_the_cli(cli, body_file):
    sign = [sys.executable, str(EXAMPLES / "sign.py"), "--key-id", "k1", "--secret-env", "SW_SECRET",
            "--method", "POST", "--url", URL, "--body-file", body_file]
    verify = [sys.executable, str(EXAMPLES / "verify.py"), "--key-id", "k1", "--secret-env", "SW_SECRET",
              "--method", "POST", "--url", URL, "--body-file", body_file, "--headers-file", "-"]
    signed = run(sign)
    assert signed.returncode == 0, signed.stderr
    assert [line.split(":")[0] for line in signed.stdout.splitlines()] == ["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]
    r = run(verify, stdin=signed.stdout)
    assert (r.returncode, r.stdout.strip()) == (0, "ok k1"), r.stderr
    # Python example -> CLI, and CLI -> Python example.
    cli_verify = [cli, "verify", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "SW_SECRET",
                  "--method", "POST", "--url", URL, "--body-file", body_file]
    lines = [line.split(": ", 1) for line in run(sign).stdout.splitlines()]
    r = run(cli_verify + cli_header_args(dict(lines)))
    assert (r.returncode, r.stdout.strip()) == (0, "ok k1"), r.stderr
    cli_signed = run([cli, "sign", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "SW_SECRET",
                      "--method", "POST", "--url", URL, "--body-file", body_file])
    r = run(verify, stdin=cli_signed.stdout)
    assert (r.returncode, r.stdout.strip()) == (0, "ok k1"), r.stderr
    # A tampered header: the example reports the status name and exits 1.
    r = run(verify, stdin=cli_signed.stdout.replace("X-API-Key: k1", "X-API-Key: k2"))
    assert (r.returncode, r.stdout.strip()) == (1, "SIGNWIRE_ERR_UNKNOWN_KEY")

