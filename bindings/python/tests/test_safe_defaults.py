"""Attacks from docs/HARDENING.md ("Safe defaults") reproduced through the Python binding,
with the expected bytes computed by Python's hmac, never by signwire."""

from __future__ import annotations

import hashlib
import hmac

import signwire

SECRET = b"hopnow boundary secret"
TS = 1763900000


def hopnow_mac(method: str, url: str, ts: str, nonce: str, body: bytes) -> str:
    # HopNow's payload as its documentation defines it: no separators.
    payload = method.encode() + url.encode() + ts.encode() + nonce.encode() + body
    return hmac.new(SECRET, payload, hashlib.sha256).hexdigest()


def test_hopnow_url_timestamp_boundary_shift_is_undetectable_by_a_verifier():
    # Signed: GET .../balance?_=<unix ms> (a cache buster), timestamp TS, a fresh nonce.
    url = "https://api.hopnow.example/v1/balance?_=1763900000123"
    nonce = "0123456789abcdef0123456789abcdef"
    signer = signwire.Signer("hopnow", "k1", SECRET)
    signed = signer.sign("GET", url, timestamp=TS, nonce=nonce)
    assert signed["X-Signature"] == hopnow_mac("GET", url, str(TS), nonce, b"")
    # The attacker cuts the digits off the URL: they become the timestamp, the old timestamp
    # and the nonce's start become a "fresh" nonce, the rest a body. Same bytes, same MAC.
    shifted_url = "https://api.hopnow.example/v1/balance?_="
    shifted_nonce = "12317639000000123456789abcdef012"
    shifted_body = b"3456789abcdef"
    assert hopnow_mac("GET", shifted_url, "1763900000", shifted_nonce, shifted_body) == signed["X-Signature"]
    shifted = dict(signed, **{"X-Timestamp": "1763900000", "X-Nonce": shifted_nonce})
    # HopNow's specification fixes the payload, so a verifier cannot tell: it is accepted
    # (documented; the signing side is where it can be prevented).
    v = signwire.Verifier("hopnow", {"k1": SECRET})
    assert v.verify("GET", shifted_url, shifted, shifted_body, now=TS) == "k1"


GUNICORN_APP = '''
import os

import signwire
from signwire.wsgi import SignwireMiddleware

verifier = signwire.Verifier("hopnow", keys={"k1": b"my api secret"})   # README, as written


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["signwire.key_id"].encode()]


protected = SignwireMiddleware(hello, verifier, public_origin="https://api.example.com")


def app(environ, start_response):
    # Which worker answered, on every response (200 and 401 alike).
    def start(status, headers, exc_info=None):
        return start_response(status, headers + [("X-Worker", str(os.getpid()))], exc_info)
    return protected(environ, start)
'''


def test_readme_verifier_under_gunicorn_refuses_replays_across_workers(tmp_path):
    # README's verifier as written (no nonce_store) under gunicorn with 4 sync workers, each
    # replaced after one request (--max-requests 1): every copy of the request reaches a
    # process with empty memory, so only a store shared by the workers can refuse it.
    import http.client
    import subprocess
    import sys

    from conftest import free_port, wait_for_port

    (tmp_path / "readme_app.py").write_text(GUNICORN_APP)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--max-requests", "1", "--bind", f"127.0.0.1:{port}",
         "--chdir", str(tmp_path), "--pid", str(tmp_path / "gunicorn.pid"), "readme_app:app"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "gunicorn.log", "wb"),
    )
    try:
        wait_for_port(port, timeout=60)
        signer = signwire.Signer("hopnow", "k1", b"my api secret")
        headers = signer.sign("GET", "https://api.example.com/v1/balance")
        answers, workers = [], set()
        for _ in range(6):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/v1/balance", headers=headers)
            r = conn.getresponse()
            answers.append((r.status, r.read()))
            workers.add(r.getheader("X-Worker"))
            conn.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert answers[0] == (200, b"k1"), log
    assert [s for s, _ in answers[1:]] == [401] * 5, log
    assert len(workers) == 6, (workers, log)
