#!/usr/bin/env python3
"""`signwire serve` as the HopNow test endpoint, from a client in each language.

Python `requests` with the binding's SignwireAuth, PHP Guzzle with the binding's middleware,
C with the C binding over a socket, and curl with `signwire sign` output each get `ok`; then
each sends a tampered request (body, URL query, method, path changed after signing) and
`signwire diff` on the client's fingerprint and the endpoint's answer names that component.
A request signed with Python's hmac alone (no signwire) gets `ok` too. Expected names and
body digests are computed here (hashlib, hmac), not taken from signwire's output.

Each endpoint binds port 0 and the test waits for its `listening on` line (no sleeps).

    python3 tests/serve/run.py C_CLIENT_BINARY
"""

import hashlib
import hmac
import http.client
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python" / "src"))
import requests  # noqa: E402
import signwire  # noqa: E402
from signwire.requests_auth import SignwireAuth  # noqa: E402

CLI = os.environ.get("SIGNWIRE_CLI", "signwire")
C_CLIENT = sys.argv[1]
KEY = "k-serve"
SECRET = "serve-suite-secret-0123456789abcdef"
tmp = Path(tempfile.mkdtemp(prefix="signwire-serve-"))
failed = 0


def check(name, fn):
    global failed
    try:
        fn()
        print(f"ok   {name}")
    except Exception:
        failed += 1
        print(f"FAIL {name}")
        traceback.print_exc()


class Serve:
    """`signwire serve` on a free port; `base` is the URL it printed."""

    def __init__(self, *extra):
        self.log = open(tmp / "serve.log", "ab")
        env = dict(os.environ, SERVE_SECRET=SECRET)
        self.p = subprocess.Popen(
            [CLI, "serve", "--scheme", "hopnow", "--key-id", KEY, "--secret-env", "SERVE_SECRET", "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=self.log, env=env)
        # Wait for the address line; the timeout only turns a hung server into a failure.
        ready, _, _ = select.select([self.p.stdout], [], [], 60)
        line = self.p.stdout.readline().decode() if ready else ""
        m = re.fullmatch(r"listening on (http://127\.0\.0\.1:(\d+))\n", line)
        if not m:
            self.stop()
            raise AssertionError(f"no address line from signwire serve: {line!r}")
        self.base, self.port = m.group(1), int(m.group(2))

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def answer_fields(text):
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line and not line.startswith("#"))


def assert_ok(text):
    f = answer_fields(text)
    assert (f.get("verdict"), f.get("status"), f.get("key_id")) == ("ok", "SIGNWIRE_OK", KEY), text
    assert SECRET not in text


def diff(client_fp, answer):
    """`signwire diff` the way a client developer runs it: two files."""
    c, s = tmp / "client.txt", tmp / "answer.txt"
    c.write_text(client_fp)
    s.write_text(answer)
    r = subprocess.run([CLI, "diff", str(c), str(s)], capture_output=True, text=True)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    return r.stdout.strip()


def digest(body):
    return f"len:{len(body)},sha256:{hashlib.sha256(body).hexdigest()[:16]}"


def hopnow_headers(method, url, body, ts=None, nonce=None):
    """HopNow headers signed with Python's hmac (no signwire)."""
    ts = str(ts or int(time.time()))
    nonce = nonce or os.urandom(16).hex()
    sig = hmac.new(SECRET.encode(), method.encode() + url.encode() + ts.encode() + nonce.encode() + body, hashlib.sha256).hexdigest()
    return {"X-API-Key": KEY, "X-Signature": sig, "X-Timestamp": ts, "X-Nonce": nonce}


def python_requests():
    auth = SignwireAuth(signwire.Signer("hopnow", key_id=KEY, secret=SECRET))
    body = b'{"item":"book","qty":2}'
    with Serve() as s, requests.Session() as session:
        url = f"{s.base}/v1/orders?currency=EUR"
        r = session.post(url, data=body, auth=auth)
        assert r.status_code == 200, r.text
        assert_ok(r.text)
        # The signature on the wire is the one Python's hmac computes for the URL and body sent.
        sent = r.request.headers
        want = hopnow_headers("POST", url, body, sent["X-Timestamp"], sent["X-Nonce"])["X-Signature"]
        assert sent["X-Signature"] == want
        # JSON on request.
        r = session.post(url, data=body, auth=auth, headers={"Accept": "application/json"})
        j = r.json()
        assert (r.status_code, j["verdict"], j["status"], j["key_id"], j["url"]) == (200, "ok", "SIGNWIRE_OK", KEY, url), j
        # Tampered: the body changes after signing (as a framework re-serialising JSON would).
        prepared = session.prepare_request(requests.Request("POST", url, data=body, auth=auth))
        signed = {k: prepared.headers[k] for k in ("X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce")}
        tampered = b'{"item": "book", "qty": 2}'
        prepared.body = tampered
        prepared.headers["Content-Length"] = str(len(tampered))
        r = session.send(prepared)
        assert r.status_code == 401 and answer_fields(r.text)["status"] == "SIGNWIRE_ERR_BAD_SIGNATURE", r.text
        assert SECRET not in r.text
        client_fp = signwire.diagnostics.explain("hopnow", "POST", url, signed, body)
        said = diff(client_fp, r.text)
        assert said.startswith(f"Body: client signed {digest(body)}, server received {digest(tampered)}"), said


def python_hmac_only():
    body = b"amount=10"
    with Serve() as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        url = f"{s.base}/v1/pay"
        conn.request("PUT", "/v1/pay", body=body, headers=hopnow_headers("PUT", url, body))
        r = conn.getresponse()
        text = r.read().decode()
        assert r.status == 200, text
        assert_ok(text)
        assert r.getheader("X-Signwire-Verdict") == "ok"
        conn.close()


def php_guzzle():
    env = dict(os.environ, SECRET=SECRET)
    php = ["php", "-d", "ffi.enable=1", str(ROOT / "tests" / "serve" / "client.php")]
    with Serve() as s:
        fp = tmp / "php-fp.txt"
        r = subprocess.run([*php, s.base, KEY, "ok", str(fp)], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        assert_ok(r.stdout)
        r = subprocess.run([*php, s.base, KEY, "tamper", str(fp)], capture_output=True, text=True, env=env)
        assert r.returncode == 0 and answer_fields(r.stdout)["status"] == "SIGNWIRE_ERR_BAD_SIGNATURE", (r.stdout, r.stderr)
        said = diff(fp.read_text(), r.stdout)
        want = f"URL: client signed {s.base}/v1/orders?currency=EUR, server rebuilt {s.base}/v1/orders?currency=USD"
        assert said == want, said


def c_socket():
    env = dict(os.environ, SECRET=SECRET)
    with Serve("--public-url", "https://api.example.com") as s:
        fp = tmp / "c-fp.txt"
        args = [C_CLIENT, str(s.port), KEY]
        r = subprocess.run([*args, "POST", "POST", "/v1/refunds", "https://api.example.com", "id=42", str(fp)], capture_output=True, env=env)
        assert r.returncode == 0, r.stderr
        head, _, body = r.stdout.decode().partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 200 OK\r\n"), head
        assert_ok(body)
        # Tampered: signed as POST, sent as PUT.
        r = subprocess.run([*args, "POST", "PUT", "/v1/refunds", "https://api.example.com", "id=42", str(fp)], capture_output=True, env=env)
        head, _, body = r.stdout.decode().partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 401 Unauthorized\r\n"), head
        assert diff(fp.read_text(), body) == "Method: client signed POST, server received PUT"


def curl_with_sign():
    env = dict(os.environ, SERVE_SECRET=SECRET)
    body = tmp / "body.json"
    body.write_bytes(b'{"to":"acct_1","amount":"5.00"}')
    public = "https://api.example.com/v1/transfers?ref=a%2Fb"
    common = ["--scheme", "hopnow", "--key-id", KEY, "--secret-env", "SERVE_SECRET", "--method", "POST", "--body-file", str(body)]
    with Serve("--public-url", "https://api.example.com/", "--max-requests", "2") as s:
        headers = tmp / "headers.txt"
        with open(headers, "wb") as h:
            subprocess.run([CLI, "sign", *common, "--url", public], stdout=h, env=env, check=True)
        curl = ["curl", "-sS", "-H", f"@{headers}", "--data-binary", f"@{body}"]
        r = subprocess.run([*curl, f"{s.base}/v1/transfers?ref=a%2Fb"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert_ok(r.stdout)
        # Tampered: sent to another path than the one signed; explain gives the client side.
        fixed = ["--timestamp", str(int(time.time())), "--nonce", os.urandom(16).hex()]
        client = subprocess.run([CLI, "explain", *common, "--url", public, *fixed], capture_output=True, text=True, env=env, check=True).stdout
        with open(headers, "wb") as h:
            subprocess.run([CLI, "sign", *common, "--url", public, *fixed], stdout=h, env=env, check=True)
        r = subprocess.run([*curl, f"{s.base}/v2/transfers?ref=a%2Fb"], capture_output=True, text=True)
        assert answer_fields(r.stdout)["status"] == "SIGNWIRE_ERR_BAD_SIGNATURE", r.stdout
        assert diff(client, r.stdout) == f"URL: client signed {public}, server rebuilt https://api.example.com/v2/transfers?ref=a%2Fb"
        # --max-requests 2: the endpoint exits by itself, status 0.
        assert s.p.wait(timeout=60) == 0


def raw(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := c.recv(4096):
            out += chunk
    return out.decode()


def limits():
    with Serve("--max-body", "16") as s:
        r = raw(s.port, b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n" + b"a" * 17)
        assert r.startswith("HTTP/1.1 413 ") and "status: SIGNWIRE_ERR_INPUT_TOO_LARGE" in r, r
        r = raw(s.port, b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")
        assert r.startswith("HTTP/1.1 501 "), r
        r = raw(s.port, b"GET /x HTTP/1.1\r\n" + b"X-Pad: y\r\n" * 101 + b"\r\n")
        assert r.startswith("HTTP/1.1 431 "), r
        # No headers at all: refused with the first missing header, 401, and still no secret.
        r = raw(s.port, b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
        assert r.startswith("HTTP/1.1 401 ") and "status: SIGNWIRE_ERR_MISSING_HEADER" in r and SECRET not in r, r
        # The endpoint still answers a good request after all that.
        body = b"0123456789abcdef"
        r = raw(s.port, b"POST /x HTTP/1.1\r\nHost: h\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hopnow_headers("POST", "http://h/x", body).items()).encode()
                + b"Content-Length: 16\r\n\r\n" + body)
        assert r.startswith("HTTP/1.1 200 "), r


check("Python requests + binding: ok; body changed after signing is named", python_requests)
check("Python hmac alone (no signwire) gets ok", python_hmac_only)
check("PHP Guzzle + binding: ok; query changed after signing is named", php_guzzle)
check("C binding over a socket: ok; method changed is named (--public-url)", c_socket)
check("curl with `signwire sign` output: ok; path changed is named; --max-requests exits 0", curl_with_sign)
check("limits: 413 over --max-body, 501 chunked, 431 too many headers, 401 unsigned", limits)
print(f"{6 - failed} passed, {failed} failed")
if failed:
    print((tmp / "serve.log").read_text() if (tmp / "serve.log").exists() else "")
sys.exit(1 if failed else 0)
