"""Campus demand: the master splits a pod count over hall modules, hand-computed."""

from __future__ import annotations

from hubc.checks import run_checks
from hubc.electrical.demand import apply_demand, blocks_bound, campus_splits, capacity, fill_price, split_demand
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
    # Reserve bound: 2N on 1,000 kW blocks, a copy with n pods needs >= 2 ceil(0.4 n) blocks:
    #   h-big 2 x 5 (2 x 4 blocks) + h-small 1 x 2 (2)  = 10 blocks   <- the reserve bound
    # Rack granularity: a pod sits whole in one row and a 2N group carries at most 1,000 kW, so
    # two pods (three are 1,200 kW): >= 2 ceil(n / 2) blocks, at least one block per pod: 12.
    # Built: a row holds one or two pods (400 or 800 kW); an 800 kW row takes a group alone
    # and two 400 kW rows share one. Five pods in four rows put two in one row (800 + 400 +
    # 400 + 400 at best): 3 groups = 6 blocks, as the granularity bound says. Per copy: h-big
    # 8 pods 8, 5 pods 6, 4 pods 4; h-small 4 pods 4, 2 pods 2:
    #   h-big 2 x 5 (12) + h-small 1 x 2 (2)            = 14
    #   h-big 1 x 8 (8) + h-small 1 x 4 (4)             = 12   <- fewest copies of the 12s
    #   h-big 2 x 4 (8) + h-small 1 x 4 (4)             = 12
    spec, _ = _spec(12)
    halls = spec.halls()
    assert capacity(spec, halls["h-big"], "pod") == 8
    assert capacity(spec, halls["h-small"], "pod") == 4
    (split,) = campus_splits(spec)
    assert (split.reserve_bound_blocks, split.bound_blocks, split.priced_blocks) == (10, 12, 12)
    got = {f.hall: (f.copies, f.pods_per_copy, f.blocks_bound, f.blocks_reserve, f.blocks_priced) for f in split.fills}
    assert got == {"h-big": (1, 8, 8, 8, 8), "h-small": (1, 4, 4, 4, 4)}
    assert fill_price(spec, halls["h-big"], "pod", 5).blocks == 6 == blocks_bound(spec, halls["h-big"], "pod", 5)
    (bound_only,) = [split_demand(spec, spec.demand[0], priced=False)]
    got = {f.hall: (f.copies, f.pods_per_copy, f.blocks_bound) for f in bound_only.fills}
    assert got == {"h-big": (1, 8, 8), "h-small": (1, 4, 4)}


def _big_only(count: int):
    """The campus with h-big alone (3 modules of at most 8 pods) hosting `count` pods."""
    spec, src = _spec(count)
    import attrs

    halls = tuple(h for h in spec.hall if h.id == "h-big")
    return attrs.evolve(spec, hall=halls, demand=(attrs.evolve(spec.demand[0], halls=("h-big",)),)), src


def test_mixed_fills_beat_one_fill_per_hall():
    # 15 pods in h-big (3 modules, <= 8 pods each). One fill for every copy: 3 x 5 (15 = 1 x 15
    # or 3 x 5, and 15 > 8), 6 blocks each (five pods in four rows, above) = 18. Fills per copy:
    # 8 + 7 - seven pods in four rows are three rows of two (800 kW, a group each) and one of one
    # (a group) = 8 blocks - so 8 + 8 = 16 blocks in 2 copies (8 + 4 + 3 is 16 too, in 3 copies).
    # The bound: 2 ceil(8 / 2) + 2 ceil(7 / 2) = 16 = the split.
    spec, src = _big_only(15)
    (split,) = campus_splits(spec)
    assert (split.bound_blocks, split.priced_blocks) == (16, 16)
    got = [(f.hall, f.module, f.copies, f.pods_per_copy, f.blocks_priced) for f in split.fills]
    assert got == [("h-big", "h-big", 1, 8, 8), ("h-big-fill-7", "h-big", 1, 7, 8)]
    assert fill_price(spec, spec.halls()["h-big"], "pod", 5).blocks * 3 == 18
    out = apply_demand(spec)
    built = [(h.id, h.copies, h.modules, [(p.pod, p.count) for p in h.pods]) for h in out.hall]
    assert built == [("h-big", 1, 3, [("pod", 8)]), ("h-big-fill-7", 1, None, [("pod", 7)])]
    assert apply_demand(out) == out  # the split of a split spec is itself
    assert not [d for d in run_checks(out, src) if d.severity.value == "error"]


def test_apply_demand_writes_the_split_and_checks_pass():
    spec, src = _spec(12)
    out = apply_demand(spec)
    halls = out.halls()
    assert (halls["h-big"].copies, [(p.pod, p.count) for p in halls["h-big"].pods]) == (1, [("pod", 8)])
    assert (halls["h-small"].copies, [(p.pod, p.count) for p in halls["h-small"].pods]) == (1, [("pod", 4)])
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


def test_split_does_not_depend_on_the_price_cache():
    # The process cache of built fills only saves time: a master that finds fills already
    # built by an earlier call (another count) picks the split a cold cache picks.
    from hubc.electrical import demand

    spec, _ = _spec(12)
    demand._PRICES.clear()
    cold = split_demand(spec, spec.demand[0])
    other, _ = _spec(7)
    split_demand(other, other.demand[0])
    warm = split_demand(spec, spec.demand[0])
    assert cold == warm
    assert len(demand._PRICES) > 0


def test_hubc_check_builds_no_fill(monkeypatch, tmp_path):
    # `hubc check` validates: the split it checks is the bound master's, no fill is built
    # (rack placement and the per-hall models run only in `hubc build`).
    from click.testing import CliRunner

    from hubc.cli import main
    from hubc.electrical import demand

    def boom(*_a, **_k):
        raise AssertionError("hubc check built a fill")

    monkeypatch.setattr(demand, "fill_price", boom)
    path = tmp_path / "demand.toml"
    path.write_text(SPEC.replace("COUNT", "12"))
    res = CliRunner().invoke(main, ["check", str(path)], catch_exceptions=False)
    assert res.exit_code in (0, 1) and "error" not in res.output.lower(), res.output
    bad = tmp_path / "bad.toml"
    bad.write_text(SPEC.replace("COUNT", "33"))
    res = CliRunner().invoke(main, ["check", str(bad)], catch_exceptions=False)
    assert "HUB314" in res.output and "at most 32" in res.output


def test_a_phase_of_every_copy_energizes_the_other_fills():
    # A phase naming h-big without `copies` energizes all of it: its copies at fill 7 too.
    import attrs

    from hubc.spec.model import Phase, PhaseHall

    spec, src = _big_only(15)
    phase = Phase(id="p1", year=spec.campus.start_year, halls=(PhaseHall(hall="h-big"),), energize=(spec.substation.id,))
    out = apply_demand(attrs.evolve(spec, phase=(phase,)))
    assert [(x.hall, x.copies) for x in out.phase[0].halls] == [("h-big", None), ("h-big-fill-7", None)]
    assert apply_demand(out) == out
    assert not [d for d in run_checks(out, src) if d.code.startswith("HUB50")]
