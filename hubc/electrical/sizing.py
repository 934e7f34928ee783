"""Electrical sizing: spec + row loads -> the ratings and counts of the power chain.

In: the typed `Spec` and `row_loads` (hall id -> the `RowLoad`s of one copy of that hall, from
rack placement). Out: `ElectricalSizing` - the UPS-fed load items of every distinct hall (row
feeds and CDUs), the power-block ratings (UPS system, its modules and battery, its unit
substation and LV board), MV feeder and cable, main transformers (the user's count, verified),
generators, busways and breakers, how the critical load rides through to generator start
(UPS autonomy, ride-through BESS) - and a `Decision` for each figure naming its rule, the
standard, datasheet or publication the rule comes from, and the inputs that produced it. `choose_mv_cable` sizes one feeder's cable; the
stage applies it to every feeder once the assignment knows the feeder's load. How many blocks and feeders each hall needs is
decided by the assignment (`hubc.electrical.feeds`), which starts from the bounds computed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from hubc.catalog import electrical as cat
from hubc.catalog import grids
from hubc.core.derived import NOT_IN_JSON, derived
from hubc.core.loads import (
    cdu_pump_kw_per_kw,
    cdus_installed,
    facility_peak_kw,
    main_transformer_rule,
    paired_loading_limit,
)
from hubc.core.types import RowLoad
from hubc.diagnostics import Diagnostic, Location, Severity
from hubc.spec.model import Spec, parse_topology, redundancy_spares

SQRT3 = math.sqrt(3.0)

Value = float | int | str


@attrs.frozen(kw_only=True)
class Decision:
    """One sizing decision: what was sized, by which rule, from which inputs, to what result."""

    item: str
    rule: str
    inputs: tuple[tuple[str, Value], ...]
    result: tuple[tuple[str, Value], ...]
    source: str = ""


@attrs.frozen(kw_only=True)
class LoadItem:
    """A UPS-fed load with its own A (and B) feed: a row's busways or a CDU."""

    id: str  # e.g. "hall-a.row-03", "hall-a.cdu-02"
    hall: str
    kind: str  # "row" | "cdu"
    row: int  # 1-based row (0 for hall-level CDUs)
    kw: float


@attrs.frozen(kw_only=True)
class HallPower:
    hall: str
    copies: int
    it_kw: float
    cdu_kw: float
    critical_kw: float  # on UPS: IT + CDU pumps
    items: tuple[LoadItem, ...]
    rows: int
    row_busway_kw: float
    busway_frame_a: float
    busway_length_m: float
    min_blocks: int  # analytic lower bound on UPS blocks per copy (redundancy reserve)


@attrs.frozen(kw_only=True)
class Topology:
    kind: str  # "2N" | "xMy" | "N+1" | "pairs" | "block-redundant"
    x: int  # blocks per redundancy group (max for N+1 and pairs; active blocks for block-redundant)
    y: int  # blocks that carry the load (xMy); A blocks of a pairs group (0: any pair); 0 otherwise
    fixed_size: bool  # every group has exactly x blocks (2N, xMy)

    @derived
    @property
    def label(self) -> str:
        """The topology as the spec writes it ("2N", "4M3", "N+1", "block-redundant")."""
        if self.kind == "pairs":
            return f"pairs-{self.y}x{self.x - self.y}" if self.y else f"pairs-{self.x}"
        return {"2N": "2N", "xMy": f"{self.x}M{self.y}", "N+1": "N+1", "block-redundant": "block-redundant"}[self.kind]

    @property
    def reserve_ratio(self) -> float:
        """Installed over carried capacity the redundancy alone needs: x/y, 2 for 2N, (m+1)/m for
        N+1 and block pairs (m: a block's most partners), (x+1)/x for block-redundant."""
        if self.kind == "pairs":
            m = max(self.y, self.x - self.y) if self.y else self.x - 1
            return (m + 1) / m
        return {"2N": 2.0, "xMy": self.x / max(self.y, 1), "N+1": self.x / max(self.x - 1, 1), "block-redundant": (self.x + 1) / self.x}[self.kind]


@attrs.frozen(kw_only=True)
class ElectricalSizing:
    topology: Topology
    paths: int
    block_kw: float  # UPS system (block) rating
    module_kw: float
    modules_per_block: int
    battery_kwh_per_block: float
    block_input_kva: float  # at full block load, incl. battery recharge
    ups_efficiency: float
    power_factor: float
    uss_kva: float
    uss_z_pu: float
    lv_voltage_v: float
    lv_board_frame_a: float
    lv_fault_ka: float
    mv_voltage_kv: float
    feeder_kva: float
    feeder_cable_mm2: float
    feeder_length_m: float
    feeder_breaker_a: float
    halls: tuple[HallPower, ...]
    it_kw: float
    critical_kw: float
    mechanical_kw: float  # non-UPS load: heat rejection, house loads, losses
    facility_kw: float
    facility_kva: float
    mech_uss: int
    mech_feeders: int
    substation_id: str
    main_tx_count: int
    main_tx_mva: float
    main_tx_required: int
    main_tx_redundancy: str
    generators: int
    generator_kw: float
    decisions: tuple[Decision, ...]
    diagnostics: tuple[Diagnostic, ...] = attrs.field(default=(), metadata=NOT_IN_JSON)  # in the build's list
    # MV arrangement (hubc.electrical.arrangement): the resolved operating philosophy, windings
    # per main transformer (split secondary) and reserve units
    philosophy: str = "parallel-on-loss"
    tx_secondaries: int = 1
    reserve_transformers: int = 0
    # the system frequency of the spec's grid profile, from the build's one catalog (a user
    # catalog's [[grid_profile]] included); design.json has it under electrical.hv_scheme
    frequency_hz: float = attrs.field(default=60.0, metadata=NOT_IN_JSON)

    def main_tx_ids(self) -> tuple[str, ...]:
        return tuple(f"{self.substation_id}.tx-{t + 1}" for t in range(self.main_tx_count))

    def arrangement(self):
        """The MV bus sections, ties and transfer breakers (`hubc.electrical.arrangement`)."""
        from hubc.electrical.arrangement import build_arrangement

        return build_arrangement(self.substation_id, self.main_tx_count, self.main_tx_mva, self.philosophy, self.tx_secondaries, self.reserve_transformers)

    def hall(self, hall_id: str) -> HallPower:
        return next(h for h in self.halls if h.hall == hall_id)


class _Locator:
    """Spec locations for diagnostics (the source is optional: API users may not have one)."""

    def __init__(self, source) -> None:
        self.source = source

    def at(self, *path: str | int) -> Location:
        if self.source is None:
            return Location(file="<spec>")
        return self.source.at_value(tuple(path))


def topology_of(spec: Spec) -> Topology | None:
    parsed = parse_topology(spec.electrical.topology)
    if parsed is None:
        return None
    kind, x, y = parsed
    if kind == "2N":
        return Topology(kind="2N", x=2, y=1, fixed_size=True)
    if kind == "xMy":
        return Topology(kind="xMy", x=x, y=y, fixed_size=True)
    if kind == "pairs":
        return Topology(kind="pairs", x=x, y=y, fixed_size=False)
    if kind == "N+1":
        return Topology(kind="N+1", x=int(cat.table("redundancy_group")["n_plus_1_max_blocks"]), y=0, fixed_size=False)
    return Topology(kind="block-redundant", x=spec.electrical.blocks_per_catcher, y=0, fixed_size=False)


@attrs.define
class _Work:
    """What the sizing steps share: the spec, its topology, where its values sit, and the
    decisions and problems recorded so far (in the order the steps run)."""

    spec: Spec
    topo: Topology
    loc: _Locator
    profile: grids.GridProfile
    diags: list[Diagnostic] = attrs.Factory(list)
    decisions: list[Decision] = attrs.Factory(list)

    @property
    def pf(self) -> float:
        return self.spec.policy.power_factor


@attrs.frozen(kw_only=True)
class _PowerBlock:
    """One power block's input and its unit substation's LV side."""

    input_kva: float  # at full block load, incl. battery recharge
    ups_efficiency: float
    z_pu: float
    lv_board_frame_a: float
    lv_fault_ka: float


@attrs.frozen(kw_only=True)
class _Feeder:
    """The MV feeder rating and the cable a fully loaded feeder needs."""

    kva: float
    cable: CableChoice
    length_m: float
    breaker_a: float


@attrs.frozen(kw_only=True)
class _Facility:
    """Campus totals: IT, UPS (critical) load, facility peak and its non-UPS share."""

    it_kw: float
    critical_kw: float
    peak_kw: float
    peak_kva: float
    mechanical_kw: float
    mechanical_kva: float


@attrs.frozen(kw_only=True)
class _MainTransformers:
    """The transformer count the rule wants and the MV arrangement the philosophy gives."""

    required: int
    philosophy: str
    reserves: int
    secondaries: int


def size_electrical(spec: Spec, row_loads: Mapping[str, tuple[RowLoad, ...]], source=None, catalog=None) -> ElectricalSizing:
    """Size the chain. Raises nothing: problems come back as `diagnostics` on the result
    (the caller turns errors into a `HubcError`). `catalog`: the build's catalog (its grid
    profiles; the shipped one if None)."""
    e = spec.electrical
    topo = topology_of(spec)
    if topo is None:
        raise ValueError(f"unparseable topology {e.topology!r}: the spec check (HUB309) must run first")
    w = _Work(spec=spec, topo=topo, loc=_Locator(source), profile=grids.profile_for(spec, catalog))
    halls = tuple(_size_hall(w, hi, hall, row_loads.get(hall.id, ())) for hi, hall in enumerate(spec.hall))
    modules_per_block = _size_ups_modules(w)
    battery_kwh = _size_ups_battery(w)
    block = _size_unit_substation(w)
    feeder = _size_mv_feeder(w, block.input_kva)
    fac = _facility_peak(w, halls)
    mech_uss, mech_feeders = _size_mechanical(w, fac, feeder.kva)
    _utility_interconnect(w, fac.peak_kw)
    mtx = _size_main_transformers(w, fac.peak_kva)
    gens = _size_generators(w, fac.peak_kw)
    w.decisions.append(_ride_through(spec, fac.critical_kw, battery_kwh, w.loc, w.diags))
    sub = spec.substation
    return ElectricalSizing(
        topology=topo,
        paths=e.distribution_paths,
        block_kw=e.ups_system_kw,
        module_kw=e.ups_module_kw,
        modules_per_block=modules_per_block,
        battery_kwh_per_block=battery_kwh,
        block_input_kva=block.input_kva,
        ups_efficiency=block.ups_efficiency,
        power_factor=w.pf,
        uss_kva=e.unit_substation_kva,
        uss_z_pu=block.z_pu,
        lv_voltage_v=e.lv_voltage_v,
        lv_board_frame_a=block.lv_board_frame_a,
        lv_fault_ka=block.lv_fault_ka,
        mv_voltage_kv=e.mv_voltage_kv,
        feeder_kva=feeder.kva,
        feeder_cable_mm2=feeder.cable.size_mm2,
        feeder_length_m=feeder.length_m,
        feeder_breaker_a=feeder.breaker_a,
        halls=halls,
        it_kw=fac.it_kw,
        critical_kw=fac.critical_kw,
        mechanical_kw=fac.mechanical_kw,
        facility_kw=fac.peak_kw,
        facility_kva=fac.peak_kva,
        mech_uss=mech_uss,
        mech_feeders=mech_feeders,
        substation_id=sub.id,
        main_tx_count=sub.transformers,
        main_tx_mva=sub.transformer_mva,
        main_tx_required=mtx.required,
        main_tx_redundancy=sub.redundancy,
        generators=gens,
        generator_kw=e.generator_kw,
        frequency_hz=float(w.profile.frequency_hz),
        decisions=tuple(w.decisions),
        diagnostics=tuple(w.diags),
        philosophy=mtx.philosophy,
        tx_secondaries=mtx.secondaries,
        reserve_transformers=mtx.reserves,
    )


def _load_items(hall, rows: tuple[RowLoad, ...], cdu_ratio: float) -> tuple[LoadItem, ...]:
    """Every row feed and every CDU of one hall copy (CDUs sit on UPS, as Schneider Electric's liquid-cooling designs put them)."""
    items = [LoadItem(id=f"{hall.id}.row-{r.row:02d}", hall=hall.id, kind="row", row=r.row, kw=r.it_kw) for r in rows if r.it_kw > 0]
    liquid = sum(r.liquid_kw for r in rows)
    c = hall.cooling
    if c.cdu_scope == "row":
        items += [
            LoadItem(id=f"{hall.id}.cdu-r{r.row:02d}", hall=hall.id, kind="cdu", row=r.row, kw=r.liquid_kw * cdu_ratio) for r in rows if r.liquid_kw > 0
        ]
    elif liquid > 0:
        # The loop's pump power is shared by the installed CDUs (all run, sharing flow).
        n_cdu = cdus_installed(c, liquid)
        per = liquid * cdu_ratio / n_cdu
        items += [LoadItem(id=f"{hall.id}.cdu-{k + 1:02d}", hall=hall.id, kind="cdu", row=0, kw=per) for k in range(n_cdu)]
    return tuple(items)


def _size_busway(w: _Work, hi: int, hall) -> float:
    """The row busway frame: I = P / (sqrt3 V PF) -> next frame (three-phase current); HUB732 above the largest."""
    from hubc.codes import diag

    e, pf = w.spec.electrical, w.pf
    i_busway = hall.row_busway_kw * 1000 / (SQRT3 * e.lv_voltage_v * pf)
    frame = cat.next_size("busway_frames_a", i_busway)
    if frame is None:
        frame = cat.sizes("busway_frames_a")[-1]
        w.diags.append(
            diag(
                "HUB732",
                f"{hall.id}'s {hall.row_busway_kw:g} kW row busway draws {i_busway:,.0f} A at {e.lv_voltage_v:g} V, "
                f"above the largest busway frame ({frame:,.0f} A)",
                w.loc.at("hall", hi, "row_busway_kw"),
                ("hall", hi, "row_busway_kw"),
                help="split the row into two busways per feed or raise the LV voltage (e.g. 415/480 V)",
            )
        )
    w.decisions.append(
        Decision(
            item=f"{hall.id}/busway",
            rule="busway frame >= I = P_busway / (sqrt3 x V_LL x PF), next standard frame (three-phase current)",
            inputs=(("row_busway_kw", hall.row_busway_kw), ("lv_voltage_v", e.lv_voltage_v), ("power_factor", pf)),
            result=(("current_a", i_busway), ("frame_a", frame)),
            source=cat.source("busway_frames_a"),
        )
    )
    return frame


def _size_hall(w: _Work, hi: int, hall, row_loads: tuple[RowLoad, ...]) -> HallPower:
    """One distinct hall: its UPS-fed load items, critical load, busway and the lower bound on its UPS blocks."""
    e, topo = w.spec.electrical, w.topo
    cdu_ratio = cdu_pump_kw_per_kw(hall.cooling)  # the spec's, else the cooling catalog's
    rows = tuple(sorted(row_loads, key=lambda r: r.row))
    items = _load_items(hall, rows, cdu_ratio)
    liquid = sum(r.liquid_kw for r in rows)
    it = sum(r.it_kw for r in rows)
    cdu_kw = liquid * cdu_ratio
    critical = it + cdu_kw
    frame = _size_busway(w, hi, hall)
    min_blocks = _min_blocks(topo, critical, e.ups_system_kw)
    w.decisions.append(
        Decision(
            item=f"{hall.id}/critical-load",
            rule="critical (UPS) load = IT of placed racks + CDU pumps (liquid heat x CDU kW/kW); CDUs on UPS so that cooling rides through a utility loss (Schneider Electric, S. Carlini, 2025)",
            inputs=(("it_kw", it), ("liquid_kw", liquid), ("cdu_kw_per_kw", cdu_ratio)),
            result=(("critical_kw", critical), ("load_items", len(items))),
            source="cooling catalog cdu.pump_kw_per_kw (or hall.cooling.cdu_pump_kw_per_kw)",
        )
    )
    w.decisions.append(
        Decision(
            item=f"{hall.id}/ups-blocks-lower-bound",
            rule=_block_rule(topo),
            inputs=(("critical_kw", critical), ("ups_system_kw", e.ups_system_kw), ("topology", topo.label)),
            result=(("min_blocks_per_copy", min_blocks),),
        )
    )
    return HallPower(
        hall=hall.id,
        copies=hall.copies,
        it_kw=it,
        cdu_kw=cdu_kw,
        critical_kw=critical,
        items=items,
        rows=hall.rows,
        row_busway_kw=hall.row_busway_kw,
        busway_frame_a=frame,
        busway_length_m=hall.slots_per_row * hall.slot_width_mm / 1000 + hall.cable_rise_m,
        min_blocks=min_blocks,
    )


def _size_ups_modules(w: _Work) -> int:
    """UPS modules per block: ceil(P_sys/P_mod), plus the catalog's spare (`ups_module_redundancy`)
    for N+1 (module redundancy) and for Tier IV (2(N+1) in the Uptime Institute Tier Standard:
    Topology: a module in maintenance while the other path fails must not drop the block below
    its rating)."""
    e, pol, topo = w.spec.electrical, w.spec.policy, w.topo
    mods = math.ceil(e.ups_system_kw / e.ups_module_kw - 1e-9)
    spare = cat.table("ups_module_redundancy")
    extra = int(spare["spare_modules"]) if (topo.kind in spare["spare_topologies"] or pol.tier >= int(spare["spare_from_tier"])) else 0
    modules_per_block = mods + extra
    w.decisions.append(
        Decision(
            item="ups-module",
            rule=f"modules per block = ceil(P_block / P_module) (+{spare['spare_modules']} for {', '.join(spare['spare_topologies'])} and for tier >= {spare['spare_from_tier']} "
            "up for maintenance-plus-failure)",
            inputs=(("ups_system_kw", e.ups_system_kw), ("ups_module_kw", e.ups_module_kw), ("tier", pol.tier), ("topology", topo.label)),
            result=(("modules_per_block", modules_per_block),),
            source=cat.source("ups_module_kw") + "; " + cat.source("ups_module_redundancy"),
        )
    )
    return modules_per_block


def _size_ups_battery(w: _Work) -> float:
    """UPS battery energy per block for the autonomy at full block load, at end of life."""
    e = w.spec.electrical
    bat = cat.table("ups_battery")
    battery_kwh = e.ups_system_kw * e.ups_autonomy_min / 60 / (bat["depth_of_discharge"] * bat["discharge_efficiency"] * bat["eol_state_of_health"])
    w.decisions.append(
        Decision(
            item="ups-battery",
            rule="E = P_block x t / (DoD x eta_dis x SOH_EOL): the duty's energy with the usable depth, the discharge losses and the end-of-life capacity "
            "(the ageing factor 1.25 = 1 / 0.8 of IEEE 485-2020 and IEEE 1679.1-2017)",
            inputs=(
                ("ups_system_kw", e.ups_system_kw),
                ("autonomy_min", e.ups_autonomy_min),
                ("depth_of_discharge", bat["depth_of_discharge"]),
                ("discharge_efficiency", bat["discharge_efficiency"]),
                ("eol_state_of_health", bat["eol_state_of_health"]),
            ),
            result=(("kwh_per_block", battery_kwh),),
            source=cat.source("ups_battery"),
        )
    )
    return battery_kwh


def _block_input(w: _Work) -> tuple[float, float, float]:
    """(UPS efficiency, input kVA at full load, with battery recharge) of one block; HUB733 when
    its unit substation is smaller."""
    from hubc.codes import diag

    e, pf = w.spec.electrical, w.pf
    ups = cat.table("ups")
    eta = float(ups["efficiency"])
    recharge = float(ups["battery_recharge_fraction"])
    load_kva = e.ups_system_kw / (eta * pf)
    block_input_kva = load_kva + e.ups_system_kw * recharge / pf
    if block_input_kva > e.unit_substation_kva + 1e-6:
        # Above the transformer at full block load: an error. Only with the recharge allowance on
        # top (recharging while a partner block is out): a warning - the recharge can be limited.
        over = load_kva > e.unit_substation_kva + 1e-6
        w.diags.append(
            diag(
                "HUB733",
                f"a {e.ups_system_kw:g} kW UPS block draws {load_kva:,.0f} kVA at full load (efficiency {eta:g}, PF {pf:g})"
                + ("" if over else f" and {block_input_kva:,.0f} kVA while recharging its battery ({recharge:.0%})")
                + f", but its unit substation is {e.unit_substation_kva:g} kVA",
                w.loc.at("electrical", "unit_substation_kva"),
                ("electrical", "unit_substation_kva"),
                severity=None if over else Severity.WARNING,
                help=f"use a {cat.next_size('transformer_kva', block_input_kva) or block_input_kva:,.0f} kVA unit substation or a smaller UPS block"
                + ("" if over else ", or limit the battery recharge current after a transfer"),
            )
        )
    return eta, load_kva, block_input_kva


def _size_unit_substation(w: _Work) -> _PowerBlock:
    """One unit substation per block (the power block: USS + LV board + UPS), rated for the UPS
    input at full load plus battery recharge; its LV board frame and fault rating (HUB734 beyond
    standard boards)."""
    from hubc.codes import diag

    e, pf = w.spec.electrical, w.pf
    eta, _load_kva, block_input_kva = _block_input(w)
    z = cat.transformer_z_pu(e.unit_substation_kva)
    i_fl = e.unit_substation_kva * 1000 / (SQRT3 * e.lv_voltage_v)
    board = cat.next_size("lv_board_frames_a", i_fl) or cat.sizes("lv_board_frames_a")[-1]
    i_sc_ka = i_fl / z / 1000
    fault = cat.next_size("lv_fault_ratings_ka", i_sc_ka)
    if fault is None or i_fl > cat.sizes("lv_board_frames_a")[-1]:
        w.diags.append(
            diag(
                "HUB734",
                f"a {e.unit_substation_kva:g} kVA unit substation at {e.lv_voltage_v:g} V gives {i_fl:,.0f} A full load and "
                f"{i_sc_ka:,.0f} kA prospective fault, beyond standard LV switchboards",
                w.loc.at("electrical", "unit_substation_kva"),
                ("electrical", "unit_substation_kva"),
                help="use 2.5-3.5 MVA unit substations (the range one standard LV switchboard takes) or a higher LV voltage",
            )
        )
        fault = fault or cat.sizes("lv_fault_ratings_ka")[-1]
    w.decisions.append(
        Decision(
            item="unit-substation",
            rule="one unit substation per UPS block; kVA >= P_block/(eta x PF) + recharge; LV board frame >= S/(sqrt3 V); fault I_sc = I_FL/Z_pu (I_sc = I_FL / Z_pu, IEC 60909-0 infinite-source bound)",
            inputs=(
                ("ups_system_kw", e.ups_system_kw),
                ("ups_efficiency", eta),
                ("power_factor", pf),
                ("unit_substation_kva", e.unit_substation_kva),
                ("z_pu", z),
                ("lv_voltage_v", e.lv_voltage_v),
            ),
            result=(("block_input_kva", block_input_kva), ("lv_full_load_a", i_fl), ("lv_board_frame_a", board), ("fault_ka", i_sc_ka), ("switchgear_ka", fault)),
            source=cat.source("transformer_kva") + "; " + cat.table("transformer_impedance")[-1]["source"],
        )
    )
    return _PowerBlock(input_kva=block_input_kva, ups_efficiency=eta, z_pu=z, lv_board_frame_a=board, lv_fault_ka=fault)


def _size_mv_feeder(w: _Work, block_input_kva: float) -> _Feeder:
    """MV feeders: the 630 A bay sets the most one feeder may carry (what the assignment packs
    blocks against); each feeder's cable is then sized on its own design load after the
    assignment (`choose_mv_cable`). The cable recorded here is the one a fully loaded feeder
    needs. HUB735 when one block draws more than a feeder carries."""
    from hubc.codes import diag

    e = w.spec.electrical
    mvf = cat.table("mv_feeder")
    i_max = float(mvf["max_current_a"])
    length = float(mvf["default_length_m"])
    feeder_kva = SQRT3 * e.mv_voltage_kv * i_max
    full = choose_mv_cable(i_max, length, w.pf, e.mv_voltage_kv)
    w.decisions.append(
        Decision(
            item="mv-feeder",
            rule="feeder rating S = sqrt3 x V_MV x I_max (630 A bay); each feeder's cable is sized on its own design load (mv-feeder-design decisions)",
            inputs=(("mv_voltage_kv", e.mv_voltage_kv), ("max_current_a", i_max), ("length_m", length), ("vd_limit_percent", float(mvf["voltage_drop_limit_percent"]))),
            result=(("feeder_kva", feeder_kva), ("cable_at_rating_mm2", full.size_mm2), ("cable_at_rating_parallel", full.parallel), ("voltage_drop_percent", full.voltage_drop_percent)),
            source=cat.source("mv_cable_source") + "; " + cat.source("mv_feeder"),
        )
    )
    if block_input_kva > feeder_kva:
        w.diags.append(
            diag(
                "HUB735",
                f"one UPS block draws {block_input_kva:,.0f} kVA, more than a {e.mv_voltage_kv:g} kV feeder carries ({feeder_kva:,.0f} kVA)",
                w.loc.at("electrical", "ups_system_kw"),
                ("electrical", "ups_system_kw"),
                help="use smaller UPS blocks or a higher MV voltage",
            )
        )
    return _Feeder(kva=feeder_kva, cable=full, length_m=length, breaker_a=float(mvf["breaker_frame_a"]))


def _facility_peak(w: _Work, halls: tuple[HallPower, ...]) -> _Facility:
    """Campus totals: facility peak = IT x design-day PUE (ISO/IEC 30134-2), at least the UPS load
    plus its heat rejection (HUB736 when the PUE gives less); the non-UPS part feeds the
    mechanical unit substations."""
    from hubc.codes import diag

    spec, pol, loc, pf = w.spec, w.spec.policy, w.loc, w.pf
    it_total = sum(h.it_kw * h.copies for h in halls)
    crit_total = sum(h.critical_kw * h.copies for h in halls)
    heat_rejected = crit_total  # all UPS-fed power ends as heat in the halls
    rejection_kw = heat_rejected * spec.cooling_plant.power_kw_per_kw
    peak_kw = facility_peak_kw(spec, it_total)
    if crit_total + rejection_kw > peak_kw + 1e-6:
        w.diags.append(
            diag(
                "HUB736",
                f"design PUE {pol.design_pue:g} gives {peak_kw / 1000:,.1f} MW facility peak, below the {(crit_total + rejection_kw) / 1000:,.1f} MW "
                f"of UPS load ({crit_total / 1000:,.1f} MW) plus heat rejection ({rejection_kw / 1000:,.1f} MW)",
                loc.at("policy", "design_pue"),
                ("policy", "design_pue"),
                help=f"raise design_pue to at least {(crit_total + rejection_kw) / max(it_total, 1e-9):.3f}; sizing uses the larger figure",
                related=((loc.at("cooling_plant", "power_kw_per_kw"), "heat-rejection power"),),
            )
        )
        peak_kw = crit_total + rejection_kw
    mech_kw = peak_kw - crit_total
    peak_kva = peak_kw / pf
    w.decisions.append(
        Decision(
            item="facility-peak",
            rule="P_facility = P_IT x design PUE (PUE per ISO/IEC 30134-2:2016, at the design day), at least UPS load + heat rejection; non-UPS share = P_facility - UPS load",
            inputs=(("it_kw", it_total), ("design_pue", pol.design_pue), ("critical_kw", crit_total), ("heat_rejection_kw", rejection_kw), ("power_factor", pf)),
            result=(("facility_kw", peak_kw), ("facility_kva", peak_kva), ("non_ups_kw", mech_kw)),
        )
    )
    return _Facility(it_kw=it_total, critical_kw=crit_total, peak_kw=peak_kw, peak_kva=peak_kva, mechanical_kw=mech_kw, mechanical_kva=mech_kw / pf)


def _size_mechanical(w: _Work, fac: _Facility, feeder_kva: float) -> tuple[int, int]:
    """(unit substations, feeders) for the non-UPS load, surviving the loss of a feeder."""
    e = w.spec.electrical
    mech_kw, mech_kva = fac.mechanical_kw, fac.mechanical_kva
    mech_red = str(cat.table("mechanical_substation")["redundancy"])
    feeder_red = str(cat.table("mechanical_substation")["feeder_redundancy"])
    # a unit substation carries its rated current: at the lowest normal LV voltage that is
    # v_min x its kVA (the load flow checks it)
    v_min = float(cat.table("voltage_limits")["normal_min_pu"])
    mech_n = max(1, math.ceil(mech_kva / (e.unit_substation_kva * v_min) - 1e-9))
    mech_fn = max(1, math.ceil(mech_kva / feeder_kva - 1e-9))
    mech_feeders = mech_fn + redundancy_spares(feeder_red, mech_fn) if mech_kw > 0 else 0
    mech_uss = mech_n + redundancy_spares(mech_red, mech_n) if mech_kw > 0 else 0
    # the substations are spread over the feeders in turn, so losing a feeder loses all of its
    # substations: the rest must still carry the load (n - ceil(n / feeders) >= n_needed), and the
    # feeder with the most substations then carries ceil(n / F) S / (n - ceil(n / F)), within its bay
    base_uss = mech_uss
    while mech_uss:
        while mech_uss - math.ceil(mech_uss / mech_feeders) < mech_n:
            mech_uss += 1
        k = math.ceil(mech_uss / mech_feeders)
        if k * mech_kva / (mech_uss - k) <= feeder_kva + 1e-6 or mech_feeders >= 64:
            break
        mech_feeders += 1
        mech_uss = base_uss
    w.decisions.append(
        Decision(
            item="mechanical-unit-substation",
            rule="n = ceil(S_non_ups / (S_uss x v_min)) + spares, and more until the substations left after losing the feeder with the most carry the load "
            "(n - ceil(n / feeders) >= ceil(S_non_ups / (S_uss x v_min))); feeders = ceil(S_non_ups / S_feeder) + spares (feeder redundancy), and more until the feeder with the most substations "
            "carries its share after another feeder's loss (ceil(n/F) S / (n - ceil(n/F)) <= S_feeder); the substations share the load equally; "
            "v_min: the lowest normal LV voltage (a transformer carries its rated current, so v_min x its kVA)",
            inputs=(("non_ups_kva", mech_kva), ("unit_substation_kva", e.unit_substation_kva), ("feeder_kva", feeder_kva), ("redundancy", mech_red), ("feeder_redundancy", feeder_red), ("v_min_pu", v_min)),
            result=(("unit_substations", mech_uss), ("feeders", mech_feeders)),
            source=cat.source("mechanical_substation"),
        )
    )
    return mech_uss, mech_feeders


def _utility_interconnect(w: _Work, peak_kw: float) -> None:
    """The supply band for the contract under the spec's grid profile (catalog grid-profiles.toml;
    KEPCO: 기본공급약관); the spec check (HUB303) reports a mismatch, this records the rule and its inputs."""
    grid = w.spec.grid
    profile = w.profile
    band = grids.band_or_own(profile, grid.contract_mw, grid.interconnect_voltage_kv)
    w.decisions.append(
        Decision(
            item="utility-interconnect",
            rule=f"{profile.name}: supply voltage by contract band ("
            + "; ".join(f"{b.low_mw:g}-{b.high_mw:g} MW {b.voltage_kv:g} kV" for b in profile.band) + ")",
            inputs=(("contract_mw", grid.contract_mw), ("facility_mw", peak_kw / 1000), ("circuits", grid.circuits)),
            result=(("band", band.name), ("band_voltage_kv", band.voltage_kv), ("spec_voltage_kv", grid.interconnect_voltage_kv), ("n_minus_1", "yes" if grid.circuits >= 2 else "no")),
            source=band.source,
        )
    )


def _main_tx_required(w: _Work, demand_mva: float, philosophy: str, reserves: int) -> int:
    """Main transformers the rule wants (N+1: S_each >= S/(n-1) and S/(n S_each) <= max loading;
    2N: each side >= S) (the N-1 criterion; loading limit per IEC 60076-7), and what the operating
    philosophy asks of them (arrangement.py): with reserve units the active ones alone carry the
    demand within the loading policy; main-tie-main transfers a whole section onto a neighbour,
    so each runs at most half loaded. 0 without main transformers."""
    sub, pol = w.spec.substation, w.spec.policy
    if not (sub.transformers > 0 and sub.transformer_mva > 0):
        return 0
    need = main_transformer_rule(demand_mva, sub.transformer_mva, sub.redundancy, pol.transformer_max_loading).required
    if philosophy == "reserve-transformer":
        need = max(need, math.ceil(demand_mva / (sub.transformer_mva * pol.transformer_max_loading) - 1e-9) + reserves)
    elif philosophy == "main-tie-main" and sub.redundancy != "N":
        need = max(need, math.ceil(demand_mva / (sub.transformer_mva * min(paired_loading_limit(), pol.transformer_max_loading)) - 1e-9))
    return need


def _size_main_transformers(w: _Work, peak_kva: float) -> _MainTransformers:
    """The spec's main-transformer count is the user's design: check it against the rule
    (HUB731 when it has fewer) and record the MV arrangement its philosophy gives."""
    from hubc.codes import diag
    from hubc.electrical.arrangement import reserve_count, resolve_philosophy

    e, pol, sub, loc = w.spec.electrical, w.spec.policy, w.spec.substation, w.loc
    demand_mva = peak_kva * (1 + pol.sizing_margin) / 1000
    philosophy = resolve_philosophy(e.operating_philosophy, sub.redundancy, sub.transformers)
    reserves = reserve_count(philosophy, sub.redundancy, sub.transformers)
    need = _main_tx_required(w, demand_mva, philosophy, reserves)
    if sub.transformers < need:
        w.diags.append(
            diag(
                "HUB731",
                f"the sizing rule wants {need} x {sub.transformer_mva:g} MVA main transformers ({sub.redundancy}, {philosophy}) for "
                f"{demand_mva:,.1f} MVA (facility {peak_kva / 1000:,.1f} MVA + {pol.sizing_margin:.0%} margin); the spec has {sub.transformers}",
                loc.at("substation", "transformers"),
                ("substation", "transformers"),
                help=f"install {need} transformers or larger units; the spec's count is kept as given",
                related=((loc.at("policy", "sizing_margin"), "sizing margin"), (loc.at("electrical", "operating_philosophy"), "operating philosophy")),
            )
        )
    w.decisions.append(
        Decision(
            item="main-transformer",
            rule="N+k: n >= ceil(S_demand/S_each) + k and S_demand/(n S_each) <= max loading; 2N: 2 x ceil(S_demand/S_each); S_demand = S_facility x (1 + margin); "
            "reserve-transformer: the n - k active units carry S_demand within max loading; main-tie-main: each unit at most 50 % loaded",
            inputs=(
                ("facility_mva", peak_kva / 1000),
                ("sizing_margin", pol.sizing_margin),
                ("transformer_mva", sub.transformer_mva),
                ("redundancy", sub.redundancy),
                ("operating_philosophy", philosophy),
                ("max_loading", pol.transformer_max_loading),
                ("spec_transformers", sub.transformers),
            ),
            result=(("required_transformers", need), ("installed_transformers", sub.transformers), ("demand_mva", demand_mva)),
            source=cat.source("main_transformer_mva"),
        )
    )
    secondaries = _mv_arrangement(w, philosophy, reserves)
    return _MainTransformers(required=need, philosophy=philosophy, reserves=reserves, secondaries=secondaries)


def _mv_arrangement(w: _Work, philosophy: str, reserves: int) -> int:
    """Windings per main transformer: one winding's rated current must fit the MV switchgear
    class (split secondary: measure 1 of catalog `short_circuit_measures`, split sections)."""
    from hubc.electrical.arrangement import secondaries_needed

    e, sub = w.spec.electrical, w.spec.substation
    mv_class = cat.switchgear_class(e.mv_voltage_kv)
    measures = cat.table("short_circuit_measures")
    secondaries = secondaries_needed(sub.transformer_mva, e.mv_voltage_kv, mv_class.max_current_a, int(measures["max_secondaries"])) if sub.transformers else 1
    i_tx = sub.transformer_mva * 1e3 / (SQRT3 * e.mv_voltage_kv) if sub.transformers else 0.0
    w.decisions.append(
        Decision(
            item="mv-arrangement",
            rule=f"operating philosophy {e.operating_philosophy!r} -> {philosophy} (auto: reserve-transformer for N+1/N+2, main-tie-main otherwise); "
            "windings per main transformer = ceil(I_rated / largest rated current of the MV switchgear class) (split secondary, each winding on its own section)",
            inputs=(
                ("operating_philosophy", e.operating_philosophy),
                ("redundancy", sub.redundancy),
                ("transformers", sub.transformers),
                ("transformer_mva", sub.transformer_mva),
                ("mv_voltage_kv", e.mv_voltage_kv),
                ("transformer_rated_current_a", i_tx),
                ("switchgear_max_current_a", mv_class.max_current_a),
            ),
            result=(
                ("philosophy", philosophy),
                ("reserve_transformers", reserves),
                ("secondaries_per_transformer", secondaries),
                ("winding_rated_current_a", i_tx / secondaries if secondaries else 0.0),
                ("active_sections", (sub.transformers - reserves) * secondaries if sub.transformers else 1),
                ("measure", "split secondary" if secondaries > 1 else "none"),
            ),
            source=mv_class.source + "; " + cat.source("short_circuit_measures"),
        )
    )
    return secondaries


def _size_generators(w: _Work, peak_kw: float) -> int:
    """Generators: n = ceil(P_facility x (1 + margin) / P_DCC) + r, on data-center-continuous
    ratings (ISO 8528-1 COP or the manufacturers' DCC), kVA at the rated PF of ISO 8528-3."""
    e, pol = w.spec.electrical, w.spec.policy
    gen_load = peak_kw * (1 + pol.sizing_margin)
    gen_n = max(1, math.ceil(gen_load / e.generator_kw - 1e-9))
    gens = gen_n + redundancy_spares(e.generator_redundancy, gen_n)
    gpf = float(cat.table("generator")["power_factor"])
    w.decisions.append(
        Decision(
            item="generator",
            rule="n = ceil(P_facility x (1 + margin) / P_DCC) + r (N+1: 1, N+2: 2, 2N: n); kVA = P_DCC / 0.8 (ISO 8528-1 ratings, ISO 8528-3 rated power factor 0.8; N+1/N+2 plants as in Schneider Electric reference designs RD104-RD106)",
            inputs=(("facility_kw", peak_kw), ("sizing_margin", pol.sizing_margin), ("generator_kw", e.generator_kw), ("redundancy", e.generator_redundancy)),
            result=(("generators", gens), ("generator_kva", e.generator_kw / gpf)),
            source=cat.source("generator_kw"),
        )
    )
    return gens


def _ride_through(spec: Spec, critical_kw: float, battery_kwh: float, loc: _Locator, diags: list) -> Decision:
    """How the UPS load is bridged from a utility loss until the generators accept it.

    The UPS batteries carry the critical load at once; they must last at least the generator
    start-and-accept time (catalog `generator_start`) - HUB745 otherwise. A BESS
    with the "ride-through" role adds its reserve (bess.ride_through_min at the critical load,
    held by the energy stage) behind the UPS for a failed or slow generator start; its PCS must
    then carry the UPS load (HUB746 when bess.power_mw is a number below it). With power_mw =
    "auto" the PCS is sized later by the energy stage, whose floor is the campus IT load."""
    from hubc.codes import diag

    e = spec.electrical
    start_s = float(cat.table("generator_start")["start_and_accept_s"])
    autonomy_s = e.ups_autonomy_min * 60
    crit_mw = critical_kw / 1000
    inputs: list[tuple[str, Value]] = [
        ("critical_kw", critical_kw),
        ("ups_autonomy_min", e.ups_autonomy_min),
        ("ups_battery_kwh_per_block", battery_kwh),
        ("generator_start_and_accept_s", start_s),
    ]
    result: list[tuple[str, Value]] = [
        ("ups_bridge_s", autonomy_s),
        ("ups_margin_over_generator_start", autonomy_s / start_s if start_s else 0.0),
        ("ups_bridges_generator_start", "yes" if autonomy_s >= start_s else "no"),
    ]
    rule = "UPS batteries carry the critical load from the utility loss: t_UPS = autonomy at full block load >= generator start-and-accept time"
    if autonomy_s < start_s:
        diags.append(
            diag(
                "HUB745",
                f"the UPS batteries carry the load for {autonomy_s:g} s but the generators need {start_s:g} s to start and accept load: "
                f"the {crit_mw:,.1f} MW critical load drops on every utility outage",
                loc.at("electrical", "ups_autonomy_min"),
                ("electrical", "ups_autonomy_min"),
                help=f"set ups_autonomy_min to at least {start_s / 60:.2f} (5-20 min is common practice)",
            )
        )
    bess = spec.bess
    if bess is not None and "ride-through" in bess.roles:
        rule += "; BESS (ride-through role) holds P_critical x t_reserve behind the UPS for a failed generator start, its PCS >= P_critical"
        inputs += [("bess", bess.id), ("bess_ride_through_min", bess.ride_through_min), ("bess_power_mw", bess.power_mw if bess.power_mw == "auto" else float(bess.power_mw))]
        result.append(("bridge_total_s", autonomy_s + bess.ride_through_min * 60))
        if bess.power_mw == "auto":
            result += [
                ("bess_power_check", "sized by the energy stage"),
                ("bess_note", "the energy stage sizes the PCS to at least the campus IT load and holds the reserve; the UPS load here includes CDU pumps"),
            ]
        else:
            ok = float(bess.power_mw) + 1e-9 >= crit_mw
            result.append(("bess_power_check", "carries the critical load" if ok else "below the critical load"))
            if not ok:
                diags.append(
                    diag(
                        "HUB746",
                        f"BESS {bess.id} has {float(bess.power_mw):g} MW of PCS for ride-through, below the {crit_mw:,.1f} MW UPS load it must carry "
                        f"while the generators start",
                        loc.at("bess", "power_mw"),
                        ("bess", "power_mw"),
                        severity=Severity.WARNING,
                        help=f'set bess.power_mw to at least {math.ceil(crit_mw):g} or "auto", or drop the "ride-through" role',
                    )
                )
    return Decision(
        item="critical-ride-through",
        rule=rule + " (UPS stored-energy time per IEC 62040-3:2021; generator start-and-accept time per ISO 8528-5)",
        inputs=tuple(inputs),
        result=tuple(result),
        source=cat.source("generator_start"),
    )


@attrs.frozen(kw_only=True)
class CableChoice:
    """The MV cable of one feeder: `parallel` sets of three 1C `size_mm2` Cu XLPE cables."""

    size_mm2: float
    parallel: int
    table_ampacity_a: float  # one cable, catalog table
    derate: float  # grouping x soil (catalog)
    ampacity_a: float  # installed: parallel x table x derate
    current_a: float  # design current the choice was made for
    length_m: float
    voltage_drop_percent: float
    voltage_drop_limit_percent: float
    ok: bool  # meets ampacity and voltage drop (False: the largest arrangement, reported)
    binding: str  # "ampacity" | "voltage-drop" | "none": what ruled out the next smaller choice


def choose_mv_cable(current_a: float, length_m: float, pf: float, mv_kv: float, min_mm2: float = 0.0) -> CableChoice:
    """Fewest parallel sets, then the smallest section, whose derated ampacity carries the design
    current and whose voltage drop dV% = 100 sqrt3 (I/n) L (R cos + X sin) / V_LL stays within the
    catalog limit (IEC 60364-5-52 Annex G; KEC 232.3.9), and at least `min_mm2` (the short-circuit withstand of IEC 60949,
    each set on its own). Parallel sets only when no single cable does: each set costs
    terminations, a duct way and lug space in the bay. No arrangement passing: the largest one,
    with ok=False."""
    der = cat.table("mv_cable_derating")
    derate = float(der["grouping_factor"]) * float(der["soil_factor"])
    limit = float(cat.table("mv_feeder")["voltage_drop_limit_percent"])
    cables = [c for c in cat.mv_cables() if c.size_mm2 + 1e-9 >= min_mm2] or [cat.mv_cables()[-1]]
    cands = sorted(((n, cab) for n in range(1, int(der["max_parallel"]) + 1) for cab in cables), key=lambda nc: (nc[0], nc[1].size_mm2))
    v_ll = mv_kv * 1000
    binding = "none"
    for n, cab in cands:
        amp = n * cab.ampacity_a * derate
        vd = _vdrop_percent(current_a / n, length_m, cab, pf, v_ll)
        if amp + 1e-9 < current_a:
            binding = "ampacity"
            continue
        if vd > limit + 1e-9:
            binding = "voltage-drop"
            continue
        return CableChoice(size_mm2=cab.size_mm2, parallel=n, table_ampacity_a=cab.ampacity_a, derate=derate, ampacity_a=amp, current_a=current_a, length_m=length_m, voltage_drop_percent=vd, voltage_drop_limit_percent=limit, ok=True, binding=binding)
    n, cab = max(cands, key=lambda nc: (nc[0] * nc[1].ampacity_a, nc[0] * nc[1].size_mm2))
    return CableChoice(
        size_mm2=cab.size_mm2,
        parallel=n,
        table_ampacity_a=cab.ampacity_a,
        derate=derate,
        ampacity_a=n * cab.ampacity_a * derate,
        current_a=current_a,
        length_m=length_m,
        voltage_drop_percent=_vdrop_percent(current_a / n, length_m, cab, pf, v_ll),
        voltage_drop_limit_percent=limit,
        ok=False,
        binding=binding,
    )


def _vdrop_percent(i_a: float, length_m: float, cab: cat.MvCable, pf: float, v_ll: float) -> float:
    # dV = sqrt3 I L (R cos phi + X sin phi) (IEC 60364-5-52 Annex G)
    sin = math.sqrt(max(0.0, 1 - pf * pf))
    dv = SQRT3 * i_a * (length_m / 1000) * (cab.r_ohm_per_km * pf + cab.x_ohm_per_km * sin)
    return 100 * dv / v_ll


def mech_uss_per_feeder(uss: int, feeders: int) -> tuple[int, ...]:
    """Mechanical unit substations on each mechanical feeder (spread in turn: uss-k on feeder k mod n)."""
    return tuple(len(range(i, uss, feeders)) for i in range(feeders)) if feeders else ()


def _min_blocks(topo: Topology, critical_kw: float, block_kw: float) -> int:
    """Redundancy-reserve bound on blocks per hall copy (before rack granularity)."""
    if critical_kw <= 0:
        return 0
    if topo.kind in ("2N", "xMy"):
        # any y of x carry the group: groups >= load / (y P); blocks = x per group
        groups = math.ceil(critical_kw / (topo.y * block_kw) - 1e-9)
        return groups * topo.x
    if topo.kind == "pairs":
        # a block's normal load is at most P m / (m + 1): it shares with at most m partners
        return math.ceil(critical_kw * topo.reserve_ratio / block_kw - 1e-9)
    if topo.kind == "N+1":
        n = math.ceil(critical_kw / block_kw - 1e-9)
        groups = math.ceil(n / (topo.x - 1))
        return n + groups
    n = math.ceil(critical_kw / block_kw - 1e-9)
    return n + math.ceil(n / topo.x)


def _block_rule(topo: Topology) -> str:
    if topo.kind in ("2N", "xMy"):
        return f"{topo.label}: any {topo.y} of {topo.x} blocks carry the group, so groups >= load / ({topo.y} x P_block) (distributed redundant; Schneider Electric White Paper 75, Comparing UPS System Design Configurations)"
    if topo.kind == "pairs":
        return f"{topo.label}: a block shares its rows with at most m partners, so blocks >= load x (m + 1) / (m P_block)"
    if topo.kind == "N+1":
        return f"N+1 blocks: n = ceil(load / P_block) active plus one reserve per group of up to {topo.x} (parallel redundant; Schneider Electric White Paper 75)"
    return f"block-redundant: N = ceil(load / P_block) active blocks + one catcher per {topo.x} (isolated redundant / catcher; Schneider Electric White Paper 75)"


__all__ = ["CableChoice", "Decision", "ElectricalSizing", "HallPower", "LoadItem", "Topology", "choose_mv_cable", "mech_uss_per_feeder", "size_electrical", "topology_of"]
