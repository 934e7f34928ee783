"""Electrical stage: hand-computed 2N, 4M3 and catcher cases, infeasibility, sizing rules."""

from __future__ import annotations

import attrs
import pytest

from bench.rowloads import spread_rows
from hubc.diagnostics import HubcError
from hubc.electrical.feeds import assign
from hubc.electrical.sizing import size_electrical
from hubc.electrical.stage import run_electrical
from hubc.spec.convert import structure
from hubc.spec.source import load_path
from tests.electrical_fixtures import rows, small_spec


def _block_normal(result) -> dict[str, float]:
    return {b.block: b.normal_kw for b in result.block_loads}


def _worst(result, kind: str) -> float:
    return max(s.worst_loading for s in result.verification.scenarios if s.kind == kind)


def test_2n_hand_computed():
    # 4 rows x 400 kW, 1000 kW blocks in 2N: a pair carries <= 1000 kW, so 2 rows per pair,
    # 2 pairs = 4 blocks. Normal: each block 2 x 200 = 400 kW (40%); after one block fails its
    # partner carries both rows in full: 800 kW (80%).
    spec, src = small_spec(topology="2N")
    res = run_electrical(spec, rows("hall-1", [400, 400, 400, 400]), src)
    assert res.installed.ups_blocks == 4
    assert sorted(_block_normal(res).values()) == [400.0] * 4
    assert _worst(res, "ups-system") == pytest.approx(0.8)
    assert _worst(res, "normal") == pytest.approx(0.4)
    # every row has its A and B feed on the two blocks of one pair
    for c in res.assignment.halls[0].cords:
        assert c.a[:-1] == c.b[:-1] and c.a != c.b
    assert all(s.ok for s in res.verification.scenarios)


def test_4m3_hand_computed_and_cpsat_beats_greedy():
    # 6 rows x 450 kW, 1000 kW blocks, 4M3. One row per block pair (6 pairs of 4 blocks): each
    # block carries 3 half-rows = 675 kW (67.5%); when a block fails each survivor takes the
    # other half of the one row it shares with it: 675 + 225 = 900 kW (90%).
    # First fit in row order puts two rows on pair (a, b) and runs out of pairs: 8 blocks.
    spec, src = small_spec(topology="4M3", rows=6)
    res = run_electrical(spec, rows("hall-1", [450] * 6), src)
    assert res.installed.ups_blocks == 4
    assert res.greedy.ups_blocks == 8
    assert res.installed.ups_kw < res.greedy.ups_kw
    assert res.installed.transformer_kva < res.greedy.transformer_kva
    assert sorted(_block_normal(res).values()) == [675.0] * 4
    assert _worst(res, "ups-system") == pytest.approx(0.9)
    pairs = {frozenset((c.a, c.b)) for c in res.assignment.halls[0].cords}
    assert len(pairs) == 6
    # the xMy rule: any 3 of the 4 blocks carry the group's 2,700 kW
    assert _worst(res, "group-reserve") == pytest.approx(2700 / 3000)


def test_block_redundant_catcher_hand_computed():
    # 5 rows x 400 kW, 1000 kW blocks, one catcher per 2 active blocks. An active block takes
    # 2 rows (800 kW); 3 actives (800, 800, 400) need 2 catchers: 5 blocks. The catcher is idle
    # normally and carries a failed active block's 800 kW (80%).
    spec, src = small_spec(topology="block-redundant", rows=5, bpc=2)
    res = run_electrical(spec, rows("hall-1", [400] * 5), src)
    blocks = res.assignment.halls[0].blocks
    assert sum(b.role == "active" for b in blocks) == 3
    assert sum(b.role == "catcher" for b in blocks) == 2
    normal = _block_normal(res)
    assert sorted(v for k, v in normal.items() if k.endswith("-catcher")) == [0.0, 0.0]
    assert sorted(v for k, v in normal.items() if not k.endswith("-catcher")) == [400.0, 800.0, 800.0]
    assert _worst(res, "ups-system") == pytest.approx(0.8)
    for c in res.assignment.halls[0].cords:
        assert c.b.endswith("-catcher") and not c.a.endswith("-catcher")


def test_n_plus_1_blocks_survive_any_block():
    spec, src = small_spec(topology="N+1", rows=6)
    res = run_electrical(spec, rows("hall-1", [450] * 6), src)
    assert all(s.ok for s in res.verification.scenarios)
    assert res.sizing.modules_per_block == 3  # 2 x 500 kW + 1 redundant module
    assert res.installed.ups_blocks <= res.greedy.ups_blocks


def test_row_larger_than_block_is_infeasible_in_spec_terms():
    spec, src = small_spec(topology="4M3", busway=2000)
    with pytest.raises(HubcError) as exc:
        run_electrical(spec, rows("hall-1", [1200, 400]), src)
    assert exc.value.exit_code == 3
    d = exc.value.diagnostics[-1]
    assert d.code == "HUB740"
    assert "hall-1.row-01" in d.message and "1,200 kW" in d.message
    assert d.path == ("electrical", "ups_system_kw")
    assert d.location.file == "pilot.toml" and d.location.line > 0


def test_single_corded_rows_need_a_catcher():
    spec, src = small_spec(topology="2N")
    spec = attrs.evolve(spec, electrical=attrs.evolve(spec.electrical, distribution_paths=1))
    with pytest.raises(HubcError) as exc:
        run_electrical(spec, rows("hall-1", [400, 400]), src)
    assert exc.value.diagnostics[-1].code == "HUB740"
    assert "distribution_paths" in exc.value.diagnostics[-1].message


def test_busway_overload_after_feed_failure_is_rejected():
    # a 900 kW row on 800 kW busways: fine while both feeds share it, 112% when one fails
    spec, src = small_spec(topology="2N", busway=800)
    with pytest.raises(HubcError) as exc:
        run_electrical(spec, rows("hall-1", [900, 300]), src)
    codes = [d.code for d in exc.value.diagnostics]
    assert "HUB750" in codes
    d = next(d for d in exc.value.diagnostics if d.code == "HUB750")
    assert "busway" in d.message and "112%" in d.message


def test_sizing_decisions_record_rule_and_inputs():
    spec, src = small_spec(topology="4M3", rows=6)
    sz = size_electrical(spec, rows("hall-1", [450] * 6), src)
    items = {d.item for d in sz.decisions}
    for needed in ("ups-module", "ups-battery", "unit-substation", "mv-feeder", "generator", "main-transformer", "facility-peak", "hall-1/busway"):
        assert needed in items
    gen = next(d for d in sz.decisions if d.item == "generator")
    # facility = 2,700 kW IT x 1.3 = 3,510 kW; ceil(3510 / 2000) = 2 + 1 (N+1) = 3 generators
    assert dict(gen.result)["generators"] == 3
    assert dict(gen.inputs)["facility_kw"] == pytest.approx(3510)
    bw = next(d for d in sz.decisions if d.item == "hall-1/busway")
    # 1,000 kW / (sqrt3 x 380 V x 0.95) = 1,599 A -> 1,600 A frame
    assert dict(bw.result)["frame_a"] == 1600
    assert dict(bw.result)["current_a"] == pytest.approx(1599.3, abs=0.1)
    uss = next(d for d in sz.decisions if d.item == "unit-substation")
    # 1,500 kVA at 380 V: 2,279 A -> 2,500 A board; Z 5.75% -> 39.6 kA -> 50 kA switchgear
    assert dict(uss.result)["lv_board_frame_a"] == 2500
    assert dict(uss.result)["switchgear_ka"] == 50


def test_main_transformer_rule_wants_more_than_spec():
    doc, _ = load_path("specs/gb200-100mw.toml")
    spec, _ = structure(doc)
    spec = attrs.evolve(spec, substation=attrs.evolve(spec.substation, transformers=3, transformer_mva=70))
    sz = size_electrical(spec, spread_rows(spec), doc.source)
    d = next(d for d in sz.diagnostics if d.code == "HUB731")
    assert "wants 4 x 70 MVA" in d.message and "the spec has 3" in d.message
    assert sz.main_tx_count == 3  # the user's design is kept


def test_equipment_covers_all_copies():
    doc, _ = load_path("specs/gb200-100mw.toml")
    spec, _ = structure(doc)
    res = run_electrical(spec, spread_rows(spec), doc.source)
    eq = {e.id: e for e in res.equipment()}
    blocks = len(res.assignment.halls[0].blocks)
    assert eq["hall-a/unit-substation"].quantity == blocks * 4
    assert eq["hall-a/ups-module"].quantity == blocks * 4 * res.sizing.modules_per_block
    assert eq["hall-a/unit-substation"].area == "hall-a"
    assert eq["ss-main/main-transformer"].quantity == 4
    # N+1 sets per island (each MV section with its load): the network's count
    assert eq["campus/generator"].quantity == res.sizing.generators == len(res.network.generators) == res.generator_plan.total
    fams = {e.family for e in eq.values()}
    for f in ("main-transformer", "hv-switchgear", "mv-switchgear", "mv-cable", "unit-substation", "lv-switchboard", "ups-module", "ups-battery", "busway", "breaker", "generator"):
        assert f in fams


def test_assignment_feeders_keep_groups_apart():
    spec, src = small_spec(topology="4M3", rows=6)
    sz = size_electrical(spec, rows("hall-1", [450] * 6), src)
    asg = assign(sz)
    group = {b.id: b.group for b in asg.halls[0].blocks}
    for f in asg.halls[0].feeders:
        gs = [group[b] for b in f.blocks]
        assert len(gs) == len(set(gs))


def test_sections_solver_stopped_without_proof_keeps_the_fitting_greedy_spread():
    """CP-SAT at its limit (UNKNOWN) is no proof: the greedy spread (improved by the local
    search) that fits is kept, with its gap reported; only a proved INFEASIBLE returns no spread
    (HUB740, else HUB747)."""
    from hubc.electrical.feeds import greedy_sections, improve_sections, solve_sections

    loads = [50 + (7 * i) % 101 for i in range(60)]
    counts = [1] * 60
    cap = sum(loads) // 8 + 200
    out, (status, _obj, _bound, gap, _g), greedy = solve_sections(loads, counts, cap, 8, det_time=0.0)
    assert status == "UNKNOWN" and gap == 1.0
    assert greedy == greedy_sections(loads, counts, 8)
    assert out == improve_sections(loads, greedy, 8)
    worst = [max(sum(loads[i] * x[i][t] for i in range(60)) for t in range(8)) for x in (out, greedy)]
    assert worst[0] <= worst[1]
    assert max(sum(loads[i] * out[i][t] for i in range(60)) for t in range(8)) <= cap
    # three 10 kVA feeders on two 15 kVA sections: proved infeasible
    out, (status, *_), _ = solve_sections([10, 10, 10], [1, 1, 1], 15, 2, det_time=5)
    assert status == "INFEASIBLE" and out is None


def test_section_local_search_improves_the_largest_first_greedy():
    """Two feeders of 3 and three of 2 on two sections. Largest first onto the lightest gives
    3+2+2 = 7 and 3+2 = 5; swapping a 3 for a 2 gives 3+3 = 6 and 2+2+2 = 6, the optimum
    (average 6). The local search finds it, keeps every feeder, and solve_sections reports the
    plain greedy's 7 as the baseline."""
    from hubc.electrical.feeds import greedy_sections, improve_sections, solve_sections

    loads, counts = [3, 2], [2, 3]
    plain = greedy_sections(loads, counts, 2)
    assert max(sum(loads[i] * plain[i][t] for i in range(2)) for t in range(2)) == 7
    better = improve_sections(loads, plain, 2)
    assert [sum(row) for row in better] == counts
    assert sorted(sum(loads[i] * better[i][t] for i in range(2)) for t in range(2)) == [6, 6]
    out, (status, obj, bound, gap, greedy_obj), _ = solve_sections(loads, counts, cap=10, n_sec=2)
    assert (status, obj, bound, gap, greedy_obj) == ("OPTIMAL", 6, 6, 0.0, 7)
    assert max(sum(loads[i] * out[i][t] for i in range(2)) for t in range(2)) == 6
