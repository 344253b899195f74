"""Schemes (which parts of a request are signed, how, in which headers) and the payload.

>>> import signwire
>>> s = signwire.Scheme("hopnow")
>>> s.name, s.header_names["signature"], s.max_age
('hopnow', 'X-Signature', 300)
>>> signwire.canonical_payload("hopnow", "POST", "https://api.example.com/v1/pay", b'{"a":1}',
...     key_id="k1", timestamp=1700000000, nonce="00112233445566778899aabbccddeeff")
b'POSThttps://api.example.com/v1/pay170000000000112233445566778899aabbccddeeff{"a":1}'
"""

from __future__ import annotations

import ctypes
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Union

from . import _marshal as m
from .types import Bytes, Headers, Seconds
from ._native import decls, lib
from .errors import InvalidArgument

__all__ = ["Scheme", "SchemeLike", "canonical_payload"]

SchemeLike = Union["Scheme", str, "os.PathLike[str]", Mapping[str, Any]]

_SCHEME_PTR = ctypes.POINTER(decls.structs["signwire_scheme"])
_JSON_CAP = 4096


class Scheme(m.Handle):
    """A signature scheme: a preset name (``"hopnow"``), a scheme document as a dict or
    JSON text, or a path to a ``.json`` document.

    >>> Scheme({"name": "acme", "algorithm": "hmac-sha512", "encoding": "base64",
    ...         "components": ["method", "path_and_query", "timestamp", "nonce", "body_sha256"],
    ...         "separator": "\\n",
    ...         "headers": {"key_id": "X-Acme-Key", "signature": "X-Acme-Signature",
    ...                     "timestamp": "X-Acme-Time", "nonce": "X-Acme-Nonce"}}).algorithm
    'hmac-sha512'
    """

    _free = lib.signwire_scheme_free

    def __init__(self, spec: SchemeLike) -> None:
        if isinstance(spec, Scheme):
            spec = spec.to_json()
        if isinstance(spec, Mapping):
            arg = json.dumps(dict(spec))
        elif isinstance(spec, os.PathLike):
            arg = os.fspath(spec)
        elif isinstance(spec, str):
            arg = spec
        else:
            raise TypeError(f"scheme must be a name, a dict, JSON text or a path, not {type(spec).__name__}")
        super().__init__(m.new_handle(lib.signwire_scheme_new, m.text(arg, "scheme"), out_type=_SCHEME_PTR))
        self._doc: Optional[Dict[str, Any]] = None

    @classmethod
    def of(cls, spec: SchemeLike) -> "Scheme":
        """``spec`` itself if it is a :class:`Scheme`, else a new one."""
        return spec if isinstance(spec, Scheme) else cls(spec)

    def to_json(self) -> str:
        """The scheme as a JSON document (presets included), readable by ``Scheme(...)``."""
        ptr = self._enter()
        try:
            return m.call_out(lib.signwire_scheme_to_json, (ptr,), _JSON_CAP).decode("utf-8")
        finally:
            self._leave()

    @property
    def document(self) -> Dict[str, Any]:
        """The scheme document as a dict (a copy)."""
        if self._doc is None:
            self._doc = json.loads(self.to_json())
        copy: Dict[str, Any] = json.loads(json.dumps(self._doc))
        return copy

    @property
    def name(self) -> str:
        """The scheme's name."""
        return str(self.document["name"])

    @property
    def algorithm(self) -> str:
        """``hmac-sha1``, ``hmac-sha256`` or ``hmac-sha512``."""
        return str(self.document["algorithm"])

    @property
    def components(self) -> List[Any]:
        """The signed components, in order."""
        return list(self.document["components"])

    @property
    def header_names(self) -> Dict[str, str]:
        """Header names by role: ``key_id``, ``signature``, ``timestamp``, ``nonce``."""
        return dict(self.document["headers"])

    @property
    def max_age(self) -> int:
        """Default oldest accepted timestamp, in seconds before now."""
        return int(self.document["max_age"])

    @property
    def max_future_skew(self) -> int:
        """Default furthest accepted timestamp, in seconds after now."""
        return int(self.document["max_future_skew"])

    @property
    def nonce_hex_len(self) -> int:
        """Nonce length in hex characters."""
        return int(self.document["nonce_hex_len"])

    def canonical_payload(
        self,
        method: str,
        url: str,
        body: Bytes = b"",
        *,
        key_id: str,
        timestamp: Seconds,
        nonce: str,
        headers: Headers = None,
    ) -> bytes:
        """The exact bytes this scheme signs for a request (for logs and debugging)."""
        b = m.data(body, "body")
        args = (
            m.text(method, "method"),
            m.text(url, "url"),
            b,
            len(b),
            m.header_block(headers, InvalidArgument),
            m.text(key_id, "key_id"),
            str(m.seconds(timestamp, "timestamp")).encode(),
            m.text(nonce, "nonce"),
        )
        ptr = self._enter()
        try:
            return m.call_out(lib.signwire_canonical_payload, (ptr,) + args, len(b) + len(args[1]) + 1024)
        finally:
            self._leave()

    def __repr__(self) -> str:
        return "Scheme(closed)" if self.closed else f"Scheme({self.name!r})"


def canonical_payload(
    scheme: SchemeLike,
    method: str,
    url: str,
    body: Bytes = b"",
    *,
    key_id: str,
    timestamp: Seconds,
    nonce: str,
    headers: Headers = None,
) -> bytes:
    """The exact bytes ``scheme`` signs for a request; see :meth:`Scheme.canonical_payload`."""
    s = Scheme.of(scheme)
    try:
        return s.canonical_payload(method, url, body, key_id=key_id, timestamp=timestamp, nonce=nonce, headers=headers)
    finally:
        if s is not scheme:
            s.close()
