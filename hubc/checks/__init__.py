"""Semantic checks: the arithmetic an engineer does by hand on a spec, each with its own code.

A check is a plain function `(ctx) -> Iterable[Diagnostic]`, registered in `CHECKS` in the
order they run. Checks run only on a spec that structured cleanly, and all of them run: one
`hubc check` reports every problem. Each diagnostic points at the key whose value is wrong
(the limit that is exceeded), with the other side of a conflict as a related location.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from hubc.diagnostics import Diagnostic, KeyPath, Location
from hubc.spec.model import Spec
from hubc.spec.source import SourceFile

if TYPE_CHECKING:
    from hubc.catalog import Catalog


@attrs.frozen(kw_only=True)
class Ctx:
    spec: Spec
    source: SourceFile
    base_dir: Path = Path(".")
    # Folders besides base_dir that files named by the spec may lie in (`--allow-read DIR`).
    allowed_roots: tuple[Path, ...] = ()
    # The one catalog (shipped + the spec's `[catalog] files`); the shipped one when None.
    catalog: Catalog | None = attrs.field(default=None, eq=False)

    def at(self, *path: str | int) -> Location:
        return self.source.at_value(path)

    def key(self, *path: str | int) -> Location:
        return self.source.at_key(path)

    def the_catalog(self) -> Catalog:
        from hubc.catalog import shipped_catalog

        return self.catalog if self.catalog is not None else shipped_catalog()


Check = Callable[[Ctx], Iterable[Diagnostic]]


def _checks() -> tuple[Check, ...]:
    from hubc.checks import campus, energy, halls, limits, phases, power, refs

    return (limits.check, refs.check, halls.check, power.check, campus.check, energy.check, phases.check)


def run_checks(
    spec: Spec, source: SourceFile, base_dir: Path = Path("."), allowed_roots: tuple[Path, ...] = (),
    catalog: Catalog | None = None,
) -> list[Diagnostic]:
    ctx = Ctx(spec=spec, source=source, base_dir=base_dir, allowed_roots=tuple(allowed_roots), catalog=catalog)
    out: list[Diagnostic] = []
    for check in _checks():
        out.extend(check(ctx))
    return out


def path_of(*parts: str | int) -> KeyPath:
    return tuple(parts)
