"""Every status code maps to one exception class; real failures raise the right one."""

from __future__ import annotations

import ctypes
import re

import pytest

import signwire
from signwire import _native, errors

URL = "https://api.example.com/v1/pay"
VERIFICATION = {
    "SIGNWIRE_ERR_MISSING_HEADER",
    "SIGNWIRE_ERR_MALFORMED_HEADER",
    "SIGNWIRE_ERR_UNKNOWN_KEY",
    "SIGNWIRE_ERR_BAD_SIGNATURE",
    "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD",
    "SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE",
    "SIGNWIRE_ERR_NONCE_REPLAYED",
    "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE",
    "SIGNWIRE_ERR_IP_NOT_ALLOWED",
    "SIGNWIRE_ERR_MALFORMED_TOKEN",
    "SIGNWIRE_ERR_DECRYPTION_FAILED",
    "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM",
}
ARGUMENT = {
    "SIGNWIRE_ERR_INVALID_ARGUMENT",
    "SIGNWIRE_ERR_INVALID_UTF8",
    "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM",
    "SIGNWIRE_ERR_WEAK_KEY",
    "SIGNWIRE_ERR_INPUT_TOO_LARGE",
}


def camel(status_name: str) -> str:
    words = status_name.replace("SIGNWIRE_ERR_", "").split("_")
    return "".join(w.capitalize() for w in words)


def test_every_status_in_the_header_has_its_own_class():
    codes = {name: code for name, code in _native.STATUS.items() if name != "SIGNWIRE_OK"}
    assert len(codes) >= 19
    classes = {}
    for name, code in codes.items():
        cls = errors.exception_for(code)
        assert cls is not signwire.SignwireError, f"{name} has no exception class"
        assert cls.status_name == name
        # Named after the status: BAD_SIGNATURE -> BadSignature (INTERNAL -> InternalError).
        assert cls.__name__ in (camel(name), camel(name) + "Error"), (name, cls.__name__)
        assert getattr(signwire, cls.__name__) is cls
        classes[code] = cls
    assert len(set(classes.values())) == len(classes), "two statuses share a class"


@pytest.mark.parametrize("name", sorted(n for n in _native.STATUS if n != "SIGNWIRE_OK"))
def test_check_raises_the_mapped_class_with_code_and_message(name):
    code = _native.STATUS[name]
    with pytest.raises(signwire.SignwireError) as info:
        signwire.check(code)
    e = info.value
    assert type(e) is errors.exception_for(code)
    assert e.code == code and e.name == name and str(e).startswith(name)
    assert isinstance(e, signwire.VerificationError) == (name in VERIFICATION)
    if name in ARGUMENT:
        assert isinstance(e, ValueError)
    if name == "SIGNWIRE_ERR_NULL_POINTER":
        assert isinstance(e, TypeError)


def test_ok_and_unknown_statuses():
    assert signwire.check(0) is None
    with pytest.raises(signwire.SignwireError) as info:
        signwire.check(9999)
    assert type(info.value) is signwire.SignwireError and info.value.code == 9999


def test_status_names_agree_with_the_library():
    for name, code in _native.STATUS.items():
        assert _native.lib.signwire_status_name(code).decode() == name


def _wire(signer, **kw):
    return signer.sign("POST", URL, b"{}", **kw)


def test_verification_failures_raise_their_class(hopnow_pair):
    signer, verifier = hopnow_pair
    now = 1_800_000_000
    good = _wire(signer, timestamp=now)
    cases = [
        (signwire.MissingHeader, {k: v for k, v in good.items() if k != "X-Nonce"}, b"{}"),
        (signwire.MalformedHeader, dict(good, **{"X-Signature": "zz"}), b"{}"),
        (signwire.MalformedHeader, list(good.items()) + [("x-signature", good["X-Signature"])], b"{}"),
        (signwire.MalformedHeader, dict(good, **{"X-Timestamp": "12a"}), b"{}"),
        (signwire.UnknownKey, dict(good, **{"X-API-Key": "k9"}), b"{}"),
        (signwire.BadSignature, good, b"{ }"),
        (signwire.TimestampTooOld, _wire(signer, timestamp=now - 301), b"{}"),
        (signwire.TimestampInFuture, _wire(signer, timestamp=now + 61), b"{}"),
    ]
    for cls, headers, body in cases:
        with pytest.raises(cls) as info:
            verifier.verify("POST", URL, headers, body, now=now)
        e = info.value
        assert e.code == _native.STATUS[cls.status_name]
        assert e.message, "the library explains the failure for the log"
        assert "test-secret-for-python" not in str(e)
    assert verifier.verify("POST", URL, good, b"{}", now=now) == "k1"
    with pytest.raises(signwire.NonceReplayed):
        verifier.verify("POST", URL, good, b"{}", now=now)


def test_bad_signature_message_never_leaks_the_expected_signature(hopnow_pair):
    signer, verifier = hopnow_pair
    h = _wire(signer, timestamp=1_800_000_000)
    with pytest.raises(signwire.BadSignature) as info:
        verifier.verify("POST", URL, h, b"tampered", now=1_800_000_000)
    assert not re.search(r"[0-9a-f]{64}", str(info.value))


def test_argument_errors_are_value_and_type_errors():
    with pytest.raises(signwire.InvalidArgument) as info:
        signwire.Scheme("no-such-preset")
    assert isinstance(info.value, ValueError) and "no-such-preset" in info.value.message
    with pytest.raises(signwire.UnsupportedAlgorithm):
        doc = signwire.Scheme("hopnow").document
        signwire.Scheme(dict(doc, algorithm="hmac-md5"))
    with pytest.raises(signwire.UnsupportedAlgorithm):
        signwire.hmac_sign("md5", b"k", b"m")
    with pytest.raises(signwire.InvalidArgument):
        signwire.Signer("hopnow", key_id="k1", secret=b"")  # empty secret
    with pytest.raises(signwire.InputTooLarge):
        signwire.Signer("hopnow", key_id="k1", secret=b"x" * 4097)
    with pytest.raises(signwire.InvalidUtf8):
        signwire.Signer("hopnow", key_id="k1", secret=b"s").sign(b"POST", b"https://x/\xff")
    with pytest.raises(signwire.InvalidArgument):
        signwire.Signer("hopnow", key_id="k1", secret=b"s").sign("post", "https://x/")  # refused, not fixed
    with pytest.raises(signwire.InvalidArgument):
        signwire.Signer("hopnow", key_id="k1", secret=b"s").sign("GET", "https://x/", timestamp=1, nonce="xyz")
    with pytest.raises(signwire.InvalidArgument):
        signwire.Verifier("hopnow", max_age=0)
    with pytest.raises(signwire.InvalidArgument):
        signwire.Verifier("hopnow", max_future_skew=3601)
    with pytest.raises(signwire.UnknownKey):
        signwire.Verifier("hopnow", keys={"k1": b"a"}).retire_secret("k1", b"b")
    with pytest.raises(TypeError):
        signwire.Signer("hopnow", key_id="k1", secret=12345)
    with pytest.raises(TypeError):
        signwire.Signer("hopnow", key_id="k1", secret=b"s").sign("GET", "https://x/", timestamp=True)


def test_nul_inside_text_is_refused_not_truncated():
    s = signwire.Signer("hopnow", key_id="k1", secret=b"s")
    with pytest.raises(ValueError, match="NUL"):
        s.sign("GET", "https://x/a\0b")
    with pytest.raises(ValueError, match="NUL"):
        signwire.Signer("hopnow", key_id="k1\0evil", secret=b"s")


def test_raw_c_calls_report_null_pointer_and_buffer_too_small():
    lib = _native.lib
    out = ctypes.POINTER(_native.decls.structs["signwire_scheme"])()
    with pytest.raises(signwire.NullPointer) as info:
        signwire.check(lib.signwire_scheme_new(None, ctypes.byref(out)))
    assert "name_or_json" in info.value.message
    buf = ctypes.create_string_buffer(8)
    written = ctypes.c_size_t()
    status = lib.signwire_hmac_sign(2, b"k", 1, b"m", 1, 1, buf, 8, ctypes.byref(written))
    assert written.value == 65  # 64 hex characters and the NUL
    with pytest.raises(signwire.BufferTooSmall):
        signwire.check(status)
