"""Distributed redundancy as block pairs (`pairs-k`, `pairs-axb`): spec syntax, HUB313, the
CP-SAT model against hand-computed optima, and the failure verifier."""

from __future__ import annotations

import attrs
import pytest

from hubc.checks import run_checks
from hubc.electrical.stage import run_electrical
from hubc.spec.model import parse_topology
from tests.electrical_fixtures import rows, small_spec


def test_parse_pairs_shapes():
    assert parse_topology("pairs-6") == ("pairs", 6, 0)
    assert parse_topology("pairs-3x3") == ("pairs", 6, 3)
    assert parse_topology("pairs-2x5") == ("pairs", 7, 2)
    assert parse_topology("pairs-") is None
    assert parse_topology("pairs-3x") is None


@pytest.mark.parametrize(
    ("topology", "paths", "needle"),
    [
        ("pairs-1", 2, "a group of 1 block"),
        ("pairs-17", 2, "more than 16"),
        ("pairs-0x3", 2, "no block on one side"),
        ("pairs-9x8", 2, "more than 16"),
        ("pairs-3x3", 1, "distribution_paths = 1"),
    ],
)
def test_hub311_bad_shapes(topology, paths, needle):
    spec, src = small_spec(topology=topology)
    spec = attrs.evolve(spec, electrical=attrs.evolve(spec.electrical, distribution_paths=paths))
    found = [d for d in run_checks(spec, src) if d.code == "HUB313"]
    assert len(found) == 1 and needle in found[0].message, [d.message for d in found]
    assert found[0].location.line > 0
    assert not [d for d in run_checks(spec, src) if d.code == "HUB309"]


def test_good_shapes_pass_the_checks():
    for topology in ("pairs-4", "pairs-3x3", "pairs-1x1", "pairs-16"):
        spec, src = small_spec(topology=topology)
        assert not [d for d in run_checks(spec, src) if d.code in ("HUB309", "HUB313")]


def _run(topology: str, n_rows: int = 8, kw: float = 400):
    spec, src = small_spec(topology=topology, rows=n_rows)
    return run_electrical(spec, rows("hall-1", [kw] * n_rows), src, studies=False)


# 8 rows of 400 kW on 1,000 kW blocks. After block t fails, block s carries A_s + Q_st half-rows
# of 200 kW, at most 1,000 kW: at most 5 halves, so a block feeds at most 4 rows when they are
# spread so that it shares one row with its worst partner, 3 rows when it has only 2 partners.
#   4M3: any 3 of 4 carry the group: 3,200 kW > 3 x 1,000, two groups: 8 blocks.
#   pairs-4: a block has <= 3 partners and feeds <= 3 rows (4 rows share >= 2 with one partner:
#     4 + 2 = 6 halves > 5); a group of 4 takes 4 x 3 / 2 = 6 rows, the other 2 rows need 2
#     more blocks: 6 blocks (5 blocks would need a group of 5).
#   pairs-8: 5 blocks in one group, each feeding 4 rows, one on each partner (4 + 1 = 5 halves);
#     4 blocks cannot (16 cords, 4 per block over 3 partners: 4 + 2 halves).
#   pairs-2x2: an A block has 2 partners and feeds <= 3 rows, so a 2 x 2 group takes 6 rows;
#     the other 2 rows need a 1 x 1 group: 6 blocks.
@pytest.mark.parametrize(("topology", "blocks"), [("4M3", 8), ("pairs-4", 6), ("pairs-8", 5), ("pairs-2x2", 6)])
def test_blocks_hand_computed(topology, blocks):
    res = _run(topology)
    assert res.installed.ups_blocks == blocks
    stats = [s for s in res.assignment.halls[0].stats if s.model == "rows->blocks"]
    assert stats[0].status == "OPTIMAL"
    # proved optimal: the campus bound on blocks meets the blocks installed
    campus = res.assignment.campus
    assert (campus.blocks, campus.bound, campus.gap) == (blocks, blocks, 0.0)
    assert campus.greedy_blocks == res.greedy.ups_blocks >= blocks
    assert res.installed.ups_blocks <= res.greedy.ups_blocks
    assert all(s.ok for s in res.verification.scenarios)


def test_pairs_feeds_on_two_blocks_of_one_group_and_sides():
    res = _run("pairs-2x2")
    ha = res.assignment.halls[0]
    by_id = {b.id: b for b in ha.blocks}
    for c in ha.cords:
        a, b = by_id[c.a], by_id[c.b]
        assert a.group == b.group and a.id != b.id
        assert (a.role, b.role) == ("pair-a", "pair-b")
    kinds = {s.kind for s in res.verification.scenarios}
    assert {"ups-system", "unit-substation", "mv-feeder", "block-pairs"} <= kinds
    # every block, unit substation and feeder failure is checked
    hall = [s for s in res.verification.scenarios if s.area == "hall-1"]
    assert sum(1 for s in hall if s.kind == "ups-system") == len(ha.blocks)
    assert sum(1 for s in hall if s.kind == "unit-substation") == len(ha.blocks)
    assert sum(1 for s in hall if s.kind == "mv-feeder") == len(ha.feeders)


def test_verifier_catches_a_broken_pair():
    from hubc.electrical.verify import verify_electrical

    res = _run("pairs-2x2")
    ha = res.assignment.halls[0]
    first = ha.cords[0]
    # both feeds of the first row on its A block: losing that block drops the row
    broken = attrs.evolve(ha, cords=(attrs.evolve(first, b=first.a),) + ha.cords[1:])
    asg = attrs.evolve(res.assignment, halls=(broken,))
    spec, _ = small_spec(topology="pairs-2x2", rows=8)
    ver = verify_electrical(res.sizing, asg, tier=3, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw)
    pair = next(s for s in ver.scenarios if s.kind == "block-pairs")
    assert not pair.ok and pair.lost_kw == pytest.approx(400)
    lost = [s for s in ver.scenarios if s.kind == "ups-system" and s.failed == (first.a,)]
    assert lost[0].lost_kw == pytest.approx(400)
    assert any(d.code == "HUB751" for d in ver.diagnostics)
