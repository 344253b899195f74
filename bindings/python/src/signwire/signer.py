"""Signing requests: (scheme, key id, secret) + request -> authentication headers.

>>> import signwire
>>> signer = signwire.Signer("hopnow", key_id="k1", secret=b"s3cret")
>>> h = signer.sign("POST", "https://api.example.com/v1/pay", body=b'{"amount":100}')
>>> sorted(h)
['X-API-Key', 'X-Nonce', 'X-Signature', 'X-Timestamp']
>>> e = signer.explain("POST", "https://api.example.com/v1/pay", b"{}",
...                    timestamp=1700000000, nonce="00112233445566778899aabbccddeeff")
>>> e.payload
b'POSThttps://api.example.com/v1/pay170000000000112233445566778899aabbccddeeff{}'
"""

from __future__ import annotations

import ctypes
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from . import _marshal as m
from .types import Bytes, Headers, Seconds
from ._native import cdll, decls, lib
from .errors import InvalidArgument, check
from .scheme import Scheme, SchemeLike

__all__ = ["Signer", "Explanation"]

_SIGNER_PTR = ctypes.POINTER(decls.structs["signwire_signer"])
_HEADERS_CAP = decls.constants["SIGNWIRE_SIGNED_HEADERS_MAX"]
# The common call (sign now, bytes body, no extra headers) goes through
# signwire_signer_sign_fields, which writes `name\0value\0...`: one split builds the dict,
# where parsing `Name: value` lines cost half a microsecond more.
#
# Its own function object (the declared prototype in `lib` is untouched), called without
# argtypes: checking a declared list of nine converters cost about 0.25 µs a call. Without
# them ctypes converts each argument by its Python type, so every argument here is bytes,
# None or a ctypes object, never a bare int (which would go as a 32-bit C int): the
# handle is a c_void_p, lengths are c_size_t, the buffer and byref() are ctypes objects.
_sign_fields = cdll["signwire_signer_sign_fields"]
_sign_fields.restype = ctypes.c_int
_sign_fields.argtypes = None
_SIZE_T = ctypes.c_size_t
# c_size_t arguments by body length, made once: a new one per call cost 0.1 µs. They are
# passed by value and never written, so threads can share them; bounded, as bodies vary.
_BODY_LEN_ARGS: Dict[int, Any] = {}


def _body_len_arg(n: int) -> Any:
    arg = _BODY_LEN_ARGS.get(n)
    if arg is None:
        arg = _SIZE_T(n)
        if len(_BODY_LEN_ARGS) < 4096:
            _BODY_LEN_ARGS[n] = arg
    return arg

_HEADERS_CAP_ARG = ctypes.c_size_t(_HEADERS_CAP)
_tls = threading.local()


def _sign_buffer() -> Tuple[Any, Any, Any]:
    """An output buffer for signwire_signer_sign_fields, one per thread (signing calls no
    Python callback, so nothing can re-enter it): (buffer, written, byref(written))."""
    buf = ctypes.create_string_buffer(_HEADERS_CAP)
    written = ctypes.c_size_t(0)
    return (buf, written, ctypes.byref(written))


@dataclass(frozen=True)
class Explanation:
    """What a signature covers: the exact payload, the signature and the headers.

    Print it (or log it on the client) when a server answers "invalid signature":
    compare ``payload`` with what the server's ``explain`` shows.
    """

    scheme: str
    payload: bytes
    signature: str
    headers: Dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"scheme:    {self.scheme}",
            f"payload ({len(self.payload)} bytes): {self.payload!r}",
            f"signature: {self.signature}",
            "headers:",
        ]
        lines += [f"  {k}: {v}" for k, v in self.headers.items()]
        return "\n".join(lines)


class Signer(m.Handle):
    """Signs requests for one key id. Thread-safe.

    ``scheme`` is a preset name (``"hopnow"``), a scheme dict, JSON text, a path to a
    ``.json`` document, or a :class:`Scheme`. ``secret`` is bytes (``str`` is UTF-8).

    >>> with Signer("hopnow", key_id="k1", secret="s3cret") as s:
    ...     s.sign("GET", "https://api.example.com/v1/ping", timestamp=1700000000,
    ...            nonce="00112233445566778899aabbccddeeff")["X-Signature"][:16]
    '725ab340cab72681'
    """

    _free = lib.signwire_signer_free

    def __init__(self, scheme: SchemeLike, key_id: str, secret: Optional[Bytes] = None, *, private_key: Optional[Bytes] = None) -> None:
        # HTTP Message Signatures with an asymmetric algorithm take ``private_key`` (PEM or
        # JWK) instead of ``secret``.
        if (secret is None) == (private_key is None):
            raise InvalidArgument("give exactly one of secret and private_key")
        s = Scheme.of(scheme)
        try:
            sec = m.data(secret if private_key is None else private_key, "secret" if private_key is None else "private_key")
            new = lib.signwire_signer_new if private_key is None else lib.signwire_signer_new_private_key
            ptr = s._enter()
            try:
                handle = m.new_handle(new, ptr, m.text(key_id, "key_id"), sec, len(sec), out_type=_SIGNER_PTR)
            finally:
                s._leave()
            self._scheme_doc = s.document
        finally:
            if s is not scheme:
                s.close()
        super().__init__(handle)
        # The address for the common call; used only while the handle is entered.
        self._handle_arg = ctypes.cast(handle, ctypes.c_void_p)
        self.key_id = key_id

    @property
    def scheme(self) -> Scheme:
        """A new :class:`Scheme` equal to the one this signer follows."""
        return Scheme(self._scheme_doc)

    def sign(
        self,
        method: str,
        url: str,
        body: Bytes = b"",
        timestamp: Optional[Seconds] = None,
        nonce: Optional[str] = None,
        headers: Headers = None,
    ) -> Dict[str, str]:
        """The authentication headers for a request, as an ordered dict.

        ``url`` is the complete URL exactly as it will be sent. ``body`` is the exact bytes
        sent (``str`` is encoded as UTF-8). ``timestamp`` defaults to now and ``nonce`` to a
        fresh random one; set them only for tests or to reproduce a request. ``headers``
        are the request's other headers, needed only by schemes that sign some of them.
        """
        if timestamp is None and nonce is None and headers is None and type(body) is bytes:
            # The common call, with the conversions below done inline: at 1 KiB the Python
            # around the C call costs more than the signature.
            mb = method.encode() if type(method) is str else None
            ub = url.encode() if type(url) is str else None
            # `0 in b` looks for the NUL byte; `b"\0" in b` would first try b"\0" as an int
            # and build a TypeError (about 2,000 instructions) before searching.
            if mb is not None and ub is not None and 0 not in mb and 0 not in ub:
                inflight = self._inflight  # Handle._enter and _leave, inlined
                inflight.append(None)
                try:
                    if self._closing:
                        raise ValueError("Signer is closed")
                    try:
                        buf, written, written_ref = _tls.sign
                    except AttributeError:
                        buf, written, written_ref = _tls.sign = _sign_buffer()
                    status = _sign_fields(self._handle_arg, mb, ub, body, _BODY_LEN_ARGS.get(len(body)) or _body_len_arg(len(body)), None, buf, _HEADERS_CAP_ARG, written_ref)
                    if status:
                        check(status)
                    fields = buf[: written.value]
                finally:
                    inflight.pop()
                    if self._closing and not inflight:
                        self._release()
                f = fields.decode().split("\0")  # UTF-8
                if len(f) == 8:
                    # Four headers, as most schemes sign: a dict display is twice as fast
                    # as dict(zip(...)) on this path.
                    return {f[0]: f[1], f[2]: f[3], f[4]: f[5], f[6]: f[7]}
                it = iter(f)
                return dict(zip(it, it))
        b = m.data(body, "body")
        args = (m.text(method, "method"), m.text(url, "url"), b, len(b), m.header_block(headers, InvalidArgument))
        fn: Any
        extra: Tuple[Any, ...]
        if timestamp is None and nonce is None:
            fn, extra = lib.signwire_signer_sign, ()
        else:
            ts = m.seconds(time.time() if timestamp is None else timestamp, "timestamp")
            fn, extra = lib.signwire_signer_sign_at, (ts, m.opt_text(nonce, "nonce"))
        ptr = self._enter()
        try:
            block = m.call_out(fn, (ptr,) + args + extra, _HEADERS_CAP)
        finally:
            self._leave()
        return m.parse_block(block)

    def explain(
        self,
        method: str,
        url: str,
        body: Bytes = b"",
        timestamp: Optional[Seconds] = None,
        nonce: Optional[str] = None,
        headers: Headers = None,
    ) -> Explanation:
        """The payload, signature and headers of a request (see :class:`Explanation`)."""
        signed = self.sign(method, url, body, timestamp=timestamp, nonce=nonce, headers=headers)
        names = self._scheme_doc["headers"]
        with Scheme(self._scheme_doc) as s:
            payload = s.canonical_payload(
                method,
                url,
                body,
                key_id=self.key_id,
                timestamp=int(signed[names["timestamp"]]),
                nonce=signed[names["nonce"]],
                headers=headers,
            )
        return Explanation(self._scheme_doc["name"], payload, signed[names["signature"]], signed)

    def __repr__(self) -> str:
        return f"Signer({self._scheme_doc['name']!r}, key_id={self.key_id!r}, <secret>)"
