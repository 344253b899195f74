"""Verifying requests: headers -> policy checks -> constant-time compare -> nonce record.

>>> import signwire
>>> signer = signwire.Signer("hopnow", key_id="k1", secret=b"s3cret")
>>> verifier = signwire.Verifier("hopnow", keys={"k1": b"s3cret"}, max_age=300)
>>> url = "https://api.example.com/v1/pay"
>>> headers = signer.sign("POST", url, body=b"{}")
>>> verifier.verify("POST", url, headers, body=b"{}")
'k1'
>>> verifier.verify("POST", url, headers, body=b"{}")
Traceback (most recent call last):
  ...
signwire.errors.NonceReplayed: SIGNWIRE_ERR_NONCE_REPLAYED: hopnow delivery ... was already accepted
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _marshal as m
from .types import Bytes, Headers, Seconds
from ._native import cdll, decls, lib
from .errors import MalformedHeader, NonceStoreUnavailable, VerificationError, check
from .scheme import Scheme, SchemeLike

__all__ = ["Verifier", "Keys", "request_context"]

_VERIFIER_PTR = ctypes.POINTER(decls.structs["signwire_verifier"])
_KEY_ID_CAP = decls.constants["SIGNWIRE_KEY_ID_MAX"]

# signwire_verifier_verify with its pointers typed void*, for the common call: plain
# addresses convert much faster than typed pointers and byref() (see signer.py).
_verify = cdll["signwire_verifier_verify"]
_verify.restype = ctypes.c_int
_verify.argtypes = [
    ctypes.c_void_p,  # const signwire_verifier *
    ctypes.c_char_p,  # method
    ctypes.c_char_p,  # url
    ctypes.c_char_p,  # body (bytes passed without a copy)
    m.SIZE_T,  # body_len
    ctypes.c_char_p,  # headers
    ctypes.c_char_p,  # remote_addr
    ctypes.c_void_p,  # key_id_out
    m.SIZE_T,  # key_id_cap
    ctypes.c_void_p,  # size_t *written
]
_tls = threading.local()


def _key_id_buffer() -> Tuple[Any, int, Any, int]:
    """This thread's output buffer for the common call: (buffer, address, written, address)."""
    buf = ctypes.create_string_buffer(_KEY_ID_CAP)
    written = ctypes.c_size_t(0)
    return (buf, ctypes.addressof(buf), written, ctypes.addressof(written))

#: ``{"k1": secret}`` or, during rotation, ``{"k1": [old_secret, new_secret]}``.
Keys = Mapping[str, Union[Bytes, Iterable[Bytes]]]

#: A nonce store of your own: ``check(key_id, nonce, ttl_seconds)`` atomically records the
#: pair for ``ttl_seconds`` and returns True if it was new, False if it was already there.
NonceCallback = Callable[[str, str, int], bool]

_NONCE_CALLBACK = decls.callbacks["signwire_nonce_callback"]
_NONCE_RESULT = decls.enums["signwire_nonce_result"]


class Verifier(m.Handle):
    """Verifies signed requests for one scheme.

    Share one verifier between threads: :meth:`verify`, :meth:`add_secret` and
    :meth:`retire_secret` are thread-safe, and the library runs without the GIL.
    Its in-memory nonce store remembers nonces for this process only.

    ``max_age`` and ``max_future_skew`` (seconds) default to the scheme's values (HopNow:
    300 and 60).

    ``nonce_store`` is a store URL — ``"memory://?max_entries=1000000"`` (the default, this
    process only), ``"host://"`` (this host's SQLite file for this user: the default when
    gunicorn, uwsgi or mod_wsgi is loaded, whose workers are separate processes),
    ``"sqlite:///var/lib/app/nonces.db"`` (every worker on a host, at a fixed path), ``"redis://host:6379/0"`` (several hosts) — or a callable
    ``check(key_id, nonce, ttl_seconds) -> bool`` (True: new and now recorded; False:
    replayed) for a store of your own. A store that cannot answer, or a callable that raises
    or returns anything but a bool, makes verification fail with
    :class:`NonceStoreUnavailable`: fail closed.

    ``allowed_ips`` is a list of CIDR ranges (``"10.0.0.0/8"``, ``"2001:db8::/32"``); once
    set, every request needs a ``remote_addr`` inside one. ``trusted_proxies`` lists the
    proxies whose ``X-Forwarded-For`` entries are believed (none by default).

    >>> v = Verifier("hopnow", {"k1": b"s3cret"}, nonce_store="memory://?max_entries=1000",
    ...              max_future_skew=30, allowed_ips=["10.0.0.0/8"], trusted_proxies=["172.16.0.0/12"])

    With ``diagnostics=True`` every :class:`VerificationError` carries ``diagnostic``: the
    reason, the server time and a fingerprint of each signed component as this server
    rebuilt it (no secret, no signature), for your log. Compare it with the client's
    :func:`signwire.explain` line (``signwire diff CLIENT SERVER``).

    >>> v = Verifier("hopnow", keys={"k1": b"s3cret"}, diagnostics=True)
    >>> try:
    ...     v.verify("GET", "http://10.0.0.5/v1", {"X-API-Key": "k1"}, now=1700000000)
    ... except VerificationError as e:
    ...     print(e.diagnostic.split(" url=")[0])
    signwire-fp scheme=hopnow reason=SIGNWIRE_ERR_MISSING_HEADER server_time=1700000000 key_id=k1 method=GET
    """

    _free = lib.signwire_verifier_free

    def __init__(
        self,
        scheme: SchemeLike,
        keys: Optional[Keys] = None,
        *,
        max_age: Optional[int] = None,
        max_future_skew: Optional[int] = None,
        diagnostics: bool = False,
        nonce_store: Union[str, NonceCallback, None] = None,
        allowed_ips: Optional[Iterable[str]] = None,
        trusted_proxies: Optional[Iterable[str]] = None,
    ) -> None:
        if nonce_store is None and _prefork_server():
            # Each worker is its own process: a per-process memory store would let each one
            # accept a replay once. host:// is this host's SQLite file, shared by all of them.
            nonce_store = "host://"
        s = Scheme.of(scheme)
        try:
            ptr = s._enter()
            try:
                handle = m.new_handle(lib.signwire_verifier_new, ptr, out_type=_VERIFIER_PTR)
            finally:
                s._leave()
            self._scheme_doc = s.document
        finally:
            if s is not scheme:
                s.close()
        super().__init__(handle)
        # The address for the common call; used only while the handle is entered.
        self._addr = ctypes.cast(handle, ctypes.c_void_p).value
        # Policy is set before the verifier is shared: the library requires it.
        for value, fn, name in (
            (max_age, lib.signwire_verifier_set_max_age, "max_age"),
            (max_future_skew, lib.signwire_verifier_set_max_future_skew, "max_future_skew"),
        ):
            if value is not None:
                self._configure(fn, _seconds_setting(value, name))
        self.diagnostics = bool(diagnostics)
        if self.diagnostics:
            self._configure(lib.signwire_verifier_set_diagnostics, 1)
        self._nonce_callback = None
        self._nonce_store = nonce_store
        self._callback_errors = threading.local()
        if callable(nonce_store):
            self._nonce_callback = _NONCE_CALLBACK(self._trampoline(nonce_store))
            self._configure(lib.signwire_verifier_set_nonce_store_callback, self._nonce_callback, None)
        elif nonce_store is not None:
            self._configure(lib.signwire_verifier_set_nonce_store, m.text(nonce_store, "nonce_store"))
        for cidr in _ranges(allowed_ips, "allowed_ips"):
            self._configure(lib.signwire_verifier_allow_ip, m.text(cidr, "allowed_ips"))
        for cidr in _ranges(trusted_proxies, "trusted_proxies"):
            self._configure(lib.signwire_verifier_trust_proxy, m.text(cidr, "trusted_proxies"))
        self._key_ids: "set[str]" = set()
        for key_id, secrets in _keyring(keys):
            for secret in secrets:
                self.add_secret(key_id, secret)

    def _trampoline(self, check_fn: NonceCallback):  # type: ignore[no-untyped-def]
        fresh = _NONCE_RESULT["SIGNWIRE_NONCE_FRESH"]
        replayed = _NONCE_RESULT["SIGNWIRE_NONCE_REPLAYED"]
        error = _NONCE_RESULT["SIGNWIRE_NONCE_STORE_ERROR"]
        errors = self._callback_errors

        def call(_user_data, key_id, nonce, ttl):  # type: ignore[no-untyped-def]
            # Never let an exception reach ctypes (it would print it and return 0); keep it
            # for verify() to chain onto NonceStoreUnavailable.
            try:
                answer = check_fn(key_id.decode("utf-8"), nonce.decode("utf-8"), int(ttl))
            except BaseException as e:  # noqa: BLE001 - any failure must fail closed
                errors.last = e
                return error
            if answer is True:
                return fresh
            if answer is False:
                return replayed
            errors.last = TypeError(f"nonce_store callable returned {answer!r}, not True or False")
            return error

        return call

    def _configure(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        try:
            check(fn(self._ptr, *args))
        except BaseException:
            self.close()
            raise

    @property
    def shares_nonces(self) -> bool:
        """True when nonces live in a store shared beyond this process (SQLite, Redis, a
        callable): the ASGI middleware then verifies in a worker thread."""
        ns = getattr(self, "_nonce_store", None)
        return ns is not None and not (isinstance(ns, str) and ns.strip().startswith("memory:"))

    @property
    def scheme(self) -> Scheme:
        """A new :class:`Scheme` equal to the verifier's."""
        return Scheme(self._scheme_doc)

    def add_secret(self, key_id: str, secret: Bytes) -> None:
        """Accept ``secret`` for ``key_id`` (a key id may hold several while rotating)."""
        if not isinstance(secret, _SECRET_TYPES):
            raise TypeError(f"the secret for key id {key_id!r} must be bytes or str, not {type(secret).__name__}")
        s = m.data(secret, "secret")
        k = m.text(key_id, "key_id")
        ptr = self._enter()
        try:
            check(lib.signwire_verifier_add_secret(ptr, k, s, len(s)))
        finally:
            self._leave()
        self._key_ids.add(key_id)

    def known_key_id(self, key_id: Optional[str]) -> str:
        """``key_id`` if a secret was ever configured for it, else ``"unknown"``: a label
        for counters that a client cannot grow without bound by inventing key ids."""
        return key_id if key_id is not None and key_id in self._key_ids else "unknown"

    def add_public_key(self, key_id: str, key: Bytes) -> None:
        """Accept the public ``key`` (PEM or JWK) for ``key_id`` under an HTTP Message
        Signatures scheme with an asymmetric algorithm (several per key id while rotating)."""
        data = m.data(key, "key")
        k = m.text(key_id, "key_id")
        ptr = self._enter()
        try:
            check(lib.signwire_verifier_add_public_key(ptr, k, data, len(data)))
        finally:
            self._leave()

    def remove_public_key(self, key_id: str) -> None:
        """Stop accepting every public key of ``key_id``; :class:`UnknownKey` if it had none."""
        k = m.text(key_id, "key_id")
        ptr = self._enter()
        try:
            check(lib.signwire_verifier_remove_public_key(ptr, k))
        finally:
            self._leave()

    def retire_secret(self, key_id: str, secret: Bytes) -> None:
        """Stop accepting ``secret`` for ``key_id``; :class:`UnknownKey` if it was not active."""
        s = m.data(secret, "secret")
        k = m.text(key_id, "key_id")
        ptr = self._enter()
        try:
            check(lib.signwire_verifier_retire_secret(ptr, k, s, len(s)))
        finally:
            self._leave()

    def verify(
        self,
        method: str,
        url: str,
        headers: Headers,
        body: Bytes = b"",
        remote_addr: Optional[str] = None,
        now: Optional[Seconds] = None,
    ) -> str:
        """Verify a request; return the key id that signed it.

        ``url`` is the complete URL the client signed (behind a proxy, rebuild it with the
        public origin). ``headers`` is any mapping or (name, value) pairs, names matched
        case-insensitively. ``body`` is the raw bytes received, before any parsing.
        ``now`` (unix seconds) replaces the clock, for tests and replaying logs.

        Raises a :class:`VerificationError` subclass naming the reason; answer the client a
        generic 401 and log ``str(error)`` for yourself.
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
        # The common call (clock now, no Python nonce-store callback that could re-enter on
        # this thread) goes through the void* prototype and this thread's own buffer.
        fast = now is None and self._nonce_callback is None
        fn: Any
        extra: Tuple[Any, ...]
        if now is None:
            fn, extra = lib.signwire_verifier_verify, ()
        else:
            fn, extra = lib.signwire_verifier_verify_at, (m.seconds(now, "now"),)
        ptr = self._enter()
        try:
            try:
                if fast:
                    try:
                        buf, buf_addr, written, written_addr = _tls.verify
                    except AttributeError:
                        buf, buf_addr, written, written_addr = _tls.verify = _key_id_buffer()
                    status = _verify(self._addr, *args, buf_addr, _KEY_ID_CAP, written_addr)
                    if status:
                        check(status)
                    key_id: bytes = buf[: written.value]
                    return key_id.decode("utf-8")
                return m.call_out(fn, (ptr,) + args + extra, _KEY_ID_CAP).decode("utf-8")
            except VerificationError as e:
                if self.diagnostics:
                    # Thread-local in the library: read it on this thread, right away.
                    e.diagnostic = m.call_out(lib.signwire_last_diagnostic, (), 1024).decode("utf-8") or None
                e.context = request_context(self._scheme_doc, args[4], e.diagnostic)
                cause = getattr(self._callback_errors, "last", None)
                if isinstance(e, NonceStoreUnavailable) and cause is not None:
                    self._callback_errors.last = None
                    raise e from cause
                raise
        finally:
            self._leave()

    def __repr__(self) -> str:
        return f"Verifier({self._scheme_doc['name']!r})"


def _ranges(value: Optional[Iterable[str]], name: str) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        # A bare string would be iterated character by character.
        raise TypeError(f"{name} must be a list of CIDR ranges, e.g. [{value!r}]")
    return list(value)


def _seconds_setting(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of seconds")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


_SECRET_TYPES = (bytes, bytearray, memoryview, str)


def _keyring(keys: Optional[Keys]) -> Iterable[Tuple[str, List[Any]]]:
    """(key id, [secrets]) pairs, with the type errors Python's own APIs would give."""
    if keys is None:
        return []
    if not isinstance(keys, Mapping):
        raise TypeError(f"keys must be a mapping of key id to secret, not {type(keys).__name__}")
    out = []
    for key_id, secrets in keys.items():
        if not isinstance(key_id, str):
            raise TypeError(f"key ids must be str, not {type(key_id).__name__} ({key_id!r})")
        if isinstance(secrets, _SECRET_TYPES):
            secrets = [secrets]
        elif isinstance(secrets, (list, tuple)):
            secrets = list(secrets)
            if not secrets:
                raise ValueError(f"key id {key_id!r} has an empty list of secrets: give at least one")
        else:
            raise TypeError(
                f"the secret for key id {key_id!r} must be bytes or str "
                f"(or a list of them while rotating), not {type(secrets).__name__}"
            )
        out.append((key_id, secrets))
    return out


def _pairs(headers: Any) -> Iterable[Tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, (bytes, str)):
        text = headers.decode("utf-8", "replace") if isinstance(headers, bytes) else headers
        return [tuple(p.strip() for p in line.split(":", 1)) for line in text.split("\n") if ":" in line]  # type: ignore[misc]
    items = headers.items() if hasattr(headers, "items") else headers
    out = []
    for pair in items:
        try:
            n, v = pair
        except (TypeError, ValueError):
            continue
        n = n.decode("latin-1") if isinstance(n, (bytes, bytearray)) else str(n)
        v = v.decode("latin-1") if isinstance(v, (bytes, bytearray)) else str(v)
        out.append((n, v))
    return out


def request_context(scheme_doc: Mapping[str, Any], headers: Any, diagnostic: Optional[str] = None) -> Dict[str, Any]:
    """What a server logs about a refused request, never a secret or a signature.

    ``key_id`` as the client claimed it (``None`` where the format carries none),
    ``headers``: the scheme's authentication headers as received, the signature's value
    replaced by ``"<not logged>"``, and ``diagnostic`` (with ``diagnostics=True``).

    >>> ctx = request_context(Scheme("hopnow").document,
    ...                       {"X-API-Key": "k1", "X-Signature": "ab12", "X-Nonce": "n"})
    >>> ctx["key_id"], ctx["headers"]
    ('k1', {'X-API-Key': 'k1', 'X-Signature': '<not logged>', 'X-Nonce': 'n'})
    """
    names = scheme_doc.get("headers") or {}
    wanted = {v.lower(): k for k, v in names.items() if v}
    found: Dict[str, Any] = {}
    key_id = None
    for n, v in _pairs(headers):
        role = wanted.get(n.lower())
        if role is None or n in found:
            continue
        if role == "signature":
            if scheme_doc.get("kind") == "aws-sigv4":
                cred = v.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in v else None
                key_id = key_id or cred
            found[n] = "<not logged>"
            continue
        if role == "key_id":
            key_id = v
        found[n] = v
    return {"key_id": key_id, "headers": found, "diagnostic": diagnostic}


def _prefork_server() -> bool:
    """True when this process runs under a server whose workers are separate processes."""
    import sys

    return any(name in sys.modules for name in ("gunicorn", "uwsgi", "mod_wsgi"))
