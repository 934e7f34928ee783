"""The sizing linear program: BESS energy and power (and, when asked, renewable MW) at least
annualised cost over an hourly year.

In: an `EnergyProblem` (hourly load, fixed renewable output, per-unit profiles of plants to
size, BESS parameters, grid contract, CFE target). Out: an `LpSolution` with the sizes and the
hourly schedule (charge from renewables, charge from the grid, discharge, state of charge).

Model (hour t, one-hour steps, cyclic year so the stored energy at the end equals the start):
    renewable output charges the BESS (its surplus over the load, or output diverted from the
    load when that keeps the import within the contract), serves the load, or is curtailed;
    soc[t] = soc[t-1] + eta_c (ch[t] + gc[t]) - dis[t] / eta_d     (eta_c = eta_d = sqrt RTE)
    reserve <= soc[t] <= E x DoD x SoH_EoL                           (sized for end of life)
    ch[t] + gc[t] <= P,  dis[t] <= P,  P >= critical load (ride-through role)
    grid[t] = load - direct - dis + gc <= contract
    CFE: sum(direct + dis) - eta_c eta_d sum(gc) >= target x sum(load)
Grid charging (gc) exists only for the peak-shaving role; its energy is never counted as
carbon-free (over a cyclic year the grid-origin share of discharge is exactly eta_c eta_d sum gc).
When no plant is sized, direct use is fixed at min(load, RE) and the model shrinks to charge,
discharge and state of charge per hour (about a third of the rows), which HiGHS solves in ~2 s.
Solver: HiGHS through OR-Tools' linear-solver wrapper (single thread, deterministic); GLOP takes
~45 s on the full model, so HiGHS is preferred; both ship with the `ortools` wheel.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

# Tie-breaking rewards (million KRW per MWh): tiny against any capacity cost (a MWh of BESS
# costs ~20 M KRW a year), they make the LP use renewables directly before storing them and
# use stored energy before the grid, so the schedule is physical and unique enough to replay.
_EPS_DIRECT = 2e-3
_EPS_DISCHARGE = 1e-3
_EPS_GRID_CHARGE = 1e-3


@attrs.frozen(kw_only=True, eq=False)
class AutoPlant:
    id: str
    pu: np.ndarray  # per-unit output, 8760
    cost_per_mw_year: float  # million KRW per MW per year (annualised capex + O&M)


@attrs.frozen(kw_only=True)
class BessParams:
    eta_charge: float
    eta_discharge: float
    usable_fraction: float  # DoD x end-of-life SoH: usable MWh per nameplate MWh
    energy_cost_per_mwh_year: float  # million KRW per nameplate MWh per year
    power_cost_per_mw_year: float  # million KRW per MW per year
    energy_mwh: float | None  # fixed nameplate, or None to size
    power_mw: float | None
    reserve_mwh: float  # state of charge always held (ride-through), in stored MWh
    min_power_mw: float  # PCS floor (ride-through role: the critical load)
    grid_charging: bool


@attrs.frozen(kw_only=True, eq=False)
class EnergyProblem:
    load_mw: np.ndarray
    fixed_re_mw: np.ndarray
    auto_plants: tuple[AutoPlant, ...]
    bess: BessParams | None
    contract_mw: float
    cfe_target: float


@attrs.frozen(kw_only=True, eq=False)
class LpSolution:
    status: str  # "optimal" | "infeasible" | other solver status
    objective: float = 0.0  # million KRW per year
    energy_mwh: float = 0.0  # nameplate
    power_mw: float = 0.0
    plant_mw: dict = attrs.field(factory=dict)
    direct_mw: np.ndarray | None = None
    charge_re_mw: np.ndarray | None = None
    charge_grid_mw: np.ndarray | None = None
    discharge_mw: np.ndarray | None = None
    soc_mwh: np.ndarray | None = None  # end of each hour
    soc_start_mwh: float = 0.0
    cfe_score: float = 0.0
    grid_peak_mw: float = 0.0


def solve(problem: EnergyProblem, *, cfe_target: float | None = None) -> LpSolution:
    from ortools.linear_solver import pywraplp

    target = problem.cfe_target if cfe_target is None else cfe_target
    load = np.asarray(problem.load_mw, dtype=float)
    T = len(load)
    b = problem.bess
    s = pywraplp.Solver.CreateSolver("HIGHS") or pywraplp.Solver.CreateSolver("GLOP")
    s.SetNumThreads(1)
    s.SuppressOutput()
    # HiGHS prints a banner and small-coefficient warnings to stdout unless told not to.
    params = "output_flag=false\nlog_to_console=false\n"
    if problem.auto_plants:
        # With plants to size, the per-hour direct-use variables make the model hard for the
        # dual simplex (~40 s at 1 GW); HiGHS's interior point with crossover solves it in
        # about half that, to a basic optimal solution all the same.
        params += "solver=ipm\n"
    s.SetSolverSpecificParametersAsString(params)
    inf = s.infinity()
    obj = s.Objective()
    total_load = max(float(load.sum()), 1e-9)  # a campus without IT load still has a year
    contract = problem.contract_mw

    has_bess = b is not None and not (b.energy_mwh == 0 or b.power_mw == 0)
    eta_c = b.eta_charge if b else 1.0
    eta_d = b.eta_discharge if b else 1.0
    grid_charge = bool(has_bess and b.grid_charging)

    # ---- sizes
    if has_bess:
        e_var = s.NumVar(*((b.energy_mwh, b.energy_mwh) if b.energy_mwh is not None else (0.0, inf)), "E")
        lo_p = b.min_power_mw if b.power_mw is None else b.power_mw
        p_var = s.NumVar(lo_p, b.power_mw if b.power_mw is not None else inf, "P")
        obj.SetCoefficient(e_var, b.energy_cost_per_mwh_year)
        obj.SetCoefficient(p_var, b.power_cost_per_mw_year)
    k_vars = []
    for plant in problem.auto_plants:
        k = s.NumVar(0.0, inf, f"K[{plant.id}]")
        obj.SetCoefficient(k, plant.cost_per_mw_year)
        k_vars.append(k)

    reduced = not problem.auto_plants
    re = np.asarray(problem.fixed_re_mw, dtype=float)
    cfe = s.Constraint(target * total_load, inf, "cfe")
    if reduced:
        direct = np.minimum(load, re)
        surplus = re - direct
        deficit = load - direct
        cfe.SetBounds(target * total_load - float(direct.sum()), inf)
        if not has_bess:
            ok = deficit.max(initial=0.0) <= contract + 1e-6 and direct.sum() >= target * total_load - 1e-6
            return _no_storage(problem, direct, ok)

    # Diverting renewable output from the load into the BESS only pays when the contract binds
    # somewhere (peak shaving without, or besides, grid charging); otherwise it just loses
    # energy, so those columns are left out and the model stays small.
    divert = reduced and has_bess and bool((deficit > contract + 1e-9).any())
    ch, chd, gc, dis, soc = [], [], [], [], []
    for t in range(T):
        if reduced:
            ch.append(s.NumVar(0.0, float(surplus[t]), "") if has_bess and surplus[t] > 0 else None)
            chd.append(s.NumVar(0.0, float(direct[t]), "") if divert and direct[t] > 0 else None)
            low_dis = max(0.0, float(deficit[t]) - contract) if not (grid_charge or divert) else 0.0
            dis.append(s.NumVar(low_dis, float(deficit[t]), "") if has_bess and deficit[t] > 0 else None)
        else:
            chd.append(None)
            ch.append(s.NumVar(0.0, inf, "") if has_bess else None)
            dis.append(s.NumVar(0.0, inf, "") if has_bess else None)
        gc.append(s.NumVar(0.0, inf, "") if grid_charge else None)
        soc.append(s.NumVar(b.reserve_mwh, inf, "") if has_bess else None)

    u = []
    if not reduced:
        for t in range(T):
            ut = s.NumVar(0.0, float(load[t]), "")
            u.append(ut)
            obj.SetCoefficient(ut, -_EPS_DIRECT)
            cfe.SetCoefficient(ut, 1.0)
            # Renewable balance: direct + charge <= output (the rest is curtailed).
            c = s.Constraint(-inf, float(re[t]))
            c.SetCoefficient(ut, 1.0)
            if ch[t] is not None:
                c.SetCoefficient(ch[t], 1.0)
            for k, plant in zip(k_vars, problem.auto_plants, strict=True):
                if plant.pu[t] > 1e-9:
                    c.SetCoefficient(k, -float(plant.pu[t]))
            # No export: direct + discharge <= load.
            if dis[t] is not None:
                c = s.Constraint(-inf, float(load[t]))
                c.SetCoefficient(ut, 1.0)
                c.SetCoefficient(dis[t], 1.0)
            # Grid import within the contract.
            if load[t] > contract or gc[t] is not None:
                c = s.Constraint(float(load[t]) - contract, inf)
                c.SetCoefficient(ut, 1.0)
                if dis[t] is not None:
                    c.SetCoefficient(dis[t], 1.0)
                if gc[t] is not None:
                    c.SetCoefficient(gc[t], -1.0)
    elif grid_charge or divert:
        for t in range(T):
            # Grid import = deficit - discharge + grid charge + diverted output <= contract.
            c = s.Constraint(float(deficit[t]) - contract, inf)
            if dis[t] is not None:
                c.SetCoefficient(dis[t], 1.0)
            if gc[t] is not None:
                c.SetCoefficient(gc[t], -1.0)
            if chd[t] is not None:
                c.SetCoefficient(chd[t], -1.0)
                cfe.SetCoefficient(chd[t], -1.0)  # diverted output no longer serves the load
                obj.SetCoefficient(chd[t], _EPS_DIRECT)

    if has_bess:
        for t in range(T):
            # State of charge recursion (cyclic: hour 0 follows hour T-1).
            c = s.Constraint(0.0, 0.0)
            c.SetCoefficient(soc[t], 1.0)
            c.SetCoefficient(soc[t - 1], -1.0)
            if ch[t] is not None:
                c.SetCoefficient(ch[t], -eta_c)
            if chd[t] is not None:
                c.SetCoefficient(chd[t], -eta_c)
            if gc[t] is not None:
                c.SetCoefficient(gc[t], -eta_c)
            if dis[t] is not None:
                c.SetCoefficient(dis[t], 1.0 / eta_d)
            # Usable energy at end of life.
            c = s.Constraint(-inf, 0.0)
            c.SetCoefficient(soc[t], 1.0)
            c.SetCoefficient(e_var, -b.usable_fraction)
            if ch[t] is not None or gc[t] is not None or chd[t] is not None:
                c = s.Constraint(-inf, 0.0)
                c.SetCoefficient(p_var, -1.0)
                for v in (ch[t], chd[t], gc[t]):
                    if v is not None:
                        c.SetCoefficient(v, 1.0)
            if dis[t] is not None:
                c = s.Constraint(-inf, 0.0)
                c.SetCoefficient(dis[t], 1.0)
                c.SetCoefficient(p_var, -1.0)
                cfe.SetCoefficient(dis[t], 1.0)
                obj.SetCoefficient(dis[t], -_EPS_DISCHARGE)
            if gc[t] is not None:
                cfe.SetCoefficient(gc[t], -eta_c * eta_d)
                obj.SetCoefficient(gc[t], _EPS_GRID_CHARGE)
    obj.SetMinimization()

    status = s.Solve()
    names = {
        pywraplp.Solver.OPTIMAL: "optimal",
        pywraplp.Solver.INFEASIBLE: "infeasible",
        pywraplp.Solver.UNBOUNDED: "unbounded",
        pywraplp.Solver.FEASIBLE: "feasible",
        pywraplp.Solver.ABNORMAL: "abnormal",
        pywraplp.Solver.NOT_SOLVED: "not-solved",
    }
    if status != pywraplp.Solver.OPTIMAL:
        return LpSolution(status=names.get(status, str(status)))

    def values(vs: list) -> np.ndarray:
        return np.asarray([0.0 if v is None else v.solution_value() for v in vs], dtype=float)

    chd_v = np.maximum(values(chd), 0.0)
    ch_v = np.maximum(values(ch), 0.0) + chd_v
    gc_v = np.maximum(values(gc), 0.0) if grid_charge else np.zeros(T)
    dis_v = np.maximum(values(dis), 0.0)
    soc_v = values(soc) if has_bess else np.zeros(T)
    plant_mw = {p.id: max(0.0, k.solution_value()) for p, k in zip(problem.auto_plants, k_vars, strict=True)}
    if reduced:
        direct_v = direct - chd_v
    else:
        direct_v = np.clip(values(u), 0.0, load)
    grid = load - direct_v - dis_v + gc_v
    score = (float(direct_v.sum()) + float(dis_v.sum()) - eta_c * eta_d * float(gc_v.sum())) / total_load
    return LpSolution(
        status="optimal",
        objective=s.Objective().Value(),
        energy_mwh=e_var.solution_value() if has_bess else 0.0,
        power_mw=p_var.solution_value() if has_bess else 0.0,
        plant_mw=plant_mw,
        direct_mw=direct_v,
        charge_re_mw=ch_v,
        charge_grid_mw=gc_v,
        discharge_mw=dis_v,
        soc_mwh=soc_v,
        soc_start_mwh=float(soc_v[-1]) if has_bess else 0.0,
        cfe_score=score,
        grid_peak_mw=float(grid.max()),
    )


def _no_storage(problem: EnergyProblem, direct: np.ndarray, ok: bool) -> LpSolution:
    """Without storage and with fixed plants there is nothing to optimise: renewables serve
    the load directly and the grid supplies the rest."""
    T = len(direct)
    if not ok:
        return LpSolution(status="infeasible")
    zeros = np.zeros(T)
    grid = problem.load_mw - direct
    return LpSolution(
        status="optimal",
        direct_mw=direct,
        charge_re_mw=zeros,
        charge_grid_mw=zeros,
        discharge_mw=zeros,
        soc_mwh=zeros,
        cfe_score=float(direct.sum() / max(float(problem.load_mw.sum()), 1e-9)),
        grid_peak_mw=float(grid.max()),
    )


def unlimited_storage_cfe(load: np.ndarray, re: np.ndarray, rte: float) -> float:
    """Best hourly CFE score fixed renewables can reach with unlimited lossy storage: all the
    surplus, less round-trip losses, fills deficit hours (closed form over a cyclic year)."""
    direct = np.minimum(load, re)
    surplus = float((re - direct).sum())
    deficit = float((load - direct).sum())
    total = float(load.sum())
    return (float(direct.sum()) + min(deficit, rte * surplus)) / total if total > 0 else 1.0


def containers_needed(energy_mwh: float, power_mw: float, container_mwh: float, c_rate: float) -> tuple[int, str]:
    """Container count is the larger of the energy and the power limits (domain.md §8.7).

    A millionth of a container is forgiven: LP round-off must not buy one more container.
    """
    by_energy = math.ceil(energy_mwh / container_mwh - 1e-6) if energy_mwh > 0 else 0
    by_power = math.ceil(power_mw / (c_rate * container_mwh) - 1e-6) if power_mw > 0 else 0
    return (by_energy, "energy") if by_energy >= by_power else (by_power, "power")
