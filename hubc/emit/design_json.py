"""design.json: the typed design as `hubc.design_json` unstructures it, with provenance and
every diagnostic of the build.

No timestamps or absolute paths, so the same spec and version give the same bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubc.design_json import design_document, dumps

if TYPE_CHECKING:
    from hubc.design import BuildInput, Design
    from hubc.diagnostics import Diagnostic


def emit_design_json(inp: BuildInput, design: Design, diags: tuple[Diagnostic, ...]) -> dict[str, bytes]:
    return {"design.json": dumps(design_document(inp.source.name, design, diags)).encode("utf-8")}
