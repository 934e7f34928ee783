"""The HV side as the grid code and the substation's arrangement set it.

In: the spec's grid profile (`[grid] code`, catalog `data/grid-profiles.toml`), its
`[substation]` bus scheme and optional first stage of a two-stage HV chain
(`[substation.hv_stage]`: HV/HV transformers, e.g. 230/69 kV ahead of 69/13.8 kV main
transformers), the utility circuits. Out: the system frequency (the network's `f_hz`, the
short-circuit peak factors of IEC 62271-1 and the DC time constants follow it); `HvScheme`, the
HV buses with their circuits and circuit breakers by bus scheme (catalog `[bus_scheme]`); the
network's HV/HV stage (intermediate bus sections, HV/HV transformers with their breakers) and its
failure scenarios (each HV/HV transformer lost).

Rules: breakers = ceil(per_circuit x n / group) x group + extra, n = incomers + transformer bays
(single bus 1 per circuit; sectionalised single bus + 1 bus-section breaker; double bus + 1
coupler; breaker-and-a-half 3 per diameter of 2 circuits; ring 1 per circuit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from hubc.catalog import electrical as cat
from hubc.catalog.grids import profile_for
from hubc.core.derived import derived


def grid_frequency_hz(spec, catalog=None) -> float:
    """The system frequency of the spec's grid profile (KEPCO and ANSI 60 Hz, IEC 50 Hz) in
    `catalog` (the build's; the shipped one if None)."""
    return float(profile_for(spec, catalog).frequency_hz)


def main_hv_kv(spec) -> float:
    """The main transformers' high side: the intermediate voltage of a two-stage chain, else the supply."""
    st = spec.substation.hv_stage
    return st.voltage_kv if st is not None else spec.substation.hv_voltage_kv


def utility_circuits(spec) -> int:
    """Utility circuits landing on the HV bus: the lines' circuits, or [grid] circuits without lines."""
    return sum(t.circuits for t in spec.transmission) or spec.grid.circuits


@attrs.frozen(kw_only=True)
class HvBus:
    id: str
    voltage_kv: float
    scheme: str
    incomers: int  # utility circuits, or HV/HV transformers on an intermediate bus
    transformer_bays: int  # transformers it feeds
    plant_bays: int = 0  # behind-the-meter plants' step-up bays on it
    circuits: int
    breakers: int
    rule: str = ""
    source: str = ""


@attrs.frozen(kw_only=True)
class HvScheme:
    grid_code: str
    frequency_hz: float
    frequency_source: str
    buses: tuple[HvBus, ...]
    hv_hv_transformers: int = 0
    hv_hv_transformer_mva: float = 0.0
    hv_hv_redundancy: str = ""

    @derived
    @property
    def breakers(self) -> int:
        """HV circuit breakers of every HV bus."""
        return sum(b.breakers for b in self.buses)


def breakers(scheme: str, circuits: int) -> tuple[int, str]:
    """(circuit breakers, rule) of a bus arrangement with `circuits` circuits (catalog [bus_scheme])."""
    row = cat.table("bus_scheme")[scheme]
    per, group, extra = float(row["per_circuit"]), int(row["group"]), int(row["extra"])
    n = math.ceil(per * circuits / group - 1e-9) * group + extra
    rule = f"{scheme}: ceil({per:g} x {circuits} / {group}) x {group} + {extra}"
    return n, rule


def size_hv_scheme(spec, network=None, catalog=None) -> HvScheme:
    """The HV buses of the campus substation with their breakers (none for an MV supply). With
    the network, each bus's circuits and breakers are counted from it (the bus scheme as built:
    every circuit, plant bays included, and every breaker on the bus's nodes); without it, from
    the catalog rule on the incomers and transformer bays. `catalog`: the build's (its grid
    profiles), the shipped one if None."""
    profile = profile_for(spec, catalog)
    sub = spec.substation
    src = str(cat.table("bus_scheme")["source"])
    buses = []
    st = sub.hv_stage
    levels = []
    if sub.transformers > 0 or st is not None:
        first = st.transformers if st is not None else sub.transformers
        levels.append((f"{sub.id}.hv", sub.hv_voltage_kv, sub.bus_scheme, utility_circuits(spec), first))
    if st is not None:
        levels.append((f"{sub.id}.iv", st.voltage_kv, st.bus_scheme, st.transformers, sub.transformers))
    for bid, kv, scheme, incomers, bays in levels:
        n, b, plants = incomers + bays, None, 0
        if network is not None:
            n, b, plants = _counted(network, bid)
        rb, rule = breakers(scheme, n)
        buses.append(HvBus(id=bid, voltage_kv=kv, scheme=scheme, incomers=incomers, transformer_bays=bays, plant_bays=plants, circuits=n,
                           breakers=rb if b is None else b, rule=rule + ("; counted from the network" if b is not None else ""), source=src))
    return HvScheme(
        grid_code=profile.id, frequency_hz=float(profile.frequency_hz), frequency_source=profile.frequency_source,
        buses=tuple(buses),
        hv_hv_transformers=st.transformers if st is not None else 0,
        hv_hv_transformer_mva=st.transformer_mva if st is not None else 0.0,
        hv_hv_redundancy=st.redundancy if st is not None else "",
    )


def _counted(network, prefix: str) -> tuple[int, int, int]:
    """(circuits, circuit breakers, plant bays) of the HV bus whose nodes are `<prefix>-*`."""
    nodes = {b.id for b in network.buses if b.role == "hv-section" and b.id.startswith(prefix + "-")}
    on = [s for s in network.switches if s.bus in nodes or (s.element_kind == "bus" and s.element in nodes)]
    circuits = [s for s in on if s.role not in SCHEME_ROLES]
    return len(circuits), sum(1 for s in on if s.kind == "CB"), sum(1 for s in circuits if s.role == "plant")


# ------------------------------------------------------------------------- network stage

SCHEME_ROLES = ("coupler", "ring", "diameter")  # the bus scheme's own breakers (not a circuit's)


def interleave(sources: Sequence[str], loads: Sequence[str]) -> list[str]:
    """Circuits in ring (or diameter) order, sources and transformer bays alternating, so a
    stuck breaker (which takes the circuits on both its sides) loses at most one of each."""
    out: list[str] = []
    for i in range(max(len(sources), len(loads))):
        out += [x[i] for x in (sources, loads) if i < len(x)]
    return out


def lay_hv_bus(b, prefix: str, kv: float, scheme: str, sources: Sequence[str], loads: Sequence[str], pinned: Sequence[str] = ()) -> None:
    """Lay one HV bus of a network builder (`build._Builder`) by its scheme and record each
    circuit's node (`b.hv_node`) and whether the circuit has its own breaker (`b.hv_breakered`).
    `sources`: incoming circuits (utility lines, HV/HV transformers' low sides), `loads`: the
    transformer bays it feeds, `pinned`: circuits that sit on the first section (behind-the-meter
    plants). Ids: `<prefix>-1`, `<prefix>-2` and `<prefix>-coupler` (sectionalised, double bus:
    one circuit breaker per circuit, sources and transformers spread over the two sections);
    ring nodes `<prefix>-1..n` with breakers `<prefix>-ring-i-j` (one per circuit, no circuit
    breaker: a disconnector); breaker-and-a-half main buses `<prefix>-1`, `<prefix>-2`, diameter
    d's nodes `<prefix>-d<d>a`, `<prefix>-d<d>b` and breakers `<prefix>-d<d>.cb-1..3`."""
    from hubc.electrical.build import TIE_Z_OHM
    from hubc.electrical.network import Bus, Switch

    sid = b.sid

    def bus(bid: str) -> str:
        b.buses.append(Bus(id=bid, vn_kv=kv, role="hv-section", section=bid, area=sid))
        return bid

    def cb(swid: str, a: str, z: str, role: str) -> None:
        b.switches.append(Switch(id=swid, bus=a, element=z, element_kind="bus", kind="CB", role=role, closed=True, z_ohm=TIE_Z_OHM, area=sid))

    if scheme in ("ring", "breaker-and-a-half"):
        order = interleave(list(sources) + list(pinned), loads)
        if scheme == "ring":
            nodes = [bus(f"{prefix}-{i + 1}") for i in range(len(order))]
            for i in range(len(nodes) if len(nodes) > 1 else 0):
                j = (i + 1) % len(nodes)
                cb(f"{prefix}-ring-{i + 1}-{j + 1}", nodes[i], nodes[j], "ring")
        else:
            mains = [bus(f"{prefix}-1"), bus(f"{prefix}-2")]
            nodes = []
            for d in range(math.ceil(len(order) / 2)):
                a, z = bus(f"{prefix}-d{d + 1}a"), bus(f"{prefix}-d{d + 1}b")
                for k, (x, y) in enumerate(((mains[0], a), (a, z), (z, mains[1]))):
                    cb(f"{prefix}-d{d + 1}.cb-{k + 1}", x, y, "diameter")
                nodes += [a, z]
        b.hv_node.update(zip(order, nodes))
        b.hv_breakered.update(dict.fromkeys(order, False))
        return
    two = scheme != "single" and (len(sources) >= 2 or len(loads) >= 2)
    secs = [bus(f"{prefix}-{i + 1}") for i in range(2 if two else 1)]
    if two:
        cb(f"{prefix}-coupler", secs[0], secs[1], "coupler")
    for group in (sources, loads):
        b.hv_node.update({x: secs[i % len(secs)] for i, x in enumerate(group)})
    b.hv_node.update(dict.fromkeys(pinned, secs[0]))
    b.hv_breakered.update(dict.fromkeys([*sources, *loads, *pinned], True))


def add_hv_stage(b, units: Sequence[str]) -> None:
    """The HV/HV transformers of a two-stage chain in a network builder whose supply bus is laid
    (`units`: their ids, circuits of it) and the intermediate bus below them (its scheme, the
    main transformers and behind-the-meter plants its circuits)."""
    st = b.spec.substation.hv_stage
    from hubc.electrical.build import main_transformer_vk
    from hubc.electrical.network import Transformer

    sid, hv_kv = b.sid, b.spec.substation.hv_voltage_kv
    lv_ends = [f"{u}.lv" for u in units]
    lay_hv_bus(b, f"{sid}.iv", st.voltage_kv, st.bus_scheme, lv_ends, b.main_units, b.plant_bays)
    kva = st.transformer_mva * 1000
    vk = main_transformer_vk(st.transformer_mva)
    x_r, xr_src = cat.transformer_x_r(kva)
    pfe, i0, nl_src = cat.transformer_no_load(kva)
    for unit in units:
        b.terminal(unit, "hv", hv_kv, unit)
        b.terminal(unit, "lv", st.voltage_kv, f"{unit}.lv")
        b.trafos.append(Transformer(
            id=unit, unit=unit, hv_bus=f"{unit}.hv", lv_bus=f"{unit}.lv", role="hv-hv", sn_mva=st.transformer_mva,
            vn_hv_kv=hv_kv, vn_lv_kv=st.voltage_kv, vk_percent=vk, vkr_percent=vk / math.sqrt(1 + x_r * x_r),
            pfe_kw=pfe / 100 * kva, i0_percent=i0, vector_group="YNyn0", tap_side="", vk_min_percent=vk, area=sid,
            source=f"HV/HV {hv_kv:g}/{st.voltage_kv:g} kV; vk {cat.transformer_z_source(kva)}; X/R {xr_src}; no-load {nl_src}",
        ))


def _ids(network) -> set[str]:
    return {s.id for s in network.switches}


def isolate(network, switch_id: str, ids: set[str] | None = None) -> list[str]:
    """The switching that takes one circuit out: its own breaker opens; a circuit without one
    (ring, breaker-and-a-half: a disconnector, `.ds` for `.cb`) is cleared by the scheme breakers
    on its node, isolated by its disconnector, and the scheme breakers reclose."""
    ids = _ids(network) if ids is None else ids
    if switch_id in ids:
        sw = network.element(switch_id)
        if sw.kind == "CB":
            return [f"open {switch_id}"]
    else:
        ds = switch_id[: -len("cb")] + "ds" if switch_id.endswith("cb") else ""
        if ds not in ids:
            return [f"open {switch_id}"]
        switch_id, sw = ds, network.element(ds)
    around = [s.id for s in network.switches if s.role in SCHEME_ROLES and s.closed and sw.bus in (s.bus, s.element)]
    return [f"open {x}" for x in around] + [f"open {switch_id}"] + [f"close {x}" for x in around]


def hv_switching(network, actions: Sequence[str]) -> tuple[str, ...]:
    """The MV arrangement's switching with each transformer's HV opening made explicit for the bus
    scheme (`isolate`)."""
    ids = _ids(network)
    out: list[str] = []
    for a in actions:
        verb, sid = a.split(" ", 1)
        out += isolate(network, sid, ids) if verb == "open" else [a]
    return tuple(out)


def hv_stage_failures(network, flow, facility_kw: float) -> None:
    """Each HV/HV transformer lost (isolated on both sides); the others carry the campus."""
    units = [t for t in network.transformers if t.role == "hv-hv"]
    ids = _ids(network)
    for t in units:
        left = len(units) - 1
        sw = tuple(isolate(network, f"{t.unit}.hv-cb", ids) + isolate(network, f"{t.unit}.lv-cb", ids))
        flow(f"{t.unit}/fails", "transformer", "campus", switching=sw, failed=(t.unit,), lost_kw=0.0 if left else facility_kw)


def _live(network, opened: set[str]) -> set[str]:
    """Buses of the HV side still connected to the utility with the given breakers open."""
    lines = {x.id: x for x in network.lines}
    adj: dict[str, set[str]] = {}

    def link(a: str, z: str) -> None:
        adj.setdefault(a, set()).add(z)
        adj.setdefault(z, set()).add(a)

    for s in network.switches:
        if not s.closed or s.id in opened:
            continue
        if s.element_kind == "bus":
            link(s.bus, s.element)
        elif s.element_kind == "line" and s.element in lines:
            ln = lines[s.element]
            link(s.bus, ln.to_bus if s.bus == ln.from_bus else ln.from_bus)
    for t in network.transformers:
        if t.role == "hv-hv":
            link(t.hv_bus, t.lv_bus)
    seen = {e.bus for e in network.ext_grids}
    todo = list(seen)
    while todo:
        for z in adj.get(todo.pop(), ()):
            if z not in seen:
                seen.add(z)
                todo.append(z)
    return seen


def hv_scheme_failures(network, arr, section_kva: Sequence[float], pf: float, flow) -> None:
    """Each HV bus (section, ring node, main bus, diameter node) faulted: every breaker on it
    opens; each scheme breaker (coupler, ring, diameter) stuck on a fault: the breakers around
    both its sides open. The main transformers cut off from the utility are lost, the MV
    arrangement switches as for their loss; a section left without any supply is on its gensets
    (`lost_kw`: the load that loses the utility, reported as HUB759)."""
    hv = [b.id for b in network.buses if b.role == "hv-section"]
    if not hv:
        return
    cases = [(f"{x}/fails", "hv-bus", {x}) for x in hv]
    cases += [(f"{s.id}/stuck", "hv-breaker", {s.bus, s.element}) for s in network.switches if s.role in SCHEME_ROLES]
    ids = _ids(network)
    for sid, kind, dead in cases:
        sw, lost_kw, transfers = _clear(network, arr, section_kva, pf, dead, ids)
        flow(sid, kind, "campus", switching=sw, failed=tuple(sorted(dead)), lost_kw=lost_kw, transfers=transfers)


def _clear(network, arr, section_kva: Sequence[float], pf: float, dead: set[str], ids: set[str]) -> tuple[tuple[str, ...], float, tuple[str, ...]]:
    """The breakers that clear the `dead` HV buses, then the MV arrangement's switching for the
    main transformers left without the utility: (switching, kW left without supply, transfers)."""
    opens = sorted({s.id for s in network.switches if s.kind == "CB" and s.closed and (s.bus in dead or (s.element_kind == "bus" and s.element in dead))})
    live = _live(network, set(opens))
    lost = [t for t in arr.transformers if f"{t}.hv" not in live]
    sw = [f"open {x}" for x in opens]
    if not lost:
        return tuple(sw), 0.0, ()
    tr = arr.after_loss(set(lost), section_kva)
    sw += [a for a in tr.actions if a.split(" ", 1)[1] in ids and a.split(" ", 1)[1] not in opens]
    dead_secs = [s for s, fed in tr.feeds if not fed]
    lost_kw = sum(kva for (_s, fed), kva in zip(tr.feeds, section_kva) if not fed) * pf
    transfers = [f"{', '.join(lost)} cut off from the utility"] + [f"{s} loses the utility: its gensets carry it" for s in dead_secs]
    return tuple(sw), lost_kw, tuple(transfers)


def hv_scheme_findings(studies, at) -> list:
    """HUB759 (a note): an HV bus or breaker failure that leaves MV sections without the utility
    (their gensets carry them: the utility is not part of the Tier topology)."""
    from hubc.codes import diag

    bad = [x for x in studies.scenarios if x.kind in ("hv-bus", "hv-breaker") and x.lost_kw > 1e-6]
    if not bad:
        return []
    x = max(bad, key=lambda x: (x.lost_kw, x.id))
    return [diag(
        "HUB759",
        f"{len(bad)} HV bus or breaker failure(s) leave MV sections without the utility: worst {x.id} ({', '.join(x.switching[:3])}{', ...' if len(x.switching) > 3 else ''}), {x.lost_kw:,.0f} kW on the gensets",
        at("substation", "bus_scheme"), ("substation", "bus_scheme"),
        notes=tuple(f"{y.id}: {y.lost_kw:,.0f} kW" for y in bad[:5]),
        help="a breaker-and-a-half or ring scheme keeps every transformer on the utility through a bus or breaker failure",
    )]


def hv_stage_equipment(network, scheme: HvScheme | None, area: str) -> list:
    """The BOM line of the HV/HV transformers, counted from the network like the main transformers
    (the intermediate bus's breakers are bays of its sections, counted with the HV GIS)."""
    from hubc.core.equipment import Equipment

    units = sorted({t.unit for t in network.transformers if t.role == "hv-hv"})
    if scheme is None or not units:
        return []
    t = next(x for x in network.transformers if x.role == "hv-hv")
    return [Equipment(
        id=f"{area}/hv-hv-transformer", family="main-transformer",
        description=f"HV/HV transformer {t.vn_hv_kv:g}/{t.vn_lv_kv:g} kV {t.sn_mva:g} MVA ({scheme.hv_hv_redundancy})",
        rating=t.sn_mva, rating_unit="MVA", quantity=len(units), system="grid", area=area,
        spec_path=("substation", "hv_stage", "transformer_mva"))]
