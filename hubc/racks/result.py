"""The rack layout handed to later stages: racks, row loads against limits, solver figures.

In: the solved placements of every distinct hall. Out: `RackLayout` (frozen, deterministic),
with `row_loads()` for the electrical stage, `to_json()` for design.json and `equipment()` for
procurement. Halls with `copies` appear once; quantities multiply by the copies.
"""

from __future__ import annotations

import attrs

from hubc.core.equipment import Equipment
from hubc.core.types import RowLoad


def _r(x: float, nd: int = 3) -> float:
    v = round(x, nd)
    return 0.0 if v == 0 else v


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

    def to_json(self) -> dict:
        return {
            "hall": self.hall,
            "row": self.row,
            "slot": self.slot,
            "rack_type": self.rack_type,
            "role": self.role,
            "pod": self.pod,
            "pod_kind": self.pod_kind,
            "power_kw": _r(self.power_kw),
            "liquid_kw": _r(self.liquid_kw),
            "air_kw": _r(self.air_kw),
            "weight_kg": _r(self.weight_kg),
        }


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

    def utilisation(self) -> dict[str, float]:
        out = {"busway": self.it_kw / self.busway_kw, "air": self.air_kw / self.air_limit_kw}
        if self.liquid_limit_kw:
            out["liquid"] = self.liquid_kw / self.liquid_limit_kw
        if self.floor_limit_kg:
            out["floor"] = self.weight_kg / self.floor_limit_kg
        return out

    def to_json(self) -> dict:
        return {
            "row": self.row,
            "racks": self.racks,
            "it_kw": _r(self.it_kw),
            "liquid_kw": _r(self.liquid_kw),
            "air_kw": _r(self.air_kw),
            "weight_kg": _r(self.weight_kg),
            "limits": {
                "busway_kw": _r(self.busway_kw),
                "liquid_loop_kw": None if self.liquid_limit_kw is None else _r(self.liquid_limit_kw),
                "air_kw": _r(self.air_limit_kw),
                "floor_kg": None if self.floor_limit_kg is None else _r(self.floor_limit_kg),
            },
            "utilisation": {k: _r(v, 4) for k, v in sorted(self.utilisation().items())},
        }


@attrs.frozen(kw_only=True)
class Figures:
    """Objective figures of one placement (the model's or the greedy's)."""

    objective: int  # cable_cm x weight + spread_kw (lexicographic)
    cable_m: float
    spread_kw: int

    def to_json(self) -> dict:
        return {"objective": self.objective, "cable_m": _r(self.cable_m, 2), "row_power_spread_kw": self.spread_kw}


@attrs.frozen(kw_only=True)
class HallLayout:
    hall: str
    hall_index: int
    copies: int
    rows: int
    slots: int
    slot_width_mm: float
    row_pitch_mm: float
    keepout: tuple[tuple[int, int, str], ...]
    status: str
    objective: int
    best_bound: float
    solved: Figures
    greedy: Figures | None
    solve_s: float = attrs.field(eq=False, default=0.0)  # wall time; never in design.json
    same_as: str | None  # id of an identical hall whose solution this one reuses
    racks: tuple[PlacedRack, ...]
    rows_report: tuple[RowReport, ...]
    liquid_scope: str
    hall_liquid_kw: float
    hall_liquid_limit_kw: float

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.best_bound) / abs(self.objective))

    def to_json(self) -> dict:
        return {
            "id": self.hall,
            "copies": self.copies,
            "rows": self.rows,
            "slots_per_row": self.slots,
            "solver": {
                "status": self.status,
                "objective": self.objective,
                "best_bound": _r(self.best_bound, 1),
                "gap": _r(self.gap, 5),
                "objective_terms": "cable_cm x (busway_kw + 1) + row_power_spread_kw (most loaded row - least loaded row holding a pod)",
                "same_as": self.same_as,
            },
            "cable_m": _r(self.solved.cable_m, 2),
            "row_power_spread_kw": self.solved.spread_kw,
            "greedy": None if self.greedy is None else self.greedy.to_json(),
            "cooling": {
                "cdu_scope": self.liquid_scope,
                "liquid_kw": _r(self.hall_liquid_kw),
                "liquid_limit_kw": _r(self.hall_liquid_limit_kw),
            },
            "keepout": [{"row": r, "slot": s, "reason": why} for r, s, why in self.keepout],
            "row_loads": [r.to_json() for r in self.rows_report],
            "racks": [r.to_json() for r in self.racks],
        }


_FAMILY = {"compute": "gpu-rack", "storage": "storage-rack"}


@attrs.frozen(kw_only=True)
class RackLayout:
    halls: tuple[HallLayout, ...]
    # Inputs the equipment list needs, copied from the spec so the result stands alone.
    rack_info: tuple[tuple[str, str, float, int, str], ...] = ()  # id, role, kw, spec index, description
    hall_info: tuple[tuple[str, int, int, float, int, str], ...] = ()  # id, cdus/loop, loops, cdu_kw, paths, scope
    solver: tuple[tuple[str, object], ...] = ()  # settings that make the search reproducible (hubc.lock)

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

    def to_json(self) -> dict:
        halls = sorted(self.halls, key=lambda h: h.hall_index)
        return {
            "halls": [h.to_json() for h in halls],
            "totals": {
                "halls": sum(h.copies for h in halls),
                "distinct_halls_solved": sum(1 for h in halls if h.same_as is None),
                "racks": sum(len(h.racks) * h.copies for h in halls),
                "cable_m": _r(sum(h.solved.cable_m * h.copies for h in halls), 2),
            },
        }

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
            hi = next(x for x in self.hall_info if x[0] == h.hall)
            _, cdus, loops, cdu_kw, _paths, _scope = hi
            out.append(
                Equipment(
                    id=f"{h.hall}/cdu",
                    family="cdu",
                    description=f"Coolant distribution unit, {cdu_kw:,.0f} kW",
                    rating=cdu_kw,
                    rating_unit="kW",
                    quantity=cdus * loops * h.copies,
                    system="mechanical",
                    area=h.hall,
                    spec_path=("hall", h.hall_index, "cooling", "cdus"),
                    notes=f"{cdus} per loop x {loops} loops x {h.copies} copies",
                )
            )
            # Row busways are sized (ampere frame, metres per run) by the electrical stage.
        return tuple(out)
