"""What the WSGI and ASGI middlewares share: rebuilding the signed URL, and the 401 policy.

Clients sign the complete URL they send to (``https://api.example.com/v1/pay?x=1``). The
application behind a TLS terminator or proxy sees another scheme, host or port
(``http://10.0.0.5:8000``), so the middleware rebuilds the URL from ``public_origin`` plus the
raw request target, never from decoded or re-quoted parts.
"""

from __future__ import annotations

import logging
import time
from typing import Any, List, Iterable, Optional, Tuple
from urllib.parse import quote, urlsplit

from .errors import InternalError, NonceStoreUnavailable, SignwireError, TimestampInFuture, TimestampTooOld, VerificationError
from .verifier import Verifier

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


class Guard:
    """Verifies one request and decides what the client sees (nothing but 401)."""

    def __init__(
        self,
        verifier: Verifier,
        public_origin: Optional[str],
        max_body: int,
        logger: Optional[logging.Logger],
        open_with: Any = None,
        server_time_header: bool = False,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError("verifier must be a signwire.Verifier")
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
            raise ValueError("max_body must be a non-negative int (bytes)")
        self.verifier = verifier
        self.public_origin = check_origin(public_origin)
        self.max_body = max_body
        self.log = logger or logging.getLogger("signwire")
        self.open_with = open_with
        self.server_time_header = bool(server_time_header)

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

    def check(
        self,
        method: str,
        url: str,
        note: str,
        headers: Iterable[Tuple[Any, Any]],
        body: bytes,
        remote_addr: Optional[str],
    ) -> Tuple[Optional[Tuple[str, bytes]], List[Tuple[bytes, bytes]]]:
        """(what :meth:`verify` returns, extra headers for the 401).

        The only extra header is ``X-Server-Time`` for a stale or future timestamp when
        ``server_time_header`` is on (as Hawk does): the client learns the server's clock,
        which is no secret, and nothing about any other check.
        """
        try:
            if self.open_with is not None and body:
                return self.open_with.verify_and_open(self.verifier, method, url, list(headers), body, remote_addr=remote_addr), []
            return (self.verifier.verify(method, url, list(headers), body, remote_addr=remote_addr), body), []
        except SignwireError as e:
            if isinstance(e, VerificationError) and e.diagnostic:
                self.log.warning("signwire: diagnostic %s", e.diagnostic)
            extra: List[Tuple[bytes, bytes]] = []
            if self.server_time_header and isinstance(e, (TimestampTooOld, TimestampInFuture)):
                extra.append((SERVER_TIME_HEADER, str(int(time.time())).encode()))
            level = logging.ERROR if isinstance(e, (NonceStoreUnavailable, InternalError)) else logging.WARNING
            self.log.log(
                level,
                "signwire: 401 for %s %s from %s: %s (%d): %s [%s]",
                method,
                url,
                remote_addr or "?",
                e.name,
                e.code,
                e.message,
                note,
            )
            return None, extra
        except (TypeError, ValueError) as e:
            # What the C ABI cannot carry (a NUL in the URL...) is the client's doing too.
            self.log.warning("signwire: 401 for %s %s from %s: unusable request: %s [%s]", method, url, remote_addr or "?", e, note)
        return None, []
