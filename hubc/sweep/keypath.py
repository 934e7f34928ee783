"""Key paths of the spec language, and substituting values into a spec's TOML text.

A key path is what a sweep axis sets: dotted keys, where a list of tables is indexed by position
or selected by one of its fields::

    bess.energy_mwh
    hall[0].rows
    renewable[id=seonam-offshore].capacity_mw
    hall[id=hall-gb200].pods[0].count

`parse` turns the text into `Segment`s, `resolve` finds it in a parsed spec and returns the
concrete path (`("renewable", 0, "capacity_mw")`, the shape `SourceFile.at_value` takes), and
`substitute` replaces values in the spec's text at their exact spans, so a variant keeps the base
spec's comments and layout and its diagnostics point at the same lines as the base spec's.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import tomli_w

from hubc.diagnostics import KeyPath
from hubc.spec.source import SourceFile

_NAME = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class KeyPathError(ValueError):
    """A key path that cannot be parsed, or is not in the spec: `message` and a `hint`."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@attrs.frozen
class Select:
    """`[field=value]`: the element of a list of tables whose `field` equals `value`."""

    field: str
    value: str


@attrs.frozen
class Segment:
    name: str
    selectors: tuple[int | Select, ...] = ()


def parse(text: str) -> tuple[Segment, ...]:
    """`renewable[id=x].capacity_mw` -> (Segment("renewable", (Select("id", "x"),)), Segment("capacity_mw"))."""
    segments: list[Segment] = []
    i, n = 0, len(text)
    if not text.strip():
        raise KeyPathError("the key path is empty")
    while True:
        start = i
        while i < n and text[i] in _NAME:
            i += 1
        name = text[start:i]
        if not name:
            raise KeyPathError(f"expected a key name at character {i + 1} of `{text}`",
                               "keys are letters, digits, `_` and `-`; write `table.key`")
        selectors: list[int | Select] = []
        while i < n and text[i] == "[":
            close = text.find("]", i)
            if close < 0:
                raise KeyPathError(f"`[` at character {i + 1} of `{text}` is never closed", "close it with `]`")
            inner = text[i + 1 : close].strip()
            i = close + 1
            if inner.isdigit():
                selectors.append(int(inner))
                continue
            field, eq, value = inner.partition("=")
            field, value = field.strip(), value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            if not eq or not field or not value or not set(field) <= _NAME:
                raise KeyPathError(f"`[{inner}]` in `{text}` is neither an index nor a selector",
                                   "write `[0]` for the first element or `[id=some-id]` to select by a field")
            selectors.append(Select(field, value))
        segments.append(Segment(name, tuple(selectors)))
        if i == n:
            return tuple(segments)
        if text[i] != ".":
            raise KeyPathError(f"unexpected `{text[i]}` at character {i + 1} of `{text}`",
                               "separate keys with `.`; select list elements with `[...]`")
        i += 1


def resolve(segments: Sequence[Segment], data: Mapping[str, Any], source: SourceFile) -> KeyPath:
    """The concrete path of `segments` in the parsed spec `data`; KeyPathError if any part is
    missing or the path ends at a table (only values can be substituted)."""
    node: Any = data
    path: list[str | int] = []
    for seg in segments:
        node = _key(node, path, seg.name)
        for sel in seg.selectors:
            node = _index(node, path, sel) if isinstance(sel, int) else _select(node, path, sel)
    concrete = tuple(path)
    if concrete not in source.positions.values:
        raise _not_a_value(concrete, node)
    return concrete


def _key(node: Any, path: list[str | int], name: str) -> Any:
    """`node[name]`, with `name` appended to `path`."""
    here = show(path)
    if not isinstance(node, Mapping):
        raise KeyPathError(f"`{here}` is a value, not a table: it has no key `{name}`")
    if name not in node:
        near = difflib.get_close_matches(name, [str(k) for k in node], n=1)
        where = f"`{here}`" if here else "the top level"
        hint = f"did you mean `{show([*path, near[0]])}`?" if near else (
            f"{where} has: " + ", ".join(f"`{k}`" for k in sorted(node)) if node else None)
        raise KeyPathError(f"the base spec has no `{show([*path, name])}`", hint)
    path.append(name)
    return node[name]


def _list_at(node: Any, path: list[str | int]) -> str:
    here = show(path)
    if not isinstance(node, list):
        raise KeyPathError(f"`{here}` is not a list, so `[...]` cannot select in it")
    return here


def _index(node: Any, path: list[str | int], sel: int) -> Any:
    """`[sel]`: the element at that position."""
    here = _list_at(node, path)
    if sel >= len(node):
        raise KeyPathError(f"`{here}` has {len(node)} element(s), so there is no `[{sel}]`",
                           f"indexes start at 0; the last is `[{len(node) - 1}]`" if node else None)
    path.append(sel)
    return node[sel]


def _select(node: Any, path: list[str | int], sel: Select) -> Any:
    """`[field=value]`: the one element whose field has that value."""
    here = _list_at(node, path)
    hits = [k for k, el in enumerate(node) if isinstance(el, Mapping) and _text(el.get(sel.field)) == sel.value]
    if not hits:
        have = sorted({_text(el.get(sel.field)) for el in node if isinstance(el, Mapping) and sel.field in el})
        near = difflib.get_close_matches(sel.value, have, n=1)
        hint = (f'did you mean `{here}[{sel.field}={near[0]}]`?' if near
                else f"`{here}` elements have {sel.field} = " + ", ".join(have) if have
                else f"the elements of `{here}` have no `{sel.field}`")
        raise KeyPathError(f"the base spec has no `{here}` with {sel.field} = \"{sel.value}\"", hint)
    if len(hits) > 1:
        raise KeyPathError(f"{len(hits)} elements of `{here}` have {sel.field} = \"{sel.value}\"",
                           f"select by position instead, e.g. `{here}[{hits[0]}]`")
    path.append(hits[0])
    return node[hits[0]]


def _not_a_value(concrete: KeyPath, node: Any) -> KeyPathError:
    """A `[table]` or `[[list]]` element: its keys are on many lines, it has no one value."""
    keys = sorted(node) if isinstance(node, Mapping) else []
    if isinstance(node, list):
        ids = [str(el.get("id")) for el in node if isinstance(el, Mapping) and "id" in el]
        hint = f"select one element, e.g. `{show(concrete)}[id={ids[0]}]`" if ids else f"select one, e.g. `{show(concrete)}[0]`"
    else:
        hint = ("sweep one of its keys: " + ", ".join(f"`{show([*concrete, k])}`" for k in keys[:6])) if keys else None
    return KeyPathError(f"`{show(concrete)}` is a table in the base spec, not a value", hint)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else toml_value(value) if value is not None else ""


def show(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def lookup(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


# ----------------------------------------------------------------------- TOML text of a value


def toml_value(value: Any) -> str:
    """The TOML text of one value (inline: arrays as `[...]`, tables as `{ k = v }`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"x": value})[4:].rstrip("\n")


def _toml_key(key: str) -> str:
    return key if key and set(key) <= _NAME else tomli_w.dumps({key: 0}).split(" = ")[0]


# ------------------------------------------------------------------------------ substitution


def value_span(text: str, start: int) -> int:
    """End offset of the TOML value that starts at `start` (arrays and inline tables may span
    lines; strings may hold brackets and `#`)."""
    n = len(text)
    ch = text[start]
    if ch in "\"'":
        return _string_end(text, start)
    if ch in "[{":
        depth, i = 0, start
        while i < n:
            c = text[i]
            if c in "\"'":
                i = _string_end(text, i)
                continue
            if c == "#":
                while i < n and text[i] != "\n":
                    i += 1
                continue
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return n
    i = start
    while i < n and text[i] not in ",]}\n\r#":
        # A space ends a scalar except inside a date-time (`1979-05-27 07:32:00`).
        if text[i] in " \t" and not (text[i - 1].isdigit() and i + 1 < n and text[i + 1].isdigit()):
            break
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    q = text[i]
    if text.startswith(q * 3, i):
        end = text.find(q * 3, i + 3) + 3
        while end < len(text) and text[end] == q:  # up to two quotes may close the string
            end += 1
        return end
    j = i + 1
    while j < len(text) and text[j] != q:
        j += 2 if q == '"' and text[j] == "\\" else 1
    return j + 1


def value_spans(source: SourceFile, data: Mapping[str, Any], paths: Iterable[KeyPath]) -> dict[KeyPath, tuple[int, int]]:
    """(start, end) character offsets of the value at each path (paths that `resolve` returned)."""
    text = source.text
    line_starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]
    out = {}
    for path in paths:
        line, col, _ = source.positions.values[tuple(path)]
        start = line_starts[line - 1] + col - 1
        end = value_span(text, start)
        if tomllib.loads("x = " + text[start:end])["x"] != lookup(data, path):
            raise RuntimeError(f"value span of {show(path)} misread: {text[start:end]!r}")  # a bug here
        out[tuple(path)] = (start, end)
    return out


def substitute(text: str, spans: Mapping[KeyPath, tuple[int, int]], settings: Sequence[tuple[KeyPath, Any]]) -> str:
    """`text` with the value at each path replaced in place (`spans` from `value_spans` on the
    same text). The result is re-parsed, and every path must read back its new value: a mismatch
    is a bug in this module, not user input."""
    edits = sorted(((*spans[tuple(path)], toml_value(value)) for path, value in settings), reverse=True)
    for start, end, new in edits:
        text = text[:start] + new + text[end:]
    check = tomllib.loads(text)
    for path, value in settings:
        if lookup(check, path) != _plain(value):
            raise RuntimeError(f"substituting {show(path)} did not read back {value!r}")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value
