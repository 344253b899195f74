"""Standard Webhooks and Stripe presets against the schemes' own libraries (PyPI
`standardwebhooks` and `stripe`), both ways, through the Python binding and the CLI.

signwire signs -> the library verifies; the library signs -> signwire verifies; tampering
and rotation (several signatures in one header) are refused or accepted as the libraries do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import standardwebhooks
import stripe

import signwire

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("SIGNWIRE_CLI", str(ROOT / "target" / "release" / "signwire"))
URL = "https://receiver.example.com/hooks"
BODY = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "note": "Grüße"}).encode()
WHSEC = "whsec_" + base64.b64encode(os.urandom(32)).decode()
WHSEC_OLD = "whsec_" + base64.b64encode(os.urandom(32)).decode()
STRIPE_SECRET = "whsec_" + os.urandom(16).hex()


# ---- Standard Webhooks ---------------------------------------------------------------

def test_standard_webhooks_signwire_signs_library_verifies():
    now = int(time.time())
    sent = signwire.Signer("standard-webhooks", key_id="endpoint", secret=WHSEC).sign(
        "POST", URL, BODY, timestamp=now, nonce="msg_2Lx7fYbQk9")
    assert set(sent) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert sent["webhook-signature"].startswith("v1,")
    assert standardwebhooks.Webhook(WHSEC).verify(BODY, sent) == json.loads(BODY)
    # Independently: HMAC-SHA256 over {id}.{timestamp}.{body} with the base64-decoded secret.
    key = base64.b64decode(WHSEC[len("whsec_"):])
    want = base64.b64encode(hmac.new(key, b"msg_2Lx7fYbQk9." + str(now).encode() + b"." + BODY, hashlib.sha256).digest()).decode()
    assert sent["webhook-signature"] == "v1," + want


def test_standard_webhooks_library_signs_signwire_verifies_with_rotation_and_replay():
    now = datetime.now(timezone.utc)
    lib_new = standardwebhooks.Webhook(WHSEC)
    lib_old = standardwebhooks.Webhook(WHSEC_OLD)
    sig_new = lib_new.sign("msg_rot", now, BODY.decode())
    sig_old = lib_old.sign("msg_rot", now, BODY.decode())
    ts = str(int(now.timestamp()))
    # The sender signs with both secrets during its rotation: one header, space-separated.
    headers = {"webhook-id": "msg_rot", "webhook-timestamp": ts, "webhook-signature": f"{sig_old} {sig_new}"}
    v = signwire.Verifier("standard-webhooks", keys={"endpoint": WHSEC})
    assert v.verify("POST", URL, headers, BODY) == "endpoint"
    with pytest.raises(signwire.NonceReplayed):
        v.verify("POST", URL, headers, BODY)
    # Only the old secret's signature: refused by a receiver that has only the new secret.
    only_old = dict(headers, **{"webhook-signature": sig_old})
    with pytest.raises(signwire.BadSignature):
        signwire.Verifier("standard-webhooks", keys={"endpoint": WHSEC}).verify("POST", URL, only_old, BODY)


@pytest.mark.parametrize("field,value,error", [
    ("body", BODY + b" ", signwire.BadSignature),
    ("webhook-id", "msg_other", signwire.BadSignature),
    ("webhook-timestamp", None, signwire.BadSignature),
    ("webhook-signature", "v1a,AAAA", signwire.MalformedHeader),
])
def test_standard_webhooks_tampering(field, value, error):
    now = datetime.now(timezone.utc)
    sig = standardwebhooks.Webhook(WHSEC).sign("msg_t", now, BODY.decode())
    headers = {"webhook-id": "msg_t", "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": sig}
    body = BODY
    if field == "body":
        body = value
    elif field == "webhook-timestamp":
        headers[field] = str(int(now.timestamp()) - 1)
    else:
        headers[field] = value
    with pytest.raises(error):
        signwire.Verifier("standard-webhooks", keys={"e": WHSEC}).verify("POST", URL, headers, body)
    # The library agrees that the tampered request is not authentic.
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(WHSEC).verify(body, headers)


def test_standard_webhooks_stale_timestamp():
    old = int(time.time()) - 3600
    sent = signwire.Signer("standard-webhooks", key_id="e", secret=WHSEC).sign("POST", URL, BODY, timestamp=old, nonce="msg_old")
    with pytest.raises(signwire.TimestampTooOld):
        signwire.Verifier("standard-webhooks", keys={"e": WHSEC}).verify("POST", URL, sent, BODY)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(WHSEC).verify(BODY, sent)


def test_standard_webhooks_cli_both_ways(tmp_path):
    body = tmp_path / "body"
    body.write_bytes(BODY)
    env = {"S": WHSEC}
    out = subprocess.run([CLI, "sign", "--scheme", "standard-webhooks", "--key-id", "e", "--secret-env", "S",
                          "--method", "POST", "--url", URL, "--body-file", str(body), "--nonce", "msg_cli"],
                         env=env, capture_output=True, text=True, check=True).stdout
    headers = dict(l.split(": ", 1) for l in out.splitlines() if ": " in l)
    standardwebhooks.Webhook(WHSEC).verify(BODY, headers)
    now = datetime.now(timezone.utc)
    sig = standardwebhooks.Webhook(WHSEC).sign("msg_lib", now, BODY.decode())
    args = [CLI, "verify", "--scheme", "standard-webhooks", "--key-id", "e", "--secret-env", "S", "--method", "POST",
            "--url", URL, "--body-file", str(body), "--header", "webhook-id: msg_lib",
            "--header", f"webhook-timestamp: {int(now.timestamp())}", "--header", f"webhook-signature: {sig}"]
    r = subprocess.run(args, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok e", r.stderr
    bad = subprocess.run(args[:-1] + [f"webhook-signature: v1,{base64.b64encode(bytes(32)).decode()}"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stdout.strip() == "SIGNWIRE_ERR_BAD_SIGNATURE"


# ---- Stripe ----------------------------------------------------------------------------

def test_stripe_signwire_signs_library_verifies():
    sent = signwire.Signer("stripe", key_id="acct", secret=STRIPE_SECRET).sign("POST", URL, BODY)
    header = sent["Stripe-Signature"]
    assert stripe.WebhookSignature.verify_header(BODY.decode(), header, STRIPE_SECRET, tolerance=300)
    event = stripe.Webhook.construct_event(BODY, header, STRIPE_SECRET)
    assert event["id"] == "evt_1"
    t = header.split(",")[0][2:]
    want = hmac.new(STRIPE_SECRET.encode(), t.encode() + b"." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={t},v1={want}"


def stripe_header(secret: str, t: int, body: bytes) -> str:
    # The stripe library's own signer (what its test helpers use).
    return stripe.WebhookSignature._compute_signature(f"{t}.{body.decode()}", secret)


def test_stripe_library_signs_signwire_verifies_with_several_v1():
    t = int(time.time())
    other = "whsec_" + os.urandom(16).hex()
    header = f"t={t},v1={stripe_header(other, t, BODY)},v1={stripe_header(STRIPE_SECRET, t, BODY)},v0=deadbeef"
    stripe.WebhookSignature.verify_header(BODY.decode(), header, STRIPE_SECRET, tolerance=300)
    v = signwire.Verifier("stripe", keys={"acct": STRIPE_SECRET})
    assert v.verify("POST", URL, {"Stripe-Signature": header}, BODY) == "acct"
    with pytest.raises(signwire.NonceReplayed):
        v.verify("POST", URL, {"Stripe-Signature": header}, BODY)


@pytest.mark.parametrize("mutate,error", [
    (lambda t, h, b: (h, b + b"x"), signwire.BadSignature),
    (lambda t, h, b: (h.replace(f"t={t}", f"t={t + 1}"), b), signwire.BadSignature),
    (lambda t, h, b: (f"t={t}", b), signwire.MalformedHeader),
    (lambda t, h, b: (h.split(",", 1)[1], b), signwire.MalformedHeader),
])
def test_stripe_tampering(mutate, error):
    t = int(time.time())
    header = f"t={t},v1={stripe_header(STRIPE_SECRET, t, BODY)}"
    h, b = mutate(t, header, BODY)
    with pytest.raises(error):
        signwire.Verifier("stripe", keys={"acct": STRIPE_SECRET}).verify("POST", URL, {"Stripe-Signature": h}, b)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(b.decode(), h, STRIPE_SECRET, tolerance=300)


def test_stripe_stale_and_cli(tmp_path):
    t = int(time.time()) - 3600
    header = f"t={t},v1={stripe_header(STRIPE_SECRET, t, BODY)}"
    with pytest.raises(signwire.TimestampTooOld):
        signwire.Verifier("stripe", keys={"acct": STRIPE_SECRET}).verify("POST", URL, {"Stripe-Signature": header}, BODY)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(BODY.decode(), header, STRIPE_SECRET, tolerance=300)
    body = tmp_path / "body"
    body.write_bytes(BODY)
    out = subprocess.run([CLI, "sign", "--scheme", "stripe", "--key-id", "acct", "--secret-env", "S", "--method", "POST",
                          "--url", URL, "--body-file", str(body)], env={"S": STRIPE_SECRET}, capture_output=True, text=True, check=True).stdout
    header = out.strip().split(": ", 1)[1]
    assert stripe.Webhook.construct_event(BODY, header, STRIPE_SECRET)["type"] == "payment_intent.succeeded"
