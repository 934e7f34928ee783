"""Single-line diagram drawn from the electrical network: `sld.svg` (the overview), one sheet per
distinct hall's typical copy (`sld/<hall>.svg`), and `sld.dot` (the topology as DOT).

In: the `Network` the electrical stage built, the studies' short-circuit duty and the chosen
switchgear rating at each bus, the plants as the energy stage sized them, and the feed assignment
for what the network does not model (UPS outputs and the row busways fed A and B). Out: SVG sheets
on ISO 216 paper in millimetres (IEC 60617 symbols, a signable title block) whose element ids are
the network's element ids. Layout per voltage level, positions first, then drawing (PowSyBl's
approach): `view` reads the network into levels, sections and bays; `overview` and `typical` place
and draw them; `bays`, `symbols`, `sheet` hold the pieces.
"""

from __future__ import annotations

import re

import attrs

from hubc.electrical.network import Network
from hubc.emit.sld.bays import Ctx
from hubc.emit.sld.dot import topology_dot
from hubc.emit.sld.inputs import BusDuty, HallSheet, SldInput, TitleInfo, sized_plants, sld_input
from hubc.emit.sld.overview import INSET_GAP, inset_room, overview_parts, overview_sheet
from hubc.emit.sld.sheet import Sheet
from hubc.emit.sld.typical import TIER_H, hall_parts, natural_width, typical_feeders, typical_sheet


def emit_sld(result, spec, energy=None) -> dict[str, bytes]:
    """The SLD of the electrical result; BESS and renewables are labelled as the energy stage
    sized them (`energy`: its `EnergyResult`), never with an unresolved spec value ("auto")."""
    return render_sld(sld_input(result, spec, energy))


def sheet_file(hall: str) -> str:
    """`sld/<hall>.svg`, the hall id made safe as a file name."""
    return "sld/" + (re.sub(r"[^A-Za-z0-9._-]", "_", hall).lstrip(".") or "hall") + ".svg"


def render_sld(inp: SldInput) -> dict[str, bytes]:
    """The sheets: the overview (on continuation sheets `sld/overview.<n>.svg` when not even A0
    holds it), then one per distinct hall's typical copy (`sld/<hall>.svg`, continued on
    `sld/<hall>.<n>.svg` when not even A0 holds it) - unless every typical fits beside the
    overview on one A1 sheet (a small campus), which is then the whole drawing."""
    halls = [h for h in inp.halls if any(b.area == h.hall and b.copy == 1 and b.role == "feeder-end" for b in inp.network.buses)]
    one = Ctx(inp=inp, sheet_of={h.hall: 1 for h in halls})
    if halls and _inset_fits(one, halls):
        return {"sld.svg": overview_sheet(one, 1, 1, halls).encode("utf-8"), "sld.dot": _dot(inp)}
    parts = overview_parts(one)
    hall_sheets = [(h, *hall_parts(one, h)) for h in halls]
    of = len(parts) + sum(len(feeders) for _h, _size, feeders in hall_sheets)
    sheet_of, n = {}, len(parts)
    for h, _size, feeders in hall_sheets:
        sheet_of[h.hall], n = n + 1, n + len(feeders)
    ctx = Ctx(inp=inp, sheet_of=sheet_of, section_sheet=_section_sheets(parts))
    out: dict[str, str] = {}
    for i, piece in enumerate(parts):
        name = "sld.svg" if i == 0 else f"sld/overview.{i + 1}.svg"
        out[name] = overview_sheet(attrs.evolve(ctx, inp=attrs.evolve(inp, network=piece)), i + 1, of, parts=len(parts))
    for h, size, feeders in hall_sheets:
        for i, some in enumerate(feeders):
            name = sheet_file(h.hall) if i == 0 else sheet_file(h.hall).removesuffix(".svg") + f".{i + 1}.svg"
            out[name] = typical_sheet(ctx, h, size, some, sheet_of[h.hall] + i, of, (i + 1, len(feeders)))
    files = {k: v.encode("utf-8") for k, v in _once(out).items()}
    return {**files, "sld.dot": _dot(inp)}


def _section_sheets(parts: list[Network]) -> dict[str, int]:
    """MV section -> the overview sheet it is drawn on."""
    return {b.id: i + 1 for i, piece in enumerate(parts) for b in reversed(piece.buses) if b.role in ("mv-section", "mv-reserve")}


_ID = re.compile(r' id="([^"]+)"')


def _once(sheets: dict[str, str]) -> dict[str, str]:
    """Each network element carries its id on the first sheet that draws it; where a
    continuation sheet repeats it (the HV bus, the utility), it refers to it (`data-ref`)."""
    seen: set[str] = set()
    out = {}
    for name, svg in sheets.items():
        out[name] = _refer(svg, frozenset(seen))
        seen |= set(_ID.findall(svg))
    return out


def _refer(svg: str, seen: frozenset[str]) -> str:
    return _ID.sub(lambda m: f' data-ref="{m.group(1)}"' if m.group(1) in seen else m.group(0), svg)


def _inset_fits(ctx: Ctx, halls: list[HallSheet]) -> bool:
    room = inset_room(ctx)
    if room is None:
        return False
    widths = [natural_width(h, typical_feeders(ctx.inp.network, h.hall)) for h in halls]
    sheet = Sheet(size="A1", number=1, of=1, title="")
    return room[0] + sum(widths) + INSET_GAP * (len(widths) - 1) <= room[1] and sheet.inner[1] + 22 + TIER_H <= sheet.reserved_top


def _dot(inp: SldInput) -> bytes:
    return topology_dot(inp.network, inp.title.campus_name).encode("utf-8")


__all__ = ["BusDuty", "HallSheet", "SldInput", "TitleInfo", "emit_sld", "render_sld", "sheet_file", "sized_plants"]
