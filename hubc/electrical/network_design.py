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
from hubc.electrical.generator_groups import plant_connections
from hubc.electrical.network import Network
from hubc.electrical.pf_correction import PfCorrection, finish, size_pf_correction, with_correction
from hubc.electrical.ratings import Measure, Ratings, choose_ratings, min_cable_mm2, required_short_circuit_ka
from hubc.electrical.sizing import Decision, ElectricalSizing, choose_mv_cable
from hubc.electrical.stage import FeederDesign, design_feeders
from hubc.electrical.studies import (
    Studies,
    Study,
    clearing_time,
    normal_exchange,
    run_studies,
    short_circuit,
    thermal_current_ka,
)

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
    pf_correction: PfCorrection | None = None


def design_network(spec, sz: ElectricalSizing, asg: Assignment, designs: tuple[FeederDesign, ...], timings: dict | None = None) -> NetworkDesign:
    """`timings`: filled with the wall time of each phase (for the benchmark)."""
    d = _Designer(spec, sz, asg, designs, timings if timings is not None else {})
    t0 = time.perf_counter()
    need, mv_res = d.mv_duty(d.vk)
    if sz.main_tx_count and need > d.limit + 1e-9:
        mv_res = d.raise_impedance(need, mv_res)
    d.timings["mv_duty_and_measures_s"] = time.perf_counter() - t0
    d.cable_withstand(mv_res)
    t0 = time.perf_counter()
    d.resize_cables(Study(spec, d.sz, d.asg, d.build(), d.gens).hall_feeder_worst(), d.margin, "the hall's failure load flows")
    d.timings["hall_precheck_s"] = time.perf_counter() - t0
    net, studies, passes = d.study_passes()
    t0 = time.perf_counter()
    ratings = choose_ratings(net, studies, mv_switchgear_ka=spec.electrical.mv_switchgear_ka, lv_board_ka=spec.electrical.lv_board_ka)
    d.timings["ratings_s"] = time.perf_counter() - t0
    d.timings["passes"] = passes
    # the sets the islands need are the ones installed
    sz_out = attrs.evolve(d.sz, generators=d.gens.total) if d.gens.total else d.sz
    if d.gens.blocks is not None:  # lv-per-block: the sets are sized for their block
        sz_out = attrs.evolve(sz_out, generator_kw=d.gens.blocks.set_kw)
    pfc = finish(d.pfc, studies.grid.import_mw, studies.grid.import_mvar)
    return NetworkDesign(
        sizing=sz_out,
        assignment=d.asg,
        feeder_designs=d.designs,
        generators=d.gens,
        network=net,
        studies=studies,
        ratings=ratings,
        measures=tuple(d.measures),
        decisions=(d.gens.decision,) + ((d.gens.groups.decision,) if d.gens.groups else ()) + tuple(pc.decision for pc in d.plants) + ((pfc.decision(),) if pfc else ()),
        main_vk_percent=d.vk,
        passes=passes,
        pf_correction=pfc,
    )


class _Designer:
    """The design as it changes through the steps of `design_network`."""

    def __init__(self, spec, sz: ElectricalSizing, asg: Assignment, designs: tuple[FeederDesign, ...], timings: dict) -> None:
        self.spec, self.sz, self.asg, self.designs, self.timings = spec, sz, asg, designs, timings
        self.gens = generator_plan(spec, sz, asg)
        bus_kv = spec.substation.hv_voltage_kv if sz.main_tx_count else sz.mv_voltage_kv
        self.plants = plant_connections(spec, sz, bus_kv)
        self.arr = sz.arrangement()
        self.vk = main_transformer_vk(sz.main_tx_mva) if sz.main_tx_count else 0.0
        self.measures: list[Measure] = []
        self.f_hz = sz.frequency_hz
        # a measure only for a duty beyond the class's largest standard rating; a rating fixed in
        # the spec below its duty is the user's to change (HUB752)
        self.limit = cat.switchgear_class(sz.mv_voltage_kv).max_short_circuit_ka
        self.margin = float(cat.table("mv_feeder")["load_flow_margin"])
        self.pfc: PfCorrection | None = None  # sized after the first study pass (pf_correction.py)

    def build(self, vk: float | None = None) -> Network:
        vk = self.vk if vk is None else vk
        cables = {(x.hall, x.feeder): x.cable for x in self.designs}
        return with_correction(build_network(self.spec, self.sz, self.asg, cables, self.gens, main_vk_percent=vk if self.sz.main_tx_count else None), self.pfc)

    def mv_duty(self, vk: float) -> tuple[float, dict]:
        """The least short-circuit rating the MV sections need (IEC 60909 max), and the results."""
        _cases, res = short_circuit(self.build(vk), self.arr, roles=("mv-section", "mv-reserve"))
        tk = clearing_time(self.sz.mv_voltage_kv)
        worst = 0.0
        for rec in res.values():
            mx = rec.get("ikss_max")
            if mx:
                ith = thermal_current_ka(mx[0], rec.get("ip_max", 0.0), tk, self.f_hz)
                worst = max(worst, required_short_circuit_ka(mx[0], rec.get("ip_max", 0.0), ith, tk, self.f_hz)[0])
        return worst, res

    def raise_impedance(self, need: float, mv_res: dict) -> dict:
        """Higher-impedance main transformers: the least vk in steps up to the catalog limit that
        brings the MV duty within the class (the transformer's share falls as 1/vk: interpolate,
        round up to the step, verify), or the reason it cannot."""
        meas = cat.table("short_circuit_measures")
        vk_max, step = float(meas["main_transformer_vk_max_percent"]), float(meas["vk_step_percent"])
        at_max, _ = self.mv_duty(vk_max)
        vk = self.vk
        if at_max > self.limit + 1e-9:
            governing = max(((rec["ikss_max"][2], rec["ikss_max"][0]) for rec in mv_res.values() if rec.get("ikss_max")), key=lambda x: x[1], default=("", 0.0))[0]
            why = "the philosophy parallels transformers" if self.arr.philosophy in ("parallel-on-loss", "closed-ties") else "the gensets and converters alone exceed it" if governing == "max/generators" else "the source is too strong"
            self.measures.append(Measure(item=f"{self.sz.substation_id} MV sections", kind="none-possible", reason=f"duty {need:.1f} kA > {self.limit:g} kA; even at vk {vk_max:g} % it is {at_max:.1f} kA (governing case {governing}): {why}", before=f"vk {vk:g} %", after=f"vk {vk:g} % (unchanged)"))
            return mv_res
        b = (need - at_max) / (1 / vk - 1 / vk_max)
        a = at_max - b / vk_max
        guess = b / (self.limit - a) if self.limit > a and b > 0 else vk_max
        cand = min(vk_max, max(vk + step, math.ceil(guess / step - 1e-9) * step))
        v, _ = self.mv_duty(cand)
        while v > self.limit + 1e-9 and cand < vk_max - 1e-9:
            cand = min(vk_max, cand + step)
            v, _ = self.mv_duty(cand)
        self.measures.append(Measure(item=f"{self.sz.substation_id} main transformers", kind="higher-impedance", reason=f"MV section duty {need:.1f} kA at the IEC 60076-5 minimum vk {vk:g} % exceeds {self.limit:g} kA", before=f"vk {vk:g} %", after=f"vk {cand:g} % ({v:.1f} kA)"))
        self.vk = cand
        return self.mv_duty(cand)[1]

    def cable_withstand(self, mv_res: dict) -> None:
        """Each feeder cable at least the IEC 60949 section for its sending sections' Ith."""
        k = float(cat.table("cable_short_circuit")["k_copper_xlpe"])
        tk = clearing_time(self.sz.mv_voltage_kv)
        where = self.asg.section_copies()
        act = self.arr.active_sections
        sec_ith = {sid: thermal_current_ka(rec["ikss_max"][0], rec.get("ip_max", 0.0), tk, self.f_hz) for sid, rec in mv_res.items() if rec.get("ikss_max")}
        out, upsized = [], {}
        for x in self.designs:
            ith = max((sec_ith.get(act[t].id, 0.0) for t in where.get((x.hall, x.feeder), ())), default=0.0)
            need = min_cable_mm2(ith, tk, k) if ith else 0.0
            if need > x.cable.size_mm2 + 1e-9:
                c = choose_mv_cable(x.design_a, x.cable.length_m, self.sz.power_factor, self.sz.mv_voltage_kv, min_mm2=need)
                upsized.setdefault(x.hall, []).append(f"{x.feeder}: {x.cable.size_mm2:g} -> {c.size_mm2:g} mm2")
                x = attrs.evolve(x, cable=c)
            out.append(attrs.evolve(x, sc_min_mm2=need))
        self.designs = tuple(out)
        for area, items in sorted(upsized.items()):
            self.measures.append(Measure(item=f"{area} MV feeder cables", kind="larger-cable", reason=f"short-circuit withstand S >= Ith sqrt(Tk) / k (IEC 60949, Tk {tk:g} s, k {k:g})", before=f"{len(items)} feeder(s)", after="; ".join(items)))

    def resize_cables(self, worst: Mapping[tuple[str, str], tuple[float, float]], margin: float, where: str) -> bool:
        """Feeder cables loaded above 1 / margin in load flows are re-chosen for margin x their
        worst current. -> whether any changed."""
        out, grown = [], {}
        for x in self.designs:
            worst_a, worst_v = worst.get((x.hall, x.feeder), (0.0, 0.0))
            if worst_v * margin > 1.0 + 1e-6:
                c = choose_mv_cable(max(x.design_a, worst_a * margin), x.cable.length_m, self.sz.power_factor, self.sz.mv_voltage_kv, min_mm2=x.sc_min_mm2)
                if (c.size_mm2, c.parallel) != (x.cable.size_mm2, x.cable.parallel):
                    grown.setdefault(x.hall, []).append(f"{x.feeder}: {x.cable.parallel}x{x.cable.size_mm2:g} -> {c.parallel}x{c.size_mm2:g} mm2 ({worst_v:.1%} in {where})")
                    x = attrs.evolve(x, cable=c)
            out.append(attrs.evolve(x, load_flow_a=round(max(x.load_flow_a, worst_a), 2)))
        self.designs = tuple(out)
        for area, items in sorted(grown.items()):
            self.measures.append(Measure(item=f"{area} MV feeder cables", kind="larger-cable", reason=f"loaded above {1 / margin:.0%} in a load flow (losses, reactive power and voltage raise the current above the design arithmetic; {margin:g} x the current)", before=f"{len(items)} feeder(s)", after="; ".join(items)))
        return bool(grown)

    def more_mech_uss(self, studies: Studies) -> bool:
        """More mechanical unit substations when a load flow loads one above 100 %: the survivors
        after the worst loss must grow by the overload (n - ceil(n / feeders) >= ceil(survivors
        x loading)). -> whether the design changed."""
        sz = self.sz
        worst = max((b.worst_loading or 0.0 for b in studies.branches if b.kind == "transformer" and b.role == "mechanical"), default=0.0)
        if worst <= 1.0 + 1e-6 or not sz.mech_uss:
            return False
        feeders = max(1, sz.mech_feeders)
        need_left = math.ceil((sz.mech_uss - math.ceil(sz.mech_uss / feeders)) * worst - 1e-9)
        n = sz.mech_uss + 1
        while n - math.ceil(n / feeders) < need_left:
            n += 1
        self.measures.append(Measure(item="campus mechanical unit substations", kind="more-units", reason=f"a mechanical unit substation reaches {worst:.1%} in a load flow", before=f"{sz.mech_uss}", after=f"{n}"))
        self.sz = attrs.evolve(sz, mech_uss=n)
        self.asg = refresh_mech(self.asg, self.sz)
        self.designs = tuple(x for x in self.designs if x.hall != "campus") + tuple(x for x in design_feeders(self.sz, self.asg) if x.hall == "campus")
        return True

    def study_passes(self) -> tuple[Network, Studies, int]:
        """The studies; what the load flows still overload is resized and studied again (at most
        MAX_PASSES passes)."""
        passes = 0
        self.size_correction()
        while True:
            passes += 1
            studies = run_studies(self.spec, self.sz, self.asg, self.build(), self.gens, self.timings)
            net = with_correction(self._with_equivalents(studies.equivalents), self.pfc)
            if passes >= MAX_PASSES:
                return net, studies, passes
            changed = self.resize_cables(_line_worst(net, studies), 1.0, "a load flow")
            changed = self.more_mech_uss(studies) or changed
            if self.pfc is None:
                # pf_correction = "none": the power factor as the studies found it, for the report
                self.pfc = size_pf_correction(self.spec, net, dict(studies.normal_taps), studies.grid.import_mw, studies.grid.import_mvar)
            if not changed:
                return net, studies, passes

    def size_correction(self) -> None:
        """The power-factor correction from the normal load flow alone, before the studies, so
        that every study runs on the corrected network without a study pass spent measuring the
        power factor (the same normal load flow the first pass would run)."""
        if self.spec.electrical.pf_correction == "none":
            return
        t0 = time.perf_counter()
        x = normal_exchange(self.spec, self.sz, self.asg, self.build(), self.gens)
        self.pfc = size_pf_correction(self.spec, self._with_equivalents(x.equivalents), dict(x.taps), x.import_mw, x.import_mvar)
        self.timings["pf_correction_s"] = self.timings.get("pf_correction_s", 0.0) + time.perf_counter() - t0

    def _with_equivalents(self, equivalents) -> Network:
        """The network as designed: the equivalent copies carry the typical copy's load-flow P and Q."""
        eq = {(h, f): (p, q) for h, f, p, q in equivalents}
        cables = {(d.hall, d.feeder): d.cable for d in self.designs}
        return build_network(self.spec, self.sz, self.asg, cables, self.gens, equivalents=eq, main_vk_percent=self.vk if self.sz.main_tx_count else None)


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
