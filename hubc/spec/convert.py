"""The one cattrs converter: TOML data -> `Spec`, every schema error at once.

Strict on purpose: TOML already has types, so a string where a number belongs is an error,
not something to coerce (`"130"` is not 130 kW), and a bool is not a number. Unknown keys are
errors with a did-you-mean, because a misspelt `row_busway_kw` silently taking its default
is how a design ends up wrong. Physical ranges come from the model's field metadata.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import math
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

import attrs
from cattrs import Converter
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from hubc import SCHEMA
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath
from hubc.spec.limits import limits
from hubc.spec.model import Spec
from hubc.spec.source import RawDocument


class SpecTypeError(Exception):
    """A value of the wrong TOML type (HUB005)."""


class SpecChoiceError(Exception):
    """A value outside a fixed set of choices (HUB007)."""

    def __init__(self, message: str, suggestion: str | None):
        super().__init__(message)
        self.suggestion = suggestion


class SpecRangeError(Exception):
    """A number outside its physical range (HUB006)."""


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int) and abs(value) >= _INT64:
        return f"an integer of {len(str(abs(value)))} digits"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'a string ("{shown}")'
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, datetime.date):
        return f"a date ({value})"
    return type(value).__name__


def _type_name(tp: Any) -> str:
    if tp is float:
        return "a number"
    if tp is int:
        return "an integer"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is datetime.date:
        return "a date (YYYY-MM-DD)"
    if attrs.has(tp):
        return "a table"
    origin = get_origin(tp)
    if origin is tuple:
        return "an array"
    if origin is Literal:
        return "one of " + ", ".join(f'"{a}"' for a in get_args(tp))
    if origin in (typing.Union, __import__("types").UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None))
    return str(tp)


# TOML integers are 64-bit (TOML 1.0 §Integer); Python's parser accepts any size, so larger
# ones are refused here, as numbers, before anything converts them (float(10**309) overflows).
_INT64 = 2**63


def _number(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecTypeError(f"expected a number, found {_describe(value)}")
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise SpecRangeError(f"is out of range ({_describe_number(value)})")
    # nan and inf are TOML numbers, but no quantity is either, and NaN slips through every
    # comparison of a range check (nan < 1 and nan > 1 are both false).
    if not math.isfinite(value):
        raise SpecRangeError(f"must be a finite number, found {value}")
    tiny = limits().smallest_nonzero
    if value and abs(value) < tiny:
        raise SpecRangeError(f"must be 0 or at least {tiny:g} in size, found {value:g}")
    return float(value)


def _integer(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            raise SpecTypeError(f"expected an integer, found {_describe(value)}: write it without the decimal point")
        raise SpecTypeError(f"expected an integer, found {_describe(value)}")
    if not -_INT64 <= value < _INT64:
        raise SpecRangeError(f"is out of range ({_describe_number(value)})")
    return value


def _describe_number(value: int) -> str:
    digits = len(str(abs(value)))
    return f"an integer of {digits} digits" if digits > 20 else f"{value}"


def _string(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise SpecTypeError(f"expected a string, found {_describe(value)}")
    return value


def _boolean(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecTypeError(f"expected true or false, found {_describe(value)}")
    return value


def _date(value: Any, _: Any) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise SpecTypeError(f"expected a date such as 2027-12-31, found {_describe(value)}")
    return value


def _literal(value: Any, tp: Any) -> Any:
    choices = get_args(tp)
    if value in choices and type(value) is type(choices[0]):
        return value
    if not isinstance(value, str):
        raise SpecTypeError(f"expected {_type_name(tp)}, found {_describe(value)}")
    close = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.5)
    raise SpecChoiceError(
        f'"{value}" is not one of ' + ", ".join(f'"{c}"' for c in choices),
        close[0] if close else None,
    )


def _is_literal(tp: Any) -> bool:
    return get_origin(tp) is Literal


def _is_tuple(tp: Any) -> bool:
    return get_origin(tp) is tuple


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, __import__("types").UnionType)


def _make_converter() -> Converter:
    conv = Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(float, _number)
    conv.register_structure_hook(int, _integer)
    conv.register_structure_hook(str, _string)
    conv.register_structure_hook(bool, _boolean)
    conv.register_structure_hook(datetime.date, _date)
    conv.register_structure_hook_func(_is_literal, _literal)

    # Arrays: TOML strings are iterable, so check for a real array before iterating, and keep
    # each element's index on its errors so diagnostics point at the element.
    def structure_tuple(value: Any, tp: Any):
        if not isinstance(value, list):
            raise SpecTypeError(f"expected an array, found {_describe(value)}")
        item = get_args(tp)[0]
        out, errors = [], []
        for i, v in enumerate(value):
            try:
                out.append(conv.structure(v, item))
            except Exception as exc:  # noqa: BLE001 - collected and reported with its index
                exc.__notes__ = [*getattr(exc, "__notes__", []), IterableValidationNote(f"@ index {i}", i, item)]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
        return tuple(out)

    conv.register_structure_hook_func(_is_tuple, structure_tuple)

    def union_factory(tp: Any):
        members = [a for a in get_args(tp) if a is not type(None)]
        optional = len(members) < len(get_args(tp))

        def hook(value: Any, _: Any):
            if value is None and optional:
                return None
            # "auto" for quantities the optimiser sizes; otherwise the concrete member.
            for m in members:
                if _is_literal(m) and value in get_args(m):
                    return value
            concrete = [m for m in members if not _is_literal(m)]
            if len(concrete) == 1:
                try:
                    return conv.structure(value, concrete[0])
                except SpecTypeError:
                    raise SpecTypeError(f"expected {_type_name(tp)}, found {_describe(value)}") from None
            raise SpecTypeError(f"expected {_type_name(tp)}, found {_describe(value)}")

        return hook

    conv.register_structure_hook_factory(_is_union, union_factory)

    def class_factory(cl: Any):
        fn = make_dict_structure_fn(cl, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True)

        def hook(value: Any, _: Any):
            if not isinstance(value, Mapping):
                raise SpecTypeError(f"expected a table, found {_describe(value)}")
            return fn(value, cl)

        return hook

    conv.register_structure_hook_factory(attrs.has, class_factory)
    return conv


@functools.cache
def converter() -> Converter:
    return _make_converter()


# --------------------------------------------------------------------------- range checks


def _range_problems(obj: Any, path: KeyPath, out: list[tuple[KeyPath, str]]) -> None:
    """Walk a structured spec and report every number outside its field's physical range."""
    if isinstance(obj, tuple):
        for i, item in enumerate(obj):
            _range_problems(item, path + (i,), out)
        return
    if not attrs.has(type(obj)):
        return
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        here = path + (a.name,)
        if attrs.has(type(value)) or isinstance(value, tuple):
            _range_problems(value, here, out)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        meta = a.metadata
        if "ge" in meta and value < meta["ge"]:
            out.append((here, f"must be at least {meta['ge']:g}, found {value:g}"))
        elif "gt" in meta and value <= meta["gt"]:
            out.append((here, f"must be greater than {meta['gt']:g}, found {value:g}"))
        elif "le" in meta and value > meta["le"]:
            out.append((here, f"must be at most {meta['le']:g}, found {value:g}"))
        elif "lt" in meta and value >= meta["lt"]:
            out.append((here, f"must be less than {meta['lt']:g}, found {value:g}"))


# --------------------------------------------------------------------------- entry point


def _fields_of(cl: Any) -> list[str]:
    return [a.name for a in attrs.fields(cl)] if attrs.has(cl) else []


def _errors(exc: BaseException, path: KeyPath, out: list[tuple[KeyPath, BaseException]]) -> None:
    if isinstance(exc, ForbiddenExtraKeysError):
        out.append((path, exc))
        return
    if isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    sub_path = path + (note.name,)
                elif isinstance(note, IterableValidationNote):
                    sub_path = path + (note.index,)
            _errors(sub, sub_path, out)
        return
    out.append((path, exc))


def _class_at(path: KeyPath) -> Any:
    """The attrs class a key path lands in (for did-you-mean on unknown keys)."""
    cl: Any = Spec
    for part in path:
        if isinstance(part, int):
            continue
        field = {a.name: a for a in attrs.fields(cl)}.get(part) if attrs.has(cl) else None
        if field is None:
            return None
        tp = field.type
        while True:
            if _is_tuple(tp):
                tp = get_args(tp)[0]
            elif _is_union(tp):
                tp = next((a for a in get_args(tp) if attrs.has(a)), None)
            else:
                break
        cl = tp
    return cl


def structure(doc: RawDocument) -> tuple[Spec | None, list[Diagnostic]]:
    src = doc.source
    data = doc.data
    if not data:
        what = "empty" if not src.text.strip() else "nothing but comments and blank lines"
        return None, [
            diag(
                "HUB010",
                f"the spec is {what}: there is no campus to check",
                src.at_key(()),
                help="`hubc init campus.toml` writes a commented starter spec that passes `hubc check`",
            )
        ]
    schema = data.get("schema")
    if schema != SCHEMA:
        if schema is None:
            msg, loc = "the spec does not say which language version it is written in", src.at_key(())
        else:
            msg, loc = f'unsupported spec language "{schema}"', src.at_value(("schema",))
        return None, [
            diag("HUB008", msg, loc, ("schema",), help=f'put `schema = "{SCHEMA}"` on the first line')
        ]
    try:
        spec = converter().structure(data, Spec)
    except ClassValidationError as exc:
        problems: list[tuple[KeyPath, BaseException]] = []
        _errors(exc, (), problems)
        out: list[Diagnostic] = []
        budget = [SUGGESTIONS]
        for path, err in problems:
            if isinstance(err, ForbiddenExtraKeysError):
                out.extend(unknown_key_diagnostics(src, path, err, budget))
        # A misspelt key is one mistake: its "did you mean" covers the key reported missing.
        suggested = {d.path[:-1] + (d.help.split("`")[1],) for d in out if d.help and d.help.startswith("did you")}
        for path, err in problems:
            if isinstance(err, ForbiddenExtraKeysError) or (isinstance(err, KeyError) and path in suggested):
                continue
            out.append(_to_diagnostic(src, path, err))
        return None, out
    ranges: list[tuple[KeyPath, str]] = []
    _range_problems(spec, (), ranges)
    if ranges:
        return None, [
            diag("HUB006", f"`{_last_key(p)}` {m}", src.at_value(p), p) for p, m in ranges
        ]
    return spec, []


def _last_key(path: KeyPath) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "value"


def _to_diagnostic(src, path: KeyPath, err: BaseException) -> Diagnostic:
    if isinstance(err, KeyError):
        parent = path[:-1]
        what = "table" if attrs.has(_class_at(path) or object) else "key"
        where = _table_header(parent) if parent else "the top level"
        return diag(
            "HUB004",
            f"missing required {what} `{_last_key(path)}` in {where}",
            src.at_key(parent) if parent else src.at_key(()),
            path,
            help=_missing_help(path),
        )
    if isinstance(err, SpecChoiceError):
        return diag(
            "HUB007",
            f"`{_last_key(path)}`: {err}",
            src.at_value(path),
            path,
            help=f'did you mean "{err.suggestion}"?' if err.suggestion else None,
        )
    if isinstance(err, SpecRangeError):
        return diag("HUB006", f"`{_last_key(path)}` {err}", src.at_value(path), path)
    if isinstance(err, SpecTypeError):
        return diag("HUB005", f"`{_last_key(path)}`: {err}", src.at_value(path), path)
    # Anything else raised while structuring is still the user's value being wrong.
    return diag("HUB005", f"`{_last_key(path)}`: {err}", src.at_value(path), path)


def _table_name(path: KeyPath) -> str:
    names = [p for p in path if isinstance(p, str)]
    return ".".join(names)


def _table_header(path: KeyPath) -> str:
    """The table at PATH as its header is typed: `[campus]`, `[[hall]]` (an element of an array of
    tables), `[hall.cooling]`."""
    name = _table_name(path)
    return f"[[{name}]]" if path and isinstance(path[-1], int) else f"[{name}]"


def _missing_help(path: KeyPath) -> str | None:
    cl = _class_at(path[:-1]) if path[:-1] else Spec
    if cl is None or not attrs.has(cl):
        return None
    field = {a.name: a for a in attrs.fields(cl)}.get(path[-1])
    if field is None:
        return None
    doc = field.metadata.get("doc", "")
    about = f" ({doc})" if doc else ""
    # A table is added as its header, as TOML writes it; a key as `key = ...`.
    tp = field.type
    while _is_union(tp):
        tp = next((a for a in get_args(tp) if a is not type(None)), tp)
    table = _table_name(path)
    if _is_tuple(tp) and attrs.has(get_args(tp)[0]):
        return f"add a `[[{table}]]` table for each item{about}"
    if attrs.has(tp):
        return f"add a `[{table}]` table{about}"
    return f"add `{field.name} = ...`{about}"


# A did-you-mean is a fuzzy match against every known key; a file of 40,000 unknown keys spent
# 15 s in them, so one structuring run suggests at most this many.
SUGGESTIONS = 20


def unknown_key_diagnostics(
    src, path: KeyPath, err: ForbiddenExtraKeysError, budget: list[int] | None = None
) -> list[Diagnostic]:
    """One diagnostic per unknown key, each at the key itself, with the closest known key
    (while `budget`, shared by the caller across tables, lasts)."""
    known = _fields_of(err.cl)
    table = _table_header(path) if path else "the top level"
    budget = [SUGGESTIONS] if budget is None else budget
    out = []
    for key in sorted(err.extra_fields):
        here = path + (key,)
        close = []
        if budget[0] > 0 and len(key) <= 2 * max(map(len, known), default=0):
            budget[0] -= 1
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        out.append(
            diag(
                "HUB003",
                f"unknown key `{key}` in {table}",
                src.at_key(here),
                here,
                help=f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(known)}",
            )
        )
    return out
