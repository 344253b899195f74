"""Flask: protect one view at a time with :func:`signature_required`.

::

    from flask import Flask, g, request
    from signwire.flask import signature_required

    app = Flask(__name__)
    signed = signature_required(verifier, public_origin="https://api.example.com")

    @app.post("/v1/pay")
    @signed
    def pay():
        return {"from": g.signwire_key_id, "order": request.get_json()}

    @app.get("/healthz")          # not decorated: open
    def healthz():
        return "ok"

The raw body is read once (``request.get_data(cache=True)``), verified byte for byte, and
stays available to the view; the URL is the one the client sent
(:func:`signwire.wsgi.request_url`), not Werkzeug's re-encoded ``request.url``. A refusal is
a generic 401 with ``WWW-Authenticate``; the reason goes to the ``signwire`` logger. To
protect a whole app with exemptions, use :class:`signwire.wsgi.SignwireMiddleware` with
``exempt=[...]``.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Optional, TypeVar

from ._http import DEFAULT_MAX_BODY, DENY_BODY, DENY_HEADERS, TOO_LARGE_BODY, Guard
from .verifier import Verifier
from .wsgi import ENVIRON_KEY, verify_environ

__all__ = ["signature_required"]

F = TypeVar("F", bound=Callable[..., Any])


def signature_required(
    verifier: Verifier,
    *,
    public_origin: Optional[str] = None,
    max_body: int = DEFAULT_MAX_BODY,
    logger: Optional[logging.Logger] = None,
    server_time_header: bool = False,
    realm: str = "api",
    metrics: Any = None,
) -> Callable[[F], F]:
    """A view decorator: only verified requests reach the view, which finds the key id in
    ``flask.g.signwire_key_id`` (and ``request.environ["signwire.key_id"]``)."""
    guard = Guard(verifier, public_origin, max_body, logger, None, server_time_header, realm, metrics)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flask import Response, g, request

            if request.content_length is not None and request.content_length > guard.max_body:
                return Response(TOO_LARGE_BODY, 413, [(k.decode(), v.decode()) for k, v in DENY_HEADERS if k != b"content-length"])
            verified, extra = verify_environ(guard, request.environ, request.get_data(cache=True))
            if verified is None:
                return Response(DENY_BODY, 401, [(k.decode(), v.decode()) for k, v in extra if k != b"content-length"])
            request.environ[ENVIRON_KEY] = g.signwire_key_id = verified[0]
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
