"""Benchmark: pricing and emitting a large BOM (prints figures; no limits).

A synthetic campus of the gb200-100mw example's equipment repeated over N areas (every family,
~26 lines per area), priced and emitted as bom.xlsx, bom.csv, suppliers.md and suppliers.csv.

    PYTHONPATH=. python bench/bench_bom.py [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from proc_helpers import load_spec, plant_equipment

from hubc.catalog.equipment import load_equipment_catalog as load_catalog
from hubc.emit.bom import emit_bom
from hubc.emit.suppliers import emit_suppliers
from hubc.procurement import run_procurement
from hubc.procurement.racks import rack_equipment


def main(n: int) -> None:
    spec, source = load_spec()
    t0 = time.perf_counter()
    catalog, _ = load_catalog(spec, ".", source)
    t1 = time.perf_counter()
    base = rack_equipment(spec) + plant_equipment()
    items = [attrs.evolve(e, id=f"{e.id}#{k:04d}") for k in range(n) for e in base]
    t2 = time.perf_counter()
    proc = run_procurement(spec, items, catalog, source)
    t3 = time.perf_counter()
    bom = emit_bom(proc)
    t4 = time.perf_counter()
    suppliers = emit_suppliers(proc)
    t5 = time.perf_counter()
    print(f"lines                 {len(proc.lines):>10,}")
    print(f"load catalog          {1000 * (t1 - t0):>10.1f} ms")
    print(f"run_procurement       {1000 * (t3 - t2):>10.1f} ms")
    print(f"emit bom.xlsx+csv     {1000 * (t4 - t3):>10.1f} ms  ({len(bom['bom.xlsx']) / 1e6:.2f} MB xlsx)")
    print(f"emit suppliers        {1000 * (t5 - t4):>10.1f} ms  ({len(suppliers['suppliers.md']) / 1e3:.0f} kB md)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
