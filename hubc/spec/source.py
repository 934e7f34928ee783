"""Reading a spec file: bytes -> text -> TOML data, with positions for every key.

Only this module and the CLI touch the disk for specs. Every failure (missing file,
non-UTF-8 bytes, TOML syntax, a file or a nesting beyond hubc's limits) becomes a diagnostic
pointing into the file. The limits are checked before `tomllib` sees the text: it recurses once
per level of array or inline table, so a few hundred `[` would otherwise end in RecursionError.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import attrs

from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, Location
from hubc.spec.limits import limits
from hubc.spec.locate import Positions, locate


@attrs.frozen(kw_only=True)
class SourceFile:
    """The text of a spec and the positions of its keys."""

    name: str  # as the user gave it (relative paths stay relative in diagnostics)
    text: str
    positions: Positions = attrs.field(eq=False, repr=False)

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def at_key(self, path: KeyPath) -> Location:
        return self._loc(self.positions.key(tuple(path)))

    def at_value(self, path: KeyPath) -> Location:
        return self._loc(self.positions.value(tuple(path)))

    def _loc(self, pos) -> Location:
        if pos is None:
            return Location(file=self.name, line=1, col=1)
        line, col, length = pos
        return Location(file=self.name, line=line, col=col, length=length)


@attrs.frozen(kw_only=True)
class RawDocument:
    source: SourceFile
    data: dict[str, Any] = attrs.field(eq=False)


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def too_large(
    name: str, size: int, cap: int, what: str, where: Location | None = None, path: KeyPath = ()
) -> Diagnostic:
    """HUB012: a file beyond its size limit (`size` may be a lower bound: reads stop at cap + 1)."""
    return diag(
        "HUB012",
        f"{what} is larger than hubc's limit of {cap:,} bytes" + (f" ({size:,} bytes)" if size > cap + 1 else ""),
        where or Location(file=name, line=1, col=1),
        path,
        help="give hubc only what it needs; `hubc explain HUB012` lists the limits",
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# The characters the nesting scan acts on; everything else is skipped in one regex step.
_SCAN = re.compile(r"[#\n\"'\[\]{},.=]")


def nesting_too_deep(text: str, max_depth: int) -> tuple[int, int] | None:
    """(line, col) of the first `[` or `{` nested deeper than `max_depth`, or of the first dot
    of a dotted key with more than `max_depth` parts; else None.

    `tomllib` recurses once per bracket level (RecursionError a few hundred deep) and resolves
    dotted keys in quadratic time (a 50,000-part header takes minutes and gigabytes), so both are
    counted here first. A lexical scan: strings and comments are skipped, keys are told from
    values by position (line start, header brackets, after `{` or `,` in an inline table). On
    text that is not TOML it may miscount, but it stays linear, and `tomllib` then reports the
    syntax error."""
    scan = _NestingScan(text, max_depth)
    i = 0
    while True:
        m = _SCAN.search(text, i)
        if m is None:
            return None
        if scan.key and scan.fresh and text[i : m.start()].strip():
            scan.fresh = False  # a bare key started: a `[` now would be a syntax error, not a header
        i, found = scan.step(m.start())
        if found is not None or i < 0:
            return found


class _NestingScan:
    """The state of `nesting_too_deep`: open value brackets, and where in a key the scan is."""

    def __init__(self, text: str, max_depth: int) -> None:
        self.text, self.max_depth = text, max_depth
        self.stack: list[str] = []  # open brackets of values: "[" arrays, "{" inline tables
        self.key, self.header, self.fresh, self.dots = True, False, True, 0  # in a key; in a [header]; nothing yet

    def step(self, i: int) -> tuple[int, tuple[int, int] | None]:
        """Act on the significant character at i: (next offset, or -1 at the end; a finding)."""
        ch = self.text[i]
        if ch == "#":
            j = self.text.find("\n", i)
            return j, None
        if ch == "\n":
            if not self.stack:
                self.key, self.header, self.fresh, self.dots = True, False, True, 0
            return i + 1, None
        if ch in "\"'":
            self.fresh = False
            return _string_end(self.text, i, ch), None
        return self._in_key(ch, i) if self.key else self._in_value(ch, i)

    def _in_key(self, ch: str, i: int) -> tuple[int, tuple[int, int] | None]:
        if ch == ".":
            self.dots += 1
            if self.dots >= self.max_depth:
                return i, _line_col(self.text, i)
        elif ch == "=":
            self.key, self.dots = False, 0
        elif ch == "[" and not self.stack and self.fresh and not self.header:
            self.header, self.fresh = True, False  # a table header: its key runs to the closing bracket
            return i + (2 if self.text.startswith("[[", i) else 1), None
        elif ch == "]" and self.header:
            self.key, self.header = False, False
        elif ch == "}" and self.stack and self.stack[-1] == "{":
            self.stack.pop()  # an empty inline table
            self.key = False
        return i + 1, None

    def _in_value(self, ch: str, i: int) -> tuple[int, tuple[int, int] | None]:
        if ch in "[{":
            self.stack.append(ch)
            if len(self.stack) > self.max_depth:
                return i, _line_col(self.text, i)
            self.key, self.fresh, self.dots = ch == "{", True, 0
        elif ch in "]}":
            if self.stack:
                self.stack.pop()
        elif ch == "," and self.stack and self.stack[-1] == "{":
            self.key, self.fresh, self.dots = True, True, 0
        return i + 1, None


def _string_end(text: str, i: int, q: str) -> int:
    """Offset just past the string starting at i (single-line strings end at the line's end
    if unterminated)."""
    n = len(text)
    if text.startswith(q * 3, i):
        j = text.find(q * 3, i + 3)
        while j >= 0 and q == '"' and _escaped(text, j):
            j = text.find(q * 3, j + 1)
        if j < 0:
            return n
        j += 3
        while j < n and text[j] == q:  # a multi-line string may end with up to two more quotes
            j += 1
        return j
    j = i + 1
    while j < n and text[j] != q and text[j] != "\n":
        j += 2 if q == '"' and text[j] == "\\" else 1
    return min(j + 1, n)


def _escaped(text: str, j: int) -> bool:
    """Whether the character at j follows an odd number of backslashes."""
    k = j
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (j - k) % 2 == 1


def _deepest(data: Any, max_depth: int) -> KeyPath | None:
    """Key path of the first value nested deeper than `max_depth` (dotted keys and headers
    nest without brackets), found without recursion. A path is its top-level key plus one
    part per level, so `max_depth` levels make a path of `max_depth + 1` parts: the same count
    as the text scan (`nesting_too_deep`), which counts brackets and dotted-key parts."""
    stack: list[tuple[Any, KeyPath]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > max_depth + 1:
            return path
        if isinstance(value, dict):
            stack.extend((v, path + (k,)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, path + (k,)) for k, v in enumerate(value))
    return None


def load_text(name: str, raw: bytes, *, max_bytes: int | None = None) -> tuple[RawDocument | None, list[Diagnostic]]:
    """Bytes -> TOML document with positions, or the diagnostics that stop it.

    `max_bytes` defaults to the spec size limit; catalog files pass theirs."""
    lim = limits()
    cap = lim.spec_max_bytes if max_bytes is None else max_bytes
    if len(raw) > cap:
        return None, [too_large(name, len(raw), cap, "the file")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return None, [
            diag(
                "HUB002",
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                Location(file=name, line=line, col=col),
                help="save the spec as UTF-8; Korean text is fine in UTF-8",
            )
        ]
    text = text.removeprefix("\ufeff")
    deep = nesting_too_deep(text, lim.max_nesting_depth)
    if deep is not None:
        return None, [_too_deep(name, Location(file=name, line=deep[0], col=deep[1]), lim.max_nesting_depth)]
    try:
        data = tomllib.loads(text)
    except ValueError as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            return None, [_syntax(name, exc)]
        # Python refuses to convert integers of more than 4,300 digits (CVE-2020-10735).
        m = re.search(r"[0-9][0-9_]{999,}", text)
        line, col = _line_col(text, m.start()) if m else (1, 1)
        return None, [
            diag(
                "HUB006",
                "a number with thousands of digits is out of range",
                Location(file=name, line=line, col=col),
                help="integers in a spec are 64-bit (TOML 1.0); every quantity has a physical range",
            )
        ]
    src = SourceFile(name=name, text=text, positions=locate(text))
    deep_path = _deepest(data, lim.max_nesting_depth)
    if deep_path is not None:
        return None, [_too_deep(name, src.at_key(deep_path), lim.max_nesting_depth)]
    return RawDocument(source=src, data=data), []


def _too_deep(name: str, where: Location, max_depth: int) -> Diagnostic:
    return diag(
        "HUB011",
        f"values are nested more than {max_depth} levels deep",
        where,
        help="a spec nests tables and arrays a few levels; check for runaway brackets or dotted keys",
    )


def _syntax(name: str, exc: tomllib.TOMLDecodeError) -> Diagnostic:
    msg = str(exc)
    m = _TOML_POS.search(msg)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
    reason = _TOML_POS.sub("", msg).strip().rstrip(".")
    reason = reason[0].lower() + reason[1:] if reason else "invalid TOML"
    return diag(
        "HUB001",
        f"TOML syntax error: {reason}",
        Location(file=name, line=line, col=col),
        help="see https://toml.io/en/v1.0.0 for the syntax",
    )


def load_path(path: str | Path, display: str | None = None) -> tuple[RawDocument | None, list[Diagnostic]]:
    name = display or str(path)
    cap = limits().spec_max_bytes
    try:
        # The user named this file, so a pipe (`hubc check <(...)`) is fine; the read stops one
        # byte past the limit so /dev/zero or a runaway generator is refused, not swallowed.
        with open(path, "rb") as fh:
            raw = fh.read(cap + 1)
    except OSError as exc:
        return None, [
            diag(
                "HUB009",
                f"cannot read the spec: {exc.strerror or exc}",
                Location(file=name),
                help="check the path and its permissions",
            )
        ]
    return load_text(name, raw)
