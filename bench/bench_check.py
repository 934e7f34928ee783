"""Benchmark: `hubc check` on each example and `hubc --help`, as separate processes (what a
user waits for, interpreter start-up included). Prints figures; asserts nothing.

    python bench/bench_check.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    hubc = [sys.executable, "-m", "hubc"]
    rows = [("hubc --help", hubc + ["--help"])]
    for spec in sorted((ROOT / "specs").glob("*.toml")):
        rows.append((f"hubc check {spec.relative_to(ROOT)}", hubc + ["check", str(spec)]))
    print(f"{'command':<44} {'median s':>9} {'min s':>7}   ({args.runs} runs each)")
    for name, cmd in rows:
        med, best = timed(cmd, args.runs)
        print(f"{name:<44} {med:9.3f} {best:7.3f}")


if __name__ == "__main__":
    main()
