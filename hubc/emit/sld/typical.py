"""A hall's typical sheet: its typical copy (copy 1) from the MV feeders' ring main units down.

Per MV feeder of the copy: the incoming cable (continued from the overview), the ring main unit,
and per power block its unit substation (breaker, transformer), LV board, UPS input breaker, UPS,
with `lv-per-block` gensets the block's transfer switch (its unit-substation side above the LV
board, its genset side to the set beside it), and the UPS output feeding the row busways and CDUs on path A (red) or B (blue), as the feed
assignment made them. Feeders are laid side by side and wrap onto a further tier when the sheet
is full. Every network element of the copy below the ring main unit carries its id; the UPS
outputs and busways (not in the network) carry `data-item` / `data-path`.
"""

from __future__ import annotations

import attrs

from hubc.electrical.network import Bus, Generator, Network, Switch, Transformer
from hubc.emit.sld import symbols as sym
from hubc.emit.sld.bays import L0_WIDE, LEFT, LS, Ctx, cable_text, labels, state, switch_el
from hubc.emit.sld.inputs import HallSheet
from hubc.emit.sld.sheet import (
    Sheet,
    document,
    frame,
    legend,
    notes_box,
    revision_table,
    sheet_title,
    title_block,
)
from hubc.emit.sld.svg import T_SMALL, group, line, tagged, text
from hubc.emit.sld.text import clip
from hubc.emit.sld.view import local, natural

DROP = 5.0  # pitch of the outgoing busway feeds of a UPS output
L0_UPS = 11.0  # labels right of the UPS and its battery
IN_COLS = 4  # label columns of the incoming feeder
Y_RMU, Y_LV, Y_OUT, Y_END = 76.0, 136.0, 198.0, 278.0  # from the tier's top
TIER_H = Y_END + 14
TOP = 24.0  # the first tier below the sheet's top frame
GEN_DX = 16.0  # a block's genset (lv-per-block) right of its conductor, clear of the transformer's labels


@attrs.frozen
class Block:
    cb: Switch | None
    uss: Transformer
    lv: Bus | None
    ups_cb: Switch | None
    ups: Bus | None
    load: object | None  # the UPS input load
    ats_n: Switch | None = None  # lv-per-block: the transfer switch's unit-substation side
    ats_g: Switch | None = None  # ... its genset side
    gen: Generator | None = None  # ... the block's set

    @property
    def key(self) -> str:
        return self.load.block if self.load is not None else self.uss.id


@attrs.frozen
class Feeder:
    rmu: Bus
    line: object | None
    switch: Switch | None
    blocks: tuple[Block, ...]


def typical_feeders(net: Network, hall: str) -> tuple[Feeder, ...]:
    """The typical copy's feeders and, at each ring main unit, its power blocks."""
    line_to = {x.to_bus: x for x in net.lines}
    switch_of = {s.element: s for s in net.switches if s.element_kind in ("line", "transformer") and s.role != "ats-normal"}
    at: dict[str, list[Switch]] = {}
    for s in net.switches:
        at.setdefault(s.bus, []).append(s)
    ix = _BlockIndex(switch_of=switch_of, at=at, load_at={x.bus: x for x in net.loads}, gen_at={g.bus: g for g in net.generators})
    out = []
    for rmu in sorted((b for b in net.buses if b.area == hall and b.copy == 1 and b.role == "feeder-end"), key=lambda b: natural(b.id)):
        ln = line_to.get(rmu.id)
        blocks = tuple(_block_of(net, t, ix) for t in sorted((t for t in net.transformers if t.hv_bus == rmu.id), key=lambda t: natural(t.id)))
        out.append(Feeder(rmu=rmu, line=ln, switch=switch_of.get(ln.id) if ln else None, blocks=blocks))
    return tuple(out)


@attrs.frozen
class _BlockIndex:
    switch_of: dict  # line or transformer id -> its switch (not a transfer switch's)
    at: dict  # bus id -> the switches on it
    load_at: dict
    gen_at: dict


def _block_of(net: Network, t: Transformer, ix: _BlockIndex) -> Block:
    """A power block from its unit substation down: its LV board, UPS input breaker and UPS, and
    with `lv-per-block` its transfer switch and set."""
    at_lv = ix.at.get(t.lv_bus, ())
    ups_cb = next((s for s in at_lv if s.role == "ups-input"), None)
    ats_g = next((s for s in at_lv if s.role == "generator"), None)
    ups = net.bus(ups_cb.element) if ups_cb else None
    return Block(
        cb=ix.switch_of.get(t.id),
        uss=t,
        lv=net.bus(t.lv_bus),
        ups_cb=ups_cb,
        ups=ups,
        load=ix.load_at.get(ups.id) if ups else None,
        ats_n=next((s for s in at_lv if s.role == "ats-normal" and s.element == t.id), None),
        ats_g=ats_g,
        gen=ix.gen_at.get(ats_g.element) if ats_g else None,
    )


# ----------------------------------------------------------------------------- layout


@attrs.frozen
class Widths:
    """Column widths of one hall's sheet; `spread` >= 1 widens the block columns to use the sheet."""

    h: HallSheet
    spread: float = 1.0

    def block(self, b: Block) -> float:
        drops = len(self.h.outputs.get(b.key, ()))
        gen = LEFT + GEN_DX + L0_WIDE + LS + 3 if b.gen is not None else 0.0
        return max(LEFT + L0_UPS + LS * (3 + len(self.h.ups)) + 2.5, 4 + DROP * drops + 4, gen) * self.spread

    def incoming(self) -> float:
        return LEFT + 3.1 + LS * (IN_COLS - 1) + 3

    def feeder(self, f: Feeder) -> float:
        return self.incoming() + sum(self.block(b) for b in f.blocks) + 2


def place(w: Widths, feeders: tuple[Feeder, ...], x0: float, x1: float) -> list[tuple[Feeder, float, int]]:
    """(feeder, its left x, tier) left to right, a new tier when the next one would pass x1."""
    out, x, tier = [], x0, 0
    for f in feeders:
        fw = w.feeder(f)
        if x + fw > x1 and x > x0:
            x, tier = x0, tier + 1
        out.append((f, x, tier))
        x += fw + 8
    return out


def natural_width(h: HallSheet, feeders: tuple[Feeder, ...]) -> float:
    """Width of the hall typical on one tier, unspread."""
    w = Widths(h)
    return sum(w.feeder(f) + 8 for f in feeders) - 8 if feeders else 0.0


def plan(h: HallSheet, feeders: tuple[Feeder, ...], x0: float, x1: float, spread: bool) -> tuple[Widths, list[tuple[Feeder, float, int]], int]:
    """Feeders placed in tiers between x0 and x1, the block columns spread over the width."""
    placed = place(Widths(h), feeders, x0, x1)
    tiers = 1 + max((t for _f, _x, t in placed), default=0)
    widest = max((sum(Widths(h).feeder(f) + 8 for f, _x, t in placed if t == k) for k in range(tiers)), default=1.0)
    w = Widths(h, spread=min(1.8, max(1.0, (x1 - x0) / widest)) if spread else 1.0)
    return w, place(w, feeders, x0, x1), tiers


def draw_hall(ctx: Ctx, h: HallSheet, feeders: tuple[Feeder, ...], x0: float, y0: float, x1: float, spread: bool = True) -> list[str]:
    """`feeders` of the hall typical drawn in the band from x0 to x1, from y0 down (tiers of TIER_H)."""
    w, placed, _tiers = plan(h, feeders, x0, x1, spread)
    return [_feeder(w, f, x, y0 + tier * TIER_H, ctx) for f, x, tier in placed]


def hall_notes(h: HallSheet, overview: int) -> list[str]:
    return [
        f"Hall {h.hall}: its typical copy (copy 1) is drawn; x {h.copies} identical copies, whose feeders are on sheet {overview}, each to an equivalent load.",
        f"UPS blocks {h.topology}: {' / '.join(h.ups)}; {h.busway}.",
        "Busway feeds: A path red, B path blue; each label names the item (row busway or CDU), its path and the item's load.",
    ]


def hall_parts(ctx: Ctx, h: HallSheet) -> tuple[str, list[tuple[Feeder, ...]]]:
    """The sheet size and the feeders each sheet of the hall draws: one A1 sheet if its tiers fit,
    else A0 sheets, as many tiers on each as its height takes (continuation sheets beyond)."""
    feeders = typical_feeders(ctx.inp.network, h.hall)
    for size in ("A1", "A0"):
        sheet = Sheet(size=size, number=1, of=1, title="")
        y0 = sheet.inner[1] + TOP
        _w, placed, tiers = plan(h, feeders, sheet.inner[0] + 6, sheet.inner[2] - 6, False)
        per_sheet = max(1, int((sheet.reserved_top - y0) // TIER_H))
        if tiers <= per_sheet:
            return size, [feeders]
    parts: list[list[Feeder]] = [[] for _ in range((tiers + per_sheet - 1) // per_sheet)]
    for f, _x, tier in placed:
        parts[tier // per_sheet].append(f)
    return "A0", [tuple(p) for p in parts if p]


# ------------------------------------------------------------------------------- draw


def _incoming(f: Feeder, x: float, y: float, ctx: Ctx) -> str:
    """The feeder arriving from the overview: off-sheet flag, cable, the ring main unit's label."""
    y_rmu = y + Y_RMU
    ref = f"from {f.switch.bus} (sheet {ctx.section_sheet.get(f.switch.bus, 1)}), CB {state(f.switch.closed)}" if f.switch is not None else "from sheet 1"
    out = sym.offsheet(x, y + 9, "", down=False) + line(x, y + 9, x, y_rmu, "sld-cable")
    ik, rating = ctx.duty(f.rmu.id).lines()
    cable = cable_text(f.line) if f.line is not None else ""
    lines = [f.line.id if f.line is not None else f.rmu.id, ref, cable, f"RMU {ik} | {rating}"]
    return tagged("incoming", out, ref=f.line.id if f.line is not None else f.rmu.id) + labels(x, y_rmu - 2, lines, Y_RMU - 14)


def _block(h: HallSheet, b: Block, x: float, y: float, ctx: Ctx, w: float) -> str:
    """One power block in its column (conductor at x)."""
    y_rmu, y_lv, y_out = y + Y_RMU, y + Y_LV, y + Y_OUT
    out = line(x, y_rmu, x, y_rmu + 4) + (switch_el(b.cb, x, y_rmu + 9) if b.cb else line(x, y_rmu + 4, x, y_rmu + 14))
    below = y_lv - 14 if b.ats_n is not None else y_lv
    out += group(b.uss.id, line(x, y_rmu + 14, x, y_rmu + 16) + sym.transformer(x, y_rmu + 23) + line(x, y_rmu + 30, x, below), "transformer")
    if b.ats_n is not None:
        out += switch_el(b.ats_n, x, y_lv - 9) + line(x, y_lv - 4, x, y_lv)
    if b.gen is not None and b.ats_g is not None:
        out += _block_genset(b, x + GEN_DX, y_lv)
    t = b.uss
    out += labels(x, y_lv - 3, [f"{local(t.id, t.id.rsplit('.', 2)[0])} {t.sn_mva * 1000:,.0f} kVA", f"{t.vn_hv_kv:g}/{t.vn_lv_kv:g} kV {t.vector_group}, vk {t.vk_percent:.1f} %"], Y_LV - Y_RMU - 18, 5.9)
    if b.lv is not None:
        out += group(b.lv.id, line(x - 3, y_lv, x - LEFT + w - 3, y_lv, "sld-bus"), "bus", role=b.lv.role)
    out += switch_el(b.ups_cb, x, y_lv + 9) if b.ups_cb else ""
    if b.ups is not None:
        out += group(b.ups.id, line(x, y_lv + 14, x, y_lv + 22) + sym.node(x, y_lv + 18), "bus", role=b.ups.role)
    ups = sym.converter(x, y_lv + 26, "~", "~") + line(x + 4, y_lv + 26, x + 6.5, y_lv + 26) + sym.battery(x + 6.5, y_lv + 29) + line(x, y_lv + 30, x, y_out)
    out += group(b.load.id, ups, "ups") if b.load is not None else ups
    ik, rating = ctx.duty(b.lv.id).lines() if b.lv is not None else ("", "")
    role = h.roles.get(b.key, "")
    name = b.key.rsplit(".", 1)[-1]
    out += labels(x, y_out - 3, [f"LV {ik}", rating, f"UPS {name}" + (f" ({role})" if role and role != "distributed" else ""), *h.ups], Y_OUT - Y_LV - 6, L0_UPS)
    return out + _outputs(h, b, x, y_out)


def _block_genset(b: Block, xg: float, y_lv: float) -> str:
    """`lv-per-block`: the transfer switch's genset side rising from the LV board at xg, the set's
    terminal and the set above it, with their ratings."""
    g, sw = b.gen, b.ats_g
    term = group(sw.element, line(xg, y_lv - 14, xg, y_lv - 18) + sym.node(xg, y_lv - 16), "bus", role="generator-terminal")
    out = line(xg, y_lv, xg, y_lv - 4) + switch_el(sw, xg, y_lv - 9) + term + group(g.id, sym.generator(xg, y_lv - 22), "generator")
    lines = [f"ATS: USS {state(b.ats_n.closed)} / G {state(sw.closed)}" if b.ats_n else f"ATS: G {state(sw.closed)}", f"{g.p_mw * 1000:,.0f} kW DCC, X''d {g.xdss_pu:g}"]
    return out + labels(xg, y_lv - 3, lines, 40, L0_WIDE)


def _outputs(h: HallSheet, b: Block, x: float, y_out: float) -> str:
    """The UPS output board and its busway feeds, A red and B blue."""
    rows = h.outputs.get(b.key, ())
    x0 = x - LEFT + 4
    out = tagged("ups-output", line(x - 3, y_out, max(x + 3, x0 + DROP * max(0, len(rows) - 1) + 1), y_out, "sld-bus"), item=b.key)
    for i, r in enumerate(rows):
        xi = x0 + DROP * i
        cls = "sld-a" if r.path == "A" else "sld-b"
        body = line(xi, y_out, xi, y_out + 3, cls) + sym.switch(xi, y_out + 8) + line(xi, y_out + 13, xi, y_out + Y_END - Y_OUT - 6, cls)
        body += sym.load(xi, y_out + Y_END - Y_OUT - 6)
        out += tagged("busway", body, item=r.item, path=r.path)
        out += text(xi + 2.6, y_out + Y_END - Y_OUT - 8, clip(_drop_label(r), Y_END - Y_OUT - 24), T_SMALL, vertical=True)
    return out


def _drop_label(r) -> str:
    """`row-01 A (1,116 kW), B from ups-02b`: the item, this path, its load, where its other cord is."""
    other = f", {'B' if r.path == 'A' else 'A'} from {r.other.rsplit('.', 1)[-1]}" if r.other else ", single-corded"
    return f"{r.item.rsplit('.', 1)[-1]} {r.path} ({r.kw:,.0f} kW){other}"


def _feeder(w: Widths, f: Feeder, x0: float, y: float, ctx: Ctx) -> str:
    x_in = x0 + LEFT
    out = _incoming(f, x_in, y, ctx)
    xb = x0 + w.incoming()
    right = x0 + w.feeder(f) - 2
    out += tagged("rmu", line(x_in - 2, y + Y_RMU, right, y + Y_RMU, "sld-bus"), ref=f.rmu.id)
    for b in f.blocks:
        out += _block(w.h, b, xb + LEFT, y, ctx, w.block(b))
        xb += w.block(b)
    return out


def typical_sheet(ctx: Ctx, h: HallSheet, size: str, feeders: tuple[Feeder, ...], number: int, of: int, part: tuple[int, int] = (1, 1)) -> str:
    """One sheet of a hall typical: `feeders` (all of them, or part i of k on continuation sheets)."""
    title = f"hall {h.hall}, typical copy" + ("" if part[1] == 1 else f", part {part[0]} of {part[1]}")
    sheet = Sheet(size=size, number=number, of=of, title=title)
    x0, y0, x1 = sheet.inner[0] + 6, sheet.inner[1] + TOP, sheet.inner[2] - 6
    t = ctx.inp.title
    head = f"{t.campus_name}: hall {h.hall} - typical copy (copy 1 of {h.copies})" + ("" if part[1] == 1 else f", part {part[0]} of {part[1]}")
    parts = [frame(sheet), sheet_title(sheet, head, f"MV feeders -> unit substations -> LV boards -> UPS ({h.topology}) -> row busways A/B; typical x {h.copies} hall copies")]
    parts += draw_hall(ctx, h, feeders, x0, y0, x1)
    parts.append(notes_box(sheet, hall_notes(h, 1)))
    parts += [legend(sheet), revision_table(sheet, t.version), title_block(sheet, t.campus_id, t.campus_name, t.version)]
    return document(sheet, f"{t.campus_name} single-line diagram - {title}", "\n".join(parts))
