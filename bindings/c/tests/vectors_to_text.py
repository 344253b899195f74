#!/usr/bin/env python3
"""Flatten the shared vectors (tests/vectors/*.json) into one line per case for the C test.

The C test has no JSON parser; this script only re-encodes fields (every value hex, so no
quoting is needed) and computes nothing. Line formats, fields separated by one space:

  mac <algorithm> <key_hex> <data_hex> <expected_hex> <expected_base64>
  req <name_hex> <scheme_hex> <key_id_hex> <secret_hex> <method> <url_hex> <timestamp>
      <nonce> <body_hex> <headers_hex> <payload_hex|-> <payload_sha256|-> <signature_hex>

`scheme_hex` is the preset name or the scheme's JSON text; `headers_hex` a `Name: value\\r\\n`
block of the extra request headers a scheme signs. Empty fields are written as `-`.
"""
import json
import pathlib
import sys

MAC_FILES = ("rfc4231.json", "rfc2202.json")
REQUEST_FILES = ("hopnow.json", "generic.json")


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
    if not root.is_dir():
        print(f"vectors_to_text: {root} does not exist; no shared vectors", file=sys.stderr)
        return 0
    out = []
    for name in MAC_FILES:
        p = root / name
        if not p.exists():
            continue
        for c in json.loads(p.read_text())["cases"]:
            alg = c["algorithm"].lower().removeprefix("hmac-").replace("-", "")
            out.append(" ".join(["mac", alg, c["key_hex"] or "-", c["data_hex"] or "-", c["hex"], c["base64"]]))
    for name in REQUEST_FILES:
        p = root / name
        if not p.exists():
            continue
        doc = json.loads(p.read_text())
        scheme = doc["scheme"] if isinstance(doc["scheme"], str) else json.dumps(doc["scheme"])
        for v in doc["vectors"]:
            headers = "".join(f"{k}: {val}\r\n" for k, val in (v.get("headers") or {}).items())
            payload = v.get("payload_hex") or "-"
            out.append(" ".join([
                "req", h(v["name"]), h(scheme), h(v["key_id"]), h(v["secret"]), v["method"], h(v["url"]),
                v["timestamp"], v["nonce"], h(body_bytes(v["body"])), h(headers),
                payload if payload != "" else "-", v.get("payload_sha256") or "-", h(v["signature"]),
            ]))
    if not out:
        print(f"vectors_to_text: no vectors found in {root}", file=sys.stderr)
        return 1
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
