"""Django: a middleware for the whole site (with exemptions) and a view decorator.

settings.py::

    import signwire
    SIGNWIRE_VERIFIER = signwire.Verifier("hopnow", keys={"k1": os.environ["K1_SECRET"]})
    SIGNWIRE_OPTIONS = {"public_origin": "https://api.example.com", "exempt": ["/healthz", "/admin/*"]}
    MIDDLEWARE = [..., "signwire.django.SignwireMiddleware"]

or, per view (the middleware not installed)::

    from signwire.django import signature_required

    @signature_required                 # SIGNWIRE_VERIFIER and SIGNWIRE_OPTIONS
    def pay(request):
        return JsonResponse({"from": request.signwire_key_id})

``SIGNWIRE_VERIFIER`` is a :class:`signwire.Verifier`, a callable returning one, or its
dotted import path. ``SIGNWIRE_OPTIONS`` takes the WSGI middleware's keyword arguments
(``public_origin``, ``exempt``, ``include``, ``max_body``, ``server_time_header``, ``realm``,
``metrics``, ``logger``). The raw body (``request.body``) is what is verified; the URL is
the target as sent (:func:`signwire.wsgi.request_target`), not ``build_absolute_uri()``. A
refusal is a generic 401 with ``WWW-Authenticate``; the reason goes to the ``signwire``
logger. The verified key id is ``request.signwire_key_id``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional

from ._http import DEFAULT_MAX_BODY, DENY_BODY, Guard, PathFilter
from .verifier import Verifier
from .wsgi import ENVIRON_KEY, verify_environ

__all__ = ["SignwireMiddleware", "signature_required"]


def _verifier(value: Any) -> Verifier:
    if isinstance(value, str):
        from django.utils.module_loading import import_string  # type: ignore[import-untyped, import-not-found, unused-ignore]

        value = import_string(value)
    if callable(value) and not isinstance(value, Verifier):
        value = value()
    if not isinstance(value, Verifier):
        raise TypeError(f"SIGNWIRE_VERIFIER must be a signwire.Verifier, not {type(value).__name__}")
    return value


def _settings(verifier: Optional[Verifier], options: Dict[str, Any]) -> "tuple[Guard, PathFilter]":
    from django.conf import settings  # type: ignore[import-untyped, import-not-found, unused-ignore]

    opts = dict(getattr(settings, "SIGNWIRE_OPTIONS", {}) or {}) if verifier is None else {}
    opts.update(options)
    v = _verifier(verifier if verifier is not None else getattr(settings, "SIGNWIRE_VERIFIER", None))
    paths = PathFilter(opts.pop("exempt", None), opts.pop("include", None))
    guard = Guard(
        v,
        opts.pop("public_origin", None),
        opts.pop("max_body", DEFAULT_MAX_BODY),
        opts.pop("logger", None),
        None,
        opts.pop("server_time_header", False),
        opts.pop("realm", "api"),
        opts.pop("metrics", None),
    )
    if opts:
        raise TypeError(f"unknown signwire options: {', '.join(sorted(opts))}")
    return guard, paths


def _check(guard: Guard, request: Any) -> Any:
    """None when verified (the key id is set on the request), else the 401 response."""
    from django.http import HttpResponse  # type: ignore[import-untyped, import-not-found, unused-ignore]

    verified, extra = verify_environ(guard, request.META, request.body)
    if verified is None:
        response = HttpResponse(DENY_BODY, status=401, content_type="application/json")
        for k, v in extra:
            if k not in (b"content-type", b"content-length"):
                response[k.decode()] = v.decode()
        return response
    request.signwire_key_id = request.META[ENVIRON_KEY] = verified[0]
    return None


class SignwireMiddleware:
    """Verify every request but the exempt paths (``SIGNWIRE_OPTIONS["exempt"]``), before
    any view or form parsing."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.guard, self.paths = _settings(None, {})

    def __call__(self, request: Any) -> Any:
        if self.paths.verifies(request.path_info or "/"):
            refused = _check(self.guard, request)
            if refused is not None:
                return refused
        return self.get_response(request)


def signature_required(view: Optional[Callable[..., Any]] = None, *, verifier: Optional[Verifier] = None, **options: Any) -> Any:
    """Protect one view: ``@signature_required`` (settings) or
    ``@signature_required(verifier=v, public_origin=...)``. The settings are read at the
    first request, so the decorator can be applied at import time."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        state: Dict[str, Any] = {}

        @functools.wraps(fn)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if "guard" not in state:
                state["guard"] = _settings(verifier, options)[0]
            refused = _check(state["guard"], request)
            return refused if refused is not None else fn(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
