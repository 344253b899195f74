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

``SignwireAuth`` signs when requests prepares the request, once: urllib3's ``Retry`` and
redirects would resend the same headers (a replayed nonce). :func:`session` (or
:class:`SigningAdapter` mounted on your API's origin) signs every attempt instead, retries
with backoff and redirects included:

>>> from urllib3.util.retry import Retry
>>> from signwire.requests_auth import session
>>> s = session(signwire.Signer("hopnow", key_id="k1", secret=b"s3cret"),
...             retries=Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503, 504]))

With ``seal_to=`` (a :class:`signwire.Recipient`), each non-empty body is sealed into a
JWE token first and the token is what is signed and sent (encrypt-then-sign); a server with
``open_with=`` in its middleware verifies, then opens it.
"""

from __future__ import annotations

from typing import Any, Optional, Union
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from .signer import Signer

__all__ = ["SignwireAuth", "SigningAdapter", "SigningSession", "session"]


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


class SigningAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that signs every attempt it sends: each retry (``max_retries``,
    a urllib3 ``Retry`` with its backoff and ``Retry-After``) and each redirect hop gets a
    fresh timestamp and nonce. Mount it on the origin of the API only, so that nothing
    else is signed::

        s = requests.Session()
        s.mount("https://api.example.com/", SigningAdapter(signer, max_retries=Retry(total=3)))

    The retries run here, one signed request at a time (urllib3 itself is told not to
    retry, as it would resend the same signed bytes).
    """

    def __init__(self, signer: Any, key_id: Optional[str] = None, secret: Any = None, *, max_retries: Union[int, Retry] = 0, seal_to: Any = None, **kwargs: Any) -> None:
        self.auth = SignwireAuth(signer, key_id, secret, seal_to=seal_to)
        self.retry = max_retries if isinstance(max_retries, Retry) else Retry.from_int(max_retries)
        super().__init__(max_retries=Retry(0, read=False, redirect=False, raise_on_status=False), **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        retry = self.retry
        method = request.method or "GET"
        while True:
            attempt = request.copy()
            self.auth(attempt)
            try:
                response = super().send(attempt, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as e:
                cause = e.args[0] if e.args else None
                reason = cause.reason if isinstance(cause, MaxRetryError) else cause
                try:
                    retry = retry.increment(method, request.url, error=reason if isinstance(reason, Exception) else None)
                except MaxRetryError:
                    raise e from None
                except Exception:  # urllib3 re-raises errors it will not retry
                    raise e from None
                retry.sleep()
                continue
            has_retry_after = bool(response.headers.get("Retry-After"))
            if not retry.is_retry(method, response.status_code, has_retry_after):
                return response
            try:
                retry = retry.increment(method, request.url, response=response.raw)
            except MaxRetryError:
                if retry.raise_on_status:
                    response.close()
                    raise requests.exceptions.RetryError(f"{request.url}: too many {response.status_code} responses", request=request, response=response)
                return response
            retry.sleep(response.raw)
            response.close()


class SigningSession(requests.Session):
    """A ``requests.Session`` whose attempts are all signed by a :class:`SigningAdapter`
    (made by :func:`session`). On a redirect to another origin the signature headers are
    dropped, as requests drops ``Authorization``."""

    signed_origins: "tuple[str, ...]" = ()
    header_names: "tuple[str, ...]" = ()

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        super().rebuild_auth(prepared_request, response)
        if not _origin(prepared_request.url or "").startswith(self.signed_origins):
            for name in self.header_names:
                prepared_request.headers.pop(name, None)


def _origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}/"


def session(signer: Any, *, retries: Union[int, Retry] = 0, origins: Any = ("https://", "http://"), seal_to: Any = None) -> SigningSession:
    """A session signing every attempt to ``origins`` (URL prefixes; every URL by default:
    give your API's, e.g. ``["https://api.example.com/"]``), retrying as ``retries`` says."""
    if isinstance(origins, str):
        origins = [origins]
    s = SigningSession()
    adapter = SigningAdapter(signer, max_retries=retries, seal_to=seal_to)
    for prefix in origins:
        s.mount(prefix, adapter)
    s.signed_origins = tuple(origins)
    names = adapter.auth.signer._scheme_doc.get("headers") or {}
    s.header_names = tuple(v for v in names.values() if v)
    return s
