"""tests/vectors/*.json, each value also recomputed here with Python's own hmac/hashlib."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random

import pytest
from conftest import body_bytes, load_vectors

import signwire

HASHES = {"hmac-sha1": hashlib.sha1, "hmac-sha256": hashlib.sha256, "hmac-sha512": hashlib.sha512}
RFC = [(name, case) for name in ("rfc2202", "rfc4231") for case in load_vectors(name)["cases"]]
HOPNOW = load_vectors("hopnow")["vectors"]
GENERIC = load_vectors("generic")


def test_vector_files_are_present():
    from conftest import VECTORS

    assert {"generic", "hopnow", "rfc2202", "rfc4231"} <= {p.stem for p in VECTORS.glob("*.json")}
    assert len(RFC) >= 21 and len(HOPNOW) >= 6 and len(GENERIC["vectors"]) >= 2


@pytest.mark.parametrize("name,case", RFC, ids=[f"{n}-{c['case']}-{c['algorithm']}" for n, c in RFC])
def test_rfc_hmac_vectors(name, case):
    key, data = bytes.fromhex(case["key_hex"]), bytes.fromhex(case["data_hex"])
    alg = case["algorithm"]
    independent = hmac.new(key, data, HASHES[alg]).digest()
    assert independent.hex() == case["hex"]
    assert base64.b64encode(independent).decode() == case["base64"]

    assert signwire.hmac_sign(alg, key, data) == case["hex"]
    assert signwire.hmac_sign(alg, key, data, encoding="base64") == case["base64"]
    assert signwire.hmac_verify(alg, key, data, case["hex"])
    assert signwire.hmac_verify(alg, key, data, case["base64"], encoding="base64")
    with signwire.Key(alg, key) as k:
        assert k.sign(data) == case["hex"]
        assert k.verify(data, case["hex"])
        flipped = case["hex"][:-1] + ("0" if case["hex"][-1] != "0" else "1")
        assert not k.verify(data, flipped)
        assert not k.verify(data, case["hex"][:-2])  # wrong length is False, not an error
        assert not k.verify(data + b"x", case["hex"])


def test_random_inputs_match_python_hmac():
    rng = random.Random(20261101)
    for i in range(300):
        alg = rng.choice(sorted(HASHES))
        key = rng.randbytes(rng.randint(1, 200))
        msg = rng.randbytes(rng.choice([0, 1, 63, 64, 65, 127, 128, 129, rng.randint(0, 5000)]))
        expect = hmac.new(key, msg, HASHES[alg]).digest()
        assert signwire.hmac_sign(alg, key, msg) == expect.hex(), (i, alg)
        assert signwire.hmac_sign(alg.upper(), key, msg, "base64") == base64.b64encode(expect).decode()


@pytest.mark.parametrize("v", HOPNOW, ids=[v["name"] for v in HOPNOW])
def test_hopnow_vectors(v):
    body = body_bytes(v["body"])
    # The spec's payload, computed independently: {METHOD}{URL}{TIMESTAMP}{NONCE}{BODY}.
    payload = v["method"].encode() + v["url"].encode() + v["timestamp"].encode() + v["nonce"].encode() + body
    assert hashlib.sha256(payload).hexdigest() == v["payload_sha256"]
    if "payload_hex" in v:
        assert payload.hex() == v["payload_hex"]
    expected = hmac.new(v["secret"].encode(), payload, hashlib.sha256).hexdigest()
    assert expected == v["signature"]

    ts = int(v["timestamp"])
    got = signwire.canonical_payload(
        "hopnow", v["method"], v["url"], body, key_id=v["key_id"], timestamp=ts, nonce=v["nonce"]
    )
    assert got == payload
    with signwire.Signer("hopnow", key_id=v["key_id"], secret=v["secret"]) as signer:
        headers = signer.sign(v["method"], v["url"], body, timestamp=ts, nonce=v["nonce"])
        assert headers == {
            "X-API-Key": v["key_id"],
            "X-Signature": expected,
            "X-Timestamp": v["timestamp"],
            "X-Nonce": v["nonce"],
        }
        e = signer.explain(v["method"], v["url"], body, timestamp=ts, nonce=v["nonce"])
        assert (e.payload, e.signature) == (payload, expected)
    with signwire.Verifier("hopnow", keys={v["key_id"]: v["secret"].encode()}) as verifier:
        wire = {"X-API-Key": v["key_id"], "X-Signature": expected, "X-Timestamp": v["timestamp"], "X-Nonce": v["nonce"]}
        assert verifier.verify(v["method"], v["url"], wire, body, now=ts + 5) == v["key_id"]
        with pytest.raises(signwire.NonceReplayed):
            verifier.verify(v["method"], v["url"], wire, body, now=ts + 5)


@pytest.mark.parametrize("v", GENERIC["vectors"], ids=[v["name"] for v in GENERIC["vectors"]])
def test_generic_scheme_vectors(v, tmp_path):
    import json

    doc = GENERIC["scheme"]
    body = body_bytes(v["body"])
    payload = bytes.fromhex(v["payload_hex"])
    expected = base64.b64encode(hmac.new(v["secret"].encode(), payload, hashlib.sha512).digest()).decode()
    assert expected == v["signature"]
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(doc))
    ts = int(v["timestamp"])
    for spec in (doc, json.dumps(doc), path, str(path)):
        with signwire.Scheme(spec) as scheme:
            assert scheme.name == doc["name"] and scheme.header_names == doc["headers"]
            assert scheme.canonical_payload(
                v["method"], v["url"], body, key_id=v["key_id"], timestamp=ts, nonce=v["nonce"], headers=v["headers"]
            ) == payload
    names = doc["headers"]
    with signwire.Signer(doc, key_id=v["key_id"], secret=v["secret"]) as signer:
        h = signer.sign(v["method"], v["url"], body, timestamp=ts, nonce=v["nonce"], headers=v["headers"])
    assert h == {names["key_id"]: v["key_id"], names["signature"]: expected, names["timestamp"]: v["timestamp"], names["nonce"]: v["nonce"]}
    with signwire.Verifier(path, keys={v["key_id"]: v["secret"]}) as verifier:
        wire = dict(h, **v["headers"])
        assert verifier.verify(v["method"], v["url"], wire, body, now=ts) == v["key_id"]
        # The scheme's own max age (120 s) applies.
        wire2 = signwire.Signer(doc, key_id=v["key_id"], secret=v["secret"]).sign(
            v["method"], v["url"], body, timestamp=ts, headers=v["headers"]
        )
        with pytest.raises(signwire.TimestampTooOld):
            verifier.verify(v["method"], v["url"], dict(wire2, **v["headers"]), body, now=ts + 121)


def test_str_body_is_utf8(hopnow_pair):
    signer, _ = hopnow_pair
    text = "Zahlung für Bücher ✓"
    a = signer.sign("POST", "https://x.example/", text, timestamp=1, nonce="0" * 32)
    b = signer.sign("POST", "https://x.example/", text.encode("utf-8"), timestamp=1, nonce="0" * 32)
    payload = b"POSThttps://x.example/1" + b"0" * 32 + text.encode("utf-8")
    assert a == b
    assert a["X-Signature"] == hmac.new(b"test-secret-for-python", payload, hashlib.sha256).hexdigest()


def test_fresh_nonces_are_random_hex(hopnow_pair):
    signer, _ = hopnow_pair
    seen = set()
    for _ in range(200):
        h = signer.sign("GET", "https://x.example/")
        n = h["X-Nonce"]
        assert len(n) == 32 and int(n, 16) >= 0
        seen.add(n)
    assert len(seen) == 200
    h = signer.sign("GET", "https://x.example/", timestamp=1234)
    assert h["X-Timestamp"] == "1234" and len(h["X-Nonce"]) == 32
