"""What the overview sheet shows, read from the network: voltage levels, their bus sections in
drawing order, and the bays each section really holds.

A level is a row of bus sections (HV GIS sections; MV sections and reserve buses). Each section
holds bays above its busbar (what feeds it: utility circuits, transformer incomers, transfers
from a reserve bus) and below it (what it feeds: transformer HV bays, MV feeders with their
fan-out, generator groups, converter-connected sources). A bus-to-bus switch between sections
that sit side by side is drawn inline (a tie or coupler in the busbar); any other (a transfer to a
reserve bus) runs on a lane above the row. Nothing here has a coordinate: `layout` places it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from hubc.electrical.network import (
    Bus,
    ExternalGrid,
    Generator,
    Line,
    Load,
    Motor,
    Network,
    StaticGenerator,
    Switch,
    Transformer,
)

SECTION_ROLES = ("hv-section", "mv-section", "mv-reserve")


def natural(s: str) -> tuple:
    """Sort key that puts mv-2 before mv-10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def local(eid: str, prefix: str) -> str:
    """`ss-main.mv-1.incomer` under `ss-main.mv-1` -> `incomer`."""
    return eid[len(prefix) + 1 :] if eid.startswith(prefix + ".") else eid


# ------------------------------------------------------------------------------------ bays


@attrs.frozen
class LineBay:
    """A utility circuit landing on the section: its breaker and the line (None: the breaker
    joins the utility bus directly)."""

    switch: Switch
    line: Line | None


@attrs.frozen
class IncomerBay:
    switch: Switch
    winding: Transformer


@attrs.frozen
class TransferBay:
    """A bus-to-bus switch to a section that is not beside this one (drawn up to a lane)."""

    switch: Switch
    other: str


@attrs.frozen
class TransformerBay:
    """A main transformer's HV bay: breaker, HV terminal, and the physical unit below."""

    switch: Switch
    terminal: Bus
    unit: str
    windings: tuple[Transformer, ...]


@attrs.frozen
class Fanout:
    """What hangs at a feeder's far end: unit substations (each with its breaker, LV board,
    loads and motors) or an equivalent load standing for a typical hall copy."""

    substations: tuple[tuple[Switch | None, Transformer, Bus | None, tuple[Load, ...], tuple[Motor, ...]], ...] = ()
    equivalents: tuple[Load, ...] = ()
    hall: str = ""  # the hall whose typical sheet continues this feeder ("" if drawn here)


@attrs.frozen
class FeederBay:
    switch: Switch
    line: Line
    end: Bus
    fanout: Fanout


@attrs.frozen
class FeederGroup:
    """Identical feeders drawn once, "typical x N" (hall copies modelled as equivalents)."""

    feeders: tuple[FeederBay, ...]
    label: str


@attrs.frozen
class GeneratorGroup:
    """A paralleling group: its breaker on the section, its generator bus, and its sets, each
    behind its own breaker (and step-up transformer, LV sets): the first set drawn, "x N"."""

    switch: Switch
    bus: Bus
    units: tuple[tuple[Switch, Bus, Generator, Transformer | None], ...]


@attrs.frozen
class ConverterBay:
    sgen: StaticGenerator


@attrs.frozen
class PlantBay:
    """A behind-the-meter plant on this bus: its collector buses, each behind its breaker (and
    step-up transformer) with its converters; the first drawn, "x N"."""

    plant: str
    units: tuple[tuple[Switch, Transformer | None, Bus, tuple[StaticGenerator, ...]], ...]


@attrs.frozen
class OtherBay:
    """Anything else connected to the section (a load, a motor, a switch of an unknown role):
    drawn plainly so that nothing in the network goes missing from the drawing."""

    element_id: str
    kind: str = ""  # "load" | "motor" | "capacitor" | "" (the far side of a switch, drawn elsewhere)
    switch: Switch | None = None
    detail: tuple[str, ...] = ()  # label lines below the id (a capacitor bank's rating)
    terminal: str = ""  # the bus between the switch and the element (a capacitor bank's terminal)


Bay = LineBay | IncomerBay | TransferBay | TransformerBay | FeederBay | FeederGroup | GeneratorGroup | ConverterBay | PlantBay | OtherBay


@attrs.frozen
class Section:
    bus: Bus
    above: tuple[Bay, ...]
    below: tuple[Bay, ...]


@attrs.frozen
class Level:
    kv: float
    sections: tuple[Section, ...]
    inline: tuple[Switch | None, ...]  # between sections i and i + 1 (None: no switch, a gap)
    lanes: tuple[tuple[str, tuple[Switch, ...]], ...]  # (section the lane lands on, switches rising to it)


@attrs.frozen
class Overview:
    utility: Bus | None
    ext_grids: tuple[ExternalGrid, ...]
    levels: tuple[Level, ...]  # from the highest voltage down
    units: tuple[tuple[str, tuple[Transformer, ...]], ...]  # physical main transformers and their windings


# ------------------------------------------------------------------------------ building


class _Index:
    """Lookups over one network."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.bus = {b.id: b for b in net.buses}
        self.line = {x.id: x for x in net.lines}
        self.trafo = {t.id: t for t in net.transformers}
        self.at: dict[str, list[Switch]] = {}
        for s in net.switches:
            self.at.setdefault(s.bus, []).append(s)
        self.gen_at = {g.bus: g for g in net.generators}
        self.sgens_at = _by_bus(net.sgens)
        self.loads_at = _by_bus(net.loads)
        self.motors_at = _by_bus(net.motors)
        self.shunts_at = _by_bus(net.shunts)
        self.tx_hv_cb = {s.element: s for s in net.switches if s.role == "transformer-hv"}
        self.hv_hv_lv = {t.lv_bus: t for t in net.transformers if t.role == "hv-hv"}

    def unit_hv_section(self, winding: Transformer) -> str:
        cb = self.tx_hv_cb.get(winding.hv_bus)
        return cb.bus if cb else ""


def _by_bus(items: Iterable) -> dict[str, list]:
    out: dict[str, list] = {}
    for x in items:
        out.setdefault(x.bus, []).append(x)
    return out


GROUPING = (0, 1, 2)  # every feeder drawn; equivalent hall copies grouped; every kind grouped


def build_overview(net: Network, hall_sheets: Iterable[str], grouping: int = 0) -> Overview:
    """The overview of `net`. `hall_sheets`: halls whose typical copy has its own sheet (their
    feeders stop at the ring main unit here). `grouping` (when one sheet is too narrow): 1 draws
    the feeders to hall copies modelled as equivalents once per (section, hall), "typical x N";
    2 also the typical copy's feeders per (section, hall) and the mechanical feeders per section."""
    ix = _Index(net)
    sheets = frozenset(hall_sheets)
    levels = []
    for kv in sorted({b.vn_kv for b in net.buses if b.role in SECTION_ROLES}, reverse=True):
        secs = [b for b in net.buses if b.role in SECTION_ROLES and b.vn_kv == kv]
        levels.append(_level(ix, kv, _order(ix, secs), sheets, grouping))
    units: dict[str, list[Transformer]] = {}
    for t in net.transformers:
        if t.role in ("main", "hv-hv"):
            units.setdefault(t.unit, []).append(t)
    utility = next((b for b in net.buses if b.role == "utility"), None)
    return Overview(
        utility=utility,
        ext_grids=net.ext_grids,
        levels=tuple(levels),
        units=tuple((u, tuple(ws)) for u, ws in units.items()),
    )


def _order(ix: _Index, secs: list[Bus]) -> list[Bus]:
    """Sections in drawing order: sections joined by ties or couplers stay side by side (a chain);
    chains follow the HV section of their transformer, then the transformer, so that HV bays sit
    above their transformers without crossing; reserve buses follow the sections of their HV bus."""
    ids = {b.id for b in secs}
    links: dict[str, set[str]] = {b.id: set() for b in secs}
    for s in ix.net.switches:
        if s.element_kind == "bus" and s.role in ("tie", "coupler", "ring", "diameter") and s.bus in ids and s.element in ids:
            links[s.bus].add(s.element)
            links[s.element].add(s.bus)

    def key(b: Bus) -> tuple:
        inc = [ix.trafo[s.element] for s in ix.at.get(b.id, ()) if s.role == "incomer" and s.element in ix.trafo]
        hv = ix.unit_hv_section(inc[0]) if inc else ""
        return (natural(hv), natural(inc[0].unit) if inc else (), b.role == "mv-reserve", natural(b.id))

    by_id = {b.id: b for b in secs}
    seen: set[str] = set()
    chains: list[list[Bus]] = []
    for b in sorted(secs, key=key):
        if b.id in seen:
            continue
        chain = _walk(b.id, links, seen)
        chains.append([by_id[c] for c in chain])
    chains.sort(key=lambda c: min(key(b) for b in c))
    return [b for c in chains for b in c]


def _walk(start: str, links: dict[str, set[str]], seen: set[str]) -> list[str]:
    """The chain of tied sections through `start`, from one end to the other (a ring is cut at
    its smallest id)."""
    comp, todo = set(), [start]
    while todo:
        c = todo.pop()
        if c not in comp:
            comp.add(c)
            todo.extend(links[c])
    seen |= comp
    ends = sorted((c for c in comp if len(links[c] & comp) <= 1), key=natural) or sorted(comp, key=natural)
    out, prev, cur = [], None, ends[0]
    while cur is not None:
        out.append(cur)
        nxt = sorted((c for c in links[cur] if c != prev and c not in out), key=natural)
        prev, cur = cur, (nxt[0] if nxt else None)
    out += sorted(comp - set(out), key=natural)
    return out


def _level(ix: _Index, kv: float, order: list[Bus], sheets: frozenset[str], grouping: int) -> Level:
    pos = {b.id: i for i, b in enumerate(order)}
    inline: list[Switch | None] = [None] * max(0, len(order) - 1)
    lanes: dict[str, list[Switch]] = {}
    sections = []
    for b in order:
        above, below = [], []
        for s in sorted(ix.at.get(b.id, ()), key=lambda s: natural(s.id)):
            if s.element_kind == "bus" and s.element in pos:
                i, j = sorted((pos[b.id], pos[s.element]))
                if j == i + 1 and inline[i] is None:
                    inline[i] = s
                else:
                    lanes.setdefault(s.element, []).append(s)
                    above.append(TransferBay(switch=s, other=s.element))
                continue
            bay = _bay(ix, s, sheets)
            (above if isinstance(bay, (LineBay, IncomerBay, PlantBay)) else below).append(bay)
        above = _group_plants(above)
        if grouping:
            below = _group_feeders(below, grouping)
        above += [ConverterBay(g) for g in ix.sgens_at.get(b.id, ())]  # sources feed from above
        below += [OtherBay(x.id, "load") for x in ix.loads_at.get(b.id, ())]
        below += [OtherBay(x.id, "motor") for x in ix.motors_at.get(b.id, ())]
        sections.append(Section(bus=b, above=tuple(above), below=tuple(below)))
    return Level(kv=kv, sections=tuple(sections), inline=tuple(inline), lanes=tuple((k, tuple(v)) for k, v in sorted(lanes.items(), key=lambda kv: natural(kv[0]))))


def _bay(ix: _Index, s: Switch, sheets: frozenset[str]) -> Bay:
    if s.role == "line":
        return LineBay(switch=s, line=ix.line.get(s.element))
    if s.role == "incomer" and s.element in ix.trafo:
        return IncomerBay(switch=s, winding=ix.trafo[s.element])
    if s.role == "transformer-hv" and s.element in ix.hv_hv_lv:
        # an HV/HV transformer's low side on the intermediate bus: it feeds the bus from above
        return IncomerBay(switch=s, winding=ix.hv_hv_lv[s.element])
    if s.role == "transformer-hv":
        term = ix.bus[s.element]
        ws = tuple(t for t in ix.net.transformers if t.hv_bus == term.id)
        return TransformerBay(switch=s, terminal=term, unit=ws[0].unit if ws else term.id, windings=ws)
    if s.role == "feeder" and s.element in ix.line:
        ln = ix.line[s.element]
        end = ix.bus[ln.to_bus]
        return FeederBay(switch=s, line=ln, end=end, fanout=_fanout(ix, end, sheets))
    if s.role == "generator-group" and s.element in ix.bus:
        return GeneratorGroup(switch=s, bus=ix.bus[s.element], units=tuple(_set(ix, x) for x in sorted(ix.at.get(s.element, ()), key=lambda x: natural(x.id)) if x.role == "generator"))
    if s.role == "plant":
        return PlantBay(plant=s.area, units=(_collector(ix, s),))
    if s.role == "capacitor" and ix.shunts_at.get(s.element):
        x = ix.shunts_at[s.element][0]
        return OtherBay(element_id=x.id, kind="capacitor", switch=s, detail=(f"{x.steps} x {x.step_mvar * 1000:g} = {x.steps * x.step_mvar * 1000:,.0f} kvar", f"{x.detuning_percent:g} % detuned"), terminal=s.element)
    return OtherBay(element_id=s.element, switch=s)


def _set(ix: _Index, s: Switch) -> tuple[Switch, Bus, Generator, Transformer | None]:
    """A genset behind its breaker: directly (MV set) or through its step-up transformer."""
    tx = ix.trafo.get(s.element) if s.element_kind == "transformer" else None
    term = ix.bus[tx.lv_bus if tx else s.element]
    return s, term, ix.gen_at[term.id], tx


def _collector(ix: _Index, s: Switch) -> tuple[Switch, Transformer | None, Bus, tuple[StaticGenerator, ...]]:
    tx = ix.trafo.get(s.element) if s.element_kind == "transformer" else None
    col = ix.bus[tx.lv_bus if tx else s.element]
    return s, tx, col, tuple(ix.sgens_at.get(col.id, ()))


def _fanout(ix: _Index, end: Bus, sheets: frozenset[str]) -> Fanout:
    if end.area in sheets and end.detail == "full" and end.copy == 1:
        return Fanout(hall=end.area)
    subs = []
    cbs = {s.element: s for s in ix.at.get(end.id, ()) if s.element_kind == "transformer"}
    for t in sorted((t for t in ix.net.transformers if t.hv_bus == end.id), key=lambda t: natural(t.id)):
        lv = ix.bus.get(t.lv_bus)
        subs.append((cbs.get(t.id), t, lv, tuple(ix.loads_at.get(t.lv_bus, ())), tuple(ix.motors_at.get(t.lv_bus, ()))))
    return Fanout(substations=tuple(subs), equivalents=tuple(ix.loads_at.get(end.id, ())))


def _group_plants(bays: list[Bay]) -> list[Bay]:
    """The collector buses of one plant on a section as one typical."""
    rest = [b for b in bays if not isinstance(b, PlantBay)]
    by_plant: dict[str, list] = {}
    for b in bays:
        if isinstance(b, PlantBay):
            by_plant.setdefault(b.plant, []).extend(b.units)
    return rest + [PlantBay(plant=p, units=tuple(u)) for p, u in by_plant.items()]


def _feeder_kind(f: FeederBay) -> str:
    if f.end.detail == "equivalent":
        return "equivalent"
    return "typical" if f.fanout.hall else "mechanical"


def _group_feeders(bays: list[Bay], grouping: int) -> list[Bay]:
    """Feeders to equivalent hall copies once per hall on this section (grouping 1); the typical
    copy's and the mechanical feeders too (grouping 2)."""
    kinds = ("equivalent",) if grouping == 1 else ("equivalent", "typical", "mechanical")
    groups: dict[tuple[str, str], list[FeederBay]] = {}
    out: list[Bay] = []
    for b in bays:
        if isinstance(b, FeederBay) and _feeder_kind(b) in kinds:
            groups.setdefault((_feeder_kind(b), b.end.area, b.switch.closed), []).append(b)
        else:
            out.append(b)
    for (kind, area, _closed), fs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0], not kv[0][2])):
        if len(fs) == 1:
            out.append(fs[0])
            continue
        copies = sorted({f.end.copy for f in fs})
        label = {"equivalent": f"{area} {_ranges(copies)}", "typical": f"{area} c01 (typical)"}.get(kind, f"{area} mechanical")
        out.append(FeederGroup(feeders=tuple(fs), label=label))
    return out


def _ranges(nums: list[int]) -> str:
    """[2, 3, 4, 7] -> "c02-c04, c07"."""
    out, start, prev = [], None, None
    for x in nums + [None]:
        if start is None:
            start = prev = x
        elif x is not None and x == prev + 1:
            prev = x
        else:
            out.append(f"c{start:02d}" if start == prev else f"c{start:02d}-c{prev:02d}")
            start = prev = x
    return ", ".join(out)


# ------------------------------------------------------------------ continuation sheets


def part(net: Network, sections: Iterable[str], plants: bool = True) -> Network:
    """The piece of `net` an overview continuation sheet draws: the given MV sections with all
    that hangs from them, their main transformers, the HV sections those hang from, and the
    utility and its circuits landing there; with `plants` (the first sheet) also the
    behind-the-meter plants on those HV sections. A tie or transfer to a section on another sheet
    stays with the section that owns its breaker (drawn as a bay naming the other section)."""
    buses, lines = _part_buses(net, set(sections))
    if plants:
        buses |= {b.id for b in net.buses if b.role == "collector" and b.section in buses}
    trafos = tuple(t for t in net.transformers if t.hv_bus in buses and t.lv_bus in buses)
    elements = buses | {x.id for x in lines} | {t.id for t in trafos}
    switches = tuple(s for s in net.switches if s.bus in buses and (s.element in elements or s.role in ("tie", "transfer")))
    return attrs.evolve(
        net,
        buses=tuple(b for b in net.buses if b.id in buses),
        lines=lines,
        transformers=trafos,
        switches=switches,
        **_part_injections(net, buses),
    )


def _part_buses(net: Network, keep: set[str]) -> tuple[set[str], tuple]:
    """The buses of a continuation sheet's sections (with their transformers' HV side, the HV
    sections and the utility) and the lines between them."""
    mains = [t for t in net.transformers if t.role == "main" and t.lv_bus in keep]
    terminals = {t.hv_bus for t in mains}
    hv = {s.bus for s in net.switches if s.element in terminals}
    buses = keep | terminals | hv | {b.id for b in net.buses if b.section in keep and b.role not in SECTION_ROLES}
    lines = tuple(x for x in net.lines if x.to_bus in buses and (x.from_bus in buses or _utility(net, x.from_bus)))
    buses |= {x.from_bus for x in lines} | {s.element for s in net.switches if s.bus in buses and _utility(net, s.element)}
    return buses, lines


def _part_injections(net: Network, buses: set[str]) -> dict[str, tuple]:
    """Sources and loads on the given buses, by Network field."""
    fields = ("ext_grids", "generators", "sgens", "loads", "motors")
    return {f: tuple(x for x in getattr(net, f) if x.bus in buses) for f in fields}


def _utility(net: Network, bus: str) -> bool:
    return any(b.id == bus and b.role == "utility" for b in net.buses)
