#!/usr/bin/env python3
"""The Python side of the cross-language sealed-body round trip (tests/seal/roundtrip.sh).

  peer.py server PORTFILE N   serve N requests on a free loopback port (written to PORTFILE):
                              verify, then open, with the Python binding (bindings/python);
                              and, independently, check the HopNow HMAC with Python's hmac and
                              open the token with jwcrypto; answer 200 with the plaintext, or
                              401 with the status name.
  peer.py client PORT BODY    seal BODY for the server's RSA key and sign (signwire), POST it,
                              exit 0 only if the answer is 200 and echoes BODY.
  peer.py rawclient PORT BODY the same without signwire: jwcrypto seals, Python's hmac signs
                              (a counterparty that never installed signwire).

Environment: SEAL_RSA_PRIVATE / SEAL_RSA_PUBLIC (PEM files), HMAC_SECRET_FILE."""
import hashlib, hmac, http.client, http.server, json, os, sys

# The Python binding from this checkout (its loader finds $SIGNWIRE_LIB or target/release).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python", "src"))
import signwire  # noqa: E402

KEY_ID, KID = "client-1", "server-rsa"


def secret():
    return open(os.environ["HMAC_SECRET_FILE"], "rb").read().rstrip(b"\n")


def independent_check(method, url, token, headers):
    """What a server without signwire would do: hmac + a JOSE library."""
    from jwcrypto import jwe, jwk

    payload = method.encode() + url.encode() + headers["X-Timestamp"].encode() + headers["X-Nonce"].encode() + token
    expected = hmac.new(secret(), payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers["X-Signature"]):
        return None
    key = jwk.JWK.from_pem(open(os.environ["SEAL_RSA_PRIVATE"], "rb").read())
    t = jwe.JWE()
    t.deserialize(token.decode(), key=key)
    return t.payload


def serve(portfile, count):
    verifier = signwire.Verifier("hopnow", keys={KEY_ID: secret()})
    keys = signwire.OpeningKeys(rsa={KID: open(os.environ["SEAL_RSA_PRIVATE"], "rb").read()})
    failures = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            httpd.served += 1
            body = self.rfile.read(int(self.headers["Content-Length"]))
            url = f"http://{self.headers['Host']}{self.path}"
            try:
                key_id, plain = keys.verify_and_open(verifier, "POST", url, self.headers.items(), body)
            except signwire.SignwireError as e:
                self.answer(401, e.name.encode())
                return
            # signwire said yes: the independent implementation must agree byte for byte.
            if independent_check("POST", url, body, self.headers) != plain or key_id != KEY_ID:
                failures.append(url)
                self.answer(500, b"signwire and hmac+jwcrypto disagree")
                return
            self.answer(200, plain)

        def answer(self, code, data):
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            sys.stderr.write("python server: " + fmt % args + "\n")

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    httpd.served = 0
    httpd.timeout = 60  # a client that never comes must not hang the suite
    with open(portfile + ".tmp", "w") as f:
        f.write(str(httpd.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    for _ in range(count):
        httpd.handle_request()
    if httpd.served < count:
        failures.append("timeout")
    keys.close()
    verifier.close()
    sys.exit(1 if failures else 0)


def raw_seal_and_sign(url, body):
    import secrets, time
    from jwcrypto import jwe, jwk
    from jwcrypto.common import json_encode

    t = jwe.JWE(body, protected=json_encode({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": KID}))
    t.add_recipient(jwk.JWK.from_pem(open(os.environ["SEAL_RSA_PUBLIC"], "rb").read()))
    token = t.serialize(compact=True).encode()
    ts, nonce = str(int(time.time())), secrets.token_hex(16)
    sig = hmac.new(secret(), b"POST" + url.encode() + ts.encode() + nonce.encode() + token, hashlib.sha256).hexdigest()
    return token, {"X-API-Key": KEY_ID, "X-Signature": sig, "X-Timestamp": ts, "X-Nonce": nonce}


def client(port, body, raw=False):
    url = f"http://127.0.0.1:{port}/v1/pay"
    if raw:
        token, headers = raw_seal_and_sign(url, body)
    else:
        # Encrypt, then sign what is sent.
        token = signwire.Recipient.rsa(KID, open(os.environ["SEAL_RSA_PUBLIC"], "rb").read()).seal(body)
        headers = signwire.Signer("hopnow", key_id=KEY_ID, secret=secret()).sign("POST", url, body=token)
    assert b"4111" not in token
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers["Content-Type"] = "application/jose"
    conn.request("POST", "/v1/pay", body=token, headers=headers)
    r = conn.getresponse()
    data = r.read()
    print(f"python client: HTTP {r.status}, {len(data)} bytes")
    sys.exit(0 if r.status == 200 and data == body else 1)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        client(int(sys.argv[2]), sys.argv[3].encode(), raw=sys.argv[1] == "rawclient")
