"""The cooling stage's typed result: hall loops (CRAH, CDUs, TCS), plants (heat rejection, FWS),
the site climate they are designed to, the year's PUE and economiser hours, every decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from hubc.core.derived import NOT_IN_JSON, derived
from hubc.core.equipment import Equipment

if TYPE_CHECKING:
    import numpy as np

    from hubc.diagnostics import Diagnostic


@attrs.frozen(kw_only=True)
class Decision:
    item: str
    rule: str
    inputs: dict
    result: dict
    source: str = ""


@attrs.frozen(kw_only=True)
class ClimateBasis:
    """The weather station the plant is designed to, and its design condition."""

    station: str
    wmo: str
    chosen_by: str  # "climate_station", "region" or "nearest"
    distance_km: float
    design_dry_bulb_c: float
    design_wet_bulb_c: float
    heating_dry_bulb_c: float
    basis: str
    source: str


@attrs.frozen(kw_only=True)
class Header:
    """A main header: nominal size from the velocity limit (parallel pipes above the largest)."""

    flow_l_per_min: float
    dn: int
    parallel: int
    velocity_m_per_s: float

    @derived
    @property
    def size(self) -> str:
        return f"DN{self.dn}" if self.parallel == 1 else f"{self.parallel} x DN{self.dn}"


@attrs.frozen(kw_only=True)
class HallLoops:
    """One copy of a hall: its air side (CRAH / fan walls) and its liquid side (CDUs, TCS)."""

    hall: str
    hall_index: int
    copies: int
    it_kw: float
    liquid_kw: float
    air_kw: float
    crah_unit_kw: float
    crah_units: int
    crah_redundancy: str
    cdu_scope: str
    loops: int
    cdu_unit_kw: float
    cdus_per_loop: int
    cdu_redundancy: str
    cdu_auto: bool
    cdu_pump_kw: float
    crah_fan_kw: float
    tcs_supply_c: float
    tcs_return_c: float
    tcs_loop_liquid_kw: float
    tcs: Header | None  # per loop; None without liquid heat

    @derived
    @property
    def cdus(self) -> int:
        """CDUs in one copy of the hall."""
        return self.cdus_per_loop * self.loops


@attrs.frozen(kw_only=True)
class PlantUnits:
    """Heat-rejection units of one family in one plant."""

    family: str
    rated_unit_kw: float  # at the catalog's rating condition
    design_unit_kw: float  # derated at the site's design condition
    duty_kw: float  # what they must carry at design (margin included)
    count: int  # installed, redundancy included
    redundancy: str


@attrs.frozen(kw_only=True)
class PlantYear:
    """One plant through the site's hourly climate year."""

    economiser_hours: int  # the free-cooling device alone holds the supply temperature
    partial_hours: int  # free cooling plus mechanical trim
    mechanical_hours: int  # mechanical cooling only
    hours_above_supply: int  # a plant without chillers cannot hold the supply temperature
    pue_annual: float
    pue_design: float
    cooling_kw_per_kw_annual: float  # heat-rejection input per kW of heat, year average
    cooling_kw_per_kw_design: float  # heat-rejection input per kW of heat at the design condition
    # Cooling-tower water per kWh of IT energy over the climate year (full load), catalog [water].
    evaporation_l_per_kwh: float = 0.0
    blowdown_l_per_kwh: float = 0.0
    pue_hourly: np.ndarray = attrs.field(eq=False, metadata=NOT_IN_JSON)


@attrs.frozen(kw_only=True)
class Plant:
    id: str
    area: str  # hall id, phase id or "campus": where procurement books it
    count: int  # identical plants (one per hall copy for scope "building")
    halls: tuple[tuple[str, int], ...]  # (hall id, copies) served by one plant
    it_kw: float
    heat_kw: float  # at design, one plant
    design_heat_kw: float  # with the growth margin
    fws_supply_c: float
    fws_return_c: float
    design_free_fraction: float  # share of the heat the free-cooling device carries at design
    supply_floats_to_c: float | None  # dry-only plants that cannot hold the supply at design
    units: tuple[PlantUnits, ...]
    fws: Header
    pump_kw: float
    pumps: int
    year: PlantYear


@attrs.frozen(kw_only=True)
class CoolingResult:
    kind: str  # the cooling plant's kind (spec cooling_plant.kind)
    scope: str
    climate: ClimateBasis
    halls: tuple[HallLoops, ...]
    plants: tuple[Plant, ...]
    decisions: tuple[Decision, ...]
    diagnostics: tuple[Diagnostic, ...] = attrs.field(default=(), metadata=NOT_IN_JSON)

    @derived
    @property
    def basis(self) -> str:
        """How the plant is sized."""
        return (
            "heat rejection per plant on the total heat of the hall copies it serves (IT + CDU pumps + CRAH fans "
            "+ power-chain losses) x (1 + sizing margin), unit capacity derated at the site's design condition, "
            "plus the plant redundancy; CRAH on each hall's air heat; CDUs on each loop's liquid heat"
        )

    @derived
    @property
    def pue_annual(self) -> float:
        """IT-weighted annual PUE of the plants in the site's climate year (full load)."""
        it = sum(p.it_kw * p.count for p in self.plants)
        return sum(p.year.pue_annual * p.it_kw * p.count for p in self.plants) / it if it else 1.0

    @derived
    @property
    def pue_design(self) -> float:
        """PUE at the design condition (full load)."""
        it = sum(p.it_kw * p.count for p in self.plants)
        return sum(p.year.pue_design * p.it_kw * p.count for p in self.plants) / it if it else 1.0

    @derived
    @property
    def wue_l_per_kwh(self) -> float:
        """Water usage effectiveness (The Green Grid): tower evaporation + blowdown over the climate
        year per kWh of IT energy, IT-weighted over the plants (full load); 0 without towers."""
        it = sum(p.it_kw * p.count for p in self.plants)
        water = sum((p.year.evaporation_l_per_kwh + p.year.blowdown_l_per_kwh) * p.it_kw * p.count for p in self.plants)
        return water / it if it else 0.0

    @derived
    @property
    def water_m3_per_year(self) -> float:
        """Site water of the cooling towers in the climate year at full IT load (m3)."""
        return sum((p.year.evaporation_l_per_kwh + p.year.blowdown_l_per_kwh) * p.it_kw * p.count * 8760 for p in self.plants) / 1000

    @derived
    @property
    def economiser_hours(self) -> int:
        """Hours the largest plant cools with its free-cooling device alone."""
        return max((p.year.economiser_hours for p in self.plants), default=0)

    def report_headline(self) -> list[tuple[str, str]]:
        c = self.climate
        plants = sum(p.count for p in self.plants)
        return [
            ("Site climate", (f"{c.station} (WMO {c.wmo}): design {c.design_dry_bulb_c:g} °C dry-bulb / "
             f"{c.design_wet_bulb_c:g} °C wet-bulb (0.4 %)")),
            ("Cooling plant", f"{self.kind}, {plants} plant{'s' if plants != 1 else ''} (scope {self.scope})"),
            ("PUE (plant in the climate year)", f"{self.pue_annual:.3f} annual, {self.pue_design:.3f} at the design condition"),
            ("Economiser hours", f"{self.economiser_hours:,} h of free cooling alone"),
            ("WUE (cooling towers, climate year)", f"{self.wue_l_per_kwh:.2f} L/kWh IT ({self.water_m3_per_year:,.0f} m³ a year at full load)"),
        ]

    def pue_hourly(self) -> np.ndarray:
        """IT-weighted hourly PUE of the campus's plants (full load)."""
        it = sum(p.it_kw * p.count for p in self.plants)
        return sum(p.year.pue_hourly * (p.it_kw * p.count / it) for p in self.plants)

    def equipment(self) -> tuple[Equipment, ...]:
        out: list[Equipment] = []
        for h in self.halls:
            path = ("hall", h.hall_index, "cooling")
            out.append(Equipment(
                id=f"{h.hall}/crah", family="crah", description="CRAH / fan wall for the hall's air heat",
                rating=h.crah_unit_kw, rating_unit="kW", quantity=h.crah_units * h.copies, system="mechanical",
                area=h.hall, spec_path=path + ("crah_redundancy",),
                notes=f"{h.crah_units} per hall ({h.crah_redundancy}) x {h.copies} copies"))
            if h.cdus:
                out.append(Equipment(
                    id=f"{h.hall}/cdu", family="cdu", description=f"Coolant distribution unit, {h.cdu_unit_kw:,.0f} kW",
                    rating=h.cdu_unit_kw, rating_unit="kW", quantity=h.cdus * h.copies, system="mechanical",
                    area=h.hall, spec_path=path + ("cdus",),
                    notes=f"{h.cdus_per_loop} per loop x {h.loops} loops x {h.copies} copies"
                    + (" (sized by hubc)" if h.cdu_auto else "")))
        for p in self.plants:
            for u in p.units:
                out.append(Equipment(
                    id=f"{p.id}/{u.family}", family=u.family,
                    description=f"{u.family.replace('-', ' ')}, {u.rated_unit_kw:,.0f} kW rated "
                    f"({u.design_unit_kw:,.0f} kW at the design condition)",
                    rating=u.rated_unit_kw, rating_unit="kW", quantity=u.count * p.count, system="mechanical",
                    area=p.area, spec_path=("cooling_plant", "unit_kw" if u.family != "chiller" else "chiller_kw"),
                    notes=f"{u.count} per plant ({u.redundancy})" + (f" x {p.count} plants" if p.count > 1 else "")))
            out.append(Equipment(
                id=f"{p.id}/fws-pump", family="pump", description="Facility-water (FWS) pump set with VFD",
                rating=p.pump_kw, rating_unit="kW", quantity=p.pumps * p.count, system="mechanical",
                area=p.area, spec_path=("cooling_plant", "kind"),
                notes=f"FWS {p.fws.flow_l_per_min:,.0f} L/min, header {p.fws.size}"))
        return tuple(out)
