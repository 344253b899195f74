"""Python values to C arguments and back. Conversion only: every rule lives in the library.

What is refused here is what the C ABI cannot carry faithfully: a NUL inside text (C would
read a shorter string: silent truncation) and line breaks inside a header name or value
(the header block would gain a line).
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import threading
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple, Type, Union

from . import _native
from .errors import SignwireError, check

Bytes = Union[bytes, bytearray, memoryview, str]
HeaderValue = Union[str, bytes]
Headers = Union[Mapping[Any, Any], Iterable[Tuple[Any, Any]], str, None]
Seconds = Union[int, float, _dt.datetime]


def text(value: Any, name: str) -> bytes:
    """A NUL-terminated UTF-8 argument."""
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if b"\0" in data:
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
    """Unix seconds from an int, a float (floored) or an aware datetime."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be unix seconds, not bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} is not a finite number")
        return int(value // 1)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name} is a naive datetime; give it a timezone")
        return int(value.timestamp() // 1)
    raise TypeError(f"{name} must be int, float or datetime, not {type(value).__name__}")


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
    items = headers.items() if hasattr(headers, "items") else headers
    lines = []
    for pair in items:
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise TypeError("headers must be a mapping or (name, value) pairs") from None
        n, v = _header_text(name), _header_text(value)
        if not n or any(c in n for c in ":\r\n\0 \t"):
            raise error(f"invalid header name {n[:64]!r}")
        if any(c in v for c in "\r\n\0"):
            raise error(f"header {n[:64]} contains a line break or NUL")
        lines.append(f"{n}: {v}\r\n")
    return "".join(lines).encode("utf-8")


def parse_block(block: bytes) -> "dict[str, str]":
    """The library's ``Name: value\\r\\n`` output as an ordered dict."""
    out = {}
    for line in block.decode("utf-8").split("\r\n"):
        if line:
            name, _, value = line.partition(": ")
            out[name] = value
    return out


def call_out(fn: Callable[..., int], args: Tuple[Any, ...], cap: int) -> bytes:
    """Call ``fn(*args, out, out_cap, &written)``; grow the buffer once if it asks."""
    written = ctypes.c_size_t(0)
    buf = ctypes.create_string_buffer(cap)
    status = fn(*args, buf, cap, ctypes.byref(written))
    if status == _native.BUFFER_TOO_SMALL and written.value > cap:
        cap = written.value
        buf = ctypes.create_string_buffer(cap)
        status = fn(*args, buf, cap, ctypes.byref(written))
    check(status)
    return ctypes.string_at(buf, written.value)


class Handle:
    """Owns one C handle; releases it exactly once (``close``, ``with``, or ``__del__``).

    Calls in flight on other threads keep the handle alive: ``close`` while they run makes
    new calls fail and lets the last one out free it, so closing never frees memory that a
    C call is still reading.
    """

    _free: Callable[[Any], None]

    def __init__(self, ptr: Any) -> None:
        self._ptr = ptr
        self._lock = threading.Lock()
        self._users = 0
        self._closing = False

    def _enter(self) -> Any:
        with self._lock:
            if self._closing or self._ptr is None:
                raise ValueError(f"{type(self).__name__} is closed")
            self._users += 1
            return self._ptr

    def _leave(self) -> None:
        ptr = None
        with self._lock:
            self._users -= 1
            if self._closing and self._users == 0 and self._ptr is not None:
                ptr, self._ptr = self._ptr, None
        if ptr is not None:
            type(self)._free(ptr)

    def close(self) -> None:
        """Release the handle (idempotent). Secrets it held are wiped by the library."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ failed before the handle existed
            return
        ptr = None
        with lock:
            if self._ptr is None or self._closing:
                return
            self._closing = True
            if self._users == 0:
                ptr, self._ptr = self._ptr, None
        if ptr is not None:
            type(self)._free(ptr)

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
