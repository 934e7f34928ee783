"""Benchmark: `hubc sweep` throughput on a local Dask cluster of 1 and 2 worker processes.
Prints variants per minute (from the cluster being ready to the last result) and the whole wall
time including the cluster's start; asserts nothing. Each run starts from an empty OUT, so every
variant is built.

    python bench/bench_sweep.py [--spec specs/pilot-10mw.toml] [--variants 8] [--workers 1,2]

The variants vary the compute racks' power (every one builds); on a shared machine the figures
move with the load average, which is printed with them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hubc.sweep import load_sweep, run_sweep
from hubc.sweep.engine import machine_workers

RACK = {"pilot-10mw.toml": "gb200-nvl72", "gb200-100mw.toml": "gb200-nvl72", "campus-1gw.toml": "gb300-nvl72"}


def sweep_file(folder: Path, spec: Path, n: int) -> Path:
    rack = RACK.get(spec.name, "gb200-nvl72")
    powers = [round(110 + k * 22 / max(1, n - 1), 2) for k in range(n)]  # 110-132 kW: all within contract
    path = folder / "bench.toml"
    path.write_text(f'schema = "hubc-sweep/1"\nbase = "{spec.resolve().as_posix()}"\n\n[[axis]]\n'
                    f'key = "rack_type[id={rack}].power_kw"\nvalues = {powers}\n', "utf-8")
    return path


def run(path: Path, workers: int) -> dict:
    sweep, diags = load_sweep(path)
    assert sweep is not None, diags
    marks: dict[str, float] = {}
    done: list[float] = []

    def say(msg: str) -> None:
        now = time.perf_counter()
        if msg.startswith("local Dask cluster ready"):
            marks["ready"] = now
        elif msg.startswith("["):
            done.append(now)

    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        report = run_sweep(sweep, Path(out) / "sweep", workers=workers, say=say)
        total = time.perf_counter() - t0
    busy = done[-1] - marks["ready"]
    return {"variants": report.variants, "statuses": report.statuses, "total_s": total,
            "start_s": marks["ready"] - t0, "busy_s": busy, "per_min": 60 * report.variants / busy}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default="specs/pilot-10mw.toml")
    ap.add_argument("--variants", type=int, default=8)
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    spec = (ROOT / args.spec) if not Path(args.spec).is_absolute() else Path(args.spec)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{spec.name}, {args.variants} variants; {machine_workers()} CPUs here, load average {load:.1f}")
    print(f"{'workers':>7}{'variants/min':>14}{'busy s':>9}{'start s':>9}{'total s':>9}  statuses")
    with tempfile.TemporaryDirectory() as tmp:
        path = sweep_file(Path(tmp), spec, args.variants)
        for w in (int(x) for x in args.workers.split(",")):
            r = run(path, w)
            st = ", ".join(f"{n} {s}" for s, n in sorted(r["statuses"].items()))
            print(f"{w:>7}{r['per_min']:>14.1f}{r['busy_s']:>9.1f}{r['start_s']:>9.1f}{r['total_s']:>9.1f}  {st}")


if __name__ == "__main__":
    main()
