"""Each kind of bay of the overview: how wide it is and how it is drawn about its conductor.

A bay hangs from its busbar at height `yb`: below it (feeders, generators, converters, HV bays of
transformers) or above it (incomers, utility circuits, transfers). Labels are vertical, reading
upwards, in columns to the right of the conductor, so a bay's width is its symbols plus its label
columns; `width` and `draw` use the same figures, so what layout reserves is what is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from hubc.emit.sld import symbols as sym
from hubc.emit.sld.inputs import BusDuty, SldInput
from hubc.emit.sld.svg import T_SMALL, group, line, member, rect, text
from hubc.emit.sld.text import clip
from hubc.emit.sld.view import (
    ConverterBay,
    FeederBay,
    FeederGroup,
    GeneratorGroup,
    IncomerBay,
    LineBay,
    OtherBay,
    PlantBay,
    TransferBay,
    TransformerBay,
    local,
    natural,
)

LEFT = 3.5  # conductor from the bay's left edge (an open switch's blade reaches x - 2.9)
LS = 3.2  # label column pitch (2.5 mm text)
L0 = 3.1  # first label baseline right of the conductor (clear of a switch)
L0_WIDE = 7.6  # ... clear of a converter and its source symbol
L0_USS = 6.8  # ... clear of a unit substation and its typical box (x + 4)
RIGHT = 1.6  # after the last label column
SW_Y = 9.0  # switch centre from the busbar
CABLE = 48.0  # feeder cable drawn from the switch to the far end
FAN = 58.0  # fan-out region below a feeder's far end


@attrs.frozen
class Ctx:
    inp: SldInput
    sheet_of: Mapping[str, int]  # hall -> its sheet number
    section_sheet: Mapping[str, int] = attrs.field(factory=dict)  # MV section -> its overview sheet (1 when one)

    def duty(self, bus: str) -> BusDuty:
        return self.inp.duty.get(bus, BusDuty())

    def rating(self, switch: str) -> str:
        """The bay's rated current and short-circuit rating ("" before the ratings exist)."""
        return self.inp.bay_ratings.get(switch, "")


def state(closed: bool) -> str:
    return "N.C." if closed else "N.O."


def switch_el(s, x: float, y: float) -> str:
    """A switch drawn in its normal state, with its id and state for readers of the file."""
    return group(s.id, sym.switch(x, y, s.kind, s.closed), "switch", normal="closed" if s.closed else "open", role=s.role)


def labels(x: float, bottom: float, lines: list[str], room: float, l0: float = L0) -> str:
    """Vertical label columns right of the conductor at x, reading up from `bottom`, each at most
    `room` mm long."""
    return "".join(text(x + l0 + LS * i, bottom, clip(s, room), T_SMALL, vertical=True) for i, s in enumerate(lines))


def label_width(nlines: int, l0: float = L0) -> float:
    """A bay's width: the conductor's room on the left, then `nlines` label columns."""
    if nlines == 0:
        return LEFT + 1.2 + RIGHT
    return LEFT + l0 + LS * (nlines - 1) + 0.6 + RIGHT


def cable_size(ln) -> str:
    """The cable's sets and conductor ("2 x 240 mm² Cu", or the catalog type's name)."""
    size = f"{ln.size_mm2:g} mm² {ln.material}" if ln.size_mm2 else ln.type_name.replace(" mm2", " mm²")
    sets = f"{ln.parallel} x " if ln.parallel > 1 else ""
    return f"{sets}{size}"


def cable_text(ln) -> str:
    return f"{cable_size(ln)}, {ln.length_km * 1000:,.0f} m"


def duty_line(d: BusDuty) -> str:
    ik, rating = d.lines()
    return f"{ik} | {rating}"


# ------------------------------------------------------------------------ below the bus


def _feeder_fanout_lines(b: FeederBay, ctx: Ctx) -> list[str]:
    f = b.fanout
    if f.hall:
        return [f"to {f.hall} typical: sheet {ctx.sheet_of.get(f.hall, 0)}"]
    if f.equivalents:
        p = sum(x.p_mw for x in f.equivalents)
        return [f"≡ {_typical_of(b)} (typical) {p:,.1f} MW"]
    if f.substations:
        t = f.substations[0][1]
        return [f"{len(f.substations)} x USS {t.sn_mva * 1000:,.0f} kVA ({t.role})"]
    return []


def _typical_of(b: FeederBay) -> str:
    """`hall-a.c01.mvf-02.rmu` -> `c01.mvf-02`: the typical feeder an equivalent one stands for."""
    parts = b.end.typical.split(".")
    return ".".join(parts[1:-1]) if len(parts) > 2 else b.end.typical


def _compact(names: list[str]) -> str:
    """["mvf-01", "mvf-02", "mvf-04"] -> "mvf-01/02/04"."""
    stem = names[0].rsplit("-", 1)[0] + "-"
    if len(names) > 1 and all(n_.startswith(stem) for n_ in names):
        return stem + "/".join(n_[len(stem) :] for n_ in names)
    return "/".join(names)


def _group_fanout(g: FeederGroup) -> list[str]:
    """What a group's far ends are: equivalents of which typical feeders, how much each."""
    if not g.feeders[0].fanout.equivalents:
        return []
    typ = sorted({_typical_of(f).rsplit(".", 1)[-1] for f in g.feeders}, key=natural)
    ps = [sum(x.p_mw for x in f.fanout.equivalents) for f in g.feeders]
    p = f"{min(ps):,.1f} MW" if max(ps) - min(ps) < 0.05 else f"{min(ps):,.1f}-{max(ps):,.1f} MW"
    return [f"≡ c01 {_compact(typ)}: {p} each"]


def _fanout_body(b: FeederBay, x: float, y: float) -> str:
    """What hangs at the far end (`y`): an off-sheet flag, an equivalent load, or the unit
    substations (the first drawn, the others its members)."""
    f = b.fanout
    if f.hall:
        return line(x, y, x, y + 6) + sym.offsheet(x, y + 6, "")
    if f.equivalents:
        first = f.equivalents[0]
        return group(first.id, sym.load(x, y), "load") + "".join(member(ld.id, first.id) for ld in f.equivalents[1:])
    return _substations(f.substations, x, y) if f.substations else ""


def _substation_elements(sub) -> list[tuple[str, str]]:
    cb, t, lv, loads, motors = sub
    out = ([(cb.id, "cb")] if cb else []) + [(t.id, "uss")] + ([(lv.id, "lv")] if lv is not None else [])
    return out + [(ld.id, "load") for ld in loads] + [(m.id, "motor") for m in motors]


def _substations(subs, x: float, y: float) -> str:
    """A feeder's unit substations: breaker, transformer, LV board with its load (and motors)."""
    cb, t, lv, loads, motors = subs[0]
    body = line(x, y, x, y + 4) + (switch_el(cb, x, y + 9) if cb else line(x, y + 4, x, y + 14))
    body += group(t.id, sym.transformer(x, y + 21), "transformer")
    drawn = {cb.id if cb else "", t.id}
    if lv is not None:
        inner = line(x, y + 28, x, y + 30) + line(x - 3, y + 30, x + 3, y + 30, "sld-bus")
        inner += "".join(group(ld.id, line(x - 1.5, y + 30, x - 1.5, y + 31) + sym.load(x - 1.5, y + 31), "load") for ld in loads[:1])
        inner += "".join(group(m.id, line(x + 1.8, y + 30, x + 1.8, y + 33) + sym.motor(x + 1.8, y + 36), "motor") for m in motors[:1])
        body += group(lv.id, inner, "bus")
        drawn |= {lv.id, *(ld.id for ld in loads[:1]), *(m.id for m in motors[:1])}
    if len(subs) > 1:
        body += rect(x - 4, y + 2, 8, 38, "sld-typ") + text(x - 4, y + 44, f"x {len(subs)}", T_SMALL)
    stands_for = {role: eid for eid, role in reversed(_substation_elements(subs[0])) if eid in drawn}
    for sub in subs:
        body += "".join(member(eid, stands_for.get(role, t.id)) for eid, role in _substation_elements(sub) if eid not in drawn)
    return body


def feeder_width(b: FeederBay, ctx: Ctx) -> float:
    wide = L0_USS if b.fanout.substations else L0
    return max(label_width(2), label_width(len(_feeder_fanout_lines(b, ctx)) + 1, wide))


def feeder_draw(b: FeederBay, x: float, yb: float, ctx: Ctx, title: str = "", fanout: list[str] | None = None, l0: float = L0) -> str:
    y_end = yb + 4 + 10 + CABLE
    r = ctx.rating(b.switch.id)
    head = [title or b.line.id, (f"CB {r} | " if r else "") + cable_text(b.line)]
    fanout = _feeder_fanout_lines(b, ctx) if fanout is None else fanout
    out = line(x, yb, x, yb + 4) + switch_el(b.switch, x, yb + SW_Y)
    out += group(b.line.id, line(x, yb + 14, x, y_end, "sld-cable"), "line")
    out += labels(x, y_end - 2, head, CABLE + 6, l0)
    end = line(x - 3, y_end, x + 3, y_end, "sld-bus") + _fanout_body(b, x, y_end)
    out += group(b.end.id, end, "bus")
    wide = L0_USS if b.fanout.substations else L0
    out += labels(x, y_end + FAN - 2, [duty_line(ctx.duty(b.end.id)), *fanout], FAN - 4, wide)
    return out


GROUP_L0 = L0 + 1.0  # a group's labels clear its typical box


def group_width(g: FeederGroup, ctx: Ctx) -> float:
    return max(label_width(2, GROUP_L0), feeder_width(g.feeders[0], ctx))


def feeder_elements(f: FeederBay) -> list[tuple[str, str]]:
    """(element id, role in the feeder) of everything a feeder bay stands for."""
    out = [(f.switch.id, "switch"), (f.line.id, "line"), (f.end.id, "end")]
    out += [(ld.id, "equivalent") for ld in f.fanout.equivalents]
    for cb, t, lv, loads, motors in f.fanout.substations:
        out += ([(cb.id, "uss-cb")] if cb else []) + [(t.id, "uss")] + ([(lv.id, "lv")] if lv is not None else [])
        out += [(ld.id, "load") for ld in loads] + [(m.id, "motor") for m in motors]
    return out


def group_draw(g: FeederGroup, x: float, yb: float, ctx: Ctx) -> str:
    """The first feeder drawn, the others its members ("typical x N")."""
    first = g.feeders[0]
    out = feeder_draw(first, x, yb, ctx, title=f"{len(g.feeders)} x {g.label}", fanout=_group_fanout(g) or None, l0=GROUP_L0)
    out += rect(x - 3.8, yb + 2.5, 4.9, 10 + CABLE + 5, "sld-typ")
    drawn = {role: eid for eid, role in reversed(feeder_elements(first))}
    for f in g.feeders[1:]:
        out += "".join(member(eid, drawn.get(role, first.switch.id)) for eid, role in feeder_elements(f))
    return out


def _gen_lines(g: GeneratorGroup, ctx: Ctx) -> list[str]:
    _sw, _term, gen, tx = g.units[0]
    step = [f"step-up {tx.vn_lv_kv * 1000:g} V/{tx.vn_hv_kv:g} kV {tx.sn_mva * 1000:,.0f} kVA, vk {tx.vk_percent:g} %"] if tx else []
    return [
        f"{local(g.bus.id, g.bus.section)} group CB {state(g.switch.closed)} {ctx.rating(g.switch.id)}".rstrip(),
        duty_line(ctx.duty(g.bus.id)),
        f"{len(g.units)} x genset, own CB each ({state(g.units[0][0].closed)})",
        *step,
        f"{gen.p_mw * 1000:,.0f} kW DCC, {gen.sn_mva:.2f} MVA, {gen.vn_kv:g} kV",
        f"X''d {gen.xdss_pu:g}",
    ]


def gens_width(g: GeneratorGroup, ctx: Ctx) -> float:
    return label_width(len(_gen_lines(g, ctx)), L0_WIDE)


def gens_draw(g: GeneratorGroup, x: float, yb: float, ctx: Ctx) -> str:
    """The group breaker, the generator bus (a short busbar), then the first set drawn (its
    breaker, step-up transformer for an LV set, terminal, machine), the others its members."""
    out = line(x, yb, x, yb + 4) + switch_el(g.switch, x, yb + SW_Y)
    out += group(g.bus.id, line(x, yb + 14, x, yb + 18) + line(x - 3, yb + 18, x + 3, yb + 18, "sld-bus"), "bus")
    sw, term, gen, tx = g.units[0]
    out += line(x, yb + 18, x, yb + 22) + switch_el(sw, x, yb + 27)
    y = yb + 32
    if tx is not None:
        out += group(tx.id, sym.transformer(x, y + 7), "transformer")
        y += 14
    out += group(term.id, line(x, y, x, y + 4) + sym.node(x, y + 4), "bus") + line(x, y + 4, x, y + 6)
    out += group(gen.id, sym.generator(x, y + 10), "generator")
    if len(g.units) > 1:
        out += rect(x - 4.4, yb + 20.5, 8.8, y + 15 - (yb + 20.5), "sld-typ") + text(x - 4.4, y + 18, f"x {len(g.units)}", T_SMALL)
    out += labels(x, y + 14, _gen_lines(g, ctx), y + 14 - yb - 2, L0_WIDE)
    for sw2, term2, gen2, tx2 in g.units[1:]:
        out += member(sw2.id, sw.id) + member(term2.id, term.id) + member(gen2.id, gen.id)
        if tx2 is not None and tx is not None:
            out += member(tx2.id, tx.id)
    return out


def other_width(b: OtherBay, ctx: Ctx) -> float:
    return label_width(1 + len(b.detail) + (b.kind == "capacitor"))


def other_draw(b: OtherBay, x: float, yb: float, ctx: Ctx) -> str:
    out = line(x, yb, x, yb + 4)
    out += switch_el(b.switch, x, yb + SW_Y) if b.switch is not None else line(x, yb + 4, x, yb + 14)
    if b.kind:
        if b.terminal:
            out += group(b.terminal, sym.node(x, yb + 14), "bus")
        mark = sym.motor(x, yb + 19) if b.kind == "motor" else sym.capacitor(x, yb + 14) if b.kind == "capacitor" else line(x, yb + 14, x, yb + 16) + sym.load(x, yb + 16)
        out += group(b.element_id, mark, b.kind)
    if b.kind == "capacitor":  # below the plates and the earth, with the bank breaker's rating
        r = ctx.rating(b.switch.id) if b.switch is not None else ""
        return out + labels(x, yb + 60, [b.element_id, *b.detail, *([f"CB {r}"] if r else [])], 35)
    return out + labels(x, yb + 40, [b.element_id, *b.detail], 34)


def hv_tx_width(b: TransformerBay, ctx: Ctx) -> float:
    return label_width(1)


def hv_tx_draw(b: TransformerBay, x: float, yb: float, ctx: Ctx) -> str:
    """The HV bay only: breaker and terminal; the lead to the transformer is routed by layout."""
    return line(x, yb, x, yb + 4) + switch_el(b.switch, x, yb + SW_Y) + labels(x, yb + 20, [local(b.switch.id, b.unit)], 14)


BELOW: dict[type, tuple[Callable, Callable]] = {
    FeederBay: (feeder_width, feeder_draw),
    FeederGroup: (group_width, group_draw),
    GeneratorGroup: (gens_width, gens_draw),
    OtherBay: (other_width, other_draw),
    TransformerBay: (hv_tx_width, hv_tx_draw),
}


# ------------------------------------------------------------------------ above the bus


ABOVE_ROOM = 25.0  # label room between a busbar and the lanes or leads above it
CONV_ROOM = 60.0  # a converter-connected source's labels, below the utility circuits' bus


def _switch_above(b, x: float, yb: float, lines: list[str]) -> str:
    return line(x, yb, x, yb - 4) + switch_el(b.switch, x, yb - SW_Y) + labels(x, yb - 2, lines, ABOVE_ROOM)


def incomer_width(b: IncomerBay, ctx: Ctx, section: str) -> float:
    return label_width(1 if ctx.rating(b.switch.id) else 0)


def incomer_draw(b: IncomerBay, x: float, yb: float, ctx: Ctx, section: str) -> str:
    """The breaker and its rating (the lead goes up to the transformer, drawn with it)."""
    r = ctx.rating(b.switch.id)
    return _switch_above(b, x, yb, [r] if r else [])


def transfer_width(b: TransferBay, ctx: Ctx, section: str) -> float:
    return label_width(2 if ctx.rating(b.switch.id) else 1)


def transfer_draw(b: TransferBay, x: float, yb: float, ctx: Ctx, section: str) -> str:
    """Breaker and label; the riser to the lane is drawn by the layout that placed the lane."""
    r = ctx.rating(b.switch.id)
    return _switch_above(b, x, yb, [f"{local(b.switch.id, section)} {state(b.switch.closed)}"] + ([r] if r else []))


def line_bay_width(b: LineBay, ctx: Ctx, section: str) -> float:
    return label_width(len(line_lines(b, ctx)))


def line_bay_draw(b: LineBay, x: float, yb: float, ctx: Ctx, section: str) -> str:
    """Breaker only: the line and its labels run up to the utility (drawn with it)."""
    return _switch_above(b, x, yb, [])


def _conv_lines(c: ConverterBay, ctx: Ctx) -> list[str]:
    g = c.sgen
    kind = {"bess": "BESS", "solar": "PV", "wind": "wind"}.get(g.kind, g.kind)
    sized = list(ctx.inp.plants.get(g.id, ("not sized",)))
    return [f"{kind} {g.id}", *sized, f"converter {g.sn_mva:,.0f} MVA, Ik = {g.k:g} x In"]


def conv_width(c: ConverterBay, ctx: Ctx, section: str) -> float:
    return label_width(len(_conv_lines(c, ctx)), L0_WIDE)


def conv_draw(c: ConverterBay, x: float, yb: float, ctx: Ctx, section: str) -> str:
    """A converter-connected source feeding the bus from above: converter, then its source."""
    g = c.sgen
    body = line(x, yb, x, yb - 16) + sym.converter(x, yb - 20, "=", "~") + line(x, yb - 24, x, yb - 27.5)
    if g.kind == "bess":
        body += sym.battery(x, yb - 30.5)
    elif g.kind == "solar":
        body += sym.pv(x, yb - 31, up=True)
    elif g.kind == "wind":
        body += sym.wind(x, yb - 31, up=True)
    return group(g.id, body, "source", kind=g.kind) + labels(x, yb - 2, _conv_lines(c, ctx), CONV_ROOM, L0_WIDE)


def _plant_lines(p: PlantBay, ctx: Ctx) -> list[str]:
    sw, tx, col, inv = p.units[0]
    kind = {"bess": "BESS", "solar": "PV", "wind": "wind"}.get(inv[0].kind, inv[0].kind) if inv else ""
    sized = list(ctx.inp.plants.get(p.plant, ("not sized",)))[:1]
    n_ = len(p.units)
    via = f"step-up {tx.sn_mva:g} MVA {tx.vn_lv_kv:g}/{tx.vn_hv_kv:g} kV vk {tx.vk_percent:g} %" if tx else "no step-up"
    conv = sum(g.sn_mva for g in inv)
    return [
        f"{kind} {p.plant}: {n_} x collector {col.vn_kv:g} kV",
        *sized,
        f"each: CB {ctx.rating(sw.id)}".rstrip(),
        via,
        f"converters {conv:,.0f} MVA each, Ik = {inv[0].k:g} x In" if inv else "",
        duty_line(ctx.duty(col.id)),
    ]


PLANT_PAD = 2.0  # the plant's typical box (x -/+ 4.8) clears the bay on its left


def plant_width(p: PlantBay, ctx: Ctx, section: str) -> float:
    return PLANT_PAD + label_width(len(_plant_lines(p, ctx)), L0_WIDE)


def plant_draw(p: PlantBay, x: float, yb: float, ctx: Ctx, section: str) -> str:
    """A behind-the-meter plant feeding the bus from above: the first collector bus drawn (its
    breaker, step-up transformer, collector node, converter and source), the others members."""
    x += PLANT_PAD
    sw, tx, col, inv = p.units[0]
    out = line(x, yb, x, yb - 4) + switch_el(sw, x, yb - SW_Y)
    y = yb - 14
    if tx is not None:
        out += group(tx.id, sym.transformer(x, y - 7), "transformer")
        y -= 14
    out += group(col.id, line(x, y, x, y - 2) + line(x - 3, y - 2, x + 3, y - 2, "sld-bus"), "bus")
    body = line(x, y - 2, x, y - 5) + sym.converter(x, y - 9, "=", "~") + line(x, y - 13, x, y - 16)
    kind = inv[0].kind if inv else ""
    if kind == "bess":
        body += sym.battery(x, y - 19)
    elif kind == "solar":
        body += sym.pv(x, y - 19.5, up=True)
    elif kind == "wind":
        body += sym.wind(x, y - 19.5, up=True)
    out += group(inv[0].id, body, "source", kind=kind) if inv else body
    if len(p.units) > 1:
        out += rect(x - 4.8, y - 24, 9.6, yb - 3.5 - (y - 24), "sld-typ") + text(x - 4.8, y - 30, f"x {len(p.units)}", T_SMALL)
    out += labels(x, yb - 2, [s for s in _plant_lines(p, ctx) if s], CONV_ROOM, L0_WIDE)
    for sw2, tx2, col2, inv2 in p.units[1:]:
        out += member(sw2.id, sw.id) + member(col2.id, col.id)
        if tx2 is not None and tx is not None:
            out += member(tx2.id, tx.id)
        out += "".join(member(g.id, inv[0].id) for g in inv2)
    out += "".join(member(g.id, inv[0].id) for g in inv[1:])
    return out


ABOVE: dict[type, tuple[Callable, Callable]] = {
    PlantBay: (plant_width, plant_draw),
    IncomerBay: (incomer_width, incomer_draw),
    TransferBay: (transfer_width, transfer_draw),
    LineBay: (line_bay_width, line_bay_draw),
    ConverterBay: (conv_width, conv_draw),
}


def line_lines(b: LineBay, ctx: Ctx | None = None) -> list[str]:
    sw = f"{b.switch.id} {b.switch.kind} {state(b.switch.closed)} {ctx.rating(b.switch.id) if ctx else ''}".rstrip()
    if b.line is None:
        return [sw, "utility circuit (no line modelled)"]
    ln = b.line
    what = f"{ln.kind} {ln.length_km:g} km"
    if ln.kind == "overhead":
        cond = ln.type_name
    else:
        cond = cable_size(ln)  # the length is already in `what`
    return [ln.id, f"{what}, {cond}", sw]


def section_lines(bus, ctx: Ctx, prefix: str) -> list[str]:
    """A bus section's label, narrow (it sits left of the bays above the busbar): its name, then
    its duty and rating, one figure a line."""
    tag = ["reserve bus"] if bus.role == "mv-reserve" else []
    return [local(bus.id, prefix), *tag, *ctx.duty(bus.id).stacked()]


__all__ = ["ABOVE", "BELOW", "Ctx", "label_width", "labels", "line_lines", "section_lines", "state", "switch_el"]
