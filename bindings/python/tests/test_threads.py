"""One Verifier shared by threads: correct under contention, and the GIL is released."""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import threading
import time

from conftest import run_threads

import signwire
from signwire import _native

URL = "https://api.example.com/v1/pay"
NOW = 1_800_000_000


def test_library_is_loaded_without_holding_the_gil():
    # ctypes.CDLL (unlike PyDLL) releases the GIL for the duration of every call.
    assert type(_native.cdll) is ctypes.CDLL


def test_other_threads_run_while_a_call_is_in_the_library():
    big = b"x" * (192 * 1024 * 1024)
    first_tick = []
    stop = threading.Event()
    started = threading.Event()

    def ticker():
        started.wait()
        while not stop.is_set():
            if not first_tick:
                first_tick.append(time.monotonic())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    t0 = time.monotonic()
    started.set()
    tag = signwire.hmac_sign("sha256", b"k", big)  # hundreds of ms inside the library
    t1 = time.monotonic()
    stop.set()
    t.join()
    assert tag == hmac.new(b"k", big, hashlib.sha256).hexdigest()
    # With the GIL held, the ticker could only start after the call returned.
    assert first_tick and first_tick[0] < t0 + (t1 - t0) / 2, (t0, t1, first_tick)


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


def test_close_while_a_call_is_in_flight_waits_for_it(monkeypatch):
    frees = []
    real = signwire.Key.__dict__["_free"]
    monkeypatch.setattr(signwire.Key, "_free", lambda ptr: (frees.append(1), real(ptr)))
    key = signwire.Key("sha256", b"k")
    big = b"y" * (128 * 1024 * 1024)
    out = []
    t = threading.Thread(target=lambda: out.append(key.sign(big)))
    t.start()
    deadline = time.monotonic() + 10
    while key._users == 0 and t.is_alive() and time.monotonic() < deadline:
        time.sleep(0.0005)
    users_at_close = key._users
    key.close()
    frees_at_close = len(frees)
    t.join()
    assert out == [hmac.new(b"k", big, hashlib.sha256).hexdigest()]
    assert frees == [1], "freed exactly once"
    assert key.closed
    if users_at_close == 1:  # the usual case: close returned while the call still ran...
        assert frees_at_close == 0  # ...and left the free to it
    try:
        key.sign(b"m")
    except ValueError:
        pass
    else:
        raise AssertionError("a closed key must refuse calls")
