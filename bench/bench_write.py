"""Benchmark: writing a build into OUT (hubc.writer). Prints figures; asserts nothing.

For each campus the plan is built once in memory, then written: into a new OUT, over the previous
build (staging + atomic exchange + deleting the old tree), over it again with USER user files to
carry (hard links), and with the rename fallback. Times are medians of REPEAT writes; "swap" is
the exchange (or the two renames) alone.

    python bench/bench_write.py [--user N] [--repeat R] [spec.toml ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPECS = ("specs/pilot-10mw.toml", "specs/gb200-100mw.toml", "specs/campus-1gw.toml")


def _time(fn, repeat: int) -> tuple[float, float]:
    total, swap = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        report = fn()
        total.append(time.perf_counter() - t0)
        swap.append(report.swap_seconds)
    return statistics.median(total), statistics.median(swap)


def _bench(plan: dict[str, bytes], out: Path, users: int, repeat: int) -> tuple[float, ...]:
    from hubc.writer import resolve_target, write_build

    def write():
        return write_build(plan, resolve_target(str(out)))

    def fresh():
        shutil.rmtree(out, ignore_errors=True)
        return write()

    new_t, _ = _time(fresh, repeat)
    rewrite_t, swap_x = _time(write, repeat)
    mine = out / "mine"
    mine.mkdir()
    for i in range(users):
        (mine / f"{i:05d}.txt").write_text("x" * 100)
    user_t, _ = _time(write, repeat)
    os.environ["HUBC_TEST_NO_EXCHANGE"] = "1"
    try:
        fb_t, swap_r = _time(write, repeat)
    finally:
        del os.environ["HUBC_TEST_NO_EXCHANGE"]
    return new_t, rewrite_t, swap_x, user_t, fb_t, swap_r


def main() -> None:
    from hubc.pipeline import build_spec, check_spec

    ap = argparse.ArgumentParser()
    ap.add_argument("--user", type=int, default=1000, help="user files in OUT to carry over")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("specs", nargs="*")
    args = ap.parse_args()
    print(f"{'campus':<26}{'files':>6}{'MB':>7}  {'new ms':>8}{'rewrite ms':>11}{'swap us':>9}"
          f"{'+user ms':>10}{'fallback ms':>12}{'swap us':>9}")
    for p in args.specs or SPECS:
        plan = build_spec(check_spec(ROOT / p)).plan
        mb = sum(len(b) for b in plan.values()) / 1e6
        with tempfile.TemporaryDirectory() as tmp:
            new_t, rewrite_t, swap_x, user_t, fb_t, swap_r = _bench(plan, Path(tmp) / "out", args.user, args.repeat)
        print(f"{Path(p).stem:<26}{len(plan):>6}{mb:>7.1f}  {new_t * 1e3:>8.1f}{rewrite_t * 1e3:>11.1f}"
              f"{swap_x * 1e6:>9.0f}{user_t * 1e3:>10.1f}{fb_t * 1e3:>12.1f}{swap_r * 1e6:>9.0f}")


if __name__ == "__main__":
    main()
