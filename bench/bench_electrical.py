"""Electrical stage benchmark: 100 MW, 1 GW and 3 GW campuses.

For each spec: wall time of the whole stage (sizing, CP-SAT assignment, greedy baseline, failure
verification) and of the SLD emitter, installed UPS and transformer capacity of the CP-SAT
assignment against the greedy first-fit baseline, the solver gaps, and the failure scenarios.
Row loads come from rack placement (`run_racks`), as in `hubc build`.

    python bench/bench_electrical.py [spec.toml ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hubc.design_json import unstructure
from hubc.electrical.stage import run_electrical
from hubc.emit.sld import emit_sld
from hubc.racks import run_racks
from hubc.spec.convert import structure
from hubc.spec.source import load_path

SPECS = (
    "specs/gb200-100mw.toml",
    "specs/campus-1gw.toml",
    "bench/specs/campus-3gw.toml",
)


def bench(path: str) -> dict:
    doc, _ = load_path(path)
    spec, diags = structure(doc)
    if spec is None:
        raise SystemExit(f"{path}: {[str(d) for d in diags]}")
    rows = run_racks(spec, source=doc.source).row_loads()
    t0 = time.perf_counter()
    res = run_electrical(spec, rows, doc.source)
    t1 = time.perf_counter()
    files = emit_sld(res, spec)
    t2 = time.perf_counter()
    sz = res.sizing
    return {
        "spec": path,
        "it_mw": sz.it_kw / 1000,
        "facility_mw": sz.facility_kw / 1000,
        "stage_s": t1 - t0,
        "sld_s": t2 - t1,
        "sld_kb": len(files["sld.svg"]) / 1024,
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


def main(paths: list[str]) -> None:
    for p in paths or SPECS:
        r = bench(p)
        c, g = r["cpsat"], r["greedy"]
        print(f"== {r['spec']}: IT {r['it_mw']:,.1f} MW, facility {r['facility_mw']:,.1f} MW")
        print(f"   electrical stage {r['stage_s']:.2f} s wall, SLD {r['sld_s']:.2f} s ({r['sld_kb']:.0f} kB)")
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
        print(f"   {r['scenarios']} failure scenarios; worst {w.worst_loading:.1%} ({w.kind}: {w.worst_component}); verifier {r['verify_s']:.2f} s")
        for line in _cable_lines(r):
            print("   " + line)
        if r["sections"]:
            sn = max(r["sections"], key=lambda s: s.normal_kva)
            sw = max(r["sections"], key=lambda s: s.worst_kva)
            print(f"   bus sections: normal max {sn.normal_kva / sn.rating_kva:.1%} ({sn.transformer}); after any downstream failure max {sw.worst_kva / sw.rating_kva:.1%} ({sw.transformer}: {sw.failure})")
        rr = r["ride"]["result"]
        bess = f"; BESS {rr['bess_power_check']}, bridge with BESS {rr['bridge_total_s']:,.0f} s" if "bess_power_check" in rr else ""
        print(f"   ride-through: UPS {rr['ups_bridge_s']:,.0f} s vs generator start {r['ride']['inputs']['generator_start_and_accept_s']:g} s ({rr['ups_margin_over_generator_start']:.0f}x){bess}")


if __name__ == "__main__":
    main(sys.argv[1:])
