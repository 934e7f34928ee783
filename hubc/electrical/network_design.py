"""Network design: build the network, study it, change the design where the studies say so,
and rate the equipment from the duty.

In: the spec, the sizing, the assignment and the sized feeder cables. Out: `NetworkDesign` - the
final network, its studies and ratings, the measures applied, and the sizing, assignment and
feeder designs they changed.

Order (each step's duty comes from pandapower):
1. MV short-circuit duty at the sections (IEC 60909 maximum). Above the largest standard rating
   of the switchgear class: higher-impedance main transformers, the least vk in 0.5 % steps up to
   the catalog limit (the split secondary for the rated current is decided in sizing); otherwise
   the reason it cannot, left to the ratings (HUB753).
2. Cable short-circuit withstand (IEC 60949) at each feeder's sending section: a cable below it
   is re-chosen at the minimum section.
3. The typical halls' failure load flows: a feeder cable loaded above 1 / margin (catalog
   mv_feeder.load_flow_margin) is re-chosen for margin x its worst current.
4. Load flows of every scenario. A cable or mechanical unit substation above 100 % in any of them
   is resized (the cable for the worst load-flow current, more mechanical unit substations) and
   the studies run again, at most twice; what is still above 100 % is reported (HUB750).
5. Ratings of every switchboard, bay and cable from the final studies.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import attrs

from hubc.catalog import electrical as cat
from hubc.electrical.build import GeneratorPlan, build_network, generator_plan, main_transformer_vk
from hubc.electrical.feeds import Assignment, refresh_mech
from hubc.electrical.network import Network
from hubc.electrical.ratings import Measure, Ratings, choose_ratings, min_cable_mm2, required_short_circuit_ka
from hubc.electrical.sizing import Decision, ElectricalSizing, choose_mv_cable
from hubc.electrical.stage import FeederDesign, design_feeders
from hubc.electrical.studies import Studies, Study, clearing_time, run_studies, short_circuit, thermal_current_ka

MAX_PASSES = 3


@attrs.frozen(kw_only=True)
class NetworkDesign:
    sizing: ElectricalSizing
    assignment: Assignment
    feeder_designs: tuple[FeederDesign, ...]
    generators: GeneratorPlan
    network: Network
    studies: Studies
    ratings: Ratings
    measures: tuple[Measure, ...]
    decisions: tuple[Decision, ...]
    main_vk_percent: float  # the main transformers' impedance as built (IEC minimum or raised)
    passes: int  # study passes run (1 + resizes)


def design_network(spec, sz: ElectricalSizing, asg: Assignment, designs: tuple[FeederDesign, ...], timings: dict | None = None) -> NetworkDesign:
    """`timings`: filled with the wall time of each phase (for the benchmark)."""
    timings = timings if timings is not None else {}
    t_start = time.perf_counter()
    e = spec.electrical
    measures: list[Measure] = []
    decisions: list[Decision] = []
    gens = generator_plan(spec, sz, asg)
    decisions.append(gens.decision)
    arr = sz.arrangement()
    vk_min = main_transformer_vk(sz.main_tx_mva) if sz.main_tx_count else 0.0
    vk = vk_min

    def cables_of(ds) -> dict:
        return {(d.hall, d.feeder): d.cable for d in ds}

    # 1. MV duty at the sections; higher-impedance main transformers if it is beyond the class
    mv_class = cat.switchgear_class(sz.mv_voltage_kv)
    f_hz = float(cat.table("short_circuit")["frequency_hz"])

    def mv_duty(vk_percent: float) -> tuple[float, dict]:
        net = build_network(spec, sz, asg, cables_of(designs), gens, main_vk_percent=vk_percent if sz.main_tx_count else None)
        _cases, res = short_circuit(net, arr, roles=("mv-section", "mv-reserve"))
        worst = 0.0
        for rec in res.values():
            mx = rec.get("ikss_max")
            if not mx:
                continue
            tk = clearing_time(sz.mv_voltage_kv)
            ith = thermal_current_ka(mx[0], rec.get("ip_max", 0.0), tk, f_hz)
            worst = max(worst, required_short_circuit_ka(mx[0], rec.get("ip_max", 0.0), ith, tk, f_hz)[0])
        return worst, res

    need, mv_res = mv_duty(vk)
    # a measure only for a duty beyond the class's largest standard rating; a rating fixed in the
    # spec below its duty is the user's to change (HUB752)
    limit = mv_class.max_short_circuit_ka
    if sz.main_tx_count and need > limit + 1e-9:
        meas = cat.table("short_circuit_measures")
        vk_max = float(meas["main_transformer_vk_max_percent"])
        step = float(meas["vk_step_percent"])
        at_max, _ = mv_duty(vk_max)
        if at_max > limit + 1e-9:
            governing = max(((rec["ikss_max"][2], rec["ikss_max"][0]) for rec in mv_res.values() if rec.get("ikss_max")), key=lambda x: x[1], default=("", 0.0))[0]
            measures.append(
                Measure(
                    item=f"{sz.substation_id} MV sections",
                    kind="none-possible",
                    reason=f"duty {need:.1f} kA > {limit:g} kA; even at vk {vk_max:g} % it is {at_max:.1f} kA (governing case {governing}): "
                    + ("the philosophy parallels transformers" if arr.philosophy in ("parallel-on-loss", "closed-ties") else "the gensets and converters alone exceed it" if governing == "max/generators" else "the source is too strong"),
                    before=f"vk {vk:g} %",
                    after=f"vk {vk:g} % (unchanged)",
                )
            )
        else:
            # the transformer's share falls as 1/vk: interpolate, round up to the step, verify
            lo, lo_v = vk, need
            hi, hi_v = vk_max, at_max
            inv = (1 / lo - 1 / hi)
            b = (lo_v - hi_v) / inv if inv else 0.0
            a = hi_v - b / hi
            guess = b / (limit - a) if limit > a and b > 0 else vk_max
            cand = min(vk_max, max(vk + step, math.ceil(guess / step - 1e-9) * step))
            while True:
                v, _ = mv_duty(cand)
                if v <= limit + 1e-9 or cand >= vk_max - 1e-9:
                    break
                cand = min(vk_max, cand + step)
            measures.append(
                Measure(
                    item=f"{sz.substation_id} main transformers",
                    kind="higher-impedance",
                    reason=f"MV section duty {need:.1f} kA at the IEC 60076-5 minimum vk {vk:g} % exceeds {limit:g} kA",
                    before=f"vk {vk:g} %",
                    after=f"vk {cand:g} % ({v:.1f} kA)",
                )
            )
            vk = cand
            need, mv_res = mv_duty(vk)

    timings["mv_duty_and_measures_s"] = time.perf_counter() - t_start

    # 2. cable short-circuit withstand at the sending section
    k = float(cat.table("cable_short_circuit")["k_copper_xlpe"])
    where = asg.section_copies()
    act = arr.active_sections
    sec_ith: dict[str, float] = {}
    tk_mv = clearing_time(sz.mv_voltage_kv)
    for sid, rec in mv_res.items():
        mx = rec.get("ikss_max")
        if mx:
            sec_ith[sid] = thermal_current_ka(mx[0], rec.get("ip_max", 0.0), tk_mv, f_hz)
    new_designs = []
    upsized: dict[str, list[str]] = {}
    for d in designs:
        secs = {act[t].id for t in where.get((d.hall, d.feeder), ())}
        ith = max((sec_ith.get(s, 0.0) for s in secs), default=0.0)
        need_mm2 = min_cable_mm2(ith, tk_mv, k) if ith else 0.0
        if need_mm2 > d.cable.size_mm2 + 1e-9:
            c = choose_mv_cable(d.design_a, d.cable.length_m, sz.power_factor, sz.mv_voltage_kv, min_mm2=need_mm2)
            upsized.setdefault(d.hall, []).append(f"{d.feeder}: {d.cable.size_mm2:g} -> {c.size_mm2:g} mm2")
            d = attrs.evolve(d, cable=c, sc_min_mm2=need_mm2)
        else:
            d = attrs.evolve(d, sc_min_mm2=need_mm2)
        new_designs.append(d)
    designs = tuple(new_designs)
    for area, items in sorted(upsized.items()):
        measures.append(Measure(item=f"{area} MV feeder cables", kind="larger-cable", reason=f"short-circuit withstand S >= Ith sqrt(Tk) / k (IEC 60949, Tk {tk_mv:g} s, k {k:g})", before=f"{len(items)} feeder(s)", after="; ".join(items)))

    # 3. the typical halls' failure load flows first (cheap): a feeder cable above
    # 1 / margin is re-chosen before the campus studies, so they rarely need a second pass
    margin = float(cat.table("mv_feeder")["load_flow_margin"])
    t0 = time.perf_counter()
    pre = Study(spec, sz, asg, build_network(spec, sz, asg, cables_of(designs), gens, main_vk_percent=vk if sz.main_tx_count else None), gens).hall_feeder_worst()
    timings["hall_precheck_s"] = time.perf_counter() - t0
    new_designs = []
    grown: dict[str, list[str]] = {}
    for d in designs:
        worst_a, worst_v = pre.get((d.hall, d.feeder), (0.0, 0.0))
        if worst_v * margin > 1.0 + 1e-6:
            c = choose_mv_cable(max(d.design_a, worst_a * margin), d.cable.length_m, sz.power_factor, sz.mv_voltage_kv, min_mm2=d.sc_min_mm2)
            if (c.size_mm2, c.parallel) != (d.cable.size_mm2, d.cable.parallel):
                grown.setdefault(d.hall, []).append(f"{d.feeder}: {d.cable.parallel}x{d.cable.size_mm2:g} -> {c.parallel}x{c.size_mm2:g} mm2 ({worst_v:.1%} in the hall's failure load flows)")
                d = attrs.evolve(d, cable=c, load_flow_a=worst_a)
        new_designs.append(d)
    designs = tuple(new_designs)
    for area, items in sorted(grown.items()):
        measures.append(Measure(item=f"{area} MV feeder cables", kind="larger-cable", reason=f"loaded above {1 / margin:.0%} in a failure load flow (losses, reactive power and voltage raise the current above the design arithmetic; {margin:g} x the current for the section's voltage dip)", before=f"{len(items)} feeder(s)", after="; ".join(items)))

    # 4. studies; resize what the load flows still overload, at most twice
    passes = 0
    while True:
        passes += 1
        net = build_network(spec, sz, asg, cables_of(designs), gens, main_vk_percent=vk if sz.main_tx_count else None)
        studies = run_studies(spec, sz, asg, net, gens, timings)
        net = _with_equivalents(spec, sz, asg, designs, gens, vk, studies)
        if passes >= MAX_PASSES:
            break
        changed = False
        lf = _line_worst(net, studies)
        new_designs = []
        grown: dict[str, list[str]] = {}
        for d in designs:
            worst_a, worst_v = lf.get((d.hall, d.feeder), (0.0, 0.0))
            if worst_v > 1.0 + 1e-6:
                c = choose_mv_cable(max(d.design_a, worst_a * 1.01), d.cable.length_m, sz.power_factor, sz.mv_voltage_kv, min_mm2=d.sc_min_mm2)
                if (c.size_mm2, c.parallel) != (d.cable.size_mm2, d.cable.parallel):
                    grown.setdefault(d.hall, []).append(f"{d.feeder}: {d.cable.parallel}x{d.cable.size_mm2:g} -> {c.parallel}x{c.size_mm2:g} mm2 ({worst_v:.1%} in a load flow)")
                    d = attrs.evolve(d, cable=c)
                    changed = True
            new_designs.append(attrs.evolve(d, load_flow_a=max(d.load_flow_a, worst_a)))
        designs = tuple(new_designs)
        for area, items in sorted(grown.items()):
            measures.append(Measure(item=f"{area} MV feeder cables", kind="larger-cable", reason="loaded above 100 % in a load flow (losses, reactive power and voltage raise the current above the design arithmetic)", before=f"{len(items)} feeder(s)", after="; ".join(items)))
        mech_worst = max((b.worst_loading or 0.0 for b in studies.branches if b.kind == "transformer" and b.role == "mechanical"), default=0.0)
        if mech_worst > 1.0 + 1e-6 and sz.mech_uss:
            # the survivors after the worst loss must grow by the overload: n - ceil(n / feeders)
            # >= ceil(survivors x loading)
            before = sz.mech_uss
            feeders = max(1, sz.mech_feeders)
            left = before - math.ceil(before / feeders)
            need_left = math.ceil(left * mech_worst - 1e-9)
            n = before + 1
            while n - math.ceil(n / feeders) < need_left:
                n += 1
            sz = attrs.evolve(sz, mech_uss=n)
            asg = refresh_mech(asg, sz)
            designs = tuple(d for d in designs if d.hall != "campus") + tuple(x for x in design_feeders(sz, asg) if x.hall == "campus")
            measures.append(Measure(item="campus mechanical unit substations", kind="more-units", reason=f"a mechanical unit substation reaches {mech_worst:.1%} in a load flow", before=f"{before}", after=f"{sz.mech_uss}"))
            changed = True
        if not changed:
            break
    t0 = time.perf_counter()
    ratings = choose_ratings(net, studies, mv_switchgear_ka=e.mv_switchgear_ka, lv_board_ka=e.lv_board_ka)
    timings["ratings_s"] = time.perf_counter() - t0
    timings["passes"] = passes
    # the sets the islands need are the ones installed
    sz = attrs.evolve(sz, generators=gens.total) if gens.total else sz
    return NetworkDesign(
        sizing=sz,
        assignment=asg,
        feeder_designs=designs,
        generators=gens,
        network=net,
        studies=studies,
        ratings=ratings,
        measures=tuple(measures),
        decisions=tuple(decisions),
        main_vk_percent=vk,
        passes=passes,
    )


def _with_equivalents(spec, sz, asg, designs, gens, vk, studies: Studies) -> Network:
    """The network as designed: the equivalent copies carry the typical copy's load-flow P and Q."""
    eq = {(h, f): (p, q) for h, f, p, q in studies.equivalents}
    return build_network(spec, sz, asg, {(d.hall, d.feeder): d.cable for d in designs}, gens, equivalents=eq, main_vk_percent=vk if sz.main_tx_count else None)


def _line_worst(net: Network, studies: Studies) -> Mapping[tuple[str, str], tuple[float, float]]:
    """(hall or "campus", assignment feeder id) -> (worst current A, worst loading) over every copy."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    lines = {x.id: x for x in net.lines}
    for b in studies.branches:
        x = lines.get(b.id)
        if x is None or x.role not in ("mv-feeder", "mechanical-feeder"):
            continue
        if x.role == "mechanical-feeder":
            key = ("campus", x.id)
        else:
            local = x.id.split(".", 2)[2]  # hall.cNN.mvf-01 -> mvf-01
            key = (x.area, f"{x.area}.{local}")
        a, v = out.get(key, (0.0, 0.0))
        out[key] = (max(a, b.worst_current_a or 0.0), max(v, b.worst_loading or 0.0))
    return out


__all__ = ["NetworkDesign", "design_network"]
