#!/usr/bin/env python3
"""Flatten the shared vectors (tests/vectors/*.json) into one line per case for the C test.

The C test has no JSON parser; this script only re-encodes fields (every value hex, so no
quoting is needed) and computes nothing. Line formats, fields separated by one space:

  mac <algorithm> <key_hex> <data_hex> <expected_hex> <expected_base64>
  req <name_hex> <scheme_hex> <key_id_hex> <secret_hex> <method> <url_hex> <timestamp>
      <nonce> <body_hex> <headers_hex> <payload_hex|-> <payload_sha256|-> <signature_hex>

  jwe <name_hex> <token> <expect> <plaintext_hex|->       (seal/jose-vectors.json, by jwcrypto)

`scheme_hex` is the preset name or the scheme's JSON text; `headers_hex` a `Name: value\\r\\n`
block of the extra request headers a scheme signs. Empty fields are written as `-`.

The first line is `count <mac lines> <req lines> <jwe lines>`: the C test fails when it reads a different
number (a truncated file). Every file listed below must exist and hold cases: a missing or
empty one is an error here, never a silently smaller run.
"""
import json
import pathlib
import sys

MAC_FILES = ("rfc4231.json", "rfc2202.json")
REQUEST_FILES = ("hopnow.json", "generic.json")
JWE_FILE = "seal/jose-vectors.json"
# The AES key (`aes-1`) that opens the dir tokens; the C test holds the same constant.
AES_1 = "d2517c1bfa20eaba09d4c7533512d13049c301e3dfbd059f56cbc971cb17d0ca"


def h(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data.hex() if data else "-"


def body_bytes(body):
    if isinstance(body, str):
        return body.encode("utf-8")
    if "utf8" in body:
        return body["utf8"].encode("utf-8")
    if "hex" in body:
        return bytes.fromhex(body["hex"])
    if "repeat" in body:
        return body["repeat"].encode("utf-8") * int(body["times"])
    raise ValueError(f"unknown body form {sorted(body)}")


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors")
    missing = [n for n in MAC_FILES + REQUEST_FILES + (JWE_FILE,) if not (root / n).is_file()]
    if missing:
        print(f"vectors_to_text: missing in {root}: {', '.join(missing)}", file=sys.stderr)
        return 1
    out = []
    for name in MAC_FILES:
        p = root / name
        cases = json.loads(p.read_text())["cases"]
        if not cases:
            print(f"vectors_to_text: {p} has no cases", file=sys.stderr)
            return 1
        for c in cases:
            alg = c["algorithm"].lower().removeprefix("hmac-").replace("-", "")
            out.append(" ".join(["mac", alg, c["key_hex"] or "-", c["data_hex"] or "-", c["hex"], c["base64"]]))
    for name in REQUEST_FILES:
        p = root / name
        doc = json.loads(p.read_text())
        if not doc["vectors"]:
            print(f"vectors_to_text: {p} has no vectors", file=sys.stderr)
            return 1
        scheme = doc["scheme"] if isinstance(doc["scheme"], str) else json.dumps(doc["scheme"])
        for v in doc["vectors"]:
            headers = "".join(f"{k}: {val}\r\n" for k, val in (v.get("headers") or {}).items())
            payload = v.get("payload_hex") or "-"
            out.append(" ".join([
                "req", h(v["name"]), h(scheme), h(v["key_id"]), h(v["secret"]), v["method"], h(v["url"]),
                v["timestamp"], v["nonce"], h(body_bytes(v["body"])), h(headers),
                payload if payload != "" else "-", v.get("payload_sha256") or "-", h(v["signature"]),
            ]))
    jwe = json.loads((root / JWE_FILE).read_text())
    if jwe["keys"]["aes-1"]["aes_hex"] != AES_1:
        print(f"vectors_to_text: {JWE_FILE}'s aes-1 key changed; update AES_1 here and in test_signwire.c", file=sys.stderr)
        return 1
    for c in jwe["cases"]:
        out.append(" ".join(["jwe", h(c["name"]), c["token"], c["expect"], c.get("plaintext_hex") or "-"]))
    count = {kind: sum(1 for line in out if line.startswith(kind + " ")) for kind in ("mac", "req", "jwe")}
    if min(count.values()) == 0:
        print(f"vectors_to_text: no vectors of some kind in {root}: {count}", file=sys.stderr)
        return 1
    sys.stdout.write(f"count {count['mac']} {count['req']} {count['jwe']}\n" + "\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
