"""The Python API: argument forms, header mappings, rotation, handles, explain."""

from __future__ import annotations

import datetime as dt
import email.message
import gc
import hashlib
import hmac
import json
import os
import time

import pytest
import requests.structures

import signwire
from signwire import _native

URL = "https://api.example.com/v1/pay"
SECRET = b"test-secret-for-python"
NOW = 1_800_000_000


def expected_sig(secret, method, url, ts, nonce, body):
    payload = method.encode() + url.encode() + str(ts).encode() + nonce.encode() + body
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def test_sign_matches_python_hmac_and_returns_ordered_str_dict(hopnow_pair):
    signer, _ = hopnow_pair
    h = signer.sign("PUT", URL, b'{"x":1}', timestamp=NOW, nonce="ab" * 16)
    assert list(h) == ["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in h.items())
    assert h["X-Signature"] == expected_sig(SECRET, "PUT", URL, NOW, "ab" * 16, b'{"x":1}')


@pytest.mark.parametrize(
    "make",
    [
        lambda h: h,
        lambda h: {k.lower(): v for k, v in h.items()},
        lambda h: {k.upper(): v for k, v in h.items()},
        lambda h: list(h.items()),
        lambda h: [(k.encode(), v.encode()) for k, v in h.items()],
        lambda h: requests.structures.CaseInsensitiveDict(h),
        lambda h: "".join(f"{k}: {v}\r\n" for k, v in h.items()),
        lambda h: "".join(f"{k.lower()}:{v}\n" for k, v in h.items()),
    ],
    ids=["dict", "lower", "upper", "pairs", "bytes-pairs", "requests-cid", "crlf-block", "lf-block"],
)
def test_headers_accept_any_mapping_case_insensitively(hopnow_pair, make):
    signer, verifier = hopnow_pair
    h = signer.sign("POST", URL, b"{}", timestamp=NOW)
    wire = make(h)
    assert verifier.verify("POST", URL, wire, b"{}", now=NOW) == "k1"


def test_email_message_headers_and_extra_headers(hopnow_pair):
    signer, verifier = hopnow_pair
    msg = email.message.Message()
    msg["Content-Type"] = "application/json"
    for k, v in signer.sign("POST", URL, b"{}", timestamp=NOW).items():
        msg[k] = v
    assert verifier.verify("POST", URL, msg, b"{}", now=NOW) == "k1"


def test_header_injection_is_refused(hopnow_pair):
    signer, verifier = hopnow_pair
    h = signer.sign("POST", URL, b"{}", timestamp=NOW)
    forged = dict(h)
    forged["X-Note"] = "a\r\nX-API-Key: admin"
    with pytest.raises(signwire.MalformedHeader):
        verifier.verify("POST", URL, forged, b"{}", now=NOW)
    with pytest.raises(signwire.MalformedHeader):
        verifier.verify("POST", URL, dict(h, **{"X-Evil:Name": "1"}), b"{}", now=NOW)
    with pytest.raises(signwire.MalformedHeader):
        verifier.verify("POST", URL, dict(h, **{"X-N": "a\0b"}), b"{}", now=NOW)
    with pytest.raises(signwire.InvalidArgument):
        signer.sign("POST", URL, b"{}", headers={"X-N": "a\nb"})
    with pytest.raises(TypeError):
        verifier.verify("POST", URL, [("only-one",)], b"{}", now=NOW)
    with pytest.raises(TypeError):
        verifier.verify("POST", URL, {"X-N": 5}, b"{}", now=NOW)
    # Nothing above consumed the nonce: the genuine request still passes.
    assert verifier.verify("POST", URL, h, b"{}", now=NOW) == "k1"


def test_body_types(hopnow_pair):
    signer, verifier = hopnow_pair
    body = b"\x00\x01binary\xff"
    for form in (body, bytearray(body), memoryview(body)):
        h = signer.sign("POST", URL, form, timestamp=NOW)
        assert verifier.verify("POST", URL, h, form, now=NOW) == "k1"
    h = signer.sign("POST", URL, None, timestamp=NOW)
    assert verifier.verify("POST", URL, h, b"", now=NOW) == "k1"
    with pytest.raises(TypeError):
        signer.sign("POST", URL, 42)


def test_time_forms(hopnow_pair):
    signer, verifier = hopnow_pair
    when = dt.datetime.fromtimestamp(NOW, dt.timezone.utc)
    assert signer.sign("GET", URL, timestamp=when, nonce="0" * 32) == signer.sign("GET", URL, timestamp=NOW + 0.9, nonce="0" * 32)
    h = signer.sign("GET", URL, timestamp=NOW)
    assert verifier.verify("GET", URL, h, now=when) == "k1"
    with pytest.raises(ValueError):
        signer.sign("GET", URL, timestamp=dt.datetime(2026, 1, 1))  # naive
    with pytest.raises(ValueError):
        signer.sign("GET", URL, timestamp=float("nan"))
    with pytest.raises(signwire.InvalidArgument):
        signer.sign("GET", URL, timestamp=-1)
    # ctypes keeps the low 64 bits of an int: 2**64 would sign timestamp 0, 2**64 + NOW would
    # sign NOW. Both are refused before the call, as is a `now` out of int64 range.
    for big in (2**64, 2**64 + NOW, 2**63, -(2**63) - 1, 1e300):
        with pytest.raises(ValueError, match="out of range"):
            signer.sign("GET", URL, timestamp=big)
        with pytest.raises(ValueError, match="out of range"):
            verifier.verify("GET", URL, h, now=big)


def test_verify_uses_the_real_clock_by_default(hopnow_pair):
    signer, verifier = hopnow_pair
    h = signer.sign("GET", URL)
    assert verifier.verify("GET", URL, h) == "k1"
    old = signer.sign("GET", URL, timestamp=int(time.time()) - 10_000)
    with pytest.raises(signwire.TimestampTooOld):
        verifier.verify("GET", URL, old)


def test_key_rotation():
    old, new = b"old-secret", b"new-secret"
    v = signwire.Verifier("hopnow", keys={"k1": [old, new], "k2": "text secret"})
    for secret, kid in ((old, "k1"), (new, "k1"), (b"text secret", "k2")):
        h = signwire.Signer("hopnow", key_id=kid, secret=secret).sign("GET", URL, timestamp=NOW)
        assert v.verify("GET", URL, h, now=NOW) == kid
    v.retire_secret("k1", old)
    h = signwire.Signer("hopnow", key_id="k1", secret=old).sign("GET", URL, timestamp=NOW)
    with pytest.raises(signwire.BadSignature):
        v.verify("GET", URL, h, now=NOW)
    v.add_secret("k3", b"third")
    h = signwire.Signer("hopnow", key_id="k3", secret=b"third").sign("GET", URL, timestamp=NOW)
    assert v.verify("GET", URL, h, now=NOW) == "k3"


def test_max_age_and_future_skew_settings():
    s = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    default = signwire.Verifier("hopnow", keys={"k1": SECRET})
    wide = signwire.Verifier("hopnow", keys={"k1": SECRET}, max_age=900, max_future_skew=0)
    h = s.sign("GET", URL, timestamp=NOW - 600)
    with pytest.raises(signwire.TimestampTooOld):
        default.verify("GET", URL, h, now=NOW)
    assert wide.verify("GET", URL, h, now=NOW) == "k1"
    ahead = s.sign("GET", URL, timestamp=NOW + 1)
    with pytest.raises(signwire.TimestampInFuture):
        wide.verify("GET", URL, ahead, now=NOW)
    assert default.verify("GET", URL, ahead, now=NOW) == "k1"
    for bad in (-1, 1.5, True, "300"):
        with pytest.raises((TypeError, ValueError)):
            signwire.Verifier("hopnow", max_age=bad)


def test_scheme_document_and_forms(tmp_path):
    s = signwire.Scheme("hopnow")
    doc = s.document
    # From the HopNow documentation, not from signwire.
    assert doc["headers"] == {"key_id": "X-API-Key", "signature": "X-Signature", "timestamp": "X-Timestamp", "nonce": "X-Nonce"}
    assert (s.name, s.algorithm, s.max_age, s.nonce_hex_len) == ("hopnow", "hmac-sha256", 300, 32)
    assert s.components == ["method", "url", "timestamp", "nonce", "body"]
    p = tmp_path / "copy.json"
    p.write_text(s.to_json())
    assert signwire.Scheme(p).document == doc
    assert signwire.Scheme(json.loads(s.to_json())).document == doc
    assert signwire.Scheme(s).document == doc
    assert repr(s) == "Scheme('hopnow')"
    with pytest.raises(TypeError):
        signwire.Scheme(42)
    with pytest.raises(signwire.InvalidArgument):
        signwire.Scheme(tmp_path / "missing.json")


def test_explain(hopnow_pair):
    signer, _ = hopnow_pair
    e = signer.explain("POST", URL, b"{}", timestamp=NOW, nonce="cd" * 16)
    payload = b"POST" + URL.encode() + str(NOW).encode() + b"cd" * 16 + b"{}"
    assert e.payload == payload
    assert e.signature == hmac.new(SECRET, payload, hashlib.sha256).hexdigest()
    assert e.headers["X-Signature"] == e.signature and e.scheme == "hopnow"
    assert "payload (" in str(e) and e.signature in str(e)
    fresh = signer.explain("GET", URL)
    assert fresh.payload.startswith(b"GET" + URL.encode() + fresh.headers["X-Timestamp"].encode())


def test_handles_release_once_and_refuse_use_after_close():
    s = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    s.close()
    s.close()
    assert s.closed
    with pytest.raises(ValueError, match="closed"):
        s.sign("GET", URL)
    with signwire.Verifier("hopnow", keys={"k1": SECRET}) as v:
        assert not v.closed
    assert v.closed
    with pytest.raises(ValueError):
        v.verify("GET", URL, {})
    with signwire.Key("sha256", b"k") as k:
        pass
    with pytest.raises(ValueError):
        k.sign(b"m")


def test_frees_are_counted(monkeypatch):
    """Each wrapper calls its C free exactly once, whether by close, with, or garbage collection."""
    frees = []
    for cls in (signwire.Scheme, signwire.Signer, signwire.Verifier, signwire.Key):
        real = cls.__dict__["_free"]

        def counting(ptr, real=real, name=cls.__name__):
            frees.append(name)
            real(ptr)

        monkeypatch.setattr(cls, "_free", counting)
    s = signwire.Signer("hopnow", key_id="k1", secret=SECRET)  # its temporary Scheme is freed at once
    assert frees == ["Scheme"]
    s.close()
    s.close()
    del s
    gc.collect()
    assert frees == ["Scheme", "Signer"]
    with signwire.Verifier("hopnow", keys={"k1": SECRET}):
        pass
    assert frees[-2:] == ["Scheme", "Verifier"]
    k = signwire.Key("sha1", b"k")
    del k
    gc.collect()
    assert frees[-1] == "Key" and frees.count("Key") == 1
    shared = signwire.Scheme("hopnow")
    signwire.Signer(shared, key_id="k1", secret=SECRET).close()
    assert not shared.closed, "a Scheme passed in by the caller stays the caller's"
    shared.close()
    assert frees.count("Scheme") == 3


def test_reprs_hide_secrets():
    s = signwire.Signer("hopnow", key_id="k1", secret=b"very-secret")
    assert "very-secret" not in repr(s) and "k1" in repr(s)
    assert "very-secret" not in repr(signwire.Key("sha256", b"very-secret"))


def test_version_and_abi():
    assert signwire.__version__ == signwire.library_version()
    assert signwire.ABI_VERSION == _native.lib.signwire_abi_version() == 1
    assert isinstance(signwire.library_path.name, str)


def test_reused_output_buffer_keeps_no_output():
    from signwire import _marshal

    key = os.urandom(32)
    token = signwire.Recipient.shared("k", key).seal(b"card=4111111111111111")
    assert signwire.OpeningKeys(shared={"k": key}).open(token) == b"card=4111111111111111"
    buf = _marshal._tls.out[0]
    assert b"4111" not in buf.raw
