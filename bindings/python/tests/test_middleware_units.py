"""Middleware edge cases driven directly through the WSGI and ASGI protocols."""

from __future__ import annotations

import asyncio
import io

import pytest

import signwire
from signwire.asgi import SignwireMiddleware as AsgiMiddleware
from signwire.wsgi import SignwireMiddleware as WsgiMiddleware

SECRET = b"unit-secret"


@pytest.fixture
def pair():
    return signwire.Signer("hopnow", key_id="k1", secret=SECRET), signwire.Verifier("hopnow", keys={"k1": SECRET})


def wsgi_call(mw, environ):
    seen = {}
    out = b"".join(mw(environ, lambda status, headers: seen.update(status=status, headers=headers)))
    return seen["status"], out


def environ_for(signed, method="POST", target="/v1/p?x=%2F", body=b"{}", **extra):
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/v1/p",
        "QUERY_STRING": "x=%2F",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "10.0.0.5:8000",
        "SERVER_NAME": "10.0.0.5",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "192.0.2.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    if target is not None:
        env["REQUEST_URI"] = target
    for k, v in signed.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    env.update(extra)
    return env


def test_wsgi_passes_raw_body_and_key_id(pair):
    signer, verifier = pair
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read()
        seen["key_id"] = environ["signwire.key_id"]
        start_response("200 OK", [])
        return [b"ok"]

    mw = WsgiMiddleware(app, verifier)
    body = b'{"b": 1,  "a": 2}'
    signed = signer.sign("POST", "http://10.0.0.5:8000/v1/p?x=%2F", body)
    assert wsgi_call(mw, environ_for(signed, body=body)) == ("200 OK", b"ok")
    assert seen == {"body": body, "key_id": "k1"}


def test_wsgi_without_request_uri_requotes_the_decoded_path(pair):
    signer, verifier = pair
    mw = WsgiMiddleware(lambda e, sr: (sr("200 OK", []), [b"ok"])[1], verifier, public_origin="https://api.example.com")
    signed = signer.sign("POST", "https://api.example.com/v1/p?x=%2F", b"{}")
    assert wsgi_call(mw, environ_for(signed, target=None))[0] == "200 OK"


def test_wsgi_short_body_and_bad_length(pair):
    signer, verifier = pair
    mw = WsgiMiddleware(lambda e, sr: [b"app"], verifier)
    signed = signer.sign("POST", "http://10.0.0.5:8000/v1/p?x=%2F", b"{}")
    env = environ_for(signed, CONTENT_LENGTH="10")  # announces more than it sends
    assert wsgi_call(mw, env)[0] == "400 Bad Request"
    assert wsgi_call(mw, environ_for(signed, CONTENT_LENGTH="-1"))[0] == "400 Bad Request"
    chunked = environ_for(signed, CONTENT_LENGTH="", **{"wsgi.input_terminated": True})
    assert wsgi_call(WsgiMiddleware(lambda e, sr: (sr("200 OK", []), [b"ok"])[1], verifier), chunked)[0] == "200 OK"


def asgi_run(mw, scope, messages):
    sent = []
    queue = list(messages)

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(mw(scope, receive, send))
    return sent


def http_scope(signed, path="/v1/p", query=b"x=%2F", method="POST"):
    headers = [(b"host", b"10.0.0.5:8000")] + [(k.lower().encode(), v.encode()) for k, v in signed.items()]
    return {"type": "http", "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query, "headers": headers, "client": ("192.0.2.1", 5000), "server": ("10.0.0.5", 8000)}


def test_asgi_body_in_several_messages_is_replayed_whole(pair):
    signer, verifier = pair
    got = {}

    async def app(scope, receive, send):
        m = await receive()
        got.update(body=m["body"], more=m["more_body"], key_id=scope["signwire.key_id"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    body = b'{"x": [1, 2, 3]}'
    signed = signer.sign("POST", "http://10.0.0.5:8000/v1/p?x=%2F", body)
    msgs = [{"type": "http.request", "body": body[:5], "more_body": True}, {"type": "http.request", "body": body[5:]}]
    sent = asgi_run(AsgiMiddleware(app, verifier), http_scope(signed), msgs)
    assert sent[0]["status"] == 204 and got == {"body": body, "more": False, "key_id": "k1"}


def test_asgi_rejects_websocket_without_signature_and_passes_lifespan(pair):
    signer, verifier = pair
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    mw = AsgiMiddleware(app, verifier)
    scope = http_scope({}, method="GET")
    scope.update(type="websocket", scheme="ws")
    assert asgi_run(mw, scope, []) == [{"type": "websocket.close", "code": 1008}]
    good = http_scope(signer.sign("GET", "ws://10.0.0.5:8000/v1/p?x=%2F"), method="GET")
    good.update(type="websocket", scheme="ws")
    asgi_run(mw, good, [])
    asgi_run(mw, {"type": "lifespan"}, [])
    assert calls == ["websocket", "lifespan"]


def test_asgi_client_disconnect_and_limits(pair):
    signer, verifier = pair

    async def app(scope, receive, send):
        raise AssertionError("must not be reached")

    mw = AsgiMiddleware(app, verifier, max_body=4)
    signed = signer.sign("POST", "http://10.0.0.5:8000/v1/p?x=%2F", b"12345")
    assert asgi_run(mw, http_scope(signed), []) == []  # disconnected before the body
    sent = asgi_run(mw, http_scope(signed), [{"type": "http.request", "body": b"12345"}])
    assert sent[0]["status"] == 413
    scope = http_scope(signed)
    scope["headers"].append((b"content-length", b"abc"))
    assert asgi_run(AsgiMiddleware(app, verifier), scope, [])[0]["status"] == 400


def test_constructor_arguments_are_checked(pair):
    _, verifier = pair
    with pytest.raises(TypeError):
        WsgiMiddleware(lambda e, s: [], "not a verifier")
    with pytest.raises(ValueError):
        AsgiMiddleware(lambda s, r, se: None, verifier, public_origin="api.example.com")
    with pytest.raises(ValueError):
        WsgiMiddleware(lambda e, s: [], verifier, max_body=-1)
