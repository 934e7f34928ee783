"""Solver-free re-check of a rack layout against every placement rule (HUB710-HUB720).

In: a `RackLayout` (as extracted, or hand-made in tests), the `Spec` and optionally its source
for locations. Out: every violation as a diagnostic, none when the layout is valid. This code
shares nothing with the CP-SAT model: it recomputes loads from the spec's rack types and the
limits from the hall's keys, so a modelling bug cannot hide behind the model that made it.
"""

from __future__ import annotations

from collections import Counter

from hubc.codes import diag
from hubc.core.loads import cdu_capacity_kw, cdu_loop_capacity_kw
from hubc.diagnostics import Diagnostic, Location
from hubc.spec.source import SourceFile

TOL = 1e-6  # kW / kg tolerance for float sums


def verify_racks(layout, spec, source: SourceFile | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    rts = spec.rack_types()
    pods = spec.pods()
    for hl in layout.halls:
        hall = spec.hall[hl.hall_index]
        err = _reporter(out, source, ("hall", hl.hall_index))
        _check_slots(hl, hall, rts, err)
        _check_pods(hl, hall, pods, err)
        _check_spine(hl, hall, err)
        _check_row_limits(hl, hall, rts, err)
    return out


def _reporter(out: list[Diagnostic], source: SourceFile | None, h: tuple):
    """`err(code, message, *key)`: a diagnostic at the hall's key, appended to `out`."""

    def at(*path) -> Location:
        return Location(file="<spec>") if source is None else source.at_value(tuple(path))

    def err(code: str, msg: str, *key: str | int, help: str | None = None) -> None:
        out.append(diag(code, msg, at(*h, *key), h + tuple(key), help=help))

    return err


def _check_slots(hl, hall, rts, err) -> None:
    """Every rack inside the hall, off the keep-outs, alone in its slot, with its type's loads."""
    keep = {(k.row, k.slot) for k in hall.keepout}
    seen: dict[tuple[int, int], str] = {}
    for rk in hl.racks:
        where = f"{hall.id} row {rk.row} slot {rk.slot}"
        if not (1 <= rk.row <= hall.rows and 1 <= rk.slot <= hall.slots_per_row):
            err("HUB710", f'rack "{rk.rack_type}" of {rk.pod} at {where} is outside {hall.rows} rows x '
                f"{hall.slots_per_row} slots", "slots_per_row")
        if (rk.row, rk.slot) in keep:
            err("HUB711", f'rack "{rk.rack_type}" of {rk.pod} stands on the keep-out at {where}', "keepout")
        if (rk.row, rk.slot) in seen:
            err("HUB712", f"{where} holds two racks ({seen[(rk.row, rk.slot)]} and {rk.pod})", "slots_per_row")
        seen[(rk.row, rk.slot)] = rk.pod
        _check_rack_loads(rk, rts.get(rk.rack_type), where, err)


def _check_rack_loads(rk, rt, where: str, err) -> None:
    if rt is None:
        err("HUB720", f'rack at {where} has unknown rack type "{rk.rack_type}"', "pods")
        return
    want = (rt.power_kw, rt.power_kw * rt.liquid_fraction, rt.power_kw * (1 - rt.liquid_fraction))
    got = (rk.power_kw, rk.liquid_kw, rk.air_kw)
    if any(abs(a - b) > TOL for a, b in zip(want, got)):
        err("HUB720", f'rack "{rk.rack_type}" at {where} reports {got[0]:g}/{got[1]:g}/{got[2]:g} kW '
            f"(power/liquid/air) but its type gives {want[0]:g}/{want[1]:g}/{want[2]:g} kW", "pods")


def _check_pods(hl, hall, pods, err) -> None:
    """Pods: each instance contiguous in one row (or one facing pair), the pod's racks, and as
    many instances of each pod as the hall declares."""
    groups: dict[str, list] = {}
    for rk in hl.racks:
        if rk.pod != "spine":
            groups.setdefault(rk.pod, []).append(rk)
    per_kind: Counter[str] = Counter()
    for inst in sorted(groups):
        kind = _check_pod_instance(inst, groups[inst], pods, err)
        if kind is not None:
            per_kind[kind] += 1
    declared: Counter[str] = Counter()
    for pc in hall.pods:
        declared[pc.pod] += pc.count
    for kind in sorted(set(declared) | set(per_kind)):
        if declared[kind] != per_kind[kind]:
            err("HUB714", f'{hall.id} places {per_kind[kind]} "{kind}" pods but declares {declared[kind]}', "pods")


def _check_pod_instance(inst: str, members: list, pods, err) -> str | None:
    """One pod instance: its racks and their contiguity. Its pod id, None if it names none."""
    kind = members[0].pod_kind
    pod = pods.get(kind)
    if pod is None or any(m.pod_kind != kind for m in members):
        err("HUB714", f'pod instance "{inst}" does not name one pod of the spec', "pods")
        return None
    want: Counter[str] = Counter()
    for rc in pod.racks:  # a rack type may appear more than once in the pod's row order
        want[rc.rack_type] += rc.count
    have = Counter(m.rack_type for m in members)
    if want != have:
        err("HUB714", f'pod instance "{inst}" has racks {dict(sorted(have.items()))} but pod "{kind}" is '
            f"{dict(sorted(want.items()))}", "pods")
    rows = sorted({m.row for m in members})
    ok = len(rows) == 1 if pod.arrangement == "row" else (
        len(rows) == 1 or (len(rows) == 2 and rows[1] == rows[0] + 1 and rows[0] % 2 == 1)
    )
    for r in rows:
        slots = sorted(m.slot for m in members if m.row == r)
        if slots != list(range(slots[0], slots[0] + len(slots))):
            ok = False
    if not ok:
        what = "one row" if pod.arrangement == "row" else "one facing row pair"
        err("HUB713", f'pod "{inst}" is not contiguous in {what} (rows {rows})', "pods",
            help="a pod's racks stand side by side so its leaf-to-node cabling stays short")
    return kind


def _check_spine(hl, hall, err) -> None:
    spine_have = Counter(rk.rack_type for rk in hl.racks if rk.pod == "spine")
    spine_want: Counter[str] = Counter()
    for rc in hall.spine:
        spine_want[rc.rack_type] += rc.count
    if spine_have != spine_want:
        err("HUB719", f"{hall.id} has spine racks {dict(sorted(spine_have.items()))} but declares "
            f"{dict(sorted(spine_want.items()))}", "spine")


def _check_row_limits(hl, hall, rts, err) -> None:
    """Row limits, from the rack types (not the layout's own figures)."""
    c = hall.cooling
    loop = cdu_loop_capacity_kw(hall)
    strip = hall.slots_per_row * hall.slot_width_mm * hall.row_pitch_mm / 1e6
    liquid_total = 0.0
    for r in range(1, hall.rows + 1):
        mine = [rts[x.rack_type] for x in hl.racks if x.row == r and x.rack_type in rts]
        power = sum(t.power_kw for t in mine)
        liquid = sum(t.power_kw * t.liquid_fraction for t in mine)
        air = sum(t.power_kw * (1 - t.liquid_fraction) for t in mine)
        weight = sum(t.weight_kg for t in mine)
        liquid_total += liquid
        if power > hall.row_busway_kw + TOL:
            err("HUB715", f"{hall.id} row {r} draws {power:,.1f} kW but its busway is rated "
                f"{hall.row_busway_kw:,.1f} kW", "row_busway_kw")
        if c.cdu_scope == "row" and liquid > loop + TOL:
            err("HUB716", f"{hall.id} row {r} rejects {liquid:,.1f} kW to liquid but its CDU loop carries "
                f"{loop:,.1f} kW after redundancy", "cooling", "cdus")
        if air > c.air_kw_per_row + TOL:
            err("HUB717", f"{hall.id} row {r} rejects {air:,.1f} kW to air but the row has "
                f"{c.air_kw_per_row:,.1f} kW of air cooling", "cooling", "air_kw_per_row")
        if hall.floor_loading_kg_per_m2 is not None and weight / strip > hall.floor_loading_kg_per_m2 + TOL:
            err("HUB718", f"{hall.id} row {r} puts {weight / strip:,.0f} kg/m² on its row strip but the floor is "
                f"rated {hall.floor_loading_kg_per_m2:,.0f} kg/m²", "floor_loading_kg_per_m2")
    if c.cdu_scope == "hall" and liquid_total > cdu_capacity_kw(hall) + TOL:
        err("HUB716", f"{hall.id} rejects {liquid_total:,.1f} kW to liquid but its hall CDU loop carries "
            f"{cdu_capacity_kw(hall):,.1f} kW after redundancy", "cooling", "cdus")
