"""Benchmark: the whole `hubc build` per campus (each in its own process, as a user runs it):
wall time, peak resident memory, and the time of each stage. Prints figures; asserts nothing.

    python bench/bench_build.py [spec.toml ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ("specs/pilot-10mw.toml", "specs/gb200-100mw.toml", "specs/campus-1gw.toml", "bench/specs/campus-3gw.toml")

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from hubc.pipeline import build_spec, check_spec
from hubc.writer import resolve_target, write_build
from hubc.stages import BUILD_STAGES
times = {}
t0 = time.perf_counter()
checked = check_spec(sys.argv[2])
times["check"] = time.perf_counter() - t0
mark = [time.perf_counter()]
names = [s.fills for s in BUILD_STAGES]
current = [None]
def progress(msg):
    name = msg.split(":", 1)[0]
    now = time.perf_counter()
    if name in names:
        if current[0] is not None:
            times[current[0]] = times.get(current[0], 0.0) + now - mark[0]
        current[0], mark[0] = name, now
t1 = time.perf_counter()
built = build_spec(checked, progress)
now = time.perf_counter()
times[f"{current[0]}+emit"] = now - mark[0]  # the last stage, then the emitters
write_build(built.plan, resolve_target(sys.argv[3]))
times["total"] = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "peak_mb": peak, "files": len(built.plan),
                  "bytes": sum(len(b) for b in built.plan.values())}))
"""


def main(paths: list[str]) -> None:
    print(f"{'campus':<32}{'total s':>9}{'peak MB':>9}{'files':>7}  stages (s)")
    for p in paths or SPECS:
        with tempfile.TemporaryDirectory() as out:
            proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(ROOT / p), out],
                                  capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{p:<32} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        t = r["times"]
        stages = ", ".join(f"{k} {v:.2f}" for k, v in t.items() if k != "total")
        print(f"{Path(p).name:<32}{t['total']:>9.2f}{r['peak_mb']:>9.0f}{r['files']:>7}  {stages}")


if __name__ == "__main__":
    main(sys.argv[1:])
