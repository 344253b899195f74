"""Python values to C arguments and back. Conversion only: every rule lives in the library.

What is refused here is what the C ABI cannot carry faithfully: a NUL inside text (C would
read a shorter string: silent truncation) and line breaks inside a header name or value
(the header block would gain a line).
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import re
import threading
from typing import Any, Callable, Iterable, List, Mapping, Optional, Tuple, Type, Union

from . import _native
from .errors import SignwireError, check

from .types import Bytes as Bytes, Headers as Headers, HeaderValue as HeaderValue, Seconds as Seconds  # m.Bytes, ...

#: The ctypes type for size_t arguments of the hot-path prototypes (signer.py, verifier.py).
#: ctypes converts a Python int for a c_size_t parameter through an isinstance() check
#: that costs about 800 instructions; for c_void_p it takes the int directly. Where the two
#: have the same size and are passed alike (every platform CPython supports in practice:
#: LP64, LLP64, ILP32), an integer typed void* is the same bits in the same register.
SIZE_T: Any = ctypes.c_void_p if ctypes.sizeof(ctypes.c_void_p) == ctypes.sizeof(ctypes.c_size_t) else ctypes.c_size_t


def text(value: Any, name: str) -> bytes:
    """A NUL-terminated UTF-8 argument."""
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    # 0, not b"\0": `bytes in bytes` first tries its operand as an int and builds a
    # TypeError before it searches.
    if 0 in data:
        raise ValueError(f"{name} contains a NUL character")
    return data


def opt_text(value: Any, name: str) -> Optional[bytes]:
    return None if value is None else text(value, name)


def data(value: Any, name: str) -> bytes:
    """A byte buffer (``str`` is encoded as UTF-8; ``None`` is empty)."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{name} must be bytes or str, not {type(value).__name__}")


def seconds(value: Seconds, name: str) -> int:
    """Unix seconds from an int, a float (floored) or an aware datetime, refused (ValueError)
    outside the C ABI's int64_t: ctypes would silently keep the low 64 bits (2**64 signs 0)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be unix seconds, not bool")
    if isinstance(value, int):
        out = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} is not a finite number")
        out = int(value // 1)
    elif isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name} is a naive datetime; give it a timezone")
        out = int(value.timestamp() // 1)
    else:
        raise TypeError(f"{name} must be int, float or datetime, not {type(value).__name__}")
    if not _INT64_MIN <= out <= _INT64_MAX:
        raise ValueError(f"{name} is out of range (a 64-bit signed number of seconds): {out}")
    return out


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _header_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            # HTTP's historical charset: every byte maps to one character.
            return raw.decode("latin-1")
    raise TypeError(f"header names and values must be str or bytes, not {type(value).__name__}")


_BAD_NAME = re.compile("[:\r\n\0 \t]").search
_BAD_VALUE = re.compile("[\r\n\0]").search


def header_block(headers: Headers, error: Type[Exception]) -> Optional[bytes]:
    """A ``Name: value\\r\\n`` block from a mapping, (name, value) pairs, or a block.

    Names are case-insensitive in the library; duplicates are kept (a repeated
    authentication header is refused there, never picked from).
    """
    if headers is None:
        return None
    if isinstance(headers, str):
        return text(headers, "headers")
    if isinstance(headers, (bytes, bytearray)):
        return text(_header_text(headers), "headers")
    if type(headers) is dict:
        names: Optional[str]
        values: Optional[str]
        try:
            names = "".join(headers)
            values = "".join(headers.values())
        except TypeError:  # a bytes or other non-str name or value: the loop below
            names = values = None
        # All str: check every name and every value with one search each, the same rules
        # as the loop below (which then names the bad header). This runs for every
        # verified request.
        if names is not None and values is not None and "" not in headers and not _BAD_NAME(names) and not _BAD_VALUE(values):
            return "".join([f"{n}: {v}\r\n" for n, v in headers.items()]).encode("utf-8")
    items = headers.items() if hasattr(headers, "items") else headers
    lines = []
    for pair in items:
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise TypeError("headers must be a mapping or (name, value) pairs") from None
        n = name if type(name) is str else _header_text(name)
        v = value if type(value) is str else _header_text(value)
        # One regex search each instead of a generator over the characters: this runs for
        # every header of every verified request.
        if not n or _BAD_NAME(n):
            raise error(f"invalid header name {n[:64]!r}")
        if _BAD_VALUE(v):
            raise error(f"header {n[:64]} contains a line break or NUL")
        lines.append(f"{n}: {v}\r\n")
    return "".join(lines).encode("utf-8")


def parse_block(block: bytes) -> "dict[str, str]":
    """The library's ``Name: value\\r\\n`` output as an ordered dict."""
    # The library writes exactly ": " between name and value and "\r\n" after each line,
    # and no signed header's name holds ": " (names are tokens): one split per line, which
    # measured faster than one split of the whole block (this runs for every signature).
    lines = block.decode("utf-8").split("\r\n")
    lines.pop()  # after the last "\r\n"
    return dict([line.split(": ", 1) for line in lines])


_tls = threading.local()
#: Size of each thread's reusable output buffer: every fixed-size output fits.
_TLS_CAP = 4096


def call_out(fn: Callable[..., int], args: Tuple[Any, ...], cap: int) -> bytes:
    """Call ``fn(*args, out, out_cap, &written)``; grow the buffer once if it asks.

    Each thread reuses one output buffer: allocating one per call cost as much as a
    signature over a small body.
    """
    out = getattr(_tls, "out", None)
    if out is None or out[3] or cap > _TLS_CAP:
        # First call on this thread, a call nested in a callback, or a large output.
        size = max(cap, _TLS_CAP)
        buf = ctypes.create_string_buffer(size)
        written = ctypes.c_size_t(0)
        out = [buf, written, ctypes.byref(written), False, size]
        if getattr(_tls, "out", None) is None:
            _tls.out = out
    buf, written, written_ref, _, size = out
    out[3] = True
    try:
        status = fn(*args, buf, size, written_ref)
        if status == _native.BUFFER_TOO_SMALL and written.value > size:
            size = written.value
            buf = ctypes.create_string_buffer(size)
            status = fn(*args, buf, size, written_ref)
        check(status)
        return buf[: written.value]  # type: ignore[return-value]  # a char array's slice is bytes
    finally:
        # The buffer outlives the call: leave no output (an opened body, a key id) in it.
        ctypes.memset(buf, 0, min(written.value, len(buf)))
        out[3] = False


class Handle:
    """Owns one C handle; releases it exactly once (``close``, ``with``, or ``__del__``).

    Calls in flight on other threads keep the handle alive: ``close`` while they run makes
    new calls fail and lets the last one out free it, so closing never frees memory that a
    C call is still reading.
    """

    _free: Callable[[Any], None]

    def __init__(self, ptr: Any) -> None:
        self._ptr = ptr
        # One entry per call in flight. list.append/pop and dict.pop are atomic, which is
        # all this bookkeeping needs: a lock taken twice per call cost more than a
        # signature over a small body.
        self._inflight: List[object] = []
        self._closing = False
        self._owned = {"ptr": ptr}

    @property
    def _users(self) -> int:
        return len(self._inflight)

    def _enter(self) -> Any:
        # Register first, then look: close() sets _closing first, then looks. Either this
        # call sees _closing, or close() sees this call and leaves the free to _leave.
        self._inflight.append(None)
        if self._closing:
            self._leave()
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    def _leave(self) -> None:
        self._inflight.pop()
        if self._closing and not self._inflight:
            self._release()

    def _release(self) -> None:
        # Exactly one caller gets the pointer out of the dict, so it is freed once.
        ptr = self._owned.pop("ptr", None)
        if ptr is not None:
            self._ptr = None
            type(self)._free(ptr)

    def close(self) -> None:
        """Release the handle (idempotent). Secrets it held are wiped by the library."""
        if getattr(self, "_owned", None) is None:  # __init__ failed before the handle existed
            return
        self._closing = True
        if not self._inflight:
            self._release()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return getattr(self, "_closing", True)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone already
            pass


def new_handle(fn: Callable[..., int], *args: Any, out_type: Any) -> Any:
    """Call a ``signwire_x_new(..., x **out)`` constructor and return the pointer."""
    out = out_type()
    check(fn(*args, ctypes.byref(out)))
    if not out:
        raise SignwireError("constructor returned OK but no handle", _native.STATUS["SIGNWIRE_ERR_INTERNAL"])
    return out
