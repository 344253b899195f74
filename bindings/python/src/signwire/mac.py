"""Raw HMAC: sign and verify (in constant time) any message with a shared secret.

For APIs whose scheme is not a request signature (webhooks, legacy fields), or to check
what another implementation computes.

>>> import signwire
>>> signwire.hmac_sign("sha256", b"key", b"The quick brown fox jumps over the lazy dog")
'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'
>>> signwire.hmac_verify("sha256", b"key", b"The quick brown fox jumps over the lazy dog",
...                      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
True
>>> with signwire.Key("sha1", b"key") as k:
...     k.sign(b"", encoding="base64")
'9Cuw7rAY671Fl65yE3EexgdghD8='
"""

from __future__ import annotations

import ctypes
from typing import Any

from . import _marshal as m
from .types import Bytes
from ._native import STATUS, decls, lib
from .errors import InvalidArgument, UnsupportedAlgorithm, check

__all__ = ["Key", "hmac_sign", "hmac_verify", "ALGORITHMS", "ENCODINGS"]

_ALG = decls.enums["signwire_algorithm"]
_ENC = decls.enums["signwire_encoding"]
#: Algorithm names accepted (from the header: ``SIGNWIRE_HMAC_SHA256`` -> ``"sha256"``).
ALGORITHMS = tuple(n[len("SIGNWIRE_HMAC_") :].lower() for n in _ALG)
#: Encoding names accepted (``"hex"``, ``"base64"``).
ENCODINGS = tuple(n[len("SIGNWIRE_ENCODING_") :].lower() for n in _ENC)
_SIG_CAP = decls.constants["SIGNWIRE_SIGNATURE_MAX"]
_BAD_SIGNATURE = STATUS["SIGNWIRE_ERR_BAD_SIGNATURE"]
_KEY_PTR = ctypes.POINTER(decls.structs["signwire_hmac_key"])


def _algorithm(name: Any) -> int:
    if not isinstance(name, str):
        raise TypeError(f"algorithm must be a name such as 'sha256', not {type(name).__name__}")
    n = name.strip().lower()
    n = n[len("hmac-") :] if n.startswith("hmac-") else n
    code = _ALG.get("SIGNWIRE_HMAC_" + n.replace("-", "").upper())
    if code is None:
        raise UnsupportedAlgorithm(f"unknown HMAC algorithm {name!r}; expected one of {', '.join(ALGORITHMS)}")
    return code


def _encoding(name: Any) -> int:
    if not isinstance(name, str):
        raise TypeError(f"encoding must be 'hex' or 'base64', not {type(name).__name__}")
    code = _ENC.get("SIGNWIRE_ENCODING_" + name.strip().upper())
    if code is None:
        raise InvalidArgument(f"unknown encoding {name!r}; expected one of {', '.join(ENCODINGS)}")
    return code


def _verified(status: int) -> bool:
    if status == _BAD_SIGNATURE:
        return False
    check(status)
    return True


def hmac_sign(algorithm: str, secret: Bytes, message: Bytes, encoding: str = "hex") -> str:
    """HMAC of ``message`` under ``secret``, as lowercase hex or base64."""
    s, msg = m.data(secret, "secret"), m.data(message, "message")
    args = (_algorithm(algorithm), s, len(s), msg, len(msg), _encoding(encoding))
    return m.call_out(lib.signwire_hmac_sign, args, _SIG_CAP).decode("ascii")


def hmac_verify(algorithm: str, secret: Bytes, message: Bytes, signature: Bytes, encoding: str = "hex") -> bool:
    """True when ``signature`` is the HMAC of ``message``; compared in constant time.

    A wrong-length or badly encoded signature is simply ``False``.
    """
    s, msg, sig = m.data(secret, "secret"), m.data(message, "message"), m.data(signature, "signature")
    return _verified(lib.signwire_hmac_verify(_algorithm(algorithm), s, len(s), msg, len(msg), sig, len(sig), _encoding(encoding)))


class Key(m.Handle):
    """A secret keyed once for HMAC, for signing or verifying many messages cheaply.

    Thread-safe; use as a context manager or call :meth:`close` to wipe it.
    """

    _free = lib.signwire_hmac_key_free

    def __init__(self, algorithm: str, secret: Bytes) -> None:
        s = m.data(secret, "secret")
        super().__init__(m.new_handle(lib.signwire_hmac_key_new, _algorithm(algorithm), s, len(s), out_type=_KEY_PTR))
        self.algorithm = algorithm

    def sign(self, message: Bytes, encoding: str = "hex") -> str:
        """HMAC of ``message``, encoded."""
        msg = m.data(message, "message")
        ptr = self._enter()
        try:
            return m.call_out(lib.signwire_hmac_key_sign, (ptr, msg, len(msg), _encoding(encoding)), _SIG_CAP).decode("ascii")
        finally:
            self._leave()

    def verify(self, message: Bytes, signature: Bytes, encoding: str = "hex") -> bool:
        """True when ``signature`` matches; constant time."""
        msg, sig = m.data(message, "message"), m.data(signature, "signature")
        enc = _encoding(encoding)
        ptr = self._enter()
        try:
            return _verified(lib.signwire_hmac_key_verify(ptr, msg, len(msg), sig, len(sig), enc))
        finally:
            self._leave()

    def __repr__(self) -> str:
        return f"Key({self.algorithm!r}, <secret>)"
