"""Why did it fail: the client's fingerprint line, and its comparison with the server's.

A client that gets "Invalid signature" logs :func:`explain` of the request it sent; the
server (``Verifier(..., diagnostics=True)``) logs ``error.diagnostic``. Neither holds a
secret or a signature, and the body appears only as length + SHA-256 prefix.
:func:`diff` (or ``signwire diff CLIENT SERVER``) names the first component that differs.

>>> import signwire
>>> signer = signwire.Signer("hopnow", key_id="k1", secret=b"s3cret")
>>> sent = signer.sign("POST", "https://api.example.com/v1/pay", body=b"{}")
>>> client = signwire.explain("hopnow", "POST", "https://api.example.com/v1/pay", sent, body=b"{}")
>>> v = signwire.Verifier("hopnow", keys={"k1": b"s3cret"}, diagnostics=True)
>>> try:
...     v.verify("POST", "http://10.0.0.5:8080/v1/pay", sent, body=b"{}")
... except signwire.BadSignature as e:
...     print(signwire.diff(client, e.diagnostic))
URL: client signed https://api.example.com/v1/pay, server rebuilt http://10.0.0.5:8080/v1/pay
"""

from __future__ import annotations

from . import _marshal as m
from .types import Bytes, Headers
from ._native import lib
from .errors import InvalidArgument
from .scheme import Scheme, SchemeLike

__all__ = ["explain", "diff"]


def explain(scheme: SchemeLike, method: str, url: str, headers: Headers, body: Bytes = b"") -> str:
    """The fingerprint line (``signwire-fp ...``) of a request as sent with ``headers``."""
    b = m.data(body, "body")
    u = m.text(url, "url")
    s = Scheme.of(scheme)
    try:
        ptr = s._enter()
        try:
            args = (ptr, m.text(method, "method"), u, b, len(b), m.header_block(headers, InvalidArgument))
            return m.call_out(lib.signwire_fingerprint, args, len(u) + 1024).decode("utf-8")
        finally:
            s._leave()
    finally:
        if s is not scheme:
            s.close()


def diff(client: str, server: str) -> str:
    """One sentence naming the first signed component that differs between a client's
    fingerprint text and a server's diagnostic text (each may be a whole log)."""
    c, s = m.text(client, "client"), m.text(server, "server")
    return m.call_out(lib.signwire_diagnostic_diff, (c, s), 1024).decode("utf-8")
