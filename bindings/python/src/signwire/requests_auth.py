"""``requests`` glue: an ``AuthBase`` that signs the exact bytes each request sends.

>>> import requests, signwire
>>> from signwire.requests_auth import SignwireAuth
>>> auth = SignwireAuth(signwire.Signer("hopnow", key_id="k1", secret=b"s3cret"))
>>> r = requests.Request("POST", "https://api.example.com/v1/pay", json={"amount": 100},
...                      auth=auth).prepare()
>>> sorted(k for k in r.headers if k.startswith("X-"))
['X-API-Key', 'X-Nonce', 'X-Signature', 'X-Timestamp']

The URL signed is the prepared URL (``PreparedRequest.url``), which is what requests puts on
the wire. A ``str`` body is encoded as UTF-8 here, and a file or generator body is read into
memory, so that the bytes signed are the bytes sent (requests would otherwise send ``str`` as
Latin-1 and stream files unsigned). Each request, and each retry, gets a fresh nonce.

With ``seal_to=`` (a :class:`signwire.Recipient`), each non-empty body is sealed into a
JWE token first and the token is what is signed and sent (encrypt-then-sign); a server with
``open_with=`` in its middleware verifies, then opens it.
"""

from __future__ import annotations

from typing import Any, Optional

import requests
from requests.auth import AuthBase

from .signer import Signer

__all__ = ["SignwireAuth"]


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    # An iterable of chunks (requests would send it chunked).
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)


class SignwireAuth(AuthBase):
    """Sign every request with ``signer``.

    Pass a :class:`signwire.Signer`, or the arguments to build one::

        session.auth = SignwireAuth("hopnow", key_id="k1", secret=b"s3cret")
    """

    def __init__(self, signer: Any, key_id: Optional[str] = None, secret: Any = None, *, seal_to: Any = None) -> None:
        #: A :class:`signwire.Recipient`: seal each non-empty body, then sign the token
        #: (encrypt-then-sign), sent as ``Content-Type: application/jose``.
        self.seal_to = seal_to
        if isinstance(signer, Signer):
            if key_id is not None or secret is not None:
                raise TypeError("give a Signer, or a scheme with key_id and secret, not both")
            self.signer = signer
        else:
            if key_id is None or secret is None:
                raise TypeError("SignwireAuth(scheme, key_id=..., secret=...) needs key_id and secret")
            self.signer = Signer(signer, key_id=key_id, secret=secret)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = _body_bytes(r.body)
        if self.seal_to is not None and body:
            body = self.seal_to.seal(body)
            r.headers["Content-Type"] = "application/jose"
        if r.body is not None and r.body is not body:
            # Send exactly what was signed, with a length instead of chunked encoding.
            r.body = body
            r.headers.pop("Transfer-Encoding", None)
            r.headers["Content-Length"] = str(len(body))
        signed = self.signer.sign(r.method or "GET", r.url or "", body, headers=r.headers)
        r.headers.update(signed)
        return r

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SignwireAuth) and other.signer is self.signer

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        return f"SignwireAuth({self.signer!r})"
