"""Loads derived from the spec: one definition of each figure, shared by checks and sizing.

IT power is the sum of rack design powers; heat splits into liquid and air by each rack's
liquid fraction. Facility peak = IT x design-day PUE (the hottest day, not the annual PUE: the
electrical plant must carry it); apparent power divides by the facility power factor.
"""

from __future__ import annotations

import functools
import math
import tomllib
from importlib import resources

import attrs

from hubc.spec.model import Hall, HallCooling, Pod, RackType, Spec, redundancy_spares


@attrs.frozen(kw_only=True)
class Heat:
    it_kw: float
    liquid_kw: float
    air_kw: float
    racks: int
    weight_kg: float
    gpus: int

    def __add__(self, other: Heat) -> Heat:
        return Heat(
            it_kw=self.it_kw + other.it_kw,
            liquid_kw=self.liquid_kw + other.liquid_kw,
            air_kw=self.air_kw + other.air_kw,
            racks=self.racks + other.racks,
            weight_kg=self.weight_kg + other.weight_kg,
            gpus=self.gpus + other.gpus,
        )

    def scaled(self, k: int) -> Heat:
        return Heat(
            it_kw=self.it_kw * k,
            liquid_kw=self.liquid_kw * k,
            air_kw=self.air_kw * k,
            racks=self.racks * k,
            weight_kg=self.weight_kg * k,
            gpus=self.gpus * k,
        )


ZERO = Heat(it_kw=0.0, liquid_kw=0.0, air_kw=0.0, racks=0, weight_kg=0.0, gpus=0)


def rack_heat(rt: RackType, count: int = 1) -> Heat:
    return Heat(
        it_kw=rt.power_kw,
        liquid_kw=rt.power_kw * rt.liquid_fraction,
        air_kw=rt.power_kw * (1.0 - rt.liquid_fraction),
        racks=1,
        weight_kg=rt.weight_kg,
        gpus=rt.gpus,
    ).scaled(count)


def pod_heat(pod: Pod, rack_types: dict[str, RackType]) -> Heat:
    total = ZERO
    for rc in pod.racks:
        rt = rack_types.get(rc.rack_type)
        if rt is not None:
            total = total + rack_heat(rt, rc.count)
    return total


def pod_length(pod: Pod) -> int:
    return sum(rc.count for rc in pod.racks)


def hall_heat(hall: Hall, spec: Spec) -> Heat:
    """One copy of a hall (unknown references contribute nothing; `check` reports them)."""
    rts, pods = spec.rack_types(), spec.pods()
    total = ZERO
    for pc in hall.pods:
        if pc.pod in pods:
            total = total + pod_heat(pods[pc.pod], rts).scaled(pc.count)
    for rc in hall.spine:
        if rc.rack_type in rts:
            total = total + rack_heat(rts[rc.rack_type], rc.count)
    return total


def campus_heat(spec: Spec) -> Heat:
    total = ZERO
    for hall in spec.hall:
        total = total + hall_heat(hall, spec).scaled(hall.copies)
    return total


def facility_peak_kw(spec: Spec, it_kw: float | None = None) -> float:
    it = campus_heat(spec).it_kw if it_kw is None else it_kw
    return it * spec.policy.design_pue


def facility_peak_kva(spec: Spec, it_kw: float | None = None) -> float:
    return facility_peak_kw(spec, it_kw) / spec.policy.power_factor


def cooling_catalog() -> dict:
    """The cooling catalog (hubc/catalog/data/cooling.toml): CDU, CRAH and plant figures."""
    return _cooling_catalog()


@functools.cache
def _cooling_catalog() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "cooling.toml").read_text("utf-8"))


def cdu_unit_kw(c: HallCooling) -> float:
    """One CDU's liquid capacity: the spec's, else the catalog's facility CDU."""
    return float(c.cdu_kw) if c.cdu_kw is not None else float(_cooling_catalog()["cdu"]["default_unit_kw"])


def cdu_pump_kw_per_kw(c: HallCooling) -> float:
    """CDU pump input per kW of liquid heat: the spec's, else the catalog's."""
    return float(c.cdu_pump_kw_per_kw) if c.cdu_pump_kw_per_kw is not None else float(_cooling_catalog()["cdu"]["pump_kw_per_kw"])


def cdus_installed(c: HallCooling, loop_liquid_kw: float) -> int:
    """CDUs installed on one loop: the spec's count, or for `cdus = "auto"` ceil(liquid / cdu_kw)
    plus the CDU redundancy (2N doubles), and none on a loop without liquid heat."""
    if c.cdus != "auto":
        return int(c.cdus)
    if loop_liquid_kw <= 1e-9:
        return 0
    return units_needed(loop_liquid_kw, cdu_unit_kw(c), c.cdu_redundancy)


def cdu_capacity_kw(hall: Hall) -> float:
    """Liquid capacity that survives the loss of the redundant CDUs, for the whole hall.

    With `cdus = "auto"` the loops are sized for their load after placement, so the only limit
    a placement meets is the one the busways already set: a row never draws more than its busway.
    """
    c: HallCooling = hall.cooling
    if c.cdus == "auto":
        return hall.rows * hall.row_busway_kw
    loops = hall.rows if c.cdu_scope == "row" else 1
    return loops * cdu_loop_capacity_kw(hall)


def cdu_loop_capacity_kw(hall: Hall) -> float:
    c = hall.cooling
    if c.cdus == "auto":
        return hall.row_busway_kw if c.cdu_scope == "row" else hall.rows * hall.row_busway_kw
    return max(0, c.cdus - redundancy_spares(c.cdu_redundancy, _needed(c))) * cdu_unit_kw(c)


def _needed(c: HallCooling) -> int:
    # For 2N the installed count is 2 x needed: half the CDUs are the redundant set.
    return c.cdus // 2 if c.cdu_redundancy == "2N" else c.cdus


def firm_units(installed: int, redundancy: str) -> int:
    """Units that remain when the redundant ones are out (N+1 of 4 -> 3; 2N of 4 -> 2)."""
    if redundancy == "2N":
        return installed // 2
    return max(0, installed - redundancy_spares(redundancy, installed))


def units_needed(load: float, unit: float, redundancy: str) -> int:
    """Installed units for a load: ceil(load/unit) plus the redundancy (2N doubles)."""
    n = max(1, math.ceil(load / unit - 1e-9))
    return n + redundancy_spares(redundancy, n)


def paired_loading_limit() -> float:
    """Normal loading of a unit that must take a partner's whole load after a loss (catalog
    `main_transformer_loading`: 1/2, so that it is at nameplate after the loss)."""
    from hubc.catalog import electrical as cat

    return float(cat.table("main_transformer_loading")["paired_normal_max"])


@attrs.frozen(kw_only=True)
class MainTransformerRule:
    """The main-transformer rule for one demand, shared by the spec check (HUB302) and the
    electrical sizing (HUB731): the units left with the redundant ones out carry the demand (the
    N-1 criterion), and the normal loading stays within `loading_limit` (IEC 60076-7 loading
    guide): the policy's, or for 2N the paired limit (each side takes the other's whole load)."""

    demand_mva: float
    unit_mva: float
    redundancy: str
    loading_limit: float

    @property
    def required(self) -> int:
        """Fewest units meeting both: ceil(S / S_each) + spares (2N doubles), and for N+k also
        S / (n S_each) <= the loading limit (2N's doubling keeps each side at half load already)."""
        need = units_needed(self.demand_mva, self.unit_mva, self.redundancy)
        if self.redundancy != "2N":
            need = max(need, math.ceil(self.demand_mva / (self.unit_mva * self.loading_limit) - 1e-9))
        return need

    def firm_mva(self, installed: int) -> float:
        """Capacity left when the redundant units are out."""
        return firm_units(installed, self.redundancy) * self.unit_mva

    def loading(self, installed: int) -> float:
        """Normal loading of each of `installed` units sharing the demand."""
        return self.demand_mva / (installed * self.unit_mva)


def main_transformer_loading_limit(redundancy: str, policy_max_loading: float) -> float:
    """Highest normal loading of a main transformer: the paired limit for 2N, else the policy's."""
    return paired_loading_limit() if redundancy == "2N" else policy_max_loading


def main_transformer_rule(demand_mva: float, unit_mva: float, redundancy: str, policy_max_loading: float) -> MainTransformerRule:
    limit = main_transformer_loading_limit(redundancy, policy_max_loading)
    return MainTransformerRule(demand_mva=demand_mva, unit_mva=unit_mva, redundancy=redundancy, loading_limit=limit)
