"""What a result record shows in design.json besides its fields.

design.json is the unstructuring of the typed `Design` by one converter (`hubc.design_json`):
every attrs field under its own name, except a field whose metadata is `NOT_IN_JSON` (hourly
arrays, which go to energy.csv; wall times; copies of spec inputs; diagnostics, which
design.json lists once at the top). A figure the record computes from its fields (a
utilisation, a total, a gap) is marked `derived` - a property or a method without arguments:
design.json writes its value after the fields, under its name, and the JSON Schema types it by
its return annotation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

NOT_IN_JSON = {"json": False}

F = TypeVar("F", bound=Callable[..., Any] | property)

_MARK = "__hubc_derived__"


def derived(member: F) -> F:
    """Mark a property (`@derived` above or below `@property`) or a method without arguments as a
    figure design.json writes like a field."""
    setattr(member.fget if isinstance(member, property) else member, _MARK, True)
    return member


def _function(member: Any) -> Callable[..., Any] | None:
    fn = member.fget if isinstance(member, property) else member
    return fn if callable(fn) and getattr(fn, _MARK, False) else None


def derived_members(cl: type) -> dict[str, Callable[..., Any]]:
    """Name -> function (property getter or method) of each derived figure of a class, base
    classes first, each in definition order."""
    out: dict[str, Callable[..., Any]] = {}
    for klass in reversed(cl.__mro__):
        for name, member in vars(klass).items():
            fn = _function(member)
            if fn is not None:
                out[name] = fn
    return out


def in_json(metadata) -> bool:
    """Whether an attrs field with this metadata appears in design.json."""
    return metadata.get("json", True) is not False
