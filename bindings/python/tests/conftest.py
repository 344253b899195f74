"""Shared fixtures. Expected values come from tests/vectors/*.json and Python's own hmac.

By default the tests import the package from this checkout (bindings/python/src). The suite
tests/suites/50-python.sh installs it with pip first and sets SIGNWIRE_TEST_INSTALLED=1, so
that the installed wheel, with its bundled library, is what runs.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
VECTORS = ROOT / "tests" / "vectors"

if not os.environ.get("SIGNWIRE_TEST_INSTALLED"):
    sys.path.insert(0, str(HERE.parent / "src"))

import signwire  # noqa: E402


def load_vectors(name: str) -> Dict[str, Any]:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def body_bytes(spec: Dict[str, Any]) -> bytes:
    """Decode a vector's body spec (utf8 / hex / repeat), as scripts/gen-vectors.py writes it."""
    if "utf8" in spec:
        return spec["utf8"].encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    return spec["repeat"].encode() * spec["times"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli() -> str:
    """The signwire CLI built from this checkout (the harness builds it first)."""
    path = ROOT / "target" / "release" / "signwire"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `cargo build --release` (scripts/test does)")
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"server on port {port} did not start")


class Rss:
    """Resident set size of this process, from /proc (Linux)."""

    @staticmethod
    def kib() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc/self/status")


def run_threads(targets: List[Any]) -> None:
    errors: List[BaseException] = []

    def wrap(fn: Any) -> Any:
        def run() -> None:
            try:
                fn()
            except BaseException as e:  # collected and re-raised in the test thread
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.fixture
def hopnow_pair() -> Iterator[Any]:
    secret = b"test-secret-for-python"
    with signwire.Signer("hopnow", key_id="k1", secret=secret) as s, signwire.Verifier("hopnow", keys={"k1": secret}) as v:
        yield s, v


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a check that did not run: it fails the run (suite 50-python) unless
    SIGNWIRE_ALLOW_SKIPPED_TESTS=1 says the machine knowingly lacks what it needs."""
    if os.environ.get("SIGNWIRE_ALLOW_SKIPPED_TESTS") == "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        names = ", ".join(getattr(r, "nodeid", "?") for r in skipped)
        sys.stderr.write(f"\nFAIL: {len(skipped)} skipped test(s) ({names}); set SIGNWIRE_ALLOW_SKIPPED_TESTS=1 to allow\n")
        session.exitstatus = 1
