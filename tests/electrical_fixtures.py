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


def substation_spec(
    *,
    rows=8,
    copies=2,
    transformers=2,
    mva=20,
    redundancy="2N",
    philosophy="auto",
    transfer="open",
    extra="",
    grid_extra="",
    block=1000,
    tier=3,
):
    """A 154 kV campus with its own main transformers (for the network studies): the small spec
    with `copies` copies of its hall, `transformers` x `mva` units and the electrical keys given."""
    text = BASE.format(topology="2N", tier=tier, rows=rows, busway=1000, block=block, module=500, bpc=2, genred="N+2" if tier >= 4 else "N+1", name="Substation")
    text = text.replace(
        "[grid]\ninterconnect_voltage_kv = 22.9\ncontract_mw = 9\ncircuits = 2\n",
        f"[grid]\ninterconnect_voltage_kv = 154\ncontract_mw = 40\ncircuits = 2\n{grid_extra}\n",
    )
    text = text.replace(
        'hv_voltage_kv = 22.9\nmv_voltage_kv = 22.9\ntransformers = 0\n',
        f'hv_voltage_kv = 154\nmv_voltage_kv = 22.9\ntransformers = {transformers}\ntransformer_mva = {mva}\nredundancy = "{redundancy}"\n',
    )
    text = text.replace('id = "hall-1"\n', f'id = "hall-1"\ncopies = {copies}\n')
    red = "N+2" if tier >= 4 else "N+1"
    text = text.replace(
        f'generator_redundancy = "{red}"\n',
        f'generator_redundancy = "{red}"\noperating_philosophy = "{philosophy}"\ngenerator_transfer = "{transfer}"\n{extra}\n',
    )
    doc, diags = load_text("substation.toml", text.encode())
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, [str(d) for d in diags]
    return spec, doc.source
