"""Sealed bodies through the Python binding. Expected values come from independent JOSE
implementations (jwcrypto, joserfc) and Python's hmac, never from signwire itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import pytest
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

import signwire

from conftest import VECTORS

SEAL = VECTORS / "seal"
BODY = b'{"card":"4111111111111111","cvv":"123"}'
URL = "https://api.example.com/v1/pay"


def pem(name: str) -> bytes:
    return (SEAL / name).read_bytes()


def jw_key(raw: bytes) -> jwk.JWK:
    return jwk.JWK(kty="oct", k=jwk.base64url_encode(raw))


def jw_open(token: bytes, key: jwk.JWK) -> bytes:
    t = jwe.JWE()
    t.deserialize(token.decode(), key=key)
    return t.payload


def jw_seal(body: bytes, key: jwk.JWK, **header: str) -> bytes:
    t = jwe.JWE(body, protected=json_encode(header))
    t.add_recipient(key)
    return t.serialize(compact=True).encode()


def test_dir_both_ways_with_jwcrypto() -> None:
    key = os.urandom(32)
    token = signwire.Recipient.shared("aes-1", key).seal(BODY)
    assert jw_open(token, jw_key(key)) == BODY
    theirs = jw_seal(b"from jwcrypto", jw_key(key), alg="dir", enc="A256GCM", kid="aes-1")
    assert signwire.OpeningKeys(shared={"aes-1": key}).open(theirs) == b"from jwcrypto"


def test_rsa_both_ways_with_jwcrypto_and_joserfc() -> None:
    from joserfc import jwe as jf_jwe
    from joserfc.jwk import RSAKey

    token = signwire.Recipient.rsa("rsa-1", pem("rsa2048-public.pem")).seal(BODY)
    assert jw_open(token, jwk.JWK.from_pem(pem("rsa2048-private.pem"))) == BODY
    jf_private = RSAKey.import_key(pem("rsa2048-private.pem"))
    assert jf_jwe.decrypt_compact(token, jf_private, algorithms=["RSA-OAEP-256", "A256GCM"]).plaintext == BODY

    keys = signwire.OpeningKeys(rsa={"rsa-1": pem("rsa2048-private-pkcs1.der")})
    theirs = jw_seal(b"from jwcrypto", jwk.JWK.from_pem(pem("rsa2048-public.pem")), alg="RSA-OAEP-256", enc="A256GCM", kid="rsa-1")
    assert keys.open(theirs) == b"from jwcrypto"
    jf_public = RSAKey.import_key(pem("rsa2048-public.pem"))
    theirs = jf_jwe.encrypt_compact({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "rsa-1"}, b"from joserfc", jf_public,
                                    algorithms=["RSA-OAEP-256", "A256GCM"])
    assert keys.open(theirs) == b"from joserfc"


def test_encrypt_then_sign_verify_then_open() -> None:
    secret = os.urandom(24)
    signer = signwire.Signer("hopnow", key_id="client-1", secret=secret)
    verifier = signwire.Verifier("hopnow", keys={"client-1": secret})
    keys = signwire.OpeningKeys(rsa={"rsa-1": pem("rsa2048-private.pem")})
    to = signwire.Recipient.rsa("rsa-1", pem("rsa2048-public.der"))

    token = to.seal(BODY)
    headers = signer.sign("POST", URL, body=token)
    payload = b"POST" + URL.encode() + headers["X-Timestamp"].encode() + headers["X-Nonce"].encode() + token
    assert headers["X-Signature"] == hmac.new(secret, payload, hashlib.sha256).hexdigest()
    assert keys.verify_and_open(verifier, "POST", URL, headers, token) == ("client-1", BODY)
    with pytest.raises(signwire.NonceReplayed):
        keys.verify_and_open(verifier, "POST", URL, headers, token)

    token = to.seal(BODY)
    headers = signer.sign("POST", URL, body=token)
    altered = token[:-5] + (b"B" if token[-5:-4] == b"A" else b"A") + token[-4:]
    with pytest.raises(signwire.BadSignature):  # checked before anything is decrypted
        keys.verify_and_open(verifier, "POST", URL, headers, altered)


def test_sealed_query_parameters() -> None:
    key = os.urandom(32)
    sealed = signwire.Recipient.shared("aes-1", key).seal_query("a=1&card=4111111111111111&b=2", ["card"])
    name, value = sealed.split("&")[1].split("=", 1)
    assert (name, sealed.startswith("a=1&"), sealed.endswith("&b=2")) == ("sealed", True, True)
    assert jw_open(value.encode(), jw_key(key)) == b"card=4111111111111111"
    assert signwire.OpeningKeys(shared={"aes-1": key}).open_query(sealed) == "a=1&card=4111111111111111&b=2"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_bad_tokens_and_keys_raise_their_exception() -> None:
    key = os.urandom(32)
    keys = signwire.OpeningKeys(shared={"aes-1": key}, max_token_len=4096)
    token = signwire.Recipient.shared("aes-1", key).seal(BODY).decode()
    parts = token.split(".")
    cases = [
        (token[:40], signwire.MalformedToken),
        (".".join(parts[:3]), signwire.MalformedToken),
        (token.replace(".", ".+"), signwire.MalformedToken),
        (".".join([b64(json.dumps({"alg": "none", "enc": "A256GCM", "kid": "aes-1"}).encode())] + parts[1:]), signwire.UnsupportedAlgorithm),
        (".".join([b64(json.dumps({"alg": "dir", "enc": "A256GCM", "kid": "x"}).encode())] + parts[1:]), signwire.UnknownKey),
        (jw_seal(b"x", jw_key(os.urandom(32)), alg="dir", enc="A256GCM", kid="aes-1").decode(), signwire.DecryptionFailed),
        ("a" * 5000, signwire.InputTooLarge),
    ]
    for bad, error in cases:
        with pytest.raises(error):
            keys.open(bad)
    with pytest.raises(signwire.WeakKey):
        signwire.Recipient.rsa("r", pem("rsa1024-public.pem"))
    with pytest.raises(signwire.WeakKey):
        signwire.OpeningKeys(rsa={"r": pem("rsa1024-private.pem")})
    with pytest.raises(signwire.WeakKey):
        signwire.Recipient.shared("k", os.urandom(16))
    with pytest.raises(signwire.WeakKey):
        signwire.Recipient.shared("k", bytes(32))  # an unset buffer, not a key
    keys.remove("aes-1")
    with pytest.raises(signwire.UnknownKey):
        keys.remove("aes-1")
