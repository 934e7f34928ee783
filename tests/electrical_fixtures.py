"""Small specs and hand-made row loads for the electrical tests."""

from __future__ import annotations

from hubc.core.types import RowLoad
from hubc.spec.convert import structure
from hubc.spec.source import load_text

BASE = """
schema = "hubc/1"

[campus]
id = "pilot"
name = "{name}"
latitude_deg = 35.0
longitude_deg = 127.0

[policy]
tier = {tier}
design_pue = 1.3
power_factor = 0.95
sizing_margin = 0.0

[grid]
interconnect_voltage_kv = 22.9
contract_mw = 9
circuits = 2

[substation]
id = "ss"
hv_voltage_kv = 22.9
mv_voltage_kv = 22.9
transformers = 0

[[rack_type]]
id = "air-rack"
power_kw = 40
liquid_fraction = 0.0

[[pod]]
id = "pod"
racks = [{{ rack_type = "air-rack", count = 10 }}]

[[hall]]
id = "hall-1"
rows = {rows}
slots_per_row = 20
row_busway_kw = {busway}
pods = [{{ pod = "pod", count = 1 }}]
[hall.cooling]
cdu_kw = 100
cdus = 2
air_kw_per_row = 1000

[electrical]
topology = "{topology}"
blocks_per_catcher = {bpc}
ups_module_kw = {module}
ups_system_kw = {block}
unit_substation_kva = 1500
generator_kw = 2000
generator_redundancy = "{genred}"

[cooling_plant]
kind = "dry-cooler"
unit_kw = 2000
power_kw_per_kw = 0.05
"""


def small_spec(*, topology="2N", tier=3, rows=4, busway=1000, block=1000, module=500, bpc=2, genred="N+1", name="Pilot"):
    text = BASE.format(topology=topology, tier=tier, rows=rows, busway=busway, block=block, module=module, bpc=bpc, genred=genred, name=name)
    doc, diags = load_text("pilot.toml", text.encode())
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, [str(d) for d in diags]
    return spec, doc.source


def rows(hall: str, loads_kw: list[float]) -> dict[str, tuple[RowLoad, ...]]:
    """Air-cooled rows with the given IT loads (no liquid, so no CDU loads on UPS)."""
    return {
        hall: tuple(
            RowLoad(hall=hall, row=i + 1, it_kw=kw, liquid_kw=0.0, air_kw=kw, racks=int(kw // 40)) for i, kw in enumerate(loads_kw)
        )
    }
