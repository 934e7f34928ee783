"""The rack-granularity bound on a hall copy's UPS blocks (`hubc.electrical.granularity`) is a
valid lower bound: brute force over every way to group the pieces into rows and every
assignment of the rows to blocks, under the rows -> blocks model's rules."""

from __future__ import annotations

import math
import random
from collections import Counter
from itertools import combinations

import pytest

from hubc.electrical.granularity import granular_blocks, min_bins


def _partitions(items: list[int]):
    """Every set partition of `items` (as lists of row loads)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first]] + part
        for i in range(len(part)):
            yield part[:i] + [[first] + part[i]] + part[i + 1:]


def _pairs(x: int, a: int) -> list[tuple[int, int]]:
    return [(s, t) for s in range(a) for t in range(a, x)] if a else list(combinations(range(x), 2))


def _partners(x: int, a: int, s: int) -> list[int]:
    if not a:
        return [o for o in range(x) if o != s]
    return [o for o in range(x) if (o < a) != (s < a)]


def _group_ok(load: dict, x: int, a: int, cap_total: int, p: int) -> bool:
    """One group's A_s + Q_st <= 2P for every block s and partner t, and its total <= cap."""
    A: Counter = Counter()
    for (s, t), q in load.items():
        A[s] += q
        A[t] += q
    if sum(load.values()) > cap_total:
        return False
    return all(A[s] + load.get((min(s, t), max(s, t)), 0) <= 2 * p for s in range(x) for t in _partners(x, a, s))


def _exact_distributed(rows: list[int], kind: str, x: int, y: int, a: int, p: int) -> float:
    """Fewest blocks for these rows: each on a slot pair of one group (groups in order of first use)."""
    pairs = _pairs(x, a)
    best = math.inf

    def blocks(groups: list[dict]) -> int:
        if kind in ("2N", "xMy"):
            return x * len(groups)
        out = 0
        for load in groups:
            used = {s for pr, q in load.items() if q for s in pr}
            out += max(len(used), 2, math.ceil(sum(load.values()) / p) + 1)
        return out

    def cap_total() -> int:
        return p * (y if kind == "xMy" else x - 1)

    def go(i: int, groups: list[dict]) -> None:
        nonlocal best
        if i == len(rows):
            best = min(best, blocks(groups))
            return
        for g in range(len(groups) + 1):
            for pr in pairs:
                trial = [dict(gr) for gr in groups] + ([{}] if g == len(groups) else [])
                trial[g][pr] = trial[g].get(pr, 0) + rows[i]
                if _group_ok(trial[g], x, a, cap_total(), p):
                    go(i + 1, trial)

    go(0, [])
    return best


def _exact_catcher(rows: list[int], x: int, p: int) -> float:
    best = math.inf

    def go(i: int, groups: list[list[int]]) -> None:
        nonlocal best
        if i == len(rows):
            best = min(best, sum(sum(1 for b in g if b) + 1 for g in groups))
            return
        for g in range(len(groups) + 1):
            for b in range(x):
                trial = [list(gr) for gr in groups] + ([[0] * x] if g == len(groups) else [])
                trial[g][b] += rows[i]
                if trial[g][b] <= p:
                    go(i + 1, trial)

    go(0, [])
    return best


def _exact(pieces: list[int], kind: str, x: int, y: int, a: int, p: int) -> float:
    """Fewest blocks over every grouping of the pieces into rows (a superset of the placements)."""
    best = math.inf
    for part in _partitions(pieces):
        rows = sorted((sum(r) for r in part), reverse=True)
        got = _exact_catcher(rows, x, p) if kind == "block-redundant" else _exact_distributed(rows, kind, x, y, a, p)
        best = min(best, got)
    return best


def _volume(pieces: list[int], kind: str, x: int, y: int, partners: int, p: int) -> int:
    """The same rules on divisible load (the reserve bound's view)."""
    total = sum(pieces)
    if kind == "block-redundant":
        active = math.ceil(total / p)
        return active + math.ceil(active / x)
    per_block = math.ceil(2 * total / ((2 * p * partners) // (partners + 1)))
    if kind in ("2N", "xMy"):
        return x * max(math.ceil(total / (p * (y if kind == "xMy" else x - 1))), math.ceil(per_block / x))
    return per_block


# (kind, x, y, a: A slots of a pairs-axb group, most partners, most pieces, smallest piece)
TOPOLOGIES = [
    ("2N", 2, 1, 0, 1, 6, 2),
    ("xMy", 3, 2, 0, 2, 5, 2),
    ("N+1", 3, 0, 0, 2, 5, 2),
    ("pairs", 3, 0, 0, 2, 5, 2),
    ("pairs", 3, 1, 1, 2, 5, 2),
    ("block-redundant", 2, 0, 0, 1, 6, 4),
]


@pytest.mark.parametrize("kind,x,y,a,partners,n,lo", TOPOLOGIES)
def test_bound_never_exceeds_the_brute_force_optimum(kind, x, y, a, partners, n, lo):
    # blocks of 10 units, 12 random instances of 3..n pieces of lo..8 units each
    rng = random.Random(f"{kind}{x}{y}{a}")
    p = 10
    stronger = 0
    for _ in range(12):
        pieces = [rng.randint(lo, 8) for _ in range(rng.randint(3, n))]
        bound = granular_blocks(kind, x, y, partners, p, Counter(pieces))
        exact = _exact(pieces, kind, x, y, a, p)
        assert bound <= exact, (pieces, bound, exact)
        stronger += bound > _volume(pieces, kind, x, y, partners, p)
    assert stronger > 0  # granularity counts on some instance


def test_bound_hand_computed():
    # 2N on 10-unit blocks: five pieces of 4 - a group carries at most 10, so two pieces (8);
    # 3 groups = 6 blocks. The volume bound: 2 x 20 / 10 = 4.
    assert granular_blocks("2N", 2, 1, 1, 10, Counter({4: 5})) == 6 == _exact([4] * 5, "2N", 2, 1, 0, 10)
    # 4M3 on 2.5 MW blocks, 24 GB200 units of two 548 kW halves: a block's cords carry at most
    # floor(2 x 25,000 x 3 / 4) = 37,500 (0.1 kW), six halves (6 x 5,480 = 32,880; seven 38,360);
    # 24 units: 96 cords -> 16 blocks = 4 groups; 20 units: 80 cords -> 14 blocks -> 4 groups = 16
    # where the reserve bound (any 3 of 4 carry the group: 21,920 kW / 7,500 kW) says 3 groups.
    assert granular_blocks("xMy", 4, 3, 3, 25000, Counter({5480: 48})) == 16
    assert granular_blocks("xMy", 4, 3, 3, 25000, Counter({5480: 40})) == 16


def test_min_bins_l2_and_dff():
    # three items of 6 in bins of 10: no two share a bin (L2 counts them: 3; volume 2)
    assert min_bins(Counter({6: 3}), 10) == 3
    # u^(2): items of 4 (at least a third of 10) count as half a bin: 5 items -> 3 bins
    assert min_bins(Counter({4: 5}), 10) == 3
    assert min_bins(Counter(), 10) == 0


def test_copy_pieces_of_a_gb200_module():
    # Module A of the 1 GW bench campus with 24 GB200 units: 48 half-units of 4 x 132 + 20 =
    # 548 kW, 11 storage racks of 15 kW, the spine block of 2 x 20 kW, and its 10 CDUs sharing
    # the pumps of 24 x 8 x 132 x 0.8712 kW of liquid heat (hall-scope loop).
    from hubc.core.loads import cdu_pump_kw_per_kw
    from hubc.electrical.demand import blocks_bound, copy_pieces, reserve_bound
    from hubc.spec.convert import structure
    from hubc.spec.source import load_path

    doc, _ = load_path("bench/specs/campus-gb200-1gw-demand.toml")
    spec, _ = structure(doc)
    hall = spec.halls()["hall-a1"]
    per_cdu_kw = 24 * 8 * 132 * 0.8712 * cdu_pump_kw_per_kw(hall.cooling) / 10
    cdu = math.floor(per_cdu_kw * 10 + 1e-6)  # 0.1 kW
    assert copy_pieces(spec, hall, "gb200-su", 24) == Counter({5480: 48, 150: 11, 400: 1, cdu: 10})
    # 4M3: six half-units per block (above): 20 units -> 14 blocks -> 4 groups = 16, where the
    # reserve bound says 12
    assert (reserve_bound(spec, hall, "gb200-su", 20), blocks_bound(spec, hall, "gb200-su", 20)) == (12, 16)


def test_bound_never_exceeds_the_built_fill():
    # every fill of the small demand campus (2N, 400 kW pods), built by the per-hall models
    from hubc.electrical.demand import blocks_bound, fill_price
    from tests.test_campus_demand import _spec

    spec, _ = _spec(12)
    for hall, cap in (("h-big", 8), ("h-small", 4)):
        for n in range(1, cap + 1):
            h = spec.halls()[hall]
            assert blocks_bound(spec, h, "pod", n) == 2 * math.ceil(n / 2) <= fill_price(spec, h, "pod", n).blocks
