"""A placement of one distinct hall (chosen windows) and its figures, plus the greedy baseline.

In: a `HallProblem`. Out: `Placement` (pod windows chosen per kind, the spine window) with the
quantities both the greedy and the CP-SAT model are judged by: total leaf-to-spine cable and
the spread of row power. `greedy_ffd` is the first-fit-decreasing placement used as the
baseline of the benchmark and as the complete warm start (hint) of the CP-SAT model.
"""

from __future__ import annotations

import attrs

from hubc.racks.problem import Cell, HallProblem, Window, total_cable_cm


@attrs.frozen(kw_only=True)
class Placement:
    pod_windows: tuple[int, ...]  # indices into HallProblem.windows, sorted
    spine_window: int | None  # index into HallProblem.spine_windows


def row_sums(p: HallProblem, pl: Placement, field: str) -> dict[int, int]:
    out = {r: 0 for r in range(1, p.rows + 1)}
    wins = [p.windows[i] for i in pl.pod_windows]
    if pl.spine_window is not None:
        wins.append(p.spine_windows[pl.spine_window])
    for w in wins:
        for r, v in getattr(w, field):
            out[r] += v
    return out


def row_kw_int(p: HallProblem, pl: Placement) -> dict[int, int]:
    """Row power in whole kW, per rack rounded: the unit of the evenness objective."""
    out = {r: 0 for r in range(1, p.rows + 1)}
    wins = [p.windows[i] for i in pl.pod_windows]
    if pl.spine_window is not None:
        wins.append(p.spine_windows[pl.spine_window])
    for w in wins:
        racks = p.kinds[w.kind].racks if w.kind >= 0 else p.spine
        for (r, _), rk in zip(w.cells, racks):
            out[r] += window_rack_kw(rk.power_w)
    return out


def window_rack_kw(power_w: int) -> int:
    return (power_w + 500) // 1000


def window_kw(p: HallProblem, w: Window) -> dict[int, int]:
    racks = p.kinds[w.kind].racks if w.kind >= 0 else p.spine
    out: dict[int, int] = {}
    for (r, _), rk in zip(w.cells, racks):
        out[r] = out.get(r, 0) + window_rack_kw(rk.power_w)
    return out


def cable_of(p: HallProblem, pl: Placement) -> int:
    if pl.spine_window is None:
        return 0
    leaves: list[Cell] = [c for i in pl.pod_windows for c in p.windows[i].leaves]
    return total_cable_cm(p, leaves, list(p.spine_windows[pl.spine_window].cells))


def spare_rows(p: HallProblem) -> int:
    """Rows that hold no pod whatever the placement: more rows than pods can occupy (a row pod
    takes one row, a row-pair pod two). 1 GW example: 22 pods in 24 rows leave 2."""
    units = sum(k.count * (2 if k.arrangement == "row-pair" else 1) for k in p.kinds)
    return max(0, p.rows - units)


def row_pod_kw(p: HallProblem, pl: Placement) -> dict[int, int]:
    """Row power of the pods alone (whole kW per rack, as row_kw_int): the compute load."""
    out = {r: 0 for r in range(1, p.rows + 1)}
    for i in pl.pod_windows:
        for r, v in window_kw(p, p.windows[i]).items():
            out[r] += v
    return out


def spread_of(p: HallProblem, pl: Placement) -> int:
    """Row power evenness: the most loaded row (pods and spine: the peak a busway carries) less
    the least pod load of a row, leaving out the `spare_rows` least loaded rows.

    Rows the pods cannot fill anyway (and the spine's own load) are not imbalance: with them
    counted, a hall with one unavoidably empty row has spread = its peak row for every
    placement, a constant the optimizer cannot move. Where the pods could fill every row, an
    empty row still counts, so the term keeps preferring every row in use."""
    k = spare_rows(p)
    if k >= p.rows:
        return 0
    pods = sorted(row_pod_kw(p, pl).values())
    return max(row_kw_int(p, pl).values()) - pods[k]


def spread_weight(p: HallProblem) -> int:
    """Lexicographic weight: one cm of cable outweighs any possible row spread (kW)."""
    return p.busway_w // 1000 + 1


def objective_of(p: HallProblem, pl: Placement) -> int:
    return cable_of(p, pl) * spread_weight(p) + spread_of(p, pl)


GREEDY_SPINE_TRIES = 128


class _Rows:
    """Running row loads and occupied cells while a placement is built."""

    def __init__(self, p: HallProblem):
        self.p = p
        self.used: set[Cell] = set()
        self.load = {f: {r: 0 for r in range(1, p.rows + 1)} for f in ("power", "liquid", "air", "weight")}

    def fits(self, w: Window) -> bool:
        p = self.p
        if any(c in self.used for c in w.cells):
            return False
        for r, v in w.power:
            if self.load["power"][r] + v > p.busway_w:
                return False
        for r, v in w.air:
            if self.load["air"][r] + v > p.air_w:
                return False
        if p.liquid_scope == "row":
            for r, v in w.liquid:
                if self.load["liquid"][r] + v > p.liquid_loop_w:
                    return False
        elif sum(self.load["liquid"].values()) + sum(v for _, v in w.liquid) > p.liquid_loop_w:
            return False
        if p.floor_dkg is not None:
            for r, v in w.weight:
                if self.load["weight"][r] + v > p.floor_dkg:
                    return False
        return True

    def take(self, w: Window) -> None:
        self.used.update(w.cells)
        for f in self.load:
            for r, v in getattr(w, f):
                self.load[f][r] += v


def greedy_ffd(p: HallProblem) -> Placement | None:
    """First-fit decreasing: the spine block nearest the hall centre, then pods in decreasing
    power, each in the first window that fits, scanning rows outward from the spine row (the
    order an engineer fills a hall to keep leaf-to-spine runs short), slots left to right.
    If the pods do not all fit, the next spine position is tried (up to 128). Returns None when no
    tried spine position lets every pod find a window (the greedy is not complete; the model is)."""
    if not p.spine:
        return _fill(p, None)
    cr, cs = (p.rows + 1) / 2, (p.slots + 1) / 2
    order = sorted(
        range(len(p.spine_windows)),
        key=lambda i: (
            abs(p.spine_windows[i].rows[0] - cr) * p.pitch_cm
            + abs(p.spine_windows[i].start + (len(p.spine) - 1) / 2 - cs) * p.slot_cm,
            p.spine_windows[i].rows[0],
            p.spine_windows[i].start,
        ),
    )
    # A bounded number of retries keeps the greedy cheap on halls where it cannot succeed.
    for i in order[:GREEDY_SPINE_TRIES]:
        pl = _fill(p, i)
        if pl is not None:
            return pl
    return None


def _fill(p: HallProblem, spine_idx: int | None) -> Placement | None:
    state = _Rows(p)
    if spine_idx is not None:
        if not state.fits(p.spine_windows[spine_idx]):
            return None
        state.take(p.spine_windows[spine_idx])
    spine_row = p.spine_windows[spine_idx].rows[0] if spine_idx is not None else 1

    by_kind: dict[int, list[int]] = {}
    for i, w in enumerate(p.windows):
        by_kind.setdefault(w.kind, []).append(i)
    for wins in by_kind.values():
        wins.sort(key=lambda i: (abs(p.windows[i].rows[0] - spine_row), p.windows[i].rows[0], p.windows[i].start))

    kinds = sorted(range(len(p.kinds)), key=lambda k: (-p.kinds[k].power_w, -p.kinds[k].length, k))
    chosen: list[int] = []
    for k in kinds:
        for _ in range(p.kinds[k].count):
            for i in by_kind.get(k, ()):
                if state.fits(p.windows[i]):
                    state.take(p.windows[i])
                    chosen.append(i)
                    break
            else:
                return None
    return Placement(pod_windows=tuple(sorted(chosen)), spine_window=spine_idx)
