"""``httpx`` glue: an ``httpx.Auth`` that signs every attempt, retries included.

>>> import httpx, signwire
>>> from signwire.httpx_auth import SignwireAuth
>>> auth = SignwireAuth(signwire.Signer("hopnow", key_id="k1", secret=b"s3cret"), retries=3)
>>> r = httpx.Request("POST", "https://api.example.com/v1/pay", json={"amount": 100})
>>> sorted(k for k in next(auth.sync_auth_flow(r)).headers if k.startswith("x-"))
['x-api-key', 'x-nonce', 'x-signature', 'x-timestamp']

The body signed is the request's content, exactly as httpx sends it. ``retries`` resends a
request answered with one of ``retry_statuses`` (502, 503, 504 and 429 by default) after an
exponential backoff (``backoff * 2**n`` seconds, or the server's ``Retry-After``), each time
with a fresh timestamp and nonce.

httpx follows redirects below the auth layer, copying the signed headers; give the client
``event_hooks={"request": [auth.resign]}`` (as :func:`client` does) so that each redirect
hop to the same origin is signed afresh and a hop to another origin carries no signature.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncGenerator, Generator, Iterable, Optional

import httpx

from .signer import Signer

__all__ = ["SignwireAuth", "client"]

_ORIGIN = "signwire_origin"


class SignwireAuth(httpx.Auth):
    """Sign with ``signer`` (a :class:`signwire.Signer`); retry as described above."""

    requires_request_body = True

    def __init__(
        self,
        signer: Signer,
        *,
        retries: int = 0,
        backoff: float = 0.5,
        retry_statuses: Iterable[int] = (429, 502, 503, 504),
        max_backoff: float = 30.0,
    ) -> None:
        if not isinstance(signer, Signer):
            raise TypeError("signer must be a signwire.Signer")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a non-negative int")
        self.signer = signer
        self.retries = retries
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.retry_statuses = frozenset(retry_statuses)
        names = signer._scheme_doc.get("headers") or {}
        self._names = [v for v in names.values() if v]

    def sign(self, request: httpx.Request) -> httpx.Request:
        """Put fresh authentication headers on ``request``."""
        request.headers.update(self.signer.sign(request.method, str(request.url), request.content, headers=dict(request.headers)))
        request.extensions = {**request.extensions, _ORIGIN: _origin(request.url)}
        return request

    def resign(self, request: httpx.Request) -> None:
        """A ``request`` event hook: re-sign a redirect hop to the origin first signed,
        strip the signature from a hop to another origin."""
        first = request.extensions.get(_ORIGIN)
        if first is None:
            return
        if first == _origin(request.url):
            request.read()
            self.sign(request)
        else:
            for name in self._names:
                request.headers.pop(name, None)

    def _delay(self, attempt: int, response: httpx.Response) -> Optional[float]:
        if attempt >= self.retries or response.status_code not in self.retry_statuses:
            return None
        after = response.headers.get("Retry-After", "")
        if after.isdigit():
            return min(float(after), self.max_backoff)
        return float(min(self.backoff * (2**attempt), self.max_backoff))

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        attempt = 0
        while True:
            response = yield self.sign(request)
            delay = self._delay(attempt, response)
            if delay is None:
                return
            time.sleep(delay)  # httpx reads and releases the response itself
            attempt += 1

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        attempt = 0
        while True:
            response = yield self.sign(request)
            delay = self._delay(attempt, response)
            if delay is None:
                return
            await asyncio.sleep(delay)
            attempt += 1


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def client(signer: Signer, *, retries: int = 0, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` signing every attempt and every same-origin redirect hop."""
    auth = SignwireAuth(signer, retries=retries)
    hooks = dict(kwargs.pop("event_hooks", {}) or {})
    hooks["request"] = list(hooks.get("request", [])) + [auth.resign]
    return httpx.Client(auth=auth, event_hooks=hooks, **kwargs)
