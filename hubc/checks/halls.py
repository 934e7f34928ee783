"""Hall capacity arithmetic (HUB2xx): pods vs rows, racks vs slots, IT load vs busways,
heat vs liquid and air cooling, floor loading, keep-outs, coolant temperatures.

These are necessary conditions checked on totals; the rack placement stage proves the
row-by-row version. Each message states both sides of the inequality in the spec's terms.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubc.checks import Ctx
from hubc.checks.common import at_value
from hubc.core.loads import cdu_capacity_kw, cdu_unit_kw, hall_heat, pod_length
from hubc.diagnostics import Diagnostic
from hubc.spec.model import Hall, Pod, RackType


def _mw(kw: float) -> str:
    return f"{kw / 1000:,.2f} MW" if kw >= 1000 else f"{kw:,.0f} kW"


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    pods = s.pods()
    rts = s.rack_types()
    for i, hall in enumerate(s.hall):
        h = ("hall", i)
        yield from _keepouts(ctx, h, hall)
        yield from _pods_fit(ctx, h, hall, pods)
        heat = hall_heat(hall, s)
        yield from _slots(ctx, h, hall, heat)
        yield from _busways(ctx, h, hall, heat)
        yield from _cooling(ctx, h, hall, heat)
        used = _rack_types_used(hall, pods, rts)
        yield from _rack_sizes(ctx, h, hall, used)
        if hall.floor_loading_kg_per_m2 is not None:
            yield from _floor_loading(ctx, h, hall, used)
        yield from _coolant_temperatures(ctx, h, hall)


def _keepouts(ctx: Ctx, h: tuple, hall: Hall) -> Iterator[Diagnostic]:
    """HUB207: keep-outs inside the grid, once each."""
    seen: set[tuple[int, int]] = set()
    for k, ko in enumerate(hall.keepout):
        path = h + ("keepout", k)
        if ko.row > hall.rows or ko.slot > hall.slots_per_row:
            msg = f"keep-out row {ko.row} slot {ko.slot} is outside {hall.id}'s {hall.rows} rows x {hall.slots_per_row} slots"
            yield at_value(ctx, "HUB207", msg, path, help="rows and slots are numbered from 1")
        elif (ko.row, ko.slot) in seen:
            yield at_value(ctx, "HUB207", f"keep-out row {ko.row} slot {ko.slot} is listed twice", path)
        seen.add((ko.row, ko.slot))


def _pods_fit(ctx: Ctx, h: tuple, hall: Hall, pods: dict[str, Pod]) -> Iterator[Diagnostic]:
    """HUB201: every pod fits a row (or a facing row pair)."""
    s = ctx.spec
    for j, pc in enumerate(hall.pods):
        pod = pods.get(pc.pod)
        if pod is None:
            continue
        length = pod_length(pod)
        pair = pod.arrangement == "row-pair"
        room = hall.slots_per_row * (2 if pair else 1)
        if pair and hall.rows < 2:
            msg = f'pod "{pod.id}" needs a facing row pair but {hall.id} has one row'
            yield at_value(ctx, "HUB201", msg, h + ("rows",), related=[(("pod", s.pod.index(pod), "arrangement"), "arrangement set here")])
        elif length > room:
            where = "a facing row pair" if pair else "a row"
            msg = f'pod "{pod.id}" is {length} racks long but {where} of {hall.id} has {room} slots'
            hint = "lengthen the rows, split the pod, or use arrangement = \"row-pair\""
            yield at_value(ctx, "HUB201", msg, h + ("slots_per_row",), help=hint, related=[(h + ("pods", j, "pod"), "pod placed here")])


def _slots(ctx: Ctx, h: tuple, hall: Hall, heat) -> Iterator[Diagnostic]:
    """HUB202: the racks fit the slots left by the keep-outs inside the grid."""
    inside = {(ko.row, ko.slot) for ko in hall.keepout if ko.row <= hall.rows and ko.slot <= hall.slots_per_row}
    slots = hall.rows * hall.slots_per_row - len(inside)
    if heat.racks > slots:
        msg = (
            f"{hall.id} holds {heat.racks} racks but has {slots} usable slots "
            f"({hall.rows} rows x {hall.slots_per_row} slots - {hall.rows * hall.slots_per_row - slots} keep-outs)"
        )
        hint = "add rows or slots, or place fewer pods in this hall"
        yield at_value(ctx, "HUB202", msg, h + ("pods",), help=hint, related=[(h + ("slots_per_row",), "slots per row")])


def _busways(ctx: Ctx, h: tuple, hall: Hall, heat) -> Iterator[Diagnostic]:
    """HUB203: the IT load fits the row busways."""
    busway = hall.rows * hall.row_busway_kw
    if heat.it_kw > busway + 1e-6:
        msg = f"{hall.id} needs {_mw(heat.it_kw)} of IT power but its {hall.rows} rows x {_mw(hall.row_busway_kw)} busways allow {_mw(busway)}"
        hint = f"raise row_busway_kw to at least {heat.it_kw / hall.rows:,.0f} kW, or move pods out"
        yield at_value(ctx, "HUB203", msg, h + ("row_busway_kw",), help=hint, related=[(h + ("pods",), "pods placed here")])


def _cooling(ctx: Ctx, h: tuple, hall: Hall, heat) -> Iterator[Diagnostic]:
    """HUB204 / HUB205: the liquid heat fits the CDUs, the air heat the rows' air cooling."""
    liquid_cap = cdu_capacity_kw(hall)
    c = hall.cooling
    if heat.liquid_kw > liquid_cap + 1e-6:
        loops = f"{hall.rows} row loops" if c.cdu_scope == "row" else "one hall loop"
        msg = (
            f"{hall.id} rejects {_mw(heat.liquid_kw)} to liquid but {loops} of {c.cdus} x "
            f"{_mw(cdu_unit_kw(c))} CDUs ({c.cdu_redundancy}) carry {_mw(liquid_cap)}"
        )
        hint = "add CDUs, use larger CDUs (cdu_kw), or lower the liquid-cooled load"
        yield at_value(ctx, "HUB204", msg, h + ("cooling", "cdus"), help=hint, related=[(h + ("cooling", "cdu_kw"), "CDU rating")])
    air_cap = hall.rows * c.air_kw_per_row
    if heat.air_kw > air_cap + 1e-6:
        msg = f"{hall.id} rejects {_mw(heat.air_kw)} to air but {hall.rows} rows x {_mw(c.air_kw_per_row)} of air cooling allow {_mw(air_cap)}"
        hint = "raise air_kw_per_row (more CRAH/fan-wall capacity) or move air-cooled racks out"
        yield at_value(ctx, "HUB205", msg, h + ("cooling", "air_kw_per_row"), help=hint)


def _rack_types_used(hall: Hall, pods: dict[str, Pod], rts: dict[str, RackType]) -> list[RackType]:
    """The rack types the hall's pods and spine place, by id (unknown ids are HUB102's)."""
    used = {rc.rack_type for pc in hall.pods if pc.pod in pods for rc in pods[pc.pod].racks}
    used |= {rc.rack_type for rc in hall.spine}
    return [rts[rid] for rid in sorted(used) if rid in rts]


def _rack_sizes(ctx: Ctx, h: tuple, hall: Hall, used: list[RackType]) -> Iterator[Diagnostic]:
    """HUB209: a slot holds one rack: as wide as the widest rack, rows pitched for rack depth plus an aisle."""
    s = ctx.spec
    for rt in used:
        if rt.width_mm > hall.slot_width_mm + 1e-9 or rt.depth_mm >= hall.row_pitch_mm:
            too = (
                f"{rt.width_mm:g} mm wide for {hall.id}'s {hall.slot_width_mm:g} mm slots"
                if rt.width_mm > hall.slot_width_mm + 1e-9
                else f"{rt.depth_mm:g} mm deep for {hall.id}'s {hall.row_pitch_mm:g} mm row pitch (no aisle left)"
            )
            key = "slot_width_mm" if rt.width_mm > hall.slot_width_mm + 1e-9 else "row_pitch_mm"
            hint = "a slot holds one rack: make slots at least as wide as the widest rack, and rows pitched for rack depth plus an aisle"
            size = ("rack_type", s.rack_type.index(rt), "width_mm" if key == "slot_width_mm" else "depth_mm")
            yield at_value(ctx, "HUB209", f'rack type "{rt.id}" is {too}', h + (key,), help=hint, related=[(size, "rack size")])


def _floor_loading(ctx: Ctx, h: tuple, hall: Hall, used: list[RackType]) -> Iterator[Diagnostic]:
    """HUB206: each rack type's weight over its footprint within the floor's rating."""
    s = ctx.spec
    for rt in used:
        load = rt.weight_kg / (rt.width_mm * rt.depth_mm / 1e6)
        if load > hall.floor_loading_kg_per_m2 + 1e-6:
            msg = (
                f'rack type "{rt.id}" loads its {rt.width_mm:g} x {rt.depth_mm:g} mm footprint at '
                f"{load:,.0f} kg/m² but {hall.id}'s floor is rated {hall.floor_loading_kg_per_m2:,.0f} kg/m²"
            )
            hint = "use a stronger floor (slab on grade), spreader plates, or a lighter rack"
            weight = ("rack_type", s.rack_type.index(rt), "weight_kg")
            yield at_value(ctx, "HUB206", msg, h + ("floor_loading_kg_per_m2",), help=hint, related=[(weight, "rack weight")])


def _coolant_temperatures(ctx: Ctx, h: tuple, hall: Hall) -> Iterator[Diagnostic]:
    """HUB208: the coolant returns warmer than it is supplied."""
    c = hall.cooling
    if c.return_temp_c <= c.supply_temp_c:
        msg = f"{hall.id}'s coolant returns at {c.return_temp_c:g} °C, not above its {c.supply_temp_c:g} °C supply"
        hint = "the TCS loop heats up across the racks: return must be warmer than supply (ΔT 8-20 K)"
        yield at_value(ctx, "HUB208", msg, h + ("cooling", "return_temp_c"), help=hint)
