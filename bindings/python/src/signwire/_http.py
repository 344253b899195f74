"""What the WSGI and ASGI middlewares share: rebuilding the signed URL, and the 401 policy.

Clients sign the complete URL they send to (``https://api.example.com/v1/pay?x=1``). The
application behind a TLS terminator or proxy sees another scheme, host or port
(``http://10.0.0.5:8000``), so the middleware rebuilds the URL from ``public_origin`` plus the
raw request target, never from decoded or re-quoted parts.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, List, Iterable, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlsplit

from .errors import InternalError, NonceStoreUnavailable, SignwireError, TimestampInFuture, TimestampTooOld, VerificationError
from .verifier import Verifier, request_context

DEFAULT_MAX_BODY = 10 * 1024 * 1024
DENY_BODY = b'{"error":"authentication failed"}'
DENY_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(DENY_BODY)).encode()),
    (b"cache-control", b"no-store"),
]
#: Sent with the 401 for a stale or future timestamp when ``server_time_header=True``.
SERVER_TIME_HEADER = b"x-server-time"
TOO_LARGE_BODY = b'{"error":"request body too large"}'
BAD_REQUEST_BODY = b'{"error":"bad request"}'


def check_origin(public_origin: Optional[str]) -> Optional[str]:
    """Validate ``scheme://host[:port]`` and return it without a trailing slash."""
    if public_origin is None:
        return None
    if not isinstance(public_origin, str):
        raise TypeError("public_origin must be a str such as 'https://api.example.com'")
    parts = urlsplit(public_origin)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ValueError(f"public_origin must look like 'https://api.example.com', got {public_origin!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"public_origin is scheme://host[:port] only (no path, query or user), got {public_origin!r}")
    return f"{parts.scheme}://{parts.netloc}"


def request_target(raw: str) -> str:
    """The path and query of a raw request target (origin-form, or absolute-form)."""
    if raw.startswith("/") or raw == "*":
        return raw
    parts = urlsplit(raw)
    if parts.scheme and parts.netloc:
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return raw


def quote_path(path: str) -> str:
    """Re-quote a decoded path (only when the server gave no raw target)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~%")


PathRules = Union[None, str, Sequence[str], Callable[[str], bool]]


class PathFilter:
    """Which request paths a middleware verifies: ``include`` (default: every path) minus
    ``exempt``. Each is a list of paths: ``"/healthz"`` matches that path only,
    ``"/docs*"`` every path starting with ``/docs``; or a callable ``path -> bool``.

    Paths are matched as the router sees them (decoded, without the query). A path with a
    ``.`` or ``..`` segment or an encoded slash is never exempted by a prefix, so
    ``/docs/../admin`` cannot slip past under ``"/docs*"``.

    >>> f = PathFilter(exempt=["/healthz", "/docs*", "/openapi.json"])
    >>> [f.verifies(p) for p in ("/v1/pay", "/healthz", "/healthz/x", "/docs/oauth2", "/docs/../v1/pay")]
    [True, False, True, False, True]
    >>> PathFilter(include=["/v1/*"]).verifies("/healthz")
    False
    """

    def __init__(self, exempt: PathRules = None, include: PathRules = None) -> None:
        self.exempt = _rules(exempt, "exempt")
        self.include = _rules(include, "include")

    def verifies(self, path: str) -> bool:
        """True when a request to ``path`` must carry a valid signature."""
        if self.include is not None and not self.include(path):
            return False
        return not (self.exempt is not None and self.exempt(path))


def _rules(value: PathRules, name: str) -> Optional[Callable[[str], bool]]:
    if value is None:
        return None
    if callable(value):
        return value
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list of paths, e.g. [{value!r}]")
    exact = set()
    prefixes = []
    for p in value:
        if not isinstance(p, str) or not p.startswith("/"):
            raise ValueError(f"{name} entries are paths starting with '/', got {p!r}")
        if p.endswith("*"):
            prefixes.append(p[:-1])
        else:
            exact.add(p)
    prefix_tuple = tuple(prefixes)

    def match(path: str) -> bool:
        if path in exact:
            return True
        if not prefix_tuple or not path.startswith(prefix_tuple):
            return False
        segments = path.split("/")
        return "." not in segments and ".." not in segments and "%2f" not in path.lower()

    return match


def www_authenticate(scheme_name: str, realm: str, error: Optional[SignwireError] = None) -> bytes:
    """The ``WWW-Authenticate`` value of a 401 (RFC 9110 section 11.6.1).

    It names the scheme the client must sign with; for a stale or future timestamp it adds
    the server's clock (``server_time``, unix seconds), as Hawk does, so a client with a
    skewed clock can tell. Nothing about any other check is said.
    """
    value = f'Signwire realm="{realm}", scheme="{scheme_name}"'
    if isinstance(error, (TimestampTooOld, TimestampInFuture)):
        value += f', error="stale_timestamp", server_time="{int(time.time())}"'
    return value.encode("latin-1")


class Refusal:
    """What a middleware answers a refused request: status line and extra headers, plus
    the error (``None`` for a request the C ABI could not even carry)."""

    __slots__ = ("error", "headers")

    def __init__(self, error: Optional[SignwireError], headers: List[Tuple[bytes, bytes]]) -> None:
        self.error = error
        self.headers = headers


class Guard:
    """Verifies one request and decides what the client sees (nothing but 401).

    Every refusal is one log record on the ``signwire`` logger (WARNING; ERROR when the
    nonce store is down) whose ``signwire`` attribute is a dict: ``status``, ``code``,
    ``key_id`` (as the client claimed it), ``client`` (address), ``scheme``, ``method``,
    ``url``, ``note`` (how the URL was rebuilt), ``diagnostic`` (with ``diagnostics=True``).
    Never a secret or a signature. ``metrics`` (e.g. :class:`signwire.prometheus.Metrics`)
    is told of every outcome.
    """

    def __init__(
        self,
        verifier: Verifier,
        public_origin: Optional[str],
        max_body: int,
        logger: Optional[logging.Logger],
        open_with: Any = None,
        server_time_header: bool = False,
        realm: str = "api",
        metrics: Any = None,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError("verifier must be a signwire.Verifier")
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
            raise ValueError("max_body must be a non-negative int (bytes)")
        if not isinstance(realm, str) or '"' in realm or "\\" in realm:
            raise ValueError("realm must be a str without quotes or backslashes")
        self.verifier = verifier
        self.public_origin = check_origin(public_origin)
        self.max_body = max_body
        self.log = logger or logging.getLogger("signwire")
        self.open_with = open_with
        self.server_time_header = bool(server_time_header)
        self.realm = realm
        self.metrics = metrics
        self.scheme_name = verifier._scheme_doc["name"]

    def url(self, seen_origin: str, target: str) -> Tuple[str, str]:
        """(URL to verify, note for the log line)."""
        if self.public_origin:
            return (
                self.public_origin + target,
                f"URL rebuilt with public_origin {self.public_origin} (the app saw {seen_origin})",
            )
        return (
            seen_origin + target,
            "URL as the app saw it; behind a TLS terminator or proxy, set public_origin",
        )

    def verify(
        self,
        method: str,
        url: str,
        note: str,
        headers: Iterable[Tuple[Any, Any]],
        body: bytes,
        remote_addr: Optional[str],
    ) -> Optional[Tuple[str, bytes]]:
        """(key id, body for the app), or None after logging why (the caller answers 401).

        With ``open_with``, a non-empty body must be a sealed token: it is verified as
        received and only then opened; the app gets the plaintext.
        """
        return self.check(method, url, note, headers, body, remote_addr)[0]

    def deny_headers(self, error: Optional[SignwireError] = None) -> List[Tuple[bytes, bytes]]:
        """The headers of a 401: content type, no-store, ``WWW-Authenticate``, and
        ``X-Server-Time`` for a stale timestamp when ``server_time_header`` is on."""
        out = list(DENY_HEADERS) + [(b"www-authenticate", www_authenticate(self.scheme_name, self.realm, error))]
        if self.server_time_header and isinstance(error, (TimestampTooOld, TimestampInFuture)):
            out.append((SERVER_TIME_HEADER, str(int(time.time())).encode()))
        return out

    def check(
        self,
        method: str,
        url: str,
        note: str,
        headers: Iterable[Tuple[Any, Any]],
        body: bytes,
        remote_addr: Optional[str],
    ) -> Tuple[Optional[Tuple[str, bytes]], List[Tuple[bytes, bytes]]]:
        """(what :meth:`verify` returns, the 401's headers when refused, else ``[]``).

        The only clock hint is for a stale or future timestamp (the server's clock is no
        secret); the client learns nothing about any other check.
        """
        headers = list(headers)
        try:
            if self.open_with is not None and body:
                verified = self.open_with.verify_and_open(self.verifier, method, url, headers, body, remote_addr=remote_addr)
            else:
                verified = (self.verifier.verify(method, url, headers, body, remote_addr=remote_addr), body)
        except SignwireError as e:
            self.refused(e, method, url, note, remote_addr, headers)
            return None, self.deny_headers(e)
        except (TypeError, ValueError) as e:
            # What the C ABI cannot carry (a NUL in the URL...) is the client's doing too.
            self.refused(e, method, url, note, remote_addr, headers)
            return None, self.deny_headers()
        if self.metrics is not None:
            self.metrics.accepted(verified[0])
        return verified, []

    def refused(
        self,
        error: Exception,
        method: str,
        url: str,
        note: str,
        remote_addr: Optional[str],
        headers: Iterable[Tuple[Any, Any]],
    ) -> None:
        """Log one structured record for a refusal and count it."""
        if isinstance(error, SignwireError):
            status, code, detail = error.name, error.code, error.message
        else:
            status, code, detail = "unusable request", -1, str(error)
        context = getattr(error, "context", None) or request_context(self.verifier._scheme_doc, headers)
        diagnostic = getattr(error, "diagnostic", None)
        fields: Dict[str, Any] = {
            "status": status,
            "code": code,
            "key_id": context.get("key_id"),
            "client": remote_addr,
            "scheme": self.scheme_name,
            "method": method,
            "url": url,
            "note": note,
            "diagnostic": diagnostic,
        }
        level = logging.ERROR if isinstance(error, (NonceStoreUnavailable, InternalError)) else logging.WARNING
        self.log.log(
            level,
            "signwire: 401 for %s %s from %s key_id=%s: %s (%d): %s [%s]%s",
            method,
            url,
            remote_addr or "?",
            fields["key_id"] or "-",
            status,
            code,
            detail,
            note,
            f" diagnostic {diagnostic}" if diagnostic else "",
            extra={"signwire": fields},
        )
        if self.metrics is not None:
            self.metrics.refused(status, self.verifier.known_key_id(fields["key_id"]))
