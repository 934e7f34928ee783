"""Rack placement: every rack of every distinct hall in a row slot, proven within every limit.

In: a checked `Spec` (and its `SourceFile` for locations). Out: `RackLayout` (racks with hall,
row, slot, pod instance and loads; rows against busway, CDU loop, air and floor limits; solver
status, objective, bound and gap per hall) or a `HubcError` (exit 3) explaining in the spec's
terms why no placement exists.

Pipeline per distinct hall (halls with `copies`, and [[hall]] entries identical but for their
id, are solved once): `problem.prepare` -> `explain.cheap_checks` -> `placement.greedy_ffd`
(baseline and complete hint) -> `spine_search.solve_by_spine` (CP-SAT, deterministic:
cable over the spine positions, then the row spread in a bounded share of the budget; both
phases recorded per hall) -> extract -> `hubc.racks.verify` re-checks the result without the
solver.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from hubc.core.loads import cdu_capacity_kw, cdu_loop_capacity_kw
from hubc.diagnostics import HubcError
from hubc.racks.explain import Locator, cheap_checks, explain_core, timeout
from hubc.racks.model import SolveOutcome, SolveParams, minimal_conflict
from hubc.racks.placement import Placement, cable_of, greedy_ffd, objective_of, spread_of
from hubc.racks.problem import HallProblem, prepare, row_strip_m2
from hubc.racks.result import Figures, HallLayout, Keepout, PlacedRack, RackLayout, RowReport
from hubc.racks.spine_search import solve_by_spine
from hubc.spec.model import Spec
from hubc.spec.source import SourceFile

__all__ = ["RackLayout", "SolveParams", "run_racks", "solve_params_for"]

# Deterministic search budget for the whole campus (CP-SAT deterministic seconds), shared by
# its distinct halls; each hall gets at least the floor below.
CAMPUS_DET_S = 16.0
HALL_DET_S_MIN = 2.0
HALL_DET_S_MAX = 8.0


def solve_params_for(distinct_halls: int) -> SolveParams:
    per = min(HALL_DET_S_MAX, max(HALL_DET_S_MIN, CAMPUS_DET_S / max(1, distinct_halls)))
    return SolveParams(workers=1, deterministic_time=per)


def _fingerprint(p: HallProblem):
    return attrs.evolve(p, hall_id="", hall_index=0, copies=0)


def run_racks(
    spec: Spec,
    progress: Callable[[str], None] | None = None,
    source: SourceFile | None = None,
    params: SolveParams | None = None,
) -> RackLayout:
    from hubc.racks.verify import verify_racks

    loc = Locator(source)
    say = progress or (lambda _msg: None)
    problems = [prepare(spec, i) for i in range(len(spec.hall))]

    errors = [d for p in problems for d in cheap_checks(p, loc)]
    if errors:
        raise HubcError(errors, exit_code=3)

    distinct: dict[object, int] = {}
    for i, p in enumerate(problems):
        distinct.setdefault(_fingerprint(p), i)
    params = params or solve_params_for(len(distinct))

    solved: dict[int, tuple[SolveOutcome, Figures | None]] = {}
    halls: list[HallLayout] = []
    n = len(distinct)
    for i, p in enumerate(problems):
        rep = distinct[_fingerprint(p)]
        if rep == i:
            k = len(solved) + 1
            say(f"[{k}/{n}] {p.hall_id}: {p.pods} pods, {len(p.windows)} windows, x{p.copies} copies - greedy")
            g = greedy_ffd(p)
            gfig = None if g is None else _figures(p, g)
            say(f"[{k}/{n}] {p.hall_id}: greedy {'failed' if g is None else f'{gfig.cable_m:,.0f} m cable'}; CP-SAT ...")
            out = solve_by_spine(p, g, params)
            if out.placement is None:
                if out.status == "INFEASIBLE":
                    status, core = minimal_conflict(p, attrs.evolve(params, workers=1))
                    if status == "INFEASIBLE":
                        raise HubcError([explain_core(p, core.conflict, loc)], exit_code=3)
                raise HubcError([timeout(p, loc, params.deterministic_time)], exit_code=3)
            fig = _figures(p, out.placement)
            gap = 0.0 if not out.objective else (out.objective - out.best_bound) / out.objective
            say(
                f"[{k}/{n}] {p.hall_id}: {out.status.lower()}, {fig.cable_m:,.0f} m cable, "
                f"row spread {fig.spread_kw:,} kW, gap {100 * gap:.2f}%"
            )
            solved[i] = (out, gfig)
        out, gfig = solved[rep]
        halls.append(_extract(spec, p, out, gfig, None if rep == i else problems[rep].hall_id))

    layout = RackLayout(
        halls=tuple(halls),
        rack_info=tuple((rt.id, rt.role, rt.power_kw, i, rt.description) for i, rt in enumerate(spec.rack_type)),
        hall_info=tuple(
            (
                h.id,
                h.cooling.cdus,
                h.rows if h.cooling.cdu_scope == "row" else 1,
                h.cooling.cdu_kw,
                spec.electrical.distribution_paths,
                h.cooling.cdu_scope,
            )
            for h in spec.hall
        ),
        solver=(
            ("engine", "OR-Tools CP-SAT"),
            ("ortools", _ortools_version()),
            ("workers", params.workers),
            ("seed", params.seed),
            ("deterministic_time_s", params.deterministic_time),
            ("relative_gap", params.relative_gap),
            ("secondary_share", params.secondary_share),
        ),
    )
    diags = verify_racks(layout, spec, source)
    if diags:
        # The verifier disagrees with the solver: refuse to emit rather than ship a bad layout.
        raise HubcError(diags, exit_code=1)
    return layout


def _ortools_version() -> str:
    import ortools

    return ortools.__version__


def _figures(p: HallProblem, pl: Placement) -> Figures:
    return Figures(objective=objective_of(p, pl), cable_m=cable_of(p, pl) / 100.0, spread_kw=spread_of(p, pl))


def _extract(spec: Spec, p: HallProblem, out: SolveOutcome, greedy: Figures | None, same_as: str | None) -> HallLayout:
    pl = out.placement
    hall = spec.hall[p.hall_index]
    rts = spec.rack_types()
    racks: list[PlacedRack] = []

    def put(cells, kind_racks, pod: str, pod_kind: str) -> None:
        for (r, s), rk in zip(cells, kind_racks):
            rt = rts[rk.rack_type]
            racks.append(
                PlacedRack(
                    hall=p.hall_id,
                    row=r,
                    slot=s,
                    rack_type=rk.rack_type,
                    role=rk.role,
                    pod=pod,
                    pod_kind=pod_kind,
                    power_kw=rt.power_kw,
                    liquid_kw=rt.power_kw * rt.liquid_fraction,
                    air_kw=rt.power_kw * (1.0 - rt.liquid_fraction),
                    weight_kg=rt.weight_kg,
                )
            )

    # Pod instances are numbered in floor order (row, then slot): identical pods are
    # interchangeable, so the model never names them; this numbering is the canonical one.
    for k, kind in enumerate(p.kinds):
        wins = sorted((p.windows[i] for i in pl.pod_windows if p.windows[i].kind == k), key=lambda w: (w.rows, w.start))
        width = len(str(kind.count))
        for n, w in enumerate(wins, start=1):
            put(w.cells, kind.racks, f"{kind.pod_id}-{n:0{width}d}", kind.pod_id)
    if pl.spine_window is not None:
        put(p.spine_windows[pl.spine_window].cells, p.spine, "spine", "spine")
    racks.sort(key=lambda r: (r.row, r.slot))

    c = hall.cooling
    loop_kw = cdu_loop_capacity_kw(hall)
    floor_kg = None if hall.floor_loading_kg_per_m2 is None else hall.floor_loading_kg_per_m2 * row_strip_m2(hall)
    rows = []
    for r in range(1, p.rows + 1):
        mine = [x for x in racks if x.row == r]
        rows.append(
            RowReport(
                hall=p.hall_id,
                row=r,
                racks=len(mine),
                it_kw=sum(x.power_kw for x in mine),
                liquid_kw=sum(x.liquid_kw for x in mine),
                air_kw=sum(x.air_kw for x in mine),
                weight_kg=sum(x.weight_kg for x in mine),
                busway_kw=hall.row_busway_kw,
                liquid_limit_kw=loop_kw if c.cdu_scope == "row" else None,
                air_limit_kw=c.air_kw_per_row,
                floor_limit_kg=floor_kg,
            )
        )
    return HallLayout(
        hall=p.hall_id,
        hall_index=p.hall_index,
        copies=p.copies,
        rows=p.rows,
        slots_per_row=p.slots,
        slot_width_mm=hall.slot_width_mm,
        row_pitch_mm=hall.row_pitch_mm,
        keepout=tuple(sorted(Keepout(k.row, k.slot, k.reason) for k in hall.keepout)),
        status=out.status,
        objective=out.objective,
        best_bound=out.best_bound,
        solved=_figures(p, pl),
        greedy=greedy,
        solve_s=out.wall_s,
        same_as=same_as,
        racks=tuple(racks),
        rows_report=tuple(rows),
        liquid_scope=c.cdu_scope,
        hall_liquid_kw=sum(x.liquid_kw for x in racks),
        hall_liquid_limit_kw=cdu_capacity_kw(hall),
        phases=out.phases,
    )

