"""EpinTower and other bcrypt(sha1(fields)) signatures, as PHP's password_hash makes them.

``SIGNATURE = bcrypt(sha1(field1 + field2 + ...))`` for requests (1 sha1 round) and
``bcrypt(sha1(sha1(...)))`` for responses (2 rounds, as EpinTower's documentation checks
them), ``$2y$``, cost 10. Fields are ``str`` (UTF-8), ``bytes`` or ``int``, concatenated in
the order given with no separator. bcrypt is salted: every signature differs, so compare
with ``verify_*``, never with ``==``.

>>> from signwire import epintower
>>> fields = ("BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18",
...           "DF6649B8_9D57_53DF_2674_C768FE6DE0CB")
>>> sig = epintower.sign_request(*fields)
>>> sig[:7], len(sig)
('$2y$10$', 60)
>>> epintower.verify_request(*fields, signature=sig)
True
>>> epintower.verify_response(*fields, signature=sig)   # responses hash twice
False
>>> epintower.verify_request(*fields, signature="not a bcrypt hash")
False

``verify_*`` return ``False`` for a signature that does not match or is not a bcrypt hash
at all (both come from the other side); they raise :class:`signwire.UnsupportedAlgorithm`
for a ``$2x$`` hash, which signwire refuses, and the usual argument errors otherwise.
"""

from __future__ import annotations

import ctypes
import json
import os
from typing import Any, Mapping, Sequence, Tuple, Union

from . import _marshal as m
from ._native import STATUS, decls, lib
from .errors import check

__all__ = [
    "sign_request",
    "verify_request",
    "sign_response",
    "verify_response",
    "sign",
    "verify",
    "BcryptScheme",
    "DEFAULT_COST",
    "DEFAULT_MAX_VERIFY_COST",
    "HASH_LEN",
]

Field = Union[str, bytes, bytearray, memoryview, int]

#: bcrypt cost of new signatures unless ``cost`` is given (EpinTower's and PHP's default).
DEFAULT_COST: int = lib.signwire_bcrypt_default_cost()
#: Highest cost the preset verifies unless ``max_cost`` is given (its cost 10 + 2).
DEFAULT_MAX_VERIFY_COST: int = lib.signwire_bcrypt_default_max_verify_cost()
#: Length of a bcrypt signature (60).
HASH_LEN: int = lib.signwire_bcrypt_hash_len()
_HASH_CAP: int = lib.signwire_bcrypt_hash_max()
_NOT_VERIFIED = {STATUS["SIGNWIRE_ERR_BAD_SIGNATURE"], STATUS["SIGNWIRE_ERR_MALFORMED_HEADER"]}
_SCHEME_PTR = ctypes.POINTER(decls.structs["signwire_bcrypt_scheme"])


def _field(value: Any, i: int) -> bytes:
    # bool is an int subclass: True would be "1" in PHP and "True" in Python. None would be
    # "" in PHP: a forgotten value should fail here, not as "Invalid signature" later.
    if isinstance(value, bool) or value is None:
        raise TypeError(f"field {i} is {value!r}; pass the exact text the API signs ('' for an empty field)")
    if isinstance(value, int):
        return str(value).encode("ascii")
    return m.data(value, f"field {i}")


def _fields(fields: Sequence[Any]) -> Tuple[Any, Any, int, Tuple[bytes, ...]]:
    data = tuple(_field(f, i) for i, f in enumerate(fields))
    n = len(data)
    ptrs = (ctypes.c_char_p * max(n, 1))(*data)
    lens = (ctypes.c_size_t * max(n, 1))(*(len(d) for d in data))
    return ptrs, lens, n, data


def _uint(value: Any, name: str) -> int:
    # Range rules live in the library; this only keeps ctypes from wrapping a negative int.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0 or value > 0xFFFFFFFF:
        raise ValueError(f"{name} is out of range: {value}")
    return value


def _cost(cost: Any) -> int:
    return _uint(cost, "cost")


def _verified(status: int) -> bool:
    if status in _NOT_VERIFIED:
        return False
    check(status)
    return True


def _signature(signature: Any) -> bytes:
    if signature is None:
        raise TypeError("signature is required (signature=...)")
    return m.data(signature, "signature")


def sign_request(*fields: Field, cost: int = DEFAULT_COST) -> str:
    """EpinTower request signature: ``password_hash(sha1(concat(fields)), PASSWORD_BCRYPT)``."""
    ptrs, lens, n, _keep = _fields(fields)
    return m.call_out(lib.signwire_epintower_sign_request, (ptrs, lens, n, _cost(cost)), _HASH_CAP).decode("ascii")


def verify_request(*fields: Field, signature: Union[str, bytes], max_cost: int = 0) -> bool:
    """True when ``signature`` is a bcrypt of ``sha1(concat(fields))`` (``$2y$/$2b$/$2a$``).

    A hash whose cost is above ``max_cost`` (0 = :data:`DEFAULT_MAX_VERIFY_COST`, 12) is
    refused (``False``) before any bcrypt work: the sender picks the cost.
    """
    ptrs, lens, n, _keep = _fields(fields)
    sig = _signature(signature)
    return _verified(lib.signwire_epintower_verify_request_capped(ptrs, lens, n, _uint(max_cost, "max_cost"), sig, len(sig)))


def sign_response(*fields: Field, cost: int = DEFAULT_COST) -> str:
    """EpinTower response signature: bcrypt of ``sha1(sha1(concat(fields)))``."""
    ptrs, lens, n, _keep = _fields(fields)
    return m.call_out(lib.signwire_epintower_sign_response, (ptrs, lens, n, _cost(cost)), _HASH_CAP).decode("ascii")


def verify_response(*fields: Field, signature: Union[str, bytes], max_cost: int = 0) -> bool:
    """True when ``signature`` is EpinTower's response signature:
    ``password_verify(sha1(sha1(concat(fields))), signature)`` (``max_cost`` as in
    :func:`verify_request`)."""
    ptrs, lens, n, _keep = _fields(fields)
    sig = _signature(signature)
    return _verified(lib.signwire_epintower_verify_response_capped(ptrs, lens, n, _uint(max_cost, "max_cost"), sig, len(sig)))


def sign(*fields: Field, sha1_rounds: int, cost: int = DEFAULT_COST) -> str:
    """Sign with an explicit number of sha1 rounds (0 bcrypts the concatenation itself,
    which must then be at most 72 bytes without NUL: longer input raises InputTooLarge).

    >>> len(sign("a", "b", sha1_rounds=3, cost=4))
    60
    """
    ptrs, lens, n, _keep = _fields(fields)
    return m.call_out(lib.signwire_epintower_sign_rounds, (_uint(sha1_rounds, "sha1_rounds"), ptrs, lens, n, _cost(cost)), _HASH_CAP).decode("ascii")


def verify(*fields: Field, sha1_rounds: int, signature: Union[str, bytes], max_cost: int = 0) -> bool:
    """Verify with an explicit number of sha1 rounds (``max_cost`` as in :func:`verify_request`)."""
    ptrs, lens, n, _keep = _fields(fields)
    sig = _signature(signature)
    rounds = _uint(sha1_rounds, "sha1_rounds")
    return _verified(lib.signwire_epintower_verify_rounds_capped(rounds, ptrs, lens, n, _uint(max_cost, "max_cost"), sig, len(sig)))


class BcryptScheme(m.Handle):
    """Another bcrypt(sha1) API, described as data: a preset name (``"epintower"``), a dict,
    JSON text or a path to a ``.json`` document (format in the README).

    >>> acme = BcryptScheme({"name": "acme", "fields": ["merchant", "secret", "order"],
    ...                      "request_sha1_rounds": 1, "response_sha1_rounds": 2, "cost": 4})
    >>> sig = acme.sign_request("M-1", "s3cret", "O-7")
    >>> acme.verify_request("M-1", "s3cret", "O-7", signature=sig)
    True
    >>> acme.verify_request("M-1", "s3cret", signature=sig)
    Traceback (most recent call last):
    ...
    signwire.errors.InvalidArgument: ...signs 3 fields (merchant, secret, order), 2 were given
    """

    _free = lib.signwire_bcrypt_scheme_free

    def __init__(self, spec: Union[str, "os.PathLike[str]", Mapping[str, Any]]) -> None:
        if isinstance(spec, Mapping):
            arg = json.dumps(dict(spec))
        elif isinstance(spec, os.PathLike):
            arg = os.fspath(spec)
        elif isinstance(spec, str):
            arg = spec
        else:
            raise TypeError(f"scheme must be a name, a dict, JSON text or a path, not {type(spec).__name__}")
        super().__init__(m.new_handle(lib.signwire_bcrypt_scheme_new, m.text(arg, "scheme"), out_type=_SCHEME_PTR))

    def _sign(self, fn: Any, fields: Sequence[Any], cost: int) -> str:
        ptrs, lens, n, _keep = _fields(fields)
        c = _cost(cost)
        ptr = self._enter()
        try:
            return m.call_out(fn, (ptr, ptrs, lens, n, c), _HASH_CAP).decode("ascii")
        finally:
            self._leave()

    def _verify(self, fn: Any, fields: Sequence[Any], signature: Any) -> bool:
        ptrs, lens, n, _keep = _fields(fields)
        sig = _signature(signature)
        ptr = self._enter()
        try:
            return _verified(fn(ptr, ptrs, lens, n, sig, len(sig)))
        finally:
            self._leave()

    def sign_request(self, *fields: Field, cost: int = 0) -> str:
        """Request signature (``cost`` 0: the scheme's cost)."""
        return self._sign(lib.signwire_bcrypt_scheme_sign_request, fields, cost)

    def verify_request(self, *fields: Field, signature: Union[str, bytes]) -> bool:
        """True when ``signature`` is this scheme's request signature over ``fields``."""
        return self._verify(lib.signwire_bcrypt_scheme_verify_request, fields, signature)

    def sign_response(self, *fields: Field, cost: int = 0) -> str:
        """Response signature (``cost`` 0: the scheme's cost)."""
        return self._sign(lib.signwire_bcrypt_scheme_sign_response, fields, cost)

    def verify_response(self, *fields: Field, signature: Union[str, bytes]) -> bool:
        """True when ``signature`` is this scheme's response signature over ``fields``."""
        return self._verify(lib.signwire_bcrypt_scheme_verify_response, fields, signature)
