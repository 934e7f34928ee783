"""Utility interconnect and transmission sizing.

In: the spec's [grid] and [[transmission]], the contracted import (MW) and optionally the
hourly grid import of the energy year. Out: an `Interconnect` with the grid profile's supply band, and
per line the circuits needed for N-1, the conductor or cable chosen by ampacity from the energy
catalog, I2R losses (at the contract and over the year) and its cost: the catalog entry of its
voltage class and construction (`line-<kV>kv-<construction>`), priced by the same rule and the
same arithmetic as its BOM line (`hubc.catalog.pricing`), plus the diagnostics (HUB415-HUB417,
HUB420).

Rules: the supply voltage by contracted capacity (the supply bands of the spec's grid profile,
`catalog/data/grid-profiles.toml`; KEPCO: the 기본공급약관); a line's conductors from the class
whose insulation range (highest voltage for equipment, IEC 60038 / IEC 60071-1) holds its voltage; N-1 means the circuits left after losing one carry the contract:
I_circuit = S / ((n-1) sqrt3 V); three-phase losses P = 3 I^2 R L per circuit with the load
shared by all n circuits in normal operation. Quantity: route-km (`circuits_per_route` circuits
per right-of-way, the basis of the catalog's per-km prices) times the parallel cable sets of a
cable line (each set its own trench run).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs

from hubc.catalog import energy as cat
from hubc.catalog.grids import GridProfile
from hubc.catalog.pricing import CapexLine, capex_line
from hubc.codes import diag
from hubc.core.derived import derived
from hubc.core.equipment import Equipment
from hubc.diagnostics import Diagnostic, Location
from hubc.spec.model import Spec

Locate = Callable[..., Location]


@attrs.frozen(kw_only=True)
class Line:
    id: str
    index: int  # position in spec.transmission
    voltage_kv: float
    voltage_class_kv: float  # the catalog class used for conductors and costs
    length_km: float
    construction: str
    circuits: int
    n1_ok: bool
    circuits_needed_n1: int  # fewest circuits whose N-1 current fits the largest single conductor
    circuit_current_n1_a: float  # per circuit with one circuit out
    conductor: str
    conductor_ampacity_a: float
    parallel_sets: int  # conductor sets per phase per circuit (1 unless no single one suffices)
    r_ohm_per_km: float  # per phase per circuit, with the parallel sets
    loss_at_contract_mw: float
    annual_loss_mwh: float
    routes: int  # rights-of-way (energy.toml line_route.circuits_per_route circuits each)
    catalog_id: str  # the entry that prices it (chosen here: voltage class and construction)
    capex_lines: tuple[CapexLine, ...] = ()  # priced as its BOM line
    cost_source: str
    cost_tag: str

    @derived
    @property
    def cost_krw(self) -> int:
        """What the line costs: its capex lines, each priced as its BOM line."""
        return sum(c.cost_krw for c in self.capex_lines)

    @derived
    @property
    def cost_krw_per_km(self) -> float:
        """Per km of the line (all its routes and parallel cable sets)."""
        return self.cost_krw / self.length_km if self.length_km else 0.0

    @derived
    @property
    def cost_label(self) -> str:
        """The line costs are estimates (see cost_source and cost_tag)."""
        return "estimate"

    def equipment(self) -> Equipment:
        return Equipment(
            id=f"{self.id}/line",
            family="transmission-line",
            description=(
                f"{self.voltage_kv:g} kV {self.construction} line, {self.circuits} circuits, "
                f"{self.conductor}{f' x{self.parallel_sets} per phase' if self.parallel_sets > 1 else ''}"
            ),
            rating=self.voltage_kv,
            rating_unit="kV",
            quantity=self.route_km,
            unit="km",
            system="grid",
            area=self.id,
            spec_path=("transmission", self.index),
            catalog_id=self.catalog_id,
            notes=(
                f"route-km: {self.length_km:g} km x {self.routes} route(s) of {cat.circuits_per_route()} circuits"
                + (f" x {self.parallel_sets} parallel cable sets" if self.sets_priced > 1 else "")
            ),
        )

    @property
    def sets_priced(self) -> int:
        """Parallel cable sets multiply the trench run; an overhead line carries them on its towers."""
        return self.parallel_sets if self.construction != "overhead" else 1

    @property
    def route_km(self) -> float:
        return round(self.length_km * self.routes * self.sets_priced, 3)


@attrs.frozen(kw_only=True)
class Interconnect:
    grid_code: str  # the grid profile the supply is designed to ([grid] code)
    frequency_hz: float
    contract_mw: float
    contract_mva: float
    band: str
    band_voltage_kv: float
    voltage_kv: float
    lines: tuple[Line, ...]

    @derived
    @property
    def total_cost_krw(self) -> int:
        """Estimated cost of every line."""
        return sum(ln.cost_krw for ln in self.lines)


def size_interconnect(
    spec: Spec,
    locate: Locate,
    grid_import_mw: list[float] | None = None,
    catalog: cat.EnergyCatalog | None = None,
    profile: GridProfile | None = None,
) -> tuple[Interconnect, list[Diagnostic]]:
    """`locate(*key_path)` gives the spec location of a key (for diagnostics). `catalog`: the
    energy catalog with the spec's user files merged (its `prices` price the lines); the
    shipped one if None. `profile`: the spec's grid profile (the shipped one of its code if None)."""
    catalog = catalog if catalog is not None else cat.shipped()
    if profile is None:
        from hubc.catalog import shipped_catalog
        from hubc.catalog.grids import DEFAULT_CODE

        grids = catalog.grids or shipped_catalog().grids
        profile = grids.get(spec.grid.code) or grids[DEFAULT_CODE]
    g = spec.grid
    diags: list[Diagnostic] = []
    band = profile.supply_band(g.contract_mw)
    v = g.interconnect_voltage_kv
    if band is not None and "supply-band" in profile.checks and not band.min_kv - 1e-6 <= v <= band.max_kv + 1e-6:
        diags.append(
            diag(
                "HUB415",
                f"a {g.contract_mw:g} MW contract is in the {profile.id} {band.name} band ({_band_kv(band)}), "
                f"but the interconnect is {v:g} kV",
                locate("grid", "interconnect_voltage_kv"),
                ("grid", "interconnect_voltage_kv"),
                help=f"{profile.name}: {band.low_mw:g}-{band.high_mw:g} MW at {_band_kv(band)} ({band.source})",
                related=((locate("grid", "contract_mw"), "contract"),),
            )
        )
    s_mva = g.contract_mw / spec.policy.power_factor
    lines = []
    for i, tl in enumerate(spec.transmission):
        line, line_diags = _size_line(i, tl, s_mva, spec.policy.power_factor, locate, grid_import_mw)
        entry = catalog.prices.entries.get(line.catalog_id)
        if entry is not None:
            line = attrs.evolve(line, cost_source=f"{entry.cost_source} ({entry.cost_date})", cost_tag=entry.cost_tag)
        line = attrs.evolve(line, capex_lines=(capex_line(line.equipment(), catalog.prices, spec.campus.krw_per_usd),))
        lines.append(line)
        diags.extend(line_diags)
    if not spec.transmission and g.circuits < 2:
        diags.append(
            diag(
                "HUB416",
                f"the utility supply has {g.circuits} circuit: losing it blacks out the campus",
                locate("grid", "circuits"),
                ("grid", "circuits"),
                help="two or more utility circuits give N-1 supply",
            )
        )
    return (
        Interconnect(
            contract_mw=g.contract_mw,
            contract_mva=s_mva,
            grid_code=profile.id,
            frequency_hz=profile.frequency_hz,
            band=band.name if band is not None else "",
            band_voltage_kv=band.voltage_kv if band is not None else v,
            voltage_kv=g.interconnect_voltage_kv,
            lines=tuple(lines),
        ),
        diags,
    )


def _band_kv(band) -> str:
    return f"{band.voltage_kv:g} kV" if band.min_kv == band.max_kv else f"{band.min_kv:g}-{band.max_kv:g} kV"


def _voltage_class(kv: float) -> tuple[float, bool]:
    """The conductor class whose insulation range (energy.toml [[voltage_class]], by the highest
    voltage for equipment) holds `kv`, and True; else the nearest class and False."""
    for row in cat.voltage_class_ranges():
        if row["low_kv"] < kv <= row["high_kv"] + 1e-9:
            return float(row["voltage_kv"]), True
    classes = cat.voltage_classes()
    return min(classes, key=lambda c: (abs(c - kv), c)), False


def _size_line(i, tl, s_mva, pf, locate, grid_import_mw) -> tuple[Line, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    path = ("transmission", i)
    vclass, in_range = _voltage_class(tl.voltage_kv)
    if not in_range:
        diags.append(
            diag(
                "HUB420",
                f'line "{tl.id}" at {tl.voltage_kv:g} kV: the catalog has no {tl.voltage_kv:g} kV class; using {vclass:g} kV data',
                locate(*path, "voltage_kv"),
                path + ("voltage_kv",),
                help="catalog classes: " + ", ".join(f"{c:g}" for c in cat.voltage_classes()) + " kV",
            )
        )
    n = tl.circuits
    n1_ok = n >= 2
    # Current per circuit at N-1 (n-1 circuits carry the contract); with one circuit, all of it.
    carrying = max(1, n - 1)
    i_n1 = s_mva * 1e6 / (carrying * math.sqrt(3) * tl.voltage_kv * 1e3)
    options = cat.conductors(vclass, tl.construction)
    # N-1 with n circuits: the contract over n-1 of them must fit the largest single conductor.
    i_total = s_mva * 1e6 / (math.sqrt(3) * tl.voltage_kv * 1e3)
    needed = 1 + max(1, math.ceil(i_total / options[-1].ampacity_a - 1e-9))
    choice = next((c for c in options if c.ampacity_a >= i_n1), None)
    sets = 1
    if choice is None:
        choice = options[-1]
        sets = math.ceil(i_n1 / choice.ampacity_a)
        diags.append(
            diag(
                "HUB417",
                f'line "{tl.id}": {i_n1:,.0f} A per circuit at N-1 exceeds the largest {vclass:g} kV '
                f"{tl.construction} option ({choice.name}, {choice.ampacity_a:,.0f} A); using {sets} parallel sets per phase",
                locate(*path, "circuits"),
                path + ("circuits",),
                help=f"raise the voltage, or use {needed} circuits for N-1 with single conductors",
            )
        )
    if not n1_ok:
        diags.append(
            diag(
                "HUB416",
                f'line "{tl.id}" has a single circuit: losing it blacks out the campus',
                locate(*path, "circuits"),
                path + ("circuits",),
                help="two or more circuits give N-1 supply",
            )
        )
    r_km = choice.r_ohm_per_km / sets
    r_circuit = r_km * tl.length_km

    def loss_mw(p_mw: float) -> float:
        # Normal operation shares the load over all n circuits: 3 I^2 R per circuit, n circuits.
        i_a = (p_mw / pf) * 1e6 / (n * math.sqrt(3) * tl.voltage_kv * 1e3)
        return n * 3 * i_a * i_a * r_circuit / 1e6

    at_contract = loss_mw(s_mva * pf)
    if grid_import_mw is not None:
        # Sum of I^2 over the hours: losses scale with the square of each hour's import.
        annual = sum(loss_mw(p) for p in grid_import_mw)
    else:
        annual = at_contract * 8760
    # One route carries `circuits_per_route` circuits (double-circuit towers, one trench or tunnel).
    routes = math.ceil(n / cat.circuits_per_route())
    line = Line(
        id=tl.id,
        index=i,
        voltage_kv=tl.voltage_kv,
        voltage_class_kv=vclass,
        length_km=tl.length_km,
        construction=tl.construction,
        circuits=n,
        n1_ok=n1_ok,
        circuits_needed_n1=needed,
        circuit_current_n1_a=i_n1,
        conductor=choice.name,
        conductor_ampacity_a=choice.ampacity_a,
        parallel_sets=sets,
        r_ohm_per_km=r_km,
        loss_at_contract_mw=at_contract,
        annual_loss_mwh=annual,
        routes=routes,
        catalog_id=cat.line_entry_id(vclass, tl.construction),
        cost_source="",
        cost_tag="",
    )
    return line, diags
