"""Replay protection and IP policy through the Python API: nonce stores by URL and by
callable, shared across processes, fail-closed errors, allowlists and forwarded-for.

Signatures are made with Python's hmac (HopNow: hex HMAC-SHA256 of
METHOD+URL+TIMESTAMP+NONCE+BODY); expected IP decisions come from Python's ipaddress.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import multiprocessing
import secrets
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

import signwire
from conftest import free_port

URL = "https://api.example.com/v1/pay"
BODY = b'{"amount":100}'
KEY_ID, SECRET = "k1", b"replay-test-secret"


def signed(nonce=None, ts=None):
    ts = str(int(ts if ts is not None else time.time()))
    nonce = nonce or secrets.token_hex(16)
    sig = hmac.new(SECRET, b"POST" + URL.encode() + ts.encode() + nonce.encode() + BODY, hashlib.sha256).hexdigest()
    return {"X-API-Key": KEY_ID, "X-Signature": sig, "X-Timestamp": ts, "X-Nonce": nonce}


def verifier(**kw):
    return signwire.Verifier("hopnow", {KEY_ID: SECRET}, **kw)


def test_sqlite_store_is_shared_between_verifiers(tmp_path):
    url = f"sqlite://{tmp_path}/nonces.db"
    a, b = verifier(nonce_store=url), verifier(nonce_store=url)
    h = signed()
    assert a.verify("POST", URL, h, BODY) == KEY_ID
    with pytest.raises(signwire.NonceReplayed):
        b.verify("POST", URL, h, BODY)
    a.close()
    b.close()
    rows = sqlite3.connect(tmp_path / "nonces.db").execute("SELECT key_id, nonce FROM signwire_nonces").fetchall()
    # Recorded per scheme, not per key id (the column keeps its name).
    assert rows == [("hopnow", h["X-Nonce"])]


def _worker(url, batch, out):
    v = verifier(nonce_store=url)
    accepted = []
    for h in batch:
        try:
            v.verify("POST", URL, h, BODY)
            accepted.append(h["X-Nonce"])
        except signwire.NonceReplayed:
            pass
    out.put(accepted)


def test_sqlite_store_across_processes_accepts_each_nonce_once(tmp_path):
    # The gunicorn case: four worker processes, the same 300 requests each.
    url = f"sqlite://{tmp_path}/nonces.db?busy_timeout_ms=10000"
    batch = [signed() for _ in range(300)]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, batch, out)) for _ in range(4)]
    for p in procs:
        p.start()
    accepted = [n for _ in procs for n in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(accepted) == sorted(h["X-Nonce"] for h in batch)


def test_store_url_errors():
    with pytest.raises(signwire.InvalidArgument):
        verifier(nonce_store="memcached://localhost")
    with pytest.raises(signwire.InvalidArgument):
        verifier(nonce_store="sqlite://relative.db")
    with pytest.raises(signwire.NonceStoreUnavailable) as e:
        verifier(nonce_store=f"redis://:hunter2@127.0.0.1:{free_port()}/0?connect_timeout_ms=200")
    assert "hunter2" not in str(e.value)
    with pytest.raises(signwire.NonceStoreUnavailable):
        verifier(nonce_store="sqlite:///nonexistent-signwire-dir/n.db")


def test_memory_store_full_refuses():
    v = verifier(nonce_store="memory://?max_entries=3")
    for _ in range(3):
        v.verify("POST", URL, signed(), BODY)
    with pytest.raises(signwire.NonceStoreUnavailable):
        v.verify("POST", URL, signed(), BODY)


LOCKER = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("ROLLBACK")
"""


def test_locked_sqlite_fails_closed(tmp_path):
    # The lock is held by another process: POSIX locks do not separate two SQLite copies
    # (Python's and signwire's) inside one process.
    db = tmp_path / "n.db"
    v = verifier(nonce_store=f"sqlite://{db}?busy_timeout_ms=100")
    h = signed()
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        with pytest.raises(signwire.NonceStoreUnavailable):
            v.verify("POST", URL, h, BODY)
    finally:
        locker.communicate("\n", timeout=30)
    assert v.verify("POST", URL, h, BODY) == KEY_ID


def test_callable_nonce_store():
    seen = {}
    lock = threading.Lock()

    def store(key_id, nonce, ttl):
        with lock:
            if (key_id, nonce) in seen:
                return False
            seen[(key_id, nonce)] = ttl
            return True

    v = verifier(nonce_store=store, max_age=100, max_future_skew=30)
    h = signed()
    assert v.verify("POST", URL, h, BODY) == KEY_ID
    with pytest.raises(signwire.NonceReplayed):
        v.verify("POST", URL, h, BODY)
    # Recorded per scheme, not per key id (key ids sharing a secret must not share nonces).
    assert seen == {("hopnow", h["X-Nonce"]): 130}
    # A forged request never reaches the store.
    forged = dict(signed(), **{"X-Signature": "0" * 64})
    with pytest.raises(signwire.BadSignature):
        v.verify("POST", URL, forged, BODY)
    assert len(seen) == 1


@pytest.mark.parametrize("answer", [None, 1, "yes", RuntimeError("redis down")])
def test_callable_that_fails_or_answers_oddly_fails_closed(answer):
    def store(key_id, nonce, ttl):
        if isinstance(answer, Exception):
            raise answer
        return answer

    v = verifier(nonce_store=store)
    with pytest.raises(signwire.NonceStoreUnavailable) as e:
        v.verify("POST", URL, signed(), BODY)
    if isinstance(answer, Exception):
        assert e.value.__cause__ is answer
    else:
        assert isinstance(e.value.__cause__, TypeError)


def _client(peer, xff, proxies):
    """Rightmost address not in a trusted proxy range (written again, independently)."""
    def norm(a):
        a = ipaddress.ip_address(a)
        return a.ipv4_mapped if a.version == 6 and a.ipv4_mapped else a

    def trusted(a):
        return any(a.version == n.version and a in n for n in map(ipaddress.ip_network, proxies))

    client = norm(peer)
    if trusted(client) and xff:
        for hop in reversed([x.strip() for x in xff.split(",")]):
            client = norm(hop)
            if not trusted(client):
                break
    return client


ALLOWED = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
PROXIES = ["172.16.0.0/12", "fd00::/8"]
CASES = [
    ("10.1.2.3", None), ("11.0.0.1", None), ("::ffff:10.1.2.3", None), ("2001:db8::5", None),
    ("2001:db9::5", None), ("192.0.2.7", None), ("192.0.2.8", None),
    ("172.16.0.9", "10.9.9.9"), ("172.16.0.9", "8.8.8.8"), ("172.16.0.9", "10.9.9.9, 8.8.4.4"),
    ("172.16.0.9", "8.8.4.4, 10.9.9.9"), ("172.16.0.9", "8.8.4.4, 10.9.9.9, 172.20.0.1"),
    ("fd00::1", "2001:db8::77"), ("::ffff:172.16.0.9", "::ffff:10.0.0.1"), ("11.0.0.1", "10.0.0.1"),
]


@pytest.mark.parametrize("peer,xff", CASES)
def test_allowed_ips_and_trusted_proxies(peer, xff):
    v = verifier(allowed_ips=ALLOWED, trusted_proxies=PROXIES)
    client = _client(peer, xff, PROXIES)
    allowed = any(client.version == n.version and client in n for n in map(ipaddress.ip_network, ALLOWED))
    h = signed()
    if xff:
        h["X-Forwarded-For"] = xff
    if allowed:
        assert v.verify("POST", URL, h, BODY, remote_addr=peer) == KEY_ID
    else:
        with pytest.raises(signwire.IpNotAllowed):
            v.verify("POST", URL, h, BODY, remote_addr=peer)


def test_allowlist_needs_a_remote_address_and_forwarded_for_is_off_by_default():
    v = verifier(allowed_ips=["10.0.0.0/8"])
    with pytest.raises(signwire.IpNotAllowed):
        v.verify("POST", URL, signed(), BODY)
    h = dict(signed(), **{"X-Forwarded-For": "10.0.0.1"})
    with pytest.raises(signwire.IpNotAllowed):
        v.verify("POST", URL, h, BODY, remote_addr="172.16.0.1")


def test_bad_ranges():
    with pytest.raises(signwire.InvalidArgument):
        verifier(allowed_ips=["10.0.0.1/8"])
    with pytest.raises(signwire.InvalidArgument):
        verifier(trusted_proxies=["fd00::/129"])
    with pytest.raises(TypeError):
        verifier(allowed_ips="10.0.0.0/8")
