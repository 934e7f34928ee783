"""Rack-granularity lower bound on the UPS blocks of one hall copy, valid for every placement.

Rows are not divisible: a row's load is the sum of the indivisible pieces the placement puts in
it - one row pod, one half of a row-pair pod (its first ceil(L/2) racks, or the rest), the spine
block - and every row item lands whole on its blocks. Splitting rows back into their pieces
(and a row-scope CDU into one share per piece) only relaxes the rows -> blocks problem, so a
lower bound on packing the pieces is one on every placement of the copy.

The rows -> blocks rules (`hubc.electrical.distributed`, `feeds`), in 0.1 kW:

- distributed (2N, xMy, N+1, block pairs): an item's A and B cords land on two partner blocks s,
  t of one group, and after t fails s carries A_s + Q_st <= 2P (A_s: full loads of the items on
  s, Q_st: of those shared with t). A block with at most d partners shares >= A_s / d with one of
  them, so A_s <= C = floor(2P d / (d + 1)): every piece packed twice (its two cords) into
  blocks of capacity C. A group's total (each item once) is at most P (blocks - 1), and for xMy
  at most y P: every piece packed once into groups of that capacity. Fixed groups (2N, xMy)
  install x blocks each; variable ones (N+1, pairs) at least 2.
- block-redundant: an active block carries its items whole (<= P), plus one catcher per group
  of up to x actives.

Each packing is bounded by the best of the Martello-Toth L2 bound (Martello & Toth, "Lower
bounds and reduction procedures for the bin packing problem", Discrete Applied Mathematics 28,
1990) and the dual feasible functions u^(k) of Fekete & Schepers ("New classes of fast lower
bounds for bin packing problems", Mathematical Programming 91, 2001): for every packing,
sum f(x) <= C per bin, so bins >= ceil(sum f(x) / C). u^(k) counts an item of a C/(k+1)-th or
more of a bin as a k-th of it, the rack-granularity effect the reserve bound misses (a 2.5 MW
4M3 block's 3.75 MW of cords holds six 548 kW GB200 half-units, not 6.8).
"""

from __future__ import annotations

import math
from collections import Counter

# a u^(k) bound for every k up to C / (smallest piece), at most this many
MAX_K = 400


def _l2(items: Counter, cap: int) -> int:
    """Martello-Toth L2 over every threshold alpha in {0} and the item sizes <= C/2."""
    best = 0
    for alpha in {0} | {s for s in items if 2 * s <= cap}:
        j1 = sum(c for s, c in items.items() if s > cap - alpha)
        j2 = [(s, c) for s, c in items.items() if cap - alpha >= s and 2 * s > cap]
        j3 = sum(s * c for s, c in items.items() if 2 * s <= cap and s >= alpha)
        n2 = sum(c for _, c in j2)
        room = n2 * cap - sum(s * c for s, c in j2)
        best = max(best, j1 + n2 + max(0, -(-(j3 - room) // cap)))
    return best


def _u_k(items: Counter, cap: int, k: int) -> int:
    """ceil(sum u^(k)(x) / C): u^(k)(x) = x when (k + 1) x / C is an integer, else
    floor((k + 1) x / C) C / k (scaled by k to stay in integers)."""
    total = 0
    for s, c in items.items():
        f = k * s if ((k + 1) * s) % cap == 0 else ((k + 1) * s // cap) * cap
        total += f * c
    return -(-total // (k * cap))


def min_bins(items: Counter, cap: int) -> int:
    """A lower bound on the bins of capacity `cap` that hold `items` (size -> count, integers):
    the best of the volume bound, L2 and u^(k) for k = 1 .. min(C / smallest, MAX_K)."""
    items = Counter({s: c for s, c in items.items() if s > 0 and c > 0})
    if not items or cap <= 0:
        return 0
    best = max(-(-sum(s * c for s, c in items.items()) // cap), _l2(items, cap))
    for k in range(1, min(cap // min(items), MAX_K) + 1):
        best = max(best, _u_k(items, cap, k))
    return best


def granular_blocks(kind: str, x: int, y: int, partners: int, p: int, pieces: Counter) -> int:
    """Lower bound on the UPS blocks of one copy whose rows are made of `pieces` (0.1 kW ->
    count) for a topology of `kind` ("2N", "xMy", "N+1", "pairs", "block-redundant") with x
    blocks per group, y carrying (xMy), at most `partners` partners per block, blocks of p."""
    if not pieces or p <= 0:
        return 0
    if kind == "block-redundant":
        active = min_bins(pieces, p)
        return active + -(-active // x)
    cords = Counter({s: 2 * c for s, c in pieces.items()})
    per_block = min_bins(cords, (2 * p * partners) // (partners + 1))
    group_cap = p * (y if kind == "xMy" else x - 1)
    groups = min_bins(pieces, group_cap)
    if kind in ("2N", "xMy"):
        return x * max(groups, -(-per_block // x))
    return max(per_block, 2 * groups)


__all__ = ["granular_blocks", "min_bins"]
