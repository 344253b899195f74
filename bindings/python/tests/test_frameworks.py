"""Framework glue on real servers over loopback, driven by real clients: Flask (view
decorator), FastAPI under uvicorn (dependency, and the middleware's exemptions), Django
(test client: middleware and view decorator), requests and httpx re-signing every retry
and redirect, webhooks checked against the senders' own libraries, the 401's
WWW-Authenticate, one structured log record per refusal, Prometheus counters, and the
argument errors. Expected signatures come from Python's hmac, standardwebhooks and stripe.
"""

import base64
import hashlib
import hmac
import json
import logging
import threading
import time

import pytest
import requests
from conftest import free_port, wait_for_port
from test_http import AsgiServer, WsgiServer
from urllib3.util.retry import Retry

import signwire
from signwire.requests_auth import SignwireAuth, session

SECRET = b"framework-test-secret"
PUBLIC = "https://api.example.com"


@pytest.fixture
def signer():
    with signwire.Signer("hopnow", key_id="k1", secret=SECRET) as s:
        yield s


@pytest.fixture
def verifier():
    with signwire.Verifier("hopnow", keys={"k1": SECRET}) as v:
        yield v


def hopnow_mac(method: str, url: str, headers, body: bytes) -> str:
    """The HopNow signature computed independently with Python's hmac."""
    payload = method.encode() + url.encode() + headers["X-Timestamp"].encode() + headers["X-Nonce"].encode() + body
    return hmac.new(SECRET, payload, hashlib.sha256).hexdigest()


def assert_401(r):
    assert r.status_code == 401
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith('Signwire realm="api", scheme="hopnow"'), challenge
    assert "signature" not in (r.text + challenge).lower()
    return challenge


# --- Flask: one protected view, one open --------------------------------------------------


def flask_app(verifier, **options):
    from flask import Flask, g, request

    from signwire.flask import signature_required

    app = Flask("signwire-frameworks")
    signed = signature_required(verifier, **options)

    @app.post("/v1/<path:rest>")
    @signed
    def pay(rest):
        return {"key_id": g.signwire_key_id, "json": request.get_json(), "sha256": hashlib.sha256(request.get_data()).hexdigest()}

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def test_flask_view_decorator_protects_one_route(verifier, signer):
    srv = WsgiServer(flask_app(verifier))
    try:
        base = f"http://127.0.0.1:{srv.port}"
        auth = SignwireAuth(signer)
        # Targets that Werkzeug's request.url re-encodes: verified as sent.
        for path in ("/v1/pay?x=%2F", "/v1/caf%C3%A9", "/v1/pay?a=1&b=%20"):
            r = requests.post(base + path, json={"amount": 100}, auth=auth, timeout=10)
            assert r.status_code == 200, (path, r.text)
            assert r.json()["key_id"] == "k1" and r.json()["json"] == {"amount": 100}
            assert r.json()["sha256"] == hashlib.sha256(r.request.body).hexdigest()
            # The signature the client sent is HopNow's, computed by hmac over the URL sent.
            assert r.request.headers["X-Signature"] == hopnow_mac("POST", r.request.url, r.request.headers, r.request.body)
        assert requests.get(base + "/healthz", timeout=10).text == "ok"
        assert_401(requests.post(base + "/v1/pay", json={"amount": 100}, timeout=10))
    finally:
        srv.stop()


# --- FastAPI under uvicorn: dependency, and middleware with exemptions ---------------------


def fastapi_app(verifier, with_middleware: bool):
    from fastapi import Depends, FastAPI, Request

    from signwire.asgi import SignatureRequired, SignwireMiddleware

    app = FastAPI()
    if with_middleware:
        app.add_middleware(SignwireMiddleware, verifier=verifier, exempt=["/healthz", "/docs*", "/openapi.json"])
        signed = None
    else:
        signed = SignatureRequired(verifier)

    async def key_id(request: Request) -> str:
        if signed is not None:
            return await signed(request)
        return request.scope["signwire.key_id"]

    @app.post("/v1/pay")
    async def pay(request: Request, who: str = Depends(key_id)):
        body = await request.body()
        return {"key_id": who, "json": await request.json(), "sha256": hashlib.sha256(body).hexdigest()}

    @app.get("/healthz")
    async def healthz():
        return {"ok": True}

    return app


@pytest.mark.parametrize("with_middleware", [False, True], ids=["dependency", "middleware-exempt"])
def test_fastapi_protected_and_exempt_routes(verifier, signer, with_middleware):
    srv = AsgiServer(fastapi_app(verifier, with_middleware))
    try:
        base = f"http://127.0.0.1:{srv.port}"
        auth = SignwireAuth(signer)
        r = requests.post(base + "/v1/pay?q=%2F", json={"amount": 7}, auth=auth, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["key_id"] == "k1" and r.json()["json"] == {"amount": 7}
        assert r.json()["sha256"] == hashlib.sha256(r.request.body).hexdigest()
        assert requests.get(base + "/healthz", timeout=10).json() == {"ok": True}
        assert requests.get(base + "/openapi.json", timeout=10).status_code == 200
        assert requests.get(base + "/docs", timeout=10).status_code == 200
        assert_401(requests.post(base + "/v1/pay", json={"amount": 7}, timeout=10))
        # The same signed request twice: the second is a replay.
        prepared = requests.Request("POST", base + "/v1/pay", json={"amount": 7}, auth=auth).prepare()
        with requests.Session() as s:
            assert s.send(prepared, timeout=10).status_code == 200
            assert_401(s.send(prepared, timeout=10))
    finally:
        srv.stop()


# --- Django: test client, middleware with an exemption, and the view decorator ------------


@pytest.fixture(scope="module")
def django_urls():
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            SECRET_KEY="django-test-key-not-a-signwire-secret",
            MIDDLEWARE=[],
            SIGNWIRE_VERIFIER=None,
        )
        django.setup()
    return settings


urlpatterns: list = []


def test_django_middleware_and_decorator(django_urls, signer):
    from django.http import HttpResponse, JsonResponse
    from django.test import Client, override_settings
    from django.urls import path

    from signwire.django import signature_required

    def pay(request):
        return JsonResponse({"key_id": request.signwire_key_id, "json": json.loads(request.body)})

    def healthz(request):
        return HttpResponse("ok")

    v = signwire.Verifier("hopnow", keys={"k1": SECRET})
    decorated_v = signwire.Verifier("hopnow", keys={"k1": SECRET})
    urlpatterns[:] = [
        path("v1/pay", pay),
        path("healthz", healthz),
        path("v2/pay", signature_required(verifier=decorated_v)(pay)),
    ]
    body = json.dumps({"amount": 3}).encode()
    # Django's test client serves http://testserver.
    for mw, url in ((["signwire.django.SignwireMiddleware"], "/v1/pay?x=%2F"), ([], "/v2/pay?x=%2F")):
        with override_settings(MIDDLEWARE=mw, SIGNWIRE_VERIFIER=v, SIGNWIRE_OPTIONS={"exempt": ["/healthz"]}):
            client = Client()
            headers = signer.sign("POST", "http://testserver" + url, body)
            r = client.post(url, data=body, content_type="application/json", headers=headers)
            assert r.status_code == 200, r.content
            assert r.json() == {"key_id": "k1", "json": {"amount": 3}}
            r = client.post(url, data=body, content_type="application/json", headers=headers)
            assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Signwire ")
            assert client.get("/healthz").content == b"ok"
            r = client.post(url, data=body, content_type="application/json")
            assert r.status_code == 401 and json.loads(r.content) == {"error": "authentication failed"}
    v.close()
    decorated_v.close()


# --- requests and httpx: every retry and redirect re-signed --------------------------------


class FlakyApp:
    """A WSGI app behind SignwireMiddleware: the first `fail` verified attempts get 503,
    then 200; /old redirects to /v1/pay. Records each verified attempt's nonce."""

    def __init__(self, fail: int):
        self.fail = fail
        self.nonces: list = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/old":
            start_response("307 Temporary Redirect", [("Location", "/v1/pay"), ("Content-Length", "0")])
            return [b""]
        with self.lock:
            self.nonces.append(environ["HTTP_X_NONCE"])
            n = len(self.nonces)
        if n <= self.fail:
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        body = json.dumps({"attempt": n, "key_id": environ["signwire.key_id"]}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def flaky_server(fail: int):
    from signwire.wsgi import SignwireMiddleware

    app = FlakyApp(fail)
    verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
    srv = WsgiServer(SignwireMiddleware(app, verifier, exempt=["/old"]))
    return srv, app, verifier


RETRY = dict(total=3, backoff_factor=0.01, status_forcelist=[503], allowed_methods=None)


def test_requests_retry_resigns_every_attempt(signer):
    srv, app, verifier = flaky_server(fail=2)
    try:
        url = f"http://127.0.0.1:{srv.port}/v1/pay"
        with session(signer, retries=Retry(**RETRY)) as s:
            r = s.post(url, json={"amount": 1}, timeout=10)
        assert r.status_code == 200 and r.json() == {"attempt": 3, "key_id": "k1"}
        assert len(app.nonces) == 3 and len(set(app.nonces)) == 3
    finally:
        srv.stop()
        verifier.close()


def test_requests_plain_retry_replays_the_nonce_control(signer):
    """The control: urllib3's own Retry resends the same signed headers, refused as a replay."""
    srv, app, verifier = flaky_server(fail=1)
    try:
        url = f"http://127.0.0.1:{srv.port}/v1/pay"
        with requests.Session() as s:
            s.mount("http://", requests.adapters.HTTPAdapter(max_retries=Retry(**RETRY)))
            r = s.post(url, json={"amount": 1}, auth=SignwireAuth(signer), timeout=10)
        assert r.status_code == 401 and len(app.nonces) == 1
    finally:
        srv.stop()
        verifier.close()


def test_requests_redirect_is_resigned(signer):
    srv, app, verifier = flaky_server(fail=0)
    try:
        base = f"http://127.0.0.1:{srv.port}"
        with session(signer) as s:
            r = s.post(base + "/old", json={"amount": 1}, timeout=10)
        assert r.status_code == 200 and [h.status_code for h in r.history] == [307]
        assert r.request.url == base + "/v1/pay"
        assert r.request.headers["X-Signature"] == hopnow_mac("POST", base + "/v1/pay", r.request.headers, r.request.body)
    finally:
        srv.stop()
        verifier.close()


def test_httpx_retry_and_redirect_resigned(signer):
    from signwire.httpx_auth import client

    srv, app, verifier = flaky_server(fail=2)
    try:
        base = f"http://127.0.0.1:{srv.port}"
        with client(signer, retries=3, follow_redirects=True, timeout=10) as c:
            c.auth.backoff = 0.01
            r = c.post(base + "/old", json={"amount": 1})
        assert r.status_code == 200 and r.json()["attempt"] == 3
        assert len(set(app.nonces)) == 3
    finally:
        srv.stop()
        verifier.close()


# --- webhooks against the senders' own libraries -----------------------------------------


def test_webhooks_standard_and_stripe():
    import standardwebhooks
    import stripe

    from signwire.webhooks import Webhook, construct_event

    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    event = {"type": "payment.done", "id": 7}
    body = json.dumps(event)
    now = int(time.time())
    import datetime as dt

    sig = standardwebhooks.Webhook(secret).sign("msg_42", dt.datetime.fromtimestamp(now, dt.timezone.utc), body)
    headers = {"webhook-id": "msg_42", "webhook-timestamp": str(now), "webhook-signature": sig}
    hook = Webhook(secret)
    assert hook.verify(body.encode(), headers) == event
    with pytest.raises(signwire.NonceReplayed):
        hook.verify(body.encode(), headers)
    with pytest.raises(signwire.BadSignature) as e:
        Webhook(secret).verify(body.encode() + b" ", headers)
    assert e.value.payload == body.encode() + b" "
    assert e.value.context["headers"]["webhook-signature"] == "<not logged>"
    assert e.value.context["headers"]["webhook-id"] == "msg_42" and e.value.key_id is None

    stripe_secret = "whsec_stripe_test"
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "charge.succeeded"})
    mac = stripe.WebhookSignature._compute_signature(f"{now}.{payload}", stripe_secret)
    sig_header = f"t={now},v1={mac}"
    assert stripe.Webhook.construct_event(payload, sig_header, stripe_secret)["type"] == "charge.succeeded"
    assert construct_event(payload.encode(), sig_header, stripe_secret)["type"] == "charge.succeeded"
    with pytest.raises(signwire.BadSignature):
        construct_event(payload.encode(), sig_header, "whsec_other")


# --- 401 headers, structured logs, counters, argument errors -------------------------------


def wsgi_call(app, headers, body=b"{}"):
    import io

    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/v1/pay", "RAW_URI": "/v1/pay", "wsgi.input": io.BytesIO(body),
           "CONTENT_LENGTH": str(len(body)), "wsgi.url_scheme": "https", "HTTP_HOST": "api.example.com",
           "REMOTE_ADDR": "192.0.2.7"}
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    got = {}
    out = app(env, lambda s, h: got.update(status=s, headers=dict(h)))
    return got["status"], got["headers"], b"".join(out)


def test_stale_timestamp_challenge_carries_server_time_and_one_log_record(signer, verifier, caplog):
    from signwire.wsgi import SignwireMiddleware

    mw = SignwireMiddleware(lambda e, sr: [b""], verifier)
    old = int(time.time()) - 3600
    sent = signer.sign("POST", PUBLIC + "/v1/pay", b"{}", timestamp=old)
    before = int(time.time())
    with caplog.at_level(logging.WARNING, logger="signwire"):
        status, headers, _ = wsgi_call(mw, sent)
    assert status == "401 Unauthorized"
    challenge = headers["www-authenticate"]
    server_time = int(challenge.split('server_time="')[1].split('"')[0])
    assert before <= server_time <= int(time.time()) and 'error="stale_timestamp"' in challenge
    records = [r for r in caplog.records if r.name == "signwire"]
    assert len(records) == 1
    fields = records[0].signwire
    assert fields["status"] == "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD" and fields["key_id"] == "k1"
    assert fields["client"] == "192.0.2.7" and fields["scheme"] == "hopnow"
    logged = records[0].getMessage() + json.dumps(fields)
    assert sent["X-Signature"] not in logged and SECRET.decode() not in logged
    # A bad signature's challenge has no clock.
    bad = dict(signer.sign("POST", PUBLIC + "/v1/pay", b"{}"), **{"X-Signature": "0" * 64})
    assert "server_time" not in wsgi_call(mw, bad)[1]["www-authenticate"]


def test_prometheus_counters_by_status_and_key_id(signer, verifier):
    from prometheus_client import CollectorRegistry

    from signwire.prometheus import Metrics
    from signwire.wsgi import SignwireMiddleware

    registry = CollectorRegistry()
    mw = SignwireMiddleware(lambda e, sr: (sr("200 OK", []), [b"ok"])[1], verifier, metrics=Metrics(registry))
    url = PUBLIC + "/v1/pay"
    assert wsgi_call(mw, signer.sign("POST", url, b"{}"))[0] == "200 OK"
    sent = signer.sign("POST", url, b"{}")
    wsgi_call(mw, sent)
    wsgi_call(mw, sent)  # replay
    invented = dict(signer.sign("POST", url, b"{}"), **{"X-API-Key": "made-up-by-client"})
    wsgi_call(mw, invented)

    def count(status, key_id):
        return registry.get_sample_value("signwire_verifications_total", {"status": status, "key_id": key_id})

    assert count("SIGNWIRE_OK", "k1") == 2
    assert count("SIGNWIRE_ERR_NONCE_REPLAYED", "k1") == 1
    assert count("SIGNWIRE_ERR_UNKNOWN_KEY", "unknown") == 1
    assert count("SIGNWIRE_ERR_UNKNOWN_KEY", "made-up-by-client") is None


def test_wrong_argument_types_fail_like_the_standard_library():
    with pytest.raises(TypeError, match="key id 'k1'.*NoneType"):
        signwire.Verifier("hopnow", keys={"k1": None})
    with pytest.raises(ValueError, match="key id 'k1'.*empty"):
        signwire.Verifier("hopnow", keys={"k1": []})
    with pytest.raises(TypeError, match="key id 'k1'.*int"):
        signwire.Verifier("hopnow", keys={"k1": [b"ok-secret-ok-secret", 5]})
    with pytest.raises(TypeError, match="mapping"):
        signwire.Verifier("hopnow", keys=[("k1", b"s")])


def test_exception_context_for_server_logs(signer, verifier):
    sent = signer.sign("POST", PUBLIC, b"{}")
    with pytest.raises(signwire.BadSignature) as e:
        verifier.verify("POST", PUBLIC, sent, body=b"{ }")
    ctx = e.value.context
    assert e.value.key_id == "k1"
    assert ctx["headers"] == {"X-API-Key": "k1", "X-Signature": "<not logged>", "X-Timestamp": sent["X-Timestamp"], "X-Nonce": sent["X-Nonce"]}


def test_path_filter_never_exempts_dot_segments(verifier, signer):
    from signwire.wsgi import SignwireMiddleware

    reached = []
    mw = SignwireMiddleware(lambda e, sr: (reached.append(e["PATH_INFO"]), sr("200 OK", []), [b""])[2], verifier, exempt=["/docs*"])
    import io

    for path, open_ in (("/docs/index", True), ("/docs/../v1/pay", False), ("/docs/%2F..", False)):
        env = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "HTTP_HOST": "h"}
        got = {}
        mw(env, lambda s, h: got.update(status=s))
        assert (got["status"] == "200 OK") is open_, path
