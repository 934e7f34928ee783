"""Emitters: the finished `Design` -> files, in memory.

Each emitter is registered with the output it produces and is a function
`(BuildInput, Design, diagnostics) -> dict[relative path, bytes]` that reads the stages' results
from the typed design (the spec only for names and what the user wrote); `emit_all` merges them
into the BuildPlan that the CLI writes. Emitters must be deterministic: sorted keys, no
timestamps, no absolute paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from hubc.design import BuildInput, Design
    from hubc.diagnostics import Diagnostic

Diagnostics = tuple["Diagnostic", ...]


@attrs.frozen
class Emitter:
    name: str
    description: str
    run: Callable[[BuildInput, Design, Diagnostics], dict[str, bytes]]


def _design_json(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.emit.design_json import emit_design_json

    return emit_design_json(inp, design, diags)


def _lock(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.lock import lock_data, render_lock

    return {"hubc.lock": render_lock(lock_data(design))}


def _bom(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.emit.bom import emit_bom
    from hubc.emit.suppliers import emit_suppliers
    from hubc.procurement.rfq import rfq_specs

    proc = design.need("procurement")
    return {**emit_bom(proc, inp.spec, specs=rfq_specs(design, inp.catalog.equipment.vendors)), **emit_suppliers(proc, inp.spec)}


def _floorplans(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.emit.floorplan import emit_floorplans

    return emit_floorplans(design.need("racks"), inp.spec)


def _sld(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.emit.sld import emit_sld

    return emit_sld(design.need("electrical"), inp.spec, design.energy)


def _network(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.emit.network import emit_network

    return emit_network(design.need("electrical"))


def _energy(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    from hubc.emit.energy import emit_energy

    return emit_energy(design.need("energy"), inp.spec)


EMITTERS: tuple[Emitter, ...] = (
    Emitter("energy", "hourly energy CSV and chart", _energy),
    Emitter("sld", "single-line diagram (SVG) and topology (DOT)", _sld),
    Emitter("network.json", "the electrical network in pandapower JSON, to rerun the studies", _network),
    Emitter("floorplans", "hall floor plans (SVG)", _floorplans),
    Emitter("design.json", "the whole resolved design", _design_json),
    Emitter("bom", "bom.xlsx (with the RFQ Specifications sheet), bom.csv, bom-specs.csv, capex, phase, cash-flow and schedule CSVs, suppliers.md, suppliers.csv", _bom),
    Emitter("hubc.lock", "what the build decided, for --frozen", _lock),
)


def emit_all(inp: BuildInput, design: Design, diags: Diagnostics) -> dict[str, bytes]:
    plan: dict[str, bytes] = {}
    for emitter in EMITTERS:
        files = emitter.run(inp, design, diags)
        clash = plan.keys() & files.keys()
        if clash:
            raise RuntimeError(f"emitters overwrite each other: {sorted(clash)}")  # a bug
        plan.update(files)
    # The report shows the other outputs (floor plans, SLD, charts), so it comes last.
    from hubc.emit.report import emit_report

    plan.update(emit_report(inp, design, diags, plan))
    return plan
