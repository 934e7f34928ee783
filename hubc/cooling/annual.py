"""The heat-rejection plant hour by hour: how much heat its free-cooling device carries, what the
rest costs in compressor work, and the PUE that follows.

Free cooling in series ahead of any chiller: the dry cooler (or tower, or tower + plate heat
exchanger) cools the return water as far as the air allows, `T_air + approach`; the chiller trims
the rest down to the supply temperature. The share it carries is

    phi = clip((T_return - (T_air + approach)) / (T_return - T_supply), 0, 1)

(T_air the dry-bulb for dry coolers, the wet-bulb for towers). Chiller COP is a fraction of the
Carnot COP between its evaporator and condenser (catalog `heat_rejection.chiller`). Fans run in
proportion to the heat they move; pumps, CDU pumps, CRAH fans and power-chain losses are
proportional to the IT load, so the hourly PUE depends on the weather only.
"""

from __future__ import annotations

import attrs
import numpy as np

from hubc.core.loads import cooling_catalog

KELVIN = 273.15


@attrs.frozen(kw_only=True)
class PlantPhysics:
    kind: str  # dry-cooler, hybrid, chiller, cooling-tower
    supply_c: float
    return_c: float
    economiser: bool  # chiller plants: a plate heat exchanger on the towers


def _chiller() -> dict:
    return cooling_catalog()["heat_rejection"]["chiller"]


def cooling_air_c(p: PlantPhysics, dry_bulb_c, wet_bulb_c):
    """The coldest the free-cooling device can make the water, hour by hour."""
    hr = cooling_catalog()["heat_rejection"]
    if p.kind in ("dry-cooler", "hybrid"):
        return np.asarray(dry_bulb_c, dtype=float) + float(hr["dry-cooler"]["approach_k"])
    if p.kind == "cooling-tower":
        return np.asarray(wet_bulb_c, dtype=float) + float(hr["cooling-tower"]["approach_k"])
    ch = _chiller()
    return np.asarray(wet_bulb_c, dtype=float) + float(ch["tower_approach_k"]) + float(ch["economiser_hx_approach_k"])


def free_fraction(p: PlantPhysics, dry_bulb_c, wet_bulb_c) -> np.ndarray:
    """phi: the share of the heat the free-cooling device carries (series arrangement)."""
    if p.kind == "chiller" and not p.economiser:
        return np.zeros_like(np.asarray(dry_bulb_c, dtype=float))
    t_cool = cooling_air_c(p, dry_bulb_c, wet_bulb_c)
    return np.clip((p.return_c - t_cool) / (p.return_c - p.supply_c), 0.0, 1.0)


def chiller_cop(p: PlantPhysics, dry_bulb_c, wet_bulb_c) -> np.ndarray:
    """Carnot-fraction COP; water-cooled (chiller plants) or air-cooled (hybrid trim chillers)."""
    ch = _chiller()
    t_evap = p.supply_c - float(ch["evaporator_below_leaving_k"]) + KELVIN
    if p.kind == "chiller":
        t_cond = np.asarray(wet_bulb_c, dtype=float) + float(ch["tower_approach_k"]) + float(ch["condenser_over_water_k"])
    else:
        t_cond = np.asarray(dry_bulb_c, dtype=float) + float(ch["condenser_over_air_k"])
    lift = np.maximum(t_cond + KELVIN - t_evap, 1e-3)
    return np.minimum(float(ch["carnot_fraction"]) * t_evap / lift, float(ch["cop_max"]))


def chiller_capacity_factor(p: PlantPhysics, dry_bulb_c: float, wet_bulb_c: float) -> float:
    """Capacity at the design condition over the AHRI 550/590 rating: + per K of leaving water
    above 6.7 C, - per K of condenser water above 29.4 C (or of air above 35 C), capped."""
    ch = _chiller()
    leaving = p.supply_c - float(ch["rated_leaving_c"])
    if p.kind == "chiller":
        condenser = wet_bulb_c + float(ch["tower_approach_k"]) - float(ch["rated_condenser_water_c"])
    else:
        condenser = dry_bulb_c - float(ch["rated_ambient_c"])
    f = 1.0 + float(ch["capacity_per_k_leaving"]) * leaving + float(ch["capacity_per_k_condenser"]) * condenser
    return max(0.1, min(float(ch["capacity_max_factor"]), f))


def rejection_kw_per_kw(p: PlantPhysics, dry_bulb_c, wet_bulb_c) -> tuple[np.ndarray, np.ndarray]:
    """(electrical input per kW of heat, phi) hour by hour."""
    hr = cooling_catalog()["heat_rejection"]
    phi = free_fraction(p, dry_bulb_c, wet_bulb_c)
    if p.kind == "dry-cooler":
        return np.full_like(phi, float(hr["dry-cooler"]["fan_kw_per_kw"])), phi
    if p.kind == "cooling-tower":
        return np.full_like(phi, float(hr["cooling-tower"]["fan_kw_per_kw"])), phi
    cop = chiller_cop(p, dry_bulb_c, wet_bulb_c)
    mech = (1.0 - phi) / cop
    if p.kind == "hybrid":  # dry coolers ahead of air-cooled trim chillers (condenser fans in the COP)
        return phi * float(hr["dry-cooler"]["fan_kw_per_kw"]) + mech, phi
    # Water-cooled chillers: the towers carry the heat plus the compressor work.
    tower = float(hr["cooling-tower"]["fan_kw_per_kw"]) * (phi + (1.0 - phi) * (1.0 + 1.0 / cop))
    return mech + tower, phi


@attrs.frozen(kw_only=True)
class Overheads:
    """Loads per kW of IT that do not depend on the weather."""

    cdu_pump: float
    crah_fan: float
    losses: float
    house: float
    fws_pump: float
    heat: float  # heat rejected per kW of IT

    @property
    def fixed(self) -> float:
        return self.cdu_pump + self.crah_fan + self.losses + self.house + self.fws_pump


def pue(p: PlantPhysics, o: Overheads, dry_bulb_c, wet_bulb_c) -> tuple[np.ndarray, np.ndarray]:
    """(PUE, phi) hour by hour: 1 + fixed overheads + heat x heat-rejection input per kW."""
    kw, phi = rejection_kw_per_kw(p, dry_bulb_c, wet_bulb_c)
    return 1.0 + o.fixed + o.heat * kw, phi


def tower_heat_per_kw_heat(p: PlantPhysics, dry_bulb_c, wet_bulb_c) -> np.ndarray:
    """Heat the cooling towers reject per kW of plant heat, hour by hour: all of it for a tower
    plant; for water-cooled chillers the free-cooled share plus the chilled share with its
    compressor work (1 + 1/COP); none for dry coolers and air-cooled trim chillers."""
    db = np.asarray(dry_bulb_c, dtype=float)
    if p.kind == "cooling-tower":
        return np.ones_like(db)
    if p.kind != "chiller":
        return np.zeros_like(db)
    phi = free_fraction(p, dry_bulb_c, wet_bulb_c)
    return phi + (1.0 - phi) * (1.0 + 1.0 / chiller_cop(p, dry_bulb_c, wet_bulb_c))


def water_l_per_kwh_it(p: PlantPhysics, o: Overheads, dry_bulb_c, wet_bulb_c) -> tuple[np.ndarray, np.ndarray]:
    """(evaporation, blowdown) in litres per kWh of IT energy, hour by hour (catalog `[water]`):
    E = heat per kW IT x tower share x 3600 s x evaporated share / latent heat / density;
    B = E / (cycles of concentration - 1)."""
    w = cooling_catalog()["water"]
    tower_kw = o.heat * tower_heat_per_kw_heat(p, dry_bulb_c, wet_bulb_c)
    evap = tower_kw * 3600.0 * float(w["evaporated_share"]) / float(w["latent_heat_kj_per_kg"]) / float(w["density_kg_per_l"])
    return evap, evap / (float(w["cycles_of_concentration"]) - 1.0)
