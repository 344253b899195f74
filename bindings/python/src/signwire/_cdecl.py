"""Read the generated C header (``include/signwire.h``) into ctypes declarations.

The header is the single description of the C ABI: cbindgen writes it from the Rust code,
and this module turns it into ``argtypes``/``restype`` for every function, enum values and
size constants, so that no declaration is typed by hand a second time in Python.

It understands exactly the C subset cbindgen emits for signwire (enums, opaque and plain
structs, function-pointer typedefs, function prototypes); anything else is reported in
:attr:`Declarations.unsupported` instead of being guessed, and a test keeps that empty.

>>> d = parse('''
... typedef enum s { S_OK = 0, S_BAD = 7, } s;
... typedef struct thing thing;
... #define THING_MAX 129
... enum s thing_new(const char *name, size_t len, struct thing **out);
... ''')
>>> d.enums["s"]["S_BAD"], d.constants["THING_MAX"]
(7, 129)
>>> d.functions["thing_new"].argnames
('name', 'len', 'out')
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["Declarations", "Function", "parse", "UnsupportedType"]


class UnsupportedType(Exception):
    """A C type this reader does not map (reported, never guessed)."""


@dataclass(frozen=True)
class Function:
    """One C function: its ctypes result and argument types, and argument names."""

    name: str
    restype: Any
    argtypes: Tuple[Any, ...]
    argnames: Tuple[str, ...]
    c_text: str


@dataclass
class Declarations:
    """Everything read from the header."""

    enums: Dict[str, Dict[str, int]] = field(default_factory=dict)
    constants: Dict[str, int] = field(default_factory=dict)
    structs: Dict[str, Any] = field(default_factory=dict)
    callbacks: Dict[str, Any] = field(default_factory=dict)
    typedefs: Dict[str, Any] = field(default_factory=dict)
    functions: Dict[str, Function] = field(default_factory=dict)
    unsupported: Dict[str, str] = field(default_factory=dict)


_SCALARS: Dict[str, Any] = {
    "char": ctypes.c_char,
    "signed char": ctypes.c_byte,
    "unsigned char": ctypes.c_ubyte,
    "short": ctypes.c_short,
    "unsigned short": ctypes.c_ushort,
    "int": ctypes.c_int,
    "unsigned int": ctypes.c_uint,
    "unsigned": ctypes.c_uint,
    "long": ctypes.c_long,
    "unsigned long": ctypes.c_ulong,
    "long long": ctypes.c_longlong,
    "unsigned long long": ctypes.c_ulonglong,
    "float": ctypes.c_float,
    "double": ctypes.c_double,
    "bool": ctypes.c_bool,
    "_Bool": ctypes.c_bool,
    "int8_t": ctypes.c_int8,
    "uint8_t": ctypes.c_uint8,
    "int16_t": ctypes.c_int16,
    "uint16_t": ctypes.c_uint16,
    "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "size_t": ctypes.c_size_t,
    "ssize_t": ctypes.c_ssize_t,
    "intptr_t": ctypes.c_ssize_t,
    "uintptr_t": ctypes.c_size_t,
}

_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s+\(?\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))[uUlL]*\s*\)?\s*$", re.M)
_ENUM = re.compile(r"(typedef\s+)?enum\s+(\w+)\s*\{(.*?)\}\s*(\w*)\s*;", re.S)
_STRUCT = re.compile(r"(typedef\s+)?struct\s+(\w+)\s*\{(.*?)\}\s*(\w*)\s*;", re.S)
_OPAQUE = re.compile(r"typedef\s+struct\s+(\w+)\s+(\w+)\s*;")
_CALLBACK = re.compile(r"typedef\s+([^;()]+?)\(\s*\*\s*(\w+)\s*\)\s*\(([^;]*?)\)\s*;", re.S)
_TYPEDEF = re.compile(r"typedef\s+([^;(){}]+?)\s+(\w+)\s*;")
_FUNCTION = re.compile(r"^([^;(){}]+?)\b(\w+)\s*\(([^;{}]*)\)$", re.S)


_FN_POINTER_PARAM = re.compile(r"^([^()]+?)\(\s*\*\s*(\w*)\s*\)\s*\((.*)\)$", re.S)


def _split_params(text: str) -> List[str]:
    """Split on top-level commas (a function-pointer parameter has its own)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"^\s*#[^\n]*", " ", text, flags=re.M)


def _int(literal: str) -> int:
    return int(literal, 0)


class _Reader:
    def __init__(self) -> None:
        self.d = Declarations()

    # -- types ----------------------------------------------------------------------------

    def ctype(self, text: str, *, param: bool) -> Any:
        """Map a C type spelling (``const struct x **``) to a ctypes type."""
        t = " ".join(text.replace("*", " * ").split())
        stars = t.count("*")
        words = [w for w in t.replace("*", " ").split() if w not in ("const", "volatile", "restrict")]
        base_name = " ".join(words)
        if words[:1] == ["enum"]:
            base: Any = ctypes.c_int  # cbindgen writes plain C enums: int-sized
        elif words[:1] == ["struct"]:
            base = self.struct_type(words[1])
        elif base_name == "void":
            base = None
        elif base_name in _SCALARS:
            base = _SCALARS[base_name]
        elif base_name in self.d.callbacks:
            base = self.d.callbacks[base_name]
        elif base_name in self.d.typedefs:
            base = self.d.typedefs[base_name]
        elif base_name in self.d.structs:
            base = self.d.structs[base_name]
        elif base_name in self.d.enums:
            base = ctypes.c_int
        else:
            raise UnsupportedType(f"unknown C type {text.strip()!r}")
        if stars == 0:
            if base is None and param:
                raise UnsupportedType("void parameter")
            return base
        if stars and base in (ctypes.c_char, ctypes.c_uint8, ctypes.c_byte) and t.startswith("const "):
            # Read-only text and byte buffers: Python bytes pass without a copy; an array of
            # them (`const char *const *`) is an array of c_char_p.
            base, stars = ctypes.c_char_p, stars - 1
            for _ in range(stars):
                base = ctypes.POINTER(base)
            return base
        if base is None:
            base, stars = ctypes.c_void_p, stars - 1
        for _ in range(stars):
            base = ctypes.POINTER(base)
        return base

    def struct_type(self, name: str) -> Any:
        if name not in self.d.structs:
            self.d.structs[name] = type(name, (ctypes.Structure,), {})
        return self.d.structs[name]

    def params(self, text: str) -> Tuple[Tuple[Any, ...], Tuple[str, ...]]:
        text = " ".join(text.split())
        if text in ("", "void"):
            return (), ()
        types, names = [], []
        for i, p in enumerate(_split_params(text)):
            p = p.strip()
            fp = _FN_POINTER_PARAM.match(p)
            if fp:
                res = self.ctype(fp.group(1), param=False)
                args, _ = self.params(fp.group(3))
                types.append(ctypes.CFUNCTYPE(res, *args))
                names.append(fp.group(2) or f"arg{i}")
                continue
            m = re.match(r"^(.*?)(\w+)\s*(\[\s*\w*\s*\])?$", p)
            # A parameter without a name ("const char *") keeps its whole text as the type.
            if m and m.group(1).strip() and m.group(1).strip() not in ("const", "struct", "enum", "unsigned"):
                ctext, name = m.group(1), m.group(2)
                if m.group(3):
                    ctext += "*"
            else:
                ctext, name = p, f"arg{i}"
            types.append(self.ctype(ctext, param=True))
            names.append(name)
        return tuple(types), tuple(names)

    # -- declarations ---------------------------------------------------------------------

    def read(self, text: str) -> Declarations:
        for name, value in _DEFINE.findall(text):
            self.d.constants[name] = _int(value)
        body = _strip_comments(text)

        def enum(m: "re.Match[str]") -> str:
            tag, members, alias = m.group(2), m.group(3), m.group(4)
            values: Dict[str, int] = {}
            nxt = 0
            for member in members.split(","):
                member = member.strip()
                if not member:
                    continue
                if "=" in member:
                    k, v = (s.strip() for s in member.split("=", 1))
                    nxt = _int(v) if re.fullmatch(r"-?(0[xX][0-9a-fA-F]+|\d+)", v) else values.get(v, self.d.constants.get(v, 0))
                else:
                    k = member
                values[k] = nxt
                self.d.constants[k] = nxt
                nxt += 1
            self.d.enums[tag] = values
            if alias:
                self.d.enums[alias] = values
            return " "

        body = _ENUM.sub(enum, body)
        for m in _OPAQUE.finditer(body):
            self.struct_type(m.group(1))
            self.d.structs[m.group(2)] = self.struct_type(m.group(1))
        body = _OPAQUE.sub(" ", body)

        pending: List["re.Match[str]"] = list(_STRUCT.finditer(body))
        for m in pending:
            self.struct_type(m.group(2))
        for m in pending:
            cls = self.struct_type(m.group(2))
            fields = []
            try:
                for f in m.group(3).split(";"):
                    f = " ".join(f.split())
                    if not f:
                        continue
                    fm = re.match(r"^(.*?)(\w+)\s*(?:\[\s*(\w+)\s*\])?$", f)
                    if not fm:
                        raise UnsupportedType(f"struct field {f!r}")
                    ftype = self.ctype(fm.group(1), param=True)
                    if fm.group(3):
                        n = fm.group(3)
                        ftype = ftype * (_int(n) if n[0].isdigit() else self.d.constants[n])
                    fields.append((fm.group(2), ftype))
                cls._fields_ = fields
            except (UnsupportedType, KeyError) as e:
                self.d.unsupported[f"struct {m.group(2)}"] = str(e)
            if m.group(4):
                self.d.structs[m.group(4)] = cls
        body = _STRUCT.sub(" ", body)

        for m in _CALLBACK.finditer(body):
            try:
                res = self.ctype(m.group(1), param=False)
                args, _ = self.params(m.group(3))
                self.d.callbacks[m.group(2)] = ctypes.CFUNCTYPE(res, *args)
            except UnsupportedType as e:
                self.d.unsupported[m.group(2)] = str(e)
        body = _CALLBACK.sub(" ", body)

        for m in _TYPEDEF.finditer(body):
            try:
                self.d.typedefs[m.group(2)] = self.ctype(m.group(1), param=False)
            except UnsupportedType as e:
                self.d.unsupported[m.group(2)] = str(e)
        body = _TYPEDEF.sub(" ", body)

        body = re.sub(r'extern\s+"C"\s*\{', " ", body)
        for stmt in body.split(";"):
            stmt = " ".join(stmt.replace("}", " ").split())
            if not stmt:
                continue
            fm = _FUNCTION.match(stmt)
            if not fm:
                self.d.unsupported[stmt[:60]] = "not a declaration this reader knows"
                continue
            name = fm.group(2)
            try:
                restype = self.ctype(fm.group(1), param=False)
                argtypes, argnames = self.params(fm.group(3))
            except UnsupportedType as e:
                self.d.unsupported[name] = str(e)
                continue
            self.d.functions[name] = Function(name, restype, argtypes, argnames, stmt)
        return self.d


def parse(text: str) -> Declarations:
    """Read a header's text into :class:`Declarations`."""
    return _Reader().read(text)


def declare(lib: Any, decls: Declarations) -> List[str]:
    """Set ``restype``/``argtypes`` on every declared function of ``lib``.

    Returns the names the library does not export (a header and library from different builds).
    """
    missing = []
    for f in decls.functions.values():
        try:
            fn = getattr(lib, f.name)
        except AttributeError:
            missing.append(f.name)
            continue
        fn.restype = f.restype
        fn.argtypes = list(f.argtypes)
    return missing


def function_names(decls: Declarations, prefix: Optional[str] = None) -> List[str]:
    """Declared function names, optionally only those starting with ``prefix``."""
    return sorted(n for n in decls.functions if prefix is None or n.startswith(prefix))
