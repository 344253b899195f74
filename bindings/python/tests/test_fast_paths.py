"""The allocation-free paths added for speed give the same answers as the general ones.

Signer.sign without timestamp/nonce/headers takes an inlined path with a per-thread output
buffer; call_out reuses a per-thread buffer; Handle counts calls in flight without a lock.
Expected signatures come from Python's hmac, never from signwire.
"""

import hashlib
import hmac
import threading

import pytest

import signwire

SECRET = b"fast-path secret"
URL = "https://api.example.com/v1/pay?x=1"


def expected(headers, method, url, body):
    payload = method.encode() + url.encode() + headers["X-Timestamp"].encode() + headers["X-Nonce"].encode() + body
    return hmac.new(SECRET, payload, hashlib.sha256).hexdigest()


def test_fast_path_matches_python_hmac_for_every_body_size():
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    for size in (0, 1, 63, 64, 1024, 70_000):
        body = bytes(range(256)) * (size // 256) + bytes(size % 256)
        h = signer.sign("POST", URL, body=body)
        assert list(h) == ["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]
        assert h["X-API-Key"] == "k1"
        assert h["X-Signature"] == expected(h, "POST", URL, body)


def test_other_argument_types_take_the_general_path_with_the_same_result():
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    for body in (bytearray(b"abc"), memoryview(b"abc"), "abc"):
        h = signer.sign("POST", URL, body=body)
        assert h["X-Signature"] == expected(h, "POST", URL, b"abc")
    with pytest.raises(ValueError, match="NUL"):
        signer.sign("POST", URL + "\0evil", body=b"")
    with pytest.raises(ValueError, match="NUL"):
        signer.sign("PO\0ST", URL, body=b"")
    with pytest.raises(signwire.InvalidArgument):
        signer.sign("post", URL, body=b"")  # the library's error, raised from the fast path


def test_closed_signer_refuses_the_fast_path():
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    signer.close()
    with pytest.raises(ValueError, match="closed"):
        signer.sign("GET", URL)
    assert signer._users == 0


def test_per_thread_buffers_do_not_mix_results():
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    key = signwire.Key("sha256", SECRET)
    errors = []

    def work(n):
        for i in range(300):
            body = f"{n}-{i}".encode() * (1 + i % 7)
            h = signer.sign("PUT", URL, body=body)
            if h["X-Signature"] != expected(h, "PUT", URL, body):
                errors.append(("sign", n, i))
            if key.sign(body) != hmac.new(SECRET, body, hashlib.sha256).hexdigest():
                errors.append(("key", n, i))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert signer._users == 0 and key._users == 0


@pytest.mark.parametrize(
    "scheme, secret",
    [("stripe", "whsec_c2VjcmV0"), ("standard-webhooks", "whsec_c2VjcmV0"), ("aws-sigv4:eu-west-1:execute-api", "AKIDEXAMPLE:wJalrXUtnFEMI")],
)
def test_fast_path_fields_match_the_general_path_for_other_header_counts(scheme, secret):
    # The fast path reads NUL-separated fields; the general one (a fixed timestamp) parses
    # `Name: value` lines. Same names, same order, and every value non-empty.
    signer = signwire.Signer(scheme, key_id="k1", secret=secret)
    fast = signer.sign("POST", URL, body=b"{}")
    general = signer.sign("POST", URL, body=b"{}", timestamp=1_700_000_000)
    assert list(fast) == list(general)
    assert all(v and "\0" not in v and "\r" not in v for v in fast.values())
