"""Why a hall cannot be placed, in the spec's own terms (HUB701-HUB709).

In: a `HallProblem` (and, after the solver, the rule families of an infeasible core). Out:
diagnostics at the line:col of the limits in conflict. Cheap row-level arguments run first
(what the hall totals of HUB2xx miss: a pod too dense for any one row, keep-outs fragmenting
rows, row-by-row capacity); CP-SAT assumptions explain what they miss.
"""

from __future__ import annotations

from hubc.codes import diag
from hubc.diagnostics import Diagnostic, Location
from hubc.racks.problem import HallProblem, geometric_capacity, limit_capacity, make_window, row_capacity
from hubc.spec.source import SourceFile

_LIMIT_KEY = {
    "busway": ("row_busway_kw",),
    "liquid": ("cooling", "cdus"),
    "air": ("cooling", "air_kw_per_row"),
    "floor": ("floor_loading_kg_per_m2",),
}
_LIMIT_NAME = {
    "busway": "row busway",
    "liquid": "CDU loop",
    "air": "row air cooling",
    "floor": "row floor loading",
}


class Locator:
    def __init__(self, source: SourceFile | None):
        self.source = source

    def at(self, *path: str | int) -> Location:
        if self.source is None:
            return Location(file="<spec>")
        return self.source.at_value(tuple(path))


def _kw(w: int) -> str:
    kw = w / 1000
    return f"{kw / 1000:,.2f} MW" if kw >= 10000 else f"{kw:,.1f} kW"


def _limit_text(p: HallProblem, family: str) -> str:
    if family == "busway":
        return f"the row busway is rated {_kw(p.busway_w)}"
    if family == "air":
        return f"a row has {_kw(p.air_w)} of air cooling"
    if family == "liquid":
        return f"a row's CDU loop carries {_kw(p.liquid_loop_w)} after redundancy"
    return f"a row strip of the floor may carry {p.floor_dkg / 10:,.0f} kg"


def _load_of(p: HallProblem, family: str, w) -> int:
    loads = {"busway": w.power, "air": w.air, "liquid": w.liquid, "floor": w.weight}[family]
    return max((v for _, v in loads), default=0)


def _fmt_load(family: str, v: int) -> str:
    return f"{v / 10:,.0f} kg" if family == "floor" else _kw(v)


def cheap_checks(p: HallProblem, loc: Locator) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for k, kind in enumerate(p.kinds):
        out.extend(_check_pod_kind(p, k, kind, loc))
    if p.spine:
        out.extend(_check_spine(p, loc))
    return out


def _check_pod_kind(p: HallProblem, k: int, kind, loc: Locator) -> list[Diagnostic]:
    """One pod kind: too dense for any row (HUB701-704), else no run of free slots (HUB706),
    else too few pods row by row (HUB707); each test only when the one before passes."""
    caps = limit_capacity(p, k)
    dense = _too_dense_for_a_row(p, k, kind, caps, loc)
    if dense:
        return dense
    sets = [(r,) for r in range(1, p.rows + 1)] if kind.arrangement == "row" else list(p.pairs())
    geo = {rows: geometric_capacity(p, k, rows) for rows in sets}
    if sum(geo.values()) == 0:
        return [_no_window(p, kind, loc)]
    total = sum(row_capacity(p, k).values())
    if total < kind.count:
        return [_rows_too_few(p, kind, caps, sets, geo, total, loc)]
    return []


def _pod_at(p: HallProblem, kind, loc: Locator) -> Location:
    return loc.at("hall", p.hall_index, "pods", kind.hall_pods_index, "pod")


def _too_dense_for_a_row(p: HallProblem, k: int, kind, caps: dict[str, int], loc: Locator) -> list[Diagnostic]:
    """HUB701-HUB704: one pod alone exceeds a per-row limit (busway, CDU loop, air, floor)."""
    h = ("hall", p.hall_index)
    w = make_window(p, k, kind.racks, (1, 2) if kind.arrangement == "row-pair" else (1,), 1, kind.arrangement)
    out: list[Diagnostic] = []
    for fam, code in (("busway", "HUB701"), ("liquid", "HUB702"), ("air", "HUB703"), ("floor", "HUB704")):
        if caps[fam] == 0:
            share = " in its heavier row" if kind.arrangement == "row-pair" else ""
            out.append(
                diag(
                    code,
                    f'one "{kind.pod_id}" pod puts {_fmt_load(fam, _load_of(p, fam, w))}{share} on a row of '
                    f"{p.hall_id} but {_limit_text(p, fam)}",
                    loc.at(*h, *_LIMIT_KEY[fam]),
                    h + _LIMIT_KEY[fam],
                    help=_HELP[fam],
                    related=((_pod_at(p, kind, loc), "pod placed here"),)
                    + (((loc.at(*h, "cooling", "cdu_kw"), "CDU rating"),) if fam == "liquid" else ()),
                )
            )
    return out


def _no_window(p: HallProblem, kind, loc: Locator) -> Diagnostic:
    """HUB706: no row (or row pair) has a run of free slots as long as the pod."""
    h = ("hall", p.hall_index)
    return diag(
        "HUB706",
        f'no row{" pair" if kind.arrangement == "row-pair" else ""} of {p.hall_id} has '
        f'{kind.length if kind.arrangement == "row" else (kind.length + 1) // 2} free slots in a run '
        f'for a "{kind.pod_id}" pod between its keep-outs',
        loc.at(*h, "keepout") if p.keepout else loc.at(*h, "slots_per_row"),
        h + (("keepout",) if p.keepout else ("slots_per_row",)),
        help="move keep-outs to the row ends, lengthen the rows, or use a shorter pod",
        related=((_pod_at(p, kind, loc), "pod placed here"),),
    )


def _rows_too_few(p: HallProblem, kind, caps: dict[str, int], sets: list, geo: dict, total: int, loc: Locator) -> Diagnostic:
    """HUB707: row by row (geometry with keep-outs and every per-row limit) the hall holds
    fewer pods than it declares."""
    h = ("hall", p.hall_index)
    lim = min(caps.values())
    # Name every limit that binds; point at the first in the order an engineer sizes a row.
    bound_by = [f for f in ("busway", "liquid", "air", "floor") if caps[f] == lim]
    binding = bound_by[0]
    limited_rows = [rows for rows in sets if geo[rows] > lim]
    short_rows = [rows for rows in sets if geo[rows] < max(geo.values())]
    notes = []
    if limited_rows:
        notes.append(
            f"{len(limited_rows)} row{'s' if len(limited_rows) != 1 else ''} could hold more by length but "
            + " and ".join(_limit_text(p, f) for f in bound_by)
            + f": {lim} pod{'s' if lim != 1 else ''} per row"
        )
    if short_rows:
        notes.append(
            f"keep-outs leave room for fewer pods in row{'s' if len(short_rows) != 1 else ''} "
            + ", ".join("-".join(map(str, rows)) for rows in short_rows[:12])
            + (" ..." if len(short_rows) > 12 else "")
        )
    where = loc.at(*h, *_LIMIT_KEY[binding]) if limited_rows else loc.at(*h, "keepout")
    path = h + (_LIMIT_KEY[binding] if limited_rows else ("keepout",))
    return diag(
        "HUB707",
        f'{p.hall_id} needs {kind.count} "{kind.pod_id}" pods but its rows hold at most {total} '
        f"row by row (geometry with keep-outs and every per-row limit)",
        where,
        path,
        notes=tuple(notes),
        help="raise the binding per-row limit, add rows, or move pods to another hall",
        related=((loc.at(*h, "pods", kind.hall_pods_index, "count"), "pod count"),),
    )


def _check_spine(p: HallProblem, loc: Locator) -> list[Diagnostic]:
    """HUB705: the spine block fits no row, or alone exceeds a per-row limit."""
    h = ("hall", p.hall_index)
    if not p.spine_windows:
        return [
            diag(
                "HUB705",
                f"{p.hall_id}'s {len(p.spine)} spine racks need {len(p.spine)} free slots in a row "
                f"but no row has such a run between its keep-outs",
                loc.at(*h, "spine"),
                h + ("spine",),
                help="spine racks stand together in one row: lengthen rows or move keep-outs",
            )
        ]
    out: list[Diagnostic] = []
    sw = p.spine_windows[0]
    for fam in ("busway", "liquid", "air", "floor"):
        limit = _cap_value(p, fam)
        if limit is not None and _load_of(p, fam, sw) > limit and (fam != "liquid" or p.liquid_scope == "row"):
            out.append(
                diag(
                    "HUB705",
                    f"{p.hall_id}'s spine block puts {_fmt_load(fam, _load_of(p, fam, sw))} on one row "
                    f"but {_limit_text(p, fam)}",
                    loc.at(*h, *_LIMIT_KEY[fam]),
                    h + _LIMIT_KEY[fam],
                    related=((loc.at(*h, "spine"), "spine racks"),),
                )
            )
    return out


def _cap_value(p: HallProblem, fam: str) -> int | None:
    return {"busway": p.busway_w, "air": p.air_w, "liquid": p.liquid_loop_w, "floor": p.floor_dkg}[fam]


_HELP = {
    "busway": "a pod stays in one row: raise row_busway_kw above the pod's power or split the pod",
    "liquid": "raise cdu_kw or cdus per row loop, or use cdu_scope = \"hall\"",
    "air": "raise air_kw_per_row (more CRAH / fan-wall capacity) or raise the racks' liquid_fraction",
    "floor": "a stronger slab, wider row pitch, or lighter racks",
}


def explain_core(p: HallProblem, conflict: tuple[tuple[str, int], ...], loc: Locator) -> Diagnostic:
    """The infeasible core of the CP-SAT model, as one diagnostic naming every rule in it."""
    h = ("hall", p.hall_index)
    parts: list[str] = []
    related: list[tuple[Location, str]] = []
    primary = None
    for fam, k in conflict:
        if fam == "pods":
            kind = p.kinds[k]
            parts.append(f'{kind.count} "{kind.pod_id}" pods')
            related.append((loc.at(*h, "pods", kind.hall_pods_index, "count"), "pod count"))
        elif fam == "spine":
            parts.append(f"{len(p.spine)} spine racks in one block")
            related.append((loc.at(*h, "spine"), "spine racks"))
        else:
            parts.append(f"{_LIMIT_NAME[fam]} ({_limit_text(p, fam)})")
            where = loc.at(*h, *_LIMIT_KEY[fam])
            if primary is None:
                primary = (where, h + _LIMIT_KEY[fam])
            related.append((where, _LIMIT_NAME[fam]))
    if primary is None:
        primary = (loc.at(*h, "keepout") if p.keepout else loc.at(*h, "slots_per_row"),
                   h + (("keepout",) if p.keepout else ("slots_per_row",)))
        parts.append(f"{p.rows} rows x {p.slots} slots with {len(p.keepout)} keep-outs")
    return diag(
        "HUB708",
        f"no placement of {p.hall_id} satisfies together: " + "; ".join(parts),
        primary[0],
        primary[1],
        help="relax one of these limits (the solver proved they conflict; the set is sufficient, not minimal)",
        related=tuple(related),
    )


def timeout(p: HallProblem, loc: Locator, det_s: float) -> Diagnostic:
    h = ("hall", p.hall_index)
    return diag(
        "HUB709",
        f"no placement of {p.hall_id} was found within the search limit ({det_s:g} deterministic s); "
        f"the greedy placement failed too",
        loc.at(*h, "pods"),
        h + ("pods",),
        help="the hall is probably very tight: leave a few spare slots or some busway headroom",
    )
