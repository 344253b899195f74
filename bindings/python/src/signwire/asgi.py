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

``exempt=["/healthz", "/docs*", "/openapi.json"]`` leaves paths open; ``include=[...]``
verifies only the paths listed. For one route at a time, FastAPI::

    from fastapi import Depends
    from signwire.asgi import SignatureRequired
    signed = SignatureRequired(verifier, public_origin="https://api.example.com")

    @app.post("/v1/pay")
    async def pay(key_id: str = Depends(signed)):
        ...

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

from ._http import BAD_REQUEST_BODY, DEFAULT_MAX_BODY, DENY_BODY, DENY_HEADERS, TOO_LARGE_BODY, Guard, PathFilter, PathRules, quote_path
from .verifier import Verifier

__all__ = ["SignwireMiddleware", "SignatureRequired", "SCOPE_KEY", "request_target", "request_url"]

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
    ``exempt`` and ``include`` choose the paths verified (:class:`signwire._http.PathFilter`);
    ``metrics`` (e.g. :class:`signwire.prometheus.Metrics`) counts outcomes. Every 401
    carries ``WWW-Authenticate``.
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
        exempt: PathRules = None,
        include: PathRules = None,
        realm: str = "api",
        metrics: Any = None,
    ) -> None:
        self.app = app
        self.guard = Guard(verifier, public_origin, max_body, logger, open_with, server_time_header, realm, metrics)
        self.offload = verifier.shares_nonces if offload is None else offload
        self.paths = PathFilter(exempt, include)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket") or not self.paths.verifies(scope.get("path") or "/"):
            await self.app(scope, receive, send)
            return
        body = b""
        if kind == "http":
            received = await self._receive_body(scope, receive, send)
            if received is None:
                return
            body = received
        method = scope.get("method", "GET") if kind == "http" else "GET"
        url, note = self.guard.url(_seen_origin(scope), request_target(scope))
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
    headers = [(k, v) for k, v in (list(extra) or list(DENY_HEADERS)) if k != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> Optional[str]:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            value: str = v.decode("latin-1")
            return value
    return None


def request_target(scope: Scope) -> str:
    """The path and query of an ASGI request exactly as the client sent them: the server's
    ``raw_path`` (uvicorn, hypercorn, daphne) and ``query_string``, byte for byte; only
    without ``raw_path`` is the decoded ``root_path + path`` re-quoted.

    >>> request_target({"path": "/café", "raw_path": b"/caf%C3%A9", "query_string": b"x=%2F"})
    '/caf%C3%A9?x=%2F'
    """
    raw = scope.get("raw_path")
    path: str
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


_target = request_target


def request_url(scope: Scope, public_origin: Optional[str] = None) -> str:
    """The complete URL a client signed: ``public_origin`` (or the scheme and host the
    server saw) plus :func:`request_target`. Verify with this, not ``str(request.url)``."""
    from ._http import check_origin

    return (check_origin(public_origin) or _seen_origin(scope)) + request_target(scope)


class SignatureRequired:
    """A FastAPI / Starlette dependency that verifies the request of one route and returns
    the key id; a refusal raises ``HTTPException(401)`` with ``WWW-Authenticate``.

    The raw body is read (and cached by Starlette, so the route can still read or parse it)
    before anything parses it. Options are the middleware's. Use it on the routes to
    protect; others (``/docs``, ``/healthz``) stay open::

        signed = SignatureRequired(verifier, public_origin="https://api.example.com")

        @app.post("/v1/pay")
        async def pay(request: Request, key_id: str = Depends(signed)):
            data = await request.json()   # the verified bytes

    In plain Starlette, call ``key_id = await signed(request)`` in the endpoint.
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        public_origin: Optional[str] = None,
        max_body: int = DEFAULT_MAX_BODY,
        logger: Optional[logging.Logger] = None,
        offload: Optional[bool] = None,
        server_time_header: bool = False,
        realm: str = "api",
        metrics: Any = None,
    ) -> None:
        self.guard = Guard(verifier, public_origin, max_body, logger, None, server_time_header, realm, metrics)
        self.offload = verifier.shares_nonces if offload is None else offload
        try:  # FastAPI injects by annotation: say the argument is the Request
            import inspect

            from starlette.requests import Request

            param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
            self.__signature__ = inspect.Signature([param], return_annotation=str)
        except ImportError:  # pragma: no cover - plain ASGI without Starlette
            pass

    async def __call__(self, request: Any) -> str:
        from starlette.exceptions import HTTPException

        scope = request.scope
        length = _header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > self.guard.max_body):
            raise HTTPException(413 if length.strip().isdigit() else 400, "request body too large" if length.strip().isdigit() else "bad request")
        body = await request.body()
        if len(body) > self.guard.max_body:
            raise HTTPException(413, "request body too large")
        url, note = self.guard.url(_seen_origin(scope), request_target(scope))
        args = (scope.get("method", "GET"), url, note, scope.get("headers") or [], body, (scope.get("client") or [None])[0])
        if self.offload:
            verified, extra = await asyncio.get_running_loop().run_in_executor(None, self.guard.check, *args)
        else:
            verified, extra = self.guard.check(*args)
        if verified is None:
            wanted = {b"www-authenticate", SERVER_TIME}
            raise HTTPException(401, "authentication failed", headers={k.decode(): v.decode() for k, v in extra if k in wanted})
        key_id = verified[0]
        scope[SCOPE_KEY] = key_id
        request.state.signwire_key_id = key_id
        return key_id


SERVER_TIME = b"x-server-time"
