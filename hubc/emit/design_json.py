"""design.json: every stage's `to_json()` under its stage name, plus provenance.

No timestamps or absolute paths, so the same spec and version give the same bytes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hubc import SCHEMA, __version__

if TYPE_CHECKING:
    from hubc.design import BuildInput, Design
    from hubc.diagnostics import Diagnostic


def emit_design_json(inp: BuildInput, design: Design, diags: tuple[Diagnostic, ...]) -> dict[str, bytes]:
    doc: dict[str, Any] = {
        "hubc": {"version": __version__, "schema": SCHEMA, "spec": inp.source.name},
        "diagnostics": [
            {"code": d.code, "severity": d.severity.value, "message": d.message, "location": str(d.location)}
            for d in diags
        ],
    }
    for name, result in design.results():
        doc[name] = result.to_json()
    text = json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False, allow_nan=False)
    return {"design.json": (text + "\n").encode("utf-8")}
