"""ASGI middleware: verify the raw request before the application sees it.

Starlette / FastAPI::

    from signwire.asgi import SignwireMiddleware
    verifier = signwire.Verifier("hopnow", keys={"k1": b"s3cret"})
    app.add_middleware(SignwireMiddleware, verifier=verifier,
                       public_origin="https://api.example.com")

    @app.post("/v1/pay")
    async def pay(request):
        key_id = request.scope["signwire.key_id"]
        data = await request.json()   # the very bytes that were verified

Any ASGI app: ``app = SignwireMiddleware(app, verifier, public_origin=...)``.

The body is received in full, verified byte for byte, then replayed to the application as
one ``http.request`` message: nothing is parsed or re-serialised before verification.
A failure gets ``401`` with a generic body; the reason goes to the ``signwire`` logger.
WebSocket handshakes are verified as ``GET`` with an empty body and closed (1008) on
failure; lifespan events pass through.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Iterable, List, MutableMapping, Optional, Tuple

from ._http import BAD_REQUEST_BODY, DEFAULT_MAX_BODY, DENY_BODY, DENY_HEADERS, TOO_LARGE_BODY, Guard, quote_path
from .verifier import Verifier

__all__ = ["SignwireMiddleware", "SCOPE_KEY"]

#: Where the verified key id is put in the ASGI scope.
SCOPE_KEY = "signwire.key_id"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class SignwireMiddleware:
    """Wrap an ASGI application; only verified requests reach it.

    ``public_origin`` (``"https://api.example.com"``) replaces the scheme, host and port the
    server sees when rebuilding the URL the client signed. ``max_body`` caps the body
    buffered in memory (larger requests get 413). ``offload`` runs verification in a worker
    thread (use it with a network nonce store, so the event loop never waits on it);
    by default it is used when the verifier has a shared nonce store. ``open_with``
    (:class:`signwire.OpeningKeys`) requires non-empty bodies to be sealed tokens,
    verified then opened: the application receives the plaintext. ``server_time_header=True``
    adds ``X-Server-Time: <unix seconds>`` to the 401 of a stale or future timestamp.
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        *,
        public_origin: Optional[str] = None,
        max_body: int = DEFAULT_MAX_BODY,
        logger: Optional[logging.Logger] = None,
        offload: Optional[bool] = None,
        open_with: Any = None,
        server_time_header: bool = False,
    ) -> None:
        self.app = app
        self.guard = Guard(verifier, public_origin, max_body, logger, open_with, server_time_header)
        self.offload = verifier.shares_nonces if offload is None else offload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        body = b""
        if kind == "http":
            received = await self._receive_body(scope, receive, send)
            if received is None:
                return
            body = received
        method = scope.get("method", "GET") if kind == "http" else "GET"
        url, note = self.guard.url(_seen_origin(scope), _target(scope))
        args = (method, url, note, scope.get("headers") or [], body, (scope.get("client") or [None])[0])
        if self.offload:
            verified, extra = await asyncio.get_running_loop().run_in_executor(None, self.guard.check, *args)
        else:
            verified, extra = self.guard.check(*args)
        if verified is None:
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _respond(send, 401, DENY_BODY, extra)
            return
        key_id, opened = verified
        scope = dict(scope)
        if opened is not body:  # a sealed body was opened: the app reads the plaintext
            body = opened
            headers = [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"content-length"]
            scope["headers"] = headers + [(b"content-length", str(len(body)).encode())]
        scope[SCOPE_KEY] = key_id
        state = dict(scope.get("state") or {})
        state["signwire_key_id"] = key_id
        scope["state"] = state
        if kind == "websocket":
            await self.app(scope, receive, send)
        else:
            await self.app(scope, _replay(body, receive), send)

    async def _receive_body(self, scope: Scope, receive: Receive, send: Send) -> Optional[bytes]:
        length = _header(scope, b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                await _respond(send, 400, BAD_REQUEST_BODY)
                return None
            if int(length) > self.guard.max_body:
                await _respond(send, 413, TOO_LARGE_BODY)
                return None
        chunks: List[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.guard.max_body:
                await _respond(send, 413, TOO_LARGE_BODY)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _respond(send: Send, status: int, body: bytes, extra: Iterable[Tuple[bytes, bytes]] = ()) -> None:
    headers = [(k, v) for k, v in list(DENY_HEADERS) + list(extra) if k != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> Optional[str]:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return v.decode("latin-1")
    return None


def _target(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if raw:
        path = raw.decode("utf-8", "surrogateescape")
    else:
        path = quote_path(scope.get("root_path", "") + scope.get("path", "/"))
    query = scope.get("query_string") or b""
    return path + ("?" + query.decode("utf-8", "surrogateescape") if query else "")


def _seen_origin(scope: Scope) -> str:
    scheme = scope.get("scheme") or ("ws" if scope.get("type") == "websocket" else "http")
    host = _header(scope, b"host")
    if not host:
        server: Tuple[str, Optional[int]] = scope.get("server") or ("localhost", None)
        host = server[0]
        if server[1] is not None and server[1] != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{server[1]}"
    return f"{scheme}://{host}"
