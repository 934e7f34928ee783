"""Reading a spec file: bytes -> text -> TOML data, with positions for every key.

Only this module and the CLI touch the disk for specs. Every failure (missing file,
non-UTF-8 bytes, TOML syntax) becomes a diagnostic pointing into the file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import attrs

from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, Location
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


def load_text(name: str, raw: bytes) -> tuple[RawDocument | None, list[Diagnostic]]:
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        reason = _TOML_POS.sub("", msg).strip().rstrip(".")
        reason = reason[0].lower() + reason[1:] if reason else "invalid TOML"
        return None, [
            diag(
                "HUB001",
                f"TOML syntax error: {reason}",
                Location(file=name, line=line, col=col),
                help="see https://toml.io/en/v1.0.0 for the syntax",
            )
        ]
    src = SourceFile(name=name, text=text, positions=locate(text))
    return RawDocument(source=src, data=data), []


def load_path(path: str | Path, display: str | None = None) -> tuple[RawDocument | None, list[Diagnostic]]:
    name = display or str(path)
    try:
        raw = Path(path).read_bytes()
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
