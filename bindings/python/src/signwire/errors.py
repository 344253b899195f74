"""Exceptions: one class per libsignwire status code, and :func:`check`.

Verification failures derive from :class:`VerificationError`; a server answers all of them
with the same generic 401 and logs ``str(error)`` (status name and detail) for itself.
Argument errors are also ``ValueError`` or ``TypeError``, so ordinary Python code can catch
them as usual.

>>> import signwire
>>> v = signwire.Verifier("hopnow", keys={"k1": b"secret"})
>>> try:
...     v.verify("GET", "https://api.example.com/", {})
... except signwire.MissingHeader as e:
...     print(e.code, e.status_name)
5 SIGNWIRE_ERR_MISSING_HEADER
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Type

from . import _native

__all__ = [
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
    "check",
    "exception_for",
]


class SignwireError(Exception):
    """A failure reported by libsignwire.

    ``code`` is the numeric status, ``status_name`` its C name, ``message`` the library's
    detail for the server's log (never secrets or expected signatures). Never send them
    to a client.
    """

    #: C name of the status this class stands for (``SIGNWIRE_ERR_...``).
    status_name: ClassVar[str] = ""
    code: int
    message: str

    def __init__(self, message: str = "", code: Optional[int] = None) -> None:
        self.message = message
        if code is None:
            code = _native.STATUS.get(type(self).status_name, -1)
        self.code = code
        name = _native.STATUS_NAMES.get(code, type(self).status_name or f"status {code}")
        super().__init__(f"{name}: {message}" if message else name)

    @property
    def name(self) -> str:
        """The status name, e.g. ``SIGNWIRE_ERR_BAD_SIGNATURE``."""
        return _native.STATUS_NAMES.get(self.code, self.status_name)


class VerificationError(SignwireError):
    """The request is not authentic or not acceptable: answer a generic 401.

    ``diagnostic`` is the verifier's diagnostic line (``signwire-fp ...``) when it was made
    with ``diagnostics=True``, else ``None``: log it, never send it to the client.
    """

    diagnostic: Optional[str] = None
    #: What a server logs about the refused request (:func:`signwire.verifier.request_context`):
    #: ``key_id`` as claimed, the authentication ``headers`` with the signature's value left
    #: out, and ``diagnostic``. Set by :meth:`signwire.Verifier.verify`; never send it to a client.
    context: Optional[Dict[str, Any]] = None

    @property
    def key_id(self) -> Optional[str]:
        """The key id the refused request claimed (``None`` if it carried none)."""
        return (self.context or {}).get("key_id")


class NullPointer(SignwireError, TypeError):
    """A required argument was missing (``None``)."""

    status_name = "SIGNWIRE_ERR_NULL_POINTER"


class InvalidArgument(SignwireError, ValueError):
    """An argument is out of range or malformed (a scheme document, a max age...)."""

    status_name = "SIGNWIRE_ERR_INVALID_ARGUMENT"


class InvalidUtf8(SignwireError, ValueError):
    """Text was not valid UTF-8."""

    status_name = "SIGNWIRE_ERR_INVALID_UTF8"


class BufferTooSmall(SignwireError, RuntimeError):
    """An output buffer was too small (the binding retries; seeing this is a bug)."""

    status_name = "SIGNWIRE_ERR_BUFFER_TOO_SMALL"


class MissingHeader(VerificationError):
    """A required authentication header is absent."""

    status_name = "SIGNWIRE_ERR_MISSING_HEADER"


class MalformedHeader(VerificationError):
    """An authentication header is present but malformed (or repeated)."""

    status_name = "SIGNWIRE_ERR_MALFORMED_HEADER"


class UnknownKey(VerificationError):
    """The key id is not in the keyring (or the secret to retire was not active)."""

    status_name = "SIGNWIRE_ERR_UNKNOWN_KEY"


class BadSignature(VerificationError):
    """The signature does not match any active secret of the key id."""

    status_name = "SIGNWIRE_ERR_BAD_SIGNATURE"


class TimestampTooOld(VerificationError):
    """The timestamp is older than the verifier's max age."""

    status_name = "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD"


class TimestampInFuture(VerificationError):
    """The timestamp is further ahead than the verifier's max future skew."""

    status_name = "SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE"


class NonceReplayed(VerificationError):
    """The nonce was already used: a replayed request."""

    status_name = "SIGNWIRE_ERR_NONCE_REPLAYED"


class NonceStoreUnavailable(VerificationError):
    """The nonce store could not answer (full, or unreachable): fail closed."""

    status_name = "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE"


class IpNotAllowed(VerificationError):
    """The client address is not in the allowlist."""

    status_name = "SIGNWIRE_ERR_IP_NOT_ALLOWED"


class InternalError(SignwireError, RuntimeError):
    """A bug in libsignwire (a caught panic): please report it."""

    status_name = "SIGNWIRE_ERR_INTERNAL"


class UnsupportedAlgorithm(VerificationError, ValueError):
    """An algorithm the library does not offer: a ValueError when it is your argument, and a
    VerificationError because a client can send one too (a JWE with ``alg: none``, a
    ``$2x$`` bcrypt hash), which must be answered like any refused request."""

    status_name = "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM"


class MalformedToken(VerificationError):
    """A sealed body (JWE) or other token is not well-formed."""

    status_name = "SIGNWIRE_ERR_MALFORMED_TOKEN"


class DecryptionFailed(VerificationError):
    """A sealed body could not be decrypted or authenticated."""

    status_name = "SIGNWIRE_ERR_DECRYPTION_FAILED"


class WeakKey(SignwireError, ValueError):
    """A key or secret too weak for its use (empty, too short)."""

    status_name = "SIGNWIRE_ERR_WEAK_KEY"


class InputTooLarge(SignwireError, ValueError):
    """An input exceeds a documented limit; nothing is truncated."""

    status_name = "SIGNWIRE_ERR_INPUT_TOO_LARGE"


def _subclasses(cls: Type[SignwireError]) -> Dict[str, Type[SignwireError]]:
    out: Dict[str, Type[SignwireError]] = {}
    for sub in cls.__subclasses__():
        if sub.status_name:
            out[sub.status_name] = sub
        out.update(_subclasses(sub))
    return out


#: Exception class by status code; codes come from the header, never typed here.
_BY_CODE: Dict[int, Type[SignwireError]] = {
    _native.STATUS[name]: cls for name, cls in _subclasses(SignwireError).items() if name in _native.STATUS
}


def exception_for(code: int) -> Type[SignwireError]:
    """The exception class raised for a status code (:class:`SignwireError` if unknown)."""
    return _BY_CODE.get(code, SignwireError)


def check(status: int) -> None:
    """Raise the exception for a non-zero status, with the library's log message.

    Call it right after the C call, on the same thread: the message is thread-local.
    """
    if status == _native.OK:
        return
    cls = exception_for(status)
    raise cls(_native.last_error_message(), status)
