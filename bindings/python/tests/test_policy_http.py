"""Verifier policy where it meets deployments (unit-level cases are in test_replay.py):
a real Redis shared by verifiers and its outage, a callable store under threads, two HTTP
servers (Flask/WSGI and Starlette/ASGI) sharing one SQLite store, the IP allowlist behind a
trusted proxy over HTTP, and the ASGI middleware offloading verification for shared stores.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading

import pytest
import requests
from conftest import free_port, wait_for_port

import signwire
from signwire.requests_auth import SignwireAuth

URL = "https://api.example.com/v1/pay"
SECRET = b"policy-secret"


def signed(timestamp=None, body=b"{}", key_id="k1"):
    return signwire.Signer("hopnow", key_id=key_id, secret=SECRET).sign("POST", URL, body, timestamp=timestamp)


def test_callback_store_from_many_threads():
    lock = threading.Lock()
    seen = set()

    def store(key_id, nonce, ttl):
        with lock:
            if nonce in seen:
                return False
            seen.add(nonce)
            return True

    v = signwire.Verifier("hopnow", keys={"k1": SECRET}, nonce_store=store)
    hs = [signed() for _ in range(300)]
    outcomes = []

    def work():
        for h in hs:
            try:
                v.verify("POST", URL, h, b"{}")
                outcomes.append("ok")
            except signwire.NonceReplayed:
                outcomes.append("replayed")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 300 and outcomes.count("replayed") == 900


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if not server:
        pytest.fail("redis-server is required (scripts/deps/apt-python.txt)")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        proc.terminate()
        proc.wait(10)


def test_redis_store_shared_and_outage_fails_closed(redis_url):
    url, proc = redis_url
    a = signwire.Verifier("hopnow", keys={"k1": SECRET}, nonce_store=url)
    b = signwire.Verifier("hopnow", keys={"k1": SECRET}, nonce_store=url)
    h = signed()
    assert a.verify("POST", URL, h, b"{}") == "k1"
    with pytest.raises(signwire.NonceReplayed):
        b.verify("POST", URL, h, b"{}")
    proc.terminate()
    proc.wait(10)
    with pytest.raises(signwire.NonceStoreUnavailable):
        a.verify("POST", URL, signed(), b"{}")


def _serve_wsgi(verifier):
    from flask import Flask, request
    from werkzeug.serving import make_server

    from signwire.wsgi import SignwireMiddleware

    app = Flask("policy")

    @app.post("/v1/pay")
    def pay():
        return {"key_id": request.environ["signwire.key_id"]}

    app.wsgi_app = SignwireMiddleware(app.wsgi_app, verifier, public_origin="https://api.example.com")
    port = free_port()
    srv = make_server("127.0.0.1", port, app, threaded=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    wait_for_port(port)
    return port, lambda: (srv.shutdown(), t.join(10))


def _serve_asgi(verifier):
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from signwire.asgi import SignwireMiddleware

    async def pay(request):
        return JSONResponse({"key_id": request.scope["signwire.key_id"]})

    app = Starlette(routes=[Route("/v1/pay", pay, methods=["POST"])])
    app.add_middleware(SignwireMiddleware, verifier=verifier, public_origin="https://api.example.com")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    wait_for_port(port)
    return port, lambda: (setattr(server, "should_exit", True), t.join(10))


def test_two_servers_share_one_sqlite_store_over_http(tmp_path, caplog):
    """A request accepted by the Flask app is refused when replayed to the Starlette app."""
    db = f"sqlite:///{tmp_path}/shared.db"
    wsgi_port, stop_wsgi = _serve_wsgi(signwire.Verifier("hopnow", keys={"k1": SECRET}, nonce_store=db))
    asgi_verifier = signwire.Verifier("hopnow", keys={"k1": SECRET}, nonce_store=db)
    asgi_port, stop_asgi = _serve_asgi(asgi_verifier)
    try:
        s = requests.Session()
        req = s.prepare_request(requests.Request("POST", "https://api.example.com/v1/pay", data=b'{"a":1}',
                                                 auth=SignwireAuth("hopnow", key_id="k1", secret=SECRET)))
        req.url = f"http://127.0.0.1:{wsgi_port}/v1/pay"
        assert s.send(req, timeout=10).json() == {"key_id": "k1"}
        req.url = f"http://127.0.0.1:{asgi_port}/v1/pay"
        with caplog.at_level(logging.WARNING, logger="signwire"):
            assert s.send(req, timeout=10).status_code == 401
        assert any("SIGNWIRE_ERR_NONCE_REPLAYED" in r.getMessage() for r in caplog.records)
    finally:
        stop_wsgi()
        stop_asgi()


def test_ip_allowlist_behind_a_trusted_proxy_over_http(caplog):
    strict = signwire.Verifier("hopnow", keys={"k1": SECRET}, allowed_ips=["10.0.0.0/8"])
    proxied = signwire.Verifier("hopnow", keys={"k1": SECRET}, allowed_ips=["10.0.0.0/8"], trusted_proxies=["127.0.0.1"])
    port_strict, stop_strict = _serve_wsgi(strict)
    port_proxied, stop_proxied = _serve_asgi(proxied)
    auth = SignwireAuth("hopnow", key_id="k1", secret=SECRET)
    try:
        for port, expect in ((port_strict, 401), (port_proxied, 200)):
            s = requests.Session()
            req = s.prepare_request(requests.Request("POST", "https://api.example.com/v1/pay", data=b"{}", auth=auth,
                                                     headers={"X-Forwarded-For": "10.20.30.40"}))
            req.url = f"http://127.0.0.1:{port}/v1/pay"
            with caplog.at_level(logging.WARNING, logger="signwire"):
                assert s.send(req, timeout=10).status_code == expect
        assert any("SIGNWIRE_ERR_IP_NOT_ALLOWED" in r.getMessage() for r in caplog.records)
    finally:
        stop_strict()
        stop_proxied()


def test_asgi_offloads_verification_for_shared_stores(tmp_path):
    from signwire.asgi import SignwireMiddleware

    async def app(scope, receive, send):
        pass

    assert SignwireMiddleware(app, signwire.Verifier("hopnow", nonce_store=f"sqlite:///{tmp_path}/o.db")).offload
    assert not SignwireMiddleware(app, signwire.Verifier("hopnow")).offload
    assert os.path.exists(tmp_path / "o.db")
