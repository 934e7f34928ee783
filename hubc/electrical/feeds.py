"""Feed assignment: which UPS blocks feed each row's A and B busways, which MV feeder feeds each
block's unit substation, and which main transformer (MV bus section) each feeder hangs on.

In: `ElectricalSizing` (load items per distinct hall, block and feeder ratings, topology).
Out: `Assignment` - blocks, cords, feeders and sections - plus, for every CP-SAT model, its
status, objective, best bound and gap, and the same assignment made by a greedy baseline.

The problem is block-angular (rows connect only to blocks in their own hall), so each
distinct hall is solved once and its copies reuse the result:

1. rows -> blocks: identical load items are aggregated into integer counts per block pair.
   Distributed redundancy (2N = "2M1", xMy, N+1): each item's A and B cords land on two blocks of
   one group, and after any one block of the group fails its partner picks up the other half:
   A_s + Q_st <= 2 P for every ordered pair (A_s: full loads of items touching s, Q_st: items on
   {s, t}). Block redundant: each item's A cord is on an active block (<= P); the catcher takes
   the failed block's load, so it needs nothing more. Objective: fewest blocks, then the lowest
   worst post-failure block load (imbalance).
2. blocks -> MV feeders (per hall): bin packing on each block's worst input kVA, blocks of one
   redundancy group on different feeders (a feeder fault then removes at most one block per
   group: a single-block failure for every group). Fewest feeders, then least loading.
3. feeders -> main transformers (campus): least maximum section loading.

Every model gets a greedy warm start as a complete hint, symmetry breaking (used groups first,
loads in decreasing order), valid cuts (redundancy reserve) and deterministic parameters (one
worker, deterministic time limit). `greedy_*` functions are the baseline the bench compares.
"""

from __future__ import annotations

import math
from collections import Counter

import attrs

from hubc.core.derived import NOT_IN_JSON
from hubc.electrical.demand import PRICE_DET_S, PRICE_ROUNDS, CampusSplit
from hubc.electrical.distributed import DistModel, DistSolution, Shape, canonical, greedy_distributed, worst_load
from hubc.electrical.sizing import ElectricalSizing, HallPower, Topology

SCALE = 10  # loads in 0.1 kW / 0.1 kVA integers
# Deterministic-time budgets (CP-SAT's work units, ~seconds on this class of machine).
DET_TIME_BLOCKS = 4.0
DET_TIME_FEEDERS = 2.0
DET_TIME_SECTIONS = 1.0
# Extra budget (share of the rows -> blocks one) to prove the block count when the
# lexicographic solve stops at its limit.
BLOCKS_PROOF_SHARE = 0.25


@attrs.frozen(kw_only=True)
class Block:
    """A power block: unit substation + LV board + UPS system, in one copy of a hall."""

    id: str
    hall: str
    group: int  # redundancy group (0-based)
    index: int  # block within the group; the catcher is index -1
    role: str  # "distributed" | "active" | "catcher"


@attrs.frozen(kw_only=True)
class Cord:
    item: str
    kw: float
    a: str  # block id of the A feed
    b: str | None  # block id of the B feed (None for single-corded items)


@attrs.frozen(kw_only=True)
class Feeder:
    id: str
    hall: str  # "campus" for mechanical feeders
    blocks: tuple[str, ...]
    kind: str = "ups"  # "ups" | "mechanical"
    normal_kva: float = 0.0  # per feeder
    copies: int = 1


@attrs.frozen(kw_only=True)
class SolveStats:
    model: str
    status: str
    objective: float
    bound: float
    gap: float
    greedy_objective: float


@attrs.frozen(kw_only=True)
class HallAssignment:
    hall: str
    copies: int
    blocks: tuple[Block, ...]
    cords: tuple[Cord, ...]
    feeders: tuple[Feeder, ...]
    stats: tuple[SolveStats, ...]
    greedy_blocks: int
    greedy_feeders: int


@attrs.frozen(kw_only=True)
class CampusBlocks:
    """UPS blocks over the whole campus (every hall copy): installed, a proved lower bound and
    the gap. `split_bound`: for the split of pods over halls the build uses - per hall the
    larger of the topology's reserve bound and the rows -> blocks model's bound on its block
    term, times copies. `bound`: the same, except that the halls a campus `[[demand]]` split
    count with the demand master's bound, valid for every split the demand allows."""

    blocks: int
    bound: int
    gap: float
    split_bound: int
    greedy_blocks: int
    demand: tuple[CampusSplit, ...] = ()  # the demand masters' splits


def campus_blocks(halls: tuple[HallAssignment, ...], sz: ElectricalSizing, splits: tuple[CampusSplit, ...] = ()) -> CampusBlocks:
    p2 = 2 * int(round(sz.block_kw * SCALE))
    # rows -> blocks objectives are big x blocks + worst with worst < big
    big = p2 // 2 + 1 if sz.topology.kind == "block-redundant" else p2 + 1
    per: dict[str, int] = {}
    for h in halls:
        best = sz.hall(h.hall).min_blocks
        for st in h.stats:
            if st.model == "rows->blocks" and st.bound > 0:
                best = max(best, int((st.bound + 1e-6) // big))
        per[h.hall] = best * h.copies
    split_bound = sum(per.values())
    bound = split_bound
    if splits:
        split = {f.hall for sp in splits for f in sp.fills}
        bound = sum(sp.bound_blocks for sp in splits) + sum(v for hall, v in per.items() if hall not in split)
    blocks = sum(len(h.blocks) * h.copies for h in halls)
    return CampusBlocks(
        blocks=blocks,
        bound=bound,
        gap=(blocks - bound) / blocks if blocks else 0.0,
        split_bound=split_bound,
        greedy_blocks=sum(h.greedy_blocks * h.copies for h in halls),
        demand=tuple(splits),
    )


@attrs.frozen(kw_only=True)
class Assignment:
    halls: tuple[HallAssignment, ...]
    mech_feeders: tuple[Feeder, ...]
    # (feeder id within a hall copy, hall, section index) as counts: section -> ((hall, feeder id, copies), ...)
    # design.json shows both per section, by transformer: `ElectricalResult.bus_sections`
    sections: tuple[tuple[tuple[str, str, int], ...], ...] = attrs.field(metadata=NOT_IN_JSON)
    section_kva: tuple[float, ...] = attrs.field(metadata=NOT_IN_JSON)
    stats: tuple[SolveStats, ...]
    campus: CampusBlocks | None = None

    def hall(self, hall_id: str) -> HallAssignment:
        return next(h for h in self.halls if h.hall == hall_id)

    def section_copies(self) -> dict[tuple[str, str], tuple[int, ...]]:
        """(hall, feeder id) -> the section of that feeder in copy 0, 1, ... of the hall: the
        section counts laid out copy by copy, lowest section first (copies are identical, so
        this is one concrete realisation of the counts; design.json records it)."""
        out: dict[tuple[str, str], list[int]] = {}
        for t, sec in enumerate(self.sections):
            for hall, fid, n in sec:
                out.setdefault((hall, fid), []).extend([t] * n)
        return {k: tuple(v) for k, v in out.items()}


class Infeasible(Exception):
    """Raised with a message in spec terms when no assignment exists."""

    def __init__(self, message: str, path: tuple = (), help: str = "", proved: bool = True) -> None:
        super().__init__(message)
        self.path = path
        self.help = help
        # False: the solver stopped at its limit without a solution and the greedy one does not
        # fit either; nothing proves infeasibility (HUB747, not HUB740)
        self.proved = proved


# ------------------------------------------------------------------------------ data


@attrs.frozen(kw_only=True)
class _Types:
    """Identical load items aggregated: loads in 0.1 kW, counts, and the item ids of each type."""

    units: tuple[int, ...]
    counts: tuple[int, ...]
    ids: tuple[tuple[str, ...], ...]
    kws: tuple[float, ...]


def _types(hall: HallPower) -> tuple[_Types, list[int]]:
    by: dict[tuple[str, int], list] = {}
    order: list[int] = []  # type index of each item in spec (row) order
    keys: list[tuple[str, int]] = []
    for it in hall.items:
        key = (it.kind, int(round(it.kw * SCALE)))
        if key not in by:
            by[key] = []
            keys.append(key)
        by[key].append(it)
    index = {k: i for i, k in enumerate(keys)}
    for it in hall.items:
        order.append(index[(it.kind, int(round(it.kw * SCALE)))])
    return (
        _Types(
            units=tuple(k[1] for k in keys),
            counts=tuple(len(by[k]) for k in keys),
            ids=tuple(tuple(i.id for i in by[k]) for k in keys),
            kws=tuple(by[k][0].kw for k in keys),
        ),
        order,
    )


# ------------------------------------------------------------------------- greedy


@attrs.frozen(kw_only=True)
class _CatchSolution:
    groups: tuple[int, ...]  # active blocks per group (each group also has one catcher)
    counts: dict  # (k, g, b) -> int


def greedy_catcher(types: _Types, order: list[int], topo: Topology, p: int) -> _CatchSolution:
    """First fit in row order onto active blocks; a new active block, or a new group (with its
    catcher) when the last group already has blocks_per_catcher actives."""
    groups: list[int] = []
    load: list[list[int]] = []
    counts: Counter = Counter()
    for k in order:
        u = types.units[k]
        done = False
        for g in range(len(groups)):
            for b in range(groups[g]):
                if load[g][b] + u <= p:
                    load[g][b] += u
                    counts[(k, g, b)] += 1
                    done = True
                    break
            if done:
                break
        if not done:
            if not groups or groups[-1] >= topo.x:
                groups.append(0)
                load.append([])
            g = len(groups) - 1
            groups[g] += 1
            load[g].append(u)
            counts[(k, g, groups[g] - 1)] += 1
    return _CatchSolution(groups=tuple(groups), counts=dict(counts))


# ------------------------------------------------------------------------- CP-SAT


def solver_settings() -> dict:
    """What makes the assignment reproducible, for hubc.lock (same values `_params` sets)."""
    import ortools

    return {
        "engine": "OR-Tools CP-SAT",
        "ortools": ortools.__version__,
        "workers": 1,
        "seed": 0,
        "deterministic_time_s": {
            "rows_to_blocks": DET_TIME_BLOCKS,
            "blocks_to_feeders": DET_TIME_FEEDERS,
            "feeders_to_sections": DET_TIME_SECTIONS,
        },
        # a campus [[demand]]: fills priced by building one copy (hubc.electrical.demand)
        "demand_pricing": {"placement_deterministic_time_s": PRICE_DET_S, "rounds": PRICE_ROUNDS},
    }


def _params(det_time: float):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    prm = solver.parameters
    # Deterministic: one worker and a deterministic-time limit, never wall clock (OR-Tools sat_parameters).
    prm.num_workers = 1
    prm.random_seed = 0
    prm.max_deterministic_time = det_time
    prm.keep_all_feasible_solutions_in_presolve = True
    return solver


def _stats(name: str, solver, status, greedy_obj: float) -> tuple[str, float, float, float]:
    from ortools.sat.python import cp_model

    st = solver.status_name(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        obj = solver.objective_value
        bound = solver.best_objective_bound
        gap = 0.0 if obj == 0 else max(0.0, (obj - bound) / abs(obj))
        return st, obj, bound, gap
    return st, greedy_obj, 0.0, 1.0


def solve_distributed(types: _Types, order: list[int], topo: Topology, p: int, det_time: float = DET_TIME_BLOCKS):
    """Rows -> blocks for 2N / xMy / N+1 / block pairs. Returns (solution, stats, greedy solution).

    Objective big x blocks + worst post-failure loading. When the budget runs out before that
    is proved, a pass on the block count alone (`BLOCKS_PROOF_SHARE` of the budget, hinted with
    the solution) tries to prove the blocks, so the bound reported is on what matters; the
    solution kept is the lexicographic one."""
    from ortools.sat.python import cp_model

    shape = Shape.of(topo)
    first = canonical(types.units, greedy_distributed(types.units, order, shape, p), shape)
    spread = canonical(types.units, greedy_distributed(types.units, order, shape, p, spread=True), shape)
    # warm start from the better heuristic (fewest blocks, then lowest worst loading)
    greedy = min((spread, first), key=lambda sol: (sol.blocks(), worst_load(types.units, sol, shape)))
    model = DistModel(types.units, types.counts, shape, p, len(greedy.groups))
    model.hint(greedy, worst_load(types.units, greedy, shape))
    solver = _params(det_time)
    status = solver.solve(model.m)
    greedy_obj = model.big * first.blocks() + worst_load(types.units, first, shape)  # the baseline's
    st, obj, bound, gap = _stats("rows->blocks", solver, status, greedy_obj)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy, (st, obj, bound, gap, greedy_obj), first
    sol = model.read(solver)
    if status == cp_model.FEASIBLE:
        bound = max(bound, _prove_blocks(model, sol, det_time * BLOCKS_PROOF_SHARE))
        return sol, _lex_stats(st, obj, bound, greedy_obj), first
    return sol, (st, obj, bound, gap, greedy_obj), first


def _prove_blocks(model: DistModel, sol: DistSolution, det_time: float) -> float:
    """A valid bound on big x blocks + worst from a pass on the blocks alone (worst >= 0)."""
    from ortools.sat.python import cp_model

    model.blocks_only()
    model.hint(sol, 0)
    solver = _params(det_time)
    status = solver.solve(model.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0.0
    return float(model.big * math.ceil(solver.best_objective_bound - 1e-9))


def _lex_stats(status: str, obj: float, bound: float, greedy_obj: float) -> tuple:
    gap = 0.0 if obj == 0 else max(0.0, (obj - bound) / abs(obj))
    return status, float(obj), float(bound), gap, greedy_obj


@attrs.frozen
class _CatchModel:
    """The catcher rows -> blocks model: z[g] group used, w[g][b] block active, n[k, g, b] rows."""

    m: object
    z: list
    w: list
    n: dict
    worst: object
    big: int


def _catcher_model(types: _Types, G: int, topo: Topology, p: int) -> _CatchModel:
    from ortools.sat.python import cp_model

    B = topo.x
    K = range(len(types.units))
    m = cp_model.CpModel()
    z = [m.new_bool_var(f"z{g}") for g in range(G)]
    w = [[z[g] if b == 0 else m.new_bool_var(f"w{g}_{b}") for b in range(B)] for g in range(G)]
    n = {(k, g, b): m.new_int_var(0, types.counts[k], f"n{k}_{g}_{b}") for k in K for g in range(G) for b in range(B)}
    for k in K:
        m.add(sum(n[k, g, b] for g in range(G) for b in range(B)) == types.counts[k])
    worst = m.new_int_var(0, p, "worst")
    for g in range(G):
        loads = [sum(types.units[k] * n[k, g, b] for k in K) for b in range(B)]
        for b in range(B):
            # an active block carries its rows; the catcher takes one failed block's rows (<= P)
            m.add(loads[b] <= p * w[g][b])
            m.add(loads[b] <= worst)
            if b + 1 < B:
                m.add(w[g][b] >= w[g][b + 1])
                m.add(loads[b] >= loads[b + 1])
        if g + 1 < G:
            m.add(z[g] >= z[g + 1])
            m.add(sum(loads) >= sum(types.units[k] * n[k, g + 1, b] for k in K for b in range(B)))
    total_units = sum(u * c for u, c in zip(types.units, types.counts))
    actives = sum(w[g][b] for g in range(G) for b in range(B))
    m.add(actives >= math.ceil(total_units / p))  # valid cut: capacity
    big = p + 1
    m.minimize(big * (actives + sum(z)) + worst)
    return _CatchModel(m=m, z=z, w=w, n=n, worst=worst, big=big)


def _catcher_hint(cm: _CatchModel, types: _Types, greedy: _CatchSolution) -> float:
    """Hint the greedy solution; returns its objective."""
    gl: Counter = Counter()
    for (k, g, b), c in greedy.counts.items():
        gl[g, b] += types.units[k] * c
    gw = max(gl.values(), default=0)
    for g in range(len(cm.z)):
        for b in range(len(cm.w[g])):
            cm.m.add_hint(cm.w[g][b], b < greedy.groups[g]) if b else cm.m.add_hint(cm.z[g], True)
            for k in range(len(types.units)):
                cm.m.add_hint(cm.n[k, g, b], greedy.counts.get((k, g, b), 0))
    cm.m.add_hint(cm.worst, gw)
    return cm.big * (sum(greedy.groups) + len(greedy.groups)) + gw


def _catcher_read(cm: _CatchModel, types: _Types, solver) -> _CatchSolution:
    groups, counts = [], {}
    for g in range(len(cm.z)):
        if not solver.value(cm.z[g]):
            continue
        gi = len(groups)
        groups.append(sum(solver.value(x) for x in cm.w[g]))
        for k in range(len(types.units)):
            for b in range(len(cm.w[g])):
                v = solver.value(cm.n[k, g, b])
                if v:
                    counts[(k, gi, b)] = v
    return _CatchSolution(groups=tuple(groups), counts=counts)


def solve_catcher(types: _Types, order: list[int], topo: Topology, p: int, det_time: float = DET_TIME_BLOCKS):
    """Rows -> blocks for the catcher topology. Returns (solution, stats, greedy solution)."""
    from ortools.sat.python import cp_model

    greedy = _canonical_catch(types, greedy_catcher(types, order, topo, p))
    cm = _catcher_model(types, len(greedy.groups), topo, p)
    greedy_obj = _catcher_hint(cm, types, greedy)
    solver = _params(det_time)
    status = solver.solve(cm.m)
    st, obj, bound, gap = _stats("rows->blocks", solver, status, greedy_obj)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy, (st, obj, bound, gap, greedy_obj), greedy
    return _catcher_read(cm, types, solver), (st, obj, bound, gap, greedy_obj), greedy


# ------------------------------------------------------------------ blocks -> feeders


def greedy_feeders(weights: list[int], groups: list[int], cap: int) -> list[int]:
    """First fit in block order; blocks of one group never share a feeder."""
    load: list[int] = []
    members: list[set] = []
    out = []
    for w, g in zip(weights, groups):
        for f in range(len(load)):
            if load[f] + w <= cap and g not in members[f]:
                load[f] += w
                members[f].add(g)
                out.append(f)
                break
        else:
            load.append(w)
            members.append({g})
            out.append(len(load) - 1)
    return out


def solve_feeders(weights: list[int], groups: list[int], cap: int, det_time: float = DET_TIME_FEEDERS):
    from ortools.sat.python import cp_model

    greedy = greedy_feeders(weights, groups, cap)
    F = max(greedy) + 1 if greedy else 0
    nb = len(weights)
    big = cap + 1
    m = cp_model.CpModel()
    y = [m.new_bool_var(f"y{f}") for f in range(F)]
    x = {}
    for b in range(nb):
        for f in range(min(F, b + 1)):  # symmetry: block b goes to a feeder <= b
            x[b, f] = m.new_bool_var(f"x{b}_{f}")
        m.add_exactly_one(x[b, f] for f in range(min(F, b + 1)))
    worst = m.new_int_var(0, cap, "worst")
    for f in range(F):
        load = sum(weights[b] * x[b, f] for b in range(nb) if (b, f) in x)
        m.add(load <= cap * y[f])
        m.add(load <= worst)
        for g in set(groups):
            members = [x[b, f] for b in range(nb) if groups[b] == g and (b, f) in x]
            if len(members) > 1:
                m.add(sum(members) <= 1)
        if f + 1 < F:
            m.add(y[f] >= y[f + 1])
    largest_group = max(Counter(groups).values(), default=0)
    m.add(sum(y) >= max(largest_group, math.ceil(sum(weights) / cap)))  # valid cut
    m.minimize(big * sum(y) + worst)
    gl = Counter()
    for b, f in enumerate(greedy):
        gl[f] += weights[b]
    feasible_hint = all(f <= b for b, f in enumerate(greedy))
    if feasible_hint:
        for (b, f), v in x.items():
            m.add_hint(v, greedy[b] == f)
        for f in range(F):
            m.add_hint(y[f], True)
        m.add_hint(worst, max(gl.values(), default=0))
    greedy_obj = big * F + max(gl.values(), default=0)
    solver = _params(det_time)
    status = solver.solve(m)
    st, obj, bound, gap = _stats("blocks->feeders", solver, status, greedy_obj)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy, (st, obj, bound, gap, greedy_obj), greedy
    out = [next(f for f in range(min(F, b + 1)) if solver.value(x[b, f])) for b in range(nb)]
    # renumber feeders in first-use order (used feeders are a prefix already)
    return out, (st, obj, bound, gap, greedy_obj), greedy


# -------------------------------------------------------------- feeders -> sections


def greedy_sections(loads: list[int], counts: list[int], n_sec: int) -> list[list[int]]:
    """Largest feeder first onto the least-loaded section."""
    sec = [0] * n_sec
    out = [[0] * n_sec for _ in loads]
    order = sorted(range(len(loads)), key=lambda i: (-loads[i], i))
    for i in order:
        for _ in range(counts[i]):
            t = min(range(n_sec), key=lambda j: (sec[j], j))
            sec[t] += loads[i]
            out[i][t] += 1
    return out


def _best_move(loads: list[int], out: list[list[int]], sec: list[int], hi: int) -> tuple[int, int, int | None, int] | None:
    """The move of one feeder off section `hi` (or its swap with a lighter feeder of another
    section) that leaves the pair's heavier section lightest, below `hi`'s load; None if none."""
    top, best = sec[hi], None
    for i, li in enumerate(loads):
        if not out[i][hi]:
            continue
        for t in range(len(sec)):
            if t == hi:
                continue
            # j is None: move i to t; else swap i with a lighter j on t
            for j in [None, *(j for j, lj in enumerate(loads) if out[j][t] and lj < li)]:
                d = li - (loads[j] if j is not None else 0)
                if sec[t] + d < top:
                    cand = max(top - d, sec[t] + d)
                    if best is None or cand < best[0]:
                        best = (cand, i, j, t)
    return best


def improve_sections(loads: list[int], out: list[list[int]], n_sec: int, rounds: int = 10_000) -> list[list[int]]:
    """Local search on a spread: while a move or swap lowers the most-loaded section's load
    (ties: the lowest index), apply the best one. Deterministic; never worsens the spread."""
    out = [row[:] for row in out]
    sec = [sum(loads[i] * out[i][t] for i in range(len(loads))) for t in range(n_sec)]
    for _ in range(rounds):
        hi = max(range(n_sec), key=lambda t: (sec[t], -t))
        mv = _best_move(loads, out, sec, hi)
        if mv is None:
            break
        _, i, j, t = mv
        out[i][hi], out[i][t] = out[i][hi] - 1, out[i][t] + 1
        sec[hi], sec[t] = sec[hi] - loads[i], sec[t] + loads[i]
        if j is not None:
            out[j][t], out[j][hi] = out[j][t] - 1, out[j][hi] + 1
            sec[t], sec[hi] = sec[t] - loads[j], sec[hi] + loads[j]
    return out


def solve_sections(loads: list[int], counts: list[int], cap: int, n_sec: int, det_time: float = DET_TIME_SECTIONS):
    """Feeders (types with counts) onto the MV sections: the least most-loaded section. Greedy
    (largest first onto the lightest), improved by local search, is the hint and the fallback;
    the stats' greedy objective is the plain greedy's (the baseline)."""
    from ortools.sat.python import cp_model

    plain = greedy_sections(loads, counts, n_sec)
    greedy = improve_sections(loads, plain, n_sec)
    m = cp_model.CpModel()
    n = {(i, t): m.new_int_var(0, counts[i], f"n{i}_{t}") for i in range(len(loads)) for t in range(n_sec)}
    for i in range(len(loads)):
        m.add(sum(n[i, t] for t in range(n_sec)) == counts[i])
    top = sum(l * c for l, c in zip(loads, counts))
    worst = m.new_int_var(0, max(top, 0), "worst")
    sec = [sum(loads[i] * n[i, t] for i in range(len(loads))) for t in range(n_sec)]
    for t in range(n_sec):
        m.add(sec[t] <= cap)
        m.add(sec[t] <= worst)
        if t + 1 < n_sec:
            m.add(sec[t] >= sec[t + 1])  # symmetry: identical transformers
    m.add(worst * n_sec >= top)  # valid cut: the average
    m.minimize(worst)
    gsec = [sum(loads[i] * greedy[i][t] for i in range(len(loads))) for t in range(n_sec)]
    base = max((sum(loads[i] * plain[i][t] for i in range(len(loads))) for t in range(n_sec)), default=0)
    order = sorted(range(n_sec), key=lambda t: (-gsec[t], t))
    for i in range(len(loads)):
        for newt, t in enumerate(order):
            m.add_hint(n[i, newt], greedy[i][t])
    m.add_hint(worst, max(gsec, default=0))
    solver = _params(det_time)
    status = solver.solve(m)
    st, obj, bound, gap = _stats("feeders->transformers", solver, status, max(gsec, default=0))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Stopped without proof (UNKNOWN): keep the greedy spread when it fits; the stats report
        # the gap. Only a proved INFEASIBLE, or a greedy spread that overloads, returns None.
        if status != cp_model.INFEASIBLE and max(gsec, default=0) <= cap:
            return greedy, (st, obj, bound, gap, base), plain
        return None, (st, obj, bound, gap, base), plain
    out = [[solver.value(n[i, t]) for t in range(n_sec)] for i in range(len(loads))]
    return out, (st, obj, bound, gap, base), plain


def _relabel(sizes: tuple[int, ...], block_load: Counter, group_load: Counter) -> tuple[list[int], dict, dict]:
    """Group order (heaviest first) and block order within each group (heaviest first): the
    labelling the models' symmetry breaking expects."""
    gorder = sorted(range(len(sizes)), key=lambda g: (-group_load[g], g))
    gmap = {g: i for i, g in enumerate(gorder)}
    bmap = {}
    for g, size in enumerate(sizes):
        for i, b in enumerate(sorted(range(size), key=lambda b: (-block_load[g, b], b))):
            bmap[g, b] = i
    return gorder, gmap, bmap


def _canonical_catch(types: _Types, sol: _CatchSolution) -> _CatchSolution:
    L: Counter = Counter()
    tot: Counter = Counter()
    for (k, g, b), c in sol.counts.items():
        L[g, b] += types.units[k] * c
        tot[g] += types.units[k] * c
    gorder, gmap, bmap = _relabel(sol.groups, L, tot)
    counts: Counter = Counter()
    for (k, g, b), c in sol.counts.items():
        counts[(k, gmap[g], bmap[g, b])] += c
    return _CatchSolution(groups=tuple(sol.groups[g] for g in gorder), counts=dict(counts))


# ------------------------------------------------------------------------- the stage


def block_id(hall: str, group: int, index: int) -> str:
    """`hall-a.ups-03b`: group 3, block b (aa, ab, ... past z); the catcher is `hall-a.ups-03-catcher`."""
    if index < 0:
        return f"{hall}.ups-{group + 1:02d}-catcher"
    letters = ""
    i = index
    while True:
        letters = chr(ord("a") + i % 26) + letters
        i = i // 26 - 1
        if i < 0:
            break
    return f"{hall}.ups-{group + 1:02d}{letters}"


@attrs.frozen(kw_only=True)
class _Blocks:
    """Rows -> blocks for one hall copy: the blocks, the cords, each block's normal and worst
    post-failure load (0.1 kW), its group, the solver's stats and the greedy baseline's blocks."""

    blocks: list
    cords: list
    normal: dict
    worst: dict
    group_of: dict
    stats: list
    greedy_blocks: int


def _check_items(types: _Types, p: int, sz: ElectricalSizing) -> None:
    for k, u in enumerate(types.units):
        if u > p:
            raise Infeasible(
                f"{types.ids[k][0]} needs {types.kws[k]:,.0f} kW, more than one {sz.block_kw:g} kW UPS block can carry "
                f"when its partner block fails ({sz.topology.label})",
                ("electrical", "ups_system_kw"),
                help=f"use UPS blocks of at least {types.kws[k]:,.0f} kW or spread the load over more rows",
            )


def _rows_to_catcher(hall: HallPower, sz: ElectricalSizing, types: _Types, order: list[int], p: int, use_solver: bool) -> _Blocks:
    topo = sz.topology
    stats = []
    g_sol = _canonical_catch(types, greedy_catcher(types, order, topo, p))
    if use_solver and types.units:
        sol, (st, obj, bound, gap, gobj), _ = solve_catcher(types, order, topo, p)
        sol = _canonical_catch(types, sol)
        stats.append(SolveStats(model="rows->blocks", status=st, objective=obj, bound=bound, gap=gap, greedy_objective=gobj))
    else:
        sol = g_sol
    out = _Blocks(blocks=[], cords=[], normal={}, worst={}, group_of={}, stats=stats, greedy_blocks=sum(g_sol.groups) + len(g_sol.groups))
    pools = {k: list(ids) for k, ids in enumerate(types.ids)}
    loads: Counter = Counter()
    for (k, g, b), c in sorted(sol.counts.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        for _ in range(c):
            item = pools[k].pop(0)
            cat_id = block_id(hall.hall, g, -1)
            out.cords.append(Cord(item=item, kw=types.kws[k], a=block_id(hall.hall, g, b), b=cat_id if sz.paths >= 2 else None))
            loads[g, b] += types.units[k]
    for g, size in enumerate(sol.groups):
        for b in range(size):
            bid = block_id(hall.hall, g, b)
            out.blocks.append(Block(id=bid, hall=hall.hall, group=g, index=b, role="active"))
            out.worst[bid] = out.normal[bid] = loads[g, b]
            out.group_of[bid] = g
        cid = block_id(hall.hall, g, -1)
        out.blocks.append(Block(id=cid, hall=hall.hall, group=g, index=-1, role="catcher"))
        out.worst[cid] = max((loads[g, b] for b in range(size)), default=0)
        out.normal[cid] = 0
        out.group_of[cid] = g
    return out


def _rows_to_distributed(hall: HallPower, sz: ElectricalSizing, types: _Types, order: list[int], p: int, use_solver: bool) -> _Blocks:
    topo = sz.topology
    if sz.paths < 2:
        raise Infeasible(
            f"{topo.label} needs dual-corded rows (an A and a B feed) but electrical.distribution_paths = {sz.paths}",
            ("electrical", "distribution_paths"),
            help='set distribution_paths = 2 or use topology = "block-redundant" (a catcher behind a transfer switch)',
        )
    shape = Shape.of(topo)
    stats = []
    g_sol = canonical(types.units, greedy_distributed(types.units, order, shape, p), shape)
    if use_solver and types.units:
        sol, (st, obj, bound, gap, gobj), _ = solve_distributed(types, order, topo, p)
        sol = canonical(types.units, sol, shape)
        stats.append(SolveStats(model="rows->blocks", status=st, objective=obj, bound=bound, gap=gap, greedy_objective=gobj))
    else:
        sol = g_sol
    out = _Blocks(blocks=[], cords=[], normal={}, worst={}, group_of={}, stats=stats, greedy_blocks=g_sol.blocks())
    # a group's installed slots are named a, b, c, ... in slot order
    name = {(g, s): block_id(hall.hall, g, i) for g, slots in enumerate(sol.groups) for i, s in enumerate(slots)}
    pools = {k: list(ids) for k, ids in enumerate(types.ids)}
    A: Counter = Counter()
    Q: Counter = Counter()
    for (k, g, s, t), c in sorted(sol.counts.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][3], kv[0][0])):
        for _ in range(c):
            out.cords.append(Cord(item=pools[k].pop(0), kw=types.kws[k], a=name[g, s], b=name[g, t]))
            A[g, s] += types.units[k]
            A[g, t] += types.units[k]
            Q[g, s, t] += types.units[k]
    for g, slots in enumerate(sol.groups):
        for i, s in enumerate(slots):
            bid = name[g, s]
            role = "distributed" if not shape.a else ("pair-a" if shape.side(s) == 0 else "pair-b")
            out.blocks.append(Block(id=bid, hall=hall.hall, group=g, index=i, role=role))
            out.normal[bid] = A[g, s] // 2
            out.worst[bid] = max((A[g, s] + Q[g, min(s, t), max(s, t)] for t in shape.partners(s) if t in slots), default=A[g, s]) // 2
            out.group_of[bid] = g
    return out


def _blocks_to_feeders(hall: HallPower, sz: ElectricalSizing, rb: _Blocks, use_solver: bool) -> tuple[list[Feeder], int]:
    """Blocks -> MV feeders on each block's worst input kVA. Returns the feeders and the greedy's count."""
    to_kva = 1.0 / (sz.ups_efficiency * sz.power_factor)
    weights = [int(math.ceil(rb.worst[b.id] * to_kva)) for b in rb.blocks]
    cap = int(sz.feeder_kva * SCALE)
    gidx = [rb.group_of[b.id] for b in rb.blocks]
    g_feed = greedy_feeders(weights, gidx, cap) if rb.blocks else []
    if use_solver and rb.blocks:
        assign, (st, obj, bound, gap, gobj), _ = solve_feeders(weights, gidx, cap)
        rb.stats.append(SolveStats(model="blocks->feeders", status=st, objective=obj, bound=bound, gap=gap, greedy_objective=gobj))
    else:
        assign = g_feed
    nf = max(assign) + 1 if assign else 0
    feeders = []
    for f in range(nf):
        members = tuple(b.id for b, a in zip(rb.blocks, assign) if a == f)
        kva = sum(rb.normal[b] for b in members) * to_kva / SCALE
        feeders.append(Feeder(id=f"{hall.hall}.mvf-{f + 1:02d}", hall=hall.hall, blocks=members, normal_kva=kva, copies=hall.copies))
    return feeders, (max(g_feed) + 1) if g_feed else 0


def assign_hall(hall: HallPower, sz: ElectricalSizing, *, use_solver: bool = True) -> HallAssignment:
    """Rows -> blocks and blocks -> feeders for one distinct hall (greedy only if not use_solver)."""
    p = int(round(sz.block_kw * SCALE))
    types, order = _types(hall)
    _check_items(types, p, sz)
    rows = _rows_to_catcher if sz.topology.kind == "block-redundant" else _rows_to_distributed
    rb = rows(hall, sz, types, order, p, use_solver)
    feeders, greedy_feeders_n = _blocks_to_feeders(hall, sz, rb, use_solver)
    return HallAssignment(
        hall=hall.hall,
        copies=hall.copies,
        blocks=tuple(rb.blocks),
        cords=tuple(sorted(rb.cords, key=lambda c: c.item)),
        feeders=tuple(feeders),
        stats=tuple(rb.stats),
        greedy_blocks=rb.greedy_blocks,
        greedy_feeders=greedy_feeders_n,
    )


def assign(sz: ElectricalSizing, *, use_solver: bool = True, substation_id: str = "ss", splits: tuple[CampusSplit, ...] = ()) -> Assignment:
    """The whole assignment: each distinct hall once, then feeders onto main transformers.
    `splits`: the campus demand masters' splits the halls were filled by (for the campus bound)."""
    halls = tuple(assign_hall(h, sz, use_solver=use_solver) for h in sz.halls)
    mech = []
    if sz.mech_feeders:
        # the mechanical unit substations share the non-UPS load equally; each feeder carries its own
        from hubc.electrical.sizing import mech_uss_per_feeder

        total = sz.mechanical_kw / sz.power_factor
        counts = mech_uss_per_feeder(sz.mech_uss, sz.mech_feeders)
        for i in range(sz.mech_feeders):
            per = total * counts[i] / sz.mech_uss if sz.mech_uss else total / sz.mech_feeders
            mech.append(Feeder(id=f"campus.mech-mvf-{i + 1:02d}", hall="campus", blocks=(), kind="mechanical", normal_kva=per))
    # feeder types: each distinct hall feeder (x copies) and each mechanical feeder
    ftypes = [(h.hall, f.id, h.copies, f.normal_kva) for h in halls for f in h.feeders]
    ftypes += [("campus", f.id, 1, f.normal_kva) for f in mech]
    # one MV bus section per active transformer winding (arrangement.py): reserve units take no
    # feeders, a split secondary gives each winding its own section
    active = sz.arrangement().active_sections
    n_sec = max(1, len(active))
    cap_kva = active[0].rating_kva if sz.main_tx_count else sum(c * l for _, _, c, l in ftypes) + 1
    loads = [int(math.ceil(l * SCALE)) for *_, l in ftypes]
    counts = [c for _, _, c, _ in ftypes]
    stats = []
    if use_solver and ftypes:
        out, (st, obj, bound, gap, gobj), greedy = solve_sections(loads, counts, int(cap_kva * SCALE), n_sec)
        stats.append(SolveStats(model="feeders->transformers", status=st, objective=obj / SCALE, bound=bound / SCALE, gap=gap, greedy_objective=gobj / SCALE))
        if out is None:
            total = sum(l * c for l, c in zip(loads, counts)) / SCALE / 1000
            proved = st == "INFEASIBLE"
            raise Infeasible(
                f"the MV feeders ({total:,.1f} MVA in normal operation) cannot be spread over {n_sec} MV sections of "
                f"{cap_kva / 1000:g} MVA ({sz.philosophy}) without overloading one"
                if proved
                else f"no spread of the MV feeders ({total:,.1f} MVA in normal operation) over {n_sec} MV sections of "
                f"{cap_kva / 1000:g} MVA was found within the search limit (CP-SAT {st}; the greedy spread overloads a "
                f"section); infeasibility is not proved",
                ("substation", "transformer_mva"),
                help="add main transformers or use larger ones",
                proved=proved,
            )
    else:
        out = greedy_sections(loads, counts, n_sec)
    sections = []
    sec_kva = []
    for t in range(n_sec):
        row = tuple((ftypes[i][0], ftypes[i][1], out[i][t]) for i in range(len(ftypes)) if out[i][t])
        sections.append(row)
        sec_kva.append(sum(ftypes[i][3] * out[i][t] for i in range(len(ftypes))))
    return Assignment(
        halls=halls,
        mech_feeders=tuple(mech),
        sections=tuple(sections),
        section_kva=tuple(sec_kva),
        stats=tuple(stats),
        campus=campus_blocks(halls, sz, splits),
    )


def refresh_mech(asg: Assignment, sz: ElectricalSizing) -> Assignment:
    """The assignment with the mechanical feeders' loads for `sz.mech_uss` unit substations (the
    feeders keep their sections; the sections' normal kVA follow)."""
    if not asg.mech_feeders:
        return asg
    from hubc.electrical.sizing import mech_uss_per_feeder

    total = sz.mechanical_kw / sz.power_factor
    counts = mech_uss_per_feeder(sz.mech_uss, len(asg.mech_feeders))
    new = tuple(attrs.evolve(f, normal_kva=total * counts[i] / sz.mech_uss) for i, f in enumerate(asg.mech_feeders))
    sec_kva = list(asg.section_kva)
    where = {fid: t for t, sec in enumerate(asg.sections) for hall, fid, _n in sec if hall == "campus"}
    for old, f in zip(asg.mech_feeders, new):
        if f.id in where:
            sec_kva[where[f.id]] += f.normal_kva - old.normal_kva
    return attrs.evolve(asg, mech_feeders=new, section_kva=tuple(sec_kva))
