"""What the SLD is drawn from: the network, the studies' duty and the chosen rating at each bus,
the plants as the energy stage sized them, and per distinct hall what the network does not model
(the UPS output and the row busways fed A and B, from the feed assignment).

`sld_input(result, spec, energy)` gathers it from the build; tests build an `SldInput` by hand
around a small network.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from hubc.electrical.network import Network

DASH = "—"


@attrs.frozen(kw_only=True)
class BusDuty:
    """At one bus: the maximum initial short-circuit current (IEC 60909) and the switchboard's
    chosen rating. None / "" until the studies and ratings exist."""

    ikss_max_ka: float | None = None
    rated_ka: float | None = None
    rated_a: float | None = None
    kind: str = ""  # "hv-gis" | "mv-switchgear" | "ring-main-unit" | "lv-board"
    ok: bool = True

    def lines(self) -> tuple[str, str]:
        """("Ik'' 31.2 kA", "40 kA 2,500 A"): the duty, then the rating, "—" where not known."""
        ik, *rating = self.stacked()
        return ik, " ".join(rating)

    def stacked(self) -> list[str]:
        """The same on up to three short lines: duty, short-circuit rating, rated current."""
        ik = f"Ik'' {self.ikss_max_ka:.1f} kA" if self.ikss_max_ka is not None else f"Ik'' {DASH}"
        if self.rated_ka is None:
            return [ik, f"rated {DASH}"]
        short = "Icu " if self.kind == "lv-board" else ""
        out = [ik, f"{short}{self.rated_ka:g} kA" + ("" if self.ok else " < DUTY")]
        return out + ([f"{self.rated_a:,.0f} A"] if self.rated_a else [])


@attrs.frozen(kw_only=True)
class BlockRow:
    """An item (a GPU row's busway, a CDU) fed from a block's output: path A or B."""

    item: str
    kw: float
    path: str  # "A" | "B"
    other: str  # the block on the other path ("" when single-corded)


@attrs.frozen(kw_only=True)
class HallSheet:
    """One distinct hall, drawn on its own sheet from its typical copy (copy 1)."""

    hall: str
    copies: int
    topology: str  # "4M3", "2N", ...
    ups: tuple[str, ...]  # label lines of every UPS block (modules, battery)
    busway: str  # row busway rating
    outputs: Mapping[str, tuple[BlockRow, ...]]  # block (assignment id) -> what its output feeds
    roles: Mapping[str, str]  # block -> role ("distributed", "active", "catcher", ...)


@attrs.frozen(kw_only=True)
class TitleInfo:
    campus_id: str
    campus_name: str
    utility_name: str
    version: str


@attrs.frozen(kw_only=True)
class SldInput:
    network: Network
    title: TitleInfo
    duty: Mapping[str, BusDuty] = attrs.field(factory=dict)
    plants: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)  # plant id -> label lines as sized
    bay_ratings: Mapping[str, str] = attrs.field(factory=dict)  # switch id -> "1,250 A 31.5 kA" (ratings.py)
    unconnected: tuple[str, ...] = ()  # plants in the energy year with no connection at the campus
    halls: tuple[HallSheet, ...] = ()
    notes: tuple[str, ...] = ()
    schemes: Mapping[float, str] = attrs.field(factory=dict)  # HV bus voltage -> its scheme, circuits and breakers


# ------------------------------------------------------------------------- from a build


def sld_input(result, spec, energy=None) -> SldInput:
    """From the electrical result (its network, studies and ratings), the spec (names) and the
    energy result (plants as sized)."""
    from hubc import __version__

    net = result.network
    plants = sized_plants(energy)
    in_net = {g.plant or g.id for g in net.sgens}
    unconnected = tuple(f"{pid}: {' '.join(lines[:1])}" for pid, lines in plants.items() if pid not in in_net)
    return SldInput(
        network=net,
        title=TitleInfo(
            campus_id=spec.campus.id,
            campus_name=spec.campus.name,
            utility_name=spec.grid.utility_substation or "KEPCO",
            version=__version__,
        ),
        duty=bus_duty(result.studies, result.ratings),
        plants=plants,
        bay_ratings=bay_ratings(result.ratings),
        unconnected=unconnected,
        halls=tuple(_hall_sheet(result, spec, h) for h in result.assignment.halls),
        notes=_notes(result, spec) + scheme_notes(net),
        schemes=schemes(result.hv_scheme),
    )


def schemes(hv) -> dict[float, str]:
    """HV bus voltage -> "breaker-and-a-half, 4 circuits, 6 CB" (the level's title on the overview)."""
    return {b.voltage_kv: f"{b.scheme}, {b.circuits} circuits, {b.breakers} CBs" for b in (hv.buses if hv is not None else ())}


def scheme_notes(net) -> tuple[str, ...]:
    """Each ring and breaker-and-a-half diameter in words, from the network: the nodes in order
    with the circuit on each and the breakers between them."""
    if net is None:
        return ()
    on: dict[str, str] = {}
    for s in net.switches:
        if s.kind == "DS" and s.role in ("line", "transformer-hv", "plant"):
            on[s.bus] = s.element if s.element_kind != "bus" or not s.element.endswith((".hv", ".lv")) else s.element.rsplit(".", 1)[0]
    out: list[str] = []
    rings: dict[str, list] = {}
    diameters: dict[str, list] = {}
    for s in net.switches:
        if s.role == "ring":
            rings.setdefault(s.id.rsplit("-ring-", 1)[0], []).append(s)
        elif s.role == "diameter":
            diameters.setdefault(s.id.rsplit(".cb-", 1)[0], []).append(s)
    for prefix, sw in rings.items():
        kv = net.bus(sw[0].bus).vn_kv
        path = " - ".join(f"{s.bus.rsplit('.', 1)[-1]} ({on.get(s.bus, 'spare')}) - {s.id.rsplit('.', 1)[-1]}" for s in sw)
        out.append(f"{kv:g} kV ring: {path} - back to the first node")
    for prefix, sw in diameters.items():
        kv = net.bus(sw[0].bus).vn_kv
        a, b = sw[0].element, sw[1].element
        out.append(f"{kv:g} kV breaker-and-a-half diameter {prefix.rsplit('-', 1)[-1]}: {sw[0].bus.rsplit('.', 1)[-1]} - cb-1 - {a.rsplit('.', 1)[-1]} ({on.get(a, 'spare')}) - cb-2 - {b.rsplit('.', 1)[-1]} ({on.get(b, 'spare')}) - cb-3 - {sw[2].element.rsplit('.', 1)[-1]}")
    return tuple(out)


def bay_ratings(ratings) -> dict[str, str]:
    """Each switchgear bay's rated current and short-circuit rating, as chosen from its duty."""
    if ratings is None:
        return {}
    return {b.switch: f"{b.rated_current_a:,.0f} A {b.rated_short_circuit_ka:g} kA" + ("" if b.ok else " < DUTY") for b in ratings.bays}


def bus_duty(studies, ratings) -> dict[str, BusDuty]:
    """Bus id -> its duty and rating from the studies (`BusResult.ikss_max_ka`) and the ratings
    (`BusRating`); empty when the build ran without studies."""
    out: dict[str, BusDuty] = {}
    for b in studies.buses if studies is not None else ():
        out[b.id] = BusDuty(ikss_max_ka=b.ikss_max_ka)
    for r in ratings.buses if ratings is not None else ():
        out[r.bus] = BusDuty(
            ikss_max_ka=r.duty_ikss_ka,
            rated_ka=r.rated_short_circuit_ka,
            rated_a=r.rated_current_a,
            kind=r.kind,
            ok=r.ok,
        )
    return out


def sized_plants(energy) -> dict[str, tuple[str, ...]]:
    """Plant id -> its label lines as built: renewables' capacity, the BESS's MWh and MW (never an
    unresolved spec value such as "auto")."""
    out: dict[str, tuple[str, ...]] = {}
    if energy is None:
        return out
    for p in energy.plants:
        unit = "MWp" if p.kind == "solar" else "MW"
        where = " (PPA, delivered over the grid)" if p.kind == "ppa" or getattr(p, "delivery", "") == "grid" else ""
        out[p.id] = (f"{p.capacity_mw:,.0f} {unit}" + (" (sized)" if p.sized else "") + where,)
    b = energy.bess
    if b is not None:
        out[b.id] = (
            f"{b.installed_energy_mwh:,.0f} MWh / {b.installed_power_mw:,.0f} MW" + (" (sized)" if b.energy_sized else ""),
            f"{b.containers} x {b.container_name}",
            ", ".join(b.roles),
        )
    return out


def _hall_sheet(result, spec, h) -> HallSheet:
    sz = result.sizing
    hp = sz.hall(h.hall)
    outputs: dict[str, list[BlockRow]] = {b.id: [] for b in h.blocks}
    for c in h.cords:
        outputs.setdefault(c.a, []).append(BlockRow(item=c.item, kw=c.kw, path="A", other=c.b or ""))
        if c.b:
            outputs.setdefault(c.b, []).append(BlockRow(item=c.item, kw=c.kw, path="B", other=c.a))
    return HallSheet(
        hall=h.hall,
        copies=h.copies,
        topology=sz.topology.label,
        ups=(f"{sz.modules_per_block} x {sz.module_kw:,.0f} kW modules = {sz.block_kw:,.0f} kW", f"battery {spec.electrical.ups_autonomy_min:g} min"),
        busway=f"row busways {hp.busway_frame_a:g} A, {hp.row_busway_kw:,.0f} kW per feed",
        outputs={k: tuple(v) for k, v in outputs.items()},
        roles={b.id: b.role for b in h.blocks},
    )


def _notes(result, spec) -> tuple[str, ...]:
    sz = result.sizing
    out = [
        f"IT {sz.it_kw / 1000:,.1f} MW; UPS load {sz.critical_kw / 1000:,.1f} MW; facility peak {sz.facility_kw / 1000:,.1f} MW / {sz.facility_kva / 1000:,.1f} MVA.",
        f"UPS {sz.topology.label}, {result.installed.ups_blocks} blocks x {sz.block_kw:,.0f} kW; Tier {spec.policy.tier}; {sz.paths} paths.",
        f"Operating philosophy {result.network.philosophy}: switches drawn in their normal state; generator retransfer {result.network.generator_transfer} transition.",
        *_study_notes(result.studies),
        ("Ik'' at a bus: the maximum initial symmetrical short-circuit current (IEC 60909-0) over the switching states studied; below it the switchboard's "
        "rated short-circuit current (Icu for LV boards) and rated current, as chosen from that duty; '—' where not studied."),
        *result.network.notes,
    ]
    return tuple(out)


def _study_notes(studies) -> list[str]:
    if studies is None:
        return ["No power-system studies in this build: duties and ratings are not shown."]
    w = studies.worst
    worst = f"{w.worst_component} at {w.worst_loading:.0%} ({w.id})" if w is not None and w.worst_loading is not None else DASH
    g = studies.grid
    return [
        (f"Load flows: {len(studies.scenarios)} scenarios (each failure with its switching), worst {worst}; "
        f"normal import {g.import_mw:,.1f} MW at power factor {g.power_factor:.3f}, losses {studies.losses.total_kw / 1000:,.1f} MW."),
    ]
