"""Rendering diagnostics: text (rustc/ruff style), JSON, SARIF 2.1.0, GitHub annotations.

Renderers are pure: diagnostics (+ the source text for snippets) in, a string out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from hubc import __version__
from hubc.codes import registry
from hubc.diagnostics import Diagnostic, Severity
from hubc.spec.limits import limits

Sources = dict[str, str]  # file name -> text (for source snippets)

_COLOURS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.NOTE: "\x1b[1;36m"}
_BOLD, _BLUE, _RESET = "\x1b[1m", "\x1b[1;34m", "\x1b[0m"


def summary_line(diags: Sequence[Diagnostic]) -> str:
    n_err = sum(d.severity is Severity.ERROR for d in diags)
    n_warn = sum(d.severity is Severity.WARNING for d in diags)
    n_note = sum(d.severity is Severity.NOTE for d in diags)
    if not n_err and not n_warn:
        return "no problems found" + (f" ({n_note} note{'s' if n_note != 1 else ''})" if n_note else "")
    parts = []
    if n_err:
        parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        parts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    return "found " + " and ".join(parts)


# A snippet shows at most this many characters of a source line, around the caret: a spec may
# hold a 100 KB line (thousands of inline keep-outs), and printing it once per finding on it
# made `check` write hundreds of megabytes.
_SNIPPET_BEFORE, _SNIPPET_AFTER = 40, 80
# Control characters in a snippet are shown as U+FFFD (one character, so the caret still lines
# up): a spec must not be able to send escape sequences to the reader's terminal.
_CONTROL = {i: "\ufffd" for i in (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0))}
# In messages (which quote ids, names and paths from the spec) the same characters, and the
# Unicode bidi controls that reorder what a reader sees, are written as escapes instead.
_ESCAPE = {
    i: f"\\x{i:02x}" if i < 0x100 else f"\\u{i:04x}"
    for i in (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def _visible(text: str) -> str:
    return text.translate(_ESCAPE)


def _clip(line: str, col: int, length: int) -> tuple[str, int, int]:
    """(shown text, caret column, caret width): `line` cut to a window from a little before the
    caret to a little after its start, marked with … where cut."""
    start = max(0, col - 1 - _SNIPPET_BEFORE)
    end = min(len(line), col - 1 + _SNIPPET_AFTER)
    head = "…" if start > 0 else ""
    shown = head + line[start:end] + ("…" if end < len(line) else "")
    new_col = col - start + len(head)
    width = max(1, min(length, end - (col - 1)))
    return shown.translate(_CONTROL), new_col, width


def render_text(
    diags: Sequence[Diagnostic], sources: Sources, colour: bool = False, max_shown: int | None = None
) -> str:
    """rustc-style text. At most `max_shown` diagnostics (default: `[limits] diagnostics_text_max`)
    are printed, then "... and N more"; the summary counts all of them (JSON lists all). Each
    source is split into lines once, so the time is linear in the number of diagnostics."""

    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    if max_shown is None:
        max_shown = limits().diagnostics_text_max
    split: dict[str, list[str]] = {}
    out: list[str] = []
    for d in diags[:max_shown]:
        loc = d.location
        head = f"{c(_BOLD, _visible(str(loc)))}: {c(_COLOURS[d.severity], d.code + ' ' + d.severity.value)}: "
        head += _visible(d.message)
        out.append(head)
        text = sources.get(loc.file)
        if text is not None and loc.line:
            lines = split.get(loc.file)
            if lines is None:
                lines = split[loc.file] = text.splitlines()
            if loc.line <= len(lines):
                src_line, col, width = _clip(lines[loc.line - 1], max(1, loc.col), loc.length)
                gutter = " " * len(str(loc.line))
                out.append(f"{gutter} {c(_BLUE, '|')}")
                out.append(f"{c(_BLUE, str(loc.line))} {c(_BLUE, '|')} {src_line}")
                caret = " " * (col - 1) + "^" * width
                label = f" {_visible(d.key_path)}" if d.key_path else ""
                out.append(f"{gutter} {c(_BLUE, '|')} {c(_COLOURS[d.severity], caret + label)}")
        for rloc, label in d.related:
            out.append(f"  {c(_BLUE, '=')} {_visible(label)}: {_visible(str(rloc))}")
        for note in d.notes:
            out.append(f"  {c(_BLUE, '=')} note: {_visible(note)}")
        if d.help:
            out.append(f"  {c(_BLUE, '=')} help: {_visible(d.help)}")
        out.append("")
    if len(diags) > max_shown:
        out.append(f"… and {len(diags) - max_shown:,} more (`--format json` lists them all)")
        out.append("")
    out.append(summary_line(diags))
    return "\n".join(out) + "\n"


def _as_dict(d: Diagnostic) -> dict:
    loc = d.location
    return {
        "code": d.code,
        "slug": registry()[d.code].slug,
        "severity": d.severity.value,
        "message": d.message,
        "file": loc.file,
        "line": loc.line,
        "column": loc.col,
        "end_column": loc.col + loc.length,
        "key_path": d.key_path,
        "help": d.help,
        "notes": list(d.notes),
        "related": [{"file": r.file, "line": r.line, "column": r.col, "message": m} for r, m in d.related],
    }


def render_json(diags: Sequence[Diagnostic], sources: Sources) -> str:
    doc = {
        "tool": "hubc",
        "version": __version__,
        "summary": {
            "errors": sum(d.severity is Severity.ERROR for d in diags),
            "warnings": sum(d.severity is Severity.WARNING for d in diags),
            "notes": sum(d.severity is Severity.NOTE for d in diags),
        },
        "diagnostics": [_as_dict(d) for d in diags],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _sarif_region(loc) -> dict:
    return {"startLine": max(1, loc.line), "startColumn": max(1, loc.col), "endColumn": max(1, loc.col) + loc.length}


def render_sarif(diags: Sequence[Diagnostic], sources: Sources) -> str:
    used = sorted({d.code for d in diags})
    reg = registry()
    rules = [
        {
            "id": code,
            "name": reg[code].slug,
            "shortDescription": {"text": reg[code].summary},
            "fullDescription": {"text": reg[code].what.strip()},
            "help": {"text": reg[code].fix.strip()},
            "defaultConfiguration": {"level": _SARIF_LEVEL[reg[code].severity]},
        }
        for code in used
    ]
    index = {code: i for i, code in enumerate(used)}
    results = []
    for d in diags:
        text = d.message + (f"\nhelp: {d.help}" if d.help else "")
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.location.file},
                        "region": _sarif_region(d.location),
                    },
                    **({"logicalLocations": [{"fullyQualifiedName": d.key_path}]} if d.key_path else {}),
                }
            ],
        }
        if d.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "message": {"text": label},
                    "physicalLocation": {"artifactLocation": {"uri": r.file}, "region": _sarif_region(r)},
                }
                for i, (r, label) in enumerate(d.related)
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hubc",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData/escapeProperty)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diags: Sequence[Diagnostic], sources: Sources) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
    out = []
    for d in diags:
        loc = d.location
        props = f"file={_gh_escape(_visible(loc.file), True)}"
        if loc.line:
            props += f",line={loc.line},col={loc.col},endColumn={loc.col + loc.length}"
        props += f",title={_gh_escape(d.code + ' ' + registry()[d.code].slug, True)}"
        msg = _visible(d.message) + (f"\nhelp: {_visible(d.help)}" if d.help else "")
        out.append(f"::{level[d.severity]} {props}::{_gh_escape(msg)}")
    return "\n".join(out) + ("\n" if out else "")


RENDERERS: dict[str, Callable[[Sequence[Diagnostic], Sources], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}
