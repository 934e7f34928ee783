"""JSON Schema of the spec language, generated from the attrs model (docs and ranges from
field metadata), for editors: Taplo / VS Code "Even Better TOML" validate and complete with it.
"""

from __future__ import annotations

import datetime
import types
import typing
from typing import Any, Literal, get_args, get_origin

import attrs

from hubc import SCHEMA
from hubc.spec.limits import limits
from hubc.spec.model import KEBAB, Spec


def _type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is float:
        return {"type": "number"}
    if tp is int:
        return {"type": "integer"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is datetime.date:
        return {"type": "string", "format": "date"}
    origin = get_origin(tp)
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin is tuple:
        return {"type": "array", "items": _type(get_args(tp)[0], defs)}
    if origin in (typing.Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1:
            return _type(members[0], defs)
        return {"anyOf": [_type(m, defs) for m in members]}
    if attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # reserve (recursion guard)
            defs[name] = _class(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _class(cl: Any, defs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required = []
    hints = typing.get_type_hints(cl)
    for a in attrs.fields(cl):
        schema = _type(hints[a.name], defs)
        meta = a.metadata
        numeric = {"minimum": meta.get("ge"), "exclusiveMinimum": meta.get("gt"),
                   "maximum": meta.get("le"), "exclusiveMaximum": meta.get("lt")}
        numeric = {k: v for k, v in numeric.items() if v is not None}
        if numeric:
            if "anyOf" in schema:
                schema = {"anyOf": [({**s, **numeric} if s.get("type") in ("number", "integer") else s) for s in schema["anyOf"]]}
            else:
                schema = {**schema, **numeric}
        if meta.get("id"):
            # `$` alone would let "hall-a\n" through validators built on Python's re (its `$` also
            # matches before a final newline); `(?!\n)` closes that and is a no-op in ECMA-262.
            schema = {**schema, "pattern": f"^{KEBAB.pattern}$(?!\\n)", "maxLength": limits().id_max_chars}
        if "doc" in meta:
            schema = {**schema, "description": meta["doc"]}
        if a.default is attrs.NOTHING:
            required.append(a.name)
        elif not isinstance(a.default, attrs.Factory) and a.default is not None:
            default = a.default
            schema["default"] = list(default) if isinstance(default, tuple) else default
        props[a.name] = schema
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    if cl.__doc__:
        out["description"] = " ".join(cl.__doc__.split())
    return out


def json_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = _class(Spec, defs)
    root["properties"]["schema"]["const"] = SCHEMA
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://hubc.dev/schema/hubc-1.json",
        "title": "hubc campus spec (hubc/1)",
        **root,
        "$defs": dict(sorted(defs.items())),
    }
