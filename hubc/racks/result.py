"""The rack layout handed to later stages: racks, row loads against limits, solver figures.

In: the solved placements of every distinct hall. Out: `RackLayout` (frozen, deterministic),
with `row_loads()` for the electrical stage and `equipment()` for procurement; design.json
writes its fields and `derived` figures. Halls with `copies` appear once; quantities multiply
by the copies.
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

from hubc.core.derived import NOT_IN_JSON, derived
from hubc.core.equipment import Equipment
from hubc.core.types import RowLoad

# The placement model's objective, as design.json explains it.
OBJECTIVE_TERMS = "cable_cm x (busway_kw + 1) + row_power_spread_kw (most loaded row - least loaded row holding a pod)"


@attrs.frozen(kw_only=True)
class PlacedRack:
    hall: str
    row: int
    slot: int
    rack_type: str
    role: str
    pod: str  # pod instance id ("gb200-su-03"), or "spine"
    pod_kind: str  # pod id, or "spine"
    power_kw: float
    liquid_kw: float
    air_kw: float
    weight_kg: float


@attrs.frozen(kw_only=True)
class RowReport:
    hall: str
    row: int
    racks: int
    it_kw: float
    liquid_kw: float
    air_kw: float
    weight_kg: float
    busway_kw: float
    liquid_limit_kw: float | None  # the row's CDU loop; None when the loop is hall-wide
    air_limit_kw: float
    floor_limit_kg: float | None  # the row strip's share of the slab rating

    @derived
    def utilisation(self) -> dict[str, float]:
        """Load / limit of the row's busway, air cooling, CDU loop and floor strip (those it has)."""
        out = {"air": self.air_kw / self.air_limit_kw, "busway": self.it_kw / self.busway_kw}
        if self.floor_limit_kg:
            out["floor"] = self.weight_kg / self.floor_limit_kg
        if self.liquid_limit_kw:
            out["liquid"] = self.liquid_kw / self.liquid_limit_kw
        return out


@attrs.frozen(kw_only=True)
class Figures:
    """Objective figures of one placement (the model's or the greedy's)."""

    objective: int  # cable_cm x weight + spread_kw (lexicographic)
    cable_m: float
    spread_kw: int


def relative_gap(value: float, bound: float) -> float:
    """(value - bound) / |value|, never negative; 0 for a zero value."""
    if value == 0:
        return 0.0
    return max(0.0, (value - bound) / abs(value))


@attrs.frozen(kw_only=True)
class SolvePhase:
    """One objective of the lexicographic search, in the order solved: cable (cm) over the
    spine positions, then the row power spread (kW) with the cable held at its optimum."""

    objective: str  # "cable_cm" or "row_power_spread_kw"
    status: str  # OPTIMAL (within the relative gap), FEASIBLE, or SKIPPED (primary not proven)
    value: int
    bound: float  # proven lower bound on this objective (given the phases before it)
    deterministic_s: float  # CP-SAT deterministic seconds (reproducible, unlike wall time)
    positions: int  # spine positions this phase solved over

    @derived
    @property
    def gap(self) -> float:
        """Relative gap of this objective alone (0: proven optimal)."""
        return relative_gap(self.value, self.bound)


class Keepout(NamedTuple):
    """A slot that holds no rack, and why."""

    row: int
    slot: int
    reason: str


@attrs.frozen(kw_only=True)
class HallLayout:
    hall: str
    hall_index: int
    copies: int
    rows: int
    slots_per_row: int
    slot_width_mm: float
    row_pitch_mm: float
    keepout: tuple[Keepout, ...]
    status: str
    objective: int
    best_bound: float
    solved: Figures
    greedy: Figures | None
    solve_s: float = attrs.field(eq=False, default=0.0, metadata=NOT_IN_JSON)  # wall time: differs run to run
    same_as: str | None  # id of an identical hall whose solution this one reuses
    racks: tuple[PlacedRack, ...]
    rows_report: tuple[RowReport, ...]
    liquid_scope: str
    hall_liquid_kw: float
    hall_liquid_limit_kw: float
    phases: tuple[SolvePhase, ...] = ()  # the lexicographic search, objective by objective

    @derived
    @property
    def gap(self) -> float:
        """Relative gap between the objective and the solver's best bound (0: proven optimal)."""
        return relative_gap(self.objective, self.best_bound)

    @derived
    @property
    def objective_terms(self) -> str:
        """What `objective` counts."""
        return OBJECTIVE_TERMS


_FAMILY = {"compute": "gpu-rack", "storage": "storage-rack"}


@attrs.frozen(kw_only=True)
class RackLayout:
    halls: tuple[HallLayout, ...]
    # Inputs the equipment list needs, copied from the spec so the result stands alone.
    # id, role, kw, spec index, description
    rack_info: tuple[tuple[str, str, float, int, str], ...] = attrs.field(default=(), metadata=NOT_IN_JSON)
    # id, cdus/loop, loops, cdu_kw, paths, scope
    hall_info: tuple[tuple[str, int, int, float, int, str], ...] = attrs.field(default=(), metadata=NOT_IN_JSON)
    # settings that make the search reproducible: in hubc.lock
    solver: tuple[tuple[str, object], ...] = attrs.field(default=(), metadata=NOT_IN_JSON)

    def solver_settings(self) -> dict:
        return dict(self.solver)

    def row_loads(self) -> dict[str, tuple[RowLoad, ...]]:
        return {
            h.hall: tuple(
                RowLoad(hall=h.hall, row=r.row, it_kw=r.it_kw, liquid_kw=r.liquid_kw, air_kw=r.air_kw, racks=r.racks)
                for r in h.rows_report
            )
            for h in self.halls
        }

    @derived
    @property
    def total_halls(self) -> int:
        """Halls on the campus, every copy counted."""
        return sum(h.copies for h in self.halls)

    @derived
    @property
    def distinct_halls_solved(self) -> int:
        return sum(1 for h in self.halls if h.same_as is None)

    @derived
    @property
    def total_racks(self) -> int:
        return sum(len(h.racks) * h.copies for h in self.halls)

    @derived
    @property
    def total_cable_m(self) -> float:
        """Leaf-to-spine cable of the solved placements, every hall copy counted."""
        return sum(h.solved.cable_m * h.copies for h in self.halls)

    def equipment(self) -> tuple[Equipment, ...]:
        info = {r[0]: r for r in self.rack_info}
        out: list[Equipment] = []
        for h in sorted(self.halls, key=lambda h: h.hall_index):
            counts: dict[str, int] = {}
            for rk in h.racks:
                counts[rk.rack_type] = counts.get(rk.rack_type, 0) + 1
            for rt in sorted(counts):
                _, role, kw, idx, desc = info[rt]
                out.append(
                    Equipment(
                        id=f"{h.hall}/{rt}",
                        family=_FAMILY.get(role, "network-rack"),
                        description=desc or rt,
                        rating=kw,
                        rating_unit="kW",
                        quantity=counts[rt] * h.copies,
                        system="it" if role in ("compute", "storage") else "network",
                        area=h.hall,
                        spec_path=("rack_type", idx),
                        notes=f"{counts[rt]} per hall x {h.copies} copies",
                    )
                )
            # CDUs are sized and listed by the cooling stage (hubc.cooling), with the plant.
            # Row busways are sized (ampere frame, metres per run) by the electrical stage.
        return tuple(out)
