"""Build-out phases for capex: which share of each equipment item is bought in which phase.

The rule (hubc/core/equipment.py): an item in a hall's area splits by the hall's copies
energized per phase; campus-wide plant whose size follows the load (generators, mechanical unit
substations, LV boards and MV cables, and the substation's feeder and generator bays) splits by
the IT load each phase energizes, so a phase buys the gensets and bays of its own halls; an item
of a plant (substation, line, BESS, renewable id) goes to the phase that energizes it, a phase's
own cooling plant to that phase; anything else ("campus") to the first phase. A spec
without phases is one phase. Copies no phase energizes go to an "unphased" bucket, so the
phase totals always add up to the BOM total. Counted items ("ea") split into whole units
(cumulative rounding); measured ones (m, km, MWp) split exactly.
"""

from __future__ import annotations

import math
import re

import attrs

from hubc.catalog import units
from hubc.core.equipment import Equipment
from hubc.spec.model import Spec

UNPHASED = "unphased"

# Families sized on the campus load (one pool for all halls), bought as the load arrives.
LOAD_FOLLOWING_FAMILIES = frozenset({"generator", "unit-substation", "lv-switchboard", "mv-cable", "breaker"})
# MV switchgear bays that feed halls or connect gensets (the incomers, bus sections and transfer
# bays belong to the substation and come with it): the role is in the electrical stage's line id.
_LOAD_FOLLOWING_BAY = re.compile(r"mv-switchgear-(feeder|generator)-")


@attrs.frozen(kw_only=True)
class PhasePlan:
    id: str
    year: int
    # hall id -> copies energized in this phase
    hall_copies: tuple[tuple[str, int], ...] = ()
    energize: tuple[str, ...] = ()


def phase_plan(spec: Spec) -> tuple[PhasePlan, ...]:
    if not spec.phase:
        return (
            PhasePlan(
                id="build",
                year=spec.campus.start_year,
                hall_copies=tuple((h.id, h.copies) for h in spec.hall),
                energize=(),
            ),
        )
    halls = spec.halls()
    plans = []
    placed: dict[str, int] = {}
    for ph in spec.phase:
        copies: dict[str, int] = {}
        for ph_hall in ph.halls:
            hall = halls.get(ph_hall.hall)
            if hall is None:
                continue
            n = ph_hall.copies if ph_hall.copies is not None else hall.copies
            copies[hall.id] = copies.get(hall.id, 0) + n
            placed[hall.id] = placed.get(hall.id, 0) + n
        plans.append(PhasePlan(id=ph.id, year=ph.year, hall_copies=tuple(copies.items()), energize=ph.energize))
    rest = tuple((h.id, h.copies - placed.get(h.id, 0)) for h in spec.hall if h.copies > placed.get(h.id, 0))
    if rest:
        plans.append(PhasePlan(id=UNPHASED, year=max(p.year for p in plans), hall_copies=rest))
    return tuple(plans)


def follows_load(item: Equipment, spec: Spec) -> bool:
    """Campus-wide plant sized on the whole load (not a hall's, not one plant's own)."""
    if item.area in spec.halls():
        return False
    return (item.area == "campus" and item.family in LOAD_FOLLOWING_FAMILIES) or bool(
        item.family == "mv-switchgear" and _LOAD_FOLLOWING_BAY.search(item.id)
    )


def phase_it_kw(plans: tuple[PhasePlan, ...], spec: Spec) -> list[tuple[str, float]]:
    """(phase id, IT kW the phase energizes)."""
    from hubc.core.loads import hall_heat

    halls = spec.halls()
    it = {h.id: hall_heat(h, spec).it_kw for h in spec.hall}
    return [(p.id, sum(n * it[h] for h, n in p.hall_copies if h in halls)) for p in plans]


def _normalised(weights: list[tuple[str, float]]) -> list[tuple[str, float]] | None:
    total = sum(w for _, w in weights)
    return [(pid, w / total) for pid, w in weights] if total > 0 else None


def _shares(item: Equipment, plans: tuple[PhasePlan, ...], spec: Spec) -> list[tuple[str, float]]:
    """(phase id, weight) with weights summing to 1."""
    halls = spec.halls()
    if item.area in halls:
        shares = _normalised([(p.id, float(dict(p.hall_copies).get(item.area, 0))) for p in plans])
        if shares:
            return shares
    if follows_load(item, spec):
        shares = _normalised(phase_it_kw(plans, spec))
        if shares:
            return shares
    for p in sorted(plans, key=lambda p: p.year):  # earliest phase that energizes the plant
        if item.area in p.energize or item.area == p.id:  # a phase's own plant (cooling per phase)
            return [(p.id, 1.0)]
    return [(plans[0].id, 1.0)]


def split_quantity(item: Equipment, plans: tuple[PhasePlan, ...], spec: Spec) -> list[tuple[str, float]]:
    """(phase id, quantity) for every phase, quantities adding up to the item's quantity."""
    shares = _shares(item, plans, spec)
    counted = units.dimension(item.unit) == "count" and float(item.quantity).is_integer()
    if not counted:
        return [(pid, item.quantity * w) for pid, w in shares]
    # Whole units: phase k gets round(Q * cumulative share) - round(Q * previous cumulative).
    out, cum, prev = [], 0.0, 0
    for pid, w in shares:
        cum += w
        upto = math.floor(item.quantity * cum + 0.5 + 1e-9)
        out.append((pid, float(upto - prev)))
        prev = upto
    return out
