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
from hubc.racks.problem import HallProblem, row_capacity

# Rule families that can be switched by an assumption literal when explaining infeasibility.
FAMILIES = ("pods", "spine", "busway", "liquid", "air", "floor")


@attrs.frozen(kw_only=True)
class SolveParams:
    """Deterministic search: a fixed seed and deterministic time, never a wall-clock limit."""

    workers: int = 1
    deterministic_time: float = 20.0
    relative_gap: float = 0.001
    seed: int = 0


@attrs.frozen(kw_only=True)
class SolveOutcome:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    placement: Placement | None
    objective: int | None
    best_bound: float | None
    conflict: tuple[tuple[str, int], ...] = ()  # (family, kind index or -1) when INFEASIBLE
    wall_s: float = 0.0
    deterministic_s: float = 0.0


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

    m = cp_model.CpModel()
    lits: dict[tuple[str, int], object] = {}

    def lit(family: str, k: int = -1):
        assert family in FAMILIES, family
        if not explain:
            return None
        key = (family, k)
        if key not in lits:
            lits[key] = m.new_bool_var(f"{family}{k}")
        return lits[key]

    def add(ct, family: str, k: int = -1):
        c = m.add(ct)
        lv = lit(family, k)
        if lv is not None:
            c.only_enforce_if(lv)

    x = [m.new_bool_var(f"w{i}") for i in range(len(p.windows))]
    z = [m.new_bool_var(f"s{i}") for i in range(len(p.spine_windows))]

    # Geometry: every free slot holds at most one rack.
    cover: dict[tuple[int, int], list] = {}
    for i, w in enumerate(p.windows):
        for c in w.cells:
            cover.setdefault(c, []).append(x[i])
    for i, w in enumerate(p.spine_windows):
        for c in w.cells:
            cover.setdefault(c, []).append(z[i])
    for c in sorted(cover):
        if len(cover[c]) > 1:
            m.add_at_most_one(cover[c])

    # Every pod placed exactly once; the spine block placed once.
    for k, kind in enumerate(p.kinds):
        add(cp_model.LinearExpr.sum([x[i] for i, w in enumerate(p.windows) if w.kind == k]) == kind.count, "pods", k)
    if p.spine:
        add(cp_model.LinearExpr.sum(z) == 1, "spine")

    # Per-row loads, as linear expressions over the windows.
    def row_expr(field: str) -> dict[int, list]:
        terms: dict[int, list] = {r: [] for r in range(1, p.rows + 1)}
        for i, w in enumerate(p.windows):
            for r, v in getattr(w, field):
                terms[r].append((x[i], v))
        for i, w in enumerate(p.spine_windows):
            for r, v in getattr(w, field):
                terms[r].append((z[i], v))
        return terms

    def lin(terms):
        if not terms:
            return 0
        return cp_model.LinearExpr.weighted_sum([t[0] for t in terms], [t[1] for t in terms])

    for r, terms in row_expr("power").items():
        if terms and sum(v for _, v in terms) > p.busway_w:
            add(lin(terms) <= p.busway_w, "busway")
    for r, terms in row_expr("air").items():
        if terms and sum(v for _, v in terms) > p.air_w:
            add(lin(terms) <= p.air_w, "air")
    liquid = row_expr("liquid")
    if p.liquid_scope == "row":
        for r, terms in liquid.items():
            if terms and sum(v for _, v in terms) > p.liquid_loop_w:
                add(lin(terms) <= p.liquid_loop_w, "liquid")
    else:
        add(lin([t for ts in liquid.values() for t in ts]) <= p.liquid_loop_w, "liquid")
    if p.floor_dkg is not None:
        for r, terms in row_expr("weight").items():
            if terms and sum(v for _, v in terms) > p.floor_dkg:
                add(lin(terms) <= p.floor_dkg, "floor")

    # Evenness: spread of row power (kW) between the most and least loaded rows.
    row_kw: dict[int, list] = {r: [] for r in range(1, p.rows + 1)}
    for i, w in enumerate(p.windows):
        for r, v in window_kw(p, w).items():
            row_kw[r].append((x[i], v))
    for i, w in enumerate(p.spine_windows):
        for r, v in window_kw(p, w).items():
            row_kw[r].append((z[i], v))
    # pmin is the least pod load of a row once the `spare_rows` least loaded rows are left out
    # (rows the pods cannot fill anyway; see placement.spread_of): `ex` marks those rows.
    pod_kw: dict[int, list] = {r: [] for r in range(1, p.rows + 1)}
    for i, w in enumerate(p.windows):
        for r, v in window_kw(p, w).items():
            pod_kw[r].append((x[i], v))
    cap_kw = p.busway_w // 1000
    spare = spare_rows(p)
    pmax = m.new_int_var(0, cap_kw, "pmax")
    pmin = m.new_int_var(0, cap_kw, "pmin")
    ex = {r: m.new_bool_var(f"ex{r}") for r in range(1, p.rows + 1)} if spare else {}
    if ex:
        m.add(cp_model.LinearExpr.sum(list(ex.values())) <= spare)
    for r in range(1, p.rows + 1):
        m.add(pmax >= lin(row_kw[r]))
        if ex:
            m.add(pmin <= lin(pod_kw[r]) + cap_kw * ex[r])
        else:
            m.add(pmin <= lin(pod_kw[r]))
    spread = m.new_int_var(0, cap_kw, "spread")
    m.add(spread == pmax - pmin)

    # Cable: sum over leaves and spine racks of |drow| * pitch + |dslot| * slot + rise.
    ns = len(p.spine)
    hint_vals: dict[object, int] = {}
    cable_terms = []
    const = 0
    # An explanation pass needs no objective: leaving the cable linkage out also keeps a
    # relaxed spine family from silently forcing a spine through the leaf-count links.
    if ns and p.spine_windows and not explain:
        const = ns * p.leaves * p.rise_cm
        spine_rows = sorted({w.rows[0] for w in p.spine_windows})
        spine_cols = sorted({w.start for w in p.spine_windows})
        u = {r: cp_model.LinearExpr.sum([z[i] for i, w in enumerate(p.spine_windows) if w.rows[0] == r]) for r in spine_rows}
        v = {s: cp_model.LinearExpr.sum([z[i] for i, w in enumerate(p.spine_windows) if w.start == s]) for s in spine_cols}
        a: dict[int, list] = {}
        b: dict[int, list] = {}
        for i, w in enumerate(p.windows):
            per_r: dict[int, int] = {}
            per_s: dict[int, int] = {}
            for r, s in w.leaves:
                per_r[r] = per_r.get(r, 0) + 1
                per_s[s] = per_s.get(s, 0) + 1
            for r, n in per_r.items():
                a.setdefault(r, []).append((x[i], n))
            for s, n in per_s.items():
                b.setdefault(s, []).append((x[i], n))
        total = p.leaves
        # Most leaves a row / column can hold (cells where some window puts a leaf).
        leaf_cells = {c for w in p.windows for c in w.leaves}
        # Tight row bounds matter: they are what keeps the LP from spreading leaves thinly
        # next to a fractional spine in every row.
        row_leaves = {r: 0 for r in a}
        for k, kind in enumerate(p.kinds):
            per_pod = sum(1 for rk in kind.racks if rk.role == "network")
            for rows, cap in row_capacity(p, k).items():
                for r in rows:
                    if r in row_leaves:
                        row_leaves[r] += per_pod * min(cap, kind.count)
        amax = {r: min(total, row_leaves[r], sum(1 for c in leaf_cells if c[0] == r)) for r in a}
        bmax = {s: min(total, sum(1 for c in leaf_cells if c[1] == s)) for s in b}
        q = {}
        for r in sorted(a):
            qs = []
            for r2 in spine_rows:
                qv = m.new_int_var(0, amax[r], f"qr{r}_{r2}")
                m.add(qv <= amax[r] * u[r2])
                q[(r, r2)] = qv
                qs.append(qv)
                if r != r2:
                    cable_terms.append((qv, abs(r - r2) * p.pitch_cm * ns))
            m.add(cp_model.LinearExpr.sum(qs) == lin(a[r]))
        pq = {}
        for s in sorted(b):
            ps = []
            for s2 in spine_cols:
                g = sum(abs(s - (s2 + k)) for k in range(ns)) * p.slot_cm
                pv = m.new_int_var(0, bmax[s], f"qc{s}_{s2}")
                m.add(pv <= bmax[s] * v[s2])
                pq[(s, s2)] = pv
                ps.append(pv)
                if g:
                    cable_terms.append((pv, g))
            m.add(cp_model.LinearExpr.sum(ps) == lin(b[s]))
        # Symmetry: with row-mirror-symmetric keep-outs and only single-row pods, a layout
        # and its mirror image (row r <-> rows+1-r) cost the same; keep the spine in the upper half.
        mirror = frozenset((p.rows + 1 - r, s) for r, s in p.keepout)
        if mirror == p.keepout and all(k.arrangement == "row" for k in p.kinds):
            for i, w in enumerate(p.spine_windows):
                if 2 * w.rows[0] > p.rows + 1:
                    m.add(z[i] == 0)
        if hint is not None and hint.spine_window is not None:
            sw = p.spine_windows[hint.spine_window]
            hr, hs = sw.rows[0], sw.start
            na: dict[int, int] = {}
            nb: dict[int, int] = {}
            for i in hint.pod_windows:
                for r, s in p.windows[i].leaves:
                    na[r] = na.get(r, 0) + 1
                    nb[s] = nb.get(s, 0) + 1
            for (r, r2), qv in q.items():
                hint_vals[qv] = na.get(r, 0) if r2 == hr else 0
            for (s, s2), pv in pq.items():
                hint_vals[pv] = nb.get(s, 0) if s2 == hs else 0

    weight = spread_weight(p)
    cable = lin(cable_terms) + const
    m.minimize(cable * weight + spread)

    if hint is not None:
        chosen = set(hint.pod_windows)
        for i, var in enumerate(x):
            m.add_hint(var, 1 if i in chosen else 0)
        for i, var in enumerate(z):
            m.add_hint(var, 1 if i == hint.spine_window else 0)
        for var, val in hint_vals.items():
            m.add_hint(var, val)
        kw = row_kw_int(p, hint)
        m.add_hint(pmax, max(kw.values()))
        m.add_hint(pmin, max(kw.values()) - spread_of(p, hint))
        m.add_hint(spread, spread_of(p, hint))
        # The spare rows left out are the least pod-loaded ones (ties: lowest row number).
        pk = row_pod_kw(p, hint)
        out = set(sorted(pk, key=lambda r: (pk[r], r))[:spare])
        for r, var in ex.items():
            m.add_hint(var, 1 if r in out else 0)
    for key in sorted(lits):
        m.add_hint(lits[key], 1)

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
        m.add_assumptions([lits[k] for k in sorted(lits) if assume is None or k in assume])
    st = solver.solve(m)
    name = solver.status_name(st)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        pw = tuple(i for i, var in enumerate(x) if solver.boolean_value(var))
        sw = next((i for i, var in enumerate(z) if solver.boolean_value(var)), None)
        pl = Placement(pod_windows=pw, spine_window=sw)
        obj = round(solver.objective_value)
        if not explain:
            # The evaluator's figure is the objective: cable is exact in the model, while the
            # spread's max/min variables may keep slack in a solution stopped at the gap limit.
            true = cable_of(p, pl) * weight + spread_of(p, pl)
            assert true <= obj, (true, obj)
            obj = true
        return SolveOutcome(
            status=name,
            placement=pl,
            objective=obj,
            best_bound=float(solver.best_objective_bound),
            wall_s=solver.wall_time,
            deterministic_s=solver.deterministic_time,
        )
    conflict: tuple[tuple[str, int], ...] = ()
    if explain and st == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        inv = {lits[k].index: k for k in lits}
        conflict = tuple(sorted(inv[i] for i in core if i in inv))
    return SolveOutcome(status=name, placement=None, objective=None, best_bound=None, conflict=conflict, wall_s=solver.wall_time,
        deterministic_s=solver.deterministic_time)


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
