"""CP-SAT model of one distinct hall: windows -> variables -> rule families -> solve -> extract.

In: a `HallProblem` and an optional complete hint (the greedy). Out: `SolveOutcome` with the
chosen windows, status, objective, best bound and the rule families in conflict when infeasible.

Modelling: geometry is precomputed as placement windows (one interval per rack does not scale to
a 1 GW campus), so a Boolean per (window of a pod kind) carries contiguity and keep-outs exactly;
identical pods are one kind (no instance symmetry); slots are covered at most once. Leaf-to-spine cable is
Manhattan, hence separable: rows and columns each get a small disaggregated assignment of leaf
counts to the spine's row / start column, which the LP sees (no big-M). The objective is
lexicographic: cable (cm) first, then the spread of row power (kW): the most loaded row less
the least pod-loaded row, rows the pods cannot fill anyway left out (placement.spread_of).
`solve_hall` weighs both in one objective (a position's solve); `solve_spread` is the
secondary phase alone, with the cable held at its proven optimum.
"""

from __future__ import annotations

import attrs

from hubc.racks.placement import (
    Placement,
    cable_of,
    row_kw_int,
    row_pod_kw,
    spare_rows,
    spread_of,
    spread_weight,
    window_kw,
)
from hubc.racks.problem import HallProblem, row_capacity, row_mirror_symmetric

# Rule families that can be switched by an assumption literal when explaining infeasibility.
FAMILIES = ("pods", "spine", "busway", "liquid", "air", "floor")


@attrs.frozen(kw_only=True)
class SolveParams:
    """Deterministic search: a fixed seed and deterministic time, never a wall-clock limit."""

    workers: int = 1
    deterministic_time: float = 20.0
    relative_gap: float = 0.001
    seed: int = 0
    # Share of the budget kept for the secondary objective (row spread) once the primary
    # (cable) is proven; the primary search gets the rest.
    secondary_share: float = 0.2


@attrs.frozen(kw_only=True)
class SolveOutcome:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    placement: Placement | None
    objective: int | None
    best_bound: float | None
    conflict: tuple[tuple[str, int], ...] = ()  # (family, kind index or -1) when INFEASIBLE
    wall_s: float = 0.0
    deterministic_s: float = 0.0
    phases: tuple = ()  # SolvePhase per objective, in the order solved (hall searches only)


def solve_hall(
    p: HallProblem,
    hint: Placement | None,
    params: SolveParams = SolveParams(),
    explain: bool = False,
    assume: frozenset[tuple[str, int]] | None = None,
) -> SolveOutcome:
    """Solve one hall. With `explain`, every rule family is guarded by a literal and the
    literals (all, or those in `assume`) are assumptions; an INFEASIBLE answer carries the
    families of a sufficient conflict. Families not assumed are relaxed."""
    from ortools.sat.python import cp_model

    hm, even, cable = _build(p, explain)
    # Lexicographic: a centimetre of cable outweighs any row spread (placement.spread_weight).
    weight = spread_weight(p)
    hm.m.minimize((_lin(cable.terms) + cable.const) * weight + even.spread)
    if hint is not None:
        _add_hint(hm, p, hint, even, cable)
    for key in sorted(hm.lits):
        hm.m.add_hint(hm.lits[key], 1)

    solver = _solver(params, explain)
    if explain:
        hm.m.add_assumptions([hm.lits[k] for k in sorted(hm.lits) if assume is None or k in assume])
    st = solver.solve(hm.m)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _solution(p, hm, solver, st, lambda pl: cable_of(p, pl) * weight + spread_of(p, pl))
    return _no_solution(hm, solver, st)


def solve_spread(
    p: HallProblem,
    hint: Placement,
    params: SolveParams,
    cable_cm: int,
    row_sets: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]],
) -> SolveOutcome:
    """The secondary objective alone: least row power spread among placements whose cable is at
    most `cable_cm` (the primary's proven optimum), the spine free over `p.spine_windows` (the
    positions that can reach that cable). `hint` is such a placement (complete warm start).
    `row_sets`: per (pod kinds, row set) the spine windows at which such pods may stand there
    at that cable (spine_search.pod_free_row_sets); elsewhere they may not. The objective and
    bound are the spread's (kW)."""
    from ortools.sat.python import cp_model

    hm, even, cable = _build(p, False)
    hm.m.add(_lin(cable.terms) + cable.const <= cable_cm)
    for (ks, rows), allowed in sorted(row_sets.items()):
        xs = [hm.x[i] for i, w in enumerate(p.windows) if w.kind in ks and w.rows == rows]
        if len(allowed) == len(p.spine_windows) or not xs:
            continue
        most = min(sum(p.kinds[k].count for k in ks), max(row_capacity(p, k).get(rows, 0) for k in ks))
        hm.m.add(cp_model.LinearExpr.sum(xs) <= most * cp_model.LinearExpr.sum([hm.z[j] for j in allowed]))
    hm.m.minimize(even.spread)
    _add_hint(hm, p, hint, even, cable)
    solver = _solver(params, False)
    st = solver.solve(hm.m)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _solution(p, hm, solver, st, lambda pl: spread_of(p, pl))
    return _no_solution(hm, solver, st)


def _build(p: HallProblem, explain: bool) -> tuple[_HallModel, _Spread, _Cable]:
    """Variables and every rule family; the row spread and (with a spine) the cable linkage."""
    hm = _new_model(p, explain)
    add_one_rack_per_slot(hm, p)
    add_pod_counts(hm, p)
    add_row_limits(hm, p)
    even = add_row_spread(hm, p)
    # An explanation pass needs no objective: leaving the cable linkage out also keeps a
    # relaxed spine family from silently forcing a spine through the leaf-count links.
    cable = add_cable(hm, p) if len(p.spine) and p.spine_windows and not explain else _Cable()
    return hm, even, cable


# ---------------------------------------------------------------- variables


@attrs.define(eq=False)
class _HallModel:
    """The model and its variable containers: a Boolean per pod window (`x`) and per spine
    window (`z`), and in an explanation pass one guard literal per rule family (`lits`)."""

    m: object  # cp_model.CpModel
    explain: bool
    x: list
    z: list
    lits: dict[tuple[str, int], object] = attrs.field(factory=dict)

    def guard(self, family: str, k: int = -1):
        """The literal switching `family` (of pod kind `k`), made on first use; None unless explaining."""
        assert family in FAMILIES, family
        if not self.explain:
            return None
        key = (family, k)
        if key not in self.lits:
            self.lits[key] = self.m.new_bool_var(f"{family}{k}")
        return self.lits[key]

    def add(self, ct, family: str, k: int = -1) -> None:
        """A constraint of a rule family (enforced only if its guard holds, when explaining)."""
        c = self.m.add(ct)
        lv = self.guard(family, k)
        if lv is not None:
            c.only_enforce_if(lv)


def _new_model(p: HallProblem, explain: bool) -> _HallModel:
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x = [m.new_bool_var(f"w{i}") for i in range(len(p.windows))]
    z = [m.new_bool_var(f"s{i}") for i in range(len(p.spine_windows))]
    return _HallModel(m=m, explain=explain, x=x, z=z)


def _lin(terms):
    """Sum of (variable, coefficient) terms; 0 when there are none."""
    from ortools.sat.python import cp_model

    if not terms:
        return 0
    return cp_model.LinearExpr.weighted_sum([t[0] for t in terms], [t[1] for t in terms])


def _row_terms(hm: _HallModel, p: HallProblem, field: str) -> dict[int, list]:
    """Per row, the (window variable, load) terms of one per-row load of the windows."""
    terms: dict[int, list] = {r: [] for r in range(1, p.rows + 1)}
    for i, w in enumerate(p.windows):
        for r, v in getattr(w, field):
            terms[r].append((hm.x[i], v))
    for i, w in enumerate(p.spine_windows):
        for r, v in getattr(w, field):
            terms[r].append((hm.z[i], v))
    return terms


# ---------------------------------------------------------------- rule families


def add_one_rack_per_slot(hm: _HallModel, p: HallProblem) -> None:
    """Geometry: every free slot holds at most one rack."""
    cover: dict[tuple[int, int], list] = {}
    for i, w in enumerate(p.windows):
        for c in w.cells:
            cover.setdefault(c, []).append(hm.x[i])
    for i, w in enumerate(p.spine_windows):
        for c in w.cells:
            cover.setdefault(c, []).append(hm.z[i])
    for c in sorted(cover):
        if len(cover[c]) > 1:
            hm.m.add_at_most_one(cover[c])


def add_pod_counts(hm: _HallModel, p: HallProblem) -> None:
    """Every pod placed exactly once; the spine block placed once."""
    from ortools.sat.python import cp_model

    for k, kind in enumerate(p.kinds):
        hm.add(cp_model.LinearExpr.sum([hm.x[i] for i, w in enumerate(p.windows) if w.kind == k]) == kind.count, "pods", k)
    if p.spine:
        hm.add(cp_model.LinearExpr.sum(hm.z) == 1, "spine")


def _add_row_limit(hm: _HallModel, terms_by_row: dict[int, list], limit: int, family: str) -> None:
    """One row load within its limit, stated only for rows whose windows could exceed it."""
    for terms in terms_by_row.values():
        if terms and sum(v for _, v in terms) > limit:
            hm.add(_lin(terms) <= limit, family)


def add_row_limits(hm: _HallModel, p: HallProblem) -> None:
    """Per-row busway, air cooling, CDU loop (per row, or one loop for the hall) and floor."""
    _add_row_limit(hm, _row_terms(hm, p, "power"), p.busway_w, "busway")
    _add_row_limit(hm, _row_terms(hm, p, "air"), p.air_w, "air")
    liquid = _row_terms(hm, p, "liquid")
    if p.liquid_scope == "row":
        _add_row_limit(hm, liquid, p.liquid_loop_w, "liquid")
    else:
        hm.add(_lin([t for ts in liquid.values() for t in ts]) <= p.liquid_loop_w, "liquid")
    if p.floor_dkg is not None:
        _add_row_limit(hm, _row_terms(hm, p, "weight"), p.floor_dkg, "floor")


@attrs.frozen(kw_only=True, eq=False)
class _Spread:
    pmax: object
    pmin: object
    spread: object
    ex: dict[int, object]  # row -> left out of pmin (a spare row); empty when none is spare
    spare: int


def add_row_spread(hm: _HallModel, p: HallProblem) -> _Spread:
    """Evenness: spread of row power (kW) between the most and least loaded rows.

    pmin is the least pod load of a row once the `spare_rows` least loaded rows are left out
    (rows the pods cannot fill anyway; see placement.spread_of): `ex` marks those rows."""
    from ortools.sat.python import cp_model

    m = hm.m
    row_kw: dict[int, list] = {r: [] for r in range(1, p.rows + 1)}
    for i, w in enumerate(p.windows):
        for r, v in window_kw(p, w).items():
            row_kw[r].append((hm.x[i], v))
    for i, w in enumerate(p.spine_windows):
        for r, v in window_kw(p, w).items():
            row_kw[r].append((hm.z[i], v))
    pod_kw: dict[int, list] = {r: [] for r in range(1, p.rows + 1)}
    for i, w in enumerate(p.windows):
        for r, v in window_kw(p, w).items():
            pod_kw[r].append((hm.x[i], v))
    cap_kw = p.busway_w // 1000
    spare = spare_rows(p)
    pmax = m.new_int_var(0, cap_kw, "pmax")
    pmin = m.new_int_var(0, cap_kw, "pmin")
    ex = {r: m.new_bool_var(f"ex{r}") for r in range(1, p.rows + 1)} if spare else {}
    if ex:
        m.add(cp_model.LinearExpr.sum(list(ex.values())) <= spare)
    for r in range(1, p.rows + 1):
        m.add(pmax >= _lin(row_kw[r]))
        if ex:
            m.add(pmin <= _lin(pod_kw[r]) + cap_kw * ex[r])
        else:
            m.add(pmin <= _lin(pod_kw[r]))
    spread = m.new_int_var(0, cap_kw, "spread")
    m.add(spread == pmax - pmin)
    return _Spread(pmax=pmax, pmin=pmin, spread=spread, ex=ex, spare=spare)


# ---------------------------------------------------------------- cable


@attrs.frozen(kw_only=True, eq=False)
class _Cable:
    terms: list = attrs.field(factory=list)  # (variable, cm per unit)
    const: int = 0  # cm: the rise of every leaf-to-spine run
    q: dict = attrs.field(factory=dict)  # (leaf row, spine row) -> leaves of the row cabled there
    pq: dict = attrs.field(factory=dict)  # (leaf column, spine start) -> leaves of the column


def add_cable(hm: _HallModel, p: HallProblem) -> _Cable:
    """Cable: sum over leaves and spine racks of |drow| * pitch + |dslot| * slot + rise.

    Manhattan, hence separable: the leaves of each row are assigned to the spine's row, the
    leaves of each column to the spine's start column, each bounded by the spine's choice."""
    from ortools.sat.python import cp_model

    ns = len(p.spine)
    spine_rows = sorted({w.rows[0] for w in p.spine_windows})
    spine_cols = sorted({w.start for w in p.spine_windows})
    u = {r: cp_model.LinearExpr.sum([hm.z[i] for i, w in enumerate(p.spine_windows) if w.rows[0] == r]) for r in spine_rows}
    v = {s: cp_model.LinearExpr.sum([hm.z[i] for i, w in enumerate(p.spine_windows) if w.start == s]) for s in spine_cols}
    a, b = _leaf_counts(hm, p)
    amax, bmax = _leaf_bounds(p, a, b)
    terms: list = []
    q = {}
    for r in sorted(a):
        qs = []
        for r2 in spine_rows:
            qv = hm.m.new_int_var(0, amax[r], f"qr{r}_{r2}")
            hm.m.add(qv <= amax[r] * u[r2])
            q[(r, r2)] = qv
            qs.append(qv)
            if r != r2:
                terms.append((qv, abs(r - r2) * p.pitch_cm * ns))
        hm.m.add(cp_model.LinearExpr.sum(qs) == _lin(a[r]))
    pq = {}
    for s in sorted(b):
        ps = []
        for s2 in spine_cols:
            g = sum(abs(s - (s2 + k)) for k in range(ns)) * p.slot_cm
            pv = hm.m.new_int_var(0, bmax[s], f"qc{s}_{s2}")
            hm.m.add(pv <= bmax[s] * v[s2])
            pq[(s, s2)] = pv
            ps.append(pv)
            if g:
                terms.append((pv, g))
        hm.m.add(cp_model.LinearExpr.sum(ps) == _lin(b[s]))
    _break_mirror_symmetry(hm, p)
    return _Cable(terms=terms, const=ns * p.leaves * p.rise_cm, q=q, pq=pq)


def _leaf_counts(hm: _HallModel, p: HallProblem) -> tuple[dict[int, list], dict[int, list]]:
    """Leaves each pod window puts in each row (a) and each column (b), as (variable, count)."""
    a: dict[int, list] = {}
    b: dict[int, list] = {}
    for i, w in enumerate(p.windows):
        per_r: dict[int, int] = {}
        per_s: dict[int, int] = {}
        for r, s in w.leaves:
            per_r[r] = per_r.get(r, 0) + 1
            per_s[s] = per_s.get(s, 0) + 1
        for r, n in per_r.items():
            a.setdefault(r, []).append((hm.x[i], n))
        for s, n in per_s.items():
            b.setdefault(s, []).append((hm.x[i], n))
    return a, b


def _leaf_bounds(p: HallProblem, a: dict[int, list], b: dict[int, list]) -> tuple[dict[int, int], dict[int, int]]:
    """Most leaves a row / column can hold (cells where some window puts a leaf).

    Tight row bounds matter: they are what keeps the LP from spreading leaves thinly next to
    a fractional spine in every row."""
    total = p.leaves
    leaf_cells = {c for w in p.windows for c in w.leaves}
    row_leaves = {r: 0 for r in a}
    for k, kind in enumerate(p.kinds):
        per_pod = sum(1 for rk in kind.racks if rk.role == "network")
        for rows, cap in row_capacity(p, k).items():
            for r in rows:
                if r in row_leaves:
                    row_leaves[r] += per_pod * min(cap, kind.count)
    amax = {r: min(total, row_leaves[r], sum(1 for c in leaf_cells if c[0] == r)) for r in a}
    bmax = {s: min(total, sum(1 for c in leaf_cells if c[1] == s)) for s in b}
    return amax, bmax


def _break_mirror_symmetry(hm: _HallModel, p: HallProblem) -> None:
    """A layout and its mirror image (row r <-> rows+1-r) cost the same where the hall is
    mirror-symmetric (problem.row_mirror_symmetric); keep the spine in the upper half."""
    if row_mirror_symmetric(p):
        for i, w in enumerate(p.spine_windows):
            if 2 * w.rows[0] > p.rows + 1:
                hm.m.add(hm.z[i] == 0)


# ---------------------------------------------------------------- hint, solve, extract


def _cable_hint(p: HallProblem, hint: Placement, cable: _Cable) -> dict[object, int]:
    """The leaf-count assignment the hint implies: every leaf cabled to the hint's spine."""
    if hint.spine_window is None or not (cable.q or cable.pq):
        return {}
    sw = p.spine_windows[hint.spine_window]
    hr, hs = sw.rows[0], sw.start
    na: dict[int, int] = {}
    nb: dict[int, int] = {}
    for i in hint.pod_windows:
        for r, s in p.windows[i].leaves:
            na[r] = na.get(r, 0) + 1
            nb[s] = nb.get(s, 0) + 1
    vals: dict[object, int] = {}
    for (r, r2), qv in cable.q.items():
        vals[qv] = na.get(r, 0) if r2 == hr else 0
    for (s, s2), pv in cable.pq.items():
        vals[pv] = nb.get(s, 0) if s2 == hs else 0
    return vals


def _add_hint(hm: _HallModel, p: HallProblem, hint: Placement, even: _Spread, cable: _Cable) -> None:
    """A complete hint (the greedy's placement): windows, leaf counts, spread and spare rows."""
    m = hm.m
    chosen = set(hint.pod_windows)
    for i, var in enumerate(hm.x):
        m.add_hint(var, 1 if i in chosen else 0)
    for i, var in enumerate(hm.z):
        m.add_hint(var, 1 if i == hint.spine_window else 0)
    for var, val in _cable_hint(p, hint, cable).items():
        m.add_hint(var, val)
    kw = row_kw_int(p, hint)
    m.add_hint(even.pmax, max(kw.values()))
    m.add_hint(even.pmin, max(kw.values()) - spread_of(p, hint))
    m.add_hint(even.spread, spread_of(p, hint))
    # The spare rows left out are the least pod-loaded ones (ties: lowest row number).
    pk = row_pod_kw(p, hint)
    out = set(sorted(pk, key=lambda r: (pk[r], r))[: even.spare])
    for r, var in even.ex.items():
        m.add_hint(var, 1 if r in out else 0)


def _solver(params: SolveParams, explain: bool):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    sp = solver.parameters
    sp.random_seed = params.seed
    sp.num_workers = 1 if explain else params.workers
    if params.workers > 1 and not explain:
        # Several workers are reproducible only interleaved under a deterministic limit.
        sp.interleave_search = True
    sp.max_deterministic_time = params.deterministic_time
    sp.relative_gap_limit = params.relative_gap
    sp.log_search_progress = False
    if explain:
        sp.cp_model_presolve = False
    return solver


def _solution(p: HallProblem, hm: _HallModel, solver, st, evaluate) -> SolveOutcome:
    pw = tuple(i for i, var in enumerate(hm.x) if solver.boolean_value(var))
    sw = next((i for i, var in enumerate(hm.z) if solver.boolean_value(var)), None)
    pl = Placement(pod_windows=pw, spine_window=sw)
    obj = round(solver.objective_value)
    if not hm.explain:
        # The evaluator's figure is the objective: cable is exact in the model, while the
        # spread's max/min variables may keep slack in a solution stopped at the gap limit.
        true = evaluate(pl)
        assert true <= obj, (true, obj)
        obj = true
    return SolveOutcome(
        status=solver.status_name(st),
        placement=pl,
        objective=obj,
        best_bound=float(solver.best_objective_bound),
        wall_s=solver.wall_time,
        deterministic_s=solver.deterministic_time,
    )


def _no_solution(hm: _HallModel, solver, st) -> SolveOutcome:
    """No placement: with `explain` and INFEASIBLE, the rule families of the core."""
    from ortools.sat.python import cp_model

    conflict: tuple[tuple[str, int], ...] = ()
    if hm.explain and st == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        inv = {hm.lits[k].index: k for k in hm.lits}
        conflict = tuple(sorted(inv[i] for i in core if i in inv))
    return SolveOutcome(
        status=solver.status_name(st),
        placement=None,
        objective=None,
        best_bound=None,
        conflict=conflict,
        wall_s=solver.wall_time,
        deterministic_s=solver.deterministic_time,
    )


def minimal_conflict(p: HallProblem, params: SolveParams) -> tuple[str, SolveOutcome]:
    """Infeasible core of the rule families, shrunk by deletion: a family stays only if the
    others alone are not proven infeasible (so the message names what actually conflicts)."""
    first = solve_hall(p, None, params, explain=True)
    if first.status != "INFEASIBLE":
        return first.status, first
    core = list(first.conflict)
    for fam in sorted(first.conflict):
        rest = frozenset(c for c in core if c != fam)
        trial = solve_hall(p, None, params, explain=True, assume=rest)
        if trial.status == "INFEASIBLE":
            core = [c for c in core if c != fam]
    return "INFEASIBLE", attrs.evolve(first, conflict=tuple(sorted(core)))
