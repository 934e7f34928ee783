"""Rows -> blocks for distributed redundancy (2N, xMy, N+1, block pairs): the group shape, the
greedy baselines and the CP-SAT model that `hubc.electrical.feeds` solves.

A group has `x` block slots. Each load item's A and B cords land on a pair of slots (s, t) of one
group: any pair (2N, xMy, N+1, `pairs-k`), or an A slot and a B slot (`pairs-axb`: slots
0..a-1 are A blocks, a..x-1 B blocks). After block t fails, block s carries its half of every
item it feeds plus t's half of the items they share: A_s + Q_st <= 2P for every pair of
partners (A_s: full loads of the items touching s, Q_st: of the items on {s, t}; loads in 0.1 kW).
Groups of variable size (N+1, pairs) install only the slots they use; used slots are a prefix of
each side.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import attrs


@attrs.frozen(kw_only=True)
class Shape:
    """The slots of one redundancy group and which slot pairs may share a load item."""

    x: int  # slots per group
    a: int = 0  # A slots (0: any pair)
    fixed: bool = False  # every group installs all x slots (2N, xMy)
    kind: str = "N+1"
    y: int = 0  # xMy: any y of x carry the group

    @classmethod
    def of(cls, topo) -> Shape:
        return cls(x=topo.x, a=topo.y if topo.kind == "pairs" else 0, fixed=topo.fixed_size, kind=topo.kind, y=topo.y)

    def side(self, s: int) -> int:
        return 0 if (not self.a or s < self.a) else 1

    def sides(self) -> tuple[range, ...]:
        return (range(self.x),) if not self.a else (range(self.a), range(self.a, self.x))

    def pairs(self) -> list[tuple[int, int]]:
        if not self.a:
            return list(combinations(range(self.x), 2))
        return [(s, t) for s in range(self.a) for t in range(self.a, self.x)]

    def partners(self, s: int) -> list[int]:
        return [o for o in range(self.x) if o != s and self.side(o) != self.side(s)] if self.a else [o for o in range(self.x) if o != s]

    def first(self) -> tuple[int, ...]:
        """Slots every used group installs."""
        if self.fixed:
            return tuple(range(self.x))
        return (0, self.a) if self.a else (0, 1)

    def next_slots(self, used: list[int]) -> list[int]:
        """The next free slot of each side (used slots are a prefix of their side)."""
        return [next(s for s in side if s not in used) for side in self.sides() if any(s not in used for s in side)]

    def most_partners(self) -> int:
        return max(len(self.partners(s)) for s in range(self.x))


@attrs.frozen(kw_only=True)
class DistSolution:
    """groups[g] = the slots group g installs; counts[(k, g, s, t)] = items of type k on (s, t)."""

    groups: tuple[tuple[int, ...], ...]
    counts: dict

    def blocks(self) -> int:
        return sum(len(g) for g in self.groups)


def _loads(units, counts: dict) -> tuple[Counter, Counter, Counter]:
    A: Counter = Counter()
    Q: Counter = Counter()
    tot: Counter = Counter()
    for (k, g, s, t), c in counts.items():
        u = units[k] * c
        A[g, s] += u
        A[g, t] += u
        Q[g, s, t] += u
        tot[g] += u
    return A, Q, tot


def worst_load(units, sol: DistSolution, shape: Shape) -> int:
    """The highest A_s + Q_st over every block s and failed partner t (0.1 kW, two halves)."""
    A, Q, _ = _loads(units, sol.counts)
    worst = 0
    for g, slots in enumerate(sol.groups):
        for s in slots:
            for t in shape.partners(s):
                if t in slots:
                    worst = max(worst, A[g, s] + Q[g, min(s, t), max(s, t)])
    return worst


class _Greedy:
    """Groups under construction: installed slots, A_s and Q_st per group."""

    def __init__(self, shape: Shape, p: int) -> None:
        self.shape = shape
        self.P2 = 2 * p
        self.used: list[list[int]] = []
        self.A: list[Counter] = []
        self.Q: list[Counter] = []
        self.counts: Counter = Counter()

    def fits(self, g: int, s: int, t: int, u: int) -> bool:
        A, Q = self.A[g], self.Q[g]
        for x, y in ((s, t), (t, s)):
            worst = max(Q[min(x, o), max(x, o)] + (u if o == y else 0) for o in self.shape.partners(x))
            if A[x] + u + worst > self.P2:
                return False
        return True

    def place(self, g: int, s: int, t: int, k: int, u: int) -> None:
        self.A[g][s] += u
        self.A[g][t] += u
        self.Q[g][s, t] += u
        self.counts[(k, g, s, t)] += 1

    def candidates(self, g: int, u: int, spread: bool) -> list[tuple[int, int]]:
        used = self.used[g]
        out = [(s, t) for s, t in self.shape.pairs() if s in used and t in used and self.fits(g, s, t, u)]
        if spread:
            out.sort(key=lambda st: (self.Q[g][st], self.A[g][st[0]] + self.A[g][st[1]], st))
        return out

    def grow(self, k: int, u: int) -> bool:
        """Add one slot to the last group (variable-size groups) and put the item on it."""
        g = len(self.used) - 1
        for new in self.shape.next_slots(self.used[g]):
            self.used[g].append(new)
            for o in self.shape.partners(new):
                if o in self.used[g] and o != new:
                    s, t = min(o, new), max(o, new)
                    if self.fits(g, s, t, u):
                        self.place(g, s, t, k, u)
                        return True
            self.used[g].pop()
        return False

    def open(self, k: int, u: int) -> None:
        self.used.append(list(self.shape.first()))
        self.A.append(Counter())
        self.Q.append(Counter())
        s, t = self.shape.pairs()[0] if self.shape.fixed else self.shape.first()[:2]
        self.place(len(self.used) - 1, s, t, k, u)


def greedy_distributed(units, order: list[int], shape: Shape, p: int, *, spread: bool = False) -> DistSolution:
    """First fit in row order: the first group and block pair (in order) that survives any single
    block failure after adding the item; a new block (variable-size groups) or group when none does.

    With `spread` (the warm start, not the baseline): items largest first, and within the first
    group that has room the pair sharing least load (spread-first pairing)."""
    st = _Greedy(shape, p)
    if spread:
        order = sorted(order, key=lambda k: (-units[k], k))
    for k in order:
        u = units[k]
        placed = False
        for g in range(len(st.used)):
            cands = st.candidates(g, u, spread)
            if cands:
                st.place(g, *cands[0], k, u)
                placed = True
                break
        if not placed and not shape.fixed and st.used:
            placed = st.grow(k, u)
        if not placed:
            st.open(k, u)
    return DistSolution(groups=tuple(tuple(sorted(u)) for u in st.used), counts=dict(st.counts))


def canonical(units, sol: DistSolution, shape: Shape) -> DistSolution:
    """Relabel groups (heaviest first) and, within each side, slots (heaviest first, onto the
    side's prefix): the labelling the model's symmetry breaking expects, so the greedy solution
    is a complete, feasible hint."""
    A, _, tot = _loads(units, sol.counts)
    gorder = sorted(range(len(sol.groups)), key=lambda g: (-tot[g], g))
    gmap = {g: i for i, g in enumerate(gorder)}
    smap: dict[tuple[int, int], int] = {}
    for g, slots in enumerate(sol.groups):
        for side in shape.sides():
            mine = sorted((s for s in slots if s in side), key=lambda s: (-A[g, s], s))
            for i, s in enumerate(mine):
                smap[g, s] = side[i]
    counts: Counter = Counter()
    for (k, g, s, t), c in sol.counts.items():
        a, b = smap[g, s], smap[g, t]
        counts[(k, gmap[g], min(a, b), max(a, b))] += c
    groups = tuple(tuple(sorted(smap[g, s] for s in sol.groups[g])) for g in gorder)
    return DistSolution(groups=groups, counts=dict(counts))


def _cords_cap(U: int, partners: int, P2: int) -> int:
    """Rack granularity: c cords of items >= U on a block spread over at most `partners`
    partners, so one partner shares >= ceil(c / partners) of them: (c + ceil(c / partners)) U <= 2P."""
    c = 0
    while (c + 1 + math.ceil((c + 1) / partners)) * U <= P2:
        c += 1
    return c


class DistModel:
    """The CP-SAT model: integer counts n[k, g, s, t] of identical items per slot pair, slot and
    group switches, the failure rule, valid cuts and symmetry breaking. Objective: fewest blocks,
    then the lowest worst post-failure block load."""

    def __init__(self, units, counts, shape: Shape, p: int, n_groups: int) -> None:
        from ortools.sat.python import cp_model

        self.units, self.item_counts, self.shape, self.p, self.G = units, counts, shape, p, n_groups
        self.P2 = 2 * p
        self.big = self.P2 + 1
        self.K = range(len(units))
        self.pairs = shape.pairs()
        m = self.m = cp_model.CpModel()
        first = set(shape.first())
        self.z = [m.new_bool_var(f"z{g}") for g in range(n_groups)]
        self.w = [[self.z[g] if b in first else m.new_bool_var(f"w{g}_{b}") for b in range(shape.x)] for g in range(n_groups)]
        self.n = {}
        for k in self.K:
            for g in range(n_groups):
                for s, t in self.pairs:
                    v = self.n[k, g, s, t] = m.new_int_var(0, counts[k], f"n{k}_{g}_{s}_{t}")
                    m.add(v <= counts[k] * self.w[g][t])
                    if shape.a:
                        m.add(v <= counts[k] * self.w[g][s])
        for k in self.K:
            m.add(sum(self.n[k, g, s, t] for g in range(n_groups) for s, t in self.pairs) == counts[k])
        self.worst = m.new_int_var(0, self.P2, "worst")
        self.totals = [sum(units[k] * self.n[k, g, s, t] for k in self.K for s, t in self.pairs) for g in range(n_groups)]
        for g in range(n_groups):
            self._group(g)
        self._campus_cuts()

    def _on(self, g: int, s: int, o: int):
        return sum(self.units[k] * self.n[k, g, min(s, o), max(s, o)] for k in self.K)

    def _group(self, g: int) -> None:
        m, sh, w, z = self.m, self.shape, self.w[g], self.z[g]
        A = {s: sum(self._on(g, s, o) for o in sh.partners(s)) for s in range(sh.x)}
        for s in range(sh.x):
            for t in sh.partners(s):
                # survive the loss of t: s carries its half of everything plus t's half of the shared items
                q = self._on(g, s, t)
                m.add(A[s] + q <= self.P2 * w[s])
                m.add(A[s] + q <= self.worst)
        # valid cut (rack granularity), one per item size
        for U in sorted(set(self.units)):
            big_k = [k for k in self.K if self.units[k] >= U]
            for s in range(sh.x):
                cords = sum(self.n[k, g, min(s, o), max(s, o)] for k in big_k for o in sh.partners(s))
                m.add(cords <= _cords_cap(U, len(sh.partners(s)), self.P2))
        total = self.totals[g]
        # valid cut (redundancy reserve): the blocks left after one failure carry the group; for
        # xMy also the rule itself - any y of x blocks carry the whole group
        m.add(total <= self.p * (sum(w) - z))
        if sh.kind == "xMy":
            m.add(total <= self.p * sh.y * z)
        # symmetry: within each side, slots installed as a prefix in decreasing load order
        for side in sh.sides():
            for b, c in zip(side, side[1:]):
                m.add(A[b] >= A[c])
                if not sh.fixed:
                    m.add(w[b] >= w[c])
        # used groups first, heavier first
        if g + 1 < self.G:
            m.add(z >= self.z[g + 1])
            m.add(total >= self.totals[g + 1])

    def blocks(self):
        return sum(sum(self.w[g]) if not self.shape.fixed else self.shape.x * self.z[g] for g in range(self.G))

    def _campus_cuts(self) -> None:
        sh, m = self.shape, self.m
        total_units = sum(u * c for u, c in zip(self.units, self.item_counts))
        y_eff = sh.y if sh.kind == "xMy" else sh.x - 1
        m.add(sum(self.z) >= math.ceil(total_units / (y_eff * self.p)))
        # valid cut (partners): a block with at most d partners shares >= A_s / d with one of them,
        # so A_s (d + 1) / d <= 2P; summed over blocks (sum A_s = 2 x total): total (d + 1) <= d P blocks
        m.minimize(self.big * self.blocks() + self.worst)

    def blocks_only(self) -> None:
        """A pass on the block count alone (to prove it when the lexicographic solve stopped)."""
        self.m.minimize(self.blocks())
        self.m.clear_hints()

    def hint(self, sol: DistSolution, worst: int) -> None:
        for g in range(self.G):
            slots = sol.groups[g] if g < len(sol.groups) else ()
            self.m.add_hint(self.z[g], bool(slots))
            for b in range(self.shape.x):
                if self.w[g][b] is not self.z[g]:
                    self.m.add_hint(self.w[g][b], b in slots)
            for k in self.K:
                for s, t in self.pairs:
                    self.m.add_hint(self.n[k, g, s, t], sol.counts.get((k, g, s, t), 0))
        self.m.add_hint(self.worst, worst)

    def read(self, solver) -> DistSolution:
        groups = []
        counts = {}
        for g in range(self.G):
            if not solver.value(self.z[g]):
                continue
            gi = len(groups)
            groups.append(tuple(b for b in range(self.shape.x) if solver.value(self.w[g][b])))
            for k in self.K:
                for s, t in self.pairs:
                    v = solver.value(self.n[k, g, s, t])
                    if v:
                        counts[(k, gi, s, t)] = v
        return DistSolution(groups=tuple(groups), counts=counts)
