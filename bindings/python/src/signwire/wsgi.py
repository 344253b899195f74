"""WSGI middleware: verify the raw request before the application sees it.

Flask::

    from signwire.wsgi import SignwireMiddleware
    verifier = signwire.Verifier("hopnow", keys={"k1": b"s3cret"})
    app.wsgi_app = SignwireMiddleware(app.wsgi_app, verifier,
                                      public_origin="https://api.example.com")

    @app.post("/v1/pay")
    def pay():
        key_id = request.environ["signwire.key_id"]
        data = request.get_json()   # the very bytes that were verified

``exempt=["/healthz"]`` leaves paths open (``"/static*"`` for a prefix); ``include=[...]``
verifies only the paths listed. For one view at a time use :func:`signwire.flask.signature_required`
(Flask) or :mod:`signwire.django` (Django middleware and view decorator).

Django: ``application = SignwireMiddleware(get_wsgi_application(), verifier, ...)``.

The body is read once, verified byte for byte, and handed to the application unchanged
(``wsgi.input`` is replaced by an in-memory copy): nothing is parsed or re-serialised
before verification. A failure gets ``401`` with a generic body; the reason (status name,
library detail, and how the URL was rebuilt) goes to the ``signwire`` logger.

>>> import io, signwire
>>> from signwire.wsgi import SignwireMiddleware
>>> v = signwire.Verifier("hopnow", keys={"k1": b"s3cret"})
>>> mw = SignwireMiddleware(lambda env, sr: [b"hi"], v, public_origin="https://api.example.com")
>>> statuses = []
>>> env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.input": io.BytesIO(),
...        "wsgi.url_scheme": "http", "HTTP_HOST": "10.0.0.5:8000"}
>>> mw(env, lambda s, h: statuses.append(s))
[b'{"error":"authentication failed"}']
>>> statuses
['401 Unauthorized']

:func:`request_target` is the path and query exactly as the client sent them (Werkzeug's
``request.url`` and Django's ``build_absolute_uri()`` re-encode them):

>>> request_target({"RAW_URI": "/caf%C3%A9?x=%2F", "PATH_INFO": "/caf\xc3\xa9", "QUERY_STRING": "x=%2F"})
'/caf%C3%A9?x=%2F'
"""

from __future__ import annotations

import io
import logging
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ._http import BAD_REQUEST_BODY, DEFAULT_MAX_BODY, DENY_BODY, DENY_HEADERS, TOO_LARGE_BODY, Guard, PathFilter, PathRules, quote_path
from ._http import request_target as _origin_form
from .verifier import Verifier

__all__ = ["SignwireMiddleware", "ENVIRON_KEY", "request_target", "request_url", "verify_environ"]

#: Where the verified key id is put in the WSGI environ.
ENVIRON_KEY = "signwire.key_id"

StartResponse = Callable[..., Any]
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class _BodyError(Exception):
    def __init__(self, status: str, body: bytes) -> None:
        self.status, self.body = status, body


class SignwireMiddleware:
    """Wrap a WSGI application; only verified requests reach it.

    ``public_origin`` (``"https://api.example.com"``) replaces the scheme, host and port the
    server sees when rebuilding the URL the client signed. ``max_body`` caps the body read
    into memory (larger requests get 413). ``open_with`` (:class:`signwire.OpeningKeys`)
    requires non-empty bodies to be sealed tokens, verified then opened: the application
    reads the plaintext. ``server_time_header=True`` adds ``X-Server-Time: <unix seconds>``
    to the 401 of a stale or future timestamp. ``exempt`` and ``include`` choose the paths
    verified (:class:`signwire._http.PathFilter`). ``metrics`` (e.g.
    :class:`signwire.prometheus.Metrics`) counts outcomes. Every 401 carries
    ``WWW-Authenticate``.
    """

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        verifier: Verifier,
        *,
        public_origin: Optional[str] = None,
        max_body: int = DEFAULT_MAX_BODY,
        logger: Optional[logging.Logger] = None,
        open_with: Any = None,
        server_time_header: bool = False,
        exempt: PathRules = None,
        include: PathRules = None,
        realm: str = "api",
        metrics: Any = None,
    ) -> None:
        self.app = app
        self.guard = Guard(verifier, public_origin, max_body, logger, open_with, server_time_header, realm, metrics)
        self.paths = PathFilter(exempt, include)
        self._store_checked = False

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self._store_checked:
            self._store_checked = True
            _warn_if_store_is_per_process(self.guard.verifier, environ, self.guard.log)
        if not self.paths.verifies(environ.get("PATH_INFO") or "/"):
            return self.app(environ, start_response)
        try:
            body = self._read_body(environ)
        except _BodyError as e:
            return _respond(start_response, e.status, e.body)
        verified, extra = verify_environ(self.guard, environ, body)
        if verified is None:
            return _respond(start_response, "401 Unauthorized", DENY_BODY, extra)
        key_id, body = verified
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[ENVIRON_KEY] = key_id
        return self.app(environ, start_response)

    def _read_body(self, environ: Dict[str, Any]) -> bytes:
        stream = environ.get("wsgi.input")
        length_text = (environ.get("CONTENT_LENGTH") or "").strip()
        if length_text:
            if not length_text.isdigit():
                raise _BodyError("400 Bad Request", BAD_REQUEST_BODY)
            length = int(length_text)
            if length > self.guard.max_body:
                raise _BodyError("413 Payload Too Large", TOO_LARGE_BODY)
            return _read(stream, length, exact=True)
        if environ.get("wsgi.input_terminated") and stream is not None:
            data = _read(stream, self.guard.max_body + 1, exact=False)
            if len(data) > self.guard.max_body:
                raise _BodyError("413 Payload Too Large", TOO_LARGE_BODY)
            return data
        return b""


def _read(stream: Any, limit: int, exact: bool) -> bytes:
    if stream is None:
        if exact and limit:
            raise _BodyError("400 Bad Request", BAD_REQUEST_BODY)
        return b""
    chunks: List[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if exact and remaining:
        # The client sent less than it announced: the body is not what it signed.
        raise _BodyError("400 Bad Request", BAD_REQUEST_BODY)
    return b"".join(chunks)


def verify_environ(guard: Guard, environ: Dict[str, Any], body: bytes) -> Tuple[Optional[Tuple[str, bytes]], List[Tuple[bytes, bytes]]]:
    """Verify a WSGI request whose raw body was already read: (key id, body) or ``None``,
    and the 401's headers. For glue that reads the body its own way (Flask, Django)."""
    method = environ.get("REQUEST_METHOD", "GET")
    url, note = guard.url(_seen_origin(environ), request_target(environ))
    return guard.check(method, url, note, _headers(environ), body, environ.get("REMOTE_ADDR"))


def _respond(start_response: StartResponse, status: str, body: bytes, extra: Iterable[Tuple[bytes, bytes]] = ()) -> List[bytes]:
    headers = [(k.decode(), v.decode()) for k, v in (list(extra) or list(DENY_HEADERS)) if k != b"content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(status, headers)
    return [body]


def _native_bytes(value: str) -> bytes:
    # PEP 3333 "native strings" carry the raw bytes as Latin-1 characters.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def request_target(environ: Dict[str, Any]) -> str:
    """The path and query of a WSGI request exactly as the client sent them.

    From the server's raw target (``RAW_URI`` from Werkzeug and gunicorn, ``REQUEST_URI``
    from uWSGI and mod_wsgi) when there is one, byte for byte; otherwise rebuilt from
    ``SCRIPT_NAME``, ``PATH_INFO`` (re-quoted) and ``QUERY_STRING`` (as received).
    """
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return _origin_form(_native_bytes(raw).decode("utf-8", "surrogateescape"))
    path = _native_bytes(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).decode("utf-8", "surrogateescape")
    query = environ.get("QUERY_STRING", "")
    return quote_path(path or "/") + (f"?{query}" if query else "")


_target = request_target


def request_url(environ: Dict[str, Any], public_origin: Optional[str] = None) -> str:
    """The complete URL a client signed: ``public_origin`` (or the scheme and host the
    server saw) plus :func:`request_target`. Verify with this, not ``request.url``."""
    from ._http import check_origin

    return (check_origin(public_origin) or _seen_origin(environ)) + request_target(environ)


def _seen_origin(environ: Dict[str, Any]) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


def _headers(environ: Dict[str, Any]) -> List[Tuple[str, bytes]]:
    out = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-"), _native_bytes(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-"), _native_bytes(value)))
    return out


def _warn_if_store_is_per_process(verifier: Verifier, environ: Dict[str, Any], logger: Optional[logging.Logger]) -> None:
    # A server that says its workers are separate processes (PEP 3333 wsgi.multiprocess) but
    # one the verifier did not recognise at construction: each worker's memory store would
    # accept a replay once. Said once, loudly; the fix is a shared store.
    store = getattr(verifier, "_nonce_store", None)
    if environ.get("wsgi.multiprocess") and (store is None or (isinstance(store, str) and store.startswith("memory:"))):
        (logger or logging.getLogger("signwire")).error(
            "signwire: this WSGI server runs several worker processes but the verifier's nonce store is "
            "per-process memory, so a replayed request is accepted once per worker: pass "
            "nonce_store='host://' (one SQLite file per host) or a sqlite:// or redis:// store URL"
        )
