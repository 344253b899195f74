"""AWS Signature Version 4 preset against botocore's own signer (`SigV4Auth`, `S3SigV4Auth`).

Both directions on the same requests, with botocore's clock frozen at the signing time:
signwire signs -> the Authorization header is byte-for-byte botocore's; botocore signs ->
signwire's verifier accepts it, and refuses it once any signed part is changed. botocore is
independent of signwire (its own canonicaliser, its own HMAC chain), so agreement on paths
with `~`, `%2B`, `=`, encoded spaces, unicode, an empty path, unsorted and repeated query
keys, `=` and `+` in values, header whitespace, bodies, UNSIGNED-PAYLOAD and a session token
is what shows the canonical request is AWS's.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import signwire

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("SIGNWIRE_CLI", str(ROOT / "target" / "release" / "signwire"))
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+session/token=="
AT = datetime.datetime(2026, 11, 23, 21, 58, 7, tzinfo=datetime.timezone.utc)
T = int(AT.timestamp())
HOST = "https://example.amazonaws.com"

# (id, method, path, params as botocore serialises them, headers, body)
CASES = [
    ("tilde", "GET", "/a~b/c~", None, {}, b""),
    ("percent-2B", "GET", "/files/a%2Bb.txt", None, {}, b""),
    ("equals", "GET", "/k=v/x=", None, {}, b""),
    ("encoded-space", "GET", "/my%20file/", None, {}, b""),
    ("unicode-encoded", "GET", "/caf%C3%A9/%E2%82%AC", None, {}, b""),
    ("unicode-raw", "GET", "/\u1234/\u00e9", None, {}, b""),
    ("dot-segments", "GET", "/a/./b//c/../d", None, {}, b""),
    ("empty-path", "GET", "", None, {}, b""),
    ("empty-path-query", "GET", "", [("b", "2"), ("a", "1")], {}, b""),
    ("unsorted-query", "GET", "/", [("z", "1"), ("b", "2"), ("a", "3"), ("A", "0"), ("_", "x")], {}, b""),
    ("repeated-keys", "GET", "/list", [("k", "2"), ("k", "1"), ("k", "10"), ("j", "")], {}, b""),
    ("eq-plus-space-values", "GET", "/q", [("expr", "a=b+c"), ("sp", "x y"), ("u", "\u00e9~*")], {}, b""),
    ("header-whitespace", "GET", "/", None, {"X-Custom": "  a    b \t c  ", "X-Other": "v"}, b""),
    ("post-body", "POST", "/v1/pay", None, {"Content-Type": "application/json"}, b'{"amount": 100, "note": "Gr\xc3\xbc\xc3\x9fe"}'),
    ("post-form", "POST", "/", None, {"Content-Type": "application/x-www-form-urlencoded"}, b"Param1=value1&b=a+b"),
]


@pytest.fixture(autouse=True)
def frozen_botocore_clock(monkeypatch):
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: AT)


def scheme(service="service", **options):
    return {"kind": "aws-sigv4", "region": "us-east-1", "service": service, **options}


def boto_sign(method, url, params, headers, body, *, service="service", token=None, unsigned=False, s3=False):
    """botocore's signed request: (the URL as sent, its headers)."""
    req = AWSRequest(method=method, url=url, data=body, params=params or {}, headers=dict(headers))
    if unsigned:
        req.context["payload_signing_enabled"] = False
    auth = (botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth)(Credentials(AKID, SECRET, token), service, "us-east-1")
    auth.add_auth(req)
    prepared = req.prepare()
    return prepared.url, dict(req.headers.items())


def verifier(**options):
    return signwire.Verifier(scheme(**options), keys={AKID: SECRET})


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_signwire_signs_what_botocore_signs(case):
    _, method, path, params, headers, body = case
    url, boto_headers = boto_sign(method, HOST + path, params, headers, body)
    sent = signwire.Signer(scheme(), AKID, SECRET).sign(method, url, body, timestamp=T, headers=headers)
    assert sent["X-Amz-Date"] == boto_headers["X-Amz-Date"] == AT.strftime("%Y%m%dT%H%M%SZ")
    assert sent["Authorization"] == boto_headers["Authorization"]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_botocore_signs_signwire_verifies(case):
    _, method, path, params, headers, body = case
    url, boto_headers = boto_sign(method, HOST + path, params, headers, body)
    assert verifier().verify(method, url, boto_headers, body, now=T + 30) == AKID


def _tampered(case):
    """Every way to change a signed part of the case's botocore-signed request."""
    _, method, path, params, headers, body = case
    url, h = boto_sign(method, HOST + path, params, headers, body)
    out = [
        ("method", "PUT" if method != "PUT" else "POST", url, h, body),
        ("path", method, url.replace(HOST, HOST + "/x", 1), h, body),
        ("query", method, url + ("&" if "?" in url else "?") + "extra=1", h, body),
        ("host", method, url, dict(h, Host="evil.amazonaws.com"), body),
        ("body", method, url, h, body + b" "),
        ("date", method, url, dict(h, **{"X-Amz-Date": (AT + datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")}), body),
    ]
    for name in headers:
        out.append((f"header {name}", method, url, dict(h, **{name: h[name].strip() + "x"}), body))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_tampering_is_refused(case):
    for what, method, url, headers, body in _tampered(case):
        with pytest.raises(signwire.BadSignature):
            verifier().verify(method, url, headers, body, now=T)
            pytest.fail(f"tampered {what} was accepted")


def test_session_token_is_signed_both_ways():
    url, h = boto_sign("GET", HOST + "/", None, {}, b"", token=TOKEN)
    assert h["X-Amz-Security-Token"] == TOKEN and "x-amz-security-token" in h["Authorization"]
    sent = signwire.Signer(scheme(), AKID, SECRET).sign("GET", url, b"", timestamp=T, headers={"X-Amz-Security-Token": TOKEN})
    assert sent["Authorization"] == h["Authorization"]
    assert verifier().verify("GET", url, h, b"", now=T) == AKID
    with pytest.raises(signwire.BadSignature):
        verifier().verify("GET", url, dict(h, **{"X-Amz-Security-Token": TOKEN + "x"}), b"", now=T)
    stripped = {k: v for k, v in h.items() if k != "X-Amz-Security-Token"}
    with pytest.raises(signwire.MissingHeader):
        verifier().verify("GET", url, stripped, b"", now=T)


def test_unsigned_payload_both_ways_and_refused_unless_enabled():
    body = b"streamed bytes that are not hashed"
    url, h = boto_sign("PUT", HOST + "/upload", None, {}, body, unsigned=True)
    assert h["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    sent = signwire.Signer(scheme(unsigned_payload=True), AKID, SECRET).sign("PUT", url, body, timestamp=T)
    assert sent["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    assert sent["Authorization"] == h["Authorization"]
    assert verifier(unsigned_payload=True).verify("PUT", url, h, body, now=T) == AKID
    # The body is not covered: that is what UNSIGNED-PAYLOAD means, so it is opt-in.
    assert verifier(unsigned_payload=True).verify("PUT", url, h, b"other", now=T) == AKID
    with pytest.raises(signwire.BadSignature):
        verifier().verify("PUT", url, h, body, now=T)


@pytest.mark.parametrize("path", ["/bucket/key%2Bwith%20space~", "/bucket/dir//a/../b.txt", "/bucket/caf%C3%A9=1"])
def test_s3_single_encoding_and_content_sha256_both_ways(path):
    body = b"object bytes"
    url, h = boto_sign("PUT", "https://s3.amazonaws.com" + path, None, {"Content-Type": "text/plain"}, body, service="s3", s3=True)
    sent = signwire.Signer(scheme("s3"), AKID, SECRET).sign("PUT", url, body, timestamp=T, headers={"Content-Type": "text/plain"})
    assert sent["X-Amz-Content-SHA256"] == h["X-Amz-Content-SHA256"]
    assert sent["Authorization"] == h["Authorization"]
    v = signwire.Verifier(scheme("s3"), keys={AKID: SECRET})
    assert v.verify("PUT", url, h, body, now=T) == AKID
    with pytest.raises(signwire.BadSignature):
        signwire.Verifier(scheme("s3"), keys={AKID: SECRET}).verify("PUT", url, h, body + b"!", now=T)
    # Double-encoding rules (any other service) do not produce S3's signature.
    other = signwire.Signer(scheme("s3", uri_encoding="double"), AKID, SECRET).sign(
        "PUT", url, body, timestamp=T, headers={"Content-Type": "text/plain"})
    assert ("%" in path or "//" in path) and other["Authorization"] != h["Authorization"]


def test_http_url_with_port():
    url, h = boto_sign("GET", "http://localhost:9000/bucket?list-type=2", None, {}, b"")
    sent = signwire.Signer(scheme(), AKID, SECRET).sign("GET", url, b"", timestamp=T)
    assert sent["Authorization"] == h["Authorization"]
    assert verifier().verify("GET", url, h, b"", now=T) == AKID


def test_window_unknown_key_scope_and_replay():
    url, h = boto_sign("GET", HOST + "/", None, {}, b"")
    with pytest.raises(signwire.TimestampTooOld):
        verifier().verify("GET", url, h, b"", now=T + 15 * 60 + 1)
    with pytest.raises(signwire.TimestampInFuture):
        verifier().verify("GET", url, h, b"", now=T - 15 * 60 - 1)
    with pytest.raises(signwire.UnknownKey):
        signwire.Verifier(scheme(), keys={"AKIDOTHER": SECRET}).verify("GET", url, h, b"", now=T)
    with pytest.raises(signwire.BadSignature):
        signwire.Verifier({**scheme(), "region": "eu-west-1"}, keys={AKID: SECRET}).verify("GET", url, h, b"", now=T)
    v = verifier()
    assert v.verify("GET", url, h, b"", now=T) == AKID
    with pytest.raises(signwire.NonceReplayed):
        v.verify("GET", url, h, b"", now=T + 1)


@pytest.mark.parametrize("mutate", [
    lambda a: a.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
    lambda a: a.replace("aws4_request", "aws4_reqest"),
    lambda a: a.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"),
    lambda a: a.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date;host"),
    lambda a: a + ", Signature=" + "0" * 64,
    lambda a: a[:-1],
    lambda a: a.replace("/" + AT.strftime("%Y%m%d") + "/", "/" + (AT - datetime.timedelta(days=1)).strftime("%Y%m%d") + "/"),
])
def test_malformed_authorization(mutate):
    url, h = boto_sign("GET", HOST + "/", None, {}, b"")
    with pytest.raises(signwire.MalformedHeader):
        verifier().verify("GET", url, dict(h, Authorization=mutate(h["Authorization"])), b"", now=T)


def test_short_name_and_document_round_trip():
    s = signwire.Scheme("aws-sigv4:us-east-1:service")
    assert s.max_age == 900
    assert s.document["region"] == "us-east-1" and s.document["uri_encoding"] == "double"
    assert signwire.Scheme(s.document).document == s.document
    assert signwire.Scheme("aws-sigv4:eu-central-1:s3").document["uri_encoding"] == "single"
    with pytest.raises(signwire.InvalidArgument):
        signwire.Scheme("aws-sigv4")
    with pytest.raises(signwire.InvalidArgument):
        signwire.Scheme({"kind": "aws-sigv4", "region": "us-east-1"})


def test_cli_signs_like_botocore_and_verifies_it():
    url, h = boto_sign("POST", HOST + "/v1/a%2Bb", [("z", "1"), ("a", "x y")], {"Content-Type": "application/json"}, b'{"a":1}')
    env = dict(os.environ, AWS_SECRET=SECRET)
    body = ROOT / "target" / "sigv4-cli-body.json"
    body.write_bytes(b'{"a":1}')
    common = ["--scheme", "aws-sigv4:us-east-1:service", "--key-id", AKID, "--secret-env", "AWS_SECRET",
              "--method", "POST", "--url", url, "--body-file", str(body)]
    out = subprocess.run([CLI, "sign", *common, "--timestamp", str(T), "--header", "Content-Type: application/json"],
                         env=env, capture_output=True, text=True, check=True).stdout
    signed = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert signed["Authorization"] == h["Authorization"]
    hdrs = [a for k, v in h.items() for a in ("--header", f"{k}: {v}")]
    ok = subprocess.run([CLI, "verify", *common, *hdrs, "--now", str(T)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.strip() == f"ok {AKID}"
    bad = subprocess.run([CLI, "verify", *common, *hdrs, "--now", str(T), "--diagnostics"],
                         env=dict(env, AWS_SECRET=SECRET[:-1] + "X"), capture_output=True, text=True)
    assert bad.returncode == 1 and "BAD_SIGNATURE" in bad.stdout + bad.stderr
    assert SECRET not in bad.stdout + bad.stderr


PHP_SIGN_AND_VERIFY = r"""
require $argv[1] . '/bindings/php/autoload.php';
$in = json_decode(stream_get_contents(STDIN), true);
$signer = new Signwire\Signer('aws-sigv4:us-east-1:service', $in['akid'], $in['secret']);
$signed = $signer->sign($in['method'], $in['url'], $in['body'], $in['t'], null, $in['headers']);
$verifier = new Signwire\Verifier('aws-sigv4:us-east-1:service', [$in['akid'] => $in['secret']]);
$akid = $verifier->verify($in['method'], $in['url'], $in['boto_headers'], $in['body'], null, $in['t']);
try {
    $verifier->verify($in['method'], $in['url'], $in['boto_headers'], $in['body'] . 'x', null, $in['t']);
    $tampered = 'accepted';
} catch (Signwire\BadSignatureException $e) {
    $tampered = 'refused';
}
echo json_encode(['authorization' => $signed['Authorization'], 'akid' => $akid, 'tampered' => $tampered]);
"""


def test_php_signs_like_botocore_and_verifies_it():
    import json

    headers = {"Content-Type": "application/json", "X-Custom": " a   b "}
    body = '{"amount": 100}'
    url, h = boto_sign("POST", HOST + "/v1/a%2Bb~", [("z", "1"), ("a", "x y=+")], headers, body.encode())
    payload = {"akid": AKID, "secret": SECRET, "method": "POST", "url": url, "body": body, "t": T,
               "headers": headers, "boto_headers": h}
    out = subprocess.run(["php", "-d", "ffi.enable=1", "-r", PHP_SIGN_AND_VERIFY, str(ROOT)], input=json.dumps(payload),
                         capture_output=True, text=True, check=True).stdout
    got = json.loads(out)
    assert got == {"authorization": h["Authorization"], "akid": AKID, "tampered": "refused"}
