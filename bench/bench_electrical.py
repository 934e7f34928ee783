"""Electrical stage benchmark: 100 MW, 1 GW and 3 GW campuses.

For each spec: wall time of the whole stage (sizing, CP-SAT assignment, greedy baseline, failure
verification, and the network studies: MV duty and measures, the typical halls' failure load
flows, the campus load flows, IEC 60909 short circuit, ratings) with the time of each phase, and
of the SLD and network.json emitters; installed UPS and transformer capacity of the CP-SAT
assignment against the greedy first-fit baseline, the solver gaps; the failure scenarios; and
the studies' results: worst load-flow scenario, maximum Ik'' and ip per voltage level, the
ratings chosen, the measures applied, losses and grid import. Row loads come from rack
placement (`run_racks`), as in `hubc build`. pandapower is imported before the clock starts
(its import time is printed on its own).

    python bench/bench_electrical.py [spec.toml ...]
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_spec
from hubc.design_json import unstructure
from hubc.electrical.stage import run_electrical
from hubc.emit.network import network_json
from hubc.emit.sld import emit_sld
from hubc.racks import run_racks

SPECS = (
    "specs/gb200-100mw.toml",
    "specs/campus-1gw.toml",
    "bench/specs/campus-3gw.toml",
)


def bench(path: str) -> dict:
    doc, spec = load_spec(path)
    rows = run_racks(spec, source=doc.source).row_loads()
    timings: dict = {}
    t0 = time.perf_counter()
    res = run_electrical(spec, rows, doc.source, strict=False, timings=timings)
    t1 = time.perf_counter()
    files = emit_sld(res, spec)
    t2 = time.perf_counter()
    nj = network_json(res)
    t3 = time.perf_counter()
    sz = res.sizing
    return {
        "spec": path,
        "it_mw": sz.it_kw / 1000,
        "facility_mw": sz.facility_kw / 1000,
        "stage_s": t1 - t0,
        "timings": timings,
        "sld_s": t2 - t1,
        "sld_kb": len(files["sld.svg"]) / 1024,
        "network_json_s": t3 - t2,
        "network_json_kb": len(nj or b"") / 1024,
        "res": res,
        "cpsat": res.installed,
        "greedy": res.greedy,
        "gaps": [(h.hall, s.model, s.status, s.gap) for h in res.assignment.halls for s in h.stats] + [("campus", s.model, s.status, s.gap) for s in res.assignment.stats],
        "scenarios": len(res.verification.scenarios),
        "worst": res.verification.worst,
        "verify_s": _time_verify(res, spec),
        "feeders": res.feeder_designs,
        "full_cable": next(d for d in res.sizing.decisions if d.item == "mv-feeder").result,
        "sections": res.verification.sections,
        "ride": unstructure(next(d for d in res.sizing.decisions if d.item == "critical-ride-through")),
        "errors": [d for d in res.diagnostics if d.severity.value == "error"],
    }


def _time_verify(res, spec) -> float:
    """Wall time of the solver-free failure verification alone (incl. the bus-section sweep)."""
    from hubc.electrical.verify import verify_electrical

    t0 = time.perf_counter()
    verify_electrical(res.sizing, res.assignment, tier=spec.policy.tier, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw)
    return time.perf_counter() - t0


def _cable_lines(r: dict) -> list[str]:
    """MV cable by arrangement, and copper against sizing every feeder for the 600 A bay."""
    mix: dict[tuple[int, float], list] = {}
    for d in r["feeders"]:
        mix.setdefault((d.cable.parallel, d.cable.size_mm2), []).append(d)
    parts = [f"{n}x{mm2:g} mm2: {sum(d.copies for d in ds)}" for (n, mm2), ds in sorted(mix.items())]
    copper = sum(d.copies * d.cable.parallel * d.cable.size_mm2 * d.cable.length_m for d in r["feeders"])
    full = dict(r["full_cable"])
    full_cu = sum(d.copies * full["cable_at_rating_parallel"] * full["cable_at_rating_mm2"] * d.cable.length_m for d in r["feeders"])
    top = max(r["feeders"], key=lambda d: d.design_a)
    return [
        "MV feeder cables (feeders): " + ", ".join(parts),
        (
            f"copper {copper / 1e6:,.2f} m3 vs {full_cu / 1e6:,.2f} m3 if every feeder were cabled for 600 A ({1 - copper / full_cu:.1%} less); "
            f"highest design current {top.design_a:,.0f} A ({top.feeder}, {top.worst_failure})"
        ),
    ]


def _study_lines(r: dict) -> list[str]:
    res = r["res"]
    st, rat, net = res.studies, res.ratings, res.network
    if st is None:
        return ["(no studies)"]
    t = r["timings"]
    out = [
        (
            f"network: {net.counts()['buses']} buses ({net.counts()['equivalent_buses']} equivalent hall ends), {net.counts()['lines']} lines, "
            f"{net.counts()['transformers']} transformers, {net.counts()['switches']} switches, {net.counts()['generators']} gensets; {res.sizing.philosophy}, "
            f"{res.sizing.tx_secondaries} winding(s) per main transformer, vk {res.main_vk_percent:g} %"
        ),
        f"studies {sum(v for k, v in t.items() if k.endswith('_s') and k != 'sizing_assignment_verifier_s'):.2f} s in {t.get('passes', 0)} pass(es): "
        + ", ".join(f"{k.removesuffix('_s').replace('_', ' ')} {v:.2f} s" for k, v in t.items() if k.endswith("_s"))
        + f"; {st.load_flows} load flows solved for {len(st.scenarios)} scenarios",
    ]
    w = st.worst
    out.append(f"worst load flow: {w.id} ({w.kind}): {w.worst_component} at {w.worst_loading:.1%}; min voltage {min((s.min_vm_pu for s in st.scenarios if s.min_vm_pu), default=0):.3f} pu")
    levels: dict = defaultdict(lambda: (0.0, 0.0, "", ""))
    for b in st.buses:
        if b.ikss_max_ka and b.role not in ("utility", "transformer-hv") and b.ikss_max_ka > levels[(b.vn_kv, b.role)][0]:
            levels[(b.vn_kv, b.role)] = (b.ikss_max_ka, b.ip_max_ka, b.id, b.max_case)
    for (kv, role), (ik, ip, bid, case) in sorted(levels.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        out.append(f"  {kv:g} kV {role:14} Ik'' max {ik:6.1f} kA, ip {ip:6.1f} kA ({bid}, {case})")
    kinds: dict = defaultdict(set)
    for b in rat.buses:
        kinds[b.kind].add((b.rated_current_a, b.rated_short_circuit_ka))
    out.append("ratings: " + "; ".join(f"{k} " + ", ".join(f"{a:g} A/{ka:g} kA" for a, ka in sorted(v)) for k, v in sorted(kinds.items())))
    bays: dict = defaultdict(set)
    for b in rat.bays:
        bays[b.role].add(b.rated_current_a)
    out.append("bays: " + "; ".join(f"{role} " + "/".join(f"{a:g}" for a in sorted(v)) + " A" for role, v in sorted(bays.items())))
    for m in res.measures:
        out.append(f"measure: {m.item}: {m.kind}: {m.before} -> {m.after[:120]}")
    ls = st.losses
    out.append(
        f"losses {ls.total_kw / 1000:,.2f} MW (UPS {ls.ups_kw / 1000:,.2f}, unit substations {(ls.unit_substation_kw + ls.mechanical_substation_kw) / 1000:,.2f}, "
        f"MV cables {ls.mv_cable_kw / 1000:,.2f}, main transformers {ls.main_transformer_kw / 1000:,.2f}, lines {ls.transmission_kw / 1000:,.2f}); "
        f"grid import {st.grid.import_mw:,.1f} MW at PF {st.grid.power_factor:.3f} vs contract {st.grid.contract_mw:,.0f} MW; facility with losses {st.facility_with_losses_kw / 1000:,.1f} MW"
    )
    if r["errors"]:
        out.append("ERRORS: " + " | ".join(f"{d.code} {d.message[:100]}" for d in r["errors"]))
    return out


def main(paths: list[str]) -> None:
    t0 = time.perf_counter()
    from hubc.electrical.studies import _pp

    _pp()
    print(f"pandapower import {time.perf_counter() - t0:.2f} s (once per process)")
    for p in paths or SPECS:
        r = bench(p)
        c, g = r["cpsat"], r["greedy"]
        t = r["timings"]
        print(f"== {r['spec']}: IT {r['it_mw']:,.1f} MW, facility {r['facility_mw']:,.1f} MW")
        print(
            f"   electrical stage {r['stage_s']:.2f} s wall (sizing + CP-SAT + verifier {t.get('sizing_assignment_verifier_s', 0):.2f} s, "
            f"network studies and ratings {r['stage_s'] - t.get('sizing_assignment_verifier_s', 0):.2f} s), SLD {r['sld_s']:.2f} s ({r['sld_kb']:.0f} kB), "
            f"network.json {r['network_json_s']:.2f} s ({r['network_json_kb']:.0f} kB)"
        )
        print(f"   {'':18}{'CP-SAT':>14}{'greedy':>14}{'saved':>10}")
        for label, a, b in (
            ("UPS blocks", c.ups_blocks, g.ups_blocks),
            ("UPS MW", c.ups_kw / 1000, g.ups_kw / 1000),
            ("transformer MVA", c.transformer_kva / 1000, g.transformer_kva / 1000),
            ("MV feeders", c.mv_feeders, g.mv_feeders),
        ):
            saved = (b - a) / b if b else 0.0
            print(f"   {label:18}{a:>14,.1f}{b:>14,.1f}{saved:>10.1%}")
        for area, model, status, gap in r["gaps"]:
            print(f"   {area:12} {model:22} {status:9} gap {gap:.3%}")
        w = r["worst"]
        print(f"   {r['scenarios']} verifier scenarios; worst {w.worst_loading:.1%} ({w.kind}: {w.worst_component}); verifier {r['verify_s']:.2f} s")
        for line in _cable_lines(r):
            print("   " + line)
        if r["sections"]:
            sn = max(r["sections"], key=lambda s: s.normal_kva / s.rating_kva)
            sw = max(r["sections"], key=lambda s: s.worst_kva / s.rating_kva)
            print(f"   bus sections: normal max {sn.normal_kva / sn.rating_kva:.1%} ({sn.transformer}); after any downstream failure max {sw.worst_kva / sw.rating_kva:.1%} ({sw.transformer}: {sw.failure})")
        rr = r["ride"]["result"]
        bess = f"; BESS {rr['bess_power_check']}, bridge with BESS {rr['bridge_total_s']:,.0f} s" if "bess_power_check" in rr else ""
        print(f"   ride-through: UPS {rr['ups_bridge_s']:,.0f} s vs generator start {r['ride']['inputs']['generator_start_and_accept_s']:g} s ({rr['ups_margin_over_generator_start']:.0f}x){bess}")
        for line in _study_lines(r):
            print("   " + line)


if __name__ == "__main__":
    main(sys.argv[1:])
