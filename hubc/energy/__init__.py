"""The energy stage: an hourly year of campus load, renewables, BESS and grid.

In: a checked `Spec` (full build-out: every hall copy of every phase; IT load from
`hubc.core.loads`), the folder profile CSVs are relative to, and optionally the spec's
`SourceFile` for diagnostic locations. Out: an `EnergyResult` with the hourly series, the BESS
and renewable sizes from the LP (`lp.py`), the solver-free replay that proves them
(`simulate.py`), the interconnect and lines (`hubc.energy.interconnect`), `to_json()` for
design.json and `equipment()` for procurement. A user-caused failure (bad CSV, unreachable
target, contract too small, replay disagreeing with the LP) raises `HubcError`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from hubc.codes import diag
from hubc.core.equipment import Equipment
from hubc.diagnostics import Diagnostic, HubcError, Location, has_errors

if TYPE_CHECKING:
    import numpy as np

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
    output_mw: np.ndarray
    spec_index: int


@attrs.frozen(kw_only=True, eq=False)
class BessSizing:
    id: str
    container: str
    container_name: str
    container_mwh: float
    c_rate: float
    containers: int
    limit: str  # "energy" or "power" (which set the count)
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
    capex_krw: float
    roles: tuple[str, ...]


@attrs.frozen(kw_only=True, eq=False)
class EnergyResult:
    it_kw: float
    pue: float
    utilisation: str
    load_mw: np.ndarray
    plants: tuple[PlantYear, ...]
    bess: BessSizing | None
    direct_mw: np.ndarray
    charge_re_mw: np.ndarray
    charge_grid_mw: np.ndarray
    discharge_mw: np.ndarray
    soc_mwh: np.ndarray
    grid_mw: np.ndarray
    curtail_mw: np.ndarray
    cfe_mw: np.ndarray
    cfe_score: float
    cfe_target: float
    lp_cfe_score: float
    lp_objective_mkrw: float
    lp_grid_peak_mw: float
    balance_error_mwh: float
    losses_mwh: float
    contract_mw: float
    carbon_intensity: float
    interconnect: Interconnect
    diagnostics: tuple[Diagnostic, ...]
    lp_method: str = "HiGHS via OR-Tools linear solver (1 thread)"
    catalog_version: str = ""
    pue_model: str = "constant"
    pue_hourly: np.ndarray | None = attrs.field(default=None, eq=False)  # dry-bulb model only
    dry_bulb_c: np.ndarray | None = attrs.field(default=None, eq=False)
    turbine_mw: dict = attrs.field(factory=dict, eq=False)  # by wind kind, from the catalog in use

    # ---------------------------------------------------------------- figures

    @property
    def renewable_mw(self) -> np.ndarray:
        import numpy as np

        total = np.zeros_like(self.load_mw)
        for p in self.plants:
            total = total + p.output_mw
        return total

    def to_json(self) -> dict:
        load_mwh = float(self.load_mw.sum())
        re_mwh = float(self.renewable_mw.sum())
        grid_mwh = float(self.grid_mw.sum())
        dis = float(self.discharge_mw.sum())
        usable = self.bess.installed_energy_mwh * self.bess.usable_fraction if self.bess else 0.0
        lp_usable = self.bess.lp_energy_mwh * self.bess.usable_fraction if self.bess else 0.0
        out = {
            "basis": BASIS,
            "hours": len(self.load_mw),
            "it_kw": r(self.it_kw, 1),
            "pue": self.pue,
            "pue_model": self.pue_model,
            "utilisation": self.utilisation,
            "load": {
                "annual_mwh": r(load_mwh, 1),
                "peak_mw": r(float(self.load_mw.max()), 3),
                "mean_mw": r(load_mwh / len(self.load_mw), 3),
            },
            "annual_mwh_by_source": {
                "renewable_direct": r(float(self.direct_mw.sum()), 1),
                "bess_discharge": r(dis, 1),
                "grid": r(grid_mwh, 1),
            },
            "renewables": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "capacity_mw": r(p.capacity_mw, 3),
                    "sized": p.sized,
                    "capacity_factor": r(p.capacity_factor, 4),
                    "annual_mwh": r(float(p.output_mw.sum()), 1),
                    "profile": p.profile,
                }
                for p in self.plants
            ],
            "renewable_mwh": r(re_mwh, 1),
            "re_share": r(re_mwh / load_mwh, 4) if load_mwh else 0.0,
            "cfe_score_hourly": r(self.cfe_score, 4),
            "cfe_target": self.cfe_target,
            "curtailment_mwh": r(float(self.curtail_mw.sum()), 1),
            "curtailment_share": r(float(self.curtail_mw.sum()) / re_mwh, 4) if re_mwh else 0.0,
            "grid_import_mwh": r(grid_mwh, 1),
            "grid_import_peak_mw": r(float(self.grid_mw.max()), 3),
            "grid_contract_mw": self.contract_mw,
            "scope2_location_tco2": r(grid_mwh * self.carbon_intensity, 1),
            "grid_carbon_intensity_tco2_per_mwh": self.carbon_intensity,
            "bess": None,
            "lp": {
                "solver": self.lp_method,
                "objective_million_krw_per_year": r(self.lp_objective_mkrw, 3),
                "cfe_score": r(self.lp_cfe_score, 4),
                "grid_import_peak_mw": r(self.lp_grid_peak_mw, 3),
            },
            "replay": {
                "agrees_with_lp": True,
                "violations": 0,
                "cfe_score_lp_minus_replay": r(self.lp_cfe_score - self.cfe_score, 9),
                "grid_peak_lp_minus_replay_mw": r(self.lp_grid_peak_mw - float(self.grid_mw.max()), 6),
                "energy_balance_error_mwh": r(self.balance_error_mwh, 6),
                "battery_losses_mwh": r(self.losses_mwh, 1),
                "tolerance": REPLAY_TOLERANCE,
            },
            "interconnect": self.interconnect.to_json(),
        }
        if self.pue_hourly is not None:
            out["pue_hourly"] = {
                "min": r(float(self.pue_hourly.min()), 4),
                "mean": r(float(self.pue_hourly.mean()), 4),
                "max": r(float(self.pue_hourly.max()), 4),
            }
            out["dry_bulb_c"] = {
                "min": r(float(self.dry_bulb_c.min()), 2),
                "mean": r(float(self.dry_bulb_c.mean()), 2),
                "max": r(float(self.dry_bulb_c.max()), 2),
            }
        if self.bess is not None:
            b = self.bess
            out["bess"] = {
                "id": b.id,
                "container": b.container,
                "container_name": b.container_name,
                "container_mwh": b.container_mwh,
                "containers": b.containers,
                "count_set_by": b.limit,
                "roles": list(b.roles),
                "energy_sized": b.energy_sized,
                "power_sized": b.power_sized,
                "lp_energy_mwh": r(b.lp_energy_mwh, 3),
                "lp_power_mw": r(b.lp_power_mw, 3),
                "installed_energy_mwh": r(b.installed_energy_mwh, 3),
                "installed_power_mw": r(b.installed_power_mw, 3),
                "pcs_units": b.pcs_units,
                "pcs_unit_mw": b.pcs_unit_mw,
                "container_power_cap_mw": r(b.containers * b.container_mwh * b.c_rate, 3),
                "usable_mwh_end_of_life": r(usable, 3),
                "round_trip_efficiency": r(b.round_trip_efficiency, 4),
                "depth_of_discharge": b.depth_of_discharge,
                "eol_state_of_health": b.eol_state_of_health,
                "ride_through_reserve_mwh": r(b.reserve_mwh, 3),
                "equivalent_full_cycles": r(dis / lp_usable, 2) if lp_usable > 0 else 0.0,
                "capex_estimate_krw": round(b.capex_krw),
            }
        return out

    def solver_settings(self) -> dict:
        """For hubc.lock: what decides the LP's answer besides the spec."""
        from ortools import __version__ as ortools_version

        from hubc.catalog import energy as cat

        return {
            "lp": "HiGHS, or GLOP for the plant-size search, via ortools.linear_solver.pywraplp",
            "ortools": ortools_version,
            "threads": 1,
            "energy_catalog": self.catalog_version or cat.data()["version"],
        }

    def equipment(self) -> tuple[Equipment, ...]:
        items: list[Equipment] = []
        if self.bess is not None and self.bess.containers > 0:
            b = self.bess
            items.append(
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
                    notes=f"energy catalog {b.container}; count set by {b.limit}; LP {b.lp_energy_mwh:.1f} MWh / {b.lp_power_mw:.1f} MW",
                )
            )
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
                )
            )
        for p in self.plants:
            if p.kind == "ppa" or p.capacity_mw <= 0:
                continue  # a PPA buys energy, not equipment
            if p.kind == "solar":
                # Priced per MWp of modules, inverters and balance of plant.
                items.append(
                    Equipment(
                        id=f"{p.id}/plant",
                        family="solar-pv",
                        description=f"solar PV plant, {p.capacity_mw:.1f} MWp at {p.capacity_factor:.1%} CF",
                        rating=r(p.capacity_mw, 3),
                        rating_unit="MWp",
                        quantity=r(p.capacity_mw, 3),
                        unit="MWp",
                        system="energy",
                        area=p.id,
                        spec_path=("renewable", p.spec_index, "capacity_mw"),
                        notes="sized by the energy LP" if p.sized else "",
                    )
                )
                continue
            from hubc.catalog import energy as cat

            turbine = float(self.turbine_mw.get(p.kind) or cat.renewable_cost(p.kind)["turbine_mw"])
            count = math.ceil(p.capacity_mw / turbine - 1e-6)
            items.append(
                Equipment(
                    id=f"{p.id}/turbines",
                    family="wind-turbine",
                    description=f"{p.kind} turbines, {turbine:g} MW class, for {p.capacity_mw:.1f} MW at {p.capacity_factor:.1%} CF",
                    rating=turbine,
                    rating_unit="MW",
                    quantity=count,
                    system="energy",
                    area=p.id,
                    spec_path=("renewable", p.spec_index, "capacity_mw"),
                    notes=("sized by the energy LP; " if p.sized else "") + f"{count * turbine:g} MW installed",
                )
            )
        items.extend(ln.equipment() for ln in self.interconnect.lines)
        return tuple(items)


# Random stream id of the synthetic dry-bulb year (renewables use [seed, plant seed, index]).
_DRY_BULB_STREAM = 0xD2B


def r(x: float, nd: int) -> float:
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


# ------------------------------------------------------------------------------------ run


def energy_stage(checked, results, progress) -> tuple[EnergyResult, list[Diagnostic]]:
    """The build-stage adapter: `Stage("energy", "hourly energy year, BESS sizing", energy_stage)`."""
    result = run_energy(checked.spec, checked.base_dir, checked.source, checked.allowed_roots)
    return result, list(result.diagnostics)


def run_energy(
    spec: Spec, base_dir: Path | str = ".", source: SourceFile | None = None, allowed_roots: tuple[Path, ...] = ()
) -> EnergyResult:
    import numpy as np

    from hubc.catalog import energy as cat
    from hubc.core.loads import campus_heat
    from hubc.energy import lp, profiles, simulate
    from hubc.energy.interconnect import size_interconnect

    base_dir = Path(base_dir)
    name = source.name if source is not None else f"{spec.campus.id}.toml"

    def at(*path) -> Location:
        return source.at_value(tuple(path)) if source is not None else Location(file=name)

    # The spec's [catalog] files may add or override containers and costs; their problems are
    # `hubc check` findings, so a build never gets here with one (a direct call still stops).
    ecat, cat_diags = cat.load_energy_catalog(spec, base_dir, source, allowed_roots)
    # Profile CSVs are read only inside the spec's folder tree and --allow-read folders.
    roots = (base_dir, *allowed_roots)
    if has_errors(cat_diags):
        raise HubcError(cat_diags, 1)
    diags: list[Diagnostic] = []
    it_kw = campus_heat(spec).it_kw
    pue = spec.policy.annual_pue if spec.policy.annual_pue is not None else spec.policy.design_pue
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
    if en.pue_model == "dry-bulb":
        # Its own random stream: the temperature year does not shift the renewables' weather.
        temp_c = profiles.dry_bulb_c(np.random.default_rng([en.seed, _DRY_BULB_STREAM]))
        pue_h, capped = profiles.pue_from_dry_bulb(temp_c, pue, spec.policy.design_pue)
        pue_label = (
            f"PUE {float(pue_h.min()):.3f}-{float(pue_h.max()):.3f} by dry-bulb (mean {float(pue_h.mean()):.3f})"
        )
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
    load = profiles.load_mw(it_kw, pue_h if pue_h is not None else pue, util)

    # ---- renewables: per-unit profiles
    rates = cat.annualisation()
    krw_per_usd = spec.campus.krw_per_usd
    pus = []
    for i, pl in enumerate(spec.renewable):
        rng = np.random.default_rng([en.seed, pl.seed, i])
        if pl.profile_csv is not None:
            pu = profiles.read_profile_csv(
                base_dir / pl.profile_csv, pl.profile_csv, origin=at("renewable", i, "profile_csv"),
                roots=roots,
            )
            label = f"csv {pl.profile_csv}"
            mean = float(pu.mean())
            if abs(mean - pl.capacity_factor) > 0.1 * pl.capacity_factor:
                diags.append(
                    diag(
                        "HUB421",
                        f'profile of "{pl.id}" averages {mean:.1%}, but capacity_factor is {pl.capacity_factor:.1%}; the profile is used',
                        at("renewable", i, "capacity_factor"),
                        ("renewable", i, "capacity_factor"),
                        help=f"set capacity_factor = {mean:.3f}",
                    )
                )
        elif pl.kind == "solar":
            pu = profiles.solar_pu(spec.campus.latitude_deg, spec.campus.longitude_deg, pl.capacity_factor, rng)
            label = "synthetic: Spencer solar position, Haurwitz clear sky, seeded cloudiness, fixed tilt"
        elif pl.kind in ("onshore-wind", "offshore-wind"):
            pu = profiles.wind_pu(pl.kind, pl.capacity_factor, rng)
            label = "synthetic: Weibull speeds, seasonal and diurnal shape, power curve"
        else:
            pu = profiles.ppa_pu(pl.capacity_factor)
            label = "flat PPA block"
        pu[pu < 1e-9] = 0.0
        if pl.profile_csv is None and abs(float(pu.mean()) - pl.capacity_factor) > 0.005:
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

    fixed_re = np.zeros(profiles.HOURS)
    auto_plants = []
    for i, (pl, pu, _label) in enumerate(pus):
        if pl.capacity_mw == "auto":
            cost = ecat.renewable_cost(pl.kind)
            crf = cat.crf(rates["discount_rate"], int(cost["lifetime_years"]))
            per_mw = cost["capex_krw_per_mw"] * (crf + cost["om_share_per_year"])
            per_mw += cost.get("price_krw_per_mwh", 0.0) * float(pu.sum())
            auto_plants.append(lp.AutoPlant(id=pl.id, pu=pu, cost_per_mw_year=per_mw / 1e6))
        else:
            fixed_re = fixed_re + pl.capacity_mw * pu

    # ---- BESS parameters
    b = spec.bess
    bess_params = None
    container = None
    if b is not None:
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
        rte = b.round_trip_efficiency or container.round_trip_efficiency
        dod = b.depth_of_discharge or container.depth_of_discharge
        soh = b.eol_state_of_health or container.eol_state_of_health
        eta = math.sqrt(rte)
        crf_b = cat.crf(rates["discount_rate"], container.lifetime_years)
        critical_mw = it_kw / 1000.0
        ride = "ride-through" in b.roles
        reserve = critical_mw * b.ride_through_min / 60.0 / eta if ride else 0.0
        bess_params = lp.BessParams(
            eta_charge=eta,
            eta_discharge=eta,
            usable_fraction=dod * soh,
            energy_cost_per_mwh_year=container.cost_usd_per_kwh * 1000 * krw_per_usd * crf_b / 1e6,
            power_cost_per_mw_year=container.pcs_cost_usd_per_kw * 1000 * krw_per_usd * crf_b / 1e6,
            energy_mwh=None if b.energy_mwh == "auto" else float(b.energy_mwh),
            power_mw=None if b.power_mw == "auto" else float(b.power_mw),
            reserve_mwh=reserve,
            min_power_mw=critical_mw if ride else 0.0,
            grid_charging="peak-shaving" in b.roles,
        )

    problem = lp.EnergyProblem(
        load_mw=load,
        fixed_re_mw=fixed_re,
        auto_plants=tuple(auto_plants),
        bess=bess_params,
        contract_mw=spec.grid.contract_mw,
        cfe_target=en.cfe_target,
    )
    sol = lp.solve(problem)
    if sol.status != "optimal":
        raise HubcError(_why_infeasible(spec, problem, sol, at, lp, load, fixed_re), 3)

    # ---- sizes
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
            )
        )
    sizing = None
    if b is not None and bess_params is not None:
        e_lp, p_lp = sol.energy_mwh, sol.power_mw
        n, limit = lp.containers_needed(e_lp, p_lp, container.energy_mwh, container.c_rate)
        e_inst = n * container.energy_mwh  # whole containers, also when the spec gave the MWh
        # PCS skids for the power the LP chose (or the spec gave); the containers' C-rate
        # caps the deliverable power and is already in the container count.
        pcs_unit = cat.pcs_unit_mw()
        p_need = p_lp if bess_params.power_mw is None else bess_params.power_mw
        pcs_units = math.ceil(p_need / pcs_unit - 1e-6) if n > 0 else 0
        p_inst = pcs_units * pcs_unit if bess_params.power_mw is None else bess_params.power_mw
        sizing = BessSizing(
            id=b.id,
            container=container.id,
            container_name=container.name,
            container_mwh=container.energy_mwh,
            c_rate=container.c_rate,
            containers=n,
            limit=limit,
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
            capex_krw=(e_inst * container.cost_usd_per_kwh + p_inst * container.pcs_cost_usd_per_kw)
            * 1000
            * krw_per_usd,
            roles=tuple(b.roles),
        )

    # ---- proof: replay the schedule at the LP's sizes, without the solver
    limits = simulate.Limits(
        energy_mwh=sol.energy_mwh,
        power_mw=sol.power_mw,
        usable_fraction=bess_params.usable_fraction if bess_params else 1.0,
        reserve_mwh=bess_params.reserve_mwh if bess_params else 0.0,
        eta_charge=bess_params.eta_charge if bess_params else 1.0,
        eta_discharge=bess_params.eta_discharge if bess_params else 1.0,
        contract_mw=spec.grid.contract_mw,
        cfe_target=en.cfe_target,
    )
    rep = simulate.replay(
        load,
        re_total,
        limits,
        charge_re_mw=sol.charge_re_mw,
        charge_grid_mw=sol.charge_grid_mw,
        discharge_mw=sol.discharge_mw,
        soc_start_mwh=sol.soc_start_mwh,
    )
    check_replay(rep, sol, at)

    inter, inter_diags = size_interconnect(spec, at, rep.grid_mw.tolist(), catalog=ecat)
    diags.extend(inter_diags)
    diags.append(
        diag(
            "HUB418",
            f"energy year: {BASIS}; {it_kw / 1000:.1f} MW IT x utilisation {util_label} x {pue_label}",
            at("energy") if source is not None and spec.energy else Location(file=name),
            ("energy",),
        )
    )
    return EnergyResult(
        it_kw=it_kw,
        pue=pue,
        pue_model=en.pue_model,
        pue_hourly=pue_h,
        dry_bulb_c=temp_c,
        utilisation=util_label,
        load_mw=load,
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
        cfe_target=en.cfe_target,
        lp_cfe_score=sol.cfe_score,
        lp_objective_mkrw=sol.objective,
        lp_grid_peak_mw=sol.grid_peak_mw,
        lp_method=sol.method,
        catalog_version=ecat.version,
        turbine_mw={k: float(v["turbine_mw"]) for k, v in ecat.renewables.items() if v.get("turbine_mw") is not None},
        balance_error_mwh=rep.balance_error_mwh,
        losses_mwh=rep.losses_mwh,
        contract_mw=spec.grid.contract_mw,
        carbon_intensity=spec.grid.carbon_intensity_tco2_per_mwh,
        interconnect=inter,
        diagnostics=tuple(diags),
    )


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
            help='raise contract_mw, or add a BESS with the peak-shaving role and power_mw = "auto"',
        )
    ]
