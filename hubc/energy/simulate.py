"""Solver-free replay of a BESS schedule: the proof of the sizing LP.

In: the hourly load and renewable output (and the part of it delivered over the grid under a
PPA), the BESS sizes and parameters, and a schedule (charge from renewables, charge from the
grid, discharge per hour, state of charge at the start).
Out: a `Replay` with the state of charge, grid import, curtailment and CFE recomputed hour by
hour from the physics alone, and every violated limit (hour, what). Nothing here reads the LP's
state of charge, direct use or grid import. Dispatch rule: the battery follows the schedule;
renewable output not sent to the battery serves the load left after the discharge; the grid
supplies whatever is still missing; the remaining output is curtailed. Behind-the-meter output
is used first, for charging and for the load: grid-delivered (PPA) energy reaches the campus
through its connection, so the import the contract limits is the load less behind-the-meter
direct use and discharge, plus grid charging and charging from PPA energy.
"""

from __future__ import annotations

import attrs
import numpy as np

# Absolute tolerance per hour (MW or MWh): above the LP's feasibility tolerance (~1e-7
# relative) scaled to GW campuses, far below anything that matters in a design.
TOL = 1e-3


@attrs.frozen(kw_only=True, eq=False)
class Limits:
    energy_mwh: float  # nameplate
    power_mw: float
    usable_fraction: float
    reserve_mwh: float
    eta_charge: float
    eta_discharge: float
    contract_mw: float
    cfe_target: float

    @property
    def usable_mwh(self) -> float:
        return self.energy_mwh * self.usable_fraction


@attrs.frozen(kw_only=True, eq=False)
class Replay:
    soc_mwh: np.ndarray  # end of each hour
    direct_mw: np.ndarray
    grid_mw: np.ndarray  # energy bought from the grid
    connection_mw: np.ndarray  # import through the connection: grid energy + PPA energy used
    curtail_mw: np.ndarray
    cfe_mw: np.ndarray  # carbon-free energy serving the load each hour
    cfe_score: float
    grid_peak_mw: float
    losses_mwh: float
    balance_error_mwh: float
    violations: tuple[tuple[int, str], ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def replay(
    load_mw: np.ndarray,
    re_mw: np.ndarray,
    limits: Limits,
    *,
    charge_re_mw: np.ndarray,
    charge_grid_mw: np.ndarray,
    discharge_mw: np.ndarray,
    soc_start_mwh: float,
    grid_re_mw: np.ndarray | None = None,
) -> Replay:
    load = np.asarray(load_mw, dtype=float)
    re = np.asarray(re_mw, dtype=float)
    T = len(load)
    re_btm = re - (np.zeros(T) if grid_re_mw is None else np.asarray(grid_re_mw, dtype=float))
    connection = np.empty(T)
    violations: list[tuple[int, str]] = []
    direct = np.empty(T)
    usable = limits.usable_mwh
    soc = np.empty(T)
    level = soc_start_mwh
    grid = np.empty(T)
    curtail = np.empty(T)
    cfe = np.empty(T)
    grid_origin = 0.0  # grid-charged MWh in store (pool accounting: never carbon-free)
    for t in range(T):
        ch, gc, dis = float(charge_re_mw[t]), float(charge_grid_mw[t]), float(discharge_mw[t])
        if min(ch, gc, dis) < -TOL:
            violations.append((t, f"negative flow (charge {ch:.3f}, grid charge {gc:.3f}, discharge {dis:.3f} MW)"))
        if ch > re[t] + TOL:
            violations.append((t, f"charges {ch:.3f} MW from renewables producing {re[t]:.3f} MW"))
        direct[t] = max(0.0, min(load[t] - dis, re[t] - ch))
        if dis > load[t] + TOL:
            violations.append((t, f"discharges {dis:.3f} MW into a load of {load[t]:.3f} MW (export)"))
        deficit = load[t] - direct[t]
        surplus = re[t] - direct[t]
        if ch + gc > limits.power_mw + TOL:
            violations.append((t, f"charge {ch + gc:.3f} MW above the PCS rating {limits.power_mw:.3f} MW"))
        if dis > limits.power_mw + TOL:
            violations.append((t, f"discharge {dis:.3f} MW above the PCS rating {limits.power_mw:.3f} MW"))
        level = level + limits.eta_charge * (ch + gc) - dis / limits.eta_discharge
        soc[t] = level
        if level > usable + TOL:
            violations.append((t, f"state of charge {level:.3f} MWh above the usable {usable:.3f} MWh"))
        if level < limits.reserve_mwh - TOL:
            violations.append(
                (t, f"state of charge {level:.3f} MWh below the ride-through reserve {limits.reserve_mwh:.3f} MWh")
            )
        grid[t] = deficit - dis + gc
        connection[t] = _connection(load[t], re_btm[t], ch, gc, dis)
        if connection[t] > limits.contract_mw + TOL:
            violations.append(
                (t, f"import through the connection {connection[t]:.3f} MW above the contract {limits.contract_mw:.3f} MW")
            )
        curtail[t] = surplus - ch
        grid_origin += limits.eta_charge * gc
        from_grid = min(grid_origin * limits.eta_discharge, dis) if gc > 0 or grid_origin > 0 else 0.0
        grid_origin = max(0.0, grid_origin - from_grid / limits.eta_discharge)
        cfe[t] = direct[t] + dis - from_grid
    if abs(level - soc_start_mwh) > max(TOL, 1e-6 * usable):
        violations.append(
            (T - 1, f"the year ends at {level:.3f} MWh but started at {soc_start_mwh:.3f} MWh (not cyclic)")
        )
    ch_tot = float(np.sum(charge_re_mw) + np.sum(charge_grid_mw))
    dis_tot = float(np.sum(discharge_mw))
    losses = ch_tot * (1 - limits.eta_charge) + dis_tot * (1 / limits.eta_discharge - 1)
    # Energy conservation over the year: sources = uses + losses + change in store.
    sources = float(re.sum() + grid.sum())
    uses = float(load.sum() + curtail.sum())
    balance = sources - uses - losses - (level - soc_start_mwh)
    if abs(balance) > max(TOL, 1e-7 * sources):
        violations.append((T - 1, f"energy not conserved: {balance:.3f} MWh unaccounted"))
    total = float(load.sum())
    # Carbon-free share: grid-charged energy is credited back exactly over a cyclic year.
    cfe_total = float(direct.sum()) + dis_tot - limits.eta_charge * limits.eta_discharge * float(np.sum(charge_grid_mw))
    score = cfe_total / total if total > 0 else 1.0
    if score < limits.cfe_target - 1e-6:
        violations.append((T - 1, f"hourly CFE score {score:.4%} below the target {limits.cfe_target:.4%}"))
    return Replay(
        soc_mwh=soc,
        direct_mw=direct,
        grid_mw=grid,
        connection_mw=connection,
        curtail_mw=curtail,
        cfe_mw=cfe,
        cfe_score=score,
        grid_peak_mw=float(grid.max()) if T else 0.0,
        losses_mwh=losses,
        balance_error_mwh=balance,
        violations=tuple(violations),
    )


def _connection(load: float, re_btm: float, ch: float, gc: float, dis: float) -> float:
    """Import through the connection in one hour: behind-the-meter output charges first, then
    serves the load; PPA energy charging the BESS comes in through the connection:
    load - discharge - btm direct + grid charge + PPA charge. (Behind the meter first gives the
    least import of any split of the same flows.)"""
    ch_btm = min(ch, max(re_btm, 0.0))
    direct_btm = max(0.0, min(load - dis, re_btm - ch_btm))
    return load - dis - direct_btm + gc + (ch - ch_btm)
