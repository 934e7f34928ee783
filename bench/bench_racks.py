"""Rack placement benchmark: CP-SAT (spine branch and bound) against greedy first-fit decreasing.

Prints, per campus: distinct halls, racks placed (all copies), wall time, peak memory (RSS of a
fresh process per campus), objective, best bound and gap (summed over hall copies), and the
same figures for the greedy placement of the same instance. Not a timed test: it prints.

    PYTHONPATH=. python bench/bench_racks.py            # 10 MW, 100 MW, 1 GW, 3 GW, 1 GW GB200, 48 x 48 hall
    PYTHONPATH=. python bench/bench_racks.py SPEC...    # any specs
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.common and this checkout's hubc, run from anywhere
DEFAULT = (
    ROOT / "specs" / "pilot-10mw.toml",
    ROOT / "specs" / "gb200-100mw.toml",
    ROOT / "specs" / "campus-1gw.toml",
    ROOT / "bench" / "specs" / "campus-3gw.toml",
    ROOT / "bench" / "specs" / "campus-gb200-1gw.toml",  # the 1 GW GB200 instance class of bench_campus
    ROOT / "bench" / "specs" / "hall-48x48.toml",  # one 48 x 48 hall: spine-position search scaling
)


def measure(path: str) -> dict:
    """Run in a fresh process (so peak RSS belongs to this campus alone)."""
    from bench.common import load_spec
    from hubc.core.loads import campus_heat
    from hubc.racks import run_racks
    from hubc.racks.placement import greedy_ffd, objective_of
    from hubc.racks.problem import prepare

    doc, spec = load_spec(path)

    t0 = time.perf_counter()
    layout = run_racks(spec, source=doc.source)
    wall = time.perf_counter() - t0

    # The greedy alone, timed on its own (problem preparation included, as for CP-SAT).
    t0 = time.perf_counter()
    greedy = []
    for i, _ in enumerate(spec.hall):
        p = prepare(spec, i)
        g = greedy_ffd(p)
        greedy.append(None if g is None else objective_of(p, g))
    greedy_wall = time.perf_counter() - t0

    obj = bound = gobj = 0.0
    cable = gcable = 0.0
    greedy_ok = all(g is not None for g in greedy)
    for h, g in zip(layout.halls, greedy):
        obj += h.objective * h.copies
        bound += h.best_bound * h.copies
        cable += h.solved.cable_m * h.copies
        if g is not None:
            gobj += g * h.copies
            gcable += h.greedy.cable_m * h.copies if h.greedy else 0.0
    distinct = sum(1 for h in layout.halls if h.same_as is None)
    solved = [h for h in layout.halls if h.same_as is None]
    return {
        "spec": Path(path).name,
        "it_mw": campus_heat(spec).it_kw / 1000,
        "halls": sum(h.copies for h in layout.halls),
        "distinct": distinct,
        "racks": sum(len(h.racks) * h.copies for h in layout.halls),
        "wall_s": wall,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "objective": obj,
        "bound": bound,
        "gap": (obj - bound) / obj if obj else 0.0,
        "cable_km": cable / 1000,
        "worst_hall_gap": max(h.gap for h in layout.halls),
        # Per objective of the lexicographic search: the worst gap over the distinct halls, and
        # the deterministic seconds spent on it (all halls).
        "phases": {
            name: (
                max(ph.gap for h in solved for ph in h.phases if ph.objective == name),
                sum(ph.deterministic_s for h in solved for ph in h.phases if ph.objective == name),
                sorted({ph.status for h in solved for ph in h.phases if ph.objective == name}),
            )
            for name in ("cable_cm", "row_power_spread_kw")
        },
        "statuses": sorted({h.status for h in layout.halls}),
        "greedy_ok": greedy_ok,
        "greedy_wall_s": greedy_wall,
        "greedy_objective": gobj if greedy_ok else None,
        "greedy_gap": (gobj - bound) / gobj if greedy_ok and gobj else None,
        "greedy_cable_km": gcable / 1000 if greedy_ok else None,
    }


def fresh_rows(script: str, measure, argv: list[str], default) -> list[dict] | None:
    """`--one SPEC`: print `measure(SPEC)` as JSON (None back); otherwise run `script --one`
    in a fresh process per spec (so peak RSS is that spec's alone) and return their rows."""
    if len(argv) >= 2 and argv[0] == "--one":
        print(json.dumps(measure(argv[1])))
        return None
    rows = []
    for spec in [Path(a) for a in argv] or list(default):
        out = subprocess.run(
            [sys.executable, script, "--one", str(spec)],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return rows


def main(argv: list[str]) -> None:
    rows = fresh_rows(__file__, measure, argv, DEFAULT)
    if rows is None:
        return
    head = (
        f"{'campus':<20} {'IT MW':>8} {'halls':>5} {'dist':>4} {'racks':>7} {'wall s':>7} {'peak MB':>8} "
        f"{'objective':>16} {'bound':>16} {'gap %':>6} {'cable km':>9} | {'greedy s':>8} {'greedy obj':>16} "
        f"{'gap %':>6} {'cable km':>9} {'CP-SAT better':>13}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        g_obj = r["greedy_objective"]
        better = "n/a (greedy failed)" if g_obj is None else (
            f"{100 * (g_obj - r['objective']) / g_obj:.2f}%" if r["objective"] < g_obj else "no (equal)"
        )
        print(
            f"{r['spec']:<20} {r['it_mw']:>8,.0f} {r['halls']:>5} {r['distinct']:>4} {r['racks']:>7,} "
            f"{r['wall_s']:>7.2f} {r['peak_mb']:>8.0f} {r['objective']:>16,.0f} {r['bound']:>16,.0f} "
            f"{100 * r['gap']:>6.2f} {r['cable_km']:>9.1f} | {r['greedy_wall_s']:>8.3f} "
            f"{(g_obj or 0):>16,.0f} {100 * (r['greedy_gap'] or 0):>6.2f} {(r['greedy_cable_km'] or 0):>9.1f} "
            f"{better:>13}"
        )
    print()
    print(f"{'campus':<20} {'cable gap %':>11} {'det s':>6} {'status':<10} {'spread gap %':>12} {'det s':>6} status")
    for r in rows:
        (cg, cd, cs), (sg, sd, ss) = r["phases"]["cable_cm"], r["phases"]["row_power_spread_kw"]
        print(f"{r['spec']:<20} {100 * cg:>11.2f} {cd:>6.2f} {','.join(cs):<10} {100 * sg:>12.2f} {sd:>6.2f} {','.join(ss)}")
    print()
    print("objective = sum over hall copies of cable_cm x (row busway kW + 1) + row power spread kW;")
    print("gap = (objective - bound) / objective; greedy gap is against the same CP-SAT bound.")
    print("cable / spread gap = the worst gap of that objective over the distinct halls (lexicographic: the spread")
    print("is searched with the cable held at its proven optimum, within the secondary share of the budget).")
    print("Solver: CP-SAT, 1 worker, fixed seed, deterministic time (no wall-clock limit).")


if __name__ == "__main__":
    main(sys.argv[1:])
