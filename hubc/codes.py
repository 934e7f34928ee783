"""The diagnostic code registry.

Every code hubc can emit is declared once, with a slug, a default severity and a long doc
(what it checks, why it matters, an example, the fix) that `hubc explain CODE` prints. The docs
are package data, one TOML file per domain under `hubc/codedocs/`, so each stage owns its codes.
Codes are stable: never reuse or renumber one.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import attrs

from hubc.diagnostics import Diagnostic, KeyPath, Location, Severity


@attrs.frozen(kw_only=True)
class Code:
    code: str
    slug: str
    severity: Severity
    summary: str
    what: str
    why: str
    example: str
    fix: str
    domain: str
    # A finding a `[[waive]]` may accept. Limits that keep hubc safe (sizes, reads) may not be:
    # waiving one would let a build do what the limit exists to prevent.
    waivable: bool = True

    def explain(self) -> str:
        parts = [
            f"{self.code} ({self.slug}) [{self.severity.value}, {self.domain}]",
            "",
            self.summary,
            "",
            "What it checks",
            _indent(self.what),
            "",
            "Why it matters",
            _indent(self.why),
            "",
            "Example",
            _indent(self.example),
            "",
            "How to fix it",
            _indent(self.fix),
        ]
        return "\n".join(parts).rstrip() + "\n"


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.strip("\n").splitlines())


@functools.cache
def registry() -> dict[str, Code]:
    codes: dict[str, Code] = {}
    folder = resources.files("hubc") / "codedocs"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        domain = entry.name.removesuffix(".toml")
        for code, doc in tomllib.loads(entry.read_text("utf-8")).items():
            if code in codes:
                raise RuntimeError(f"diagnostic code {code} declared twice")
            codes[code] = Code(
                code=code,
                slug=doc["slug"],
                severity=Severity(doc["severity"]),
                summary=doc["summary"],
                what=doc["what"],
                why=doc["why"],
                example=doc["example"],
                fix=doc["fix"],
                domain=domain,
                waivable=bool(doc.get("waivable", True)),
            )
    return dict(sorted(codes.items()))


def lookup(code_or_slug: str) -> Code | None:
    reg = registry()
    key = code_or_slug.strip()
    if key.upper() in reg:
        return reg[key.upper()]
    for c in reg.values():
        if c.slug == key.lower():
            return c
    return None


def diag(
    code: str,
    message: str,
    location: Location,
    path: KeyPath = (),
    *,
    help: str | None = None,
    notes: tuple[str, ...] = (),
    related: tuple[tuple[Location, str], ...] = (),
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic for a registered code (an unregistered code is a bug)."""
    entry = registry()[code]
    return Diagnostic(
        code=code,
        severity=severity or entry.severity,
        message=message,
        location=location,
        path=tuple(path),
        help=help,
        notes=tuple(notes),
        related=tuple(related),
    )
