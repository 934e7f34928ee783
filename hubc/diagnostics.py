"""Diagnostics: what hubc tells the user about a spec or a design.

A `Diagnostic` names a stable code (see `hubc.codes`), a severity, a message written in the
spec's own terms, where it happened (`file:line:col` plus the TOML key path) and, where one
exists, a hint saying how to fix it. Stages never print: they return diagnostics, and the CLI
renders them (`hubc.render`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

import attrs

KeyPath = tuple[str | int, ...]


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "note": 2}[self.value]


def format_path(path: Sequence[str | int]) -> str:
    """`("hall", 2, "rows")` -> `hall[2].rows` (the form users see and waivers target)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def quote(value: str, width: int = 40) -> str:
    """A user's string for a message: in double quotes, control characters escaped (a newline
    in an id must be seen, not start a new output line) and cut to `width` characters."""
    shown = "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in value[: width + 1]
    )
    if len(value) > width:
        shown = shown[: width - 1] + f"… ({len(value):,} characters)"
    return f'"{shown}"'


@attrs.frozen(kw_only=True)
class Location:
    """A place in a spec file. Lines and columns are 1-based; `length` is the caret width."""

    file: str
    line: int = 0
    col: int = 0
    length: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


@attrs.frozen(kw_only=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    location: Location
    path: KeyPath = ()
    help: str | None = None
    notes: tuple[str, ...] = ()
    # Secondary places (e.g. the other limit in a conflict), each with a short label.
    related: tuple[tuple[Location, str], ...] = ()

    @property
    def key_path(self) -> str:
        return format_path(self.path)

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.code, self.message)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Source order, deduplicated (two checks reaching the same verdict report it once)."""
    seen: set[tuple] = set()
    out = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        key = (d.code, d.location, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


class HubcError(Exception):
    """A user-facing failure carrying diagnostics (never a bug): the CLI renders and exits."""

    def __init__(self, diagnostics: Sequence[Diagnostic], exit_code: int = 1):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)
        self.exit_code = exit_code
