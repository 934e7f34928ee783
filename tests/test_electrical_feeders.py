"""MV feeder design: each feeder's cable on its own post-failure load, ampacity and voltage drop."""

from __future__ import annotations

import math

import pytest

from hubc.design_json import unstructure
from hubc.electrical.feeds import Assignment, Block, Cord, Feeder, HallAssignment
from hubc.electrical.sizing import choose_mv_cable, size_electrical
from hubc.electrical.stage import design_feeders, run_electrical
from tests.electrical_fixtures import rows, small_spec

SIN = math.sqrt(1 - 0.95**2)
DERATE = 0.80 * 0.93  # catalog mv_cable_derating: grouping x soil


def _vd(i_a, length_m, r, x):
    return 100 * math.sqrt(3) * i_a * length_m / 1000 * (r * 0.95 + x * SIN) / 22900


def test_cable_by_ampacity_with_derating():
    # 600 A: no single cable carries it (630 mm2: 790 x 0.744 = 588 A < 600); of two sets, 2 x 95
    # (446 A) and 2 x 150 (573 A) are short, 2 x 240 mm2 carries 736.6 A, 300 A per set over 400 m.
    c = choose_mv_cable(600, 400, 0.95, 22.9)
    assert (c.parallel, c.size_mm2) == (2, 240)
    assert c.ampacity_a == pytest.approx(2 * 495 * DERATE)
    assert c.voltage_drop_percent == pytest.approx(_vd(300, 400, 0.0987, 0.12))
    assert c.ok and c.binding == "ampacity"


def test_cable_by_voltage_drop_on_a_long_route():
    # 250 A over 5 km: 95 mm2 is short (223 A); 150 mm2 carries it (286 A) but drops 1.81% > 1%,
    # 240 mm2 1.24%; 325 mm2 drops 0.99%: voltage drop decides, still one set.
    assert _vd(250, 5000, 0.159, 0.13) > 1.0
    assert _vd(250, 5000, 0.0987, 0.12) > 1.0
    assert _vd(250, 5000, 0.0725, 0.115) == pytest.approx(0.991, abs=1e-3)
    c = choose_mv_cable(250, 5000, 0.95, 22.9)
    assert (c.parallel, c.size_mm2) == (1, 325)
    assert c.voltage_drop_percent == pytest.approx(_vd(250, 5000, 0.0725, 0.115))
    assert c.ok and c.binding == "voltage-drop"
    # 8 km: even 630 mm2 drops 1.06%, so two sets; 2 x 150 drops 1.45%, 2 x 240 0.99%
    c = choose_mv_cable(250, 8000, 0.95, 22.9)
    assert _vd(250, 8000, 0.0391, 0.105) > 1.0
    assert _vd(125, 8000, 0.159, 0.13) > 1.0
    assert (c.parallel, c.size_mm2) == (2, 240)
    assert c.voltage_drop_percent == pytest.approx(_vd(125, 8000, 0.0987, 0.12))
    assert c.voltage_drop_percent <= 1.0


def test_cable_none_fits_reports_the_largest():
    c = choose_mv_cable(2000, 400, 0.95, 22.9)
    assert not c.ok
    assert (c.parallel, c.size_mm2) == (2, 630)


def test_2n_feeder_sized_on_post_failure_load():
    # 4 rows x 400 kW on two 2N pairs of 1000 kW blocks: each block 400 kW normally. The two
    # feeders each take one block of each pair; when one feeder fails, the other's two blocks
    # carry 800 kW each: 1,600 kW / (0.96 x 0.95) = 1,754.4 kVA = 44.23 A at 22.9 kV -> 95 mm2.
    # Normal plus recharge is only 877.2 + 2 x 1000 x 0.10 / 0.95 = 1,087.7 kVA.
    spec, src = small_spec(topology="2N")
    res = run_electrical(spec, rows("hall-1", [400, 400, 400, 400]), src)
    ds = [d for d in res.feeder_designs if d.hall == "hall-1"]
    assert len(ds) == 2
    for d in ds:
        assert d.normal_kva == pytest.approx(800 / 0.912)
        assert d.worst_kva == pytest.approx(1600 / 0.912)
        assert d.worst_failure.endswith(".mvf-01") or d.worst_failure.endswith(".mvf-02")
        assert d.worst_failure != d.feeder
        assert d.recharge_kva == pytest.approx(200 / 0.95)
        assert d.design_a == pytest.approx(1600 / 0.912 / (math.sqrt(3) * 22.9))
        assert (d.cable.parallel, d.cable.size_mm2) == (1, 95)
    cable = next(e for e in res.equipment() if e.id == "hall-1/mv-cable")
    assert (cable.rating, cable.quantity) == (95, 2 * 400)  # circuit metres: 2 feeders x 400 m
    j = unstructure(res)
    dec = next(x for x in j["assignment_decisions"] if x["item"] == "hall-1/mv-feeder-design/1x95mm2")
    assert dec["inputs"]["feeders"] == 2
    assert dec["result"]["design_a"] == pytest.approx(44.231, abs=1e-3)
    assert j["feeder_designs"][0]["cable"]["size_mm2"] == 95


def test_catcher_feeder_sized_on_recharge():
    # A 800 kW active block alone on feeder 1, its catcher on feeder 2. Losing the active block
    # moves its load to the catcher (feeder 2), so nothing raises feeder 1 above normal:
    # 800 / 0.912 = 877.2 kVA; with the battery recharge (1000 x 0.10 / 0.95 = 105.3 kVA) the
    # design is 982.5 kVA. Feeder 2 carries the 877.2 kVA after the active block fails.
    spec, src = small_spec(topology="block-redundant", rows=2, bpc=1)
    sz = size_electrical(spec, rows("hall-1", [400, 400]), src)
    blocks = (
        Block(id="hall-1.ups-01a", hall="hall-1", group=0, index=0, role="active"),
        Block(id="hall-1.ups-01-catcher", hall="hall-1", group=0, index=-1, role="catcher"),
    )
    cords = tuple(Cord(item=f"hall-1.row-0{i}", kw=400.0, a="hall-1.ups-01a", b="hall-1.ups-01-catcher") for i in (1, 2))
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=("hall-1.ups-01a",)), Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=("hall-1.ups-01-catcher",)))
    ha = HallAssignment(hall="hall-1", copies=3, blocks=blocks, cords=cords, feeders=feeders, stats=(), greedy_blocks=0, greedy_feeders=0)
    asg = Assignment(halls=(ha,), mech_feeders=(), sections=((),), section_kva=(0.0,), stats=())
    f1, f2 = design_feeders(sz, asg)
    assert f1.worst_kva == pytest.approx(800 / 0.912) and f1.worst_failure == "normal"
    assert f1.design_kva == pytest.approx(800 / 0.912 + 100 / 0.95)
    assert f2.normal_kva == 0
    assert f2.worst_kva == pytest.approx(800 / 0.912)
    assert f2.worst_failure in ("hall-1.ups-01a", "hall-1.ups-01a/uss", "hall-1.mvf-01")
    # a 2 km route: the same load, the cable follows the length only through voltage drop
    long = design_feeders(sz, asg, length_m=2000)
    assert long[0].cable.voltage_drop_percent == pytest.approx(5 * f1.cable.voltage_drop_percent)


def test_recharge_over_the_bay_warns():
    # 21 active 1000 kW blocks fully loaded on one feeder (their catcher elsewhere): 21,000 kW /
    # 0.912 = 23,026 kVA = 580.5 A, within the 600 A packing limit; after an outage every
    # battery recharges too: + 21 x 1000 x 0.10 / 0.95 = 2,210.5 kVA -> 25,236.8 kVA = 636.3 A,
    # above the 630 A bay (HUB743, a warning).
    from hubc.electrical.stage import _feeder_checks

    spec, src = small_spec(topology="block-redundant", rows=21, bpc=21)
    sz = size_electrical(spec, rows("hall-1", [1000] * 21), src)
    act = tuple(Block(id=f"hall-1.ups-01{chr(97 + i)}", hall="hall-1", group=0, index=i, role="active") for i in range(21))
    catcher = Block(id="hall-1.ups-01-catcher", hall="hall-1", group=0, index=-1, role="catcher")
    cords = tuple(Cord(item=f"hall-1.row-{i + 1:02d}", kw=1000.0, a=b.id, b=catcher.id) for i, b in enumerate(act))
    feeders = (Feeder(id="hall-1.mvf-01", hall="hall-1", blocks=tuple(b.id for b in act)), Feeder(id="hall-1.mvf-02", hall="hall-1", blocks=(catcher.id,)))
    ha = HallAssignment(hall="hall-1", copies=1, blocks=(*act, catcher), cords=cords, feeders=feeders, stats=(), greedy_blocks=0, greedy_feeders=0)
    asg = Assignment(halls=(ha,), mech_feeders=(), sections=((),), section_kva=(0.0,), stats=())
    f1 = design_feeders(sz, asg)[0]
    kva = 21000 / 0.912 + 2100 / 0.95
    assert f1.design_kva == pytest.approx(kva)
    assert f1.design_a == pytest.approx(kva / (math.sqrt(3) * 22.9))
    assert 630 < f1.design_a < 640
    diags = _feeder_checks(sz, design_feeders(sz, asg), lambda *p: src.at_value(p))
    assert [d.code for d in diags] == ["HUB743"]
    assert "636 A" in diags[0].message


def test_no_cable_for_a_very_long_route_warns():
    # 44.2 A over 300 km: even 2 x 630 mm2 drops 100 sqrt3 x 22.1 x 300 x 0.0699 / 22,900 = 3.5%
    from hubc.electrical.stage import _feeder_checks

    spec, src = small_spec(topology="2N")
    res = run_electrical(spec, rows("hall-1", [400, 400, 400, 400]), src)
    ds = design_feeders(res.sizing, res.assignment, length_m=300_000)
    hall = [d for d in ds if d.hall == "hall-1"]
    assert all(not d.cable.ok and (d.cable.parallel, d.cable.size_mm2) == (2, 630) for d in hall)
    assert hall[0].cable.voltage_drop_percent == pytest.approx(_vd(hall[0].design_a / 2, 300_000, 0.0391, 0.105))
    diags = _feeder_checks(res.sizing, ds, lambda *p: src.at_value(p))
    assert "HUB744" in [d.code for d in diags]
