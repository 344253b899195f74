"""One Verifier shared by threads: correct under contention, and the GIL is released."""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import threading

import pytest

from conftest import run_threads

import signwire
from signwire import _native

URL = "https://api.example.com/v1/pay"
NOW = 1_800_000_000


def test_library_is_loaded_without_holding_the_gil():
    # ctypes.CDLL (unlike PyDLL) releases the GIL for the duration of every call. How much
    # other threads then get done is timing, measured by benches/python/gil_release.py
    # (scripts/bench), not asserted here.
    assert type(_native.cdll) is ctypes.CDLL


def test_shared_verifier_accepts_each_nonce_exactly_once():
    secrets = {f"k{i}": f"secret-{i}".encode() for i in range(4)}
    verifier = signwire.Verifier("hopnow", keys=secrets)
    requests_ = []
    for i in range(2000):
        kid = f"k{i % 4}"
        body = f'{{"n":{i}}}'.encode()
        signer = signwire.Signer("hopnow", key_id=kid, secret=secrets[kid])
        requests_.append((kid, body, signer.sign("POST", URL, body, timestamp=NOW + (i % 50))))
    results = []
    lock = threading.Lock()

    def worker(offset):
        def run():
            local = []
            # Every request is presented by two threads (offset 0 and 4 share the same slice order).
            for kid, body, headers in requests_[offset % 4 :: 4]:
                try:
                    got = verifier.verify("POST", URL, headers, body, now=NOW + 30)
                    assert got == kid
                    local.append(("ok", headers["X-Nonce"]))
                except signwire.NonceReplayed:
                    local.append(("replayed", headers["X-Nonce"]))
            with lock:
                results.extend(local)

        return run

    def rotator():
        for i in range(300):
            verifier.add_secret("rot", f"r{i}".encode())
            if i:
                verifier.retire_secret("rot", f"r{i - 1}".encode())

    run_threads([worker(o) for o in range(8)] + [rotator])
    ok = [n for r, n in results if r == "ok"]
    replayed = [n for r, n in results if r == "replayed"]
    assert len(results) == 4000
    assert len(ok) == 2000 and len(set(ok)) == 2000
    assert sorted(replayed) == sorted(ok)
    # Tampered copies fail on every thread with BadSignature, never a crash or an accept.
    bad = []

    def tamper():
        for kid, body, headers in requests_[:200]:
            try:
                verifier.verify("POST", URL, headers, body + b" ", now=NOW + 30)
            except signwire.BadSignature:
                bad.append(1)

    run_threads([tamper for _ in range(4)])
    assert len(bad) == 800
    h = signwire.Signer("hopnow", key_id="rot", secret=b"r299").sign("GET", URL, timestamp=NOW)
    assert verifier.verify("GET", URL, h, now=NOW) == "rot"


class _HeldSign:
    """signwire.mac's `lib`, with signwire_hmac_key_sign held until the test says go."""

    def __init__(self, lib):
        self._lib = lib
        self.entered, self.resume = threading.Event(), threading.Event()

    def __getattr__(self, name):
        return getattr(self._lib, name)

    def signwire_hmac_key_sign(self, *args):
        self.entered.set()  # the call is in flight: the key is marked in use
        assert self.resume.wait(30), "the test never released the call"
        return self._lib.signwire_hmac_key_sign(*args)


def test_close_while_a_call_is_in_flight_waits_for_it(monkeypatch):
    frees = []
    real = signwire.Key.__dict__["_free"]
    monkeypatch.setattr(signwire.Key, "_free", lambda ptr: (frees.append(1), real(ptr)))
    held = _HeldSign(signwire.mac.lib)
    monkeypatch.setattr(signwire.mac, "lib", held)
    key = signwire.Key("sha256", b"k")
    out = []
    t = threading.Thread(target=lambda: out.append(key.sign(b"message")))
    t.start()
    # Events, not timing: close() runs exactly while the call is inside the library.
    assert held.entered.wait(30)
    assert key._users == 1
    key.close()
    assert key.closed
    assert frees == [], "close() freed the key under a call in flight"
    held.resume.set()
    t.join()
    assert out == [hmac.new(b"k", b"message", hashlib.sha256).hexdigest()]
    assert frees == [1], "the call in flight freed it, exactly once"
    with pytest.raises(ValueError):
        key.sign(b"m")
