"""The build stages, in order. Each is registered with a name and a one-line description
(shown as progress) and is a function `(checked, results, progress) -> (result, diagnostics)`
where `results` holds the earlier stages' results by name. Heavy imports stay inside the
stage functions so `hubc check` and `hubc --help` never load the solvers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs


@attrs.frozen
class Stage:
    name: str
    description: str
    run: Callable[..., tuple[Any, list]]


def _elaborate(checked, results, progress):
    from hubc.core.summary import summarise

    return summarise(checked.spec), []


def _racks(checked, results, progress):
    from hubc.racks import run_racks

    return run_racks(checked.spec, progress=progress, source=checked.source), []


def _cooling(checked, results, progress):
    from hubc.cooling.sizing import size_cooling

    return size_cooling(checked.spec), []


def _electrical(checked, results, progress):
    from hubc.electrical.stage import run_electrical

    result = run_electrical(checked.spec, results["racks"].row_loads(), source=checked.source)
    return result, list(result.diagnostics)


def _energy(checked, results, progress):
    from hubc.energy import energy_stage

    return energy_stage(checked, results, progress)


def _procurement(checked, results, progress):
    from hubc.procurement.stage import procurement_stage

    return procurement_stage(checked, results, progress)


BUILD_STAGES: tuple[Stage, ...] = (
    Stage("summary", "derive campus loads", _elaborate),
    Stage("racks", "place racks in halls (CP-SAT), verify", _racks),
    Stage("cooling", "size CRAH, heat rejection and facility-water pumps", _cooling),
    Stage("electrical", "size the power chain, assign feeds (CP-SAT), verify every single failure", _electrical),
    Stage("energy", "hourly energy year: renewables, BESS sizing (LP), replay", _energy),
    # Procurement prices what the stages before it sized, so it runs last.
    Stage("procurement", "price the BOM from the catalog", _procurement),
)
