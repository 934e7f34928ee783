"""Campus benchmark: UPS blocks for a 1 GW campus of GB200 scalable units (bench/specs/campus-gb200-1gw*.toml).

Change `electrical.topology` in a copy of a spec to compare 4M3 with block pairs (pairs-4, pairs-3x3).

For each spec, in a fresh process (so the peak RSS is that campus's alone): rack placement
(`run_racks`), electrical sizing, the rows -> blocks -> feeders -> transformers assignment and
the solver-free failure verifier, timed together; the UPS blocks installed on the campus (all
hall copies), the campus bound on blocks and the gap, the failure scenarios and how many fail;
beside the same figures for the greedy first-fit-decreasing baseline (`assign(use_solver=False)`).

Campus bound on blocks (`Assignment.campus`) = sum over halls of copies x max(the analytic lower
bound of the hall's topology, the rows -> blocks model's proved bound on its block term).

    PYTHONPATH=. python bench/bench_campus.py              # bench/specs/campus-gb200-1gw{,-demand}.toml
    PYTHONPATH=. python bench/bench_campus.py SPEC...      # any specs
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `bench.bench_racks` and this checkout's hubc, run from anywhere
DEFAULT = (
    ROOT / "bench" / "specs" / "campus-gb200-1gw.toml",  # the split written by hand (every module ~89 % full)
    ROOT / "bench" / "specs" / "campus-gb200-1gw-demand.toml",  # the same campus as a [[demand]]: hubc splits it
)


def measure(path: str) -> dict:
    from bench.common import load_spec
    from hubc.electrical.demand import apply_demand, demand_splits
    from hubc.electrical.feeds import assign
    from hubc.electrical.sizing import size_electrical
    from hubc.electrical.verify import verify_electrical
    from hubc.racks import run_racks

    doc, spec = load_spec(path)
    import ortools.sat.python.cp_model  # noqa: F401  (imported before the clock starts)

    t0 = time.perf_counter()
    c0 = time.process_time()
    spec = apply_demand(spec)  # a campus [[demand]]: the master's split, fills priced as built (as `hubc build` does)
    t_master = time.perf_counter() - t0
    layout = run_racks(spec, source=doc.source)
    t_racks = time.perf_counter() - t0
    sz = size_electrical(spec, layout.row_loads(), doc.source)
    splits = demand_splits(spec)
    asg = assign(sz, splits=splits)
    ver = verify_electrical(sz, asg, tier=spec.policy.tier, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0

    t1 = time.perf_counter()
    greedy = assign(sz, use_solver=False, splits=splits)
    gver = verify_electrical(sz, greedy, tier=spec.policy.tier, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw)
    greedy_wall = time.perf_counter() - t1

    blocks, bound = asg.campus.blocks, asg.campus.bound
    gblocks = greedy.campus.blocks
    stats = [(h.hall, s.model, s.status, round(100 * s.gap, 2)) for h in asg.halls for s in h.stats]
    stats += [("campus", s.model, s.status, round(100 * s.gap, 2)) for s in asg.stats]
    return {
        "spec": Path(path).name,
        "topology": sz.topology.label,
        "it_mw": sz.it_kw / 1000,
        "critical_mw": sz.critical_kw / 1000,
        "halls": sum(h.copies for h in asg.halls),
        "distinct": len(asg.halls),
        "blocks": blocks,
        "bound": bound,
        "gap": (blocks - bound) / blocks if blocks else 0.0,
        "split_bound": asg.campus.split_bound,
        "split": [(f.hall, f.copies, f.pods_per_copy, f.blocks_bound, f.blocks_reserve, f.blocks_priced) for sp in splits for f in sp.fills],
        "reserve_bound": [sp.reserve_bound_blocks for sp in splits],
        "priced": [(sp.priced_blocks, sp.priced_feeders) for sp in splits],
        "feeders": sum(len(h.feeders) * h.copies for h in asg.halls),
        "master_s": t_master,
        "racks_s": t_racks - t_master,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "scenarios": len(ver.scenarios),
        "failing": sum(1 for s in ver.scenarios if not s.ok),
        "greedy_blocks": gblocks,
        "greedy_gap": (gblocks - bound) / gblocks if gblocks else 0.0,
        "greedy_feeders": sum(len(h.feeders) * h.copies for h in greedy.halls),
        "greedy_s": greedy_wall,
        "greedy_failing": sum(1 for s in gver.scenarios if not s.ok),
        "models": stats,
    }


def main(argv: list[str]) -> None:
    from bench.bench_racks import fresh_rows

    rows = fresh_rows(__file__, measure, argv, DEFAULT)
    if rows is None:
        return
    head = (
        f"{'campus':<24} {'topology':>9} {'IT MW':>7} {'halls':>5} {'blocks':>6} {'bound':>6} {'gap %':>6} "
        f"{'feeders':>7} {'master s':>8} {'racks s':>7} {'wall s':>7} {'CPU s':>6} {'peak MB':>7} {'fail':>9} | {'greedy':>6} {'gap %':>6} "
        f"{'feeders':>7} {'s':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['spec']:<24} {r['topology']:>9} {r['it_mw']:>7,.0f} {r['halls']:>5} {r['blocks']:>6} {r['bound']:>6} "
            f"{100 * r['gap']:>6.2f} {r['feeders']:>7} {r['master_s']:>8.1f} {r['racks_s']:>7.1f} {r['wall_s']:>7.1f} {r['cpu_s']:>6.1f} {r['peak_mb']:>7.0f} "
            f"{r['failing']:>4}/{r['scenarios']:<4} | {r['greedy_blocks']:>6} {100 * r['greedy_gap']:>6.2f} "
            f"{r['greedy_feeders']:>7} {r['greedy_s']:>6.2f}"
        )
    print()
    for r in rows:
        if r["split"]:
            print(f"{r['spec']}: campus demand split (hall, copies, pods per copy, lower bound (reserve bound alone) and priced blocks per copy); "
                  f"bound of this split {r['split_bound']}; master's priced (blocks, feeders) {r['priced']}; "
                  f"the master's bound on the reserve bound alone {r['reserve_bound']}:")
            for hall, copies, n, lb, reserve, priced in r["split"]:
                print(f"  {hall:<24} {copies:>4} x {n:>3}  >= {lb} blocks ({reserve}), priced {priced}")
        print(f"{r['spec']}: per-model status and gap %:")
        for hall, model, status, gap in r["models"]:
            print(f"  {hall:<24} {model:<22} {status:<9} {gap:>6.2f}")
    print()
    print("blocks = UPS blocks on the campus (all hall copies); bound = proved lower bound on blocks (with a")
    print("campus [[demand]]: the master's bound over every split it allows, each copy bound by the larger of the")
    print("topology's reserve bound and the rack-granularity bound on its indivisible row loads);")
    print("master s = the campus demand master (pricing fills by building them); wall s = master + racks + sizing + assignment + failure verifier; fail = failing / all failure scenarios.")
    print("CPU s = process CPU time of the same (the machine is shared: wall depends on its load).")
    print("Solver: CP-SAT, 1 worker, fixed seed, deterministic time (no wall-clock limit).")


if __name__ == "__main__":
    main(sys.argv[1:])
