"""Cooling plant sizing: heat in the halls -> CRAH/fan walls, heat-rejection units, FWS pumps.

In: the spec (halls, their cooling, the cooling plant, the policy) and hubc.core.loads.
Out: `CoolingResult` with every sizing decision (rule, inputs, result) and its Equipment.
The plant is sized per hall (modular plant that phases with its hall), for one copy, and
multiplied by the hall's copies. CDUs themselves come from the rack layout stage.

Rules (energy balance of the hall): all electrical power taken by a hall ends up as heat,
so the plant rejects IT x design PUE less its own fan and pump input (which it rejects directly):
Q_reject = IT x PUE / (1 + power_kw_per_kw). Units = ceil(Q (1 + margin) / unit) + redundancy.
FWS flow V = 60 Q / (rho cp dT) L/min; pump shaft power = rho g H V / eta.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import NamedTuple

import attrs

from hubc.core.derived import derived
from hubc.core.equipment import Equipment
from hubc.core.loads import hall_heat, units_needed
from hubc.spec.model import Spec

G = 9.80665  # m/s², standard gravity


@functools.cache
def _data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "cooling.toml").read_text("utf-8"))


@attrs.frozen(kw_only=True)
class Decision:
    item: str
    rule: str
    inputs: dict
    result: dict


class RejectionUnits(NamedTuple):
    """Heat-rejection units of one family for one copy of a hall."""

    family: str
    unit_kw: float
    count: int


@attrs.frozen(kw_only=True)
class HallPlant:
    hall: str
    copies: int
    heat_reject_kw: float
    crah_units: int
    rejection_units: tuple[RejectionUnits, ...]  # per copy
    fws_flow_l_per_min: float
    pump_shaft_kw: float
    pumps: int


@attrs.frozen(kw_only=True)
class CoolingResult:
    halls: tuple[HallPlant, ...]
    decisions: tuple[Decision, ...]
    kind: str  # the cooling plant's kind (spec cooling_plant.kind)

    @derived
    @property
    def basis(self) -> str:
        """How the plant is sized."""
        return "per hall copy, multiplied by copies; Q_reject = IT x design PUE / (1 + power_kw_per_kw)"

    def equipment(self) -> tuple[Equipment, ...]:
        pump_kw = float(_data()["facility_water"]["pump_motor_kw"])
        crah_kw = float(_data()["crah"]["unit_kw"])
        out: list[Equipment] = []
        for i, h in enumerate(self.halls):
            path = ("hall", i, "cooling")
            out.append(Equipment(
                id=f"{h.hall}/crah", family="crah", description="CRAH / fan wall for the hall's air-cooled heat",
                rating=crah_kw, rating_unit="kW", quantity=h.crah_units * h.copies, system="mechanical",
                area=h.hall, spec_path=path + ("air_kw_per_row",)))
            for family, unit_kw, count in h.rejection_units:
                out.append(Equipment(
                    id=f"{h.hall}/{family}", family=family,
                    description=f"{family.replace('-', ' ')} for the hall's heat rejection",
                    rating=unit_kw, rating_unit="kW", quantity=count * h.copies, system="mechanical",
                    area=h.hall, spec_path=("cooling_plant", "unit_kw")))
            out.append(Equipment(
                id=f"{h.hall}/fws-pump", family="pump",
                description="Facility-water (FWS) pump set with VFD",
                rating=pump_kw, rating_unit="kW", quantity=h.pumps * h.copies, system="mechanical",
                area=h.hall, spec_path=("cooling_plant", "kind")))
        return tuple(out)


def size_cooling(spec: Spec) -> CoolingResult:
    data = _data()
    plant = spec.cooling_plant
    margin = spec.policy.sizing_margin
    crah_kw = float(data["crah"]["unit_kw"])
    fw = data["facility_water"]
    decisions: list[Decision] = []
    halls: list[HallPlant] = []
    for hall in spec.hall:
        heat = hall_heat(hall, spec)
        c = hall.cooling
        # Air side: the spec's firm air capacity (rows x air_kw_per_row) in CRAH units, plus the
        # hall's cooling redundancy.
        firm_air = hall.rows * c.air_kw_per_row
        crah = units_needed(firm_air, crah_kw, c.cdu_redundancy)
        decisions.append(Decision(
            item=f"{hall.id}: CRAH / fan walls",
            rule="ceil(rows x air_kw_per_row / unit) + redundancy (hall cooling redundancy)",
            inputs={"rows": hall.rows, "air_kw_per_row": c.air_kw_per_row, "unit_kw": crah_kw,
                    "redundancy": c.cdu_redundancy, "air_heat_kw": round(heat.air_kw, 1)},
            result={"units_per_copy": crah}))
        # Heat rejection: every kW the hall draws becomes heat; the plant's own fans are outdoors.
        q_reject = heat.it_kw * spec.policy.design_pue / (1.0 + plant.power_kw_per_kw)
        design_q = q_reject * (1.0 + margin)
        units: list[RejectionUnits] = []
        if plant.kind == "hybrid":
            trim = float(data["hybrid"]["chiller_trim_fraction"])
            units.append(RejectionUnits("dry-cooler", plant.unit_kw, units_needed(design_q, plant.unit_kw, plant.redundancy)))
            units.append(RejectionUnits("chiller", plant.unit_kw, units_needed(design_q * trim, plant.unit_kw, plant.redundancy)))
        elif plant.kind == "chiller":
            n = units_needed(design_q, plant.unit_kw, plant.redundancy)
            # Water-cooled chillers reject heat plus compressor work through cooling towers.
            units += [RejectionUnits("chiller", plant.unit_kw, n), RejectionUnits("cooling-tower", plant.unit_kw, n)]
        else:
            units.append(RejectionUnits(plant.kind, plant.unit_kw, units_needed(design_q, plant.unit_kw, plant.redundancy)))
        decisions.append(Decision(
            item=f"{hall.id}: heat rejection ({plant.kind})",
            rule="Q = IT x design PUE / (1 + power_kw_per_kw); units = ceil(Q x (1 + margin) / unit_kw) + redundancy"
            + ("; chillers trim a fraction of Q" if plant.kind == "hybrid" else ""),
            inputs={"it_kw": round(heat.it_kw, 1), "design_pue": spec.policy.design_pue,
                    "power_kw_per_kw": plant.power_kw_per_kw, "sizing_margin": margin,
                    "unit_kw": plant.unit_kw, "redundancy": plant.redundancy},
            result={"heat_reject_kw": round(q_reject, 1), "units_per_copy": {f: n for f, _u, n in units}}))
        # Facility water: flow for the whole rejected heat at the hall's loop temperature rise.
        dt = c.return_temp_c - c.supply_temp_c
        flow = 60.0 * q_reject / (fw["density_kg_per_l"] * fw["specific_heat_kj_per_kg_k"] * dt)
        # kg/L x L/s = kg/s; x g x H = W; / 1000 = kW.
        shaft_kw = fw["density_kg_per_l"] * (flow / 60.0) * G * fw["pump_head_m"] / fw["pump_efficiency"] / 1000.0
        pumps = units_needed(shaft_kw, float(fw["pump_motor_kw"]), fw["pump_redundancy"])
        decisions.append(Decision(
            item=f"{hall.id}: facility-water pumps",
            rule="V = 60 Q / (rho cp dT) L/min; P = rho g H V / eta; pumps = ceil(P / motor) + N+1",
            inputs={"heat_reject_kw": round(q_reject, 1), "delta_t_k": dt, "head_m": fw["pump_head_m"],
                    "efficiency": fw["pump_efficiency"], "motor_kw": fw["pump_motor_kw"]},
            result={"flow_l_per_min": round(flow, 1), "shaft_kw": round(shaft_kw, 1), "pumps_per_copy": pumps}))
        halls.append(HallPlant(hall=hall.id, copies=hall.copies, heat_reject_kw=q_reject, crah_units=crah,
                               rejection_units=tuple(units), fws_flow_l_per_min=flow, pump_shaft_kw=shaft_kw,
                               pumps=pumps))
    return CoolingResult(halls=tuple(halls), decisions=tuple(decisions), kind=plant.kind)
