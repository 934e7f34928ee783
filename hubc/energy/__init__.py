"""The energy stage: an hourly year of campus load, renewables, BESS and grid.

In: a checked `Spec` (full build-out: every hall copy of every phase; IT load from
`hubc.core.loads`), the folder profile CSVs are relative to, and optionally the spec's
`SourceFile` for diagnostic locations. Out: an `EnergyResult` with the hourly series, the BESS
and renewable sizes from the LP (`lp.py`), the solver-free replay that proves them
(`simulate.py`), the interconnect and lines (`hubc.energy.interconnect`), the year's figures
(`derived` properties, which design.json writes; the hourly arrays go to energy.csv only) and
`equipment()` for procurement. A user-caused failure (bad CSV, unreachable
target, contract too small, replay disagreeing with the LP) raises `HubcError`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from hubc.catalog import rules
from hubc.catalog.pricing import CapexLine, capex_line, price_item
from hubc.codes import diag
from hubc.core.derived import NOT_IN_JSON, derived
from hubc.core.equipment import Equipment
from hubc.diagnostics import Diagnostic, HubcError, Location, has_errors

if TYPE_CHECKING:
    import numpy as np

    from hubc.catalog.energy import BessContainer, EnergyCatalog
    from hubc.energy.cost import EnergyCost
    from hubc.energy.interconnect import Interconnect
    from hubc.spec.model import Spec
    from hubc.spec.source import SourceFile

BASIS = "full build-out: every hall copy of every phase energized for the whole year"


@attrs.frozen(kw_only=True, eq=False)
class PlantYear:
    id: str
    kind: str
    capacity_mw: float
    sized: bool  # chosen by the LP
    capacity_factor: float  # of the profile used
    profile: str  # "synthetic ..." or the CSV name
    output_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)  # hourly: energy.csv
    spec_index: int
    catalog_id: str = ""  # the entry that prices the plant ("" for a PPA)
    turbine_mw: float | None = None  # wind: the turbine class bought
    capex_lines: tuple[CapexLine, ...] = ()  # priced as its BOM line (none for a PPA)
    delivery: str = "behind-the-meter"  # "grid": delivered over the utility grid (a PPA: energy, no equipment)

    @derived
    @property
    def annual_mwh(self) -> float:
        return float(self.output_mw.sum())

    @derived
    @property
    def capex_krw(self) -> int:
        """What the plant costs: its capex lines, each priced as its BOM line (an estimate)."""
        return sum(c.cost_krw for c in self.capex_lines)


@attrs.frozen(kw_only=True, eq=False)
class BessSizing:
    id: str
    container: str
    container_name: str
    container_mwh: float
    c_rate: float
    containers: int
    count_set_by: str  # "energy" or "power": which of the two set the container count
    lp_energy_mwh: float  # nameplate the LP chose (or the spec gave)
    lp_power_mw: float
    installed_energy_mwh: float
    installed_power_mw: float
    pcs_units: int
    pcs_unit_mw: float
    usable_fraction: float
    round_trip_efficiency: float
    depth_of_discharge: float
    eol_state_of_health: float
    reserve_mwh: float
    energy_sized: bool
    power_sized: bool
    roles: tuple[str, ...]
    pcs_catalog_id: str = ""  # "" when the container has its inverter built in
    capex_lines: tuple[CapexLine, ...] = ()  # containers and PCS, each priced as its BOM line

    @derived
    @property
    def capex_krw(self) -> int:
        """What the BESS costs: its capex lines, each priced as its BOM line (an estimate)."""
        return sum(c.cost_krw for c in self.capex_lines)

    @derived
    @property
    def container_power_cap_mw(self) -> float:
        """The most the containers can deliver at their C-rate."""
        return self.containers * self.container_mwh * self.c_rate

    @derived
    @property
    def usable_mwh_end_of_life(self) -> float:
        return self.installed_energy_mwh * self.usable_fraction


@attrs.frozen(kw_only=True)
class HourlyRange:
    """Minimum, mean and maximum of an hourly series."""

    min: float
    mean: float
    max: float

    @classmethod
    def of(cls, series: np.ndarray | None) -> HourlyRange | None:
        if series is None:
            return None
        return cls(min=float(series.min()), mean=float(series.mean()), max=float(series.max()))


@attrs.frozen(kw_only=True, eq=False)
class EnergyResult:
    it_kw: float
    pue: float
    utilisation: str
    # The hourly series (MW each hour, MWh for the state of charge) go to energy.csv.
    load_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    plants: tuple[PlantYear, ...]
    bess: BessSizing | None
    direct_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    charge_re_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    charge_grid_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    discharge_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    soc_mwh: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    grid_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    curtail_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    cfe_mw: np.ndarray = attrs.field(metadata=NOT_IN_JSON)
    cfe_score: float  # hourly carbon-free energy score of the replayed year
    cfe_target: float
    lp_cfe_score: float
    lp_objective_mkrw: float
    lp_grid_peak_mw: float
    balance_error_mwh: float
    losses_mwh: float
    contract_mw: float
    carbon_intensity_tco2_per_mwh: float  # of grid electricity
    interconnect: Interconnect
    diagnostics: tuple[Diagnostic, ...] = attrs.field(metadata=NOT_IN_JSON)  # in the build's list
    lp_method: str = "HiGHS via OR-Tools linear solver (1 thread)"
    catalog_version: str = ""
    pue_model: str = "constant"
    # dry-bulb model only, hourly (design.json: their `HourlyRange`)
    pue_hourly: np.ndarray | None = attrs.field(default=None, eq=False, metadata=NOT_IN_JSON)
    dry_bulb_c: np.ndarray | None = attrs.field(default=None, eq=False, metadata=NOT_IN_JSON)
    # the year's running cost at the replayed dispatch (hubc.energy.cost; None when not priced)
    cost: EnergyCost | None = None
    # peak import through the campus's own grid connection: the grid energy plus the renewable
    # energy delivered over the grid (PPAs are a financial attribution of part of the import, not
    # on-site supply); the LP holds it within the contract and the interconnect is sized on it
    connection_peak_mw: float = 0.0

    # ---------------------------------------------------------------- figures

    @property
    def renewable_mw(self) -> np.ndarray:
        import numpy as np

        total = np.zeros_like(self.load_mw)
        for p in self.plants:
            total = total + p.output_mw
        return total

    # ---------------------------------------------------------------- the year's figures

    @derived
    @property
    def basis(self) -> str:
        """What the year simulates."""
        return BASIS

    @derived
    @property
    def hours(self) -> int:
        return len(self.load_mw)

    @derived
    @property
    def load_annual_mwh(self) -> float:
        return float(self.load_mw.sum())

    @derived
    @property
    def load_peak_mw(self) -> float:
        return float(self.load_mw.max())

    @derived
    @property
    def load_mean_mw(self) -> float:
        return float(self.load_mw.sum()) / len(self.load_mw)

    @derived
    @property
    def renewable_direct_mwh(self) -> float:
        """Renewable energy that served the load in the hour it was generated."""
        return float(self.direct_mw.sum())

    @derived
    @property
    def bess_discharge_mwh(self) -> float:
        return float(self.discharge_mw.sum())

    @derived
    @property
    def grid_import_mwh(self) -> float:
        return float(self.grid_mw.sum())

    @derived
    @property
    def renewable_mwh(self) -> float:
        """Renewable generation over the year, curtailed energy included."""
        return float(self.renewable_mw.sum())

    @derived
    @property
    def re_share(self) -> float:
        """Renewable generation / load over the year (annual matching)."""
        load = self.load_annual_mwh
        return self.renewable_mwh / load if load else 0.0

    @derived
    @property
    def curtailment_mwh(self) -> float:
        return float(self.curtail_mw.sum())

    @derived
    @property
    def curtailment_share(self) -> float:
        """Curtailed / generated renewable energy."""
        re_mwh = self.renewable_mwh
        return self.curtailment_mwh / re_mwh if re_mwh else 0.0

    @derived
    @property
    def grid_import_peak_mw(self) -> float:
        return float(self.grid_mw.max())

    @derived
    @property
    def scope2_location_tco2(self) -> float:
        """Location-based scope 2 emissions of the grid import."""
        return self.grid_import_mwh * self.carbon_intensity_tco2_per_mwh

    @derived
    @property
    def bess_equivalent_full_cycles(self) -> float | None:
        """BESS discharge / usable energy at the LP's size, over the year (None without a BESS)."""
        if self.bess is None:
            return None
        usable = self.bess.lp_energy_mwh * self.bess.usable_fraction
        return self.bess_discharge_mwh / usable if usable > 0 else 0.0

    @derived
    @property
    def pue_hourly_range(self) -> HourlyRange | None:
        """The hourly PUE of the dry-bulb model (None for a constant PUE)."""
        return HourlyRange.of(self.pue_hourly)

    @derived
    @property
    def dry_bulb_c_range(self) -> HourlyRange | None:
        return HourlyRange.of(self.dry_bulb_c)

    @derived
    @property
    def replay_agrees_with_lp(self) -> bool:
        """The solver-free replay reproduced the LP's schedule (a result exists only if it did)."""
        return True

    @derived
    @property
    def replay_violations(self) -> int:
        return 0

    @derived
    @property
    def cfe_score_lp_minus_replay(self) -> float:
        return self.lp_cfe_score - self.cfe_score

    @derived
    @property
    def grid_peak_lp_minus_replay_mw(self) -> float:
        return self.lp_grid_peak_mw - self.grid_import_peak_mw

    @derived
    @property
    def replay_tolerance(self) -> float:
        """Relative tolerance between the LP's figures and the replay's."""
        return REPLAY_TOLERANCE

    def solver_settings(self) -> dict:
        """For hubc.lock: what decides the LP's answer besides the spec."""
        from importlib.metadata import version

        from ortools import __version__ as ortools_version

        from hubc import climate
        from hubc.catalog import energy as cat

        return {
            "lp": "HiGHS, or GLOP for the plant-size search, via ortools.linear_solver.pywraplp",
            "ortools": ortools_version,
            "threads": 1,
            "energy_catalog": self.catalog_version or cat.data()["version"],
            # The synthetic weather year: solar by pvlib, wind curves from windpowerlib's library.
            "climate_catalog": climate.data()["version"],
            "pvlib": version("pvlib"),
            "windpowerlib": version("windpowerlib"),
        }

    def equipment(self) -> tuple[Equipment, ...]:
        items: list[Equipment] = list(bess_equipment(self.bess)) if self.bess is not None else []
        items += [item for p in self.plants if (item := plant_equipment(p)) is not None]
        items.extend(ln.equipment() for ln in self.interconnect.lines)
        return tuple(items)


def bess_equipment(b: BessSizing) -> tuple[Equipment, ...]:
    """The BESS as BOM items: its containers (entry: the container's id) and PCS skids."""
    if b.containers <= 0:
        return ()
    items = [
        Equipment(
            id=f"{b.id}/container",
            family="bess-container",
            description=f"{b.container_name}, {b.container_mwh:g} MWh",
            rating=b.container_mwh,
            rating_unit="MWh",
            quantity=b.containers,
            system="energy",
            area=b.id,
            spec_path=("bess", "container"),
            catalog_id=b.container,
            notes=f"count set by {b.count_set_by}; LP {b.lp_energy_mwh:.1f} MWh / {b.lp_power_mw:.1f} MW",
        )
    ]
    if b.pcs_catalog_id and b.pcs_units > 0:
        items.append(
            Equipment(
                id=f"{b.id}/pcs",
                family="bess-pcs",
                description=f"BESS power conversion skid, {b.pcs_unit_mw:g} MW ({b.installed_power_mw:g} MW total)",
                rating=b.pcs_unit_mw,
                rating_unit="MW",
                quantity=b.pcs_units,
                system="energy",
                area=b.id,
                spec_path=("bess", "power_mw"),
                catalog_id=b.pcs_catalog_id,
            )
        )
    return tuple(items)


def plant_equipment(p: PlantYear) -> Equipment | None:
    """A renewable plant as a BOM item (None for a PPA, which buys energy, not equipment)."""
    if not p.catalog_id or p.capacity_mw <= 0:
        return None
    path = ("renewable", p.spec_index, "capacity_mw")
    if p.kind == "solar":
        # Priced per MWp of modules, inverters and balance of plant.
        return Equipment(
            id=f"{p.id}/plant",
            family="solar-pv",
            description=f"solar PV plant, {p.capacity_mw:.1f} MWp at {p.capacity_factor:.1%} CF",
            rating=r(p.capacity_mw, 3),
            rating_unit="MWp",
            quantity=r(p.capacity_mw, 3),
            unit="MWp",
            system="energy",
            area=p.id,
            spec_path=path,
            catalog_id=p.catalog_id,
            notes="sized by the energy LP" if p.sized else "",
        )
    turbine = p.turbine_mw or 0.0
    count = math.ceil(p.capacity_mw / turbine - 1e-6)
    return Equipment(
        id=f"{p.id}/turbines",
        family="wind-turbine",
        description=f"{p.kind} turbines, {turbine:g} MW class, for {p.capacity_mw:.1f} MW at {p.capacity_factor:.1%} CF",
        rating=turbine,
        rating_unit="MW",
        quantity=count,
        system="energy",
        area=p.id,
        spec_path=path,
        catalog_id=p.catalog_id,
        notes=("sized by the energy LP; " if p.sized else "") + f"{count * turbine:g} MW installed",
    )


def plant_capex_per_mw(ecat: EnergyCatalog, kind: str, krw_per_usd: float) -> float:
    """KRW per MW of a renewable kind: one unit of the item the stage buys, priced as in the BOM."""
    cost = ecat.renewable_cost(kind)
    if not cost.catalog_id:
        return 0.0
    mw = ecat.turbine_mw(kind) if kind.endswith("wind") else 1.0
    unit = Equipment(
        id=kind,
        family=ecat.prices.entries[cost.catalog_id].family,
        description="",
        rating=mw,
        rating_unit="MW" if kind.endswith("wind") else "MWp",
        quantity=1 if kind.endswith("wind") else mw,
        unit="ea" if kind.endswith("wind") else "MWp",
        system="energy",
        area="",
        catalog_id=cost.catalog_id,
    )
    price, _ = price_item(unit, ecat.prices, krw_per_usd)
    return price.extended_cost_krw / mw if price else 0.0


def bess_capex_rates(ecat: EnergyCatalog, container: BessContainer, krw_per_usd: float) -> tuple[float, float]:
    """KRW per MWh of containers and per MW of PCS, from the entries that price their BOM lines."""
    unit = Equipment(
        id=container.id,
        family="bess-container",
        description="",
        rating=container.energy_mwh,
        rating_unit="MWh",
        quantity=1,
        system="energy",
        area="",
        catalog_id=container.id,
    )
    price, _ = price_item(unit, ecat.prices, krw_per_usd)
    per_mwh = price.unit_cost_krw / container.energy_mwh if price else 0.0
    pcs_mw = ecat.pcs_unit_mw(container)
    if pcs_mw <= 0:
        return per_mwh, 0.0
    pcs = attrs.evolve(unit, family="bess-pcs", rating=pcs_mw, rating_unit="MW", catalog_id=container.pcs)
    price, _ = price_item(pcs, ecat.prices, krw_per_usd)
    return per_mwh, (price.unit_cost_krw / pcs_mw if price else 0.0)




def r(x: float, nd: int) -> float:
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


# ------------------------------------------------------------------------------------ run


def run_energy(
    spec: Spec,
    base_dir: Path | str = ".",
    source: SourceFile | None = None,
    catalog: EnergyCatalog | None = None,
    allowed_roots: tuple[Path, ...] = (),
    losses=None,
) -> EnergyResult:
    """The stage's passes in order: load year -> renewable profiles -> the LP's plants and
    BESS -> solve -> sizes -> solver-free replay -> interconnect."""
    from hubc.catalog import energy as cat
    from hubc.core.loads import campus_heat
    from hubc.energy import lp
    from hubc.energy import tariff as tariff_data
    from hubc.energy.cost import energy_cost
    from hubc.energy.interconnect import size_interconnect
    from hubc.energy.tariff import kepco_tariff

    base_dir = Path(base_dir)
    name = source.name if source is not None else f"{spec.campus.id}.toml"

    def at(*path) -> Location:
        return source.at_value(tuple(path)) if source is not None else Location(file=name)

    # The spec's [catalog] files may add or override containers and costs; their problems are
    # `hubc check` findings, so a build never gets here with one (a direct call still stops).
    if catalog is None:
        catalog = _load_catalog(spec, base_dir, source, allowed_roots)
    ecat = catalog
    # Profile CSVs are read only inside the spec's folder tree and --allow-read folders.
    roots = (base_dir, *allowed_roots)
    diags: list[Diagnostic] = []
    it_kw = campus_heat(spec).it_kw
    pue = spec.policy.annual_pue if spec.policy.annual_pue is not None else spec.policy.design_pue
    year = _load_year(spec, roots, at, it_kw, pue, diags)
    if losses is not None:  # the electrical stage's load-flow losses (hubc.electrical.losses.LossModel)
        year = _with_network_losses(year, losses)
    rates = cat.annualisation()
    pus = _renewable_profiles(spec, roots, at, diags)
    fixed_re, auto_plants = _plants_for_lp(pus, ecat, rates, spec.campus.krw_per_usd)
    fixed_grid_re = _fixed_grid_delivered(pus)
    container, bess_params = _bess_for_lp(spec, ecat, rates, it_kw, at)
    tariff = kepco_tariff(spec.grid.interconnect_voltage_kv, spec.grid.contract_mw, len(year.load_mw))
    if bess_params is not None:
        bess_params = attrs.evolve(bess_params, wear_cost_per_mwh=tariff_data.bess_wear_krw_per_mwh() / 1e6)

    problem = lp.EnergyProblem(
        load_mw=year.load_mw,
        fixed_re_mw=fixed_re,
        grid_re_mw=fixed_grid_re,
        auto_plants=tuple(auto_plants),
        bess=bess_params,
        contract_mw=spec.grid.contract_mw,
        cfe_target=spec.energy.cfe_target,
        price_per_mwh=tariff.price_krw_per_mwh / 1e6,
        demand_cost_per_mw_year=tariff.demand_krw_per_mw_year / 1e6,
        demand_floor_mw=tariff.demand_floor_mw,
    )
    sol = lp.solve(problem)
    if sol.status != "optimal":
        raise HubcError(_why_infeasible(spec, problem, sol, at, lp, year.load_mw, fixed_re), 3)

    plants, re_total = _plant_years(pus, sol, ecat, spec.campus.krw_per_usd)
    sizing = None
    if spec.bess is not None and bess_params is not None:
        sizing = _bess_sizing(spec, ecat, container, bess_params, sol)
    rep = _replay(spec, year.load_mw, re_total, bess_params, sol, plants)
    check_replay(rep, sol, at)

    connection = rep.connection_mw
    inter, inter_diags = size_interconnect(spec, at, connection.tolist(), catalog=ecat)
    diags.extend(inter_diags)
    diags += _tariff_proxy(spec, at)
    diags.append(_basis_note(spec, it_kw, year, at("energy") if source is not None and spec.energy else Location(file=name)))
    return EnergyResult(
        it_kw=it_kw,
        pue=year.pue,
        pue_model=spec.energy.pue_model,
        pue_hourly=year.pue_hourly,
        dry_bulb_c=year.dry_bulb_c,
        utilisation=year.util_label,
        load_mw=year.load_mw,
        plants=tuple(plants),
        bess=sizing,
        direct_mw=rep.direct_mw,
        charge_re_mw=sol.charge_re_mw,
        charge_grid_mw=sol.charge_grid_mw,
        discharge_mw=sol.discharge_mw,
        soc_mwh=rep.soc_mwh,
        grid_mw=rep.grid_mw,
        curtail_mw=rep.curtail_mw,
        cfe_mw=rep.cfe_mw,
        cfe_score=rep.cfe_score,
        cfe_target=spec.energy.cfe_target,
        lp_cfe_score=sol.cfe_score,
        lp_objective_mkrw=sol.objective,
        lp_grid_peak_mw=sol.grid_peak_mw,
        lp_method=sol.method,
        catalog_version=ecat.version,
        balance_error_mwh=rep.balance_error_mwh,
        losses_mwh=rep.losses_mwh,
        contract_mw=spec.grid.contract_mw,
        carbon_intensity_tco2_per_mwh=spec.grid.carbon_intensity_tco2_per_mwh,
        interconnect=inter,
        diagnostics=tuple(diags),
        cost=energy_cost(
            tariff,
            rep.grid_mw,
            sol.discharge_mw,
            plants,
            ecat,
            tariff_data.bess_wear_krw_per_mwh() if sizing is not None else 0.0,
            tariff_data.data()["rec"]["price_krw_per_mwh"],
        ),
        connection_peak_mw=float(connection.max()),
    )


def _load_catalog(
    spec: Spec, base_dir: Path, source: SourceFile | None, allowed_roots: tuple[Path, ...] = ()
) -> EnergyCatalog:
    from hubc.catalog import energy as cat

    catalog, cat_diags = cat.load_energy_catalog(spec, base_dir, source, allowed_roots)
    if has_errors(cat_diags):
        raise HubcError(cat_diags, 1)
    return catalog


# ---------------------------------------------------------------- load year


@attrs.frozen(kw_only=True, eq=False)
class _LoadYear:
    pue: float  # annual: the spec's, or the climate model's mean
    load_mw: np.ndarray
    util_label: str
    pue_label: str
    pue_hourly: np.ndarray | None  # dry-bulb model only
    dry_bulb_c: np.ndarray | None


def _with_network_losses(year: _LoadYear, losses) -> _LoadYear:
    from hubc.energy.network_losses import with_network_losses

    it_mw = year.load_mw / (year.pue_hourly if year.pue_hourly is not None else year.pue)
    load, label = with_network_losses(year.load_mw, it_mw, losses)
    return attrs.evolve(year, load_mw=load, pue_label=f"{year.pue_label}; {label}")


def _load_year(spec: Spec, roots: tuple[Path, ...], at, it_kw: float, pue: float, diags: list[Diagnostic]) -> _LoadYear:
    """Hourly campus load: IT x utilisation (flat or a profile CSV) x PUE (constant, by dry bulb or
    by the cooling plant's climate year). Profile CSVs are read only inside `roots` (the spec's
    folder first, then --allow-read folders)."""
    import numpy as np

    base_dir = roots[0]

    from hubc.energy import profiles

    en = spec.energy
    if en.profile_csv is not None:
        util = profiles.read_profile_csv(
            base_dir / en.profile_csv, en.profile_csv, origin=at("energy", "profile_csv"), roots=roots
        )
        util_label = f"profile {en.profile_csv} (mean {util.mean():.3f})"
    else:
        util = np.full(profiles.HOURS, en.utilisation)
        util_label = f"flat {en.utilisation:g}"
    pue_label = f"PUE {pue:g}"
    pue_h = temp_c = None
    if en.pue_model == "climate":
        # The cooling plant's own hourly power in the site's climate year (hubc.cooling.annual).
        pue_h, temp_c, pue_label = profiles.climate_pue(spec)
        pue = float(pue_h.mean())
    elif en.pue_model == "dry-bulb":
        pue_h, temp_c, pue_label = _dry_bulb_pue(spec, at, pue, diags)
    return _LoadYear(
        pue=pue,
        load_mw=profiles.load_mw(it_kw, pue_h if pue_h is not None else pue, util),
        util_label=util_label,
        pue_label=pue_label,
        pue_hourly=pue_h,
        dry_bulb_c=temp_c,
    )


def _dry_bulb_pue(spec: Spec, at, pue: float, diags: list[Diagnostic]):
    """Hourly PUE from a synthetic dry-bulb year, capped at the design-day PUE (HUB424)."""
    from hubc.energy import profiles

    # Its own random stream: the temperature year does not shift the renewables' weather.
    # The site's climate year, on its own random stream (hubc.climate.CLIMATE_STREAM), so the
    # temperature year does not shift the renewables' weather.
    temp_c = profiles.site_dry_bulb_c(spec)
    pue_h, capped = profiles.pue_from_dry_bulb(temp_c, pue, spec.policy.design_pue)
    pue_label = f"PUE {float(pue_h.min()):.3f}-{float(pue_h.max()):.3f} by dry-bulb (mean {float(pue_h.mean()):.3f})"
    if capped:
        diags.append(
            diag(
                "HUB424",
                f"the dry-bulb PUE model exceeds the design-day PUE {spec.policy.design_pue:g} in {capped} hours "
                f"of the synthetic year; those hours are capped at it",
                at("energy", "pue_model"),
                ("energy", "pue_model"),
                related=((at("policy", "design_pue"), "design-day PUE"),),
                help="raise design_pue to the hottest hour's PUE, lower annual_pue, or re-fit the catalog's pue_dry_bulb slope",
            )
        )
    return pue_h, temp_c, pue_label


# ---------------------------------------------------------------- renewables


def _renewable_profiles(spec: Spec, roots: tuple[Path, ...], at, diags: list[Diagnostic]) -> list[tuple]:
    """Per-unit hourly output of every renewable, with its label: (plant, pu, label)."""
    import numpy as np

    synthetic_tolerance = rules.capacity_factor_tolerance()[1]  # HUB421
    pus = []
    for i, pl in enumerate(spec.renewable):
        rng = np.random.default_rng([spec.energy.seed, pl.seed, i])
        pu, label = _renewable_pu(spec, roots, at, diags, i, pl, rng)
        pu[pu < 1e-9] = 0.0
        if pl.profile_csv is None and abs(float(pu.mean()) - pl.capacity_factor) > synthetic_tolerance:
            # The synthetic shape saturates (solar: never above clear sky; wind: cut-out).
            diags.append(
                diag(
                    "HUB421",
                    f'the synthetic {pl.kind} year of "{pl.id}" reaches {float(pu.mean()):.1%}, not the stated '
                    f"{pl.capacity_factor:.1%} capacity factor; the synthetic year is used",
                    at("renewable", i, "capacity_factor"),
                    ("renewable", i, "capacity_factor"),
                    help="give an hourly profile_csv for this plant, or a capacity factor the technology reaches",
                )
            )
        pus.append((pl, pu, label))
    return pus


def _renewable_pu(spec: Spec, roots: tuple[Path, ...], at, diags: list[Diagnostic], i: int, pl, rng):
    """One plant's per-unit year: its CSV (HUB421 if it disagrees with the capacity factor),
    or a synthetic year by kind."""
    from hubc.energy import profiles

    if pl.profile_csv is not None:
        pu = profiles.read_profile_csv(
            roots[0] / pl.profile_csv, pl.profile_csv, origin=at("renewable", i, "profile_csv"), roots=roots
        )
        mean = float(pu.mean())
        if abs(mean - pl.capacity_factor) > rules.capacity_factor_tolerance()[0] * pl.capacity_factor:
            diags.append(
                diag(
                    "HUB421",
                    f'profile of "{pl.id}" averages {mean:.1%}, but capacity_factor is {pl.capacity_factor:.1%}; the profile is used',
                    at("renewable", i, "capacity_factor"),
                    ("renewable", i, "capacity_factor"),
                    help=f"set capacity_factor = {mean:.3f}",
                )
            )
        return pu, f"csv {pl.profile_csv}"
    if pl.kind == "solar":
        return profiles.synthetic_solar(spec, pl, rng)
    if pl.kind in ("onshore-wind", "offshore-wind"):
        label = f"synthetic: Weibull speeds, seasonal and diurnal shape, {profiles.turbine_type(pl.kind)} power curve (windpowerlib)"
        return profiles.wind_pu(pl.kind, pl.capacity_factor, rng), label
    return profiles.ppa_pu(pl.capacity_factor), "flat PPA block"


def _plants_for_lp(pus: list[tuple], ecat, rates: dict, krw_per_usd: float):
    """Fixed plants add to the fixed output; plants to size become LP columns at their
    annualised cost per MW (capex x (CRF + O&M share), plus a PPA's energy price)."""
    import numpy as np

    from hubc.catalog import energy as cat
    from hubc.energy import lp, profiles

    fixed_re = np.zeros(profiles.HOURS)
    auto_plants = []
    for pl, pu, _label in pus:
        if pl.capacity_mw == "auto" and grid_delivered(pl):
            # paid per MWh under its PPA at its kind's price: no equipment is bought
            per_mw = ecat.renewable_cost(pl.kind).price_krw_per_mwh * float(pu.sum())
            auto_plants.append(lp.AutoPlant(id=pl.id, pu=pu, cost_per_mw_year=per_mw / 1e6, grid_delivered=True))
        elif pl.capacity_mw == "auto":
            cost = ecat.renewable_cost(pl.kind)
            crf = cat.crf(rates["discount_rate"], cost.lifetime_years)
            per_mw = plant_capex_per_mw(ecat, pl.kind, krw_per_usd) * (crf + cost.om_share_per_year)
            auto_plants.append(lp.AutoPlant(id=pl.id, pu=pu, cost_per_mw_year=per_mw / 1e6))
        else:
            fixed_re = fixed_re + pl.capacity_mw * pu
    return fixed_re, auto_plants


def _basis_note(spec: Spec, it_kw: float, year, where: Location) -> Diagnostic:
    """HUB418 (a note): what the energy year is built from."""
    return diag("HUB418", f"energy year: {BASIS}; {it_kw / 1000:.1f} MW IT x utilisation {year.util_label} x {year.pue_label}", where, ("energy",))


def _tariff_proxy(spec: Spec, at) -> list[Diagnostic]:
    """HUB426 (a note): the catalog's only tariff is KEPCO's, so a campus on another grid code
    gets its energy cost, opex and LCOE at KEPCO's rates, said where the grid code is written."""
    from hubc.energy.tariff import data

    if spec.grid.code in data()["tariff"]["grid_codes"]:
        return []
    return [
        diag(
            "HUB426",
            f"energy cost, opex and LCOE are priced at KEPCO's industrial tariff as a proxy: the catalog has no "
            f"tariff for grid code {spec.grid.code!r}",
            at("grid", "code"),
            ("grid", "code"),
            help="read the energy cost as indicative only; the local utility's tariff is not in the catalog",
        )
    ]


def grid_delivered(pl) -> bool:
    """A plant whose energy reaches the campus over the utility grid under a PPA (kind `ppa`, or
    `delivery = "grid"`): energy bought per MWh, no equipment, no on-site supply."""
    return pl.kind == "ppa" or pl.delivery == "grid"


def _fixed_grid_delivered(pus: list[tuple]) -> np.ndarray:
    """The hourly output of the fixed plants delivered over the grid (part of the LP's fixed output)."""
    import numpy as np

    from hubc.energy import profiles

    out = np.zeros(profiles.HOURS)
    for pl, pu, _label in pus:
        if pl.capacity_mw != "auto" and grid_delivered(pl):
            out = out + pl.capacity_mw * pu
    return out


def _plant_years(pus: list[tuple], sol, ecat, krw_per_usd: float) -> tuple[list[PlantYear], np.ndarray]:
    """Each plant's year at its capacity (the LP's where it sized it), and their sum."""
    import numpy as np

    from hubc.energy import profiles

    plants = []
    re_total = np.zeros(profiles.HOURS)
    for i, (pl, pu, label) in enumerate(pus):
        cap = sol.plant_mw[pl.id] if pl.capacity_mw == "auto" else float(pl.capacity_mw)
        out = cap * pu
        re_total = re_total + out
        plants.append(
            PlantYear(
                id=pl.id,
                kind=pl.kind,
                capacity_mw=cap,
                sized=pl.capacity_mw == "auto",
                capacity_factor=float(pu.mean()),
                profile=label,
                output_mw=out,
                spec_index=i,
                catalog_id=ecat.renewable_cost(pl.kind).catalog_id if pl.delivery == "behind-the-meter" else "",
                turbine_mw=ecat.turbine_mw(pl.kind) if pl.kind.endswith("wind") else None,
                delivery="grid" if pl.kind == "ppa" else pl.delivery,
            )
        )
        plants[-1] = attrs.evolve(plants[-1], capex_lines=_plant_capex(plants[-1], ecat, krw_per_usd))
    return plants, re_total


# ---------------------------------------------------------------- BESS


def _bess_for_lp(spec: Spec, ecat, rates: dict, it_kw: float, at):
    """The catalog container (HUB414 if unknown) and the LP's BESS parameters: efficiencies,
    usable share, annualised costs, fixed or free sizes, the ride-through reserve and PCS floor."""
    from hubc.catalog import energy as cat
    from hubc.energy import lp

    b = spec.bess
    if b is None:
        return None, None
    containers = ecat.bess_containers()
    container = containers.get(b.container)
    if container is None:
        raise HubcError(
            [
                diag(
                    "HUB414",
                    f'BESS container "{b.container}" is not in the energy catalog',
                    at("bess", "container"),
                    ("bess", "container"),
                    help="catalog containers: " + ", ".join(sorted(containers)),
                )
            ],
            1,
        )
    krw_per_usd = spec.campus.krw_per_usd
    rte = b.round_trip_efficiency or container.round_trip_efficiency
    dod = b.depth_of_discharge or container.depth_of_discharge
    soh = b.eol_state_of_health or container.eol_state_of_health
    eta = math.sqrt(rte)
    crf_b = cat.crf(rates["discount_rate"], container.lifetime_years)
    critical_mw = it_kw / 1000.0
    ride = "ride-through" in b.roles
    reserve = critical_mw * b.ride_through_min / 60.0 / eta if ride else 0.0
    per_mwh, per_mw = bess_capex_rates(ecat, container, krw_per_usd)
    return container, lp.BessParams(
        eta_charge=eta,
        eta_discharge=eta,
        usable_fraction=dod * soh,
        energy_cost_per_mwh_year=per_mwh * crf_b / 1e6,
        power_cost_per_mw_year=per_mw * crf_b / 1e6,
        energy_mwh=None if b.energy_mwh == "auto" else float(b.energy_mwh),
        power_mw=None if b.power_mw == "auto" else float(b.power_mw),
        reserve_mwh=reserve,
        min_power_mw=critical_mw if ride else 0.0,
        grid_charging="peak-shaving" in b.roles,
    )


def _bess_sizing(spec: Spec, ecat, container, bess_params, sol) -> BessSizing:
    """Whole containers for the LP's energy and power, PCS skids for its power, and capex
    (each line priced as its BOM line)."""
    from hubc.energy import lp

    b = spec.bess
    e_lp, p_lp = sol.energy_mwh, sol.power_mw
    n, limit = lp.containers_needed(e_lp, p_lp, container.energy_mwh, container.c_rate)
    e_inst = n * container.energy_mwh  # whole containers, also when the spec gave the MWh
    # PCS skids (the PCS entry's rating) for the power the LP chose (or the spec gave); the
    # containers' C-rate caps the deliverable power and is already in the container count.
    # A container with its inverter built in has no PCS line.
    pcs_unit = ecat.pcs_unit_mw(container)
    p_need = p_lp if bess_params.power_mw is None else bess_params.power_mw
    pcs_units = math.ceil(p_need / pcs_unit - 1e-6) if n > 0 and pcs_unit > 0 else 0
    p_inst = pcs_units * pcs_unit if bess_params.power_mw is None and pcs_unit > 0 else p_need
    sizing = BessSizing(
        id=b.id,
        container=container.id,
        container_name=container.name,
        container_mwh=container.energy_mwh,
        c_rate=container.c_rate,
        containers=n,
        count_set_by=limit,
        lp_energy_mwh=e_lp,
        lp_power_mw=p_lp,
        installed_energy_mwh=e_inst,
        installed_power_mw=p_inst,
        pcs_units=pcs_units,
        pcs_unit_mw=pcs_unit,
        usable_fraction=bess_params.usable_fraction,
        round_trip_efficiency=bess_params.eta_charge * bess_params.eta_discharge,
        depth_of_discharge=b.depth_of_discharge or container.depth_of_discharge,
        eol_state_of_health=b.eol_state_of_health or container.eol_state_of_health,
        reserve_mwh=bess_params.reserve_mwh,
        energy_sized=bess_params.energy_mwh is None,
        power_sized=bess_params.power_mw is None,
        roles=tuple(b.roles),
        pcs_catalog_id=container.pcs,
    )
    krw_per_usd = spec.campus.krw_per_usd
    return attrs.evolve(
        sizing, capex_lines=tuple(capex_line(i, ecat.prices, krw_per_usd) for i in bess_equipment(sizing))
    )


# ---------------------------------------------------------------- proof


def _replay(spec: Spec, load, re_total, bess_params, sol, plants):
    """Replay the schedule at the LP's sizes, without the solver; the grid-delivered plants'
    output passes the connection."""
    import numpy as np

    from hubc.energy import simulate

    limits = simulate.Limits(
        energy_mwh=sol.energy_mwh,
        power_mw=sol.power_mw,
        usable_fraction=bess_params.usable_fraction if bess_params else 1.0,
        reserve_mwh=bess_params.reserve_mwh if bess_params else 0.0,
        eta_charge=bess_params.eta_charge if bess_params else 1.0,
        eta_discharge=bess_params.eta_discharge if bess_params else 1.0,
        contract_mw=spec.grid.contract_mw,
        cfe_target=spec.energy.cfe_target,
    )
    return simulate.replay(
        load,
        re_total,
        limits,
        charge_re_mw=sol.charge_re_mw,
        charge_grid_mw=sol.charge_grid_mw,
        discharge_mw=sol.discharge_mw,
        soc_start_mwh=sol.soc_start_mwh,
        grid_re_mw=sum((p.output_mw for p in plants if p.delivery == "grid"), np.zeros(len(load))),
    )


def _plant_capex(p: PlantYear, ecat: EnergyCatalog, krw_per_usd: float) -> tuple[CapexLine, ...]:
    item = plant_equipment(p)
    return (capex_line(item, ecat.prices, krw_per_usd),) if item is not None else ()


# Relative tolerance between the LP's reported figures and the replay's.
REPLAY_TOLERANCE = 1e-4


def check_replay(rep, sol, at) -> None:
    """Fail the build (HUB413) when the replay finds a violated limit or disagrees with the LP."""
    problems = [f"hour {t}: {what}" for t, what in rep.violations[:10]]
    if len(rep.violations) > 10:
        problems.append(f"... and {len(rep.violations) - 10} more")
    if abs(rep.cfe_score - sol.cfe_score) > REPLAY_TOLERANCE:
        problems.append(f"CFE score: replay {rep.cfe_score:.6f}, LP {sol.cfe_score:.6f}")
    if abs(rep.grid_peak_mw - sol.grid_peak_mw) > REPLAY_TOLERANCE * max(1.0, sol.grid_peak_mw):
        problems.append(f"grid import peak: replay {rep.grid_peak_mw:.3f} MW, LP {sol.grid_peak_mw:.3f} MW")
    if problems:
        raise HubcError(
            [
                diag(
                    "HUB413",
                    "the hour-by-hour replay disagrees with the sizing LP: " + problems[0],
                    at("bess"),
                    ("bess",),
                    notes=tuple(problems[1:]),
                    help="a solver tolerance or model problem; report it with the spec",
                )
            ],
            1,
        )


def _why_infeasible(spec, problem, sol, at, lp, load, fixed_re) -> list[Diagnostic]:
    if sol.status != "infeasible":
        return [
            diag(
                "HUB419",
                f"the energy sizing LP ended with status {sol.status}",
                at("energy"),
                ("energy",),
                help="check for extreme values; report the spec if it persists",
            )
        ]
    # Which constraint? Drop the CFE target: if that solves, the target is the problem.
    if problem.cfe_target > 0 and lp.solve(problem, cfe_target=0.0).status == "optimal":
        rte = problem.bess.eta_charge * problem.bess.eta_discharge if problem.bess else 0.0
        note = ()
        if not problem.auto_plants and problem.bess is None:
            best = lp.unlimited_storage_cfe(load, fixed_re, 0.0)
            note = (f"without a BESS the renewables reach {best:.1%} hourly CFE (direct use only)",)
        elif not problem.auto_plants:
            best = lp.unlimited_storage_cfe(load, fixed_re, rte)
            note = (f"the renewables reach at most {best:.1%} hourly CFE even with unlimited storage",)
        return [
            diag(
                "HUB411",
                f"the hourly carbon-free-energy target {problem.cfe_target:.0%} cannot be met"
                + ("" if problem.bess is None or problem.bess.energy_mwh is None else " with the BESS size given"),
                at("energy", "cfe_target"),
                ("energy", "cfe_target"),
                notes=note,
                help='add renewables or PPAs, let them be sized (capacity_mw = "auto"), or lower cfe_target',
            )
        ]
    return [
        diag(
            "HUB412",
            f"the load cannot be kept within the {spec.grid.contract_mw:g} MW grid contract "
            f"(load peaks at {float(load.max()):.1f} MW)",
            at("grid", "contract_mw"),
            ("grid", "contract_mw"),
            notes=_grid_delivered_note(problem, load, fixed_re),
            help='raise contract_mw, or add a BESS with the peak-shaving role and power_mw = "auto"',
        )
    ]


def _grid_delivered_note(problem, load, fixed_re) -> tuple[str, ...]:
    """Why grid-delivered renewables do not help: their energy comes in through the connection."""
    import numpy as np

    grid_re = problem.grid_re_mw
    if (grid_re is None or not grid_re.any()) and not any(p.grid_delivered for p in problem.auto_plants):
        return ()
    grid_re = np.zeros(len(load)) if grid_re is None else grid_re
    need = load - np.minimum(load, fixed_re - grid_re)
    note = (
        "renewables delivered over the grid (PPAs) reach the campus through its connection and do not relieve it: "
        f"the load less the behind-the-meter output peaks at {float(need.max()):.1f} MW"
    )
    return (note,)
