"""Text hygiene for spreadsheet and HTML/Markdown outputs.

Spec and catalog strings reach files that people open in Excel. A cell whose text starts with
`=`, `+`, `-`, `@`, tab or carriage return is read as a formula when a CSV is opened (CSV /
formula injection, OWASP); in XLSX such strings are written as explicit text cells with Excel's
quote prefix, and in CSV they get a leading apostrophe. Markdown is rendered to HTML by most
viewers, so its text is HTML-escaped and table pipes are escaped.
"""

from __future__ import annotations

import html

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def csv_cell(value: object) -> object:
    """A CSV field: numbers as they are, text neutralised with a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def md_text(text: str) -> str:
    """Text for a Markdown table cell: HTML-escaped, pipes and newlines made harmless."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\r", " ").replace("\n", " ")
