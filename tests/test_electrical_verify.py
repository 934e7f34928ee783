"""The failure verifier on hand-made designs: it must reject what the solver would never produce."""

from __future__ import annotations

import json

import attrs
import pytest

from hubc.design_json import unstructure
from hubc.electrical.feeds import Assignment, Block, Cord, Feeder, HallAssignment
from hubc.electrical.sizing import size_electrical
from hubc.electrical.verify import verify_electrical
from tests.electrical_fixtures import rows, small_spec


def _design(sz, cords, blocks, feeders):
    ha = HallAssignment(hall="hall-1", copies=1, blocks=blocks, cords=cords, feeders=feeders, stats=(), greedy_blocks=0, greedy_feeders=0)
    return Assignment(halls=(ha,), mech_feeders=(), sections=((),), section_kva=(0.0,), stats=())


def _2n(n_pairs: int):
    return tuple(
        Block(id=f"hall-1.ups-{g + 1:02d}{s}", hall="hall-1", group=g, index=i, role="distributed")
        for g in range(n_pairs)
        for i, s in enumerate("ab")
    )


def _verify(spec, sz, asg):
    return verify_electrical(sz, asg, tier=spec.policy.tier, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw)


def test_hand_made_2n_overload_is_rejected():
    # three 400 kW rows on one 2N pair of 1000 kW blocks: 60% each normally, but when block a
    # fails block b carries 1,200 kW = 120%.
    spec, src = small_spec(topology="2N", rows=3)
    sz = size_electrical(spec, rows("hall-1", [400, 400, 400]), src)
    blocks = _2n(1)
    cords = tuple(Cord(item=f"hall-1.row-0{i}", kw=400.0, a="hall-1.ups-01a", b="hall-1.ups-01b") for i in (1, 2, 3))
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a",)), Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=("hall-1.ups-01b",)))
    ver = _verify(spec, sz, _design(sz, cords, blocks, feeders))
    fail = next(s for s in ver.scenarios if s.id == "hall-1.ups-01a/fails")
    assert fail.worst_component == "hall-1.ups-01b"
    assert fail.worst_loading == pytest.approx(1.2)
    normal = next(s for s in ver.scenarios if s.id == "hall-1/normal")
    assert normal.worst_loading == pytest.approx(0.6)
    codes = [d.code for d in ver.diagnostics]
    assert codes == ["HUB750"]
    assert "120%" in ver.diagnostics[0].message


def test_hand_made_design_with_a_and_b_on_one_feeder_drops_load():
    # a correct 2N pair, but both blocks hang on one MV feeder: the feeder fault drops the row
    spec, src = small_spec(topology="2N", rows=1)
    sz = size_electrical(spec, rows("hall-1", [400]), src)
    blocks = _2n(1)
    cords = (Cord(item="hall-1.row-01", kw=400.0, a="hall-1.ups-01a", b="hall-1.ups-01b"),)
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a", "hall-1.ups-01b")),)
    ver = _verify(spec, sz, _design(sz, cords, blocks, feeders))
    s = next(s for s in ver.scenarios if s.id == "hall-1.mvf-01/fails")
    assert s.lost_kw == pytest.approx(400)
    assert [d.code for d in ver.diagnostics] == ["HUB751"]


def test_4m3_hand_computed_verifier_accepts_and_measures():
    # one 450 kW row per pair of a 4-block group: block failure -> survivors at 900/1000
    spec, src = small_spec(topology="4M3", rows=6)
    sz = size_electrical(spec, rows("hall-1", [450] * 6), src)
    ids = [f"hall-1.ups-01{c}" for c in "abcd"]
    blocks = tuple(Block(id=b, hall="hall-1", group=0, index=i, role="distributed") for i, b in enumerate(ids))
    pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    cords = tuple(Cord(item=f"hall-1.row-0{i + 1}", kw=450.0, a=ids[s], b=ids[t]) for i, (s, t) in enumerate(pairs))
    feeders = tuple(Feeder(id=f"hall-1.mvf-0{i + 1}", hall="hall-1", blocks=(b,)) for i, b in enumerate(ids))
    ver = _verify(spec, sz, _design(sz, cords, blocks, feeders))
    ups = [s for s in ver.scenarios if s.kind == "ups-system"]
    assert len(ups) == 4
    assert all(s.worst_loading == pytest.approx(0.9) for s in ups)
    assert ver.diagnostics == ()
    # a seventh row on pair (a, b) breaks it: b now has 4 half-rows (900 kW) and, when a fails,
    # takes the other halves of the two rows it shares with a (450 kW): 135%
    cords2 = cords + (Cord(item="hall-1.row-07", kw=450.0, a=ids[0], b=ids[1]),)
    ver2 = _verify(spec, sz, _design(sz, cords2, blocks, feeders))
    s = next(s for s in ver2.scenarios if s.id == "hall-1.ups-01a/fails")
    assert s.worst_loading == pytest.approx((4 * 225 + 2 * 225) / 1000)
    assert [d.code for d in ver2.diagnostics] == ["HUB750"]


def test_catcher_with_two_actives_on_one_feeder_is_rejected():
    # two active blocks of one catcher group on the same feeder: the feeder fault hands both to
    # the catcher (1,600 kW on a 1,000 kW block)
    spec, src = small_spec(topology="block-redundant", rows=4, bpc=2)
    sz = size_electrical(spec, rows("hall-1", [400] * 4), src)
    blocks = (
        Block(id="hall-1.ups-01a", hall="hall-1", group=0, index=0, role="active"),
        Block(id="hall-1.ups-01b", hall="hall-1", group=0, index=1, role="active"),
        Block(id="hall-1.ups-01-catcher", hall="hall-1", group=0, index=-1, role="catcher"),
    )
    cords = tuple(Cord(item=f"hall-1.row-0{i + 1}", kw=400.0, a="hall-1.ups-01a" if i < 2 else "hall-1.ups-01b", b="hall-1.ups-01-catcher") for i in range(4))
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a", "hall-1.ups-01b")), Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=("hall-1.ups-01-catcher",)))
    ver = _verify(spec, sz, _design(sz, cords, blocks, feeders))
    one = next(s for s in ver.scenarios if s.id == "hall-1.ups-01a/fails")
    assert one.worst_loading == pytest.approx(0.8)  # the catcher picks up 800 kW
    both = next(s for s in ver.scenarios if s.id == "hall-1.mvf-01/fails")
    assert both.worst_component == "hall-1.ups-01-catcher"
    assert both.worst_loading == pytest.approx(1.6)
    assert [d.code for d in ver.diagnostics] == ["HUB750"]


def test_tier4_maintenance_plus_failure():
    # Tier IV 2N: a 500 kW module of block a in maintenance while block b fails. With the
    # 2(N+1) sizing (3 x 500 kW modules per 1,000 kW block) block a still has 1,000 kW: 80%.
    spec, src = small_spec(topology="2N", tier=4, rows=2)
    sz = size_electrical(spec, rows("hall-1", [400, 400]), src)
    assert sz.modules_per_block == 3
    blocks = _2n(1)
    cords = tuple(Cord(item=f"hall-1.row-0{i}", kw=400.0, a="hall-1.ups-01a", b="hall-1.ups-01b") for i in (1, 2))
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a",)), Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=("hall-1.ups-01b",)))
    asg = _design(sz, cords, blocks, feeders)
    ver = _verify(spec, sz, asg)
    mf = [s for s in ver.scenarios if s.kind == "maintenance+failure" and s.area == "hall-1"]
    assert len(mf) == 2
    assert max(s.worst_loading for s in mf) == pytest.approx(0.8)
    assert not [d for d in ver.diagnostics if d.code == "HUB750"]
    # without the extra module (2 x 500 kW), maintenance leaves 500 kW for 800 kW: 160%
    lean = attrs.evolve(sz, modules_per_block=2)
    ver2 = _verify(spec, lean, asg)
    s = next(s for s in ver2.scenarios if s.id == "hall-1.ups-01a/module-maintenance")
    assert s.worst_loading == pytest.approx(1.6)
    assert s.failed == ("hall-1.ups-01b",)
    assert "HUB750" in [d.code for d in ver2.diagnostics]


def test_generators_and_transformers_pool():
    spec, src = small_spec(topology="2N", rows=2, genred="N")
    sz = size_electrical(spec, rows("hall-1", [400, 400]), src)
    # 800 kW x 1.3 = 1,040 kW on one 2,000 kW generator (N): a failure leaves nothing
    assert sz.generators == 1
    blocks = _2n(1)
    cords = tuple(Cord(item=f"hall-1.row-0{i}", kw=400.0, a="hall-1.ups-01a", b="hall-1.ups-01b") for i in (1, 2))
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a",)), Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=("hall-1.ups-01b",)))
    ver = _verify(spec, sz, _design(sz, cords, blocks, feeders))
    g = next(s for s in ver.scenarios if s.kind == "generator")
    assert g.lost_kw == pytest.approx(1040)
    # nothing survives: an unbounded loading, None (null in design.json, never infinity)
    assert g.worst_loading is None and not g.ok
    assert unstructure(g)["worst_loading"] is None and unstructure(g)["ok"] is False
    json.dumps(unstructure(ver), allow_nan=False)
    assert "HUB751" in [d.code for d in ver.diagnostics]


def _two_section_design(sz, sections, copies):
    """One 2N pair (a on mvf-01, b on mvf-02) with two 400 kW rows, in `copies` hall copies,
    on two 1 MVA main transformers (bus ties open)."""
    blocks = _2n(1)
    cords = tuple(Cord(item=f"hall-1.row-0{i}", kw=400.0, a="hall-1.ups-01a", b="hall-1.ups-01b") for i in (1, 2))
    per = 400 / (0.96 * 0.95)  # one block's normal 400 kW at the UPS input, kVA
    feeders = (
        Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a",), normal_kva=per, copies=copies),
        Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=("hall-1.ups-01b",), normal_kva=per, copies=copies),
    )
    ha = HallAssignment(hall="hall-1", copies=copies, blocks=blocks, cords=cords, feeders=feeders, stats=(), greedy_blocks=0, greedy_feeders=0)
    kva = tuple(sum(per * n for _h, _f, n in sec) for sec in sections)
    sz2 = attrs.evolve(sz, main_tx_count=2, main_tx_mva=1.0, substation_id="ss")
    return sz2, Assignment(halls=(ha,), mech_feeders=(), sections=sections, section_kva=kva, stats=())


def test_bus_section_overload_after_a_block_failure():
    # Two hall copies; every mvf-01 on tx-1 and every mvf-02 on tx-2: each section normally
    # carries 2 x 438.6 = 877.2 kVA (87.7% of 1 MVA). When block a fails in one copy, block b of
    # that copy carries both rows (800 kW = 877.2 kVA on its feeder) and tx-2 rises to
    # 877.2 + 438.6 = 1,315.8 kVA: 131.6%. No single hall-level check sees this.
    spec, src = small_spec(topology="2N", rows=2)
    sz = size_electrical(spec, rows("hall-1", [400, 400]), src)
    per = 400 / 0.912
    sz2, asg = _two_section_design(sz, ((("hall-1", "hall-1.mvf-01", 2),), (("hall-1", "hall-1.mvf-02", 2),)), copies=2)
    ver = _verify(spec, sz2, asg)
    sec = next(s for s in ver.scenarios if s.kind == "bus-section")
    assert sec.worst_loading == pytest.approx(3 * per / 1000)
    assert sec.worst_component in ("ss.tx-1", "ss.tx-2")
    assert sec.combinations == 2 * (2 + 2 + 2 + 4)  # copies x (blocks, substations, feeders, busways)
    assert not sec.ok
    d = next(d for d in ver.diagnostics if d.code == "HUB750")
    assert any("in copy" in n and "132%" in n for n in d.notes)
    assert [round(s.worst_kva / per, 6) for s in ver.sections] == [3.0, 3.0]
    assert ver.sections[0].normal_kva == pytest.approx(2 * per)


def test_bus_sections_with_each_copy_on_one_section_stay_within_rating():
    # copy 1's two feeders on tx-1, copy 2's on tx-2: a block failure moves load between two
    # feeders of the same section, so each section stays at 2 x 438.6 = 877.2 kVA (87.7%).
    spec, src = small_spec(topology="2N", rows=2)
    sz = size_electrical(spec, rows("hall-1", [400, 400]), src)
    sections = ((("hall-1", "hall-1.mvf-01", 1), ("hall-1", "hall-1.mvf-02", 1)), (("hall-1", "hall-1.mvf-01", 1), ("hall-1", "hall-1.mvf-02", 1)))
    sz2, asg = _two_section_design(sz, sections, copies=2)
    assert asg.section_copies() == {("hall-1", "hall-1.mvf-01"): (0, 1), ("hall-1", "hall-1.mvf-02"): (0, 1)}
    ver = _verify(spec, sz2, asg)
    sec = next(s for s in ver.scenarios if s.kind == "bus-section")
    assert sec.worst_loading == pytest.approx(2 * 400 / 0.912 / 1000)
    assert sec.ok
    # (the 1 MVA transformers are too small for N-1 here: only that scenario is flagged)
    assert not [n for d in ver.diagnostics for n in d.notes if "in copy" in n]


def test_bus_section_after_a_mechanical_feeder_loss():
    # three N+1 mechanical feeders of 100 kVA with one unit substation each: two on tx-1, one on
    # tx-2. Losing the one on tx-2 moves 50 kVA onto each survivor, both on tx-1: 300 kVA there
    # (30% of 1 MVA).
    spec, src = small_spec(topology="2N", rows=2)
    sz = attrs.evolve(size_electrical(spec, rows("hall-1", [400, 400]), src), main_tx_count=2, main_tx_mva=1.0, substation_id="ss", mech_uss=3, mech_feeders=3)
    mech = tuple(Feeder(id=f"campus.mech-mvf-0{i}", hall="campus", blocks=(), kind="mechanical", normal_kva=100.0) for i in (1, 2, 3))
    sections = ((("campus", "campus.mech-mvf-01", 1), ("campus", "campus.mech-mvf-02", 1)), (("campus", "campus.mech-mvf-03", 1),))
    asg = Assignment(halls=(), mech_feeders=mech, sections=sections, section_kva=(200.0, 100.0), stats=())
    ver = _verify(spec, sz, asg)
    sec = next(s for s in ver.scenarios if s.id == "campus/mechanical-feeders/bus-sections")
    assert sec.worst_component == "ss.tx-1"
    assert sec.failed == ("campus.mech-mvf-03/fails",)
    assert sec.worst_loading == pytest.approx(0.3)
    assert [s.worst_kva for s in ver.sections] == pytest.approx([300.0, 150.0])
