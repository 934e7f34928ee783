"""Cooling sizing: heat in the halls -> CRAH / fan walls, CDUs, TCS and FWS loops, heat-rejection plants.

In: the spec (halls, their cooling, the cooling plant, policy, phases), the site climate
(`hubc.climate`) and, for row CDU loops sized by hubc, the placement's row loads. Out:
`CoolingResult` with every sizing decision (rule, inputs, result, source) and its Equipment.

Rules (figures from the cooling catalog, `hubc/catalog/data/cooling.toml`, with their sources):

- Hall, per copy. CRAH / fan walls on the air heat: ceil(Q_air / unit) + crah_redundancy (no
  growth margin: the hall's racks fix its air heat). CDUs per loop on the loop's liquid heat when
  `cdus = "auto"`: ceil(Q_liquid / cdu_kw) + cdu_redundancy; none without liquid heat. TCS flow
  V = 60 Q / (rho cp dT) L/min of PG25 per loop; header DN from the velocity limit.
- Plant. Which hall copies one plant serves: `cooling_plant.scope` — `phase` (default: each build-
  out phase builds the plant for the copies it energizes, so a plant never waits for a later
  phase; copies no phase names, or a campus without phases, share one campus plant), `campus` or
  `building` (one plant per hall copy). Heat = IT + CDU pumps + CRAH fans + power-chain losses of
  the copies served, x (1 + sizing margin). Units = ceil(duty / unit capacity at the design
  condition) + plant redundancy; capacity is the catalog rating derated at the site's design dry-
  or wet-bulb (dry coolers by initial temperature difference, towers by approach, chillers by
  leaving and condenser temperatures). FWS supply = the coldest TCS supply less the CDU approach.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from hubc import climate as climate_mod
from hubc.codes import diag
from hubc.cooling import annual
from hubc.cooling.result import (
    ClimateBasis,
    CoolingResult,
    Decision,
    HallLoops,
    Header,
    Plant,
    PlantUnits,
    PlantYear,
)
from hubc.core.loads import (
    cdu_pump_kw_per_kw,
    cdu_unit_kw,
    cdus_installed,
    cooling_catalog,
    hall_heat,
    units_needed,
)
from hubc.diagnostics import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from hubc.core.types import RowLoad
    from hubc.spec.model import Hall, Spec
    from hubc.spec.source import SourceFile

__all__ = ["CoolingResult", "Decision", "plant_groups", "size_cooling"]

G = 9.80665  # m/s², standard gravity


def header(flow_l_per_min: float) -> Header:
    """Smallest nominal size whose bore keeps the flow under the velocity limit; parallel pipes of
    the largest size beyond it (catalog `piping`, ASME B36.10M bores)."""
    pipe = cooling_catalog()["piping"]
    v_max = float(pipe["velocity_limit_m_per_s"])
    q = flow_l_per_min / 60000.0  # m³/s
    areas = [(int(dn), math.pi * (float(b) / 1000.0) ** 2 / 4.0) for dn, b in zip(pipe["dn"], pipe["bore_mm"], strict=True)]
    parallel = max(1, math.ceil(q / v_max / areas[-1][1] - 1e-9))
    dn, area = next((dn, a) for dn, a in areas if parallel * a * v_max >= q - 1e-12)
    return Header(flow_l_per_min=flow_l_per_min, dn=dn, parallel=parallel, velocity_m_per_s=q / (parallel * area))


def _flow_l_per_min(q_kw: float, density: float, cp: float, dt: float) -> float:
    # V = Q / (rho cp dT): kW / (kg/L x kJ/kg.K x K) = L/s; x 60 = L/min.
    return 60.0 * q_kw / (density * cp * dt)


# ------------------------------------------------------------------------------------- halls


def _loop_liquid_kw(hall: Hall, liquid_kw: float, rows: tuple[RowLoad, ...] | None) -> tuple[int, float]:
    """(loops per copy, liquid heat of the design loop). Row loops are standardised on the
    heaviest row of the placement (or an even share of the hall without one)."""
    if hall.cooling.cdu_scope == "hall":
        return 1, liquid_kw
    if rows:
        return hall.rows, max(r.liquid_kw for r in rows)
    return hall.rows, liquid_kw / hall.rows


def _hall_loops(spec: Spec, index: int, rows: tuple[RowLoad, ...] | None, dec: list[Decision]) -> HallLoops:
    hall = spec.hall[index]
    c = hall.cooling
    cat = cooling_catalog()
    heat = hall_heat(hall, spec)
    crah_kw = float(c.crah_kw) if c.crah_kw is not None else float(cat["crah"]["unit_kw"])
    crah = units_needed(heat.air_kw, crah_kw, c.crah_redundancy) if heat.air_kw > 1e-9 else 0
    dec.append(Decision(
        item=f"{hall.id}: CRAH / fan walls",
        rule="ceil(air heat / unit) + crah_redundancy, per copy (no growth margin: the racks fix the air heat)",
        inputs={"air_heat_kw": heat.air_kw, "unit_kw": crah_kw, "redundancy": c.crah_redundancy},
        result={"units_per_copy": crah}, source=cat["crah"]["source"]))
    loops, loop_kw = _loop_liquid_kw(hall, heat.liquid_kw, rows)
    per_loop = cdus_installed(c, loop_kw) if heat.liquid_kw > 1e-9 else 0
    unit = cdu_unit_kw(c)
    dec.append(Decision(
        item=f"{hall.id}: CDUs",
        rule=('cdus = "auto": ceil(loop liquid heat / cdu_kw) + cdu_redundancy; none without liquid heat'
              if c.cdus == "auto" else "cdus per loop as the spec gives them; none without liquid heat"),
        inputs={"scope": c.cdu_scope, "loops_per_copy": loops, "loop_liquid_kw": loop_kw, "cdu_kw": unit,
                "redundancy": c.cdu_redundancy},
        result={"cdus_per_loop": per_loop, "cdus_per_copy": per_loop * loops},
        source=cat["cdu"]["default_unit_source"] if c.cdu_kw is None else "spec hall.cooling.cdu_kw"))
    tcs = None
    if heat.liquid_kw > 1e-9:
        fluid = cat["tcs_fluid"]
        dt = c.return_temp_c - c.supply_temp_c
        tcs = header(_flow_l_per_min(loop_kw, fluid["density_kg_per_l"], fluid["specific_heat_kj_per_kg_k"], dt))
        dec.append(Decision(
            item=f"{hall.id}: TCS loop",
            rule="V = 60 Q / (rho cp dT) L/min of the TCS fluid; header: smallest DN under the velocity limit",
            inputs={"loop_liquid_kw": loop_kw, "fluid": fluid["name"], "delta_t_k": dt,
                    "velocity_limit_m_per_s": cat["piping"]["velocity_limit_m_per_s"]},
            result={"flow_l_per_min": tcs.flow_l_per_min, "header": tcs.size, "velocity_m_per_s": tcs.velocity_m_per_s},
            source=f"{fluid['source']}; {cat['piping']['velocity_source']}"))
    return HallLoops(
        hall=hall.id, hall_index=index, copies=hall.copies, it_kw=heat.it_kw, liquid_kw=heat.liquid_kw,
        air_kw=heat.air_kw, crah_unit_kw=crah_kw, crah_units=crah, crah_redundancy=c.crah_redundancy,
        cdu_scope=c.cdu_scope, loops=loops, cdu_unit_kw=unit, cdus_per_loop=per_loop,
        cdu_redundancy=c.cdu_redundancy, cdu_auto=c.cdus == "auto",
        cdu_pump_kw=heat.liquid_kw * cdu_pump_kw_per_kw(c),
        crah_fan_kw=heat.air_kw * float(cat["crah"]["fan_kw_per_kw"]),
        tcs_supply_c=c.supply_temp_c, tcs_return_c=c.return_temp_c, tcs_loop_liquid_kw=loop_kw, tcs=tcs)


# ------------------------------------------------------------------------------------ plants


def plant_groups(spec: Spec) -> list[tuple[str, str, int, tuple[tuple[str, int], ...]]]:
    """(plant id, area, identical plants, ((hall id, copies served by one plant), ...))."""
    scope = spec.cooling_plant.scope
    every = tuple((h.id, h.copies) for h in spec.hall)
    if scope == "building":
        return [(f"{h.id}-plant", h.id, h.copies, ((h.id, 1),)) for h in spec.hall]
    if scope == "campus" or not spec.phase:
        return [("campus-plant", "campus", 1, every)]
    halls = spec.halls()
    out, placed = [], dict.fromkeys(halls, 0)
    for ph in spec.phase:
        served: dict[str, int] = {}
        for ph_hall in ph.halls:
            if ph_hall.hall in halls:
                n = ph_hall.copies if ph_hall.copies is not None else halls[ph_hall.hall].copies
                served[ph_hall.hall] = served.get(ph_hall.hall, 0) + n
                placed[ph_hall.hall] += n
        if served:
            out.append((f"{ph.id}-plant", ph.id, 1, tuple(served.items())))
    rest = tuple((h, halls[h].copies - n) for h, n in placed.items() if halls[h].copies > n)
    if rest:
        out.append(("campus-plant", "campus", 1, rest))
    return out


class _Ctx:
    """What sizing a plant needs besides its halls."""

    def __init__(self, spec: Spec, site, year, at, dec: list[Decision], diags: list[Diagnostic]):
        self.spec, self.site, self.year, self.at, self.dec, self.diags = spec, site, year, at, dec, diags


def _rejection(ctx: _Ctx, pid: str, phys: annual.PlantPhysics, q: float) -> tuple[list[PlantUnits], float, float | None]:
    """Heat-rejection units for the design duty q; (units, free share at design, floated supply)."""
    plant = ctx.spec.cooling_plant
    hr = cooling_catalog()["heat_rejection"]
    db, wb = ctx.site.design_dry_bulb_c, ctx.site.design_wet_bulb_c
    dt = phys.return_c - phys.supply_c
    phi = float(annual.free_fraction(phys, [db], [wb])[0])
    chiller_kw = float(plant.chiller_kw) if plant.chiller_kw is not None else plant.unit_kw
    red = plant.redundancy
    units: list[PlantUnits] = []
    floats = None
    if plant.kind in ("dry-cooler", "hybrid"):
        a, rated = float(hr["dry-cooler"]["approach_k"]), float(hr["dry-cooler"]["rated_itd_k"])
        if plant.kind == "hybrid":
            itd, rule = dt + a, "dry coolers carry all the heat up to the changeover (ITD = dT + approach)"
        elif phi < 1.0:
            floats = db + a
            itd, rule = dt + a, "dry coolers alone: the loop floats to design dry-bulb + approach"
        else:
            itd, rule = phys.return_c - db, "ITD = FWS return - design dry-bulb"
        cap = plant.unit_kw * itd / rated
        units.append(PlantUnits(family="dry-cooler", rated_unit_kw=plant.unit_kw, design_unit_kw=cap, duty_kw=q,
                                count=units_needed(q, cap, red), redundancy=red))
        ctx.dec.append(Decision(
            item=f"{pid}: dry coolers", rule=f"capacity = rated x ITD / rated ITD; {rule}; units = ceil(Q / capacity) + redundancy",
            inputs={"duty_kw": q, "rated_unit_kw": plant.unit_kw, "rated_itd_k": rated, "itd_k": itd,
                    "design_dry_bulb_c": db, "redundancy": red},
            result={"unit_kw_at_design": cap, "units": units[-1].count}, source=hr["dry-cooler"]["rating_source"]))
        if plant.kind == "hybrid" and phi < 1.0:
            units.append(_chillers(ctx, pid, phys, q * (1.0 - phi), chiller_kw, "trim (air-cooled)"))
    elif plant.kind == "cooling-tower":
        ct = hr["cooling-tower"]
        approach = phys.supply_c - wb
        if approach < float(ct["approach_k"]):
            approach = float(ct["approach_k"])
            floats = wb + approach
        curve = ct["capacity_by_approach"]
        f = _interp(approach, [p[0] for p in curve], [p[1] for p in curve])
        units.append(PlantUnits(family="cooling-tower", rated_unit_kw=plant.unit_kw, design_unit_kw=plant.unit_kw * f,
                                duty_kw=q, count=units_needed(q, plant.unit_kw * f, red), redundancy=red))
        ctx.dec.append(Decision(
            item=f"{pid}: cooling towers", rule="capacity = rated x factor(approach = FWS supply - design wet-bulb); units = ceil(Q / capacity) + redundancy",
            inputs={"duty_kw": q, "rated_unit_kw": plant.unit_kw, "approach_k": approach, "design_wet_bulb_c": wb, "redundancy": red},
            result={"capacity_factor": f, "units": units[-1].count}, source=f"{ct['rating_source']}; {ct['source']}"))
    else:
        chillers = _chillers(ctx, pid, phys, q, chiller_kw, "water-cooled")
        cop = float(annual.chiller_cop(phys, [db], [wb])[0])
        tower_q = q * (1.0 + 1.0 / cop)
        ch = hr["chiller"]
        cell = chiller_kw * float(ch["tower_kw_per_chiller_kw"])
        units += [chillers, PlantUnits(family="cooling-tower", rated_unit_kw=cell, design_unit_kw=cell, duty_kw=tower_q,
                                       count=units_needed(tower_q, cell, red), redundancy=red)]
        ctx.dec.append(Decision(
            item=f"{pid}: cooling towers (condenser water)",
            rule="Q_tower = Q x (1 + 1/COP at design); cell = chiller x tower ratio at the rated approach; ceil + redundancy",
            inputs={"duty_kw": q, "cop_design": cop, "cell_kw": cell, "redundancy": red},
            result={"tower_duty_kw": tower_q, "cells": units[-1].count}, source=ch["source"]))
    return units, phi, floats


def _chillers(ctx: _Ctx, pid: str, phys: annual.PlantPhysics, duty: float, unit: float, what: str) -> PlantUnits:
    ch = cooling_catalog()["heat_rejection"]["chiller"]
    f = annual.chiller_capacity_factor(phys, ctx.site.design_dry_bulb_c, ctx.site.design_wet_bulb_c)
    red = ctx.spec.cooling_plant.redundancy
    n = units_needed(duty, unit * f, red)
    ctx.dec.append(Decision(
        item=f"{pid}: chillers ({what})",
        rule="capacity = rated x (1 + k_leaving (T_leaving - 6.7) + k_condenser (T_condenser - rated)); units = ceil(duty / capacity) + redundancy",
        inputs={"duty_kw": duty, "rated_unit_kw": unit, "leaving_c": phys.supply_c,
                "design_dry_bulb_c": ctx.site.design_dry_bulb_c, "design_wet_bulb_c": ctx.site.design_wet_bulb_c,
                "redundancy": red},
        result={"capacity_factor": f, "units": n}, source=f"{ch['rating_source']}; {ch['source']}"))
    return PlantUnits(family="chiller", rated_unit_kw=unit, design_unit_kw=unit * f, duty_kw=duty, count=n, redundancy=red)


def _interp(x: float, xs: list[float], ys: list[float]) -> float:
    import numpy as np

    return float(np.interp(x, xs, ys))


def _size_plant(ctx: _Ctx, group, loops: dict[str, HallLoops]) -> Plant:
    pid, area, count, served = group
    spec, cat = ctx.spec, cooling_catalog()
    hl = [(loops[h], n) for h, n in served]
    it = sum(h.it_kw * n for h, n in hl)
    cdu = sum(h.cdu_pump_kw * n for h, n in hl)
    crah = sum(h.crah_fan_kw * n for h, n in hl)
    el = cat["electrical_losses"]
    losses = it * float(el["kw_per_kw_it"])
    heat = it + cdu + crah + losses
    q = heat * (1.0 + spec.policy.sizing_margin)
    fw = cat["facility_water"]
    supply = min(h.tcs_supply_c for h, _ in hl) - float(cat["cdu"]["approach_k"])
    dt = spec.cooling_plant.fws_delta_t_k or min(h.tcs_return_c - h.tcs_supply_c for h, _ in hl)
    phys = annual.PlantPhysics(kind=spec.cooling_plant.kind, supply_c=supply, return_c=supply + dt,
                               economiser=spec.cooling_plant.kind == "chiller")
    ctx.dec.append(Decision(
        item=f"{pid}: heat", rule="Q = IT + CDU pumps + CRAH fans + power-chain losses of the copies served; design Q = Q x (1 + margin); "
        "FWS supply = coldest TCS supply - CDU approach, return = supply + dT",
        inputs={"halls": dict(served), "it_kw": it, "cdu_pumps_kw": cdu, "crah_fans_kw": crah, "losses_kw": losses,
                "sizing_margin": spec.policy.sizing_margin, "cdu_approach_k": cat["cdu"]["approach_k"], "fws_delta_t_k": dt},
        result={"heat_kw": heat, "design_heat_kw": q, "fws_supply_c": supply, "fws_return_c": supply + dt},
        source=f"{el['source']}; {cat['cdu']['approach_source']}"))
    units, phi, floats = _rejection(ctx, pid, phys, q)
    if floats is not None:
        _warn_floats(ctx, pid, phys, floats)
    flow = _flow_l_per_min(q, fw["density_kg_per_l"], fw["specific_heat_kj_per_kg_k"], dt)
    fws = header(flow)
    # kg/L x L/s = kg/s; x g x H = W; / wire-to-water efficiency / 1000 = kW input.
    pump_kw = fw["density_kg_per_l"] * (flow / 60.0) * G * fw["pump_head_m"] / fw["pump_efficiency"] / 1000.0
    pumps = units_needed(pump_kw, float(fw["pump_motor_kw"]), fw["pump_redundancy"])
    ctx.dec.append(Decision(
        item=f"{pid}: facility water", rule="V = 60 Q / (rho cp dT) L/min; header under the velocity limit; P = rho g H V / eta; pumps = ceil(P / motor) + N+1",
        inputs={"design_heat_kw": q, "delta_t_k": dt, "head_m": fw["pump_head_m"], "efficiency": fw["pump_efficiency"],
                "motor_kw": fw["pump_motor_kw"]},
        result={"flow_l_per_min": flow, "header": fws.size, "velocity_m_per_s": fws.velocity_m_per_s,
                "pump_input_kw": pump_kw, "pumps": pumps},
        source=f"{fw['source_fluid']}; {fw['pump_head_source']}; {cat['piping']['velocity_source']}"))
    over = annual.Overheads(cdu_pump=cdu / it, crah_fan=crah / it, losses=losses / it, house=float(el["house_kw_per_kw_it"]),
                            fws_pump=pump_kw / it / (1.0 + spec.policy.sizing_margin), heat=heat / it)
    return Plant(id=pid, area=area, count=count, halls=tuple(served), it_kw=it, heat_kw=heat, design_heat_kw=q,
                 fws_supply_c=supply, fws_return_c=supply + dt, design_free_fraction=phi, supply_floats_to_c=floats,
                 units=tuple(units), fws=fws, pump_kw=float(fw["pump_motor_kw"]), pumps=pumps,
                 year=_plant_year(ctx, phys, over, pid))


def _plant_year(ctx: _Ctx, phys: annual.PlantPhysics, over: annual.Overheads, pid: str = "") -> PlantYear:
    pue_h, phi = annual.pue(phys, over, ctx.year.dry_bulb_c, ctx.year.wet_bulb_c)
    design_pue, _ = annual.pue(phys, over, [ctx.site.design_dry_bulb_c], [ctx.site.design_wet_bulb_c])
    design_kw, _ = annual.rejection_kw_per_kw(phys, [ctx.site.design_dry_bulb_c], [ctx.site.design_wet_bulb_c])
    mech_capable = phys.kind in ("hybrid", "chiller")
    free, none = int((phi >= 1.0).sum()), int((phi <= 0.0).sum())
    evap, blow = annual.water_l_per_kwh_it(phys, over, ctx.year.dry_bulb_c, ctx.year.wet_bulb_c)
    if phys.kind in ("chiller", "cooling-tower"):
        w = cooling_catalog()["water"]
        ctx.dec.append(Decision(
            item=f"{pid}: cooling-tower water (WUE)",
            rule="hourly: E = heat per kW IT x tower share x 3600 x evaporated share / latent heat (L/kWh IT); B = E / (cycles - 1); "
            "WUE = year mean of E + B (tower share: 1 for towers, phi + (1 - phi)(1 + 1/COP) for water-cooled chillers)",
            inputs={"heat_per_kw_it": over.heat, "evaporated_share": w["evaporated_share"],
                    "latent_heat_kj_per_kg": w["latent_heat_kj_per_kg"], "cycles_of_concentration": w["cycles_of_concentration"]},
            result={"evaporation_l_per_kwh": float(evap.mean()), "blowdown_l_per_kwh": float(blow.mean()),
                    "wue_l_per_kwh": float(evap.mean() + blow.mean())},
            source=f"{w['latent_heat_source']}; {w['evaporated_share_source']}; {w['cycles_source']}; {w['wue_source']}"))
    return PlantYear(
        evaporation_l_per_kwh=float(evap.mean()),
        blowdown_l_per_kwh=float(blow.mean()),
        economiser_hours=free,
        partial_hours=int(((phi > 0.0) & (phi < 1.0)).sum()) if mech_capable else 0,
        mechanical_hours=none if mech_capable else 0,
        hours_above_supply=0 if mech_capable else len(phi) - free,
        pue_annual=float(pue_h.mean()),
        pue_design=float(design_pue[0]),
        cooling_kw_per_kw_annual=float((pue_h.mean() - 1.0 - over.fixed) / over.heat),
        cooling_kw_per_kw_design=float(design_kw[0]),
        pue_hourly=pue_h,
    )


def _warn_floats(ctx: _Ctx, pid: str, phys: annual.PlantPhysics, floats: float) -> None:
    kind = ctx.spec.cooling_plant.kind
    air = "dry-bulb" if kind == "dry-cooler" else "wet-bulb"
    cdu = float(cooling_catalog()["cdu"]["approach_k"])
    ctx.diags.append(diag(
        "HUB760",
        f"{pid}: a {kind} plant cannot hold the {phys.supply_c:.1f} °C facility-water supply at the design {air} "
        f"({ctx.site.design_dry_bulb_c if kind == 'dry-cooler' else ctx.site.design_wet_bulb_c:.1f} °C); the loop floats to "
        f"{floats:.1f} °C (TCS supply {floats + cdu:.1f} °C) and the plant is sized there",
        ctx.at("cooling_plant", "kind"), ("cooling_plant", "kind"),
        help=f'use kind = "hybrid" (trim chillers) or "chiller", or raise the halls\' supply_temp_c to at least {floats + cdu:.0f} °C',
    ))


# ------------------------------------------------------------------------------------- stage


def size_cooling(
    spec: Spec, row_loads: Mapping[str, tuple[RowLoad, ...]] | None = None, source: SourceFile | None = None
) -> CoolingResult:
    name = source.name if source is not None else f"{spec.campus.id}.toml"

    def at(*path) -> Location:
        return source.at_value(tuple(path)) if source is not None else Location(file=name)

    dec: list[Decision] = []
    diags: list[Diagnostic] = []
    site = climate_mod.site_climate(spec)
    _climate_note(spec, site, at, diags)
    ctx = _Ctx(spec, site, climate_mod.site_year(spec), at, dec, diags)
    loops = {h.id: _hall_loops(spec, i, (row_loads or {}).get(h.id), dec) for i, h in enumerate(spec.hall)}
    plants = tuple(_size_plant(ctx, g, loops) for g in plant_groups(spec))
    result = CoolingResult(
        kind=spec.cooling_plant.kind, scope=spec.cooling_plant.scope, climate=_basis(site),
        halls=tuple(loops.values()), plants=plants, decisions=tuple(dec), diagnostics=tuple(diags))
    _check_design_day(spec, result, at, diags)
    return attrs.evolve(result, diagnostics=tuple(diags))


def _check_design_day(spec: Spec, result: CoolingResult, at, diags: list[Diagnostic]) -> None:
    """The electrical plant is sized on policy.design_pue and cooling_plant.power_kw_per_kw: warn
    when the sized plant needs more on the design day (HUB762, HUB763)."""
    need = max((p.year.cooling_kw_per_kw_design for p in result.plants), default=0.0)
    if need > spec.cooling_plant.power_kw_per_kw + 0.005:
        diags.append(diag(
            "HUB763",
            f"the heat-rejection plant draws {need:.3f} kW per kW of heat at the design condition, above "
            f"cooling_plant.power_kw_per_kw {spec.cooling_plant.power_kw_per_kw:g} that the mechanical supply is sized on",
            at("cooling_plant", "power_kw_per_kw"), ("cooling_plant", "power_kw_per_kw"),
            help=f"set power_kw_per_kw = {math.ceil(need * 100) / 100:.2f}",
        ))
    if result.pue_design > spec.policy.design_pue + 0.005:
        diags.append(diag(
            "HUB762",
            f"the cooling plant gives a design-condition PUE of {result.pue_design:.3f}, above policy.design_pue "
            f"{spec.policy.design_pue:g} that the electrical plant is sized on",
            at("policy", "design_pue"), ("policy", "design_pue"),
            related=((at("cooling_plant", "kind"), "cooling plant"),),
            help=f"raise design_pue to {math.ceil(result.pue_design * 100) / 100:.2f}, or choose a plant with more free cooling",
        ))


def _basis(site) -> ClimateBasis:
    s = site.station
    return ClimateBasis(station=s.station, wmo=s.wmo, chosen_by=site.chosen_by, distance_km=site.distance_km,
                        design_dry_bulb_c=site.design_dry_bulb_c, design_wet_bulb_c=site.design_wet_bulb_c,
                        heating_dry_bulb_c=s.heating_db_c, basis=site.design_basis, source=s.source)


def _climate_note(spec: Spec, site, at, diags: list[Diagnostic]) -> None:
    """HUB761: the station and design condition used; a warning when the station is far from the
    site or campus.climate_station names no catalog station."""
    s = site.station
    named = spec.campus.climate_station
    unknown = named is not None and named not in climate_mod.stations()
    warn = site.far or unknown
    help_text = None
    if unknown:
        help_text = f'campus.climate_station "{named}" is not in the climate catalog; stations: ' + ", ".join(sorted(climate_mod.stations()))
    elif site.far:
        help_text = "name a nearer station with campus.climate_station, or add one to the climate catalog"
    diags.append(diag(
        "HUB761",
        f"climate: {site.describe()}; design {site.design_dry_bulb_c:g} °C dry-bulb / {site.design_wet_bulb_c:g} °C "
        f"wet-bulb (0.4 %), heating {s.heating_db_c:g} °C (99.6 %)",
        at("campus", "climate_station" if unknown else "region"), ("campus", "climate_station" if unknown else "region"),
        severity=Severity.WARNING if warn else None,
        help=help_text,
    ))
