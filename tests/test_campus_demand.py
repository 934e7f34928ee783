"""Campus demand: the master splits a pod count over hall modules, hand-computed."""

from __future__ import annotations

from hubc.checks import run_checks
from hubc.electrical.demand import apply_demand, campus_splits, capacity
from hubc.spec.convert import structure
from hubc.spec.source import load_text
from tests.electrical_fixtures import BASE

# the electrical fixture's campus, grid, substation, 40 kW air rack and 10-rack pod
HEAD = BASE.format(topology="2N", tier=3, rows=1, busway=1000, block=1000, module=500, bpc=2, genred="N+1", name="Demand").split("[[hall]]")[0]
SPEC = HEAD + """
[[hall]]
id = "h-big"
modules = 3
rows = 4
slots_per_row = 20
row_busway_kw = 1000
[hall.cooling]
air_kw_per_row = 1000

[[hall]]
id = "h-small"
modules = 2
rows = 2
slots_per_row = 20
row_busway_kw = 1000
[hall.cooling]
air_kw_per_row = 1000

[[demand]]
pod = "pod"
count = COUNT
halls = ["h-big", "h-small"]

[electrical]
topology = "2N"
ups_module_kw = 500
ups_system_kw = 1000
unit_substation_kva = 1500

[cooling_plant]
kind = "dry-cooler"
unit_kw = 2000
power_kw_per_kw = 0.05
"""


def _spec(count: int):
    doc, diags = load_text("demand.toml", SPEC.replace("COUNT", str(count)).encode())
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, [str(d) for d in diags]
    return spec, doc.source


def test_master_split_hand_computed():
    # A pod is 10 racks x 40 kW = 400 kW in 10 slots. Per row of 20 slots, 1,000 kW busway and
    # 1,000 kW air: 2 pods; h-big (4 rows) holds 8 per copy, h-small (2 rows) 4.
    # 2N on 1,000 kW blocks: a copy with n pods needs >= 2 ceil(0.4 n) blocks.
    # 12 pods, every listed hall built at least once, the same fill in every copy of a hall:
    #   h-big 2 x 5 (2 x 4 blocks) + h-small 1 x 2 (2)  = 10 blocks   <- optimum
    #   h-big 1 x 8 (8) + h-small 1 x 4 (4)             = 12
    #   h-big 2 x 4 (8) + h-small 1 x 4 (4)             = 12
    #   h-big 2 x 5 (8) + h-small 2 x 1 (4)             = 12
    spec, _ = _spec(12)
    halls = spec.halls()
    assert capacity(spec, halls["h-big"], "pod") == 8
    assert capacity(spec, halls["h-small"], "pod") == 4
    (split,) = campus_splits(spec)
    assert split.bound_blocks == 10
    got = {f.hall: (f.copies, f.pods_per_copy, f.blocks_bound) for f in split.fills}
    assert got == {"h-big": (2, 5, 4), "h-small": (1, 2, 2)}


def test_apply_demand_writes_the_split_and_checks_pass():
    spec, src = _spec(12)
    out = apply_demand(spec)
    halls = out.halls()
    assert (halls["h-big"].copies, [(p.pod, p.count) for p in halls["h-big"].pods]) == (2, [("pod", 5)])
    assert (halls["h-small"].copies, [(p.pod, p.count) for p in halls["h-small"].pods]) == (1, [("pod", 2)])
    assert apply_demand(out) == out  # the split of a split spec is itself
    assert not [d for d in run_checks(out, src) if d.severity.value == "error"]


def test_hub312_when_the_modules_cannot_hold_the_count():
    # at most 3 x 8 + 2 x 4 = 32 pods
    spec, src = _spec(33)
    out = apply_demand(spec)
    found = [d for d in run_checks(out, src) if d.code == "HUB314"]
    assert len(found) == 1 and "at most 32" in found[0].message
    assert found[0].location.line > 0


def test_hub312_references():
    spec, src = _spec(12)
    import attrs

    bad = attrs.evolve(spec, demand=(attrs.evolve(spec.demand[0], pod="nope", halls=("h-big", "h-x")),))
    msgs = sorted(d.message for d in run_checks(bad, src) if d.code == "HUB314")
    assert any('pod "nope"' in m for m in msgs)
    assert any('hall "h-x"' in m for m in msgs)
    # h-small keeps its modules but hosts no demand now
    assert any('"h-small" has `modules` but hosts no' in m for m in msgs)
