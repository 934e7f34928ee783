"""Elaboration: the campus figures every report leads with (IT, facility peak, racks, GPUs),
per hall and for the campus, from the spec and hubc.core.loads."""

from __future__ import annotations

import attrs

from hubc.core.loads import campus_heat, facility_peak_kva, facility_peak_kw, hall_heat
from hubc.spec.model import Spec


@attrs.frozen(kw_only=True)
class HallSummary:
    id: str
    copies: int
    it_kw_per_copy: float
    liquid_kw_per_copy: float
    air_kw_per_copy: float
    racks_per_copy: int
    gpus_per_copy: int


@attrs.frozen(kw_only=True)
class Summary:
    campus_id: str
    campus_name: str
    it_kw: float
    liquid_kw: float
    air_kw: float
    facility_peak_kw: float
    facility_peak_kva: float
    racks: int
    gpus: int
    halls: tuple[HallSummary, ...]
    tier: int
    design_pue: float


def summarise(spec: Spec) -> Summary:
    total = campus_heat(spec)
    halls = []
    for hall in spec.hall:
        h = hall_heat(hall, spec)
        halls.append(
            HallSummary(
                id=hall.id,
                copies=hall.copies,
                it_kw_per_copy=h.it_kw,
                liquid_kw_per_copy=h.liquid_kw,
                air_kw_per_copy=h.air_kw,
                racks_per_copy=h.racks,
                gpus_per_copy=h.gpus,
            )
        )
    return Summary(
        campus_id=spec.campus.id,
        campus_name=spec.campus.name,
        it_kw=total.it_kw,
        liquid_kw=total.liquid_kw,
        air_kw=total.air_kw,
        facility_peak_kw=facility_peak_kw(spec, total.it_kw),
        facility_peak_kva=facility_peak_kva(spec, total.it_kw),
        racks=total.racks,
        gpus=total.gpus,
        halls=tuple(halls),
        tier=spec.policy.tier,
        design_pue=spec.policy.design_pue,
    )
