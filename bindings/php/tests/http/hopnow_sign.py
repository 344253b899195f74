#!/usr/bin/env python3
"""A HopNow client written from the spec with Python's hmac, for the PHP tests: prints the
signed headers as JSON. usage: hopnow_sign.py KEY_ID METHOD URL BODY_FILE [TIMESTAMP [NONCE]]
(secret in $SIGNWIRE_TEST_SECRET)."""
import hashlib
import hmac
import json
import os
import secrets
import sys
import time

key_id, method, url, body_file = sys.argv[1:5]
timestamp = sys.argv[5] if len(sys.argv) > 5 else str(int(time.time()))
nonce = sys.argv[6] if len(sys.argv) > 6 else secrets.token_hex(16)
with open(body_file, "rb") as f:
    body = f.read()
payload = method.encode() + url.encode() + timestamp.encode() + nonce.encode() + body
signature = hmac.new(os.environb[b"SIGNWIRE_TEST_SECRET"], payload, hashlib.sha256).hexdigest()
json.dump({"X-API-Key": key_id, "X-Signature": signature, "X-Timestamp": timestamp, "X-Nonce": nonce}, sys.stdout)
