"""Key path -> line:col for a TOML document.

`tomllib` gives values without positions, so this scanner walks the same text again (it is
only run on text that `tomllib` already accepted) and records, for every key path, where the
key starts and where its value starts. Paths use the same shape as the parsed data:
`("hall", 2, "pods", 0, "count")`. Array-of-tables headers resolve to their element index,
so `[hall.cooling]` after the third `[[hall]]` is `("hall", 2, "cooling")`.
"""

from __future__ import annotations

import attrs

from hubc.diagnostics import KeyPath

Pos = tuple[int, int, int]  # line, col (1-based), length

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@attrs.frozen
class Positions:
    keys: dict[KeyPath, Pos]
    values: dict[KeyPath, Pos]

    def key(self, path: KeyPath) -> Pos | None:
        """Position of the key itself (or, for a table, its header); else the nearest ancestor."""
        return _nearest(self.keys, path)

    def value(self, path: KeyPath) -> Pos | None:
        """Position of the value; falls back to the key, then to the nearest ancestor."""
        if path in self.values:
            return self.values[path]
        return _nearest(self.keys, path)


def _nearest(table: dict[KeyPath, Pos], path: KeyPath) -> Pos | None:
    path = tuple(path)
    while path:
        if path in table:
            return table[path]
        path = path[:-1]
    return None


class _Scanner:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.n = len(text)
        # Start offset of every line, to turn offsets into (line, col).
        self.line_starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                self.line_starts.append(k + 1)
        self.keys: dict[KeyPath, Pos] = {}
        self.values: dict[KeyPath, Pos] = {}
        self.aot: dict[KeyPath, int] = {}

    # -- positions -----------------------------------------------------------------------
    def pos(self, start: int, end: int) -> Pos:
        import bisect

        line = bisect.bisect_right(self.line_starts, start) - 1
        col = start - self.line_starts[line]
        # Columns count characters (what an editor shows), not bytes.
        return (line + 1, col + 1, max(1, min(end, self._line_end(line)) - start))

    def _line_end(self, line: int) -> int:
        return self.line_starts[line + 1] - 1 if line + 1 < len(self.line_starts) else self.n

    # -- lexing --------------------------------------------------------------------------
    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def skip_ws(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def skip_ws_comments_newlines(self) -> None:
        while self.i < self.n:
            ch = self.s[self.i]
            if ch in " \t\r\n":
                self.i += 1
            elif ch == "#":
                while self.i < self.n and self.s[self.i] != "\n":
                    self.i += 1
            else:
                break

    def key(self) -> list[tuple[str, int, int]]:
        """A dotted key: list of (segment, start, end)."""
        parts = []
        while True:
            self.skip_ws()
            start = self.i
            ch = self.peek()
            if ch == '"' or ch == "'":
                name = self.string_literal()
            else:
                while self.i < self.n and self.s[self.i] in _BARE:
                    self.i += 1
                name = self.s[start : self.i]
            parts.append((name, start, self.i))
            self.skip_ws()
            if self.peek() == ".":
                self.i += 1
                continue
            return parts

    def string_literal(self) -> str:
        import tomllib

        start = self.i
        q = self.s[self.i]
        if self.s.startswith(q * 3, self.i):
            end = self.s.find(q * 3, self.i + 3)
            # A multi-line string may end with up to two extra quotes.
            end += 3
            while end < self.n and self.s[end] == q:
                end += 1
            self.i = end
        else:
            j = self.i + 1
            while j < self.n and self.s[j] != q:
                if q == '"' and self.s[j] == "\\":
                    j += 1
                j += 1
            self.i = j + 1
        raw = self.s[start : self.i]
        # Single-line strings without escapes are what they contain; only the rest go through
        # tomllib (one call per string made big specs slow to locate).
        if len(raw) >= 2 and raw[0] == raw[-1] and not raw.startswith(q * 3) and (q == "'" or "\\" not in raw):
            return raw[1:-1]
        try:
            return tomllib.loads(f"x = {raw}")["x"]
        except tomllib.TOMLDecodeError:
            return raw.strip("\"'")

    def value(self, path: KeyPath) -> None:
        self.skip_ws()
        start = self.i
        ch = self.peek()
        if ch == "[":
            self.i += 1
            idx = 0
            while True:
                self.skip_ws_comments_newlines()
                if self.peek() == "]":
                    self.i += 1
                    break
                self.value(path + (idx,))
                idx += 1
                self.skip_ws_comments_newlines()
                if self.peek() == ",":
                    self.i += 1
        elif ch == "{":
            self.i += 1
            while True:
                self.skip_ws()
                if self.peek() == "}":
                    self.i += 1
                    break
                self.keyval(path)
                self.skip_ws()
                if self.peek() == ",":
                    self.i += 1
        elif ch in "\"'":
            self.string_literal()
        else:
            while self.i < self.n and self.s[self.i] not in ",]}\n#" and not (
                self.s[self.i] in " \t" and self._scalar_ends_here()
            ):
                self.i += 1
        self.values[path] = self.pos(start, self.i)

    def _scalar_ends_here(self) -> bool:
        # A space may sit inside a datetime ("1979-05-27 07:32:00"); otherwise it ends the scalar.
        j = self.i + 1
        return not (j < self.n and self.s[j].isdigit() and self.s[self.i - 1].isdigit())

    def keyval(self, table: KeyPath) -> None:
        parts = self.key()
        path = table
        for name, start, end in parts:
            path = path + (name,)
            self.keys.setdefault(path, self.pos(start, end))
        self.skip_ws()
        if self.peek() == "=":
            self.i += 1
        self.value(path)

    def header(self) -> KeyPath:
        array = self.s.startswith("[[", self.i)
        self.i += 2 if array else 1
        parts = self.key()
        self.i += 2 if array else 1
        resolved: list[str | int] = []
        for k, (name, start, end) in enumerate(parts):
            resolved.append(name)
            last = k == len(parts) - 1
            if last and array:
                idx = self.aot.get(tuple(resolved), 0)
                self.aot[tuple(resolved)] = idx + 1
                self.keys.setdefault(tuple(resolved), self.pos(parts[0][1], end))
                resolved.append(idx)
            elif tuple(resolved) in self.aot:
                resolved.append(self.aot[tuple(resolved)] - 1)
            self.keys.setdefault(tuple(resolved), self.pos(parts[0][1], end))
        return tuple(resolved)

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_ws_comments_newlines()
            if self.i >= self.n:
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.keyval(table)


def locate(text: str) -> Positions:
    """Scan valid TOML text; a scanner slip is not worth a crash, so it returns what it has."""
    sc = _Scanner(text)
    try:
        sc.document()
    except (IndexError, ValueError):  # pragma: no cover - defensive on valid TOML
        pass
    return Positions(sc.keys, sc.values)
