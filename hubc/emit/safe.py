"""Text hygiene for spreadsheet and HTML/Markdown outputs.

Spec and catalog strings reach files that people open in Excel. Every CSV hubc writes goes
through `csv_bytes`, which follows RFC 4180 and OWASP's advice on CSV (formula) injection:

* records end in CRLF, and a field holding CR, LF, a double quote or the delimiter is quoted
  (quotes doubled), so an embedded line break can never start a new record;
* a text cell is neutralised with a leading apostrophe when it could be read as a formula:
  its first character is `=`, `+`, `-`, `@`, tab or CR, or its first non-blank character is
  one of `=`, `+`, `-`, `@` once leading whitespace and CR/LF are stripped and fullwidth and
  other compatibility forms are folded by NFKC (so ` =1+1`, `\\n=1+1` and `＝1+1` all count).

Only text is neutralised: numbers (int, float, and `Numeral`, the text of a number hubc
formatted itself) are written as they are, so a negative figure stays a number.
In XLSX such strings are written as explicit text cells with Excel's quote prefix. Markdown is
rendered to HTML by most viewers, so its text is HTML-escaped and table pipes are escaped.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections.abc import Iterable, Sequence

# Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_AFTER_BLANKS = ("=", "+", "-", "@")


class Numeral(str):
    """The text of a number hubc formatted itself (e.g. `f"{x:.3f}"`): written as is, never
    neutralised, because it is a figure and not user text."""

    __slots__ = ()


# Cell types written as they are (checked by exact type: the fast path of an 8760-row CSV).
_FIGURES = frozenset({int, float, Numeral, type(None)})


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (see the module docstring)."""
    if text.startswith(_FORMULA_START):
        return True
    folded = unicodedata.normalize("NFKC", text).lstrip()
    return folded.startswith(_FORMULA_AFTER_BLANKS)


def csv_cell(value: object) -> object:
    """A CSV field: numbers as they are, text neutralised with a leading apostrophe."""
    if isinstance(value, str) and not isinstance(value, Numeral) and is_formula_like(value):
        return "'" + value
    return value


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], *, bom: bool = False) -> bytes:
    """The one CSV writer of hubc: RFC 4180 (CRLF, minimal quoting) with every text cell
    neutralised. `bom` prefixes a UTF-8 byte-order mark so Excel reads Korean text correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL, doublequote=True)
    w.writerow([csv_cell(v) for v in header])
    cell, figures = csv_cell, _FIGURES
    for row in rows:
        w.writerow([v if type(v) in figures else cell(v) for v in row])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def md_text(text: str) -> str:
    """Text for a Markdown table cell: HTML-escaped, pipes and newlines made harmless."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\r", " ").replace("\n", " ")
