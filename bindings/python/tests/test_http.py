"""Real HTTP: requests + SignwireAuth against Flask (WSGI) and Starlette (ASGI via uvicorn)
apps protected by the middlewares, each server on a free loopback port in a thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time

import pytest
import requests
from conftest import free_port, wait_for_port

import signwire
from signwire.requests_auth import SignwireAuth

SECRET = b"http-test-secret"
PUBLIC = "https://api.example.com"


# --- servers ---------------------------------------------------------------------------


def flask_app():
    from flask import Flask, request

    app = Flask("signwire-test")

    @app.route("/v1/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
    def echo(rest):
        raw = request.get_data()
        return {
            "key_id": request.environ.get("signwire.key_id"),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "json": request.get_json(silent=True),
            "path": request.full_path,
        }

    return app


def starlette_app():
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def echo(request: Request):
        raw = await request.body()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return JSONResponse(
            {
                "key_id": request.scope.get("signwire.key_id"),
                "state_key_id": getattr(request.state, "signwire_key_id", None),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "json": parsed,
                "path": request.url.path,
            }
        )

    return Starlette(routes=[Route("/v1/{rest:path}", echo, methods=["GET", "POST", "PUT", "DELETE"])])


class WsgiServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        wait_for_port(self.port)

    def stop(self):
        self.server.shutdown()
        self.thread.join(10)


class AsgiServer:
    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        wait_for_port(self.port)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


def make_wsgi(verifier, public_origin=None):
    from signwire.wsgi import SignwireMiddleware

    app = flask_app()
    app.wsgi_app = SignwireMiddleware(app.wsgi_app, verifier, public_origin=public_origin, max_body=1 << 20)
    return WsgiServer(app)


def make_asgi(verifier, public_origin=None):
    from signwire.asgi import SignwireMiddleware

    app = starlette_app()
    app.add_middleware(SignwireMiddleware, verifier=verifier, public_origin=public_origin, max_body=1 << 20)
    return AsgiServer(app)


@pytest.fixture(params=["wsgi-flask", "asgi-starlette"])
def server(request):
    """(base URL, verifier, server) for each framework, with no public_origin."""
    verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
    srv = make_wsgi(verifier) if request.param.startswith("wsgi") else make_asgi(verifier)
    yield f"http://127.0.0.1:{srv.port}", verifier, request.param
    srv.stop()
    verifier.close()


@pytest.fixture
def auth():
    return SignwireAuth("hopnow", key_id="k1", secret=SECRET)


def assert_generic_401(r):
    assert r.status_code == 401
    assert r.json() == {"error": "authentication failed"}
    text = r.text + json.dumps(dict(r.headers))
    assert "SIGNWIRE" not in text and "signature" not in text.lower()


# --- tests -----------------------------------------------------------------------------


def test_valid_request_passes_with_the_exact_bytes(server, auth):
    base, _, _ = server
    payload = {"amount": "100.00", "memo": "Zahlung für Bücher ✓"}
    r = requests.post(f"{base}/v1/payments?x=1&y=%C3%A9", json=payload, auth=auth, timeout=10)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["key_id"] == "k1" and got["json"] == payload
    sent = r.request.body
    assert got["sha256"] == hashlib.sha256(sent).hexdigest()
    if "state_key_id" in got:
        assert got["state_key_id"] == "k1"


def test_get_str_body_and_streamed_body(server, auth):
    base, _, _ = server
    assert requests.get(f"{base}/v1/balance", auth=auth, timeout=10).status_code == 200
    r = requests.put(f"{base}/v1/notes", data="grüße", auth=auth, timeout=10)
    assert r.status_code == 200 and r.json()["sha256"] == hashlib.sha256("grüße".encode()).hexdigest()
    chunks = (c for c in [b"part-1,", b"part-2"])
    r = requests.post(f"{base}/v1/upload", data=chunks, auth=auth, timeout=10)
    assert r.status_code == 200 and r.json()["sha256"] == hashlib.sha256(b"part-1,part-2").hexdigest()


def test_unsigned_request_gets_generic_401(server):
    base, _, _ = server
    assert_generic_401(requests.post(f"{base}/v1/payments", json={"a": 1}, timeout=10))


def test_tampered_body_gets_401(server, auth, caplog):
    base, _, _ = server
    s = requests.Session()
    req = s.prepare_request(requests.Request("POST", f"{base}/v1/payments", json={"amount": 1}, auth=auth))
    req.body = req.body.replace(b"1", b"9")
    with caplog.at_level(logging.WARNING, logger="signwire"):
        assert_generic_401(s.send(req, timeout=10))
    assert any("SIGNWIRE_ERR_BAD_SIGNATURE" in r.getMessage() for r in caplog.records)


def test_replayed_nonce_gets_401(server, auth, caplog):
    base, _, _ = server
    s = requests.Session()
    req = s.prepare_request(requests.Request("POST", f"{base}/v1/payments", json={"amount": 1}, auth=auth))
    assert s.send(req, timeout=10).status_code == 200
    with caplog.at_level(logging.WARNING, logger="signwire"):
        assert_generic_401(s.send(req, timeout=10))
    assert any("SIGNWIRE_ERR_NONCE_REPLAYED" in r.getMessage() for r in caplog.records)


def test_stale_timestamp_gets_401(server, caplog):
    base, _, _ = server
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)

    class StaleAuth(SignwireAuth):
        def __call__(self, r):
            r.headers.update(self.signer.sign(r.method, r.url, r.body or b"", timestamp=time.time() - 301))
            return r

    with caplog.at_level(logging.WARNING, logger="signwire"):
        assert_generic_401(requests.post(f"{base}/v1/payments", data=b"{}", auth=StaleAuth(signer), timeout=10))
    assert any("SIGNWIRE_ERR_TIMESTAMP_TOO_OLD" in r.getMessage() for r in caplog.records)


def test_wrong_secret_and_unknown_key_get_401(server):
    base, _, _ = server
    for auth in (SignwireAuth("hopnow", key_id="k1", secret=b"wrong"), SignwireAuth("hopnow", key_id="k2", secret=SECRET)):
        assert_generic_401(requests.get(f"{base}/v1/balance", auth=auth, timeout=10))


def test_oversized_body_is_refused_before_verification(server, auth):
    base, _, _ = server
    r = requests.post(f"{base}/v1/upload", data=b"x" * ((1 << 20) + 1), auth=auth, timeout=30)
    assert r.status_code == 413


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_public_origin_rebuilds_the_signed_url(kind, auth, caplog):
    """The client signs https://api.example.com/...; a TLS terminator forwards to http://127.0.0.1:PORT."""
    make = make_wsgi if kind == "wsgi" else make_asgi
    verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
    behind = make(verifier, public_origin=PUBLIC)
    naive = make(verifier)
    try:
        for srv, expect in ((behind, 200), (naive, 401)):
            s = requests.Session()
            req = s.prepare_request(requests.Request("POST", f"{PUBLIC}/v1/pay?q=a%20b", data=b'{"a":1}', auth=auth))
            assert req.headers["X-Signature"]
            req.url = f"http://127.0.0.1:{srv.port}/v1/pay?q=a%20b"  # what the proxy sends on
            with caplog.at_level(logging.WARNING, logger="signwire"):
                r = s.send(req, timeout=10)
            assert r.status_code == expect, r.text
        assert r.json() == {"error": "authentication failed"}
        lines = [rec.getMessage() for rec in caplog.records if "401" in rec.getMessage()]
        assert any("set public_origin" in line and f"http://127.0.0.1:{naive.port}/v1/pay?q=a%20b" in line for line in lines), lines
    finally:
        behind.stop()
        naive.stop()
    with pytest.raises(ValueError):
        make_wsgi(verifier, public_origin="https://api.example.com/base")


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_public_origin_named_in_401_log(kind, caplog):
    make = make_wsgi if kind == "wsgi" else make_asgi
    verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
    srv = make(verifier, public_origin=PUBLIC)
    try:
        with caplog.at_level(logging.WARNING, logger="signwire"):
            r = requests.get(f"http://127.0.0.1:{srv.port}/v1/x", auth=SignwireAuth("hopnow", key_id="k1", secret=b"bad"), timeout=10)
        assert r.status_code == 401
        line = next(rec.getMessage() for rec in caplog.records if "401" in rec.getMessage())
        assert f"public_origin {PUBLIC}" in line and f"{PUBLIC}/v1/x" in line and "SIGNWIRE_ERR_BAD_SIGNATURE (8)" in line
    finally:
        srv.stop()


def test_requests_auth_signs_the_prepared_url_and_bytes():
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
    req = requests.Request("POST", "https://api.example.com/v1/p", params={"q": "a b"}, data={"f": "é"}, auth=SignwireAuth(signer)).prepare()
    assert req.url == "https://api.example.com/v1/p?q=a+b"
    assert verifier.verify("POST", req.url, req.headers, req.body) == "k1"
    with pytest.raises(TypeError):
        SignwireAuth(signer, key_id="k1", secret=SECRET)
    with pytest.raises(TypeError):
        SignwireAuth("hopnow", key_id="k1")
