"""Emitters: build results -> files, in memory.

Each emitter is registered with the output it produces and is a function
`(checked, results) -> dict[relative path, bytes]`; `emit_all` merges them into the BuildPlan
that the CLI writes. Emitters must be deterministic: sorted keys, no timestamps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class Emitter:
    name: str
    description: str
    run: Callable[[Any, dict[str, Any]], dict[str, bytes]]


def _design_json(checked, results):
    from hubc.emit.design_json import emit_design_json

    return emit_design_json(checked, results)


def _lock(checked, results):
    from hubc.lock import lock_data, render_lock

    return {"hubc.lock": render_lock(lock_data(results))}


EMITTERS: tuple[Emitter, ...] = (
    Emitter("design.json", "the whole resolved design", _design_json),
    Emitter("hubc.lock", "what the build decided, for --frozen", _lock),
)


def emit_all(checked, results: dict[str, Any]) -> dict[str, bytes]:
    plan: dict[str, bytes] = {}
    for emitter in EMITTERS:
        files = emitter.run(checked, results)
        clash = plan.keys() & files.keys()
        if clash:
            raise RuntimeError(f"emitters overwrite each other: {sorted(clash)}")  # a bug
        plan.update(files)
    # The report shows the other outputs (floor plans, SLD, charts), so it comes last.
    from hubc.emit.report import emit_report

    plan.update(emit_report(checked, results, plan))
    return plan
