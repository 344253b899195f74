"""Webhook deliveries, in the shape their senders' own libraries have: a secret, the raw
body and the headers in; the parsed event out. No key id, URL or method: the formats sign
none of them.

Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), as
``standardwebhooks.Webhook(secret).verify(payload, headers)``:

>>> import base64, hashlib, hmac, json, time
>>> from signwire.webhooks import Webhook
>>> secret = "whsec_" + base64.b64encode(b"a shared webhook secret 32 bytes").decode()
>>> body = json.dumps({"type": "invoice.paid", "amount": 100}).encode()
>>> ts = str(int(time.time()))
>>> mac = hmac.new(b"a shared webhook secret 32 bytes", b"msg_1." + ts.encode() + b"." + body, hashlib.sha256)
>>> headers = {"webhook-id": "msg_1", "webhook-timestamp": ts,
...            "webhook-signature": "v1," + base64.b64encode(mac.digest()).decode()}
>>> hook = Webhook(secret)
>>> hook.verify(body, headers)
{'type': 'invoice.paid', 'amount': 100}
>>> hook.verify(body, headers)        # the same delivery again: a replay
Traceback (most recent call last):
  ...
signwire.errors.NonceReplayed: SIGNWIRE_ERR_NONCE_REPLAYED: ...

Stripe (``Stripe-Signature: t=...,v1=...``), as ``stripe.Webhook.construct_event``:

>>> from signwire.webhooks import construct_event
>>> sig = hmac.new(b"whsec_test", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
>>> construct_event(body, f"t={ts},v1={sig}", "whsec_test")["type"]
'invoice.paid'

A refusal raises a :class:`signwire.VerificationError` subclass whose ``context`` holds the
headers (signature left out) and ``payload`` the raw body, for your log.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional, Union

from . import _marshal as m
from .errors import VerificationError
from .types import Bytes, Headers, Seconds
from .verifier import Verifier

__all__ = ["Webhook", "construct_event", "verify"]

Secret = Union[str, bytes]
Secrets = Union[Secret, Iterable[Secret]]

#: The keyring entry the secret is stored under: these formats carry no key id.
KEY_ID = "endpoint"
# The formats sign neither the URL nor the method; the verifier needs well-formed ones.
_URL = "https://webhook.invalid/"


class Webhook:
    """Verifies deliveries to one endpoint; keep one per process so that a replayed
    delivery is refused (its id is remembered for the tolerance window).

    ``secret`` as the sender issued it (``whsec_...``), or a list while it is rolled.
    ``scheme`` is ``"standard-webhooks"`` (default) or ``"stripe"``. ``tolerance``
    (seconds, either side of the server's clock) defaults to the format's (5 minutes).
    ``nonce_store`` is the :class:`signwire.Verifier` option (SQLite or Redis for several
    workers).
    """

    def __init__(
        self,
        secret: Secrets,
        scheme: str = "standard-webhooks",
        *,
        tolerance: Optional[int] = None,
        nonce_store: Any = None,
        diagnostics: bool = False,
    ) -> None:
        secrets: Any = secret if isinstance(secret, (list, tuple)) else [secret]
        self.verifier = Verifier(
            scheme,
            keys={KEY_ID: secrets},
            max_age=tolerance,
            max_future_skew=tolerance,
            nonce_store=nonce_store,
            diagnostics=diagnostics,
        )

    def verify(self, payload: Bytes, headers: Headers, *, now: Optional[Seconds] = None) -> Any:
        """Verify one delivery and return its JSON body parsed."""
        body = m.data(payload, "payload")
        try:
            self.verifier.verify("POST", _URL, headers, body, now=now)
        except VerificationError as e:
            e.payload = body  # type: ignore[attr-defined]
            raise
        return json.loads(body)

    construct_event = verify

    def close(self) -> None:
        self.verifier.close()

    def __enter__(self) -> "Webhook":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def verify(payload: Bytes, headers: Headers, secret: Secrets, scheme: str = "standard-webhooks", tolerance: Optional[int] = None) -> Any:
    """Verify one delivery with a throw-away :class:`Webhook` and return the parsed body.

    The signature and the time window are checked; a replay is not (nothing is
    remembered between calls): keep a :class:`Webhook` for that.
    """
    with Webhook(secret, scheme, tolerance=tolerance) as hook:
        return hook.verify(payload, headers)


def construct_event(payload: Bytes, sig_header: Union[str, Mapping[str, Any]], secret: Secrets, tolerance: Optional[int] = None) -> Any:
    """Stripe's ``construct_event(payload, sig_header, secret)``: ``sig_header`` is the
    ``Stripe-Signature`` value (or all the request's headers). Returns the parsed event."""
    headers = {"Stripe-Signature": sig_header} if isinstance(sig_header, str) else sig_header
    return verify(payload, headers, secret, "stripe", tolerance)
