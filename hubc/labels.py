"""How outputs name the spec and the files it references: relative to a stable root.

`hubc build` writes the spec's name into design.json, the BOM's spec references, the report and
(through the BOM) the lock's procurement digest. The path as typed depends on the working
directory, so the same spec built from another folder would give different bytes and fail
`--frozen`. Outputs therefore name the spec relative to a root that does not move with the
working directory:

* the project's git root, when the spec lies inside a git work tree (`specs/campus.toml`);
* otherwise the spec's own folder, i.e. just its file name (`campus.toml`).

Files the spec names (`[catalog] files`) are labelled relative to the spec's label
(`referenced_label`), so they follow it. On the terminal the build shows every place as the
user typed it (`label_map` + `relabel`), so a path can still be clicked from where hubc ran.
Only the CLI calls `stable_label` (it looks at the disk); the rest works on strings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import attrs

from hubc.diagnostics import Diagnostic, Location


def project_root(spec: Path) -> Path:
    """The git work tree holding `spec` (a `.git` folder or file, as in worktrees and
    submodules), else the spec's own folder. Symlinks are resolved first."""
    folder = Path(os.path.realpath(spec)).parent
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return folder


def stable_label(spec: Path) -> str:
    """The spec's name in outputs: POSIX-style, relative to `project_root`."""
    real = Path(os.path.realpath(spec))
    return real.relative_to(project_root(spec)).as_posix()


def referenced_label(spec_label: str, rel: str) -> str:
    """The label of a file the spec names by `rel` (relative to the spec's folder)."""
    if Path(rel).is_absolute():
        return rel
    return str(PurePosixPath(spec_label).parent / rel)


def label_map(typed: str, stable: str, referenced: Iterable[str] = ()) -> dict[str, str]:
    """{label in outputs: label as typed} for the spec and each file it references."""
    out = {stable: typed}
    for rel in referenced:
        out[referenced_label(stable, rel)] = referenced_label(typed, rel)
    return out


def relabel(diags: Iterable[Diagnostic], mapping: Mapping[str, str]) -> list[Diagnostic]:
    """The diagnostics with every location named through `mapping` (others unchanged)."""

    def loc(where: Location) -> Location:
        name = mapping.get(where.file)
        return where if name is None else attrs.evolve(where, file=name)

    return [
        attrs.evolve(d, location=loc(d.location), related=tuple((loc(r), text) for r, text in d.related))
        for d in diags
    ]
