"""What every semantic check builds: a diagnostic at the value of one key path of the spec.

`at_value(ctx, code, message, path, related=((other_path, label), ...))` is `diag` with the
location looked up from the path, and the related locations from theirs, so that a check states
only the rule: its code, its message, where the wrong value is and what it conflicts with.
"""

from __future__ import annotations

from collections.abc import Iterable

from hubc.checks import Ctx
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, Severity


def at_value(
    ctx: Ctx,
    code: str,
    message: str,
    path: KeyPath,
    *,
    help: str | None = None,
    related: Iterable[tuple[KeyPath, str]] = (),
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic at the value of `path`, with each (path, label) of `related` located too."""
    return diag(
        code,
        message,
        ctx.at(*path),
        tuple(path),
        help=help,
        related=tuple((ctx.at(*p), label) for p, label in related),
        severity=severity,
    )
