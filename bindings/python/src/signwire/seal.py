"""Sealed (encrypted) bodies: JWE compact tokens, ``dir`` or ``RSA-OAEP-256`` with ``A256GCM``.

Encrypt, then sign: the client seals the body and signs the token as the body; the server
verifies the signature over the token it received, and only then decrypts. Any JOSE
library (jwcrypto, joserfc, ...) reads and writes the same tokens.

>>> import os, signwire
>>> key = os.urandom(32)
>>> token = signwire.Recipient.shared("aes-1", key).seal(b'{"card":"4111111111111111"}')
>>> token.count(b"."), b"4111" in token
(4, False)
>>> keys = signwire.OpeningKeys(shared={"aes-1": key})
>>> keys.open(token)
b'{"card":"4111111111111111"}'
>>> signer = signwire.Signer("hopnow", key_id="k1", secret=b"s3cret")
>>> verifier = signwire.Verifier("hopnow", keys={"k1": b"s3cret"})
>>> url = "https://api.example.com/v1/pay"
>>> headers = signer.sign("POST", url, body=token)
>>> keys.verify_and_open(verifier, "POST", url, headers, token)
('k1', b'{"card":"4111111111111111"}')
"""

from __future__ import annotations

import ctypes
from typing import Iterable, Mapping, Optional, Tuple

from . import _marshal as m
from .types import Bytes, Headers
from ._native import decls, lib
from .errors import InvalidArgument, MalformedHeader, check
from .verifier import Verifier

__all__ = ["Recipient", "OpeningKeys"]

_RECIPIENT_PTR = ctypes.POINTER(decls.structs["signwire_seal_recipient"])
_KEYS_PTR = ctypes.POINTER(decls.structs["signwire_seal_keys"])
_KEY_ID_CAP = decls.constants["SIGNWIRE_KEY_ID_MAX"]


class Recipient(m.Handle):
    """Who to seal for: a key id (``kid``) and an RSA public key or a shared AES key.

    Thread-safe. Build one with :meth:`rsa` or :meth:`shared`.
    """

    _free = lib.signwire_seal_recipient_free

    @classmethod
    def rsa(cls, kid: str, public_key: Bytes) -> "Recipient":
        """``RSA-OAEP-256``: ``public_key`` is PEM or DER, 2048 bits or more (else :class:`WeakKey`)."""
        k = m.data(public_key, "public_key")
        return cls(m.new_handle(lib.signwire_seal_recipient_new_rsa, m.text(kid, "kid"), k, len(k), out_type=_RECIPIENT_PTR))

    @classmethod
    def shared(cls, kid: str, key: Bytes) -> "Recipient":
        """``dir``: ``key`` is exactly 32 random bytes shared with the receiver."""
        k = m.data(key, "key")
        return cls(m.new_handle(lib.signwire_seal_recipient_new_shared, m.text(kid, "kid"), k, len(k), out_type=_RECIPIENT_PTR))

    def seal(self, body: Bytes) -> bytes:
        """The JWE compact token (ASCII bytes) for ``body``."""
        b = m.data(body, "body")
        ptr = self._enter()
        try:
            needed = ctypes.c_size_t(0)
            check(lib.signwire_seal_len(ptr, len(b), ctypes.byref(needed)))
            return m.call_out(lib.signwire_seal, (ptr, b, len(b)), needed.value)
        finally:
            self._leave()

    def seal_query(self, query: str, names: Iterable[str], param: str = "sealed") -> str:
        """Seal the pairs of ``query`` named in ``names`` into one parameter ``param``."""
        names = list(names)
        if any("," in n for n in names):
            raise InvalidArgument("parameter names cannot contain a comma")
        q = m.text(query, "query")
        args = (q, m.text(",".join(names), "names"), m.text(param, "param"))
        ptr = self._enter()
        try:
            needed = ctypes.c_size_t(0)
            check(lib.signwire_seal_len(ptr, len(q), ctypes.byref(needed)))
            return m.call_out(lib.signwire_seal_query, (ptr,) + args, len(q) + len(args[2]) + needed.value + 2).decode("utf-8")
        finally:
            self._leave()


class OpeningKeys(m.Handle):
    """The receiver's keys by ``kid``: RSA private keys and 32-byte shared keys.

    Thread-safe, including adding and removing keys while other threads open tokens.
    ``max_token_len`` refuses longer tokens before any work (0: the library's 16 MiB).
    """

    _free = lib.signwire_seal_keys_free

    def __init__(
        self,
        rsa: Optional[Mapping[str, Bytes]] = None,
        shared: Optional[Mapping[str, Bytes]] = None,
        *,
        max_token_len: int = 0,
    ) -> None:
        if isinstance(max_token_len, bool) or not isinstance(max_token_len, int) or max_token_len < 0:
            raise ValueError("max_token_len must be a non-negative int")
        super().__init__(m.new_handle(lib.signwire_seal_keys_new, max_token_len, out_type=_KEYS_PTR))
        try:
            for kid, pem in (rsa or {}).items():
                self.add_rsa(kid, pem)
            for kid, key in (shared or {}).items():
                self.add_shared(kid, key)
        except BaseException:
            self.close()
            raise

    def _call(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        ptr = self._enter()
        try:
            check(fn(ptr, *args))
        finally:
            self._leave()

    def add_rsa(self, kid: str, private_key: Bytes) -> None:
        """Open ``RSA-OAEP-256`` tokens for ``kid`` (PEM or DER, not password-protected)."""
        k = m.data(private_key, "private_key")
        self._call(lib.signwire_seal_keys_add_rsa, m.text(kid, "kid"), k, len(k))

    def add_shared(self, kid: str, key: Bytes) -> None:
        """Open ``dir`` tokens for ``kid`` with a 32-byte key."""
        k = m.data(key, "key")
        self._call(lib.signwire_seal_keys_add_shared, m.text(kid, "kid"), k, len(k))

    def remove(self, kid: str) -> None:
        """Forget the key of ``kid``; :class:`UnknownKey` if there is none."""
        self._call(lib.signwire_seal_keys_remove, m.text(kid, "kid"))

    def open(self, token: Bytes) -> bytes:
        """The plaintext, only if the whole token authenticates; else :class:`MalformedToken`,
        :class:`DecryptionFailed`, :class:`UnknownKey`, :class:`UnsupportedAlgorithm` or
        :class:`InputTooLarge`."""
        t = m.data(token, "token")
        ptr = self._enter()
        try:
            return m.call_out(lib.signwire_open, (ptr, t, len(t)), len(t) + 1)
        finally:
            self._leave()

    def open_query(self, query: str, param: str = "sealed") -> str:
        """``query`` with its sealed parameter opened back into the original pairs."""
        q = m.text(query, "query")
        ptr = self._enter()
        try:
            return m.call_out(lib.signwire_open_query, (ptr, q, m.text(param, "param")), len(q) + 1).decode("utf-8")
        finally:
            self._leave()

    def verify_and_open(
        self,
        verifier: Verifier,
        method: str,
        url: str,
        headers: Headers,
        body: Bytes,
        remote_addr: Optional[str] = None,
    ) -> Tuple[str, bytes]:
        """Verify the request (its body is the token as received), then open the body.

        Returns ``(key_id, plaintext)``. A request that fails verification is never
        decrypted: the error is the verification error.
        """
        b = m.data(body, "body")
        args = (
            m.text(method, "method"),
            m.text(url, "url"),
            b,
            len(b),
            m.header_block(headers, MalformedHeader) or b"",
            m.opt_text(remote_addr, "remote_addr"),
        )
        out = ctypes.create_string_buffer(len(b) + 1)
        written = ctypes.c_size_t(0)
        key_id = ctypes.create_string_buffer(_KEY_ID_CAP)
        key_written = ctypes.c_size_t(0)
        vptr = verifier._enter()
        try:
            ptr = self._enter()
            try:
                check(lib.signwire_verify_and_open(
                    vptr, ptr, *args, out, len(out), ctypes.byref(written), key_id, _KEY_ID_CAP, ctypes.byref(key_written)
                ))
            finally:
                self._leave()
        finally:
            verifier._leave()
        plain = ctypes.string_at(out, written.value)
        ctypes.memset(out, 0, len(out))
        return key_id.raw[: key_written.value].decode("utf-8"), plain
