"""RFC 9421 sign and verify per algorithm: signwire's Python binding beside the
``http-message-signatures`` package (pyauth), interleaved in one run.

Both sides sign the same request (POST with a 1 KiB JSON body, covering @method,
@authority, @target-uri, content-type and content-digest, with created, keyid, alg, nonce
and tag), and each side's signatures are first checked by the other side before anything is
timed. Content-Digest: signwire computes it while signing; for pyauth ``hashlib`` computes
it (pyauth leaves that to the caller) and the time is counted on its side, as a user of it
must do the same. signwire's verify also checks the digest against the body and records the
nonce (each timed call gets a fresh signed request); pyauth's does neither.

Method: R rounds of N calls per side, alternating which side goes first; the figure is the
median per-call time over rounds. Prints a table and one JSON object per line.
    python3 benches/python/http_signatures.py [--quick]
Run with SIGNWIRE_LIB set and the binding importable (scripts/bench-httpsig does both).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import statistics
import sys
import time

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms

import signwire

URL = "https://api.example.com/v1/payments?merchant=42"
BODY = json.dumps({"data": "x" * 1000}).encode()
COMPONENTS = ["@method", "@authority", "@target-uri", "content-type", "content-digest"]
ALGS = {
    "hmac-sha256": algorithms.HMAC_SHA256,
    "ed25519": algorithms.ED25519,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "ecdsa-p384-sha384": algorithms.ECDSA_P384_SHA384,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
}


def keys(alg):
    if alg == "hmac-sha256":
        s = secrets.token_bytes(32)
        return s, s
    k = {
        "ed25519": ed25519.Ed25519PrivateKey.generate,
        "ecdsa-p256-sha256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ecdsa-p384-sha384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "rsa-pss-sha512": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }[alg]()
    priv = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, pub


class Resolver(HTTPSignatureKeyResolver):
    """Hands pyauth loaded key objects (parsing a PEM per call would cost it ~100x for RSA)."""

    def __init__(self, priv, pub):
        if priv == pub:  # HMAC: the secret itself
            self.priv, self.pub = priv, pub
        else:
            self.priv = serialization.load_pem_private_key(priv, password=None)
            self.pub = serialization.load_pem_public_key(pub)

    def resolve_private_key(self, key_id):
        return self.priv

    def resolve_public_key(self, key_id):
        return self.pub


def scheme(alg):
    return json.dumps({"kind": "http-message-signatures", "name": "bench", "algorithm": alg, "components": COMPONENTS, "tag": "bench", "content_digest": "sha-256"})


def main() -> None:
    quick = "--quick" in sys.argv
    rounds, calls = (3, 50) if quick else (7, 200)
    rows = []
    for alg, py_alg in ALGS.items():
        priv, pub = keys(alg)
        resolver = Resolver(priv, pub)
        sw_signer = signwire.Signer(scheme(alg), "k1", secret=priv) if alg == "hmac-sha256" else signwire.Signer(scheme(alg), "k1", private_key=priv)
        py_signer = HTTPMessageSigner(signature_algorithm=py_alg, key_resolver=resolver)
        py_verifier = HTTPMessageVerifier(signature_algorithm=py_alg, key_resolver=resolver)

        def sw_verifier():
            v = signwire.Verifier(scheme(alg), nonce_store="memory://?max_entries=1000000")
            (v.add_secret if alg == "hmac-sha256" else v.add_public_key)("k1", pub)
            return v

        def sw_sign():
            return sw_signer.sign("POST", URL, body=BODY, headers={"Content-Type": "application/json"})

        def py_sign():
            digest = "sha-256=:" + base64.b64encode(hashlib.sha256(BODY).digest()).decode() + ":"
            r = requests.Request("POST", URL, data=BODY, headers={"Content-Type": "application/json", "Content-Digest": digest}).prepare()
            py_signer.sign(r, key_id="k1", covered_component_ids=COMPONENTS, created=datetime.datetime.now(), nonce=secrets.token_hex(16), label="sig1", tag="bench", use_existing_digest=True)
            return r

        # Cross-check before timing: each side verifies the other's signature.
        h = dict(sw_sign(), **{"Content-Type": "application/json"})
        py_verifier.verify(requests.Request("POST", URL, data=BODY, headers=h).prepare(), max_age=datetime.timedelta(minutes=5), expect_tag="bench")
        pr = py_sign()
        assert sw_verifier().verify("POST", URL, headers=dict(pr.headers), body=BODY) == "k1"

        times = {k: [] for k in ["sw_sign", "py_sign", "sw_verify", "py_verify"]}
        for r in range(rounds):
            order = [("sw", "py"), ("py", "sw")][r % 2]
            for side in order:
                f = sw_sign if side == "sw" else py_sign
                t = time.perf_counter()
                for _ in range(calls):
                    f()
                times[f"{side}_sign"].append((time.perf_counter() - t) / calls)
            sw_msgs = [dict(sw_sign(), **{"Content-Type": "application/json"}) for _ in range(calls)]
            v = sw_verifier()
            py_msg = py_sign()
            for side in order:
                t = time.perf_counter()
                if side == "sw":
                    for hdrs in sw_msgs:
                        v.verify("POST", URL, headers=hdrs, body=BODY)
                else:
                    for _ in range(calls):
                        py_verifier.verify(py_msg, max_age=datetime.timedelta(minutes=5), expect_tag="bench")
                times[f"{side}_verify"].append((time.perf_counter() - t) / calls)
        med = {k: statistics.median(v) for k, v in times.items()}
        for op in ["sign", "verify"]:
            row = {
                "group": "http-message-signatures",
                "alg": alg,
                "op": op,
                "signwire_us": round(med[f"sw_{op}"] * 1e6, 2),
                "http_message_signatures_us": round(med[f"py_{op}"] * 1e6, 2),
                "speedup": round(med[f"py_{op}"] / med[f"sw_{op}"], 2),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print(f"{'algorithm':<20} {'op':<7} {'signwire µs':>12} {'pyauth µs':>12} {'speedup':>8}")
    for r in rows:
        print(f"{r['alg']:<20} {r['op']:<7} {r['signwire_us']:>12} {r['http_message_signatures_us']:>12} {r['speedup']:>7}x")


if __name__ == "__main__":
    main()
