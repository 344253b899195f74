"""The argument types of signwire's public signatures.

``help(signwire.Signer.sign)`` shows these names; they are aliases of standard types, so
any value of the listed types is accepted:

>>> from signwire.types import Bytes, Headers
>>> Bytes
typing.Union[bytes, bytearray, memoryview, str]
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping, Tuple, Union

#: A body, secret or other byte string; ``str`` is encoded as UTF-8.
Bytes = Union[bytes, bytearray, memoryview, str]
#: One header value; ``bytes`` are read as Latin-1, as HTTP servers do.
HeaderValue = Union[str, bytes]
#: Request headers: a mapping, ``(name, value)`` pairs, a ``Name: value`` block, or None.
Headers = Union[Mapping[Any, Any], Iterable[Tuple[Any, Any]], str, None]
#: A time: Unix seconds (``int`` or ``float``) or an aware ``datetime``.
Seconds = Union[int, float, datetime.datetime]

__all__ = ["Bytes", "HeaderValue", "Headers", "Seconds"]
