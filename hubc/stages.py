"""The build stages, in order.

Each stage fills one field of the typed `Design` (`hubc.design`): it is a function
`(BuildInput, Design, progress) -> (result, diagnostics)` that reads earlier results through the
design's typed fields (`design.need("racks")` fails at once, naming the missing stage, if the
order is wrong) and returns its own typed result. `needs` lists the fields a stage reads, so the
order can be checked without running anything (`check_order`, used at import time by the tests).
Heavy imports stay inside the stage functions so `hubc check` and `hubc --help` never load the
solvers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from hubc.design import BuildInput, Design

if TYPE_CHECKING:
    from hubc.diagnostics import Diagnostic

Progress = Callable[[str], None]
StageRun = Callable[[BuildInput, Design, Progress], "tuple[Any, list[Diagnostic]]"]


@attrs.frozen
class Stage:
    fills: str  # the Design field this stage's result goes into
    description: str  # one line, shown as progress
    needs: tuple[str, ...]  # Design fields it reads
    run: StageRun


def _summary(inp: BuildInput, design: Design, progress: Progress):
    from hubc.core.summary import summarise

    return summarise(inp.spec), []


def _racks(inp: BuildInput, design: Design, progress: Progress):
    from hubc.racks import run_racks

    return run_racks(inp.spec, progress=progress, source=inp.source), []


def _cooling(inp: BuildInput, design: Design, progress: Progress):
    from hubc.cooling import size_cooling

    racks = design.need("racks")
    result = size_cooling(inp.spec, racks.row_loads(), source=inp.source)
    return result, list(result.diagnostics)


def _electrical(inp: BuildInput, design: Design, progress: Progress):
    from hubc.electrical.stage import run_electrical

    racks = design.need("racks")
    result = run_electrical(inp.spec, racks.row_loads(), source=inp.source, catalog=inp.catalog)
    return result, list(result.diagnostics)


def _energy(inp: BuildInput, design: Design, progress: Progress):
    from hubc.energy import run_energy

    electrical = design.need("electrical")
    result = run_energy(inp.spec, inp.base_dir, inp.source, catalog=inp.catalog.energy, allowed_roots=inp.allowed_roots, losses=electrical.loss_model)
    return result, list(result.diagnostics)


def _procurement(inp: BuildInput, design: Design, progress: Progress):
    from hubc.procurement.stage import procurement_stage

    for field in ("racks", "cooling", "electrical", "energy"):
        design.need(field)
    return procurement_stage(inp.spec, inp.source, inp.catalog.equipment, design.equipment(), inp.catalog.capex)


def _finance(inp: BuildInput, design: Design, progress: Progress):
    from hubc.finance import run_finance

    return run_finance(inp.spec, design.need("energy"), design.need("procurement")), []


BUILD_STAGES: tuple[Stage, ...] = (
    Stage("summary", "derive campus loads", (), _summary),
    Stage("racks", "place racks in halls (CP-SAT), verify", (), _racks),
    Stage(
        "cooling",
        "size CRAH, CDUs, heat-rejection plants and water loops at the site's design condition",
        ("racks",),
        _cooling,
    ),
    Stage(
        "electrical",
        "size the power chain, assign feeds (CP-SAT), verify every single failure",
        ("racks",),
        _electrical,
    ),
    Stage("energy", "hourly energy year: renewables, BESS sizing (LP), replay, with the power chain's load-flow losses", ("electrical",), _energy),
    # Procurement prices what every stage before it sized, so it runs last.
    Stage("procurement", "price the BOM from the catalog", ("racks", "cooling", "electrical", "energy"), _procurement),
    # Finance reads the priced BOM and the energy year's running cost.
    Stage("finance", "opex by year, TCO, LCOE and (with a rent) NPV and IRR", ("energy", "procurement"), _finance),
)


def check_order(stages: tuple[Stage, ...] = BUILD_STAGES) -> None:
    """Every stage fills a distinct Design field, after the stages it needs (a bug otherwise)."""
    fields = {a.name for a in attrs.fields(Design)}
    done: set[str] = set()
    for stage in stages:
        if stage.fills not in fields or stage.fills in done:
            raise ValueError(f"stage {stage.fills!r} does not fill a distinct Design field")
        missing = [n for n in stage.needs if n not in done]
        if missing:
            raise ValueError(f"stage {stage.fills!r} runs before {', '.join(missing)}, which it needs")
        done.add(stage.fills)
