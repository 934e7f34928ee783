"""MV arrangement by operating philosophy: which breaker opens and which tie or transfer breaker
closes when a main transformer is lost, and what each winding then carries (hand-computed)."""

import pytest

from hubc.electrical.arrangement import build_arrangement, reserve_count, resolve_philosophy, secondaries_needed


def test_auto_philosophy_and_reserves():
    assert resolve_philosophy("auto", "N+1", 4) == "reserve-transformer"
    assert resolve_philosophy("auto", "2N", 2) == "main-tie-main"
    assert resolve_philosophy("auto", "N+1", 0) == "main-tie-main"
    assert resolve_philosophy("closed-ties", "N+1", 4) == "closed-ties"
    assert reserve_count("reserve-transformer", "N+1", 4) == 1
    assert reserve_count("reserve-transformer", "N+2", 6) == 2
    assert reserve_count("main-tie-main", "N+1", 4) == 0


def test_split_secondary_when_one_winding_exceeds_the_switchgear_class():
    # 200 MVA at 22.9 kV: 5,042 A > 4,000 A -> two windings of 2,521 A; 60 MVA: 1,513 A -> one
    assert secondaries_needed(200, 22.9, 4000, 3) == 2
    assert secondaries_needed(60, 22.9, 4000, 3) == 1
    arr = build_arrangement("ss", 3, 200, "reserve-transformer", secondaries=2, reserves=1)
    assert [s.id for s in arr.active_sections] == ["ss.mv-1a", "ss.mv-1b", "ss.mv-2a", "ss.mv-2b"]
    assert [s.id for s in arr.reserve_sections] == ["ss.mv-3a", "ss.mv-3b"]
    assert arr.active_sections[0].rating_kva == pytest.approx(100_000)
    # each winding has a transfer breaker to the reserve winding with the same letter
    assert {(t.a, t.b) for t in arr.ties} == {("ss.mv-1a", "ss.mv-3a"), ("ss.mv-1b", "ss.mv-3b"), ("ss.mv-2a", "ss.mv-3a"), ("ss.mv-2b", "ss.mv-3b")}
    tr = arr.after_loss({"ss.tx-2"}, [70e3, 70e3, 60e3, 60e3])
    assert tr.actions == ("open ss.tx-2.hv-cb", "open ss.mv-2a.incomer", "open ss.mv-2b.incomer", "close ss.mv-2a.transfer-3a", "close ss.mv-2b.transfer-3b")
    per, lost = arr.winding_loads(tr, [70e3, 70e3, 60e3, 60e3])
    assert per["ss.tx-3a"] == pytest.approx(60e3) and per["ss.tx-2a"] == 0 and lost == 0


def test_reserve_takes_one_section_per_winding():
    # N+1 with one reserve: two transformers out at once leave one section dead
    arr = build_arrangement("ss", 4, 60, "reserve-transformer", reserves=1)
    tr = arr.after_loss({"ss.tx-1", "ss.tx-2"}, [40e3, 40e3, 40e3])
    fed = tr.fed_by()
    assert fed["ss.mv-1"] == ("ss.tx-4",) and fed["ss.mv-2"] == () and fed["ss.mv-3"] == ("ss.tx-3",)
    _per, lost = arr.winding_loads(tr, [40e3, 40e3, 40e3])
    assert lost == pytest.approx(40e3)


def test_main_tie_main_closes_the_tie_to_the_lighter_neighbour():
    # four sections at 30/20/25/30 MVA on 60 MVA units: losing tx-3 closes tie 2-3 (20 < 30):
    # tx-2 then carries 20 + 25 = 45 MVA (75 %)
    arr = build_arrangement("ss", 4, 60, "main-tie-main")
    loads = [30e3, 20e3, 25e3, 30e3]
    assert all(not t.normally_closed for t in arr.ties)
    tr = arr.after_loss({"ss.tx-3"}, loads)
    assert tr.actions == ("open ss.tx-3.hv-cb", "open ss.mv-3.incomer", "close ss.mv-tie-2-3")
    per, lost = arr.winding_loads(tr, loads)
    assert per["ss.tx-2"] == pytest.approx(45e3) and lost == 0
    # the end section has one neighbour only
    tr = arr.after_loss({"ss.tx-1"}, loads)
    assert tr.actions[-1] == "close ss.mv-tie-1-2"


def test_parallel_on_loss_pools_the_survivors_and_closed_ties_always():
    loads = [30e3, 20e3, 25e3, 30e3]
    arr = build_arrangement("ss", 4, 60, "parallel-on-loss")
    tr = arr.after_loss({"ss.tx-1"}, loads)
    assert tr.actions[-3:] == ("close ss.mv-tie-1-2", "close ss.mv-tie-2-3", "close ss.mv-tie-3-4")
    per, _ = arr.winding_loads(tr, loads)
    assert per["ss.tx-2"] == pytest.approx(105e3 / 3) and per["ss.tx-1"] == 0
    closed = build_arrangement("ss", 4, 60, "closed-ties")
    assert all(t.normally_closed for t in closed.ties)
    per, _ = closed.winding_loads(closed.after_loss(frozenset()), loads)
    assert per["ss.tx-1"] == pytest.approx(105e3 / 4)
