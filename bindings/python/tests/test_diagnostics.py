"""Diagnosing "Invalid signature": a proxy mismatch reproduced end to end.

The client signs the public URL; the application behind a proxy sees an internal one. The
server's diagnostic line (from the WSGI middleware's log) and the client's `signwire
explain` output go to two files, and `signwire diff` names the URL. Expected strings are
the URLs themselves and Python's hashlib; nothing is taken from signwire's own output.
"""

from __future__ import annotations

import hashlib
import io
import logging
import subprocess
import time

import pytest

import signwire
from signwire.wsgi import SignwireMiddleware

SECRET = "proxy-test-secret"
PUBLIC = "https://api.example.com/v1/pay?b=2&a=1"
INTERNAL = "http://10.0.0.5:8080/v1/pay?b=2&a=1"
BODY = b'{"amount":100,"note":"never in a log"}'


def digest(body: bytes) -> str:
    return f"len:{len(body)},sha256:{hashlib.sha256(body).hexdigest()[:16]}"


def wsgi_call(app, headers, *, host="10.0.0.5:8080", body=BODY):
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/v1/pay",
        "QUERY_STRING": "b=2&a=1",
        "RAW_URI": "/v1/pay?b=2&a=1",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": host,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    seen = {}

    def start_response(status, hdrs):
        seen["status"], seen["headers"] = status, dict(hdrs)

    out = b"".join(app(env, start_response))
    return seen["status"], seen["headers"], out


def test_proxy_mismatch_is_named_by_signwire_diff(cli, tmp_path, caplog):
    body_file = tmp_path / "body"
    body_file.write_bytes(BODY)
    explain = subprocess.run(
        [cli, "explain", "--scheme", "hopnow", "--key-id", "k1", "--secret-env", "S", "--method", "POST",
         "--url", PUBLIC, "--body-file", str(body_file)],
        env={"S": SECRET}, capture_output=True, text=True, check=True,
    ).stdout
    # The existing explain output stays; the fingerprint block is added.
    assert "signature:" in explain and "payload (" in explain
    headers = dict(line.split(": ", 1) for line in explain.splitlines() if line.startswith("X-"))
    assert set(headers) == {"X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"}
    fp_line = [l for l in explain.splitlines() if l.startswith("signwire-fp ")][0]
    assert f"url={PUBLIC}" in fp_line and f"body={digest(BODY)}" in fp_line
    assert "never in a log" not in explain.split("headers:")[1], "the body is only fingerprinted"
    assert SECRET not in explain and headers["X-Signature"] not in fp_line

    verifier = signwire.Verifier("hopnow", keys={"k1": SECRET}, diagnostics=True)
    app = SignwireMiddleware(lambda e, sr: (sr("200 OK", []), [b"paid"])[1], verifier)  # no public_origin: the bug
    with caplog.at_level(logging.WARNING, logger="signwire"):
        status, resp_headers, out = wsgi_call(app, headers)
    assert status == "401 Unauthorized"
    assert b"signwire-fp" not in out and "signwire-fp" not in str(resp_headers), "nothing for the client"
    server_log = "\n".join(r.getMessage() for r in caplog.records)
    assert "reason=SIGNWIRE_ERR_BAD_SIGNATURE" in server_log
    assert f"url={INTERNAL}" in server_log
    assert SECRET not in server_log and headers["X-Signature"] not in server_log and "never in a log" not in server_log

    (tmp_path / "client.txt").write_text(explain)
    (tmp_path / "server.log").write_text(server_log)
    d = subprocess.run([cli, "diff", str(tmp_path / "client.txt"), str(tmp_path / "server.log")], capture_output=True, text=True)
    assert d.returncode == 1, d.stderr
    assert d.stdout.strip() == f"URL: client signed {PUBLIC}, server rebuilt {INTERNAL}"
    assert signwire.diff(explain, server_log) == d.stdout.strip()

    # With public_origin set, the same request passes.
    fixed = SignwireMiddleware(lambda e, sr: (sr("200 OK", []), [b"paid"])[1], verifier, public_origin="https://api.example.com")
    assert wsgi_call(fixed, headers)[0] == "200 OK"


def test_python_explain_matches_the_cli_and_names_body_changes(tmp_path):
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    sent = signer.sign("POST", PUBLIC, BODY)
    client = signwire.explain("hopnow", "POST", PUBLIC, sent, body=BODY)
    assert client.startswith("signwire-fp scheme=hopnow key_id=k1 method=POST ")
    assert f"timestamp={sent['X-Timestamp']}" in client and f"nonce={sent['X-Nonce']}" in client
    v = signwire.Verifier("hopnow", keys={"k1": SECRET}, diagnostics=True)
    reserialised = b'{"amount": 100, "note": "never in a log"}'
    with pytest.raises(signwire.BadSignature) as e:
        v.verify("POST", PUBLIC, sent, body=reserialised)
    assert signwire.diff(client, e.value.diagnostic) == (
        f"Body: client signed {digest(BODY)}, server received {digest(reserialised)} (a framework or proxy changed the raw body)"
    )
    # A wrong secret: every component matches and the diff says so.
    other = signwire.Verifier("hopnow", keys={"k1": "another-secret-entirely"}, diagnostics=True)
    with pytest.raises(signwire.BadSignature) as e:
        other.verify("POST", PUBLIC, sent, body=BODY)
    assert signwire.diff(client, e.value.diagnostic).startswith("Secret: every signed component matches")
    # Diagnostics are off by default.
    with pytest.raises(signwire.BadSignature) as e:
        signwire.Verifier("hopnow", keys={"k1": SECRET}).verify("POST", PUBLIC, sent, body=b"x")
    assert e.value.diagnostic is None


def test_stale_timestamp_gets_server_time_header_only_when_enabled():
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    old = int(time.time()) - 3600
    headers = signer.sign("POST", PUBLIC, BODY, timestamp=old)
    v = signwire.Verifier("hopnow", keys={"k1": SECRET}, diagnostics=True)
    on = SignwireMiddleware(lambda e, sr: [b""], v, public_origin="https://api.example.com", server_time_header=True)
    before = int(time.time())
    status, h, _ = wsgi_call(on, headers)
    after = int(time.time())
    assert status == "401 Unauthorized"
    assert before <= int(h["x-server-time"]) <= after
    off = SignwireMiddleware(lambda e, sr: [b""], v, public_origin="https://api.example.com")
    status, h, _ = wsgi_call(off, signer.sign("POST", PUBLIC, BODY, timestamp=old))
    assert status == "401 Unauthorized" and "x-server-time" not in {k.lower() for k in h}
    # Only timestamp failures reveal the clock: a bad signature does not.
    fresh = signer.sign("POST", PUBLIC, BODY)
    fresh["X-Signature"] = "0" * 64
    status, h, _ = wsgi_call(on, fresh)
    assert status == "401 Unauthorized" and "x-server-time" not in {k.lower() for k in h}


def test_asgi_server_time_header():
    import asyncio

    from signwire.asgi import SignwireMiddleware as Asgi

    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    future = int(time.time()) + 3600
    headers = signer.sign("POST", PUBLIC, BODY, timestamp=future)
    v = signwire.Verifier("hopnow", keys={"k1": SECRET})
    app = Asgi(lambda s, r, snd: None, v, public_origin="https://api.example.com", server_time_header=True)
    sent = []

    async def receive():
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(m):
        sent.append(m)

    scope = {"type": "http", "method": "POST", "path": "/v1/pay", "raw_path": b"/v1/pay", "query_string": b"b=2&a=1",
             "scheme": "http", "server": ("10.0.0.5", 8080),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    assert start["status"] == 401
    assert abs(int(dict(start["headers"])[b"x-server-time"]) - time.time()) < 5
