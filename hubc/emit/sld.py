"""Single-line diagram: `ElectricalResult` + spec -> `sld.svg` and `sld.dot`.

The SVG is laid out here (no Graphviz at run time; like PowSyBl, each voltage level gets its
own horizontal band and equipment hangs from busbars in columns): utility and lines, the HV
busbar and main transformers, the MV busbar with its sections, generators, storage and
renewables, then one column group per distinct hall - a typical redundancy group of power
blocks (MV feeder, unit substation, LV board, UPS with battery, output board) and a typical row
fed A and B - marked "typical x N". Symbols follow IEC 60617 (breaker: switch with a cross at
the fixed contact; disconnector: switch with a bar; two-winding transformer: two circles;
generator: circle with G; converter: box with a diagonal). Every drawn element's `id` is the
equipment id in design.json, its `data-equipment` the BOM line. The DOT file is the same
topology written with the graphviz package (source only; nothing is rendered).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from hubc.spec.model import Spec

# geometry (px in the viewBox)
COL = 190  # one column
BAND_PAD = 14
Y_GRID, Y_HVBUS, Y_MTX = 120, 300, 430
Y_MVBUS, Y_FEEDER, Y_USS = 540, 600, 760
Y_LVBUS, Y_UPS, Y_OUTBUS, Y_BWBRK, Y_ROW = 830, 930, 1040, 1100, 1230
BANDS = (  # (label key, top, bottom)
    ("hv", 60, 430),
    ("mv", 430, 760),
    ("lv", 760, 1370),
)
BAND_FILL = {"hv": "#fbe9e7", "mv": "#e8f0fe", "lv": "#e8f5e9"}
MAX_DRAWN_TX = 12


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, s: str) -> None:
        self.parts.append(s)

    def line(self, x1, y1, x2, y2, cls="w") -> None:
        self.add(f'<line class="{cls}" x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}"/>')

    def text(self, x, y, s, cls="t", anchor="middle") -> None:
        self.add(f'<text class="{cls}" x="{x:g}" y="{y:g}" text-anchor="{anchor}">{escape(s)}</text>')

    def lines(self, x, y, rows, cls="t", anchor="middle", dy=14) -> None:
        for i, r in enumerate(rows):
            self.text(x, y + i * dy, r, cls, anchor)

    def group(self, eid: str, equipment: str, body: str) -> None:
        self.add(f"<g id={quoteattr(eid)} data-equipment={quoteattr(equipment)}>{body}</g>")


# ------------------------------------------------------------------------ symbols


def breaker(x, y) -> str:
    """IEC 60617 07-13-05: make contact with a cross at the fixed contact; conductor y-20..y+20."""
    return (
        f'<line class="w" x1="{x}" y1="{y - 20}" x2="{x}" y2="{y - 9}"/>'
        f'<line class="w" x1="{x}" y1="{y + 9}" x2="{x}" y2="{y + 20}"/>'
        f'<line class="w" x1="{x}" y1="{y + 9}" x2="{x - 9}" y2="{y - 8}"/>'
        f'<line class="w" x1="{x - 4}" y1="{y - 13}" x2="{x + 4}" y2="{y - 5}"/>'
        f'<line class="w" x1="{x + 4}" y1="{y - 13}" x2="{x - 4}" y2="{y - 5}"/>'
    )


def disconnector(x, y) -> str:
    """IEC 60617 07-13-06: make contact with a bar at the fixed contact."""
    return (
        f'<line class="w" x1="{x}" y1="{y - 20}" x2="{x}" y2="{y - 9}"/>'
        f'<line class="w" x1="{x}" y1="{y + 9}" x2="{x}" y2="{y + 20}"/>'
        f'<line class="w" x1="{x}" y1="{y + 9}" x2="{x - 9}" y2="{y - 8}"/>'
        f'<line class="w" x1="{x - 5}" y1="{y - 9}" x2="{x + 5}" y2="{y - 9}"/>'
    )


def transformer(x, y) -> str:
    """IEC 60617 06-09-02: two-winding transformer, two overlapping circles; terminals y-32, y+32."""
    return (
        f'<line class="w" x1="{x}" y1="{y - 32}" x2="{x}" y2="{y - 24}"/>'
        f'<circle class="s" cx="{x}" cy="{y - 9}" r="15"/>'
        f'<circle class="s" cx="{x}" cy="{y + 9}" r="15"/>'
        f'<line class="w" x1="{x}" y1="{y + 24}" x2="{x}" y2="{y + 32}"/>'
    )


def generator(x, y) -> str:
    """IEC 60617 06-04-01 (G): circle with G and ~ ; terminal at the top y-22."""
    return (
        f'<line class="w" x1="{x}" y1="{y - 28}" x2="{x}" y2="{y - 20}"/>'
        f'<circle class="s" cx="{x}" cy="{y}" r="20"/>'
        f'<text class="sym" x="{x}" y="{y + 2}" text-anchor="middle">G</text>'
        f'<text class="sym2" x="{x}" y="{y + 14}" text-anchor="middle">~</text>'
    )


def converter(x, y, top="~", bottom="=", w=44) -> str:
    """IEC 60617 06-14 converter: square with a diagonal, input and output kinds in the corners."""
    h = w
    x0, y0 = x - w / 2, y - h / 2
    return (
        f'<rect class="s" x="{x0:g}" y="{y0:g}" width="{w}" height="{h}"/>'
        f'<line class="w" x1="{x0:g}" y1="{y0 + h:g}" x2="{x0 + w:g}" y2="{y0:g}"/>'
        f'<text class="sym2" x="{x0 + 11:g}" y="{y0 + 16:g}" text-anchor="middle">{escape(top)}</text>'
        f'<text class="sym2" x="{x0 + w - 11:g}" y="{y0 + h - 6:g}" text-anchor="middle">{escape(bottom)}</text>'
    )


def battery(x, y) -> str:
    """IEC 60617 06-15-01: cells as long and short plates; terminals y-16, y+16."""
    return (
        f'<line class="w" x1="{x}" y1="{y - 16}" x2="{x}" y2="{y - 6}"/>'
        f'<line class="w" x1="{x - 14}" y1="{y - 6}" x2="{x + 14}" y2="{y - 6}"/>'
        f'<line class="b" x1="{x - 8}" y1="{y}" x2="{x + 8}" y2="{y}"/>'
        f'<line class="w" x1="{x - 14}" y1="{y + 6}" x2="{x + 14}" y2="{y + 6}"/>'
        f'<line class="b" x1="{x - 8}" y1="{y + 12}" x2="{x + 8}" y2="{y + 12}"/>'
    )


def pv(x, y) -> str:
    """PV generator: a cell (IEC 60617 06-15) in a box with incident-light arrows."""
    return (
        f'<rect class="s" x="{x - 20}" y="{y - 18}" width="40" height="36"/>'
        f'<line class="w" x1="{x - 10}" y1="{y - 2}" x2="{x + 10}" y2="{y - 2}"/>'
        f'<line class="b" x1="{x - 5}" y1="{y + 5}" x2="{x + 5}" y2="{y + 5}"/>'
        f'<line class="w" x1="{x - 34}" y1="{y - 34}" x2="{x - 22}" y2="{y - 22}"/>'
        f'<line class="w" x1="{x - 26}" y1="{y - 38}" x2="{x - 14}" y2="{y - 26}"/>'
        f'<text class="sym2" x="{x}" y="{y - 6}" text-anchor="middle">PV</text>'
    )


def wind(x, y) -> str:
    """Wind turbine generator: generator circle with a three-blade rotor above it."""
    return (
        f'<circle class="s" cx="{x}" cy="{y}" r="18"/>'
        f'<text class="sym" x="{x}" y="{y + 5}" text-anchor="middle">G</text>'
        f'<line class="w" x1="{x}" y1="{y - 18}" x2="{x}" y2="{y - 38}"/>'
        f'<line class="w" x1="{x}" y1="{y - 38}" x2="{x}" y2="{y - 58}"/>'
        f'<line class="w" x1="{x}" y1="{y - 38}" x2="{x - 17}" y2="{y - 28}"/>'
        f'<line class="w" x1="{x}" y1="{y - 38}" x2="{x + 17}" y2="{y - 28}"/>'
    )


def grid_source(x, y) -> str:
    """Network infeed: a hatched box (the utility system as a source)."""
    hatch = "".join(
        f'<line class="thin" x1="{x - 26 + i * 16}" y1="{y + 18}" x2="{x - 8 + i * 16}" y2="{y - 18}"/>' for i in range(3)
    )
    return f'<rect class="s" x="{x - 30}" y="{y - 18}" width="60" height="36"/>' + hatch + (
        f'<line class="w" x1="{x}" y1="{y + 18}" x2="{x}" y2="{y + 18}"/>'
    )


# --------------------------------------------------------------------------- emit


def emit_sld(result, spec: Spec, energy=None) -> dict[str, bytes]:
    """The SLD of the electrical result; BESS and renewables are labelled as the energy stage
    sized them (`energy`: its `EnergyResult`), never with an unresolved spec value ("auto")."""
    sized = _sized_plant(energy)
    return {
        "sld.svg": _svg(result, spec, sized).encode("utf-8"),
        "sld.dot": _dot(result, spec).encode("utf-8"),
    }


def _sized_plant(energy) -> dict[str, list[str]]:
    """Plant id -> its label lines as built: renewables' capacity, the BESS's MWh and MW."""
    out: dict[str, list[str]] = {}
    if energy is None:
        return out
    for p in energy.plants:
        unit = "MWp" if p.kind == "solar" else "MW"
        out[p.id] = [f"{p.capacity_mw:,.0f} {unit}" + (" (sized)" if p.sized else "")]
    b = energy.bess
    if b is not None:
        out[b.id] = [
            f"{b.installed_energy_mwh:,.0f} MWh / {b.installed_power_mw:,.0f} MW" + (" (sized)" if b.energy_sized else ""),
            f"{b.containers} x {b.container_name}",
            ", ".join(b.roles),
        ]
    return out


def _hall_layout(result):
    """Per distinct hall: blocks of the first (typical) group and how often the group repeats."""
    out = []
    for h in result.assignment.halls:
        groups = sorted({b.group for b in h.blocks})
        first = [b for b in h.blocks if b.group == groups[0]] if groups else []
        out.append((h, first, len(groups)))
    return out


def _svg(result, spec: Spec, sized: dict[str, list[str]]) -> str:
    sz, asg = result.sizing, result.assignment
    e = spec.electrical
    svg = _Svg()
    halls = _hall_layout(result)

    # ---- columns on the MV bus: generators, storage, renewables, mechanical, then halls
    plant_cols: list[tuple[str, str]] = [("gen", "campus/generator")]
    if spec.bess is not None:
        plant_cols.append(("bess", spec.bess.id))
    for r in spec.renewable:
        if r.kind == "solar":
            plant_cols.append(("pv", r.id))
        elif r.kind in ("onshore-wind", "offshore-wind"):
            plant_cols.append(("wind", r.id))
    if asg.mech_feeders:
        plant_cols.append(("mech", "campus/mechanical-unit-substation"))
    x = 200
    plant_x = []
    for _ in plant_cols:
        plant_x.append(x)
        x += COL
    x += 40
    hall_x = []
    for h, blocks, _ in halls:
        xs = [x + i * COL for i in range(max(1, len(blocks)))]
        hall_x.append(xs)
        x = xs[-1] + COL + 70
    width = max(x + 40, 1500)
    n_tx = sz.main_tx_count
    # up to MAX_DRAWN_TX transformers drawn one by one; more: one typical unit, marked x N
    drawn_tx = n_tx if n_tx <= MAX_DRAWN_TX else 1
    tx_span = max(1, drawn_tx) * 170
    width = max(width, tx_span + 400)
    height = 1560
    mv_x0, mv_x1 = 60, width - 60

    # ---- voltage bands
    hv_label = f"HV {spec.substation.hv_voltage_kv:g} kV" if n_tx else f"MV {sz.mv_voltage_kv:g} kV (supply)"
    labels = {"hv": hv_label, "mv": f"MV {sz.mv_voltage_kv:g} kV", "lv": f"LV {sz.lv_voltage_v:g} V"}
    for key, top, bottom in BANDS:
        svg.add(f'<rect class="band" id="band-{key}" x="0" y="{top}" width="{width}" height="{bottom - top}" fill="{BAND_FILL[key]}"/>')
        svg.text(12, top + 24, labels[key], "bandl", "start")

    # ---- utility, lines, HV bus
    cx = width / 2
    tl = spec.transmission
    circuits = sum(t.circuits for t in tl) if tl else spec.grid.circuits
    grid_name = spec.grid.utility_substation or "KEPCO"
    svg.group("grid", "grid", grid_source(cx, Y_GRID - 40))
    svg.lines(cx + 45, Y_GRID - 50, [f"{grid_name}", f"{spec.grid.interconnect_voltage_kv:g} kV, contract {spec.grid.contract_mw:,.0f} MW"], "t", "start")
    n_draw_c = min(circuits, 6)
    for i in range(n_draw_c):
        lx = cx + (i - (n_draw_c - 1) / 2) * 60
        body = f'<line class="w" x1="{cx}" y1="{Y_GRID - 22}" x2="{lx}" y2="{Y_GRID + 10}"/>'
        body += f'<line class="w" x1="{lx}" y1="{Y_GRID + 10}" x2="{lx}" y2="{Y_GRID + 60}"/>'
        body += disconnector(lx, Y_GRID + 80) + breaker(lx, Y_GRID + 130)
        body += f'<line class="w" x1="{lx}" y1="{Y_GRID + 150}" x2="{lx}" y2="{Y_HVBUS if sz.main_tx_count else Y_MVBUS}"/>'
        lid = f"{tl[0].id}.c{i + 1}" if tl else f"grid.c{i + 1}"
        svg.group(lid, tl[0].id if tl else "grid", body)
    desc = [f"{t.id}: {t.voltage_kv:g} kV, {t.length_km:g} km, {t.circuits} circuits {t.construction}" for t in tl] or [f"{circuits} utility circuits"]
    svg.lines(cx + (n_draw_c - 1) * 30 + 30, Y_GRID + 40, desc + (["typical x %d circuits (N-1)" % circuits] if circuits > n_draw_c else ["N-1"]), "t", "start")

    # HV bus (or, for MV supply, the MV bus is fed straight)
    tx_x = [cx + (i - (drawn_tx - 1) / 2) * 170 for i in range(drawn_tx)]
    if n_tx:
        bx0, bx1 = min(tx_x + [cx - 100]) - 60, max(tx_x + [cx + 100]) + 60
        svg.group(f"{sz.substation_id}/hv-bus", f"{sz.substation_id}/hv-switchgear", f'<line class="bus" x1="{bx0}" y1="{Y_HVBUS}" x2="{bx1}" y2="{Y_HVBUS}"/>')
        svg.text(bx0, Y_HVBUS - 10, f"{spec.substation.id} {spec.substation.hv_voltage_kv:g} kV busbar (GIS)", "t", "start")
        ids = sz.main_tx_ids()
        for i, tx in enumerate(tx_x):
            tid = ids[i] if drawn_tx == n_tx else f"{sz.substation_id}/main-transformer-typical"
            body = breaker(tx, Y_HVBUS + 24) + f'<line class="w" x1="{tx}" y1="{Y_HVBUS}" x2="{tx}" y2="{Y_HVBUS + 4}"/>'
            body += f'<line class="w" x1="{tx}" y1="{Y_HVBUS + 44}" x2="{tx}" y2="{Y_MTX - 32}"/>' + transformer(tx, Y_MTX)
            body += f'<line class="w" x1="{tx}" y1="{Y_MTX + 32}" x2="{tx}" y2="{Y_MVBUS - 44}"/>' + breaker(tx, Y_MVBUS - 24)
            body += f'<line class="w" x1="{tx}" y1="{Y_MVBUS - 4}" x2="{tx}" y2="{Y_MVBUS}"/>'
            svg.group(tid, f"{sz.substation_id}/main-transformer", body)
            if drawn_tx == n_tx:
                svg.text(tx + 22, Y_MTX - 2, tid, "t", "start")
                svg.lines(tx + 22, Y_MTX + 12, [f"{sz.main_tx_mva:g} MVA", f"{spec.substation.hv_voltage_kv:g}/{sz.mv_voltage_kv:g} kV"], "t", "start")
        note = f"{n_tx} x {sz.main_tx_mva:g} MVA ({sz.main_tx_redundancy})"
        if drawn_tx < n_tx:
            note = f"typical x {n_tx}: {sz.main_tx_mva:g} MVA {spec.substation.hv_voltage_kv:g}/{sz.mv_voltage_kv:g} kV ({sz.main_tx_redundancy})"
        nx = min(tx_x) - 60
        svg.text(nx, Y_MTX - 24, note, "tb", "end")
        top_load = max(asg.section_kva) / (sz.main_tx_mva * 1000) if asg.section_kva else 0
        svg.text(nx, Y_MTX - 6, f"normal loading <= {top_load:.0%}; any one out: {sum(asg.section_kva) / ((n_tx - 1) * sz.main_tx_mva * 1000) if n_tx > 1 else 0:.0%}", "t", "end")

    # ---- MV bus with sections and ties
    n_sec = max(1, drawn_tx)
    sec_edges = [mv_x0 + (mv_x1 - mv_x0) * i / n_sec for i in range(n_sec + 1)]
    body = ""
    for i in range(n_sec):
        a, b = sec_edges[i] + (10 if i else 0), sec_edges[i + 1] - (10 if i + 1 < n_sec else 0)
        body += f'<line class="bus" x1="{a:g}" y1="{Y_MVBUS}" x2="{b:g}" y2="{Y_MVBUS}"/>'
    svg.group(f"{sz.substation_id}/mv-bus", f"{sz.substation_id}/mv-switchgear", body)
    for i in range(1, n_sec):
        tx = sec_edges[i]
        svg.group(
            f"{sz.substation_id}/bus-tie-{i}",
            f"{sz.substation_id}/mv-switchgear",
            f'<line class="w" x1="{tx - 10:g}" y1="{Y_MVBUS}" x2="{tx - 8:g}" y2="{Y_MVBUS}"/><rect class="s" x="{tx - 7:g}" y="{Y_MVBUS - 7}" width="14" height="14"/>'
            f'<text class="t" x="{tx:g}" y="{Y_MVBUS + 24}" text-anchor="middle">N.O.</text>',
        )
    svg.text(mv_x0, Y_MVBUS - 12, f"{sz.mv_voltage_kv:g} kV switchgear, {max(1, n_tx)} section(s), bus ties normally open, 25 kA; feeders spread over sections (design.json)", "t", "start")
    # ---- plant columns
    for (kind, eid), px in zip(plant_cols, plant_x):
        body = f'<line class="w" x1="{px}" y1="{Y_MVBUS}" x2="{px}" y2="{Y_FEEDER - 20}"/>' + breaker(px, Y_FEEDER)
        body += f'<line class="w" x1="{px}" y1="{Y_FEEDER + 20}" x2="{px}" y2="{Y_FEEDER + 70}"/>'
        if kind == "gen":
            body += generator(px, Y_FEEDER + 98)
            svg.group("campus/generator", "campus/generator", body)
            svg.lines(px, Y_FEEDER + 140, [f"typical x {sz.generators}", f"{sz.generator_kw:g} kW DCC", f"{e.generator_redundancy}, MV genset plant"], "t")
        elif kind == "bess":
            body += converter(px, Y_FEEDER + 92, "=", "~") + f'<line class="w" x1="{px}" y1="{Y_FEEDER + 114}" x2="{px}" y2="{Y_FEEDER + 134}"/>' + battery(px, Y_FEEDER + 150)
            svg.group(eid, "bess", body)
            svg.lines(px, Y_FEEDER + 185, [f"BESS {eid}", *sized.get(eid, ["not sized"])], "t")
        elif kind == "pv":
            body += converter(px, Y_FEEDER + 92, "=", "~") + f'<line class="w" x1="{px}" y1="{Y_FEEDER + 114}" x2="{px}" y2="{Y_FEEDER + 142}"/>' + pv(px, Y_FEEDER + 160)
            svg.group(eid, "solar-pv", body)
            svg.lines(px, Y_FEEDER + 200, [f"PV {eid}", *sized.get(eid, ["not sized"])], "t")
        elif kind == "wind":
            body += wind(px, Y_FEEDER + 128)
            svg.group(eid, "wind-turbine", body)
            svg.lines(px, Y_FEEDER + 185, [f"wind {eid}", *sized.get(eid, ["not sized"])], "t")
        elif kind == "mech":
            body += f'<line class="w" x1="{px}" y1="{Y_FEEDER + 70}" x2="{px}" y2="{Y_USS - 32}"/>' + transformer(px, Y_USS)
            body += f'<line class="w" x1="{px}" y1="{Y_USS + 32}" x2="{px}" y2="{Y_LVBUS}"/>'
            body += f'<line class="bus" x1="{px - 40}" y1="{Y_LVBUS}" x2="{px + 40}" y2="{Y_LVBUS}"/>'
            svg.group("campus/mechanical-unit-substation", "campus/mechanical-unit-substation", body)
            svg.lines(px + 22, Y_USS - 6, [f"{sz.uss_kva:g} kVA", "mech."], "t", "start")
            svg.lines(px, Y_LVBUS + 22, [f"typical x {sz.mech_uss} (N+1)", f"{len(asg.mech_feeders)} MV feeders", f"non-UPS {sz.mechanical_kw / 1000:,.1f} MW", "heat rejection, house"], "t")

    # ---- halls
    pf = sz.power_factor
    cables = {(d.hall, d.feeder): d.cable for d in result.feeder_designs}
    for (h, blocks, ngroups), xs in zip(halls, hall_x):
        hp = sz.hall(h.hall)
        feeder_of = {b: f.id for f in h.feeders for b in f.blocks}
        gx0, gx1 = xs[0] - 100, xs[-1] + 70
        svg.add(f'<rect class="typ" x="{gx0}" y="{Y_FEEDER - 34}" width="{gx1 - gx0}" height="{Y_ROW + 124 - Y_FEEDER}"/>')
        svg.text(gx0 + 6, Y_ROW + 84, f"{h.hall}: typical x {ngroups * h.copies} ({ngroups} per hall x {h.copies} halls), {sz.topology.label}", "tb", "start")
        for b, bx in zip(blocks, xs):
            body = f'<line class="w" x1="{bx}" y1="{Y_MVBUS}" x2="{bx}" y2="{Y_FEEDER - 20}"/>' + breaker(bx, Y_FEEDER)
            body += f'<line class="cable" x1="{bx}" y1="{Y_FEEDER + 20}" x2="{bx}" y2="{Y_USS - 32}"/>'
            fid = feeder_of.get(b.id, f"{h.hall}.mvf")
            svg.group(f"{fid}@{b.id}", f"{h.hall}/mv-cable", body)
            cab = cables.get((h.hall, fid))
            cab_txt = (f"{cab.parallel} x {cab.size_mm2:g} mm2" if cab.parallel > 1 else f"{cab.size_mm2:g} mm2") if cab else f"{sz.feeder_cable_mm2:g} mm2"
            svg.lines(bx + 6, Y_FEEDER + 40, [fid.split(".")[-1], cab_txt, f"{sz.feeder_breaker_a:g} A"], "ts", "start")
            svg.group(f"{b.id}/uss", f"{h.hall}/unit-substation", transformer(bx, Y_USS) + f'<line class="w" x1="{bx}" y1="{Y_USS + 32}" x2="{bx}" y2="{Y_LVBUS}"/>')
            svg.lines(bx + 20, Y_USS - 4, [f"{sz.uss_kva:g} kVA", f"Z {sz.uss_z_pu:.2%}"], "ts", "start")
            svg.group(
                f"{b.id}/lv-board",
                f"{h.hall}/lv-switchboard",
                f'<line class="bus" x1="{bx - 50}" y1="{Y_LVBUS}" x2="{bx + 50}" y2="{Y_LVBUS}"/>' + breaker(bx, Y_LVBUS + 30) + f'<line class="w" x1="{bx}" y1="{Y_LVBUS + 50}" x2="{bx}" y2="{Y_UPS - 22}"/>',
            )
            svg.text(bx + 8, Y_LVBUS - 8, f"{sz.lv_board_frame_a:g} A {sz.lv_fault_ka:g} kA", "ts", "start")
            ups_body = converter(bx, Y_UPS, "~", "~") + f'<line class="w" x1="{bx + 22}" y1="{Y_UPS}" x2="{bx + 40}" y2="{Y_UPS}"/>' + battery(bx + 40, Y_UPS + 28)
            ups_body += f'<line class="w" x1="{bx}" y1="{Y_UPS + 22}" x2="{bx}" y2="{Y_OUTBUS}"/>'
            svg.group(b.id, f"{h.hall}/ups-module", ups_body)
            role = {"catcher": "catcher", "active": "active"}.get(b.role, "")
            svg.lines(bx - 28, Y_UPS + 40, [f"UPS {b.id.split('.')[-1]}", *([role] if role else []), f"{sz.modules_per_block} x {sz.module_kw:g} kW", f"block {sz.block_kw:g} kW", f"{e.ups_autonomy_min:g} min battery"], "ts", "end")
            svg.group(f"{b.id}/out-board", f"{h.hall}/lv-switchboard", f'<line class="bus" x1="{bx - 50}" y1="{Y_OUTBUS}" x2="{bx + 50}" y2="{Y_OUTBUS}"/>')
        # typical row: A from the first block, B from its partner (or the catcher)
        cords = [c for c in h.cords if c.a == (blocks[0].id if blocks else "") and c.item.split(".")[-1].startswith("row")]
        cord = cords[0] if cords else (h.cords[0] if h.cords else None)
        if cord is not None:
            pos = {b.id: bx for b, bx in zip(blocks, xs)}
            ax = pos.get(cord.a, xs[0])
            bxp = pos.get(cord.b, xs[-1]) if cord.b else None
            rx = (ax + (bxp if bxp is not None else ax)) / 2
            for side, sx in (("a", ax), ("b", bxp)):
                if sx is None:
                    continue
                off = -8 if side == "a" else 8
                body = breaker(sx + off, Y_BWBRK) + f'<line class="w" x1="{sx + off}" y1="{Y_OUTBUS}" x2="{sx + off}" y2="{Y_BWBRK - 20}"/>'
                body += f'<polyline class="bw{side}" points="{sx + off},{Y_BWBRK + 20} {sx + off},{Y_ROW - 40} {rx + off},{Y_ROW - 40} {rx + off},{Y_ROW - 14}"/>'
                svg.group(f"{cord.item}/busway-{side}", f"{h.hall}/busway", body)
            svg.group(
                cord.item,
                "gpu-rack",
                f'<rect class="load" x="{rx - 60}" y="{Y_ROW - 14}" width="120" height="34"/>'
                f'<text class="ts" x="{rx}" y="{Y_ROW + 7}" text-anchor="middle">{escape(cord.item.split(".")[-1])} (typical)</text>',
            )
            nrows = sum(1 for it in hp.items if it.kind == "row")
            svg.lines(
                rx,
                Y_ROW + 38,
                [
                    f"row busways A/B {hp.busway_frame_a:g} A ({hp.row_busway_kw:g} kW per feed, {pf:g} PF)",
                    f"typical x {nrows * h.copies} rows; row load {cord.kw:,.0f} kW",
                    f"hall critical {hp.critical_kw / 1000:,.1f} MW per copy (IT + CDUs)",
                ],
                "ts",
            )

    # ---- legend and title block
    lx, ly = 20, height - 175
    svg.add(f'<rect class="frame" x="{lx}" y="{ly}" width="560" height="160"/>')
    svg.text(lx + 10, ly + 18, "Legend (IEC 60617)", "tb", "start")
    items = [
        (breaker, "circuit breaker"),
        (disconnector, "disconnector"),
        (transformer, "transformer"),
        (lambda x, y: generator(x, y), "generator"),
        (lambda x, y: converter(x, y, "~", "~", 30), "UPS (rectifier/inverter)"),
        (battery, "battery / BESS"),
    ]
    for i, (fn, label) in enumerate(items):
        col, row = i % 3, i // 3
        sx, sy = lx + 40 + col * 180, ly + 62 + row * 70
        svg.add(f'<g class="legend">{fn(sx, sy)}</g>')
        svg.text(sx + 30, sy + 4, label, "ts", "start")
    tx0 = width - 820
    svg.add(f'<rect class="frame" x="{tx0}" y="{ly}" width="800" height="160"/>')
    svg.lines(
        tx0 + 12,
        ly + 22,
        [
            f"{spec.campus.name} ({spec.campus.id})",
            "Single-line diagram - electrical stage of hubc",
            f"IT {sz.it_kw / 1000:,.1f} MW, UPS load {sz.critical_kw / 1000:,.1f} MW, facility peak {sz.facility_kw / 1000:,.1f} MW / {sz.facility_kva / 1000:,.1f} MVA",
            f"UPS {sz.topology.label}: {result.installed.ups_blocks} blocks x {sz.block_kw:g} kW; Tier {spec.policy.tier}; paths {sz.paths}",
            f"failure scenarios checked: {len(result.verification.scenarios)}; worst {(_worst(result))}",
        ],
        "tb",
        "start",
        dy=20,
    )
    scale_w = "1189mm" if width > 3000 else "841mm"
    aspect = height / width
    wmm = float(scale_w[:-2])
    style = (
        "<style>"
        ".w{stroke:#111;stroke-width:2;fill:none}.thin{stroke:#555;stroke-width:1}"
        ".s{stroke:#111;stroke-width:2;fill:#fff}.b{stroke:#111;stroke-width:4}"
        ".bus{stroke:#000;stroke-width:7;stroke-linecap:square}"
        ".cable{stroke:#111;stroke-width:2;stroke-dasharray:8 4;fill:none}"
        ".bwa{stroke:#c62828;stroke-width:3;fill:none}.bwb{stroke:#1565c0;stroke-width:3;fill:none}"
        ".typ{fill:none;stroke:#555;stroke-width:1.5;stroke-dasharray:10 6}"
        ".load{fill:#fff8e1;stroke:#111;stroke-width:1.5}.frame{fill:#fff;stroke:#111;stroke-width:1.5}"
        ".band{stroke:none}"
        "text{font-family:'DejaVu Sans',Arial,sans-serif;fill:#111}"
        ".t{font-size:13px}.ts{font-size:12px}.tb{font-size:14px;font-weight:bold}.bandl{font-size:20px;font-weight:bold;fill:#555}"
        ".sym{font-size:16px;font-weight:bold}.sym2{font-size:13px}"
        "</style>"
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{wmm:g}mm" height="{wmm * aspect:.1f}mm" '
        f'viewBox="0 0 {width:g} {height:g}">'
        f"<title>{escape(spec.campus.name)} single-line diagram</title>{style}"
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#fff"/>'
    )
    return head + "".join(svg.parts) + "</svg>\n"


def _worst(result) -> str:
    w = result.verification.worst
    if w is None:
        return "-"
    if w.worst_loading is None:
        return f"unbounded ({w.worst_component})"
    return f"{w.worst_loading:.0%} ({w.worst_component})"


def _dot(result, spec: Spec) -> str:
    import graphviz

    sz, asg = result.sizing, result.assignment
    g = graphviz.Digraph("sld", graph_attr={"rankdir": "TB", "label": f"{spec.campus.name} single-line topology"}, node_attr={"shape": "box", "fontsize": "10"})
    g.node("grid", f"{spec.grid.utility_substation or 'KEPCO'}\\n{spec.grid.interconnect_voltage_kv:g} kV")
    mv = f"{sz.substation_id}/mv-bus"
    g.node(mv, f"MV bus {sz.mv_voltage_kv:g} kV", shape="underline")
    if sz.main_tx_count:
        hv = f"{sz.substation_id}/hv-bus"
        g.node(hv, f"HV bus {spec.substation.hv_voltage_kv:g} kV", shape="underline")
        g.edge("grid", hv, label=f"{spec.grid.circuits} circuits")
        for i, tid in enumerate(sz.main_tx_ids()):
            g.node(tid, f"{tid}\\n{sz.main_tx_mva:g} MVA\\n{asg.section_kva[i] / 1000:,.1f} MVA normal", shape="doublecircle")
            g.edge(hv, tid)
            g.edge(tid, mv)
    else:
        g.edge("grid", mv)
    g.node("campus/generator", f"generators x {sz.generators}\\n{sz.generator_kw:g} kW DCC", shape="circle")
    g.edge("campus/generator", mv)
    for f in asg.mech_feeders:
        g.node(f.id, f"{f.id}\\n{f.normal_kva:,.0f} kVA")
        g.edge(mv, f.id)
    for h in asg.halls:
        with g.subgraph(name=f"cluster_{h.hall}") as c:
            c.attr(label=f"{h.hall} (x {h.copies} copies, {sz.topology.label})")
            for f in h.feeders:
                c.node(f.id, f"{f.id}\\n{f.normal_kva:,.0f} kVA")
                g.edge(mv, f.id)
                for b in f.blocks:
                    c.node(b, f"{b}\\nUSS {sz.uss_kva:g} kVA + UPS {sz.block_kw:g} kW")
                    g.edge(f.id, b)
            for cd in h.cords:
                c.node(cd.item, f"{cd.item}\\n{cd.kw:,.0f} kW", shape="note")
                g.edge(cd.a, cd.item, label="A", color="red")
                if cd.b:
                    g.edge(cd.b, cd.item, label="B", color="blue")
    return g.source
