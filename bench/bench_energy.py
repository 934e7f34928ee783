"""Benchmark of the energy stage (hourly year, sizing LP, replay, interconnect).

    PYTHONPATH=. python bench/bench_energy.py [--repeat N]

Cases: the 100 MW campus with solar, offshore wind and a BESS sized for 60% hourly CFE
(bench/specs/energy-100mw.toml); the 1 GW example (specs/campus-1gw.toml) at a CFE target its
renewables can reach, and the same campus with the offshore wind sized by the LP at the
example's 60% target. Prints wall time per run (min and median of N) and the LP's share.
The issue's goal: the 1 GW energy stage under 10 s on 2 cores. Not a test: no limits asserted.
The last case: 11.5 s min / 11.9 s median with the full LP (HiGHS interior point), 6.9 s / 7.0 s
with the plant-size search over the reduced model (lp._solve_over_plant_size), same machine and
load (2 cores, 2026-11-22); 17.2 s -> 7.6 s when the machine was busy with other jobs.
With the tariff in the objective (grid energy and demand charges, BESS wear), main -> this
change, one run each, back to back on the shared 2-core machine (load ~5, 2026-11-30): 100 MW
6.1 -> 7.8 s; 1 GW as written 1.2 -> 1.0 s; 1 GW 45 % 1.5 -> 0.7 s; 1 GW with the offshore wind
sized 16.7 -> 14.6 s (the demand-charge rows are added lazily for GLOP and seeded with the
previous size's binding hours; written all at once they made each GLOP solve ~3x slower).
If a spec asks for more CFE than its renewables can reach (HUB411), the case times the stage's
way to the diagnostic.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hubc.design_json import unstructure
from hubc.diagnostics import HubcError
from hubc.energy import lp, run_energy
from hubc.spec.convert import structure
from hubc.spec.source import load_text


def _spec(path: Path, edits: tuple[tuple[str, str], ...] = ()):
    text = path.read_text("utf-8")
    for old, new in edits:
        if old not in text:
            raise SystemExit(f"{path}: cannot apply bench edit {old!r}")
        text = text.replace(old, new)
    doc, diags = load_text(str(path.relative_to(ROOT)), text.encode())
    spec, diags = structure(doc)
    if spec is None:
        raise SystemExit("\n".join(d.message for d in diags))
    return spec, doc.source, path.parent


CASES_ALL = (
    ("100 MW, 60% CFE, BESS auto", ROOT / "bench" / "specs" / "energy-100mw.toml", ()),
    ("1 GW example as written (60% CFE)", ROOT / "specs" / "campus-1gw.toml", ()),
    (
        "1 GW example, 45% CFE, BESS auto + ride-through",
        ROOT / "specs" / "campus-1gw.toml",
        (("cfe_target = 0.60", "cfe_target = 0.45"),),
    ),
    (
        "1 GW example, 60% CFE, offshore wind and BESS auto",
        ROOT / "specs" / "campus-1gw.toml",
        (
            ("capacity_mw = 2400\ncapacity_factor = 0.30", 'capacity_mw = "auto"\ncapacity_factor = 0.30'),
            ("[energy]\n", "[energy]\nsize_renewables = true\n"),
        ),
    ),
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--case", type=int, action="append", help="run only these cases (0-based)")
    args = ap.parse_args()
    cases = [c for i, c in enumerate(CASES_ALL) if not args.case or i in args.case]
    lp_times: list[float] = []
    real_solve = lp.solve

    def timed_solve(*a, **kw):
        t = time.perf_counter()
        try:
            return real_solve(*a, **kw)
        finally:
            lp_times.append(time.perf_counter() - t)

    lp.solve = timed_solve
    print(f"{'case':55s} {'min s':>7s} {'median s':>9s} {'LP s':>6s}  result")
    for name, path, edits in cases:
        spec, source, base = _spec(path, edits)
        walls, lps = [], []
        res = None
        for _ in range(args.repeat):
            lp_times.clear()
            t = time.perf_counter()
            try:
                res = run_energy(spec, base, source)
            except HubcError as err:  # a spec the stage rejects: time to the diagnostic
                res = err
            walls.append(time.perf_counter() - t)
            lps.append(sum(lp_times))
        if isinstance(res, HubcError):
            d = res.diagnostics[0]
            summary = f"{d.code} (exit {res.exit_code}): {d.message}; {' '.join(d.notes)}"
            print(
                f"{name:55s} {min(walls):7.2f} {statistics.median(walls):9.2f} {statistics.median(lps):6.2f}  {summary}"
            )
            continue
        j = unstructure(res)
        b = j["bess"] or {}
        sized = ", ".join(f"{p['id']} {p['capacity_mw']:.0f} MW" for p in j["plants"] if p["sized"])
        summary = (
            f"CFE {j['cfe_score']:.3f}, BESS {b.get('lp_energy_mwh', 0):.0f} MWh / {b.get('lp_power_mw', 0):.0f} MW "
            f"({b.get('containers', 0)} containers){', ' + sized if sized else ''}"
        )
        print(f"{name:55s} {min(walls):7.2f} {statistics.median(walls):9.2f} {statistics.median(lps):6.2f}  {summary}")


if __name__ == "__main__":
    main()
