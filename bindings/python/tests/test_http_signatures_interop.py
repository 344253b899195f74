"""RFC 9421 interoperability, both ways, with implementations nobody here wrote.

signwire signs random requests and the ``http-message-signatures`` package (pyauth) and
``requests-http-signature`` verify them; they sign and signwire verifies. Every algorithm
that both sides implement is covered, with fresh keys from ``cryptography`` each run and
Content-Digest computed by ``hashlib``. Tampering with a covered part is refused by both
sides.

(pyauth's verifier does not read Content-Digest at all, so a changed body is only a test for
signwire and requests-http-signature, which check the digest against the body.)
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import random
import string
import time
import urllib.parse
from typing import Dict, List, Tuple

import pytest

pytest.importorskip("http_message_signatures")
pytest.importorskip("requests_http_signature")

import requests  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa  # noqa: E402
from http_message_signatures import (  # noqa: E402
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from requests_http_signature import HTTPSignatureAuth  # noqa: E402

import signwire  # noqa: E402

ROUNDS = 12
TAG = "interop"
COMPONENTS = ["@method", "@authority", "@target-uri", "@path", "@query", "content-type", "content-digest"]


def _pem_private(key) -> bytes:  # type: ignore[no-untyped-def]
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _pem_public(key) -> bytes:  # type: ignore[no-untyped-def]
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _keys(alg: str) -> Tuple[bytes, bytes]:
    """(private, public) for an algorithm; the same bytes for HMAC."""
    if alg == "hmac-sha256":
        secret = random.randbytes(32)
        return secret, secret
    key = {
        "ed25519": lambda: ed25519.Ed25519PrivateKey.generate(),
        "ecdsa-p256-sha256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ecdsa-p384-sha384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "rsa-pss-sha512": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }[alg]()
    return _pem_private(key), _pem_public(key)


PYAUTH_ALG = {
    "hmac-sha256": algorithms.HMAC_SHA256,
    "ed25519": algorithms.ED25519,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "ecdsa-p384-sha384": algorithms.ECDSA_P384_SHA384,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
}
ALGS = list(PYAUTH_ALG)


class Resolver(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, private: bytes, public: bytes) -> None:
        self.key_id, self.private, self.public = key_id, private, public

    def resolve_public_key(self, key_id: str):  # type: ignore[no-untyped-def]
        if key_id != self.key_id:
            raise KeyError(key_id)
        return self.public

    def resolve_private_key(self, key_id: str):  # type: ignore[no-untyped-def]
        if key_id != self.key_id:
            raise KeyError(key_id)
        return self.private


def _token(n: int) -> str:
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def _random_request() -> Tuple[str, str, bytes, Dict[str, str], str]:
    method = random.choice(["GET", "POST", "PUT", "PATCH", "DELETE"])
    host = random.choice(["api.example.com", "example.org:8443", "localhost:8080"])
    path = "/" + "/".join(_token(random.randint(1, 8)) for _ in range(random.randint(1, 4)))
    params = {_token(random.randint(1, 5)): _token(random.randint(0, 6)) for _ in range(random.randint(1, 4))}
    query = "&".join(f"{k}={v}" for k, v in params.items())
    url = f"https://{host}{path}?{query}"
    body = json.dumps({_token(3): random.randint(0, 10**9), "note": _token(random.randint(0, 40))}).encode()
    headers = {"Content-Type": random.choice(["application/json", "application/json; charset=utf-8"])}
    return method, url, body, headers, random.choice(list(params))


def _scheme(alg: str, components: List[str]) -> str:
    return json.dumps(
        {
            "kind": "http-message-signatures",
            "name": "interop",
            "algorithm": alg,
            "components": components,
            "tag": TAG,
            "content_digest": random.choice(["sha-256", "sha-512"]),
            "max_age": 300,
        }
    )


def _prepared(method: str, url: str, body: bytes, headers: Dict[str, str]) -> requests.PreparedRequest:
    return requests.Request(method, url, data=body, headers=headers).prepare()


def _digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def _serialized(components: List[str]) -> List[str]:
    """The Python packages take parameterised identifiers in their serialised form."""
    out = []
    for c in components:
        name, sep, params = c.partition(";")
        out.append(f'"{name}";{params}' if sep else c)
    return out


def _pyauth_verify(alg: str, resolver: Resolver, prepared: requests.PreparedRequest) -> None:
    HTTPMessageVerifier(signature_algorithm=PYAUTH_ALG[alg], key_resolver=resolver).verify(
        prepared, max_age=datetime.timedelta(minutes=5), expect_tag=TAG
    )


def _rhs_verify(alg: str, resolver: Resolver, prepared: requests.PreparedRequest, components: List[str]) -> None:
    HTTPSignatureAuth.verify(
        prepared,
        signature_algorithm=PYAUTH_ALG[alg],
        key_resolver=resolver,
        require_components=_serialized(components),
        expect_tag=TAG,
    )


def _tampered(method: str, url: str, body: bytes, headers: Dict[str, str], signed: Dict[str, str], what: str):  # type: ignore[no-untyped-def]
    h = dict(headers, **signed)
    if what == "method":
        method = "POST" if method != "POST" else "PUT"
    elif what == "query":
        url = url.replace("=", "=x", 1)
    elif what == "path":
        parts = urllib.parse.urlsplit(url)
        url = urllib.parse.urlunsplit(parts._replace(path="/z" + parts.path))
    elif what == "content-type":
        h["Content-Type"] = "text/plain"
    elif what == "body":
        body = body + b" "
    return method, url, body, h


@pytest.mark.parametrize("alg", ALGS)
def test_signwire_signs_python_packages_verify(alg: str) -> None:
    random.seed(f"sw->py {alg} {time.time_ns()}")
    private, public = _keys(alg)
    resolver = Resolver("k1", private, public)
    for _ in range(ROUNDS):
        method, url, body, headers, param = _random_request()
        components = COMPONENTS + [f'@query-param;name="{param}"']
        scheme = _scheme(alg, components)
        if alg == "hmac-sha256":
            signer = signwire.Signer(scheme, key_id="k1", secret=private)
        else:
            signer = signwire.Signer(scheme, key_id="k1", private_key=private)
        signed = signer.sign(method, url, body=body, headers=headers)
        assert set(signed) == {"Content-Digest", "Signature-Input", "Signature"}
        prepared = _prepared(method, url, body, dict(headers, **signed))
        _pyauth_verify(alg, resolver, prepared)
        _rhs_verify(alg, resolver, prepared, components)
        for what in ["method", "query", "path", "content-type", "body"]:
            t_method, t_url, t_body, t_headers = _tampered(method, url, body, headers, signed, what)
            bad = _prepared(t_method, t_url, t_body, t_headers)
            with pytest.raises(HTTPMessageSignaturesException):
                _rhs_verify(alg, resolver, bad, components)
            if what != "body":  # pyauth does not check Content-Digest against the body
                with pytest.raises(InvalidSignature):
                    _pyauth_verify(alg, resolver, bad)


def _signwire_verifier(alg: str, public: bytes, components: List[str]) -> signwire.Verifier:
    v = signwire.Verifier(_scheme(alg, components))
    if alg == "hmac-sha256":
        v.add_secret("k1", public)
    else:
        v.add_public_key("k1", public)
    return v


@pytest.mark.parametrize("alg", ALGS)
def test_python_packages_sign_signwire_verifies(alg: str) -> None:
    random.seed(f"py->sw {alg} {time.time_ns()}")
    private, public = _keys(alg)
    resolver = Resolver("k1", private, public)
    for i in range(ROUNDS):
        method, url, body, headers, param = _random_request()
        components = COMPONENTS + [f'@query-param;name="{param}"']
        verifier = _signwire_verifier(alg, public, components)
        if i % 2 == 0:
            # pyauth's signer: Content-Digest is the caller's job (hashlib here).
            prepared = _prepared(method, url, body, dict(headers, **{"Content-Digest": _digest(body)}))
            HTTPMessageSigner(signature_algorithm=PYAUTH_ALG[alg], key_resolver=resolver).sign(
                prepared,
                key_id="k1",
                covered_component_ids=_serialized(components),
                created=datetime.datetime.now(),
                nonce=_token(16),
                label="sig1",
                include_alg=True,
                tag=TAG,
                use_existing_digest=True,
            )
        else:
            auth = HTTPSignatureAuth(
                signature_algorithm=PYAUTH_ALG[alg],
                key=private if alg == "hmac-sha256" else None,
                key_resolver=None if alg == "hmac-sha256" else resolver,
                key_id="k1",
                covered_component_ids=_serialized(components),
                tag=TAG,
                use_nonce=True,
            )
            prepared = auth(_prepared(method, url, body, headers))
        sent = {k: v for k, v in prepared.headers.items()}
        assert verifier.verify(method, url, headers=sent, body=body) == "k1"
        # The same request again is a replay (the nonce is recorded).
        with pytest.raises(signwire.NonceReplayed):
            verifier.verify(method, url, headers=sent, body=body)
        for what in ["method", "query", "path", "content-type", "body"]:
            t_method, t_url, t_body, t_headers = _tampered(method, url, body, {}, sent, what)
            with pytest.raises(signwire.SignwireError) as e:
                _signwire_verifier(alg, public, components).verify(t_method, t_url, headers=t_headers, body=t_body)
            assert type(e.value).__name__ in {"BadSignature"}, (what, e.value)


def test_signwire_requests_auth_signs_what_both_packages_verify() -> None:
    from signwire.requests_auth import SignwireAuth

    private, public = _keys("ed25519")
    resolver = Resolver("k1", private, public)
    method, url, body, headers, param = _random_request()
    components = COMPONENTS + [f'@query-param;name="{param}"']
    auth = SignwireAuth(signwire.Signer(_scheme("ed25519", components), key_id="k1", private_key=private))
    prepared = auth(_prepared(method, url, body, headers))
    _pyauth_verify("ed25519", resolver, prepared)
    _rhs_verify("ed25519", resolver, prepared, components)
