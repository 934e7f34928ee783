"""Build the typed network from the sizing, the assignment and the feeder designs.

In: the spec, `ElectricalSizing` (ratings, the MV arrangement), the `Assignment` (blocks,
feeders, sections per hall copy), the sized feeder cables, the generator plan and, for the hall
copies modelled as equivalents, the P and Q at each feeder's hall end from the typical copy's
load flow. Out: `Network` (hubc/electrical/network.py) with impedances from the catalog:
transformers at the IEC 60076-5 minimum impedance (or the raised value a measure chose), cables
from the MV cable table, overhead lines from the energy catalog's conductor (the one the
interconnect sizing picks) with the reactance of electrical.toml, the utility at the spec's or
the catalog's fault level, gensets with X''d and R_G per IEC 60909-0 §6.6.1.

Generators: `generator_plan` spreads the sets over the islands the MV sections form when the
utility is lost (each section on its own unless ties are normally closed), N+k per island.
Gensets, BESS and renewables are placeholders until their connection is modelled (paralleling
groups, collector systems): gensets sit on their MV section behind their own breaker, BESS PCS
and renewable plants at the HV bus; their short-circuit contribution is counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from hubc.catalog import electrical as cat
from hubc.electrical.arrangement import Arrangement
from hubc.electrical.feeds import Assignment, HallAssignment
from hubc.electrical.generator_groups import (
    BlockSets,
    GroupPlan,
    PlantConnection,
    plan_block_sets,
    plan_groups,
    plant_connections,
)
from hubc.electrical.hv_scheme import add_hv_stage, lay_hv_bus, main_hv_kv
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
from hubc.electrical.sizing import SQRT3, Decision, ElectricalSizing
from hubc.spec.model import Spec, redundancy_spares

TIE_Z_OHM = 0.001  # busbar and breaker of a tie or coupler: small, so its current is reported


@attrs.frozen(kw_only=True)
class GeneratorPlan:
    """Gensets per MV section (the island it backs up when the utility is lost)."""

    sections: tuple[tuple[str, int], ...]  # (section id, sets)
    islands: tuple[tuple[str, ...], ...]  # groups of sections that form one island
    decision: Decision
    groups: GroupPlan | None = None  # the sets of each section in paralleling groups
    blocks: BlockSets | None = None  # lv-per-block: one set per UPS block behind its transfer switch

    @property
    def total(self) -> int:
        return sum(n for _s, n in self.sections)


def generator_plan(spec: Spec, sz: ElectricalSizing, asg: Assignment) -> GeneratorPlan:
    """N+k gensets per island: n = ceil(P_island x (1 + margin) / P_DCC) + spares. Sections tied
    in normal operation (closed-ties) form one island and share one N+k pool, spread evenly over
    the sections; otherwise each section (with its share of the non-UPS load) is its own island.
    A campus without main transformers is one island."""
    if spec.electrical.generator_arrangement == "lv-per-block":
        return _per_block_plan(spec, sz, asg)
    arr = sz.arrangement()
    act = arr.active_sections
    pf, margin, kw = sz.power_factor, spec.policy.sizing_margin, sz.generator_kw
    red = spec.electrical.generator_redundancy
    loads = list(asg.section_kva) + [0.0] * max(0, len(act) - len(asg.section_kva))
    if arr.philosophy == "closed-ties" or not sz.main_tx_count or len(act) == 1:
        islands = (tuple(s.id for s in act),)
        total = sz.generators
        base, extra = divmod(total, len(act))
        per = [(s.id, base + (1 if i < extra else 0)) for i, s in enumerate(act)]
        rule = "one island (sections tied or a single section): the campus N+k set count, spread over the sections"
    else:
        islands = tuple((s.id,) for s in act)
        per = []
        for s, kva in zip(act, loads):
            need = max(1, math.ceil(kva * pf * (1 + margin) / kw - 1e-9)) if kva > 0 else 0
            per.append((s.id, need + redundancy_spares(red, need) if need else 0))
        rule = "each MV section is its own island on a utility loss: n = ceil(P_section x (1 + margin) / P_DCC) + spares per section"
    dec = Decision(
        item="generator-islands",
        rule=rule + " (in paralleling groups: generator-groups)",
        inputs=(("philosophy", arr.philosophy), ("generator_kw", kw), ("redundancy", red), ("sizing_margin", margin), ("campus_sets", sz.generators)),
        result=(("islands", len(islands)), ("sets", sum(n for _s, n in per)), ("sets_per_section", " ".join(f"{s.split('.')[-1]}:{n}" for s, n in per))),
        source=cat.source("generator_kw"),
    )
    return GeneratorPlan(sections=tuple(per), islands=islands, decision=dec, groups=plan_groups(spec, sz, tuple(per)))


def _per_block_plan(spec: Spec, sz: ElectricalSizing, asg: Assignment) -> GeneratorPlan:
    """`lv-per-block`: a set on every UPS block of every hall copy; each block is its own island
    on a utility loss (its transfer switch leaves the dead MV network), counted by the MV section
    its feeder hangs from."""
    act = sz.arrangement().active_sections
    where = asg.section_copies()
    per: dict[str, int] = {}
    for ha in asg.halls:
        for f in ha.feeders:
            for t in where[(ha.hall, f.id)]:
                per[act[t].id] = per.get(act[t].id, 0) + len(f.blocks)
    sections = tuple((s.id, per[s.id]) for s in act if per.get(s.id))
    bs = plan_block_sets(spec, sz, sum(n for _s, n in sections))
    return GeneratorPlan(sections=sections, islands=tuple((s,) for s, _n in sections), decision=bs.decision, blocks=bs)


def block_input(sz: ElectricalSizing, out_kw: float, recharge_kw: float = 0.0) -> tuple[float, float]:
    """(P MW, Q Mvar) a UPS draws at its input for `out_kw` of output (double conversion at the
    catalog efficiency) plus a battery recharge, at the design power factor."""
    p = (out_kw / sz.ups_efficiency + recharge_kw) / 1000.0
    return p, p * math.tan(math.acos(sz.power_factor))


def normal_block_loads(ha: HallAssignment, sz: ElectricalSizing) -> dict[str, float]:
    """UPS output kW of every block of a hall copy in normal operation (the verifier's load model:
    cords share their load over their live feeds)."""
    from hubc.electrical.verify import _Hall

    return _Hall(ha, sz).loads(frozenset())[0]


def _local(item_id: str) -> str:
    """`hall-a.mvf-01` -> `mvf-01` (the assignment id without its hall)."""
    return item_id.split(".", 1)[1] if "." in item_id else item_id


def copy_prefix(hall: str, copy: int) -> str:
    return f"{hall}.c{copy:02d}"


def main_transformer_vk(mva: float) -> float:
    return cat.transformer_z_pu(mva * 1000) * 100


def build_network(
    spec: Spec,
    sz: ElectricalSizing,
    asg: Assignment,
    cables: Mapping[tuple[str, str], object],
    gens: GeneratorPlan,
    *,
    equivalents: Mapping[tuple[str, str], tuple[float, float]] | None = None,
    main_vk_percent: float | None = None,
    full_copies: bool = False,
) -> Network:
    """`cables`: (hall or "campus", feeder id) -> `CableChoice`. `equivalents`: (hall, feeder id)
    -> (P MW, Q Mvar) at the feeder's hall end for the copies not modelled in full (missing: the
    UPS input of its blocks, without unit-substation losses). `full_copies`: model every copy in
    full (the reference the equivalence test compares with)."""
    b = _Builder(spec, sz)
    arr = sz.arrangement()
    b.utility_and_substation(arr, main_vk_percent)
    b.generators(gens)
    b.converters()
    where = asg.section_copies()
    for ha in asg.halls:
        b.hall(ha, where, cables, equivalents or {}, full_copies)
    b.mechanical(asg, where, cables)
    return b.network(arr)


class _Builder:
    def __init__(self, spec: Spec, sz: ElectricalSizing) -> None:
        self.spec, self.sz = spec, sz
        self.buses: list[Bus] = []
        self.lines: list[Line] = []
        self.trafos: list[Transformer] = []
        self.switches: list[Switch] = []
        self.ext: list[ExternalGrid] = []
        self.gens: list[Generator] = []
        self.sgens: list[StaticGenerator] = []
        self.loads: list[Load] = []
        self.motors: list[Motor] = []
        self.notes: list[str] = []
        self.section_bus: dict[str, str] = {}  # arrangement section id -> bus id (same id)
        self.hv_sections: list[str] = []
        self.hv_node: dict[str, str] = {}  # HV circuit (line, transformer unit or side, plant collector) -> its bus node
        self.hv_breakered: dict[str, bool] = {}  # the circuit has its own breaker (else a disconnector)
        self.main_units: list[str] = []
        self.plants: tuple[PlantConnection, ...] = ()
        self.block_sets: BlockSets | None = None
        self.plant_bays: list[str] = []
        self.sid = sz.substation_id
        self.mv_kv = sz.mv_voltage_kv
        self.lv_kv = sz.lv_voltage_v / 1000.0

    # ------------------------------------------------------------------ utility and substation
    def utility_and_substation(self, arr: Arrangement, main_vk: float | None) -> None:
        spec, sz = self.spec, self.sz
        g = spec.grid
        kv = g.interconnect_voltage_kv
        fl = cat.grid_fault_level(kv)
        ik_max = g.fault_level_ka if g.fault_level_ka is not None else fl.max_ka
        ik_min = g.fault_level_min_ka if g.fault_level_min_ka is not None else min(fl.min_ka, ik_max)
        x_r = g.x_r if g.x_r is not None else fl.x_r
        src = "spec grid" if g.fault_level_ka is not None else fl.source
        self.buses.append(Bus(id="grid.utility", vn_kv=kv, role="utility", section="", area="grid"))
        self.ext.append(
            ExternalGrid(
                id="grid.source",
                bus="grid.utility",
                vm_pu=1.0,
                s_sc_max_mva=SQRT3 * kv * ik_max,
                s_sc_min_mva=SQRT3 * kv * ik_min,
                rx_max=1.0 / x_r,
                rx_min=1.0 / x_r,
                fault_level_max_ka=ik_max,
                fault_level_min_ka=ik_min,
                x_r=x_r,
                source=src,
            )
        )
        has_tx = sz.main_tx_count > 0
        circuits = self._circuits()
        lids = [c.id if c is not None else f"grid.c{i + 1}" for i, c in enumerate(circuits)]
        units = self._hv_bus(arr, lids) if has_tx else []
        self._land_circuits(circuits, lids, has_tx, arr.active_sections[0].id)
        # MV sections
        for s in arr.sections:
            role = "mv-reserve" if s.role == "reserve" else "mv-section"
            self.buses.append(Bus(id=s.id, vn_kv=self.mv_kv, role=role, section=s.id, area=self.sid))
            self.section_bus[s.id] = s.id
        if has_tx:
            if units:  # a two-stage chain: HV/HV transformers, the intermediate bus below them
                add_hv_stage(self, units)
            self._main_transformers(arr, main_vk)
        for t in arr.ties:
            self.switches.append(Switch(id=t.id, bus=t.a, element=t.b, element_kind="bus", kind="CB", role=t.kind, closed=t.normally_closed, z_ohm=TIE_Z_OHM, area=self.sid))

    def _hv_bus(self, arr: Arrangement, lids: list[str]) -> list[str]:
        """The supply's HV bus by its scheme (`hv_scheme.lay_hv_bus`): the utility circuits, the
        HV/HV transformers of a two-stage chain (their ids, returned) or else the main
        transformers and behind-the-meter plants."""
        spec, sz = self.spec, self.sz
        sub, st = spec.substation, spec.substation.hv_stage
        self.main_units = list(arr.transformers)
        self.plants = plant_connections(spec, sz, main_hv_kv(spec))
        self.plant_bays = [f"{pc.plant}.col-{u + 1}" for pc in self.plants for u in range(pc.units)]
        units = [f"{self.sid}.ivt-{k + 1}" for k in range(st.transformers)] if st is not None else []
        lay_hv_bus(self, f"{self.sid}.hv", sub.hv_voltage_kv, sub.bus_scheme, lids, units or self.main_units, () if units else self.plant_bays)
        self.hv_sections = sorted({self.hv_node[x] for x in lids + (units or self.main_units)})
        return units

    def _land_circuits(self, circuits: list[Line | None], lids: list[str], has_tx: bool, mv_landing: str) -> None:
        """Circuits from the utility: at HV all closed, each on its node of the HV bus (its own
        breaker, or a disconnector in a ring or diameter); an MV supply keeps one closed and the
        others as standby (the utility's main/standby transfer, never in parallel)."""
        for i, (c, lid) in enumerate(zip(circuits, lids)):
            at = self.hv_node[lid] if has_tx else mv_landing
            brk = self.hv_breakered[lid] if has_tx else True
            sw = dict(kind="CB" if brk else "DS", role="line", closed=has_tx or i == 0)
            if c is None:  # no line modelled: the circuit's switch joins the utility bus directly
                self.switches.append(Switch(id=f"{lid}.{'cb' if brk else 'ds'}", bus=at, element="grid.utility", element_kind="bus", z_ohm=TIE_Z_OHM, area="grid", **sw))
            else:
                self.lines.append(attrs.evolve(c, from_bus="grid.utility", to_bus=at))
                self.switches.append(Switch(id=f"{c.id}.{'cb' if brk else 'ds'}", bus=at, element=c.id, element_kind="line", area=c.area, **sw))

    def _circuits(self) -> list[Line | None]:
        """One entry per utility circuit: the line record (buses filled in later) or None."""
        spec = self.spec
        if not spec.transmission:
            return [None] * spec.grid.circuits
        from hubc.diagnostics import Location
        from hubc.energy.interconnect import size_interconnect

        ic, _diags = size_interconnect(spec, lambda *p: Location(file="<spec>"))
        out: list[Line | None] = []
        for tl, ln in zip(spec.transmission, ic.lines):
            x, c_nf, src = cat.line_reactance(ln.voltage_class_kv, ln.conductor)
            sets = ln.parallel_sets
            kind = "overhead" if tl.construction == "overhead" else ("submarine" if tl.construction == "submarine" else "cable")
            for k in range(tl.circuits):
                out.append(
                    Line(
                        id=f"{tl.id}.c{k + 1}",
                        from_bus="",
                        to_bus="",
                        kind=kind,
                        type_name=ln.conductor + (f" x{sets} per phase" if sets > 1 else ""),
                        length_km=tl.length_km,
                        r_ohm_per_km=ln.r_ohm_per_km * sets,  # the energy sizing gives R with its sets in parallel
                        x_ohm_per_km=x,
                        c_nf_per_km=c_nf,
                        max_i_ka=ln.conductor_ampacity_a / 1000.0,
                        parallel=sets,
                        area=tl.id,
                        role="transmission",
                        source=f"conductor from the interconnect sizing (energy catalog); reactance {src}",
                    )
                )
        return out

    def terminal(self, unit: str, side: str, kv: float, bay: str) -> str:
        """A transformer's HV-side terminal bus `<unit>.<side>` on its HV bus node, through its own
        breaker `<unit>.<side>-cb` or, in a ring or breaker-and-a-half, a disconnector `-ds`."""
        term, node, brk = f"{unit}.{side}", self.hv_node[bay], self.hv_breakered[bay]
        self.buses.append(Bus(id=term, vn_kv=kv, role="transformer-hv", section=node, area=self.sid))
        self.switches.append(Switch(id=f"{term}-{'cb' if brk else 'ds'}", bus=node, element=term, element_kind="bus", kind="CB" if brk else "DS", role="transformer-hv", closed=True, z_ohm=TIE_Z_OHM, area=self.sid))
        return term

    def _main_transformers(self, arr: Arrangement, main_vk: float | None) -> None:
        sz = self.sz
        s_kva = sz.main_tx_mva * 1000
        vk_min = main_transformer_vk(sz.main_tx_mva)
        vk = main_vk if main_vk is not None else vk_min
        x_r, xr_src = cat.transformer_x_r(s_kva)
        pfe, i0, nl_src = cat.transformer_no_load(s_kva)
        tap = cat.table("main_transformer_tap_changer")
        vg = str(cat.table("transformer_vector_group")["main"])
        hv_kv = main_hv_kv(self.spec)
        for t, tx in enumerate(arr.transformers):
            term = self.terminal(tx, "hv", hv_kv, tx)
            for w in arr.windings_of(tx):
                sec = next(s for s in arr.sections if s.winding == w.id)
                sn = w.rating_kva / 1000
                self.trafos.append(
                    Transformer(
                        id=w.id,
                        unit=tx,
                        hv_bus=term,
                        lv_bus=sec.id,
                        role="main",
                        sn_mva=sn,
                        vn_hv_kv=hv_kv,
                        vn_lv_kv=self.mv_kv,
                        vk_percent=vk,
                        vkr_percent=vk / math.sqrt(1 + x_r * x_r),
                        pfe_kw=pfe / 100 * w.rating_kva,
                        i0_percent=i0,
                        vector_group=vg,
                        tap_side=str(tap["side"]),
                        tap_neutral=int(tap["neutral"]),
                        tap_min=int(tap["min_position"]),
                        tap_max=int(tap["max_position"]),
                        tap_step_percent=float(tap["step_percent"]),
                        tap_pos=int(tap["neutral"]),
                        on_load_tap_changer=True,
                        vk_min_percent=vk_min,
                        reserve=w.reserve,
                        area=self.sid,
                        source=f"vk {cat.transformer_z_source(s_kva)}; X/R {xr_src}; no-load {nl_src}; OLTC {cat.source('main_transformer_tap_changer')}",
                    )
                )
                self.switches.append(Switch(id=arr.incomer(sec), bus=sec.id, element=w.id, element_kind="transformer", kind="CB", role="incomer", closed=True, area=self.sid))
        if arr.secondaries > 1:
            self.notes.append(
                f"each main transformer has a split secondary of {arr.secondaries} windings of {sz.main_tx_mva / arr.secondaries:g} MVA, "
                "modelled as one two-winding unit per winding on the transformer's HV terminal, each at the unit's impedance on its own rating"
            )

    # ------------------------------------------------------------------ sources
    def generators(self, plan: GeneratorPlan) -> None:
        """Each paralleling group: its generator bus, tied to its MV section by the group breaker
        (normally open: the sets stand by), and its sets, each behind its own breaker on the group
        bus (MV sets) or through its own step-up transformer (LV sets). The group breaker has no
        impedance: closed, the group bus and its section are one node, so the sets of an island
        (slack machines at the same voltage) share its load evenly, as their governors' droop does."""
        if plan.blocks is not None:
            self.block_sets = plan.blocks  # each set is added with its block (`_block`)
            bs = plan.blocks
            self.notes.append(
                f"one {bs.set_kw:g} kW LV genset per UPS block ({bs.blocks} sets) on the block's LV main board behind an IEC 60947-6-1 {bs.ats_class}-class "
                f"{bs.poles}-pole transfer switch ({bs.ats_a:g} A, {bs.transition} transition): the unit-substation side normally closed, the genset side normally open; "
                "copies modelled as equivalents have the same sets on their blocks"
            )
            return
        gp = plan.groups
        if gp is None or not gp.groups:
            return
        gi = cat.table("generator_impedance")
        gpf = float(cat.table("generator")["power_factor"])
        sn, kv = gp.set_mva, gp.set_kv
        xdss = float(gi["xdss_pu"])
        r_x = float(gi["r_over_x_mv"] if kv > 1 else gi["r_over_x_lv"])
        x_ohm = xdss * kv**2 / sn
        lv = gp.arrangement == "lv-groups"
        for grp in gp.groups:
            self.buses.append(Bus(id=grp.id, vn_kv=self.mv_kv, role="generator-bus", section=grp.section, area="campus"))
            self.switches.append(Switch(id=f"{grp.id}.cb", bus=grp.section, element=grp.id, element_kind="bus", kind="CB", role="generator-group", closed=False, area="campus"))
            for k in range(grp.sets):
                gid = f"{grp.id}.gen-{k + 1:02d}"
                term = f"{gid}.term"
                self.buses.append(Bus(id=term, vn_kv=kv, role="generator-terminal", section=grp.section, area="campus"))
                if lv:
                    self.trafos.append(self._step_up(f"{gid}.tx", grp.id, term, sn, kv, "generator-step-up", str(cat.table("generator_paralleling")["step_up_vector_group"])))
                    self.switches.append(Switch(id=f"{gid}.cb", bus=grp.id, element=f"{gid}.tx", element_kind="transformer", kind="CB", role="generator", closed=False, area="campus"))
                else:
                    self.switches.append(Switch(id=f"{gid}.cb", bus=grp.id, element=term, element_kind="bus", kind="CB", role="generator", closed=False, z_ohm=TIE_Z_OHM, area="campus"))
                self.gens.append(
                    Generator(
                        id=gid,
                        bus=term,
                        group=grp.section,
                        paralleling_group=grp.id,
                        sn_mva=sn,
                        p_mw=self.sz.generator_kw / 1000,
                        vn_kv=kv,
                        xdss_pu=xdss,
                        rdss_ohm=r_x * x_ohm,
                        cos_phi=gpf,
                        source=cat.source("generator_impedance"),
                    )
                )
        how = "LV sets, each through its own step-up transformer onto" if lv else "MV sets, each behind its own breaker on"
        self.notes.append(f"gensets in {len(gp.groups)} paralleling group(s) of at most {gp.max_sets} sets: {how} the group's generator bus, one group breaker to the MV section")

    def _step_up(self, tid: str, hv: str, lv: str, sn_mva: float, lv_kv: float, role: str, vector_group: str, hv_kv: float | None = None) -> Transformer:
        """A step-up transformer (no tap changer) at the IEC 60076-5 minimum impedance for its rating."""
        return self._iec_transformer(tid, hv, lv, role, sn_mva * 1000, self.mv_kv if hv_kv is None else hv_kv, lv_kv, vector_group, tap_side="", area="campus", copy=0)

    def _iec_transformer(self, tid: str, hv: str, lv: str, role: str, s_kva: float, hv_kv: float, lv_kv: float, vector_group: str, *, tap_side: str, area: str, copy: int) -> Transformer:
        """A two-winding transformer at the IEC 60076-5 minimum impedance for its rating, with the
        catalog's X/R and no-load losses."""
        vk = cat.transformer_z_pu(s_kva) * 100
        x_r, xr_src = cat.transformer_x_r(s_kva)
        pfe, i0, nl_src = cat.transformer_no_load(s_kva)
        return Transformer(
            id=tid,
            unit=tid,
            hv_bus=hv,
            lv_bus=lv,
            role=role,
            sn_mva=s_kva / 1000,
            vn_hv_kv=hv_kv,
            vn_lv_kv=lv_kv,
            vk_percent=vk,
            vkr_percent=vk / math.sqrt(1 + x_r * x_r),
            pfe_kw=pfe / 100 * s_kva,
            i0_percent=i0,
            vector_group=vector_group,
            tap_side=tap_side,
            vk_min_percent=vk,
            area=area,
            copy=copy,
            source=f"vk {cat.transformer_z_source(s_kva)}; X/R {xr_src}; no-load {nl_src}",
        )

    def converters(self) -> tuple[PlantConnection, ...]:
        """Behind-the-meter plants (BESS, renewables) as converter current sources on their
        collector buses, each behind a step-up transformer to the first HV section (on an MV supply:
        a breaker to the first MV section), at zero output in the design load flow (the worst case
        for import). Grid-delivered PPAs are not in the network."""
        hv = bool(self.hv_sections)
        bus_kv = main_hv_kv(self.spec) if hv else self.mv_kv
        k = float(cat.table("inverter_short_circuit")["k"])
        src = cat.source("inverter_short_circuit")
        plants = self.plants if hv else plant_connections(self.spec, self.sz, bus_kv)
        vg = str(cat.table("transformer_vector_group")["main"])
        for pc in plants:
            for u in range(pc.units):
                pid = f"{pc.plant}.col-{u + 1}"
                at = self.hv_node[pid] if hv else self.sz.arrangement().active_sections[0].id
                brk = self.hv_breakered.get(pid, True)
                self.buses.append(Bus(id=pid, vn_kv=pc.collector_kv, role="collector", section=at, area=pc.plant))
                if pc.unit_mva:
                    self.trafos.append(attrs.evolve(self._step_up(f"{pid}.tx", at, pid, pc.unit_mva, pc.collector_kv, "plant-step-up", vg, hv_kv=bus_kv), area=pc.plant))
                    self.switches.append(Switch(id=f"{pid}.{'cb' if brk else 'ds'}", bus=at, element=f"{pid}.tx", element_kind="transformer", kind="CB" if brk else "DS", role="plant", closed=True, area=pc.plant))
                else:
                    self.switches.append(Switch(id=f"{pid}.cb", bus=at, element=pid, element_kind="bus", kind="CB", role="plant", closed=True, z_ohm=TIE_Z_OHM, area=pc.plant))
                how = f"collector {u + 1}/{pc.units} at {pc.collector_kv:g} kV" + (f", step-up {pc.unit_mva:g} MVA to {bus_kv:g} kV" if pc.unit_mva else "")
                self.sgens.append(StaticGenerator(id=f"{pid}.inv", bus=pid, kind=pc.kind, sn_mva=pc.mva / pc.units, p_mw=0.0, k=k, connection=how, source=src, plant=pc.plant))
        return plants

    # ------------------------------------------------------------------ halls
    def _cable_line(self, lid: str, frm: str, to: str, choice, area: str, copy: int, role: str) -> Line:
        der = cat.table("mv_cable_derating")
        derate = float(der["grouping_factor"]) * float(der["soil_factor"])
        c = next(x for x in cat.mv_cables() if x.size_mm2 == choice.size_mm2)
        return Line(
            id=lid,
            from_bus=frm,
            to_bus=to,
            kind="cable",
            type_name=f"3 x 1C {c.size_mm2:g} mm2 Cu XLPE 18/30 kV",
            length_km=choice.length_m / 1000,
            r_ohm_per_km=c.r_ohm_per_km,
            x_ohm_per_km=c.x_ohm_per_km,
            c_nf_per_km=c.c_nf_per_km,
            max_i_ka=c.ampacity_a * derate / 1000,
            parallel=choice.parallel,
            size_mm2=c.size_mm2,
            area=area,
            copy=copy,
            role=role,
            source=cat.source("mv_cable_source") + "; derating " + cat.source("mv_cable_derating"),
        )

    def hall(self, ha: HallAssignment, where, cables, equivalents, full_copies: bool) -> None:
        sz = self.sz
        act = sz.arrangement().active_sections
        normal = normal_block_loads(ha, sz)
        for copy in range(1, ha.copies + 1):
            pre = copy_prefix(ha.hall, copy)
            full = copy == 1 or full_copies
            for f in ha.feeders:
                t = where[(ha.hall, f.id)][copy - 1]
                sec = act[t].id
                fid = f"{pre}.{_local(f.id)}"
                rmu = f"{fid}.rmu"
                typical = f"{copy_prefix(ha.hall, 1)}.{_local(f.id)}.rmu"
                self.buses.append(Bus(id=rmu, vn_kv=self.mv_kv, role="feeder-end", section=sec, area=ha.hall, copy=copy, detail="full" if full else "equivalent", typical="" if full else typical))
                self.lines.append(self._cable_line(fid, sec, rmu, cables[(ha.hall, f.id)], ha.hall, copy, "mv-feeder"))
                self.switches.append(Switch(id=f"{fid}.cb", bus=sec, element=fid, element_kind="line", kind="CB", role="feeder", closed=True, area=ha.hall, copy=copy))
                if full:
                    for blk in f.blocks:
                        self._block(ha.hall, pre, copy, blk, rmu, sec, normal[blk])
                else:
                    pq = equivalents.get((ha.hall, f.id))
                    if pq is None:
                        pq = tuple(map(sum, zip(*(block_input(sz, normal[blk]) for blk in f.blocks)))) if f.blocks else (0.0, 0.0)
                    self.loads.append(Load(id=f"{rmu}.equivalent", bus=rmu, kind="equivalent", p_mw=pq[0], q_mvar=pq[1], area=ha.hall, copy=copy, represents=tuple(f.blocks)))

    def _block(self, hall: str, pre: str, copy: int, blk: str, rmu: str, sec: str, out_kw: float) -> None:
        sz = self.sz
        bid = f"{pre}.{_local(blk)}"
        lv, ups = f"{bid}.lv", f"{bid}.ups"
        self.buses.append(Bus(id=lv, vn_kv=self.lv_kv, role="lv-board", section=sec, area=hall, copy=copy))
        self.buses.append(Bus(id=ups, vn_kv=self.lv_kv, role="ups-input", section=sec, area=hall, copy=copy))
        self.trafos.append(self._uss(f"{bid}.uss", rmu, lv, "unit-substation", hall, copy))
        self.switches.append(Switch(id=f"{bid}.uss-cb", bus=rmu, element=f"{bid}.uss", element_kind="transformer", kind="CB", role="unit-substation", closed=True, area=hall, copy=copy))
        self.switches.append(Switch(id=f"{bid}.ups-cb", bus=lv, element=ups, element_kind="bus", kind="CB", role="ups-input", closed=True, area=hall, copy=copy))
        p, q = block_input(sz, out_kw)
        self.loads.append(Load(id=bid, bus=ups, kind="ups", p_mw=p, q_mvar=q, area=hall, copy=copy, block=blk))
        if self.block_sets is not None:
            self._block_genset(bid, lv, sec, hall, copy)

    def _block_genset(self, bid: str, lv: str, sec: str, hall: str, copy: int) -> None:
        """`lv-per-block`: the block's transfer switch - its unit-substation side `<block>.ats-n`
        at the transformer's LV terminal (normally closed), its genset side `<block>.ats-g` to the
        set's terminal (normally open) - and the set with X''d and R_G of IEC 60909-0 §6.6.1."""
        bs = self.block_sets
        gi = cat.table("generator_impedance")
        kv = self.lv_kv
        xdss = float(gi["xdss_pu"])
        x_ohm = xdss * kv**2 / bs.set_mva
        term = f"{bid}.gen"
        self.buses.append(Bus(id=term, vn_kv=kv, role="generator-terminal", section=sec, area=hall, copy=copy))
        self.switches.append(Switch(id=f"{bid}.ats-n", bus=lv, element=f"{bid}.uss", element_kind="transformer", kind="CB", role="ats-normal", closed=True, area=hall, copy=copy))
        self.switches.append(Switch(id=f"{bid}.ats-g", bus=lv, element=term, element_kind="bus", kind="CB", role="generator", closed=False, z_ohm=TIE_Z_OHM, area=hall, copy=copy))
        gpf = float(cat.table("generator")["power_factor"])
        self.gens.append(Generator(id=f"{bid}.genset", bus=term, group=sec, sn_mva=bs.set_mva, p_mw=bs.set_kw / 1000, vn_kv=kv, xdss_pu=xdss, rdss_ohm=float(gi["r_over_x_lv"]) * x_ohm, cos_phi=gpf, source=cat.source("generator_impedance")))

    def _uss(self, tid: str, hv: str, lv: str, role: str, area: str, copy: int) -> Transformer:
        vg = str(cat.table("transformer_vector_group")["unit_substation"])
        return self._iec_transformer(tid, hv, lv, role, self.sz.uss_kva, self.mv_kv, self.lv_kv, vg, tap_side="hv", area=area, copy=copy)

    # ------------------------------------------------------------------ mechanical plant
    def mechanical(self, asg: Assignment, where, cables) -> None:
        """The non-UPS load: N+1 mechanical feeders, each to its share of the mechanical unit
        substations (in turn, as `mech_uss_per_feeder`), every substation carrying an equal share
        of the load; a direct-on-line motor share per the heat-rejection plant (short-circuit
        contribution only: their running power is in the load)."""
        sz = self.sz
        feeders = asg.mech_feeders
        if not feeders or sz.mech_uss <= 0:
            return
        act = sz.arrangement().active_sections
        per_feeder: dict[str, list[int]] = {f.id: [] for f in feeders}
        for k in range(sz.mech_uss):
            per_feeder[feeders[k % len(feeders)].id].append(k + 1)
        share, share_src = cat.motor_share(self.spec.cooling_plant.kind)
        mg = cat.table("motor_group")
        tanphi = math.tan(math.acos(sz.power_factor))
        p_uss = sz.mechanical_kw / 1000 / sz.mech_uss
        for f in feeders:
            t = where[("campus", f.id)][0]
            sec = act[t].id
            rmu = f"{f.id}.rmu"
            self.buses.append(Bus(id=rmu, vn_kv=self.mv_kv, role="feeder-end", section=sec, area="campus"))
            self.lines.append(self._cable_line(f.id, sec, rmu, cables[("campus", f.id)], "campus", 0, "mechanical-feeder"))
            self.switches.append(Switch(id=f"{f.id}.cb", bus=sec, element=f.id, element_kind="line", kind="CB", role="feeder", closed=True, area="campus"))
            usses = per_feeder[f.id]
            for k in usses:
                uid = f"{f.id}.uss-{k}"
                lv = f"{uid}.lv"
                self.buses.append(Bus(id=lv, vn_kv=self.lv_kv, role="lv-board", section=sec, area="campus"))
                self.trafos.append(self._uss(uid, rmu, lv, "mechanical", "campus", 0))
                self.switches.append(Switch(id=f"{uid}.cb", bus=rmu, element=uid, element_kind="transformer", kind="CB", role="unit-substation", closed=True, area="campus"))
                p = p_uss
                p_motor = p * share
                if p_motor > 0:
                    self.motors.append(
                        Motor(
                            id=f"{uid}.motors",
                            bus=lv,
                            pn_mech_mw=p_motor * float(mg["efficiency_percent"]) / 100,
                            cos_phi=float(mg["cos_phi"]),
                            efficiency_percent=float(mg["efficiency_percent"]),
                            lrc_pu=float(mg["lrc_pu"]),
                            rx=float(mg["rx"]),
                            vn_kv=self.lv_kv,
                        )
                    )
                self.loads.append(Load(id=f"{uid}.load", bus=lv, kind="mechanical", p_mw=p, q_mvar=p * tanphi, area="campus"))
        if share > 0:
            self.notes.append(f"{share:.0%} of the mechanical load is direct-on-line motors ({share_src})")

    def network(self, arr: Arrangement) -> Network:
        spec = self.spec
        return Network(
            name=spec.campus.id,
            f_hz=self.sz.frequency_hz,
            philosophy=arr.philosophy,
            generator_transfer=spec.electrical.generator_transfer,
            buses=tuple(self.buses),
            lines=tuple(self.lines),
            transformers=tuple(self.trafos),
            switches=tuple(self.switches),
            ext_grids=tuple(self.ext),
            generators=tuple(self.gens),
            sgens=tuple(self.sgens),
            loads=tuple(self.loads),
            motors=tuple(self.motors),
            notes=tuple(self.notes),
        )


__all__ = ["GeneratorPlan", "block_input", "build_network", "copy_prefix", "generator_plan", "main_transformer_vk", "normal_block_loads"]
