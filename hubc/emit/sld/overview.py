"""The overview sheet: utility, HV GIS, main transformers, MV switchgear with every bay.

Like PowSyBl's single-line diagrams, positions come first and drawing after: each voltage level is
laid out on its own (sections side by side, bays packed under and over their busbar), the lowest
level first; a level above places its transformer bays as close as it can over the transformers
the level below fixed, and the leads between them are routed (a jog where they cannot be
straight). The sheet is A1 when the result fits - if need be with the feeders to hall copies
modelled as equivalents, then every kind of feeder, drawn once per hall and section ("typical x N")
- else A0 likewise; what room is left is spread over the bays.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from hubc.electrical.network import Network
from hubc.emit.sld import symbols as sym
from hubc.emit.sld.bays import ABOVE, BELOW, CABLE, FAN, LEFT, Ctx, line_lines, section_lines, state
from hubc.emit.sld.inputs import HallSheet
from hubc.emit.sld.sheet import Sheet, document, frame, legend, notes_box, revision_table, sheet_title, title_block
from hubc.emit.sld.svg import T_HEAD, T_LABEL, T_SMALL, group, line, tagged, text
from hubc.emit.sld.text import width as text_width
from hubc.emit.sld.typical import draw_hall, hall_notes, natural_width, typical_feeders
from hubc.emit.sld.view import (
    GROUPING,
    ConverterBay,
    IncomerBay,
    Level,
    LineBay,
    Overview,
    PlantBay,
    Section,
    TransferBay,
    TransformerBay,
    build_overview,
    local,
    part,
)

TIE_GAP = 18.0  # between sections joined by an inline tie or coupler
PLAIN_GAP = 5.0  # between sections that are separate buses
LEFT_COLUMN = 44.0  # level titles
LANE_PITCH = 3.5
LANE_BASE = 30.0  # the lowest lane above its busbar (room for the bays' labels below it)
JOG_PITCH = 2.5
LINE_LEN = 64.0  # utility circuits, from the utility bus to the line bay
BAY_BOTTOM = 4 + 10 + CABLE + FAN + 4  # the deepest bay below a busbar


@attrs.define
class SectionPlace:
    section: Section
    x0: float = 0.0
    x1: float = 0.0
    label_w: float = 0.0
    above: list = attrs.field(factory=list)  # (bay, x)
    below: list = attrs.field(factory=list)  # (bay, x)
    landings: list = attrs.field(factory=list)  # (lane bus id, x)


@attrs.define
class LevelPlace:
    level: Level
    sections: list[SectionPlace]
    yb: float = 0.0

    def shift(self, dx: float) -> None:
        for sp in self.sections:
            sp.x0, sp.x1 = sp.x0 + dx, sp.x1 + dx
            sp.above = [(b, x + dx) for b, x in sp.above]
            sp.below = [(b, x + dx) for b, x in sp.below]
            sp.landings = [(k, x + dx) for k, x in sp.landings]

    @property
    def x_min(self) -> float:
        return min((sp.x0 for sp in self.sections), default=0.0)

    @property
    def x_max(self) -> float:
        return max((sp.x1 for sp in self.sections), default=0.0)


@attrs.define
class Placement:
    levels: list[LevelPlace]
    units: dict[str, float]  # unit id -> x
    unit_y: dict[str, float]  # unit id -> y (centre)
    jogs: dict[str, float]  # unit id -> y of its HV lead's jog
    lanes: dict[str, float]  # lane bus -> y
    y_utility: float
    width: float
    height: float


# ----------------------------------------------------------------------------- layout


def _prefix(level: Level) -> str:
    """The substation id shared by the level's sections ('' if none)."""
    areas = {sp.bus.area for sp in level.sections}
    return areas.pop() if len(areas) == 1 else ""


@attrs.frozen
class _Packer:
    """Packs the sections of one level from left to right. `ideal`: unit id -> x of the
    transformers below (their HV bays go over them when they can); `spread` >= 1 widens every bay
    to use a sheet that is wider than the drawing needs."""

    ctx: Ctx
    ideal: dict[str, float]
    spread: float = 1.0

    def below_width(self, b) -> float:
        return BELOW[type(b)][0](b, self.ctx) * self.spread

    def section(self, sp: SectionPlace, x0: float, prefix: str, lanes_here: list[str]) -> float:
        """Place one section's bays from x0; returns its right end."""
        sec = sp.section
        sp.x0 = x0
        sp.label_w = max(text_width(s, T_SMALL) for s in section_lines(sec.bus, self.ctx, prefix)) + 4
        x = x0 + 2
        for b in sec.below:
            want = self.ideal.get(_bay_key(b))
            cx = max(x + LEFT, want if want is not None else -1e9)
            sp.below.append((b, cx))
            x = cx - LEFT + self.below_width(b)
        xa = x0 + sp.label_w
        for lane in lanes_here:  # first: a lane from the left then ends before the incomer
            sp.landings.append((lane, xa + LEFT))
            xa += (LEFT + 4) * self.spread
        for b in sec.above:
            sp.above.append((b, xa + LEFT))
            xa += ABOVE[type(b)][0](b, self.ctx, sec.bus.id) * self.spread
        sp.x1 = max(x + 2, xa + 2, x0 + sp.label_w + 6)
        return sp.x1

    def level(self, level: Level) -> LevelPlace:
        prefix = _prefix(level)
        lanes = {bus for bus, _ in level.lanes}
        lp = LevelPlace(level=level, sections=[SectionPlace(section=s) for s in level.sections])
        # bays without an ideal position before the first bay with one: packed to its left
        first = next((self.ideal[_bay_key(b)] for s in level.sections for b in s.below if _bay_key(b) in self.ideal), None)
        x = 0.0
        if first is not None:
            lead = sum(self.below_width(b) for b in level.sections[0].below if _bay_key(b) not in self.ideal)
            x = first - LEFT - lead - 4
        for i, sp in enumerate(lp.sections):
            end = self.section(sp, x, prefix, [sp.section.bus.id] if sp.section.bus.id in lanes else [])
            gap = TIE_GAP if i < len(level.inline) and level.inline[i] is not None else PLAIN_GAP
            x = end + gap * self.spread
        return lp


def _bay_key(b) -> str:
    return b.unit if isinstance(b, TransformerBay) else ""


def _unit_positions(lp: LevelPlace) -> dict[str, float]:
    xs: dict[str, list[float]] = {}
    for sp in lp.sections:
        for b, x in sp.above:
            if isinstance(b, IncomerBay):
                xs.setdefault(b.winding.unit, []).append(x)
    return {u: sum(v) / len(v) for u, v in xs.items()}


def layout(ov: Overview, ctx: Ctx, x_left: float, y_top: float, spread: float = 1.0) -> Placement:
    """Positions of everything on the overview, lowest level first."""
    places: list[LevelPlace] = []
    units: dict[str, float] = {}
    for level in reversed(ov.levels):
        lp = _Packer(ctx=ctx, ideal=units, spread=spread).level(level)
        units = {**units, **_unit_positions(lp)}
        places.insert(0, lp)
    dx = x_left + LEFT_COLUMN - min((lp.x_min for lp in places), default=0.0)
    for lp in places:
        lp.shift(dx)
    units = {u: x + dx for u, x in units.items()}
    pl = _vertical(places, units, y_top)
    pl.width = max(pl.width, _label_extent(ov, pl, ctx))
    return pl


def _label_extent(ov: Overview, pl: Placement, ctx: Ctx) -> float:
    """The right end of the labels written beside the utility and the transformers."""
    right = 0.0
    cx = _utility_x(pl)
    if cx is not None and ov.utility is not None:
        right = cx + 9 + max(text_width(s, size, bold) for s, size, bold in _utility_lines(ov, ctx))
    for unit, windings in ov.units:
        if unit in pl.units:
            right = max(right, pl.units[unit] + 6.5 + max(text_width(s, T_SMALL, True) for s in _unit_lines(windings)))
    return right


def _utility_x(pl: Placement) -> float | None:
    xs = [x for lp in pl.levels for sp in lp.sections for b, x in sp.above if isinstance(b, LineBay)]
    return (min(xs) + max(xs)) / 2 if xs else None


def _vertical(places: list[LevelPlace], units: dict[str, float], y_top: float) -> Placement:
    y_util = y_top + 8
    y = y_util + 9 + LINE_LEN + 14
    unit_y, jogs, lanes = {}, {}, {}
    for i, lp in enumerate(places):
        if i == 0 and lp.level.lanes:  # the top level's lanes (a ring's or diameter's closing breaker) just under the utility bus, above the lines' labels
            for k, (bus, _sw) in enumerate(lp.level.lanes):
                lanes[bus] = y_util + 9 + 4 + LANE_PITCH * k
            y += 8 + LANE_PITCH * len(lp.level.lanes)
        if i > 0:
            above = places[i - 1]
            tx_bays = [(b, x) for sp in above.sections for b, x in sp.below if isinstance(b, TransformerBay)]
            jogging = [b.unit for b, x in tx_bays if abs(x - units.get(b.unit, x)) > 0.01]
            y = above.yb + 22
            for k, u in enumerate(jogging):
                jogs[u] = y + JOG_PITCH * k
            y += JOG_PITCH * len(jogging) + 12
            for b, _x in tx_bays:
                unit_y[b.unit] = y
            own = [bus for bus, _ in lp.level.lanes]
            y += 11 + 6 + LANE_PITCH * len(own) + (LANE_BASE if own else 17)
            for k, bus in enumerate(own):
                lanes[bus] = y - LANE_BASE - LANE_PITCH * k
        lp.yb = y
    bottom = places[-1].yb + BAY_BOTTOM if places else y
    width = max((lp.x_max for lp in places), default=0.0)
    return Placement(levels=places, units=units, unit_y=unit_y, jogs=jogs, lanes=lanes, y_utility=y_util, width=width, height=bottom)


# ------------------------------------------------------------------------------- draw


def _draw_level(lp: LevelPlace, pl: Placement, ctx: Ctx) -> list[str]:
    out: list[str] = []
    prefix = _prefix(lp.level)
    yb = lp.yb
    for i, sp in enumerate(lp.sections):
        body = line(sp.x0, yb, sp.x1, yb, "sld-bus")
        for lane_bus, _x in sp.landings:
            body += _lane(lp, pl, lane_bus)
        out.append(group(sp.section.bus.id, body, "bus", role=sp.section.bus.role))
        lines = section_lines(sp.section.bus, ctx, prefix)
        out += [text(sp.x0 + 1.5, yb - 2 - 3.2 * (len(lines) - 1 - k), s, T_SMALL, bold=k == 0) for k, s in enumerate(lines)]
        tie = lp.level.inline[i] if i < len(lp.level.inline) else None
        if tie is not None:
            out.append(_tie(tie, sp.x1, lp.sections[i + 1].x0, yb, prefix))
    out += _jumps(lp, pl)
    for sp in lp.sections:
        for lane_bus, x in sp.landings:  # after the jumps: a riser crosses the lanes it does not join
            out.append(tagged("bus", line(x, yb, x, pl.lanes[lane_bus]) + sym.node(x, pl.lanes[lane_bus]), ref=lane_bus))
        for b, x in sp.above:
            out.append(ABOVE[type(b)][1](b, x, yb, ctx, sp.section.bus.id))
            out.append(_riser(b, x, yb, pl))
        for b, x in sp.below:
            out.append(BELOW[type(b)][1](b, x, yb, ctx))
    return out


def _lane_span(lp: LevelPlace, lane_bus: str) -> tuple[float, float]:
    xs = [x for sp in lp.sections for b, x in sp.above if isinstance(b, TransferBay) and b.other == lane_bus]
    xs += [x for sp in lp.sections for lb, x in sp.landings if lb == lane_bus]
    return min(xs), max(xs)


def _lane(lp: LevelPlace, pl: Placement, lane_bus: str) -> str:
    """A reserve bus's lane: the busbar every transfer rises to (its riser from its own busbar is
    drawn after the crossings)."""
    a, b = _lane_span(lp, lane_bus)
    return line(a, pl.lanes[lane_bus], b, pl.lanes[lane_bus], "sld-bus")


def _jumps(lp: LevelPlace, pl: Placement) -> list[str]:
    """Where a riser crosses a lane it does not connect to: a gap in the lane (a crossing)."""
    out = []
    lane_x = {bus: _lane_span(lp, bus) for bus, _ in lp.level.lanes}
    for sp in lp.sections:
        # what rises past the lanes: incomers and utility circuits (to the level above), transfers
        # and landings (to their own lane); converter-connected sources end below the lanes
        risers = [(x, b.other if isinstance(b, TransferBay) else None) for b, x in sp.above if not isinstance(b, (ConverterBay, PlantBay))]
        risers += [(x, lb) for lb, x in sp.landings]
        for x, target in risers:
            for bus, (a, b) in lane_x.items():
                top = pl.lanes.get(target, -1e9) if target else -1e9
                if bus != target and a < x < b and pl.lanes[bus] > top:
                    out.append(line(x - 1.3, pl.lanes[bus], x + 1.3, pl.lanes[bus], "sld-jump"))
    return out


def _riser(b, x: float, yb: float, pl: Placement) -> str:
    """The conductor above an above-bus bay's switch: to its lane (transfers); incomers and lines
    are joined by their transformer and utility drawings."""
    if isinstance(b, TransferBay):
        return line(x, yb - 14, x, pl.lanes[b.other]) + sym.node(x, pl.lanes[b.other])
    return ""


def _tie(sw, x_a: float, x_b: float, yb: float, prefix: str) -> str:
    cx = (x_a + x_b) / 2
    body = line(x_a, yb, cx - 5, yb) + line(cx + 5, yb, x_b, yb) + sym.switch_h(cx, yb, sw.kind, sw.closed)
    lab = "".join(text(cx + 1.5 + 3.2 * k, yb + 4, s, T_SMALL, "end", vertical=True) for k, s in enumerate([local(sw.id, prefix), f"{sw.role} {state(sw.closed)}"]))
    return group(sw.id, body, "switch", normal="closed" if sw.closed else "open", role=sw.role) + lab


def _draw_units(ov: Overview, pl: Placement, ctx: Ctx) -> list[str]:
    out = []
    incomer_x = {b.winding.id: x for lp in pl.levels for sp in lp.sections for b, x in sp.above if isinstance(b, IncomerBay)}
    below_y = {b.winding.id: lp.yb for lp in pl.levels for sp in lp.sections for b, _x in sp.above if isinstance(b, IncomerBay)}
    for unit, windings in ov.units:
        if unit not in pl.units or unit not in pl.unit_y:
            continue
        x, y = pl.units[unit], pl.unit_y[unit]
        if len(windings) == 1:
            w = windings[0]
            lead = line(x, y + 7, x, below_y.get(w.id, y + 20) - 14)
            out.append(group(w.id, sym.transformer(x, y) + lead, "transformer"))
        else:
            body, _hv, lv_l, lv_r = sym.transformer3(x, y)
            parts = ""
            for w, (tx, ty) in zip(windings, (lv_l, lv_r) + ((x, y + 7.5),) * max(0, len(windings) - 2)):
                xi = incomer_x.get(w.id, tx)
                parts += group(w.id, line(tx, ty, tx, y + 11) + line(tx, y + 11, xi, y + 11) + line(xi, y + 11, xi, below_y.get(w.id, y + 20) - 14), "transformer")
            out.append(group(unit, body + parts, "transformer-unit"))
        out += _unit_label(windings, x, y)
    return out


def _unit_label(windings, x: float, y: float) -> list[str]:
    return [text(x + 6.5, y - 6 + 3.2 * k, s, T_SMALL, bold=k == 0) for k, s in enumerate(_unit_lines(windings)) if s]


def _unit_lines(windings) -> list[str]:
    w = windings[0]
    mva = sum(t.sn_mva for t in windings)
    split = f" ({len(windings)} x {w.sn_mva:g} MVA windings)" if len(windings) > 1 else ""
    tap = f"OLTC {w.tap_min - w.tap_neutral:+d}/{w.tap_max - w.tap_neutral:+d} x {w.tap_step_percent:g} %" if w.on_load_tap_changer else ""
    return [w.unit.rsplit(".", 1)[-1] + (" (reserve)" if w.reserve else ""), f"{mva:g} MVA{split}", f"{w.vn_hv_kv:g}/{w.vn_lv_kv:g} kV {w.vector_group}", f"vk {w.vk_percent:.1f} %", tap]


def _draw_hv_leads(pl: Placement) -> list[str]:
    """Transformer HV bays: terminal and the lead down to the transformer (a jog when offset)."""
    out = []
    for lp in pl.levels:
        for sp in lp.sections:
            for b, x in sp.below:
                if not isinstance(b, TransformerBay) or b.unit not in pl.unit_y or b.unit not in pl.units:
                    continue
                xu, yu = pl.units[b.unit], pl.unit_y[b.unit]
                top = yu - (sym.TX3_HALF if len(b.windings) > 1 else sym.TX_HALF)
                yj = pl.jogs.get(b.unit)
                pts = line(x, lp.yb + 14, x, lp.yb + 18) + sym.node(x, lp.yb + 18)
                if yj is None:
                    pts += line(x, lp.yb + 18, x, top)
                else:
                    pts += line(x, lp.yb + 18, x, yj) + line(x, yj, xu, yj) + line(xu, yj, xu, top)
                out.append(group(b.terminal.id, pts, "bus", role=b.terminal.role))
    return out


def _draw_utility(ov: Overview, pl: Placement, ctx: Ctx) -> list[str]:
    bays = [(b, x, lp.yb) for lp in pl.levels for sp in lp.sections for b, x in sp.above if isinstance(b, LineBay)]
    if ov.utility is None or not bays:
        return []
    xs = [x for _b, x, _y in bays]
    cx, yu = _utility_x(pl), pl.y_utility
    y_bus = yu + 9
    out = [group(ov.utility.id, line(min(xs) - 3, y_bus, max(xs) + 3, y_bus, "sld-bus") + line(cx, yu + 3.5, cx, y_bus), "bus", role="utility")]
    out += [group(g.id, sym.utility(cx, yu), "source", kind="utility") for g in ov.ext_grids[:1]]
    for b, x, yb in bays:
        body = line(x, y_bus, x, yb - 14, "sld-cable" if b.line is not None and b.line.kind != "overhead" else "sld-w")
        out.append(group(b.line.id, body, "line") if b.line is not None else body)
        out += [text(x + 3.1 + 3.2 * k, yb - 16, s, T_SMALL, vertical=True) for k, s in enumerate(line_lines(b, ctx))]
    out += [text(cx + 9, yu - 2 + 3.4 * k, s, size, bold=bold) for k, (s, size, bold) in enumerate(_utility_lines(ov, ctx))]
    return out


def _utility_lines(ov: Overview, ctx: Ctx) -> list[tuple[str, float, bool]]:
    u = ov.utility
    lines = [(f"{ctx.inp.title.utility_name} {u.vn_kv:g} kV ({u.id})", T_LABEL, True)]
    for g in ov.ext_grids:
        lines.append((f"Ik'' max {g.fault_level_max_ka:g} kA, min {g.fault_level_min_ka:g} kA, X/R {g.x_r:g} ({g.id})", T_SMALL, False))
    return lines


def _level_titles(pl: Placement, x: float, ctx: Ctx) -> list[str]:
    out = []
    for lp in pl.levels:
        prefix = _prefix(lp.level)
        roles = {s.bus.role for s in lp.level.sections}
        kind = "HV GIS" if "hv-section" in roles else "MV switchgear"
        scheme = ctx.inp.schemes.get(lp.level.kv, "") if "hv-section" in roles else ""
        lines = [f"{lp.level.kv:g} kV", f"{kind}", *scheme.split(", ", 1), prefix]
        out += [text(x + 3, lp.yb - 9 + 4 * k, s, T_HEAD if k == 0 else T_SMALL, bold=k == 0) for k, s in enumerate(x for x in lines if x)]
    return out


# ------------------------------------------------------------------------------ sheet


def _plan(ctx: Ctx, x_left: float, y_top: float, sizes: tuple[str, ...] = ("A1", "A0")) -> tuple[Overview, Placement, str]:
    """The overview laid out: A1 if it fits (every feeder drawn, else grouped as `build_overview`
    allows), else A0 likewise; unspread."""
    tries = [(size, grouping) for size in sizes for grouping in GROUPING]
    for size, grouping in tries:
        ov = build_overview(ctx.inp.network, ctx.sheet_of.keys(), grouping)
        pl = layout(ov, ctx, x_left, y_top)
        if _fits(size, pl) or (size, grouping) == tries[-1]:
            break
    return ov, pl, size


def _origin(number: int, of: int) -> tuple[float, float]:
    probe = Sheet(size="A1", number=number, of=of, title="overview")
    return probe.inner[0] + 2, probe.inner[1] + 22


INSET_GAP = 16.0


def inset_room(ctx: Ctx) -> tuple[float, float] | None:
    """Where the hall typicals would go on the overview sheet itself (x from, x to), or None when
    the overview needs the whole sheet: then they get their own sheets."""
    x_left, y_top = _origin(1, 1)
    _ov, pl, size = _plan(ctx, x_left, y_top)
    if size != "A1":
        return None
    sheet = Sheet(size=size, number=1, of=1, title="")
    return pl.width + INSET_GAP, sheet.inner[2] - 4


def overview_sheet(ctx: Ctx, number: int, of: int, insets: Sequence[HallSheet] = (), parts: int = 1) -> str:
    """The overview SVG; with `insets`, those halls' typicals drawn right of it on the same sheet;
    `parts` > 1: sheet `number` is one of that many continuation sheets of the overview."""
    x_left, y_top = _origin(number, of)
    ov, pl, size = _plan(ctx, x_left, y_top, ("A1", "A0") if parts == 1 else ("A0",))  # a set of parts: all A0
    room = Sheet(size=size, number=1, of=1, title="").inner[2] - 4 - x_left - LEFT_COLUMN
    spread = 1.0 if insets else min(1.8, max(1.0, room / max(1.0, pl.width - x_left - LEFT_COLUMN)))
    if spread > 1.0:
        pl = layout(ov, ctx, x_left, y_top, spread)
    title = "overview" if parts == 1 else f"overview, part {number} of {parts}"
    sheet = Sheet(size=size, number=number, of=of, title=title)
    t = ctx.inp.title
    sub = "utility, HV, main transformers, MV switchgear" + ("; the hall typical on the right" if insets else "; hall typicals on their own sheets")
    sub += "" if parts == 1 else f"; continued on sheets {', '.join(str(k) for k in range(1, parts + 1) if k != number)}"
    body = [frame(sheet), sheet_title(sheet, f"{t.campus_name}: single-line diagram", sub)]
    body += _draw_utility(ov, pl, ctx)
    for lp in pl.levels:
        body += _draw_level(lp, pl, ctx)
    body += _draw_hv_leads(pl) + _draw_units(ov, pl, ctx) + _level_titles(pl, sheet.inner[0], ctx)
    notes = list(ctx.inp.notes) + [f"Not connected at the campus: {u}" for u in ctx.inp.unconnected]
    x = pl.width + INSET_GAP
    for h in insets:
        body += draw_hall(ctx, h, typical_feeders(ctx.inp.network, h.hall), x, y_top, sheet.inner[2] - 4, spread=False)
        x += natural_width(h, typical_feeders(ctx.inp.network, h.hall)) + INSET_GAP
        notes += hall_notes(h, number)
    body.append(notes_box(sheet, notes))
    body += [legend(sheet), revision_table(sheet, t.version), title_block(sheet, t.campus_id, t.campus_name, t.version)]
    return document(sheet, f"{t.campus_name} single-line diagram - {title}", "\n".join(body))


def overview_parts(ctx: Ctx) -> list[Network]:
    """The network, or - when not even A0 holds its overview - the pieces drawn on continuation
    sheets: runs of MV sections in drawing order, as many as fit each A0 sheet (`view.part`)."""
    x_left, y_top = _origin(1, 1)
    _ov, pl, size = _plan(ctx, x_left, y_top)
    if _fits(size, pl) or not pl.levels:
        return [ctx.inp.network]
    room = (Sheet(size="A0", number=1, of=1, title="").inner[2] - 4 - x_left - LEFT_COLUMN) * 0.9
    runs: list[list[str]] = [[]]
    start = None
    for sp in pl.levels[-1].sections:
        if start is not None and sp.x1 - start > room:
            runs.append([])
            start = None
        start = sp.x0 if start is None else start
        runs[-1].append(sp.section.bus.id)
    return [part(ctx.inp.network, run, plants=i == 0) for i, run in enumerate(runs)]


def _fits(size: str, pl: Placement) -> bool:
    s = Sheet(size=size, number=1, of=1, title="")
    return pl.width <= s.inner[2] - 4 and pl.height <= s.reserved_top
