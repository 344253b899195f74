"""Sealed bodies: the jwcrypto-made vectors (tests/vectors/seal/jose-vectors.json), and
encrypt-then-sign over real HTTP: requests seals then signs (SignwireAuth(seal_to=...)), the
WSGI and ASGI middlewares verify then open (open_with=...), the app reads the plaintext.
"""

from __future__ import annotations

import json
import threading

import pytest
import requests
from conftest import VECTORS, free_port, wait_for_port
from joserfc import jwe
from joserfc.jwk import RSAKey

import signwire
from signwire import _native
from signwire.requests_auth import SignwireAuth

DOC = json.loads((VECTORS / "seal" / "jose-vectors.json").read_text())
AES = bytes.fromhex(DOC["keys"]["aes-1"]["aes_hex"])
RSA_PRIVATE = (VECTORS / "seal" / DOC["keys"]["rsa-1"]["rsa_private_pem"]).read_bytes()
RSA_PUBLIC = (VECTORS / "seal" / "rsa2048-public.pem").read_bytes()


@pytest.fixture
def keys():
    return signwire.OpeningKeys(rsa={"rsa-1": RSA_PRIVATE}, shared={"aes-1": AES})


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_jwcrypto_vectors(case, keys):
    if case["expect"] == "ok":
        assert keys.open(case["token"]) == bytes.fromhex(case["plaintext_hex"])
    else:
        with pytest.raises(signwire.errors.exception_for(_native.STATUS[case["expect"]])):
            keys.open(case["token"])


def serve(kind, app_seen, verifier, keys):
    port = free_port()
    if kind == "wsgi":
        from werkzeug.serving import make_server

        from signwire.wsgi import SignwireMiddleware

        def app(environ, start_response):
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            app_seen.append(body)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]

        srv = make_server("127.0.0.1", port, SignwireMiddleware(app, verifier, open_with=keys))
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        stop = srv.shutdown
    else:
        import uvicorn

        from signwire.asgi import SignwireMiddleware

        async def app(scope, receive, send):
            msg = await receive()
            length = dict(scope["headers"]).get(b"content-length")
            assert length is None or int(length) == len(msg["body"])
            app_seen.append(msg["body"])
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"ok"})

        config = uvicorn.Config(SignwireMiddleware(app, verifier, open_with=keys), host="127.0.0.1", port=port,
                                log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        t = threading.Thread(target=server.run, daemon=True)

        def stop():
            server.should_exit = True

    t.start()
    wait_for_port(port)

    def close():
        stop()
        t.join(10)

    return port, close


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_encrypt_then_sign_over_http(kind, keys):
    verifier = signwire.Verifier("hopnow", keys={"k1": b"s3cret"})
    seen = []
    port, close = serve(kind, seen, verifier, keys)
    base = f"http://127.0.0.1:{port}/v1/cards"
    try:
        auth = SignwireAuth("hopnow", key_id="k1", secret=b"s3cret", seal_to=signwire.Recipient.rsa("rsa-1", RSA_PUBLIC))
        r = requests.post(base, json={"card": "4111111111111111"}, auth=auth, timeout=10)
        assert r.status_code == 200 and r.text == "ok"
        sent = r.request.body
        assert r.request.headers["Content-Type"] == "application/jose"
        assert b"4111" not in sent and sent.count(b".") == 4
        # What went over the wire is a standard JWE: joserfc opens it too.
        opened = jwe.decrypt_compact(sent, RSAKey.import_key(RSA_PRIVATE), algorithms=["RSA-OAEP-256", "A256GCM"])
        assert json.loads(opened.plaintext) == {"card": "4111111111111111"}
        assert json.loads(seen[-1]) == {"card": "4111111111111111"}
        # Refused: an unsealed body, and a sealed body whose signature is wrong.
        plain = SignwireAuth("hopnow", key_id="k1", secret=b"s3cret")
        assert requests.post(base, data=b"{}", auth=plain, timeout=10).status_code == 401
        wrong = SignwireAuth("hopnow", key_id="k1", secret=b"wrong", seal_to=signwire.Recipient.shared("aes-1", AES))
        assert requests.post(base, data=b"{}", auth=wrong, timeout=10).status_code == 401
        # Sealed for a key the server does not hold: verified, then refused.
        other = SignwireAuth("hopnow", key_id="k1", secret=b"s3cret", seal_to=signwire.Recipient.shared("aes-2", AES))
        assert requests.post(base, data=b"{}", auth=other, timeout=10).status_code == 401
        # A body-less GET is only verified.
        assert requests.get(base, auth=plain, timeout=10).status_code == 200
        assert len(seen) == 2
    finally:
        close()
