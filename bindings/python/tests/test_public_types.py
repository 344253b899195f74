"""Public signatures name public types: help() shows ``headers: 'Headers'`` (signwire.types),
never a private module's alias such as ``'m.Headers'``, and every annotation resolves."""

import inspect
import re
import typing

import pytest

import signwire
import signwire.types

PRIVATE = re.compile(r"(?<![\w.])(?:m|_\w+)\.|\b_[A-Za-z]\w*")


def _public_callables():
    for name in signwire.__all__:
        obj = getattr(signwire, name)
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                continue
            yield name, obj.__init__
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and callable(member):
                    yield f"{name}.{attr}", member
        elif inspect.isfunction(obj):
            yield name, obj


CALLABLES = list(_public_callables())


def test_there_are_signatures_to_check():
    names = [n for n, _ in CALLABLES]
    assert "Signer.sign" in names and "Verifier.verify" in names and "explain" in names


@pytest.mark.parametrize("name,fn", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_signature_names_only_public_types(name, fn):
    shown = str(inspect.signature(fn))
    assert not PRIVATE.search(shown.replace("self", "")), f"{name}{shown}"
    # Every annotation resolves in its module's namespace (no dangling private alias).
    typing.get_type_hints(fn)


def test_aliases_are_the_documented_unions():
    assert signwire.types.Headers == typing.Union[
        typing.Mapping[typing.Any, typing.Any], typing.Iterable[typing.Tuple[typing.Any, typing.Any]], str, None
    ]
    assert "Headers" in str(inspect.signature(signwire.Signer.sign))
