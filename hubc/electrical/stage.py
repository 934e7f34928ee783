"""The electrical stage: spec + row loads -> sized, assigned, studied and rated power chain.

In: the typed `Spec`, `row_loads` (hall id -> the rows of one copy of that hall, from rack
placement) and optionally the spec's `SourceFile` for diagnostic locations. Out:
`ElectricalResult` - the sizing decisions, the CP-SAT assignment (with its status, objective,
bound and gap, and the greedy baseline it is compared with), every failure scenario of the
solver-free verifier with its worst loading (incl. each MV bus section after downstream
failures), each MV feeder's design load and cable (`FeederDesign`: sized on its worst
post-failure load or normal load plus battery recharge, by derated ampacity and voltage drop,
then on its short-circuit withstand and the load flows), the network with its studies and
ratings (`network_design.py`), and the equipment list for procurement (switchgear bays, cables,
gensets and LV boards counted from the network). User-caused failures raise `HubcError` (exit 1
for design errors, 3 when no assignment exists).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import attrs

from hubc.catalog import electrical as cat
from hubc.core.derived import NOT_IN_JSON, derived
from hubc.core.equipment import Equipment
from hubc.core.loads import main_transformer_loading_limit
from hubc.core.types import RowLoad
from hubc.diagnostics import Diagnostic, HubcError, Location, has_errors

# Real imports (not TYPE_CHECKING): design.json's converter resolves these field types.
from hubc.electrical.build import GeneratorPlan, normal_block_loads
from hubc.electrical.demand import demand_splits
from hubc.electrical.feeds import Assignment, HallAssignment, Infeasible, assign
from hubc.electrical.generator_groups import (
    block_set_equipment,
    block_set_findings,
    generator_group_findings,
    step_up_equipment,
)
from hubc.electrical.hv_scheme import HvScheme, hv_scheme_findings, hv_stage_equipment, main_hv_kv, size_hv_scheme
from hubc.electrical.losses import LossModel, loss_model
from hubc.electrical.network import Network
from hubc.electrical.pf_correction import PfCorrection, capacitor_equipment
from hubc.electrical.ratings import Measure, Ratings
from hubc.electrical.sizing import SQRT3, CableChoice, Decision, ElectricalSizing, choose_mv_cable, size_electrical
from hubc.electrical.studies import Studies
from hubc.electrical.verify import Verification, _mech_after_feeder_loss, feeder_duty, verify_electrical
from hubc.spec.model import Spec


@attrs.frozen(kw_only=True)
class Capacity:
    """Installed capacity of an assignment (what the objective minimises)."""

    ups_blocks: int
    ups_kw: float  # blocks x block rating
    ups_modules: int
    transformer_kva: float  # unit substations (UPS and mechanical) + main transformers
    mv_feeders: int


def capacity(sz: ElectricalSizing, asg: Assignment) -> Capacity:
    blocks = sum(len(h.blocks) * h.copies for h in asg.halls)
    feeders = sum(len(h.feeders) * h.copies for h in asg.halls) + len(asg.mech_feeders)
    return Capacity(
        ups_blocks=blocks,
        ups_kw=blocks * sz.block_kw,
        ups_modules=blocks * sz.modules_per_block,
        transformer_kva=(blocks + sz.mech_uss) * sz.uss_kva + sz.main_tx_count * sz.main_tx_mva * 1000,
        mv_feeders=feeders,
    )


@attrs.frozen(kw_only=True)
class FeederDesign:
    """The sized MV feeder of a hall copy (or a mechanical feeder): its design load and cable."""

    hall: str  # "campus" for mechanical feeders
    feeder: str
    copies: int
    blocks: int
    normal_kva: float
    worst_kva: float  # after the worst single failure in its hall
    worst_failure: str
    recharge_kva: float  # battery recharge allowance of its blocks (after a utility outage)
    design_kva: float  # max(worst, normal + recharge)
    design_a: float
    cable: CableChoice
    sc_min_mm2: float = 0.0  # IEC 60949 short-circuit withstand at its sending bus
    load_flow_a: float = 0.0  # the worst current the load flows gave it (0: not studied yet)


def design_feeders(sz: ElectricalSizing, asg: Assignment, length_m: float | None = None) -> tuple[FeederDesign, ...]:
    """Size every feeder's cable on its actual design load (IEC 60364-5-52: ampacity and voltage drop): the worst of its
    post-failure load (from `feeder_duty`, no solver) and its normal load plus the battery
    recharge allowance of its blocks (after a utility outage every UPS battery recharges at
    once: catalog `ups.battery_recharge_fraction` of the block rating, at the design PF).
    Mechanical feeders: a lost feeder takes its unit substations with it and the others share
    the non-UPS load, so feeder g carries k_g S / (n - k_f) after feeder f is lost."""
    length = float(cat.table("mv_feeder")["default_length_m"]) if length_m is None else length_m
    recharge = float(cat.table("ups")["battery_recharge_fraction"])
    kv = sz.mv_voltage_kv
    out = []

    def make(hall, fid, copies, nb, normal, worst, why, rech):
        design = max(worst, normal + rech)
        amps = design / (SQRT3 * kv)
        return FeederDesign(
            hall=hall, feeder=fid, copies=copies, blocks=nb, normal_kva=normal, worst_kva=worst, worst_failure=why,
            recharge_kva=rech, design_kva=design, design_a=amps, cable=choose_mv_cable(amps, length, sz.power_factor, kv),
        )

    for h in asg.halls:
        for d in feeder_duty(h, sz):
            rech = d.blocks * sz.block_kw * recharge / sz.power_factor
            out.append(make(h.hall, d.feeder, h.copies, d.blocks, d.normal_kva, d.worst_kva, d.worst_failure, rech))
    after = _mech_after_feeder_loss(sz, asg)
    for f in asg.mech_feeders:
        worst, why = f.normal_kva, "normal"
        for lost, loads in sorted(after.items()):
            if lost != f.id and loads[f.id] > worst + 1e-9:
                worst, why = loads[f.id], f"{lost}/fails"
        out.append(make("campus", f.id, 1, 0, f.normal_kva, worst, why, 0.0))
    return tuple(out)


def _design_groups(designs: tuple[FeederDesign, ...]) -> list[tuple[FeederDesign, ...]]:
    """Feeders of one area with the same cable arrangement: one distinct feeder design."""
    groups: dict[tuple, list[FeederDesign]] = {}
    for d in designs:
        groups.setdefault((d.hall, d.cable.size_mm2, d.cable.parallel, d.cable.ok), []).append(d)
    return [tuple(v) for _k, v in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] * kv[0][2], kv[0][2]))]


@attrs.frozen(kw_only=True)
class BlockLoad:
    """A UPS block in normal operation: its load, its unit substation and its MV feeder."""

    block: str
    hall: str
    normal_kw: float
    normal_loading: float  # of the block (UPS system) rating
    unit_substation: str
    mv_feeder: str | None


@attrs.frozen(kw_only=True)
class SectionFeeder:
    """Copies of one feeder of a hall on one MV bus section."""

    hall: str  # "campus" for mechanical feeders
    feeder: str
    count: int
    copies: tuple[int, ...]  # the hall copies (1-based) whose feeder sits on this section


@attrs.frozen(kw_only=True)
class BusSection:
    """One MV bus section (fed by one main-transformer winding, ties open): its feeders and loading."""

    section: str  # the MV bus section (hubc.electrical.arrangement)
    transformer: str  # the main-transformer winding feeding it, or the MV bus when the campus has none
    feeders: tuple[SectionFeeder, ...]
    normal_kva: float
    normal_loading: float | None  # of the transformer rating; None without main transformers
    # the most it carries after any single downstream failure (None without main transformers)
    worst_after_failure_kva: float | None
    worst_after_failure_loading: float | None
    worst_failure: str | None


@attrs.frozen(kw_only=True)
class ElectricalResult:
    sizing: ElectricalSizing
    assignment: Assignment
    verification: Verification
    installed: Capacity
    greedy: Capacity
    # warnings (and errors when run with strict=False); design.json lists them once, for the build
    diagnostics: tuple[Diagnostic, ...] = attrs.field(metadata=NOT_IN_JSON)
    feeder_designs: tuple[FeederDesign, ...] = ()

    def solver_settings(self) -> dict:
        from hubc.electrical.feeds import solver_settings

        return solver_settings()

    # ------------------------------------------------------------------ design.json
    @derived
    @property
    def block_loads(self) -> tuple[BlockLoad, ...]:
        """Every UPS block of one copy of each hall in normal operation."""
        sz, out = self.sizing, []
        for h in self.assignment.halls:
            feeder_of = {b: f.id for f in h.feeders for b in f.blocks}
            load = _block_loads(h)
            out += [
                BlockLoad(
                    block=b.id,
                    hall=h.hall,
                    normal_kw=load[b.id],
                    normal_loading=load[b.id] / sz.block_kw,
                    unit_substation=f"{b.id}/uss",
                    mv_feeder=feeder_of.get(b.id),
                )
                for b in h.blocks
            ]
        return tuple(out)

    @derived
    @property
    def bus_sections(self) -> tuple[BusSection, ...]:
        """The MV bus sections, each with the feeders on it (copy by copy) and its loading."""
        sz, asg = self.sizing, self.assignment
        active = sz.arrangement().active_sections
        where = asg.section_copies()
        after = {s.transformer: s for s in self.verification.sections}
        out = []
        for t, sec in enumerate(asg.sections):
            winding = (active[t].winding if t < len(active) else "") or f"{sz.substation_id}.mv-bus"
            rating = active[t].rating_kva if t < len(active) else 0.0
            worst = after.get(winding)
            feeders = tuple(
                SectionFeeder(hall=hall, feeder=fid, count=n, copies=tuple(c + 1 for c, x in enumerate(where[(hall, fid)]) if x == t))
                for hall, fid, n in sec
            )
            out.append(
                BusSection(
                    section=active[t].id if t < len(active) else f"{sz.substation_id}.mv-{t + 1}",
                    transformer=winding,
                    feeders=feeders,
                    normal_kva=asg.section_kva[t],
                    normal_loading=asg.section_kva[t] / rating if rating else None,
                    worst_after_failure_kva=worst.worst_kva if worst else None,
                    worst_after_failure_loading=worst.worst_kva / worst.rating_kva if worst else None,
                    worst_failure=worst.failure if worst else None,
                )
            )
        return tuple(out)

    @derived
    @property
    def assignment_decisions(self) -> tuple[Decision, ...]:
        """Counts the assignment decided, recorded like the sizing decisions."""
        sz, out = self.sizing, []
        for h in self.assignment.halls:
            hp = sz.hall(h.hall)
            groups = len({b.group for b in h.blocks})
            out.append(
                Decision(
                    item=f"{h.hall}/ups-blocks",
                    rule=f"CP-SAT: fewest blocks such that every {sz.topology.label} group survives any one block failure (A_s + Q_st <= 2P), then least worst loading",
                    inputs=(("critical_kw", hp.critical_kw), ("ups_system_kw", sz.block_kw), ("load_items", len(hp.items)), ("lower_bound_blocks", hp.min_blocks)),
                    result=(("blocks_per_copy", len(h.blocks)), ("groups_per_copy", groups), ("copies", h.copies), ("greedy_blocks_per_copy", h.greedy_blocks)),
                )
            )
            out.append(
                Decision(
                    item=f"{h.hall}/mv-feeders",
                    rule="CP-SAT bin packing: sum of blocks' worst input kVA <= feeder kVA; blocks of one redundancy group on different feeders",
                    inputs=(("blocks_per_copy", len(h.blocks)), ("feeder_kva", sz.feeder_kva)),
                    result=(("feeders_per_copy", len(h.feeders)), ("greedy_feeders_per_copy", h.greedy_feeders)),
                )
            )
        for group in _design_groups(self.feeder_designs):
            d = max(group, key=lambda x: (x.design_a, x.feeder))  # the governing feeder
            c = d.cable
            out.append(
                Decision(
                    item=f"{d.hall}/mv-feeder-design/{c.parallel}x{c.size_mm2:g}mm2",
                    rule="I_design = S_design / (sqrt3 V_MV), S_design = max(worst post-failure kVA, normal kVA + battery recharge); "
                    "cable: fewest parallel sets, then smallest mm2, with sets x table ampacity x derating >= I_design and "
                    "dV% = 100 sqrt3 (I/sets) L (R cos + X sin) / V_LL <= limit (IEC 60364-5-52 Annex G)",
                    inputs=(
                        ("feeders", len(group)),
                        ("feeder_ids", " ".join(x.feeder for x in group)),
                        ("governing_feeder", d.feeder),
                        ("normal_kva", d.normal_kva),
                        ("worst_kva", d.worst_kva),
                        ("worst_failure", d.worst_failure),
                        ("recharge_kva", d.recharge_kva),
                        ("mv_voltage_kv", self.sizing.mv_voltage_kv),
                        ("power_factor", self.sizing.power_factor),
                        ("length_m", c.length_m),
                        ("derating", c.derate),
                        ("vd_limit_percent", c.voltage_drop_limit_percent),
                    ),
                    result=(
                        ("design_kva", d.design_kva),
                        ("design_a", d.design_a),
                        ("cable_mm2", c.size_mm2),
                        ("parallel_sets", c.parallel),
                        ("table_ampacity_a", c.table_ampacity_a),
                        ("installed_ampacity_a", c.ampacity_a),
                        ("voltage_drop_percent", c.voltage_drop_percent),
                        ("smaller_choice_ruled_out_by", c.binding),
                        ("meets_rules", "yes" if c.ok else "no"),
                    ),
                    source=cat.source("mv_cable_source") + "; " + cat.source("mv_cable_derating"),
                )
            )
        return tuple(out)

    # ------------------------------------------------------------------ equipment
    def equipment(self) -> tuple[Equipment, ...]:
        sz, asg = self.sizing, self.assignment
        e: list[Equipment] = []
        hall_index = {h.hall: i for i, h in enumerate(sz.halls)}
        for h in asg.halls:
            hp = sz.hall(h.hall)
            i = hall_index[h.hall]
            nb = len(h.blocks) * h.copies
            rows = sum(1 for it in hp.items if it.kind == "row")
            busways = rows * sz.paths * h.copies
            e += [
                Equipment(id=f"{h.hall}/ups-module", family="ups-module", description=f"UPS module {sz.module_kw:g} kW{self.hz} ({sz.modules_per_block} per {sz.block_kw:g} kW block, {sz.topology.label})", rating=sz.module_kw, rating_unit="kW", quantity=nb * sz.modules_per_block, system="electrical", area=h.hall, spec_path=("electrical", "ups_module_kw")),
                Equipment(id=f"{h.hall}/ups-battery", family="ups-battery", description=f"UPS battery string, {self.autonomy_min:g} min at {sz.block_kw:g} kW", rating=round(sz.battery_kwh_per_block, 1), rating_unit="kWh", quantity=nb, system="electrical", area=h.hall, spec_path=("electrical", "ups_autonomy_min")),
                Equipment(id=f"{h.hall}/unit-substation", family="unit-substation", description=f"Unit substation {sz.mv_voltage_kv:g} kV / {sz.lv_voltage_v:g} V, {sz.uss_kva:g} kVA, Z {sz.uss_z_pu:.2%}", rating=sz.uss_kva, rating_unit="kVA", quantity=nb, system="electrical", area=h.hall, spec_path=("electrical", "unit_substation_kva")),
                Equipment(id=f"{h.hall}/lv-switchboard", family="lv-switchboard", description=f"LV switchboard {sz.lv_board_frame_a:g} A, {sz.lv_fault_ka:g} kA", rating=sz.lv_board_frame_a, rating_unit="A", quantity=nb, system="electrical", area=h.hall, spec_path=("electrical", "unit_substation_kva")),
                Equipment(id=f"{h.hall}/busway", family="busway", description=f"Row busway {hp.busway_frame_a:g} A ({hp.row_busway_kw:g} kW per feed), {hp.busway_length_m:g} m per run, {busways} runs", rating=hp.busway_frame_a, rating_unit="A", quantity=round(busways * hp.busway_length_m, 1), unit="m", system="electrical", area=h.hall, spec_path=("hall", i, "row_busway_kw")),
                Equipment(id=f"{h.hall}/breaker", family="breaker", description=f"ACB {hp.busway_frame_a:g} A feeding a row busway", rating=hp.busway_frame_a, rating_unit="A", quantity=busways, system="electrical", area=h.hall, spec_path=("hall", i, "row_busway_kw")),
            ]
            e += self._cables(h.hall, spec_path=("electrical", "mv_voltage_kv"), prefix=f"{h.hall}/mv-cable")
        if self.network is not None and self.ratings is not None:
            e = [x for x in e if x.family != "lv-switchboard"] + self._lv_boards()
            e += self._network_equipment()
            return tuple(sorted(e, key=lambda x: x.id))
        feeders = sum(len(h.feeders) * h.copies for h in asg.halls) + len(asg.mech_feeders)
        ntx = sz.main_tx_count
        if ntx:
            e.append(Equipment(id=f"{sz.substation_id}/main-transformer", family="main-transformer", description=f"Main transformer {self.hv_voltage_kv:g}/{sz.mv_voltage_kv:g} kV {sz.main_tx_mva:g} MVA ({sz.main_tx_redundancy})", rating=sz.main_tx_mva, rating_unit="MVA", quantity=ntx, system="grid", area=sz.substation_id, spec_path=("substation", "transformer_mva")))
            for hb in self.hv_scheme.buses if self.hv_scheme is not None else ():
                e.append(Equipment(id=f"{hb.id.replace('.', '/', 1)}-breakers", family="hv-switchgear", description=f"{hb.voltage_kv:g} kV GIS circuit breakers, {hb.scheme}: {hb.incomers} incomer(s), {hb.transformer_bays} transformer bay(s) ({hb.rule})", rating=hb.voltage_kv, rating_unit="kV", quantity=hb.breakers, system="grid", area=sz.substation_id, spec_path=("substation", "bus_scheme")))
        bs = self.generator_plan.blocks if self.generator_plan else None
        gen_bays = 0 if bs is not None else sz.generators  # lv-per-block: the sets are on the LV boards
        bays = max(ntx, 1) + feeders + max(ntx - 1, 0) + gen_bays
        e.append(Equipment(id=f"{sz.substation_id}/mv-switchgear", family="mv-switchgear", description=f"{sz.mv_voltage_kv:g} kV switchgear bays ({sz.feeder_breaker_a:g} A feeders; short-circuit rating not studied: build with the studies): {max(ntx, 1)} incomer, {feeders} feeder, {max(ntx - 1, 0)} bus tie, {gen_bays} generator", rating=sz.mv_voltage_kv, rating_unit="kV", quantity=bays, system="electrical", area=sz.substation_id, spec_path=("electrical", "mv_voltage_kv")))
        if sz.mech_uss:
            e.append(Equipment(id="campus/mechanical-unit-substation", family="unit-substation", description=f"Mechanical unit substation {sz.uss_kva:g} kVA ({cat.table('mechanical_substation')['redundancy']})", rating=sz.uss_kva, rating_unit="kVA", quantity=sz.mech_uss, system="electrical", area="campus", spec_path=("cooling_plant", "power_kw_per_kw")))
            e.append(Equipment(id="campus/mechanical-lv-switchboard", family="lv-switchboard", description=f"Mechanical LV switchboard {sz.lv_board_frame_a:g} A", rating=sz.lv_board_frame_a, rating_unit="A", quantity=sz.mech_uss, system="electrical", area="campus", spec_path=("cooling_plant", "power_kw_per_kw")))
        if asg.mech_feeders:
            e += self._cables("campus", spec_path=("cooling_plant", "power_kw_per_kw"), prefix="campus/mechanical-mv-cable")
        if bs is not None:
            e += block_set_equipment(bs, asg, {}, self.hz)
        else:
            e.append(Equipment(id="campus/generator", family="generator", description=f"Diesel generator {sz.generator_kw:g} kW DCC{self.hz} ({self.generator_redundancy})", rating=sz.generator_kw, rating_unit="kW", quantity=sz.generators, system="electrical", area="campus", spec_path=("electrical", "generator_kw")))
        return tuple(sorted(e, key=lambda x: x.id))

    def _lv_boards(self) -> list[Equipment]:
        """LV switchboards per area with the Icu/Icw the short-circuit duty chose (the largest of
        the area's boards: the typical copy's boards stand for every copy)."""
        sz, asg = self.sizing, self.assignment
        out = []
        for h in asg.halls:
            rs = [r for r in self.ratings.buses if r.kind == "lv-board" and r.area == h.hall]
            top = max(rs, key=lambda r: (r.rated_short_circuit_ka, r.rated_current_a), default=None)
            frame = top.rated_current_a if top else sz.lv_board_frame_a
            kas = f"Icu {top.rated_short_circuit_ka:g} kA / Icw {top.rated_short_time_ka:g} kA (duty Ik'' {max(r.duty_ikss_ka for r in rs):.1f} kA, ip {max(r.duty_ip_ka for r in rs):.1f} kA)" if top else f"{sz.lv_fault_ka:g} kA"
            out.append(Equipment(id=f"{h.hall}/lv-switchboard", family="lv-switchboard", description=f"LV switchboard {frame:g} A, {kas}", rating=frame, rating_unit="A", quantity=len(h.blocks) * h.copies, system="electrical", area=h.hall, spec_path=("electrical", "unit_substation_kva")))
        if sz.mech_uss:
            rs = [r for r in self.ratings.buses if r.kind == "lv-board" and r.area == "campus"]
            top = max(rs, key=lambda r: (r.rated_short_circuit_ka, r.rated_current_a), default=None)
            frame = top.rated_current_a if top else sz.lv_board_frame_a
            kas = f", Icu {top.rated_short_circuit_ka:g} kA / Icw {top.rated_short_time_ka:g} kA" if top else ""
            out.append(Equipment(id="campus/mechanical-lv-switchboard", family="lv-switchboard", description=f"Mechanical LV switchboard {frame:g} A{kas}", rating=frame, rating_unit="A", quantity=sz.mech_uss, system="electrical", area="campus", spec_path=("cooling_plant", "power_kw_per_kw")))
        return out

    def _network_equipment(self) -> list[Equipment]:
        """Main transformers, HV GIS and MV switchgear bays, gensets and mechanical unit
        substations, counted from the network with the ratings chosen from their duty: one line
        per bay kind and rating."""
        sz, net, rat = self.sizing, self.network, self.ratings
        sub = sz.substation_id
        e: list[Equipment] = []
        units = sorted({t.unit for t in net.transformers if t.role == "main"})
        if units:
            wind = sz.tx_secondaries
            vk = self.main_vk_percent
            split = f", split secondary {wind} x {sz.main_tx_mva / wind:g} MVA" if wind > 1 else ""
            e.append(Equipment(id=f"{sub}/main-transformer", family="main-transformer", description=f"Main transformer {self.hv_voltage_kv:g}/{sz.mv_voltage_kv:g} kV {sz.main_tx_mva:g} MVA, vk {vk:g} %, OLTC{split} ({sz.main_tx_redundancy}, {sz.philosophy})", rating=sz.main_tx_mva, rating_unit="MVA", quantity=len(units), system="grid", area=sub, spec_path=("substation", "transformer_mva")))
        boards = {r.bus: r for r in rat.buses}
        # the paralleling switchgear of every group is bought at one rating: the highest duty's
        gen_ka = max((r.rated_short_circuit_ka for r in rat.buses if net.bus(r.bus).role == "generator-bus"), default=0.0)
        groups: dict[tuple, list] = {}
        line_area = {x.id: x.area for x in net.lines}
        switched = {x.id: x.element for x in net.switches}
        for b in rat.bays:
            home = boards.get(b.bus)
            if home is None or home.kind not in ("hv-gis", "mv-switchgear"):
                continue
            area = sub
            if b.role == "feeder":
                area = line_area.get(switched.get(b.switch, ""), sub)
                area = area if area and area != "campus" else sub
            ka = gen_ka if b.role == "generator" else home.rated_short_circuit_ka
            groups.setdefault((home.kind, b.role, b.kind, b.rated_current_a, ka, home.rated_voltage_kv, area), []).append(b)
        e += [_bay_line(sub, key, bays) for key, bays in sorted(groups.items())]
        e += hv_stage_equipment(net, self.hv_scheme, sub)
        if sz.mech_uss:
            e.append(Equipment(id="campus/mechanical-unit-substation", family="unit-substation", description=f"Mechanical unit substation {sz.uss_kva:g} kVA ({cat.table('mechanical_substation')['redundancy']}, survives a feeder loss)", rating=sz.uss_kva, rating_unit="kVA", quantity=sz.mech_uss, system="electrical", area="campus", spec_path=("cooling_plant", "power_kw_per_kw")))
            e += self._cables("campus", spec_path=("cooling_plant", "power_kw_per_kw"), prefix="campus/mechanical-mv-cable")
        e += self._generator_equipment()
        e += step_up_equipment(net)
        e += capacitor_equipment(net)
        return e

    def _generator_equipment(self) -> list[Equipment]:
        """The gensets (and, per block, their transfer switches) as the network has them."""
        sz, net, rat = self.sizing, self.network, self.ratings
        e: list[Equipment] = []
        bs = self.generator_plan.blocks if self.generator_plan else None
        if bs is not None:
            icu = {}
            for r in rat.buses:
                if r.kind == "lv-board" and r.area != "campus":
                    icu[r.area] = max(icu.get(r.area, 0.0), r.rated_short_circuit_ka)
            e += block_set_equipment(bs, self.assignment, icu, self.hz)
        elif net.generators:
            islands = len(self.generator_plan.islands) if self.generator_plan else 1
            gp = self.generator_plan.groups if self.generator_plan else None
            how = f", {len(gp.groups)} paralleling group(s) of up to {gp.max_sets} at {gp.set_kv:g} kV" if gp else ""
            e.append(Equipment(id="campus/generator", family="generator", description=f"Diesel generator {sz.generator_kw:g} kW DCC{self.hz} ({self.generator_redundancy} per island, {islands} island(s){how})", rating=sz.generator_kw, rating_unit="kW", quantity=len(net.generators), system="electrical", area="campus", spec_path=("electrical", "generator_kw")))
        return e

    def _cables(self, area: str, *, spec_path: tuple, prefix: str) -> list[Equipment]:
        """MV cable by size for one area, in circuit metres (one circuit = three 1C cores, as the
        procurement catalog prices it): parallel sets x route length of every feeder of every
        copy."""
        runs = self._cable_runs(area)
        out = []
        for mm2, rs in sorted(runs.items()):
            sets = "/".join(str(n) for n in sorted({p for p, _l, _n in rs}))
            out.append(
                Equipment(
                    id=prefix if len(runs) == 1 else f"{prefix}-{mm2:g}mm2",
                    family="mv-cable",
                    description=f"{self.sizing.mv_voltage_kv:g} kV Cu XLPE 3 x 1C {mm2:g} mm2 circuit-metres, {sets} set(s) per feeder, {sum(n for _p, _l, n in rs)} feeders x {rs[0][1]:g} m",
                    rating=mm2,
                    rating_unit="mm2",
                    quantity=round(sum(p * length * n for p, length, n in rs), 1),
                    unit="m",
                    system="electrical",
                    area=area,
                    spec_path=spec_path,
                )
            )
        return out

    def _cable_runs(self, area: str) -> dict[float, list[tuple[int, float, int]]]:
        """mm2 -> (parallel sets, route metres, feeders) runs of an area: the network's cables
        when it was built (one per copy), else the feeder designs times their copies."""
        runs: dict[float, list[tuple[int, float, int]]] = {}
        if self.network is not None:
            for x in self.network.lines:
                if x.role in ("mv-feeder", "mechanical-feeder") and x.area == area:
                    runs.setdefault(x.size_mm2, []).append((x.parallel, x.length_km * 1000, 1))
            return runs
        for d in self.feeder_designs:
            if d.hall == area:
                runs.setdefault(d.cable.size_mm2, []).append((d.cable.parallel, d.cable.length_m, d.copies))
        return runs

    # spec figures the result keeps for the equipment descriptions
    hv_voltage_kv: float = 0.0
    circuits: int = 0
    autonomy_min: float = 0.0
    generator_redundancy: str = ""
    # the network and its studies (network_design.py); None when run without studies
    network: Network | None = None
    studies: Studies | None = None
    ratings: Ratings | None = None
    measures: tuple[Measure, ...] = ()
    generator_plan: GeneratorPlan | None = None
    network_decisions: tuple[Decision, ...] = ()
    main_vk_percent: float = 0.0
    loss_model: LossModel | None = None  # the load flow's losses for the energy year (hubc.electrical.losses)
    # the grid code's frequency, the HV buses with their breakers by bus scheme, a two-stage chain
    hv_scheme: HvScheme | None = None
    pf_correction: PfCorrection | None = None  # power-factor correction sized from the load flow (pf_correction.py)

    def report_headline(self) -> list[tuple[str, str]]:
        """The power factor at the point of connection and its correction (the report's headline)."""
        p = self.pf_correction
        if p is None:
            return []
        after = p.pf_after if p.pf_after is not None else p.pf_before
        if p.means == "capacitors":
            how = f"{len(p.banks)} switched MV capacitor bank(s), {p.installed_mvar:,.1f} Mvar in {sum(b.steps for b in p.banks)} steps ({p.banks[0].detuning_percent:g} % detuned)" if p.banks else "no MV section carries reactive load"
        elif p.means == "bess":
            how = f"BESS PCS reactive power {p.bess_q_mvar:,.1f} Mvar of {p.bess_headroom_mvar:,.1f} Mvar headroom"
        else:
            how = f"none ({p.reason})"
        return [("Power factor", f"{p.pf_before:.3f} -> {after:.3f} at the point of connection (target {p.target:g}): {how}")]

    @property
    def hz(self) -> str:
        """", 60 Hz": the grid code's frequency for the generator and UPS descriptions."""
        return f", {self.hv_scheme.frequency_hz:g} Hz" if self.hv_scheme is not None else ""


def _bay_line(sub: str, key: tuple, bays: list) -> Equipment:
    """One BOM line of switchgear bays of one kind, role, switch kind and rating."""
    kind, role, sw, amps, ka, kv, area = key
    duty = max(x.duty_current_a for x in bays)
    if kind == "hv-gis":
        # a circuit of a ring or breaker-and-a-half has a disconnector, the scheme's breakers clear it
        what, tag = ("breaker bay", "") if sw == "CB" else ("disconnector (the scheme's breakers clear it)", "-ds")
        return Equipment(id=f"{sub}/hv-gis-{role}{tag}-{amps:g}a", family="hv-switchgear", description=f"{kv:g} kV GIS {role} {what} {amps:g} A, {ka:g} kA (worst duty {duty:,.0f} A)", rating=kv, rating_unit="kV", quantity=len(bays), system="grid", area=sub, spec_path=("substation", "bus_scheme"))
    return Equipment(id=f"{area}/mv-switchgear-{role}-{amps:g}a", family="mv-switchgear", description=f"{kv:g} kV switchgear {role} bay {amps:g} A, {ka:g} kA (worst duty {duty:,.0f} A)", rating=amps, rating_unit="A", quantity=len(bays), system="electrical", area=area, spec_path=("electrical", "mv_voltage_kv"))


def _block_loads(h: HallAssignment) -> dict[str, float]:
    """Block id -> normal kW: a dual-corded load splits over its two live feeds; behind a
    catcher the active block carries it all."""
    role = {b.id: b.role for b in h.blocks}
    load = {b.id: 0.0 for b in h.blocks}
    for c in h.cords:
        if c.b is None or role.get(c.b) == "catcher":
            load[c.a] += c.kw
        else:
            load[c.a] += c.kw / 2
            load[c.b] += c.kw / 2
    return load


def run_electrical(spec: Spec, row_loads: Mapping[str, tuple[RowLoad, ...]], source=None, *, strict: bool = True, studies: bool = True, timings: dict | None = None, catalog=None) -> ElectricalResult:
    """Size, assign (CP-SAT), build the network, study it (pandapower) and verify the electrical
    chain. With strict (the default), errors raise `HubcError`; otherwise they come back in
    `diagnostics`. `studies=False` stops after the arithmetic (sizing, assignment, verifier);
    `timings` is filled with each phase's wall time (for the benchmark). `catalog`: the build's
    one catalog (its grid profiles set the frequency; the shipped catalog if None)."""
    from hubc.codes import diag

    def at(*path) -> Location:
        return source.at_value(tuple(path)) if source is not None else Location(file="<spec>")

    missing = [h.id for h in spec.hall if h.id not in row_loads]
    if missing:
        raise ValueError(f"row loads missing for halls {missing}: rack placement must run first")
    t0 = time.perf_counter()
    sz = size_electrical(spec, row_loads, source, catalog)
    diags = list(sz.diagnostics)
    if has_errors(diags) and strict:
        raise HubcError(diags, 1)
    try:
        splits = demand_splits(spec)
        asg = assign(sz, splits=splits)
        greedy = assign(sz, use_solver=False, splits=splits)
    except Infeasible as exc:
        d = diag("HUB740" if exc.proved else "HUB747", str(exc), at(*exc.path), exc.path, help=exc.help or None)
        raise HubcError([*diags, d], 3) from None
    ver = verify_electrical(sz, asg, tier=spec.policy.tier, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw, location=at("electrical", "topology"))
    diags += ver.diagnostics
    # normal main-transformer loading above policy: the user's design, reported (IEC 60076-7)
    if sz.main_tx_count:
        limit = main_transformer_loading_limit(sz.main_tx_redundancy, spec.policy.transformer_max_loading)
        arr = sz.arrangement()
        per, _lost = arr.winding_loads(arr.after_loss(frozenset()), asg.section_kva)
        worst_w = max(per, key=lambda w: (per[w] / arr.winding(w).rating_kva, w))
        top = per[worst_w] / arr.winding(worst_w).rating_kva
        if top > limit + 1e-9:
            diags.append(
                diag(
                    "HUB741",
                    f"after the feeder assignment the most loaded main transformer winding ({worst_w}) runs at {top:.0%} in normal operation, above the {limit:.0%} policy",
                    at("substation", "transformer_mva"),
                    ("substation", "transformer_mva"),
                    help="add a main transformer or raise policy.transformer_max_loading",
                    related=((at("policy", "transformer_max_loading"), "loading policy"),),
                )
            )
    diags += _granularity(sz, asg, at)
    designs = design_feeders(sz, asg)
    if timings is not None:
        timings["sizing_assignment_verifier_s"] = time.perf_counter() - t0
    nd = None
    if studies:
        # the network, its studies and the ratings from their duty (network_design.py); the
        # design changes they call for (cables, mechanical substations) replace the arithmetic's
        from hubc.electrical.network_design import design_network

        nd = design_network(spec, sz, asg, designs, timings)
        # the verifier re-checks the final design without pandapower: the generator islands,
        # and the sizing and assignment if the studies changed them
        sz, asg = nd.sizing, nd.assignment
        islands = _generator_islands(nd, sz, asg)
        ver = verify_electrical(sz, asg, tier=spec.policy.tier, circuits=spec.grid.circuits, contract_mw=spec.grid.contract_mw, location=at("electrical", "topology"), generators=islands)
        diags = [d for d in diags if d.code not in ("HUB750", "HUB751")] + list(ver.diagnostics)
        designs = nd.feeder_designs
        diags += _study_diagnostics(spec, nd, at)
    diags += _feeder_checks(sz, designs, at)
    if has_errors(diags) and strict:
        raise HubcError(diags, 1)
    return ElectricalResult(
        sizing=sz,
        assignment=asg,
        verification=ver,
        installed=capacity(sz, asg),
        greedy=capacity(sz, greedy),
        diagnostics=tuple(diags),
        feeder_designs=designs,
        hv_voltage_kv=main_hv_kv(spec),
        circuits=spec.grid.circuits,
        hv_scheme=size_hv_scheme(spec, nd.network if nd else None, catalog),
        autonomy_min=spec.electrical.ups_autonomy_min,
        generator_redundancy=spec.electrical.generator_redundancy,
        network=nd.network if nd else None,
        studies=nd.studies if nd else None,
        ratings=nd.ratings if nd else None,
        measures=nd.measures if nd else (),
        generator_plan=nd.generators if nd else _arithmetic_plan(spec, sz, asg),
        network_decisions=nd.decisions if nd else (),
        pf_correction=getattr(nd, "pf_correction", None),
        main_vk_percent=nd.main_vk_percent if nd else 0.0,
        loss_model=loss_model(getattr(nd, "network", None), getattr(nd, "studies", None), sz, asg),
    )


def _arithmetic_plan(spec: Spec, sz: ElectricalSizing, asg: Assignment) -> GeneratorPlan | None:
    """Without the studies, the one plan the equipment needs from the arithmetic: `lv-per-block`'s
    set per block (the paralleling groups come with the network)."""
    if spec.electrical.generator_arrangement != "lv-per-block":
        return None
    from hubc.electrical.build import generator_plan

    return generator_plan(spec, sz, asg)


def _generator_islands(nd, sz: ElectricalSizing, asg: Assignment) -> tuple[tuple[str, int, float], ...]:
    """(island, sets, island kW) of the generator plan: the sections' normal load at the design PF."""
    plan = nd.generators
    if plan.blocks is not None:
        # lv-per-block: each hall copy's sets carry its blocks and their share of the non-UPS load;
        # a set lost is its block lost, which the other blocks of the copy carry (the UPS topology)
        share = plan.blocks.mech_share_kw
        return tuple((f"{ha.hall} copy", len(ha.blocks), sum(normal_block_loads(ha, sz).values()) / sz.ups_efficiency + share * len(ha.blocks)) for ha in asg.halls if ha.blocks)
    per = dict(plan.sections)
    load = dict(zip((s.id for s in sz.arrangement().active_sections), asg.section_kva))
    return tuple((" + ".join(i), sum(per.get(s, 0) for s in i), sum(load.get(s, 0.0) for s in i) * sz.power_factor) for i in plan.islands)


def _study_diagnostics(spec: Spec, nd, at) -> list[Diagnostic]:
    """What the load flows, the short-circuit study and the ratings found: HUB750/751 (a load flow
    overloads or loses load after a failure), HUB743 (overload while the batteries recharge),
    HUB757 (no load-flow solution), HUB755 (voltage out of band), HUB756 (grid import above the
    contract or a low power factor), HUB752/753 (ratings), HUB754 (measures, as notes)."""
    from hubc.codes import diag

    beyond = ("generator-group",) if spec.policy.tier < 4 else ()
    # scenarios beyond the tier's design basis have their own finding (HUB758)
    # an HV bus or breaker failure that leaves sections on their gensets is HUB759 (a note)
    within = attrs.evolve(nd.studies, scenarios=tuple(x for x in nd.studies.scenarios if x.kind not in beyond and not (x.kind in ("hv-bus", "hv-breaker") and x.lost_kw > 1e-6)))
    out = _flow_findings(within, at) + _voltage_findings(nd.studies, at) + _grid_findings(nd.studies, at, nd.pf_correction) + hv_scheme_findings(nd.studies, at)
    out += pf_findings(nd.pf_correction, at)
    out += generator_group_findings(nd.studies, at, beyond)
    out += block_set_findings(nd.generators, at)
    for p in nd.ratings.problems:
        out.append(diag(p.code, p.message, at(*p.spec_path), p.spec_path, help=p.help))
    for m in nd.measures:
        out.append(diag("HUB754", f"{m.item}: {m.kind} ({m.reason}): {m.before} -> {m.after}", at("substation", "transformer_mva"), ("substation", "transformer_mva")))
    return out


def _describe_flow(x) -> str:
    head = f"{x.id}" + (f" ({', '.join(x.switching[:3])}{', ...' if len(x.switching) > 3 else ''})" if x.switching else "")
    if x.lost_kw > 1e-6:
        return f"{head}: {x.lost_kw:,.0f} kW lost"
    return f"{head}: {x.worst_component} at {x.worst_loading:.1%}"


def _flow_findings(st, at) -> list[Diagnostic]:
    """HUB757 (no solution), HUB751/HUB750 (a failure loses load or overloads), HUB743 (the
    recharge after an outage overloads: a warning, the recharge can be limited)."""
    from hubc.codes import diag
    from hubc.diagnostics import Severity

    out = []
    loc = at("electrical", "topology")
    diverged = [x for x in st.scenarios if not x.converged]
    if diverged:
        out.append(diag("HUB757", f"{len(diverged)} load flow(s) have no solution: first {diverged[0].id}", loc, ("electrical", "topology"), notes=tuple(x.id for x in diverged[:5])))
    failures = [x for x in st.scenarios if x.converged and x.kind != "recharge"]
    for code, bad, what in (
        ("HUB751", [x for x in failures if x.lost_kw > 1e-6], "lose load"),
        ("HUB750", [x for x in failures if x.lost_kw <= 1e-6 and (x.worst_loading or 0.0) > 1 + 1e-6], "overload a component"),
    ):
        if not bad:
            continue
        bad = sorted(bad, key=lambda x: (-x.lost_kw, -(x.worst_loading or 0.0), x.id))
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        out.append(
            diag(
                code,
                f"{len(bad)} load-flow scenario(s) {what}: worst {_describe_flow(bad[0])}{more}",
                loc,
                ("electrical", "topology"),
                notes=tuple(_describe_flow(x) for x in bad[:5]),
                help="every load-flow scenario, with its switching, is in design.json under electrical.studies.scenarios",
            )
        )
    rech = [x for x in st.scenarios if x.converged and x.kind == "recharge" and (x.worst_loading or 0.0) > 1 + 1e-6]
    if rech:
        x = max(rech, key=lambda x: (x.worst_loading, x.id))
        out.append(
            diag(
                "HUB743",
                f"while every UPS recharges its battery after a utility outage, {x.worst_component} runs at {x.worst_loading:.0%} ({x.id})",
                at("electrical", "ups_system_kw"),
                ("electrical", "ups_system_kw"),
                severity=Severity.WARNING,
                help="limit or stagger the UPS battery recharge after a transfer, or add transformer capacity",
            )
        )
    return out


def _voltage_findings(st, at) -> list[Diagnostic]:
    """HUB755: a bus voltage outside the catalog band (normal, or after a failure)."""
    from hubc.codes import diag

    lim = cat.table("voltage_limits")
    off = []
    for x in st.scenarios:
        if not x.converged or x.min_vm_pu is None:
            continue
        normal = x.kind in ("normal", "recharge")
        lo = lim["normal_min_pu"] if normal else lim["contingency_min_pu"]
        hi = lim["normal_max_pu"] if normal else lim["contingency_max_pu"]
        if x.min_vm_pu < lo - 1e-9:
            off.append(f"{x.id}: {x.min_vm_bus} at {x.min_vm_pu:.3f} pu (limit {lo:g})")
        elif x.max_vm_pu is not None and x.max_vm_pu > hi + 1e-9:
            off.append(f"{x.id}: {x.max_vm_bus} at {x.max_vm_pu:.3f} pu (limit {hi:g})")
    if not off:
        return []
    loc = at("electrical", "topology")
    return [diag("HUB755", f"{len(off)} load flow(s) put a bus voltage outside the band: {off[0]}", loc, ("electrical", "topology"), notes=tuple(off[:5]), help=f"bands: {cat.source('voltage_limits')}")]


def _grid_findings(st, at, pfc: PfCorrection | None = None) -> list[Diagnostic]:
    """HUB756: the import at the point of connection above the contract, or its power factor
    below the utility's reference (after the power-factor correction)."""
    from hubc.codes import diag

    out = []
    g = st.grid
    ref = float(cat.table("grid_power_factor")["reference"])
    if g.import_mw is not None and g.import_mw > g.contract_mw + 1e-6:
        out.append(
            diag(
                "HUB756",
                f"the normal load flow imports {g.import_mw:,.1f} MW at the point of connection (facility with losses {st.facility_with_losses_kw / 1000:,.1f} MW "
                f"+ {st.losses.transmission_kw / 1000:,.1f} MW in the lines), above the {g.contract_mw:,.0f} MW contract",
                at("grid", "contract_mw"),
                ("grid", "contract_mw"),
                help="raise grid.contract_mw or reduce losses; the losses by class are in design.json (electrical.studies.losses)",
            )
        )
    if g.power_factor is not None and g.power_factor < ref - 1e-9:
        out.append(
            diag(
                "HUB756",
                f"the campus imports at power factor {g.power_factor:.3f} ({g.import_mvar:,.1f} Mvar){_after(pfc)}, below the {ref:g} reference ({cat.source('grid_power_factor')})",
                at("electrical", "pf_correction") if pfc is not None else at("policy", "power_factor"),
                ("electrical", "pf_correction") if pfc is not None else ("policy", "power_factor"),
                help="set electrical.pf_correction (capacitor banks at the MV sections, or reactive power from the BESS inverters)"
                if pfc is None or pfc.means == "none"
                else "the correction is at its limit: see electrical.pf_correction in design.json",
            )
        )
    return out


def _after(pfc: PfCorrection | None) -> str:
    if pfc is None or pfc.means == "none":
        return " with no power-factor correction" if pfc is not None and pfc.requested == "none" else ""
    return f" after {pfc.installed_mvar:,.1f} Mvar of correction ({pfc.means})"


def _light_note(pfc: PfCorrection) -> tuple[str, ...]:
    if pfc.light_load_pf is None or pfc.light_load_all_steps_mvar is None:
        return ()
    q = pfc.light_load_all_steps_mvar
    lead = f"exports {-q:,.1f} Mvar (leading)" if q < 0 else f"imports {q:,.1f} Mvar (lagging)"
    return (
        f"at {pfc.light_load_fraction:.0%} load the controller keeps {pfc.light_load_steps} step(s) in (PF {pfc.light_load_pf:.3f}); "
        f"with every step in the campus {lead} and the MV sections reach {pfc.light_load_all_steps_max_vm_pu:.3f} pu",
    )


def _light_overvoltage(pfc: PfCorrection, loc, path) -> list[Diagnostic]:
    """HUB767: every capacitor step left in at light load (a controller failure) lifts an MV
    section above the normal voltage band."""
    from hubc.codes import diag

    vm = pfc.light_load_all_steps_max_vm_pu
    hi = float(cat.table("voltage_limits")["normal_max_pu"])
    if vm is None or vm <= hi + 1e-9:
        return []
    return [
        diag(
            "HUB767",
            f"with every capacitor step in at {pfc.light_load_fraction:.0%} load (the controller failed) an MV section reaches {vm:.3f} pu, above the {hi:g} pu band",
            loc,
            path,
            help="smaller steps (more of them) so the controller can follow the load, an overvoltage trip on each bank, or a lower electrical.pf_target",
        )
    ]


def pf_findings(pfc: PfCorrection | None, at) -> list[Diagnostic]:
    """HUB764 (a note): the power-factor correction sized, with its banks' steps for the
    controller. HUB765: it falls short of the target (bank steps or BESS headroom at their limit,
    or no load flow)."""
    from hubc.codes import diag

    if pfc is None or pfc.means == "none":
        return []
    loc, path = at("electrical", "pf_correction"), ("electrical", "pf_correction")
    after = pfc.pf_after if pfc.pf_after is not None else pfc.pf_before
    if pfc.means == "capacitors":
        steps = sorted({(b.step_kvar, b.steps) for b in pfc.banks})
        how = f"{len(pfc.banks)} switched capacitor bank(s) on the MV sections, {pfc.installed_mvar:,.1f} Mvar (" + "; ".join(f"{n} x {k:g} kvar" for k, n in steps) + f" per bank, {pfc.banks[0].detuning_percent:g} % detuned): the controller switches the steps with the load" if pfc.banks else "no MV section carries reactive load"
    else:
        how = f"the BESS PCS supply {pfc.bess_q_mvar:,.1f} Mvar of their {pfc.bess_headroom_mvar:,.1f} Mvar headroom at rated power"
    out = [diag("HUB764", f"power factor at the point of connection {pfc.pf_before:.3f} -> {after:.3f} (target {pfc.target:g}): {how}", loc, path, notes=(pfc.reason, *_light_note(pfc)))]
    out += _light_overvoltage(pfc, loc, path)
    if not pfc.met:
        short = "bank(s) at the catalog's largest step and most steps" if any(not b.fits for b in pfc.banks) else "the BESS PCS headroom" if pfc.means == "bess" else "the load flow"
        out.append(
            diag(
                "HUB765",
                f"the power-factor correction reaches {after:.3f}, short of the {pfc.target:g} target ({short}; {pfc.required_mvar:,.1f} Mvar needed)",
                loc,
                path,
                help='use pf_correction = "capacitors" (banks on every MV section), a larger BESS PCS, or a lower electrical.pf_target',
            )
        )
    return out


def _granularity(sz: ElectricalSizing, asg: Assignment, at) -> list[Diagnostic]:
    """Warn (HUB742) when rack-row granularity, not the topology, sets the installed UPS:
    installed / UPS load well above the topology's own ratio (x/y, 2 for 2N, (N+1)/N)."""
    from hubc.codes import diag

    topo = sz.topology
    ratio = topo.reserve_ratio
    warn_factor = float(cat.table("ups_granularity")["warn_above_topology_ratio"])
    out = []
    for h in asg.halls:
        hp = sz.hall(h.hall)
        if hp.critical_kw <= 0:
            continue
        installed = len(h.blocks) * sz.block_kw
        if installed > warn_factor * ratio * hp.critical_kw:
            row = max((it.kw for it in hp.items if it.kind == "row"), default=0.0)
            if topo.kind in ("2N", "xMy"):
                # one row feed per block pair: a block then carries x/2 rows after a failure
                better = topo.x * row / 2
                hint = f"rows of up to {row:,.0f} kW fill a {topo.label} group exactly with one row per block pair at about {better:,.0f} kW per block; or make rows lighter"
            else:
                hint = f"choose a block rating that is a multiple of the row load ({row:,.0f} kW)"
            out.append(
                diag(
                    "HUB742",
                    f"{h.hall} installs {installed / 1000:,.1f} MW of UPS for {hp.critical_kw / 1000:,.1f} MW of UPS load "
                    f"({installed / hp.critical_kw:.2f}x, {topo.label} alone needs {ratio:.2f}x): rows are coarse against {sz.block_kw:g} kW blocks",
                    at("electrical", "ups_system_kw"),
                    ("electrical", "ups_system_kw"),
                    help=hint,
                )
            )
    return out


def _feeder_checks(sz: ElectricalSizing, designs: tuple[FeederDesign, ...], at) -> list[Diagnostic]:
    """HUB743: a feeder's design current above its bay's breaker frame (only possible through the
    recharge allowance: the assignment packs blocks within the bay rating). HUB744: no catalog
    cable arrangement carries a feeder within the voltage-drop limit."""
    from hubc.codes import diag
    from hubc.diagnostics import Severity

    out = []
    over = [d for d in designs if d.design_a > sz.feeder_breaker_a + 1e-6]
    if over:
        d = max(over, key=lambda x: (x.design_a, x.feeder))
        out.append(
            diag(
                "HUB743",
                f"{len(over)} MV feeder(s) exceed their {sz.feeder_breaker_a:g} A bay while the UPS batteries recharge after an outage: "
                f"worst {d.feeder} at {d.design_a:,.0f} A ({d.normal_kva:,.0f} kVA normal + {d.recharge_kva:,.0f} kVA recharge)",
                at("electrical", "ups_system_kw"),
                ("electrical", "ups_system_kw"),
                severity=Severity.WARNING,
                help="limit or stagger the UPS battery recharge after a transfer, or use smaller UPS blocks so fewer share a feeder",
            )
        )
    bad = [d for d in designs if not d.cable.ok]
    if bad:
        d = max(bad, key=lambda x: (x.design_a, x.feeder))
        c = d.cable
        out.append(
            diag(
                "HUB744",
                f"no catalog MV cable arrangement carries {d.feeder}'s {d.design_a:,.0f} A over {c.length_m:g} m within "
                f"{c.voltage_drop_limit_percent:g}% voltage drop and its derated ampacity; the largest ({c.parallel} x {c.size_mm2:g} mm2: "
                f"{c.ampacity_a:,.0f} A, {c.voltage_drop_percent:.2f}%) is used ({len(bad)} feeder(s))",
                at("electrical", "mv_voltage_kv"),
                ("electrical", "mv_voltage_kv"),
                severity=Severity.WARNING,
                help="split the load over more feeders, raise the MV voltage, or shorten the route",
            )
        )
    return out
