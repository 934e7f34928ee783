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


def _bom(checked, results):
    from hubc.emit.bom import emit_bom
    from hubc.emit.suppliers import emit_suppliers

    proc = results.get("procurement")
    if proc is None:
        return {}
    return {**emit_bom(proc, checked.spec), **emit_suppliers(proc, checked.spec)}


def _floorplans(checked, results):
    from hubc.emit.floorplan import emit_floorplans

    return emit_floorplans(results["racks"], checked.spec)


def _sld(checked, results):
    from hubc.emit.sld import emit_sld

    return emit_sld(results["electrical"], checked.spec)


def _network(checked, results):
    from hubc.emit.network import emit_network

    return emit_network(results["electrical"])


def _energy(checked, results):
    from hubc.emit.energy import emit_energy_files

    return emit_energy_files(checked, results)


EMITTERS: tuple[Emitter, ...] = (
    Emitter("energy", "hourly energy CSV and chart", _energy),
    Emitter("sld", "single-line diagram (SVG) and topology (DOT)", _sld),
    Emitter("network.json", "the electrical network in pandapower JSON, to rerun the studies", _network),
    Emitter("floorplans", "hall floor plans (SVG)", _floorplans),
    Emitter("design.json", "the whole resolved design", _design_json),
    Emitter("bom", "bom.xlsx, bom.csv, suppliers.md, suppliers.csv", _bom),
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
