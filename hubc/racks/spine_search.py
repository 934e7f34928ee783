"""Branch and bound over the spine position, with a CP-SAT solve per promising position.

In: a `HallProblem`, the greedy placement, search parameters. Out: a `SolveOutcome` whose best
bound is global: the least of the proven bounds of the positions solved and the combinatorial
lower bounds of the positions pruned or left unexplored.

Why: cable cost is a product of two choices (where the spine stands, where each pod stands);
with the spine free the LP relaxation spreads it fractionally over the hall and the bound is
weak (>50% gap at 100 MW). With the spine fixed the model is an assignment with a tight LP and
solves to optimality in well under a second, so we enumerate spine windows in order of a
lower bound and stop once no remaining position can have shorter cable than the incumbent
(the least bound of the rest stays in the global bound, so the reported bound is always a
valid one). The bound leaves the row-spread tie-break out: on a 48 x 48 hall the cable bound of
68 positions ties the optimum's cable to the centimetre, and solving each of them for the
tie-break alone (33 solves, 32 s, budget exhausted at a 0.52% gap) bought nothing.

Lexicographic budget: the cable search gets (1 - secondary_share) of the hall's budget. Once
the cable is proven, the row spread is minimised alone in one model over every position whose
cable bound reaches the optimum (cable held at it, rows a pod cannot take there cut), within
secondary_share of the budget; unproven, the verified incumbent stays and the phase reports its
gap. Row-mirror-symmetric halls search the upper half of the spine positions only.

Lower bound for a spine window (valid, cheap): per pod kind and row, the cheapest j pods that
fit side by side (exact interval DP on that row's windows) for j up to the row's per-limit
capacity, the spine's row set capped by its limits less the spine's own load; rows are
combined by taking the cheapest marginal pods over their convex envelopes. Interactions between
kinds are relaxed away. (Without the spine's load, module A of the 1 GW GB200 bench campus had
a least bound 6 % under its optimum and the search ran out of budget after 101 of 412 solves.)
"""

from __future__ import annotations

import itertools
import math

import attrs

from hubc.racks.model import SolveOutcome, SolveParams, solve_hall, solve_spread
from hubc.racks.placement import (
    Placement,
    cable_of,
    greedy_ffd,
    objective_of,
    spare_rows,
    spread_of,
    spread_weight,
    window_kw,
)
from hubc.racks.result import SolvePhase
from hubc.racks.problem import HallProblem, row_capacity, row_mirror_symmetric

INF = math.inf


def _cheapest_runs(starts: list[int], width: int, costs: list[int], cap: int) -> list[float]:
    """best[j] = least total cost of j non-overlapping windows (sorted by start), j = 0..cap."""
    n = len(starts)
    # prev[i]: number of windows (prefix length) compatible with window i placed after them.
    prev = []
    lo = 0
    for i in range(n):
        while lo < i and starts[lo] + width <= starts[i]:
            lo += 1
        # windows 0..lo-1 end before window i starts
        prev.append(lo)
    dp = [[0.0] + [INF] * cap]  # dp[i][j] over the first i windows
    for i in range(n):
        row_prev = dp[prev[i]]
        last = dp[i]
        cur = list(last)
        c = costs[i]
        for j in range(1, cap + 1):
            v = row_prev[j - 1] + c
            cur[j] = min(cur[j], v)
        dp.append(cur)
    return dp[n]


def _envelope_marginals(curve: list[float]) -> list[float]:
    """Marginal costs of the lower convex envelope of a cost curve (finite prefix)."""
    pts = [(j, c) for j, c in enumerate(curve) if c < INF]
    hull: list[tuple[int, float]] = []
    for pt in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (pt[0] - x1) >= (pt[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(pt)
    out = []
    for (x1, y1), (x2, y2) in itertools.pairwise(hull):
        slope = (y2 - y1) / (x2 - x1)
        out.extend([slope] * (x2 - x1))
    return out


def _geometry_classes(p: HallProblem) -> list[list[int]]:
    """Pod kinds whose windows coincide and whose leaves sit at the same offsets: for cable
    they are the same pod, so the bound treats them as one class competing for one set of
    positions (bounding them separately would let both claim the slots next to the spine)."""
    classes: dict[tuple, list[int]] = {}
    for k, kind in enumerate(p.kinds):
        leaf_at = tuple(i for i, r in enumerate(kind.racks) if r.role == "network")
        classes.setdefault((kind.arrangement, kind.length, leaf_at), []).append(k)
    return [ks for _, ks in sorted(classes.items())]


@attrs.frozen(kw_only=True, eq=False)
class _BoundTables:
    """What the bound of every spine window shares: per geometry class its representative
    kind, pods to place and per-row-set capacity; windows by (kind, row set) in start order;
    column cable per (leaf column, spine start); the cost curves computed so far."""

    classes: list[list[int]]
    rep: list[int]
    need: list[int]
    caps: list[dict[tuple[int, ...], int]]
    by_set: dict[tuple[int, tuple[int, ...]], list]
    gx: list[list[int]]
    cache: dict[tuple, list[float]]


def lower_bounds(p: HallProblem) -> list[float]:
    """Lower bound on cable (cm) for every spine window (INF where no placement can exist)."""
    t = _bound_tables(p)
    return [_window_bound(p, t, v) for v in p.spine_windows]


def _bound_tables(p: HallProblem) -> _BoundTables:
    ns = len(p.spine)
    classes = _geometry_classes(p)
    # Per class and row set: the most pods of the class the row can take (the lightest kind's
    # per-row capacity, so the cap is an upper bound whatever the mix).
    caps: list[dict[tuple[int, ...], int]] = []
    for ks in classes:
        merged: dict[tuple[int, ...], int] = {}
        for k in ks:
            for rows, cap in row_capacity(p, k).items():
                merged[rows] = max(merged.get(rows, 0), cap)
        caps.append(merged)
    by_set: dict[tuple[int, tuple[int, ...]], list] = {}
    for w in p.windows:
        by_set.setdefault((w.kind, w.rows), []).append(w)
    for wins in by_set.values():
        wins.sort(key=lambda w: w.start)
    gx = [[p.slot_cm * sum(abs(s - sx - k) for k in range(ns)) for sx in range(p.slots + 2)] for s in range(p.slots + 2)]
    return _BoundTables(
        classes=classes,
        rep=[ks[0] for ks in classes],
        need=[sum(p.kinds[k].count for k in ks) for ks in classes],
        caps=caps,
        by_set=by_set,
        gx=gx,
        cache={},
    )


def _window_bound(p: HallProblem, t: _BoundTables, v) -> float:
    """Every class's cheapest pods with the spine at window `v`, summed over the classes."""
    blocked = set(v.cells)
    total = 0.0
    for c, k in enumerate(t.rep):
        count = t.need[c]
        marg = sorted(m for ms in _class_marginals(p, t, c, k, v, blocked).values() for m in ms)
        if len(marg) < count:
            return INF
        total += sum(marg[:count])
    return total


def pod_free_row_sets(p: HallProblem, spine: list[int], cable: int) -> dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]]:
    """For each (kinds of a geometry class, row set): the spine positions among `spine` at
    which a pod of the class in that row set can still have cable <= `cable`.

    The bound of a position relaxes cable to choosing, per class, the cheapest marginals of
    the row sets' convex cost curves (non-decreasing within a row set). With at least one pod
    in row set R that choice must take R's first marginal f_R, so the bound becomes
    total + max(0, f_R - m_k), m_k the class's k-th cheapest marginal (k its pod count).
    Where that exceeds `cable`, no placement with the spine there and a pod in R reaches it:
    a valid cut for the secondary, which keeps the cable at its proven optimum."""
    t = _bound_tables(p)
    out: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]] = {}
    for i in spine:
        v = p.spine_windows[i]
        blocked = set(v.cells)
        per = [_class_marginals(p, t, c, k, v, blocked) for c, k in enumerate(t.rep)]
        kth, total = [], 0.0
        for c, by_rows in enumerate(per):
            marg = sorted(m for ms in by_rows.values() for m in ms)
            if len(marg) < t.need[c]:
                break
            kth.append(marg[t.need[c] - 1] if t.need[c] else INF)
            total += sum(marg[: t.need[c]])
        else:
            for c, by_rows in enumerate(per):
                for rows, ms in by_rows.items():
                    if total + max(0.0, ms[0] - kth[c]) <= cable + 1e-6:
                        out.setdefault((tuple(t.classes[c]), rows), []).append(i)
    # Row sets no position allows: listed with no position (the class keeps out of them).
    for c, ks in enumerate(t.classes):
        for rows in t.caps[c]:
            out.setdefault((tuple(ks), rows), [])
    return out


def _class_marginals(p: HallProblem, t: _BoundTables, c: int, k: int, v, blocked: set) -> dict[tuple[int, ...], list[float]]:
    """Marginal cable of each further pod of class `c`, row set by row set (convex envelopes
    of the exact per-row cost curves, so non-decreasing), with the spine at window `v`."""
    ns = len(p.spine)
    sr, sx = v.rows[0], v.start
    kind = p.kinds[k]
    count = t.need[c]
    marg: dict[tuple[int, ...], list[float]] = {}
    width = (kind.length + 1) // 2 if kind.arrangement == "row-pair" else kind.length
    for rows, cap in t.caps[c].items():
        wins = t.by_set.get((k, rows), [])
        if sr in rows:
            wins = [w for w in wins if not blocked.intersection(w.cells)]
            cap = min(cap, _cap_beside(p, t.classes[c], rows, v))
        cap = min(cap, count)
        if not wins or cap == 0:
            continue
        key = (k, rows if sr in rows else None, tuple(w.start for w in wins), sx, sr if sr in rows else None, cap)
        curve = t.cache.get(key)
        if curve is None:
            costs = [sum(t.gx[cell[1]][sx] for cell in w.leaves) for w in wins]
            curve = _cheapest_runs([w.start for w in wins], width, costs, cap)
            t.cache[key] = curve
        # Every window of a row set puts its leaves in the same rows: y cost per pod.
        w0 = wins[0]
        ycost = sum(ns * (p.pitch_cm * abs(cell[0] - sr) + p.rise_cm) for cell in w0.leaves)
        ms = [m + ycost for m in _envelope_marginals(curve)]
        if ms:
            marg[rows] = ms
    return marg


def spread_floor(p: HallProblem, spine: list[int], free: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]]) -> int:
    """A lower bound on the row spread (kW) of every placement with the spine at one of `spine`
    and its pods only where `free` (pod_free_row_sets) allows them; 0 where none is known.

    With the spine at i, rows no pod may take hold no pod load; more of them than the spare
    rows make the least pod load counted 0, so the spread is at least the most loaded row.
    With one pod kind putting the same kW q in each row it spans, that row is found by
    pigeonhole over the row sets open to the pods: k pods beside the spine load its row with
    k q + the spine's kW, the other n - k fill the rest at most `cap` a set, so some set holds
    ceil((n - k) / (open sets - 1)) of them; the least over the feasible k bounds the spread."""
    if len(p.kinds) != 1 or spare_rows(p) >= p.rows:
        return 0
    loads = {v for w in p.windows for v in window_kw(p, w).values()}
    if len(loads) != 1:
        return 0
    q = loads.pop()
    n = p.kinds[0].count
    cap = max(row_capacity(p, 0).values(), default=0)
    out = None
    for i in spine:
        v = p.spine_windows[i]
        sets = {rows for (_, rows), at in free.items() if i in at}
        if p.rows - sum(len(r) for r in sets) <= spare_rows(p):
            return 0
        b = _pigeonhole(n, q, cap, len(sets), any(v.rows[0] in r for r in sets), window_kw(p, v)[v.rows[0]])
        out = b if out is None else min(out, b)
    return out or 0


def _pigeonhole(n: int, q: int, cap: int, sets: int, spine_open: bool, spine_kw: int) -> int:
    """Least possible most-loaded row (kW): n pods of q kW a row over `sets` open row sets of at
    most `cap` pods, one of them the spine's (adding spine_kw to its row) if `spine_open`."""
    if not spine_open:
        return max(spine_kw, -(-n // sets) * q) if sets else spine_kw
    best = None
    for k in range(min(cap, n) + 1):
        rest = n - k
        if rest > (sets - 1) * cap:
            continue
        most = k * q + spine_kw if sets == 1 else max(k * q + spine_kw, -(-rest // (sets - 1)) * q)
        best = most if best is None else min(best, most)
    return best if best is not None else 0


def _cap_beside(p: HallProblem, ks: list[int], rows: tuple[int, ...], v) -> int:
    """Most pods of a class the row set can take beside the spine block at window `v`: every
    row limit less the spine's own load on its row, over the per-row load of a pod (the
    lightest kind of the class, so the cap holds whatever the mix). Valid because the spine's
    racks and the pods share that row's busway, air, CDU loop and floor."""
    limits = {"power": p.busway_w, "air": p.air_w, "weight": p.floor_dkg}
    if p.liquid_scope == "row":
        limits["liquid"] = p.liquid_loop_w
    best = 0
    for k in ks:
        w = next((w for w in p.windows if w.kind == k and w.rows == rows), None)
        if w is None:
            continue
        cap = INF
        for field, limit in limits.items():
            if limit is None:
                continue
            spine = dict(getattr(v, field))
            for r, load in getattr(w, field):
                if load > 0:
                    cap = min(cap, max(0, limit - spine.get(r, 0)) // load)
        best = max(best, cap)
    return best


def solve_by_spine(p: HallProblem, greedy: Placement | None, params: SolveParams) -> SolveOutcome:
    """Lexicographic: cable first (spine branch and bound, the search budget less the
    secondary's share), then, once the cable is proven, the row spread alone over every
    spine position that can reach that cable (the secondary's share of the budget)."""
    if not p.spine:
        out = solve_hall(p, greedy, params)
        if out.placement is None:
            return out
        phase = _phase(SPREAD, out.status, out.objective, out.best_bound, out.deterministic_s, 1)
        return attrs.evolve(out, phases=(phase,))
    lbs = lower_bounds(p)
    primary = _search_cable(p, greedy, lbs, attrs.evolve(params, deterministic_time=params.deterministic_time * (1 - params.secondary_share)))
    if primary.best is None:
        status = "UNKNOWN" if primary.bounds else "INFEASIBLE"
        return SolveOutcome(status=status, placement=None, objective=None, best_bound=None, wall_s=primary.wall)
    return _secondary(p, primary, params)


CABLE = "cable_cm"
SPREAD = "row_power_spread_kw"


def _phase(objective: str, status: str, value: int, bound: float, det: float, positions: int) -> SolvePhase:
    return SolvePhase(
        objective=objective,
        status=status,
        value=int(value),
        bound=float(bound),
        deterministic_s=round(det, 3),
        positions=positions,
    )


@attrs.define(kw_only=True)
class _Primary:
    """The cable search: the incumbent, every position's combined bound (pruned or solved) and
    cable bound (cm), the combined bound CP-SAT proved at the incumbent's own position."""

    best: Placement | None
    best_obj: float
    bounds: list[float] = attrs.field(factory=list)
    cable_lb: dict[int, float] = attrs.field(factory=dict)
    own_bound: float = -INF
    wall: float = 0.0
    det: float = 0.0
    solved: int = 0


def _search_cable(p: HallProblem, greedy: Placement | None, lbs: list[float], params: SolveParams) -> _Primary:
    weight = spread_weight(p)
    symmetric = row_mirror_symmetric(p)
    order = sorted(
        (i for i in range(len(p.spine_windows)) if lbs[i] < INF and not (symmetric and 2 * p.spine_windows[i].rows[0] > p.rows + 1)),
        key=lambda i: (lbs[i], i),
    )
    s = _Primary(best=greedy, best_obj=objective_of(p, greedy) if greedy is not None else INF)
    budget = params.deterministic_time
    per = max(0.25, min(2.0, budget / 4))
    for pos, i in enumerate(order):
        if (s.best is not None and s.best_obj - lbs[i] * weight < weight) or budget <= 0:
            # The positions come in bound order, and this one's cable bound exceeds the
            # incumbent's cable less 1 cm: no remaining position has shorter cable (cable is
            # whole cm), they can only tie on it and differ in the row spread, which the
            # secondary phase settles. Their bounds stay in the global bound (as do those of
            # the positions the budget leaves unexplored).
            for j in order[pos:]:
                s.bounds.append(lbs[j] * weight)
                s.cable_lb[j] = math.ceil(lbs[j] - 1e-9)
            break
        q = attrs.evolve(p, spine_windows=(p.spine_windows[i],))
        hint = greedy_ffd(q)
        if s.best is not None and s.best.spine_window == i:
            hint = attrs.evolve(s.best, spine_window=0)
        out = solve_hall(q, hint, attrs.evolve(params, deterministic_time=min(per, budget)))
        budget -= max(out.deterministic_s, 0.05)
        s.wall += out.wall_s
        s.det += out.deterministic_s
        s.solved += 1
        if out.status == "INFEASIBLE":
            continue
        # Both are valid bounds for this position; a solve cut short by the budget can
        # prove less than the combinatorial bound already does. The cable bound: the
        # spread adds at most weight - 1 to a position's combined objective.
        b = lbs[i] * weight if out.placement is None else max(out.best_bound, lbs[i] * weight)
        s.bounds.append(b)
        s.cable_lb[i] = max(math.ceil(lbs[i] - 1e-9), math.ceil((b - (weight - 1)) / weight))
        if out.placement is not None and out.objective < s.best_obj:
            s.best, s.best_obj = attrs.evolve(out.placement, spine_window=i), out.objective
            s.own_bound = b
    return s


def _secondary(p: HallProblem, s: _Primary, params: SolveParams) -> SolveOutcome:
    """Cable proven: the least row spread over the positions whose cable bound reaches it,
    warm-started from the incumbent, within the secondary's share of the budget."""
    weight = spread_weight(p)
    cable = cable_of(p, s.best)
    spread = spread_of(p, s.best)
    cable_bound = min([cable, *s.cable_lb.values()])
    ok = cable - cable_bound <= params.relative_gap * max(1.0, cable)
    phases = [_phase(CABLE, "OPTIMAL" if ok else "FEASIBLE", cable, cable_bound, s.det, s.solved)]
    bound = min([s.best_obj, *s.bounds])
    best, wall = s.best, s.wall
    # The incumbent's own position is a candidate even where the search skipped it (the
    # greedy's spine in the mirrored half of a symmetric hall).
    tied = sorted({i for i, c in s.cable_lb.items() if c <= cable} | {s.best.spine_window})
    if not ok:
        # Without a proven cable the spread has no lexicographic meaning: not searched.
        phases.append(_phase(SPREAD, "SKIPPED", spread, 0, 0.0, 0))
    elif spread == 0:
        # No spread at all: nothing to search.
        phases.append(_phase(SPREAD, "OPTIMAL", 0, 0, 0.0, 0))
        bound = max(bound, cable_bound * weight)
    elif tied == [s.best.spine_window] and s.own_bound >= s.best_obj:
        # One position reaches the cable, and its own solve proved the spread there.
        phases.append(_phase(SPREAD, "OPTIMAL", spread, spread, 0.0, 1))
        bound = max(bound, s.best_obj)
    else:
        q = attrs.evolve(p, spine_windows=tuple(p.spine_windows[i] for i in tied))
        hint = attrs.evolve(s.best, spine_window=tied.index(s.best.spine_window))
        free = pod_free_row_sets(p, tied, cable)
        floor = spread_floor(p, tied, free)
        if floor >= spread:
            out = SolveOutcome(status="OPTIMAL", placement=None, objective=None, best_bound=None)
        else:
            cuts = {key: [tied.index(i) for i in at] for key, at in free.items()}
            out = solve_spread(q, hint, attrs.evolve(params, deterministic_time=params.deterministic_time * params.secondary_share), cable, cuts)
        if out.placement is not None and out.objective < spread:
            best, spread = attrs.evolve(out.placement, spine_window=tied[out.placement.spine_window]), out.objective
        sb = min(float(spread), max(float(floor), out.best_bound if out.best_bound is not None else 0.0))
        st = "OPTIMAL" if spread - sb <= params.relative_gap * max(1.0, spread) else "FEASIBLE"
        phases.append(_phase(SPREAD, st, spread, sb, out.deterministic_s, len(tied)))
        wall += out.wall_s
        bound = max(bound, cable_bound * weight + sb)
    obj = cable * weight + spread
    bound = min(bound, obj)
    # As CP-SAT does: a solution within the relative gap limit of the bound counts as optimal.
    status = "OPTIMAL" if obj - bound <= params.relative_gap * max(1.0, abs(obj)) else "FEASIBLE"
    return SolveOutcome(status=status, placement=best, objective=int(obj), best_bound=float(bound), wall_s=wall, phases=tuple(phases))
