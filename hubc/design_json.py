"""design.json: the typed `Design` unstructured by one cattrs converter, and its JSON Schema.

This module is the one place that decides what design.json looks like:

- Keys are the attrs field names of the result records (unit-suffixed: `it_kw`, `rating_kva`),
  in field order, followed by the record's `derived` figures (`hubc.core.derived`). A field
  whose metadata is `NOT_IN_JSON` is left out; nothing else is special-cased.
- Numbers: integers as they are; every float is rounded by `round_figure` - to 10 significant
  digits, but never finer than 1e-6. Ten significant digits keep every figure hubc computes
  (watts of a multi-GW campus, metres of cable, whole won below 10 bn KRW, counts stored as
  floats) exact to far below its meaning, while dropping the binary noise of sums (relative
  1e-13) that would make the bytes differ between machines; 1e-6 is finer than any tolerance a
  stage checks against (the electrical verifier's 1e-6, the energy replay's 1e-4) and any share
  or loading worth reading (0.0001 %), so what is smaller is float noise and reads 0. -0.0 is
  written 0.0; NaN and infinity are bugs (a stage must say "unbounded" as None), so they raise.
- A tuple of (name, value) pairs is an object; a NamedTuple is an object with its field names
  (also a plain tuple of that shape); an enum is its value; a `Location` is "file:line:col".

`design_schema()` is the JSON Schema (2020-12) of the same document, generated from the same
classes and type hints: tuples are arrays, `X | None` is nullable, nested attrs classes are
`$defs`, and every object forbids keys it does not define. `hubc schema --design` prints it.
"""

from __future__ import annotations

import enum
import functools
import importlib
import json
import math
import sys
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

import attrs
from cattrs import Converter
from cattrs.gen import make_dict_unstructure_fn, override

from hubc import SCHEMA, __version__
from hubc.core.derived import derived_members, in_json
from hubc.design import Design
from hubc.diagnostics import Diagnostic, Location

if TYPE_CHECKING:
    from collections.abc import Iterable

SIGNIFICANT_DIGITS = 10
FINEST = 6  # decimals: nothing finer than 1e-6 is written


def round_figure(x: float) -> float:
    """The one rounding rule of design.json (see the module docstring)."""
    assert math.isfinite(x), f"design.json cannot hold {x!r}: a stage must not produce a non-finite figure"
    if x == 0:
        return 0.0
    decimals = min(FINEST, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(x))))
    return float(round(x, decimals)) + 0.0  # + 0.0 turns -0.0 into 0.0


@attrs.frozen(kw_only=True)
class Provenance:
    """Which hubc built the design, for which spec language, from which spec file."""

    version: str
    schema: str
    spec: str


# --------------------------------------------------------------------------- type hints

# Modules whose classes the result records name only for type checkers (`if TYPE_CHECKING:`
# imports keep `hubc.design` and the stage packages light to import).
_RESULT_MODULES = (
    "hubc.design",
    "hubc.diagnostics",
    "hubc.core.equipment",
    "hubc.core.summary",
    "hubc.racks.result",
    "hubc.cooling.sizing",
    "hubc.electrical.sizing",
    "hubc.electrical.feeds",
    "hubc.electrical.verify",
    "hubc.electrical.stage",
    "hubc.energy",
    "hubc.energy.interconnect",
    "hubc.energy.cost",
    "hubc.finance",
    "hubc.procurement.phases",
    "hubc.procurement.bom",
)


@functools.cache
def _namespace() -> dict[str, Any]:
    import numpy as np

    names: dict[str, Any] = {"np": np}
    for module in _RESULT_MODULES:
        for name, value in vars(importlib.import_module(module)).items():
            if isinstance(value, type) and not name.startswith("_"):
                names.setdefault(name, value)
    return names


def _globals(obj: Any) -> dict[str, Any]:
    """The names a class's (or function's) annotations may use: its module's, then the result
    modules' (a module's own names win, so two classes of one name never mix)."""
    return {**_namespace(), **vars(sys.modules[obj.__module__])}


def _field_types(cl: type) -> dict[str, Any]:
    attrs.resolve_types(cl, globalns=_globals(cl))
    return {a.name: a.type for a in attrs.fields(cl)}


def _derived(cl: type) -> dict[str, tuple[Any, Any]]:
    """Name -> (function, return type) of each `derived` figure of `cl`."""
    return {
        name: (fn, typing.get_type_hints(fn, globalns=_globals(fn))["return"])
        for name, fn in derived_members(cl).items()
    }


def _is_pairs(tp: Any) -> bool:
    """tuple[tuple[str, V], ...]: named values, written as an object."""
    args = get_args(tp)
    if get_origin(tp) is not tuple or len(args) != 2 or args[1] is not Ellipsis:
        return False
    inner = get_args(args[0])
    return get_origin(args[0]) is tuple and len(inner) == 2 and inner[0] is str and inner[1] is not Ellipsis


def _is_namedtuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


def _json_fields(cl: type) -> list[attrs.Attribute]:
    return [a for a in attrs.fields(cl) if in_json(a.metadata)]


# ---------------------------------------------------------------------------- converter


def _make_converter() -> Converter:
    conv = Converter(unstruct_collection_overrides={tuple: list})
    conv.register_unstructure_hook(float, round_figure)
    conv.register_unstructure_hook(Location, str)

    def pairs(tp: Any):
        value_type = get_args(get_args(tp)[0])[1]

        def unstructure(value) -> dict[str, Any]:
            out = {k: conv.unstructure(v, value_type) for k, v in value}
            assert len(out) == len(value), f"duplicate names in {value!r}"
            return out

        return unstructure

    def namedtuple(tp: Any):
        hints = typing.get_type_hints(tp, globalns=_globals(tp))
        names = tp._fields

        def unstructure(value) -> dict[str, Any]:
            return {n: conv.unstructure(v, hints[n]) for n, v in zip(names, value, strict=True)}

        return unstructure

    def record(cl: type):
        _field_types(cl)
        omit = {a.name: override(omit=True) for a in attrs.fields(cl) if not in_json(a.metadata)}
        fields = make_dict_unstructure_fn(cl, conv, _cattrs_include_init_false=True, **omit)
        extra = _derived(cl)
        if not extra:
            return fields

        def unstructure(obj) -> dict[str, Any]:
            out = fields(obj)
            for name, (fn, tp) in extra.items():
                out[name] = conv.unstructure(fn(obj), tp)
            return out

        return unstructure

    # The last registered factory wins: the specific shapes go after the general `attrs.has`.
    conv.register_unstructure_hook_factory(attrs.has, record)
    conv.register_unstructure_hook_factory(_is_namedtuple, namedtuple)
    conv.register_unstructure_hook_factory(_is_pairs, pairs)
    return conv


CONVERTER = _make_converter()


def unstructure(obj: Any, as_type: Any = None) -> Any:
    """JSON-ready data of a result record (or of any value of type `as_type`), as design.json
    writes it; the lock digests each stage's result in this form."""
    return CONVERTER.unstructure(obj, as_type if as_type is not None else obj.__class__)


def design_document(spec_name: str, design: Design, diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """design.json as data: provenance, every diagnostic of the build, then the stages' results."""
    head = Provenance(version=__version__, schema=SCHEMA, spec=spec_name)
    return {
        "hubc": unstructure(head),
        "diagnostics": unstructure(tuple(diagnostics), tuple[Diagnostic, ...]),
        **unstructure(design),
    }


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# ------------------------------------------------------------------------------- schema


_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}


class _SchemaBuilder:
    """JSON Schema of Python types, with one `$defs` entry per attrs class."""

    def __init__(self, qualify: frozenset[str] = frozenset()) -> None:
        self.defs: dict[str, Any] = {}
        self.names: dict[type, str] = {}
        self.qualify = qualify  # class names two classes share: named by module too

    def of(self, tp: Any) -> dict[str, Any]:
        if tp in _JSON_TYPES:
            return {"type": _JSON_TYPES[tp]}
        if tp is Any or tp is object:
            return {}
        if tp is Location:
            return {"type": "string", "description": "file:line:col in the spec"}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"enum": [m.value for m in tp]}
        if attrs.has(tp):
            return {"$ref": f"#/$defs/{self._define(tp)}"}
        if _is_namedtuple(tp):
            hints = typing.get_type_hints(tp, globalns=_globals(tp))
            default_doc = f"{tp.__name__}({', '.join(tp._fields)})"
            return self._object({k: self.of(v) for k, v in hints.items()}, None if tp.__doc__ == default_doc else tp.__doc__)
        return self._generic(tp)

    def _generic(self, tp: Any) -> dict[str, Any]:
        """Literal, unions, tuples, (name, value) pairs and mappings."""
        origin, args = get_origin(tp), get_args(tp)
        if _is_pairs(tp):
            return {"type": "object", "additionalProperties": self.of(get_args(args[0])[1])}
        if origin is Literal:
            return {"enum": list(args)}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.of(a) for a in args]}
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.of(args[0])}
        if origin is tuple:
            return {"type": "array", "prefixItems": [self.of(a) for a in args], "items": False}
        if tp is dict or origin in (dict, Mapping):
            return {"type": "object", "additionalProperties": self.of(args[1]) if args else True}
        raise TypeError(f"no JSON Schema for {tp!r}: give the field a JSON-able type or mark it NOT_IN_JSON")

    def properties(self, cl: type) -> dict[str, Any]:
        types_ = _field_types(cl)
        props = {a.name: self.of(types_[a.name]) for a in _json_fields(cl)}
        for name, (fn, tp) in _derived(cl).items():
            schema = self.of(tp)
            props[name] = {**schema, "description": " ".join(fn.__doc__.split())} if fn.__doc__ else schema
        return props

    def _define(self, cl: type) -> str:
        if cl not in self.names:
            name = cl.__name__
            if name in self.qualify:
                name = f"{cl.__module__.removeprefix('hubc.')}.{name}"
            self.names[cl] = name
            self.defs[name] = {}  # reserved while the class's own fields are generated
            self.defs[name] = self._object(self.properties(cl), cl.__doc__)
        return self.names[cl]

    @staticmethod
    def _object(props: dict[str, Any], doc: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
        if doc:
            out["description"] = " ".join(doc.split())
        return out


def _root(b: _SchemaBuilder) -> dict[str, Any]:
    return {"hubc": b.of(Provenance), "diagnostics": b.of(tuple[Diagnostic, ...]), **b.properties(Design)}


def design_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of design.json."""
    first = _SchemaBuilder()
    _root(first)
    names = [cl.__name__ for cl in first.names]
    b = _SchemaBuilder(qualify=frozenset(n for n in names if names.count(n) > 1))
    props = _root(b)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://hubc.dev/schema/hubc-design-1.json",
        "title": f"hubc design.json ({SCHEMA})",
        "description": " ".join((Design.__doc__ or "").split()),
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
        "$defs": dict(sorted(b.defs.items())),
    }
