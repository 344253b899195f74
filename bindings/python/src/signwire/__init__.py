"""signwire: sign and verify API requests (HMAC, timestamps, nonces) with one Rust core.

This package is a thin ctypes layer over libsignwire: every rule (canonical payload,
constant-time comparison, replay protection) lives in the library, shared with C and PHP.

Client::

    import signwire
    signer = signwire.Signer("hopnow", key_id="k1", secret=b"s3cret")
    headers = signer.sign("POST", "https://api.example.com/v1/pay", body=b'{"amount":100}')

Server::

    verifier = signwire.Verifier("hopnow", keys={"k1": b"s3cret"}, max_age=300)
    try:
        key_id = verifier.verify("POST", url, request_headers, body=raw_body,
                                 remote_addr=client_ip)
    except signwire.VerificationError as e:
        log.warning("rejected: %s", e)   # status name + detail, for you only
        return 401                       # the client learns nothing more

Sealed (encrypted) bodies: :class:`Recipient` and :class:`OpeningKeys` (:mod:`signwire.seal`).

Framework glue: :mod:`signwire.requests_auth`, :mod:`signwire.wsgi`, :mod:`signwire.asgi`.
Legacy bcrypt(sha1(fields)) signatures (EpinTower): :mod:`signwire.epintower`.

>>> import signwire
>>> signwire.__version__ == signwire.library_version()
True
"""

from __future__ import annotations

from ._native import ABI_VERSION, library_path, library_version
from .errors import (
    BadSignature,
    BufferTooSmall,
    DecryptionFailed,
    InputTooLarge,
    InternalError,
    InvalidArgument,
    InvalidUtf8,
    IpNotAllowed,
    MalformedHeader,
    MalformedToken,
    MissingHeader,
    NonceReplayed,
    NonceStoreUnavailable,
    NullPointer,
    SignwireError,
    TimestampInFuture,
    TimestampTooOld,
    UnknownKey,
    UnsupportedAlgorithm,
    VerificationError,
    WeakKey,
    check,
)
from . import epintower
from .diagnostics import diff, explain
from .mac import Key, hmac_sign, hmac_verify
from .scheme import Scheme, canonical_payload
from .seal import OpeningKeys, Recipient
from .signer import Explanation, Signer
from .verifier import Verifier


def _package_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return library_version()
    try:
        return version("signwire")
    except PackageNotFoundError:  # running from a checkout
        return library_version()


#: The package version (equal to the library's, which is built with it).
__version__ = _package_version()

__all__ = [
    "__version__",
    "ABI_VERSION",
    "epintower",
    "library_path",
    "library_version",
    "Scheme",
    "Signer",
    "Verifier",
    "Recipient",
    "OpeningKeys",
    "Explanation",
    "Key",
    "hmac_sign",
    "hmac_verify",
    "canonical_payload",
    "explain",
    "diff",
    "check",
    "SignwireError",
    "VerificationError",
    "NullPointer",
    "InvalidArgument",
    "InvalidUtf8",
    "BufferTooSmall",
    "MissingHeader",
    "MalformedHeader",
    "UnknownKey",
    "BadSignature",
    "TimestampTooOld",
    "TimestampInFuture",
    "NonceReplayed",
    "NonceStoreUnavailable",
    "IpNotAllowed",
    "InternalError",
    "UnsupportedAlgorithm",
    "MalformedToken",
    "DecryptionFailed",
    "WeakKey",
    "InputTooLarge",
]
