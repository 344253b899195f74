#!/usr/bin/env python3
"""Write tests/vectors/seal/jose-vectors.json: JWE tokens made by jwcrypto, an independent
JOSE implementation, for tests/seal.rs to open. Good tokens carry the plaintext to expect;
tokens signwire must refuse carry the status it must give (jwcrypto can make them because
it implements more algorithms than signwire accepts)."""
import importlib.metadata, json, pathlib, secrets
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

here = pathlib.Path(__file__).resolve().parent
vectors = here.parent / "vectors" / "seal"
rsa = jwk.JWK.from_pem((vectors / "rsa2048-private.pem").read_bytes())
rsa_public = jwk.JWK.from_pem((vectors / "rsa2048-public.pem").read_bytes())
aes_raw = secrets.token_bytes(32)
aes = jwk.JWK(kty="oct", k=jwk.base64url_encode(aes_raw))
aes128 = jwk.JWK(kty="oct", k=jwk.base64url_encode(aes_raw[:16]))


def seal(plaintext, key, **header):
    # jwcrypto refuses RSA1_5 by default; allow it to make a token signwire must refuse.
    allowed = jwe.default_allowed_algs + ["RSA1_5"]
    t = jwe.JWE(plaintext, protected=json_encode(header), algs=allowed)
    t.add_recipient(key)
    return t.serialize(compact=True)


cases = []
bodies = [b"", b'{"card":"4111111111111111","cvv":"123"}', bytes(range(256)) * 3]
for i, body in enumerate(bodies):
    cases.append({"name": f"dir body {i}", "token": seal(body, aes, alg="dir", enc="A256GCM", kid="aes-1"),
                  "expect": "ok", "plaintext_hex": body.hex()})
    cases.append({"name": f"rsa body {i}", "token": seal(body, rsa_public, alg="RSA-OAEP-256", enc="A256GCM", kid="rsa-1"),
                  "expect": "ok", "plaintext_hex": body.hex()})
# Extra, harmless header members another implementation may add.
cases.append({"name": "dir with typ and cty", "token": seal(b"x=1", aes, alg="dir", enc="A256GCM", kid="aes-1", typ="JWE", cty="text/plain"),
              "expect": "ok", "plaintext_hex": b"x=1".hex()})
refused = [
    ("RSA-OAEP (SHA-1)", rsa_public, dict(alg="RSA-OAEP", enc="A256GCM", kid="rsa-1"), "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
    ("RSA1_5", rsa_public, dict(alg="RSA1_5", enc="A256GCM", kid="rsa-1"), "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
    ("A256KW", aes, dict(alg="A256KW", enc="A256GCM", kid="aes-1"), "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
    ("A128GCM", aes128, dict(alg="dir", enc="A128GCM", kid="aes-1"), "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
    ("A256CBC-HS512", jwk.JWK(kty="oct", k=jwk.base64url_encode(aes_raw * 2)), dict(alg="dir", enc="A256CBC-HS512", kid="aes-1"),
     "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
    ("zip DEF", aes, dict(alg="dir", enc="A256GCM", kid="aes-1", zip="DEF"), "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
    ("unknown kid", aes, dict(alg="dir", enc="A256GCM", kid="aes-9"), "SIGNWIRE_ERR_UNKNOWN_KEY"),
    ("no kid", aes, dict(alg="dir", enc="A256GCM"), "SIGNWIRE_ERR_MALFORMED_TOKEN"),
    ("wrong AES key", jwk.JWK(kty="oct", k=jwk.base64url_encode(bytes(32))), dict(alg="dir", enc="A256GCM", kid="aes-1"),
     "SIGNWIRE_ERR_DECRYPTION_FAILED"),
    ("RSA key confusion", aes, dict(alg="dir", enc="A256GCM", kid="rsa-1"), "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"),
]
for name, key, header, status in refused:
    cases.append({"name": name, "token": seal(b"card=4111111111111111", key, **header), "expect": status})

doc = {
    "generator": f"jwcrypto {importlib.metadata.version('jwcrypto')} (tests/seal/gen_vectors.py)",
    "keys": {"aes-1": {"aes_hex": aes_raw.hex()}, "rsa-1": {"rsa_private_pem": "rsa2048-private.pem"}},
    "cases": cases,
}
(vectors / "jose-vectors.json").write_text(json.dumps(doc, indent=1) + "\n")
print(f"wrote {len(cases)} cases")
