"""Hall floor plans: one SVG per distinct hall, drawn to scale from the rack layout.

In: a `RackLayout` and the `Spec`. Out: `{"floorplans/<hall>.svg": bytes}`. Rows sit at their
pitch, slots at their width, racks at their depth; racks are coloured by pod instance (a fixed
palette, so the output is byte-identical run after run), leaf racks carry a dot, spine racks
and keep-outs are marked, each row is labelled with its load against its busway, and a legend
and title block close the sheet. All user text is XML-escaped.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import attrs

from hubc.emit.fonts import SVG_FONT_STACK

# Okabe-Ito based palette (colour-blind safe) extended with muted tones; cycled by pod index.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#7F7FBF", "#8C564B", "#17BECF", "#BCBD22", "#9467BD",
)
SPINE = "#222222"
KEEPOUT = "#9E9E9E"
HOT = "#FDE3DC"
COLD = "#DDEBF7"

SHEET_W = 1400.0  # px of the drawing area for the hall
MARGIN = 40.0
LABEL_W = 70.0  # left: row numbers
LOAD_W = 260.0  # right: row loads


def _fmt(x: float) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _kw(kw: float) -> str:
    return f"{kw / 1000:,.2f} MW" if kw >= 1000 else f"{kw:,.0f} kW"


def emit_floorplans(layout, spec) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for h in sorted(layout.halls, key=lambda h: h.hall_index):
        if h.same_as is not None:
            continue  # identical to a hall already drawn
        out[f"floorplans/{h.hall}.svg"] = _hall_svg(h, spec).encode("utf-8")
    return dict(sorted(out.items()))


def _hall_svg(h, spec) -> str:
    hall = spec.hall[h.hall_index]
    g = _sheet(h, spec.rack_types())
    pods = sorted({rk.pod for rk in h.racks if rk.pod != "spine"}, key=_pod_order)
    occupied = {(rk.row, rk.slot): rk for rk in h.racks}
    colour = _colours(h.racks, occupied)
    parts: list[str] = []
    parts += _header(h, spec, hall, g)
    parts += _aisles(h, g)
    parts += _slots(h, g, occupied, colour)
    parts += _scale_bar(h, g)
    parts += _legend(h, g, pods, colour)
    parts += _title_block(h, spec, hall, g)
    parts.append(f"<desc>{escape('hubc floor plan of ' + hall.id)}</desc>")
    parts.append(f"<metadata>{escape(quoteattr(hall.id))}</metadata>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


@attrs.frozen(kw_only=True)
class _Sheet:
    """The drawing's geometry: hall to scale at (x0, y0), the sheet around it, rack depth."""

    scale: float  # px per mm
    x0: float
    y0: float
    draw_w: float
    draw_h: float
    width: float
    height: float
    rack_depth: float  # px
    slot_mm: float
    pitch_mm: float

    def sx(self, slot: int) -> float:
        return self.x0 + (slot - 1) * self.slot_mm * self.scale

    def row_mid(self, row: int) -> float:
        return self.y0 + (row - 0.5) * self.pitch_mm * self.scale


def _sheet(h, rts) -> _Sheet:
    length_mm = h.slots_per_row * h.slot_width_mm
    depth_mm = h.rows * h.row_pitch_mm
    scale = SHEET_W / length_mm
    # Keep very deep halls on a readable sheet.
    scale = min(scale, 1100.0 / depth_mm)
    draw_w = length_mm * scale
    draw_h = depth_mm * scale
    x0 = MARGIN + LABEL_W
    y0 = MARGIN + 60.0
    legend_h = 150.0
    rack_depth = max((rt.depth_mm for rt in rts.values()), default=1200.0) * scale
    return _Sheet(
        scale=scale,
        x0=x0,
        y0=y0,
        draw_w=draw_w,
        draw_h=draw_h,
        width=max(x0 + draw_w + LOAD_W + MARGIN, 1100.0),
        height=y0 + draw_h + 30.0 + legend_h + MARGIN,
        rack_depth=min(rack_depth, h.row_pitch_mm * scale * 0.8),
        slot_mm=h.slot_width_mm,
        pitch_mm=h.row_pitch_mm,
    )


def _header(h, spec, hall, g: _Sheet) -> list[str]:
    """The svg element, the white sheet, the title and the subtitle with the hall's figures."""
    it_kw = sum(r.it_kw for r in h.rows_report)
    title = f"{spec.campus.name} - {hall.id}"
    sub = (
        f"Floor plan, {h.rows} rows x {h.slots_per_row} slots, {len(h.racks)} racks, {_kw(it_kw)} IT per copy, "
        f"x{h.copies} {'copy' if h.copies == 1 else 'copies'}; leaf-to-spine cable {h.solved.cable_m:,.0f} m "
        f"({h.status.lower()}, gap {100 * h.gap:.2f}%)"
    )
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(g.width)}" height="{_fmt(g.height)}" '
            f'viewBox="0 0 {_fmt(g.width)} {_fmt(g.height)}" font-family="{SVG_FONT_STACK}">'
        ),
        f'<rect x="0" y="0" width="{_fmt(g.width)}" height="{_fmt(g.height)}" fill="#FFFFFF"/>',
        f'<text x="{_fmt(MARGIN)}" y="{_fmt(MARGIN + 10)}" font-size="22" font-weight="bold">{escape(title)}</text>',
        f'<text x="{_fmt(MARGIN)}" y="{_fmt(MARGIN + 34)}" font-size="13" fill="#333">{escape(sub)}</text>',
    ]


def _aisles(h, g: _Sheet) -> list[str]:
    """Hall outline and aisles: rows 2k-1 and 2k face each other across a contained hot aisle;
    pairs are separated by cold aisles."""
    out = [
        f'<rect x="{_fmt(g.x0)}" y="{_fmt(g.y0)}" width="{_fmt(g.draw_w)}" height="{_fmt(g.draw_h)}" fill="none" stroke="#000" stroke-width="1.5"/>'
    ]
    for r in range(1, h.rows):
        top = g.row_mid(r) + g.rack_depth / 2
        bottom = g.row_mid(r + 1) - g.rack_depth / 2
        if bottom <= top:
            continue
        hot = r % 2 == 1
        out.append(
            f'<rect x="{_fmt(g.x0)}" y="{_fmt(top)}" width="{_fmt(g.draw_w)}" height="{_fmt(bottom - top)}" '
            f'fill="{HOT if hot else COLD}"/>'
        )
        out.append(
            f'<text x="{_fmt(g.x0 + g.draw_w / 2)}" y="{_fmt((top + bottom) / 2 + 4)}" font-size="10" '
            f'text-anchor="middle" fill="#666">{"hot aisle" if hot else "cold aisle"}</text>'
        )
    return out


def _slots(h, g: _Sheet, occupied: dict, colour: dict[str, str]) -> list[str]:
    """Slots: empty outline, keep-outs hatched, racks coloured by pod; per row its pod labels
    and its load against its limits."""
    several_kinds = len({rk.pod_kind for rk in h.racks if rk.pod != "spine"}) > 1
    keep = {(r, s): why for r, s, why in h.keepout}
    out = [
        (
            '<defs><pattern id="ko" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="#E0E0E0"/><line x1="0" y1="0" x2="0" y2="6" stroke="{KEEPOUT}" stroke-width="3"/>'
            "</pattern></defs>"
        )
    ]
    for r in range(1, h.rows + 1):
        out.append(f'<text x="{_fmt(g.x0 - 8)}" y="{_fmt(g.row_mid(r) + 4)}" font-size="12" text-anchor="end">R{r}</text>')
        for s in range(1, h.slots_per_row + 1):
            out += _slot(g, r, s, keep, occupied, colour)
        out += _pod_labels(h, g, r, occupied, several_kinds)
        out.append(_row_load(h, g, r))
    return out


def _slot(g: _Sheet, r: int, s: int, keep: dict, occupied: dict, colour: dict[str, str]) -> list[str]:
    x = g.sx(s)
    y = g.row_mid(r) - g.rack_depth / 2
    sw = g.slot_mm * g.scale
    cell = (r, s)
    if cell in keep:
        reason = keep[cell] or "keep-out"
        return [
            (
                f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(sw)}" height="{_fmt(g.rack_depth)}" '
                f'fill="url(#ko)" stroke="#555" stroke-width="0.6"><title>{escape(f"row {r} slot {s}: {reason}")}</title></rect>'
            )
        ]
    if cell not in occupied:
        return [
            (
                f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(sw)}" height="{_fmt(g.rack_depth)}" '
                f'fill="none" stroke="#BBBBBB" stroke-width="0.5"/>'
            )
        ]
    rk = occupied[cell]
    fill = SPINE if rk.pod == "spine" else colour[rk.pod]
    tip = f"{rk.pod} / {rk.rack_type}: {rk.power_kw:g} kW (row {r} slot {s})"
    out = [
        (
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(sw)}" height="{_fmt(g.rack_depth)}" '
            f'fill="{fill}" stroke="#FFFFFF" stroke-width="0.8"><title>{escape(tip)}</title></rect>'
        )
    ]
    if rk.role == "network":
        out.append(f'<circle cx="{_fmt(x + sw / 2)}" cy="{_fmt(g.row_mid(r))}" r="{_fmt(max(1.5, sw / 5))}" fill="#FFFFFF"/>')
    if rk.pod == "spine":
        out.append(
            f'<text x="{_fmt(x + sw / 2)}" y="{_fmt(g.row_mid(r) + 4)}" font-size="{_fmt(min(11, sw * 0.8))}" '
            f'text-anchor="middle" fill="#FFFFFF" font-weight="bold">S</text>'
        )
    return out


def _pod_labels(h, g: _Sheet, r: int, occupied: dict, several_kinds: bool) -> list[str]:
    """Pod labels: instance number over the first rack of each pod in this row."""
    firsts: dict[str, int] = {}
    for s in range(1, h.slots_per_row + 1):
        rk = occupied.get((r, s))
        if rk is not None and rk.pod != "spine" and rk.pod not in firsts:
            firsts[rk.pod] = s
    out = []
    for pod, s in firsts.items():
        label = pod if several_kinds else pod.rsplit("-", 1)[-1]
        out.append(
            f'<text x="{_fmt(g.sx(s) + 2)}" y="{_fmt(g.row_mid(r) - g.rack_depth / 2 - 2)}" font-size="9" '
            f'fill="#333">{escape(label)}</text>'
        )
    return out


def _row_load(h, g: _Sheet, r: int) -> str:
    """The row's load against its busway, air and CDU limits; red above 95% of any."""
    rep = h.rows_report[r - 1]
    util = rep.utilisation()
    worst = max(util.items(), key=lambda kv: (kv[1], kv[0]))
    text = f"{_kw(rep.it_kw)} / {_kw(rep.busway_kw)} busway ({100 * util['busway']:.0f}%), air {100 * util['air']:.0f}%"
    if "liquid" in util:
        text += f", CDU {100 * util['liquid']:.0f}%"
    colour_txt = "#B00020" if worst[1] > 0.95 else "#222"
    return (
        f'<text x="{_fmt(g.x0 + g.draw_w + 10)}" y="{_fmt(g.row_mid(r) + 4)}" font-size="11" '
        f'fill="{colour_txt}">{escape(text)}</text>'
    )


def _scale_bar(h, g: _Sheet) -> list[str]:
    """Scale bar: 5 m."""
    bar = 5000 * g.scale
    yb = g.y0 + g.draw_h + 18
    return [
        f'<line x1="{_fmt(g.x0)}" y1="{_fmt(yb)}" x2="{_fmt(g.x0 + bar)}" y2="{_fmt(yb)}" stroke="#000" stroke-width="2"/>',
        f'<text x="{_fmt(g.x0 + bar + 6)}" y="{_fmt(yb + 4)}" font-size="11">5 m (slot {h.slot_width_mm:g} mm, row pitch {h.row_pitch_mm:g} mm)</text>',
    ]


def _legend(h, g: _Sheet, pods: list[str], colour: dict[str, str]) -> list[str]:
    """A swatch per pod kind (its first instance's colour), spine, keep-out and empty slot."""
    ly = g.y0 + g.draw_h + 40
    out = [f'<text x="{_fmt(MARGIN)}" y="{_fmt(ly + 12)}" font-size="13" font-weight="bold">Legend</text>']
    items: list[tuple[str, str]] = []
    kinds: dict[str, int] = {}
    for p in pods:
        kind = next(rk.pod_kind for rk in h.racks if rk.pod == p)
        kinds[kind] = kinds.get(kind, 0) + 1
    for kind, n in sorted(kinds.items()):
        first = next(p for p in pods if next(rk.pod_kind for rk in h.racks if rk.pod == p) == kind)
        items.append((colour[first], f'pod "{kind}" x{n} (a colour per instance, its id above)'))
    items.append((SPINE, f"spine racks ({sum(1 for rk in h.racks if rk.pod == 'spine')})"))
    items.append(("url(#ko)", "keep-out (column, in-row CDU, PDU)"))
    items.append(("none", "empty slot"))
    for i, (fill, label) in enumerate(items):
        col, line = divmod(i, 4)
        lx = MARGIN + col * 420
        yy = ly + 24 + line * 22
        out.append(f'<rect x="{_fmt(lx)}" y="{_fmt(yy)}" width="16" height="14" fill="{fill}" stroke="#777" stroke-width="0.6"/>')
        out.append(f'<text x="{_fmt(lx + 22)}" y="{_fmt(yy + 11)}" font-size="11">{escape(label)}</text>')
    out.append(f'<circle cx="{_fmt(MARGIN + 8)}" cy="{_fmt(ly + 24 + 4 * 22 + 7)}" r="3" fill="#FFF" stroke="#333"/>')
    out.append(f'<text x="{_fmt(MARGIN + 22)}" y="{_fmt(ly + 24 + 4 * 22 + 11)}" font-size="11">leaf (network) rack</text>')
    return out


def _title_block(h, spec, hall, g: _Sheet) -> list[str]:
    tw, th = 380.0, 110.0
    tx, ty = g.width - MARGIN - tw, g.height - MARGIN - th
    out = [f'<rect x="{_fmt(tx)}" y="{_fmt(ty)}" width="{_fmt(tw)}" height="{_fmt(th)}" fill="#FFF" stroke="#000" stroke-width="1.2"/>']
    rows_txt = [
        (f"{spec.campus.name}", 13, "bold"),
        (f"Campus {spec.campus.id} - hall {hall.id} (x{h.copies})", 11, "normal"),
        (f"{h.rows} rows x {h.slots_per_row} slots, {len(h.keepout)} keep-outs, {len(h.racks)} racks", 11, "normal"),
        (f"Row spread {h.solved.spread_kw:,} kW (peak row - least pod row); cable {h.solved.cable_m:,.0f} m", 11, "normal"),
        ("Drawn by hubc - rack placement (CP-SAT), to scale", 10, "normal"),
    ]
    for i, (t, size, weight) in enumerate(rows_txt):
        out.append(
            f'<text x="{_fmt(tx + 10)}" y="{_fmt(ty + 20 + i * 19)}" font-size="{size}" font-weight="{weight}">'
            f"{escape(t)}</text>"
        )
    return out


def _colours(racks, occupied) -> dict[str, str]:
    """A palette colour per pod instance, different from every pod beside it in the row or
    facing it across an aisle (greedy colouring in floor order: deterministic)."""
    cells: dict[str, list[tuple[int, int]]] = {}
    for rk in racks:
        if rk.pod != "spine":
            cells.setdefault(rk.pod, []).append((rk.row, rk.slot))
    order = sorted(cells, key=lambda p: (min(cells[p]), p))
    out: dict[str, str] = {}
    for n, pod in enumerate(order):
        near = set()
        for r, s in cells[pod]:
            for dr, ds in ((0, 1), (0, -1), (1, 0), (-1, 0), (0, 2), (0, -2)):
                other = occupied.get((r + dr, s + ds))
                if other is not None and other.pod != pod and other.pod in out:
                    near.add(out[other.pod])
        for k in range(len(PALETTE)):
            c = PALETTE[(n + k) % len(PALETTE)]
            if c not in near:
                out[pod] = c
                break
        else:
            out[pod] = PALETTE[n % len(PALETTE)]
    return out


def _pod_order(pod: str) -> tuple[str, int]:
    head, _, num = pod.rpartition("-")
    return (head, int(num)) if num.isdigit() else (pod, 0)
