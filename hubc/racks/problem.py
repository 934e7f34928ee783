"""Rack placement problem data, prepared as integers from the spec (one per distinct hall).

In: a `Hall` of the spec. Out: a `HallProblem`: the free slots, every pod kind with its rack
sequence and per-rack loads (W, 0.1 kg), every placement window a pod or the spine block can
take (precomputed geometry, so the model only chooses among windows), and the per-row limits
(busway, CDU loop, air, floor) in the same integer units. Identical pods of a hall form one kind:
the model counts windows per kind instead of naming instances, which removes their symmetry.
"""

from __future__ import annotations

import math

import attrs

from hubc.core.loads import cdu_capacity_kw, cdu_loop_capacity_kw
from hubc.spec.model import Hall, RackType, Spec

Cell = tuple[int, int]  # (row, slot), both 1-based

# Integer units of the model: power in W, weight in 0.1 kg, lengths in cm. Rounding the limits
# down and the loads to the nearest unit keeps the model on the safe side of every rating.
W_PER_KW = 1000
DKG_PER_KG = 10
CM_PER_MM = 0.1


def to_w(kw: float) -> int:
    return round(kw * W_PER_KW)


def limit_w(kw: float) -> int:
    return math.floor(kw * W_PER_KW + 1e-6)


@attrs.frozen(kw_only=True)
class RackSpec:
    rack_type: str
    role: str
    power_w: int
    liquid_w: int
    air_w: int
    weight_dkg: int


@attrs.frozen(kw_only=True)
class PodKind:
    """All pods of one pod id in a hall (identical, hence interchangeable)."""

    pod_id: str
    count: int
    arrangement: str  # "row" or "row-pair"
    racks: tuple[RackSpec, ...]  # in row order
    pod_index: int  # index of the pod in spec.pod
    hall_pods_index: int  # first index in hall.pods naming this pod (for locations)

    @property
    def length(self) -> int:
        return len(self.racks)

    @property
    def power_w(self) -> int:
        return sum(r.power_w for r in self.racks)


@attrs.frozen(kw_only=True)
class Window:
    """One place a pod kind (or the spine block) can take: its cells in rack order."""

    kind: int  # index into HallProblem.kinds; -1 for the spine block
    rows: tuple[int, ...]  # one row, or the facing pair (a, b)
    start: int  # first slot
    cells: tuple[Cell, ...]  # cell of each rack, in the pod's rack order
    # Per-row loads (row -> value), in model units.
    power: tuple[tuple[int, int], ...]
    liquid: tuple[tuple[int, int], ...]
    air: tuple[tuple[int, int], ...]
    weight: tuple[tuple[int, int], ...]
    leaves: tuple[Cell, ...]  # cells of the pod's network (leaf) racks


@attrs.frozen(kw_only=True)
class HallProblem:
    hall_id: str
    hall_index: int
    copies: int
    rows: int
    slots: int
    keepout: frozenset[Cell]
    slot_cm: int
    pitch_cm: int
    rise_cm: int
    kinds: tuple[PodKind, ...]
    spine: tuple[RackSpec, ...]  # the hall's spine racks, as one contiguous block
    windows: tuple[Window, ...]  # pod windows
    spine_windows: tuple[Window, ...]
    busway_w: int  # per row
    liquid_scope: str  # "row" or "hall"
    liquid_loop_w: int  # per loop (per row, or the whole hall)
    air_w: int  # per row
    floor_dkg: int | None  # per row strip (rows are a pitch deep, slots x slot width long)

    def free(self, cell: Cell) -> bool:
        r, s = cell
        return 1 <= r <= self.rows and 1 <= s <= self.slots and cell not in self.keepout

    @property
    def pods(self) -> int:
        return sum(k.count for k in self.kinds)

    @property
    def leaves(self) -> int:
        return sum(k.count * sum(1 for r in k.racks if r.role == "network") for k in self.kinds)

    def pairs(self) -> tuple[tuple[int, int], ...]:
        """Facing row pairs: rows 1-2, 3-4, ... (a last odd row has no partner)."""
        return tuple((a, a + 1) for a in range(1, self.rows, 2))


def rack_spec(rt: RackType) -> RackSpec:
    liquid = to_w(rt.power_kw * rt.liquid_fraction)
    power = to_w(rt.power_kw)
    return RackSpec(
        rack_type=rt.id,
        role=rt.role,
        power_w=power,
        liquid_w=liquid,
        air_w=power - liquid,
        weight_dkg=round(rt.weight_kg * DKG_PER_KG),
    )


def row_strip_m2(hall: Hall) -> float:
    """Floor area a row stands on: its length times one row pitch (half of each adjacent aisle).

    Rack weight spread over that strip is the uniformly distributed load a structural engineer
    compares with the slab's rating; the point load under one rack is checked by HUB206.
    """
    return hall.slots_per_row * hall.slot_width_mm * hall.row_pitch_mm / 1e6


def prepare(spec: Spec, hall_index: int) -> HallProblem:
    hall = spec.hall[hall_index]
    rts = spec.rack_types()
    pods = spec.pods()
    pod_pos = {p.id: i for i, p in enumerate(spec.pod)}

    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for j, pc in enumerate(hall.pods):
        counts[pc.pod] = counts.get(pc.pod, 0) + pc.count
        first.setdefault(pc.pod, j)
    kinds = []
    for pid in sorted(counts, key=lambda p: first[p]):
        pod = pods[pid]
        seq = tuple(rack_spec(rts[rc.rack_type]) for rc in pod.racks for _ in range(rc.count))
        kinds.append(
            PodKind(
                pod_id=pid,
                count=counts[pid],
                arrangement=pod.arrangement,
                racks=seq,
                pod_index=pod_pos[pid],
                hall_pods_index=first[pid],
            )
        )
    spine = tuple(rack_spec(rts[rc.rack_type]) for rc in hall.spine for _ in range(rc.count))
    keepout = frozenset((k.row, k.slot) for k in hall.keepout)
    c = hall.cooling
    base = HallProblem(
        hall_id=hall.id,
        hall_index=hall_index,
        copies=hall.copies,
        rows=hall.rows,
        slots=hall.slots_per_row,
        keepout=keepout,
        slot_cm=round(hall.slot_width_mm * CM_PER_MM),
        pitch_cm=round(hall.row_pitch_mm * CM_PER_MM),
        rise_cm=round(hall.cable_rise_m * 100),
        kinds=tuple(kinds),
        spine=spine,
        windows=(),
        spine_windows=(),
        busway_w=limit_w(hall.row_busway_kw),
        liquid_scope=c.cdu_scope,
        liquid_loop_w=limit_w(cdu_loop_capacity_kw(hall) if c.cdu_scope == "row" else cdu_capacity_kw(hall)),
        air_w=limit_w(c.air_kw_per_row),
        floor_dkg=(
            None
            if hall.floor_loading_kg_per_m2 is None
            else math.floor(hall.floor_loading_kg_per_m2 * row_strip_m2(hall) * DKG_PER_KG + 1e-6)
        ),
    )
    windows = []
    for ki, kind in enumerate(base.kinds):
        windows.extend(_windows(base, ki, kind.racks, kind.arrangement))
    spine_windows = _windows(base, -1, spine, "row") if spine else []
    return attrs.evolve(base, windows=tuple(windows), spine_windows=tuple(spine_windows))


def pod_cells(arrangement: str, rows: tuple[int, ...], start: int, length: int) -> tuple[Cell, ...]:
    """Cells of a pod in rack order. A row pod runs left to right from `start`; a row-pair pod
    puts its first ceil(L/2) racks in the first row and the rest facing them in the second,
    from the same slot, so both halves share one stretch of the aisle."""
    if arrangement == "row":
        return tuple((rows[0], start + i) for i in range(length))
    head = (length + 1) // 2
    return tuple((rows[0], start + i) for i in range(head)) + tuple(
        (rows[1], start + i) for i in range(length - head)
    )


def make_window(p: HallProblem, kind: int, racks: tuple[RackSpec, ...], rows: tuple[int, ...], start: int, arrangement: str) -> Window:
    cells = pod_cells(arrangement, rows, start, len(racks))
    acc: dict[str, dict[int, int]] = {"power": {}, "liquid": {}, "air": {}, "weight": {}}
    for (r, _), rk in zip(cells, racks):
        for name, v in (("power", rk.power_w), ("liquid", rk.liquid_w), ("air", rk.air_w), ("weight", rk.weight_dkg)):
            acc[name][r] = acc[name].get(r, 0) + v
    return Window(
        kind=kind,
        rows=rows,
        start=start,
        cells=cells,
        power=tuple(sorted(acc["power"].items())),
        liquid=tuple(sorted(acc["liquid"].items())),
        air=tuple(sorted(acc["air"].items())),
        weight=tuple(sorted(acc["weight"].items())),
        leaves=tuple(c for c, rk in zip(cells, racks) if rk.role == "network"),
    )


def _windows(p: HallProblem, kind: int, racks: tuple[RackSpec, ...], arrangement: str) -> list[Window]:
    length = len(racks)
    out = []
    row_sets = [(r,) for r in range(1, p.rows + 1)] if arrangement == "row" else list(p.pairs())
    for rows in row_sets:
        for start in range(1, p.slots + 1):
            cells = pod_cells(arrangement, rows, start, length)
            if all(p.free(c) for c in cells):
                out.append(make_window(p, kind, racks, rows, start, arrangement))
    return out


def row_mirror_symmetric(p: HallProblem) -> bool:
    """A layout and its mirror image (row r <-> rows + 1 - r) are both layouts, with the same
    cable (row distances mirror) and the same row loads (rows permuted), so the same spread.

    Holds when the keep-outs mirror onto themselves and every pod maps onto a window of its
    own kind: a row pod trivially; a row-pair pod in pair (a, a+1) lands in (rows-a, rows+1-a)
    with its halves swapped, which is the same pod only if both halves hold the same racks
    and the pairs themselves mirror (an even number of rows). GB200 SUs (4 racks + a leaf
    facing 4 racks + a leaf) qualify."""
    if frozenset((p.rows + 1 - r, s) for r, s in p.keepout) != p.keepout:
        return False
    for k in p.kinds:
        if k.arrangement == "row":
            continue
        head = (k.length + 1) // 2
        if p.rows % 2 or k.length % 2 or k.racks[:head] != k.racks[head:]:
            return False
    return True


def cable_cm(p: HallProblem, leaf: Cell, spine: Cell) -> int:
    """One leaf-to-spine run: Manhattan distance along the aisles plus rise and drop."""
    return abs(leaf[1] - spine[1]) * p.slot_cm + abs(leaf[0] - spine[0]) * p.pitch_cm + p.rise_cm


def total_cable_cm(p: HallProblem, leaves: list[Cell], spines: list[Cell]) -> int:
    return sum(cable_cm(p, a, b) for a in leaves for b in spines)


def geometric_capacity(p: HallProblem, kind: int, rows: tuple[int, ...]) -> int:
    """Most pods of one kind that fit side by side in a row (or pair), keep-outs respected.

    Earliest-end interval scheduling, which is optimal for equal-length windows on a line."""
    wins = sorted(w.start for w in p.windows if w.kind == kind and w.rows == rows)
    length = max((len({c[1] for c in w.cells}) for w in p.windows if w.kind == kind), default=1)
    n, free_from = 0, 0
    for s in wins:
        if s >= free_from:
            n += 1
            free_from = s + length
    return n


def limit_capacity(p: HallProblem, kind: int) -> dict[str, int]:
    """Most pods of one kind a single row's limits allow, per limit family (a large number
    where the family does not bind). For a row-pair pod, the heavier half counts."""
    k = p.kinds[kind]
    w = next((w for w in p.windows if w.kind == kind), None)
    if w is None:
        w = make_window(p, kind, k.racks, (1, 2) if k.arrangement == "row-pair" else (1,), 1, k.arrangement)
    big = 10**9

    def per(limit: int | None, loads) -> int:
        worst = max((v for _, v in loads), default=0)
        if limit is None or worst == 0:
            return big
        return limit // worst

    out = {
        "busway": per(p.busway_w, w.power),
        "air": per(p.air_w, w.air),
        "liquid": per(p.liquid_loop_w, w.liquid) if p.liquid_scope == "row" else big,
        "floor": per(p.floor_dkg, w.weight),
    }
    return out


def row_capacity(p: HallProblem, kind: int) -> dict[tuple[int, ...], int]:
    """Pods of one kind each row (pair) can take: geometry and every row limit together."""
    k = p.kinds[kind]
    sets = [(r,) for r in range(1, p.rows + 1)] if k.arrangement == "row" else list(p.pairs())
    lim = min(limit_capacity(p, kind).values())
    return {rows: min(geometric_capacity(p, kind, rows), lim) for rows in sets}
