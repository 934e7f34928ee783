"""Where the standby generation and the converter plants connect: paralleling groups and
collector systems, sized from their duty.

In: the spec, the sizing and the generator plan (sets per MV section). Out:
- `GroupPlan`: the gensets of each section in paralleling groups. A group's sets share one
  generator bus and one breaker to their section, so its rated current (sets x In at the MV
  voltage) must be within the largest rated current of the switchgear class (IEC 62271-1);
  `electrical.generator_group_sets` caps it further. Tier IV keeps at least two groups per
  section (compartmentalised: a group bus failure leaves the others). `mv-groups`: the sets
  are MV machines on the generator bus, each behind its own breaker; `lv-groups`: LV sets, each
  through its own step-up transformer (IEC 60076-5 minimum impedance for its rating) and a
  breaker on the generator bus. The group bus carries its section's short-circuit duty plus the
  group's own sets; `ratings.py` rates it and reports a duty above the class (HUB753).
- `BlockSets` (`lv-per-block`): one LV set per UPS block on the block's LV main board behind an
  automatic transfer switch (IEC 60947-6-1), sized for the block's UPS rating and its share of
  the mechanical load; no generator buses, MV generator bays or step-up transformers.
- `PlantConnection`: a behind-the-meter renewable plant or BESS on collector buses at the
  collector voltage, each collector bus behind one step-up transformer to the campus HV bus (on an
  MV supply the collector buses join the MV section through a breaker). The fewest units whose
  standard rating carries the plant's MVA, within the catalog's largest step-up unit and the
  collector switchgear class's largest rated current. Grid-delivered PPAs have no connection.
"""

from __future__ import annotations

import math

import attrs

from hubc.catalog import electrical as cat
from hubc.electrical.sizing import SQRT3, Decision, ElectricalSizing
from hubc.spec.model import Spec, redundancy_spares


@attrs.frozen(kw_only=True)
class ParallelingGroup:
    id: str  # its generator bus, "<section>.gg-<k>"
    section: str
    sets: int


@attrs.frozen(kw_only=True)
class GroupPlan:
    arrangement: str  # "mv-groups" | "lv-groups"
    set_kv: float  # terminal voltage of the sets
    set_mva: float
    max_sets: int  # most sets in one group
    groups: tuple[ParallelingGroup, ...]
    decision: Decision

    def of_section(self, section: str) -> tuple[ParallelingGroup, ...]:
        return tuple(g for g in self.groups if g.section == section)


def max_group_sets(set_mva: float, mv_kv: float, cap: int | None) -> tuple[int, str]:
    """Most sets one group breaker carries: floor(I_max of the class / In of a set at the MV
    voltage), capped by the spec. -> (sets, what governs)."""
    cls = cat.switchgear_class(mv_kv)
    i_set = set_mva * 1000 / (SQRT3 * mv_kv)
    by_current = max(1, math.floor(cls.max_current_a / i_set + 1e-9))
    if cap is not None and cap < by_current:
        return cap, f"electrical.generator_group_sets = {cap}"
    return by_current, f"group breaker rated current: {cls.max_current_a:,.0f} A / {i_set:,.1f} A per set"


def plan_groups(spec: Spec, sz: ElectricalSizing, sections: tuple[tuple[str, int], ...]) -> GroupPlan:
    """`sections`: (MV section id, sets) of the generator plan -> the groups of each section,
    the sets spread evenly (the first groups take one more)."""
    el = spec.electrical
    gpf = float(cat.table("generator")["power_factor"])
    set_mva = sz.generator_kw / gpf / 1000
    mv_kv = sz.mv_voltage_kv
    set_kv = mv_kv if el.generator_arrangement == "mv-groups" else el.lv_voltage_v / 1000
    most, why = max_group_sets(set_mva, mv_kv, el.generator_group_sets)
    tier4 = spec.policy.tier >= 4
    groups: list[ParallelingGroup] = []
    for sec, n in sections:
        if n <= 0:
            continue
        # Tier IV: at least two groups, none larger than the island's spare sets, so the others
        # carry the island when one group bus fails
        per = min(most, max(1, n - _needed(el.generator_redundancy, n))) if tier4 else most
        k = max(math.ceil(n / per), min(2 if tier4 else 1, n))
        base, extra = divmod(n, k)
        groups += [ParallelingGroup(id=f"{sec}.gg-{j + 1}", section=sec, sets=base + (1 if j < extra else 0)) for j in range(k)]
    rule = (
        "groups per section = max(ceil(sets / most per group), 2 for Tier IV, whose groups hold at most the island's spare sets); most per group = the fewest of the group breaker's "
        "rated current over a set's and the spec's cap; "
        + ("MV sets on the generator bus, each behind its own breaker" if el.generator_arrangement == "mv-groups" else "LV sets, each through its own step-up transformer onto the MV generator bus")
    )
    dec = Decision(
        item="generator-groups",
        rule=rule,
        inputs=(("arrangement", el.generator_arrangement), ("set_mva", round(set_mva, 4)), ("set_kv", set_kv), ("mv_kv", mv_kv), ("tier", spec.policy.tier)),
        result=(("most_sets_per_group", most), ("governed_by", why), ("groups", len(groups)), ("sets_per_group", " ".join(f"{g.id.split('.', 1)[-1]}:{g.sets}" for g in groups))),
        source=cat.source("generator_paralleling"),
    )
    return GroupPlan(arrangement=el.generator_arrangement, set_kv=set_kv, set_mva=set_mva, max_sets=most, groups=tuple(groups), decision=dec)


def _needed(red: str, n: int) -> int:
    """The sets an island needs (n less its redundancy's spares)."""
    return next((m for m in range(n, 0, -1) if m + redundancy_spares(red, m) <= n), n)


@attrs.frozen(kw_only=True)
class BlockSets:
    """`lv-per-block`: one LV genset per UPS block behind the block's automatic transfer switch."""

    set_kw: float  # the set's DCC rating (the catalog's; its largest when `fits` is False)
    need_kw: float  # what the block asks of it
    fits: bool  # a catalog rating carries the block
    set_mva: float
    blocks: int  # sets = blocks, every hall copy
    mech_share_kw: float  # each block's share of the non-UPS load on a utility loss
    ats_a: float  # the transfer switch's rated current
    incomer_a: float  # the block's LV incomer current (unit-substation rating)
    ats_class: str
    utilization_category: str
    poles: int
    transition: str  # "open" | "closed"
    decision: Decision


def plan_block_sets(spec: Spec, sz: ElectricalSizing, blocks: int) -> BlockSets:
    """One set per UPS block: P_set >= (P_UPS,rated / eta_UPS + P_non-UPS / blocks) x (1 + margin),
    the next catalog DCC rating; the ATS at the next standard rated current for the block's LV
    incomer (the unit substation's rated current)."""
    gpf = float(cat.table("generator")["power_factor"])
    share = sz.mechanical_kw / blocks if blocks else 0.0
    need = (sz.block_kw / sz.ups_efficiency + share) * (1 + spec.policy.sizing_margin)
    size = cat.next_size("generator_kw", need)
    set_kw = size if size is not None else cat.sizes("generator_kw")[-1]
    ts = cat.table("transfer_switch")
    incomer = sz.uss_kva / (SQRT3 * sz.lv_voltage_v / 1000)
    ats = cat.next_size("transfer_switch", incomer) or cat.sizes("transfer_switch")[-1]
    transition = spec.electrical.generator_transfer
    rule = (
        "one LV set per UPS block on its LV main board: P_set = next DCC rating >= (P_UPS,rated / eta_UPS + P_non-UPS / blocks) x (1 + margin) "
        "(ISO 8528-1 DCC rating basis, kVA at the ISO 8528-3 rated power factor); no spare set per block: the block topology carries the redundancy - a set "
        "failing with the utility out is the loss of its block's source, which the other blocks pick up as after a UPS-system failure "
        "(Uptime Institute Tier Standard: Topology: the engine-generator plant is the facility's source; Tier IV asks that the critical load "
        "stays up after any single failure with the utility out, so the blocks' own N+1/2N/distributed redundancy must cover a set); "
        f"ATS on the block's LV main board between the unit-substation incomer and the set: IEC 60947-6-1 {ts['ats_class']} class, "
        f"{ts['utilization_category']}, {int(ts['poles'])} poles, rated current >= the unit substation's LV rated current, {transition} transition"
    )
    dec = Decision(
        item="generator-per-block",
        rule=rule,
        inputs=(("ups_system_kw", sz.block_kw), ("ups_efficiency", sz.ups_efficiency), ("non_ups_kw", round(sz.mechanical_kw, 3)), ("blocks", blocks), ("sizing_margin", spec.policy.sizing_margin), ("unit_substation_kva", sz.uss_kva), ("lv_v", sz.lv_voltage_v)),
        result=(("set_need_kw", round(need, 1)), ("set_kw", set_kw), ("sets", blocks), ("fits_catalog", "yes" if size is not None else "no"), ("ats_rated_a", ats), ("lv_incomer_a", round(incomer, 1)), ("transition", transition)),
        source=cat.source("generator_kw") + "; " + cat.source("transfer_switch"),
    )
    return BlockSets(
        set_kw=set_kw, need_kw=need, fits=size is not None, set_mva=set_kw / gpf / 1000, blocks=blocks, mech_share_kw=share, ats_a=ats, incomer_a=incomer,
        ats_class=str(ts["ats_class"]), utilization_category=str(ts["utilization_category"]), poles=int(ts["poles"]), transition=transition, decision=dec,
    )


@attrs.frozen(kw_only=True)
class PlantConnection:
    plant: str  # the spec's renewable or BESS id
    kind: str  # "solar" | "wind" | "bess"
    mw: float
    collector_kv: float
    units: int  # collector buses, each behind one step-up transformer (or one breaker)
    unit_mva: float  # step-up transformer rating (0 when the collector is at the campus bus voltage)
    bus_kv: float  # the campus bus it joins
    mva: float  # the converters' rating (MW / plant power factor)
    decision: Decision


def plan_plant(plant: str, kind: str, mw: float, collector_kv: float | None, bus_kv: float) -> PlantConnection:
    """The fewest collector buses (and step-up units) that carry the plant's MVA at the plant
    power factor: each unit a standard rating within the catalog's largest, each collector bus
    within the collector switchgear class's largest rated current."""
    pc = cat.table("plant_connection")
    kv = float(collector_kv if collector_kv is not None else pc["collector_kv"])
    s_mva = mw / float(pc["power_factor"])
    cls = cat.switchgear_class(kv)
    bus_mva = cls.max_current_a * SQRT3 * kv / 1000
    step_up = abs(kv - bus_kv) > 1e-6
    unit_max = min(float(pc["max_unit_mva"]), bus_mva) if step_up else bus_mva
    n = max(1, math.ceil(s_mva / unit_max - 1e-9))
    unit = 0.0
    if step_up:
        while True:
            unit = cat.next_size("main_transformer_mva", s_mva / n) or 0.0
            if unit and unit <= unit_max + 1e-9:
                break
            n += 1
    rule = (
        f"collector buses = fewest n with S / n within {unit_max:g} MVA (the largest step-up unit, and {cls.max_current_a:,.0f} A at {kv:g} kV); "
        + ("each behind a step-up transformer of the next standard rating" if step_up else "each on the campus bus through its own breaker")
    )
    dec = Decision(
        item=f"plant-connection/{plant}",
        rule=rule,
        inputs=(("mw", mw), ("power_factor", float(pc["power_factor"])), ("collector_kv", kv), ("campus_bus_kv", bus_kv)),
        result=(("collector_buses", n), ("unit_mva", unit), ("mva", round(s_mva, 3))),
        source=cat.source("plant_connection"),
    )
    return PlantConnection(plant=plant, kind=kind, mw=mw, collector_kv=kv, units=n, unit_mva=unit, bus_kv=bus_kv, mva=s_mva, decision=dec)


def plant_connections(spec: Spec, sz: ElectricalSizing, bus_kv: float) -> tuple[PlantConnection, ...]:
    """Every behind-the-meter plant (renewables with a number for their capacity, the BESS) on
    collector buses to a campus bus at `bus_kv`. BESS PCS power "auto": the campus IT load (the
    energy stage's floor)."""
    out: list[PlantConnection] = []
    if spec.bess is not None:
        mw = float(spec.bess.power_mw) if spec.bess.power_mw != "auto" else sz.it_kw / 1000
        out.append(plan_plant(spec.bess.id, "bess", mw, None, bus_kv))
    for r in spec.renewable:
        if behind_the_meter(r):
            out.append(plan_plant(r.id, "solar" if r.kind == "solar" else "wind", float(r.capacity_mw), r.collector_kv, bus_kv))
    return tuple(out)


def behind_the_meter(r) -> bool:
    """A renewable plant physically connected at the campus (not a PPA, a sized capacity)."""
    return r.kind != "ppa" and r.delivery == "behind-the-meter" and r.capacity_mw != "auto"


def step_up_equipment(net) -> list:
    """BOM lines for the step-up transformers of LV gensets and behind-the-meter plants, one line
    per role, area and rating (counted from the network)."""
    from hubc.core.equipment import Equipment

    groups: dict[tuple, list] = {}
    for t in net.transformers:
        if t.role in ("generator-step-up", "plant-step-up"):
            groups.setdefault((t.role, t.area, t.sn_mva, t.vn_hv_kv, t.vn_lv_kv, t.vk_percent), []).append(t)
    bess = {x.plant for x in net.sgens if x.kind == "bess"}
    out = []
    for (role, area, sn, hv, lv, vk), ts in sorted(groups.items()):
        if role == "generator-step-up":
            out.append(Equipment(id=f"{area}/generator-step-up", family="unit-substation", description=f"Generator step-up transformer {lv * 1000:g} V / {hv:g} kV {sn * 1000:,.0f} kVA, vk {vk:g} %, one per LV set", rating=round(sn * 1000, 1), rating_unit="kVA", quantity=len(ts), system="electrical", area="campus", spec_path=("electrical", "generator_arrangement")))
        else:
            out.append(Equipment(id=f"{area}/plant-step-up", family="main-transformer", description=f"Plant step-up transformer {lv:g} / {hv:g} kV {sn:g} MVA, vk {vk:g} %, one per collector bus", rating=sn, rating_unit="MVA", quantity=len(ts), system="grid", area=area, spec_path=("bess", "power_mw") if area in bess else ("renewable",)))
    return out


def block_generator_scenarios(net, sz: ElectricalSizing, asg, bs: BlockSets, flow, tier: int) -> None:
    """`lv-per-block` utility outage as load flows (`flow`: the study's, on the network with the
    sets folded onto their boards). Every block transfer switch opens its unit-substation side and
    closes onto its set; each block is an island on its set with the block's share of the non-UPS
    load. Then one set failed per hall copy with the utility out: its block is lost as after a
    UPS-system failure and the other blocks carry its load by the topology (the failed block
    chosen per hall as the worst: most load lost, then the most loaded survivor); Tier IV also
    with a second set in maintenance. The copies modelled as equivalents are identical to the
    typical copy on their own sets: their MV equivalents and the mechanical substations (their
    load moved to the blocks) carry nothing."""
    from hubc.electrical.build import normal_block_loads

    opens = [f"open {s.id}" for s in net.switches if (s.role in ("line", "incomer") and s.closed) or s.role == "ats-normal"]
    closes = [f"close {s.id}" for s in net.switches if s.role == "generator"]
    tanphi = math.tan(math.acos(sz.power_factor))
    base = {x.id: (0.0, 0.0) for x in net.loads if x.kind in ("equivalent", "mechanical")}
    share = bs.mech_share_kw / 1000
    for ha in asg.halls:
        base.update(_block_loads(ha, sz, normal_block_loads(ha, sz), (), (share, tanphi)))
    note = ("every block's transfer switch opens its unit-substation side and closes onto its set", f"each set also carries its block's share of the non-UPS load ({bs.mech_share_kw:,.0f} kW)", "the copies modelled as equivalents: the same blocks on the same sets")
    flow("campus/utility-outage/block-gensets", "generator", "campus", switching=tuple(opens + closes), loads=base, failed=("utility",), transfers=note, utility=False, slack_gens=True, combinations=bs.blocks)
    for depth, sid, kind in ((1, "campus/utility-outage/generator-fails", "generator"), (2, "campus/utility-outage/generator-maintenance/generator-fails", "maintenance+failure")):
        if depth == 1 or tier >= 4:
            _block_failure_flow(asg, sz, base, share, tanphi, (opens, closes), flow, (sid, kind, depth), bs.blocks)


def _block_failure_flow(asg, sz: ElectricalSizing, base: dict, share: float, tanphi: float, switching: tuple[list[str], list[str]], flow, what: tuple[str, str, int], blocks: int) -> None:
    """The utility out and `depth` sets lost per hall copy (the first failed, a second in
    maintenance): their blocks drop out, the others carry the load by the UPS topology and share
    the non-UPS load."""
    from hubc.electrical.build import copy_prefix

    sid, kind, depth = what
    opens, closes = switching
    loads, out, lost = dict(base), [], 0.0
    for ha in asg.halls:
        pre = copy_prefix(ha.hall, 1)
        failed, kw, gone = _worst_block_failures(ha, sz, depth)
        out += [f"{pre}.{_local_id(b)}" for b in failed]
        lost += gone
        alive = len(ha.blocks) - len(failed)
        loads.update(_block_loads(ha, sz, kw, failed, (share * len(ha.blocks) / alive if alive else 0.0, tanphi)))
    sw = tuple(opens) + tuple(c for c in closes if c.split(" ", 1)[1].rsplit(".ats-g", 1)[0] not in out)
    sets = [f"{b}.genset" for b in out]
    flow(
        sid,
        kind,
        "campus",
        switching=sw,
        loads=loads,
        failed=("utility", "one set failed per hall copy: " + ", ".join(sets[::depth])),
        maintenance=("one set in maintenance per hall copy: " + ", ".join(sets[1::2]),) if depth == 2 else (),
        transfers=("the blocks of the lost sets drop out: the other blocks carry their load by the UPS topology, and their share of the non-UPS load",),
        utility=False,
        slack_gens=True,
        gens_out=tuple(sets),
        lost_kw=lost,
        combinations=blocks,
    )


def _block_loads(ha, sz: ElectricalSizing, out_kw: dict[str, float], failed, share: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """The typical copy's UPS loads (P, Q MW) on their sets: each block's UPS input for `out_kw`
    plus its share (MW, tan phi) of the non-UPS load; the failed blocks carry nothing."""
    from hubc.electrical.build import block_input, copy_prefix

    pre = copy_prefix(ha.hall, 1)
    mw, tanphi = share
    out = {}
    for b in ha.blocks:
        if b.id in failed:
            out[f"{pre}.{_local_id(b.id)}"] = (0.0, 0.0)
            continue
        p, q = block_input(sz, out_kw[b.id])
        out[f"{pre}.{_local_id(b.id)}"] = (p + mw, q + mw * tanphi)
    return out


def _local_id(item_id: str) -> str:
    return item_id.split(".", 1)[1] if "." in item_id else item_id


def _worst_block_failures(ha, sz: ElectricalSizing, depth: int) -> tuple[tuple[str, ...], dict[str, float], float]:
    """The `depth` blocks of a hall whose loss is worst (most load lost, then the most loaded
    survivor against its rating), greedily one at a time -> (blocks, block kW, lost kW)."""
    from hubc.electrical.verify import _Hall

    h = _Hall(ha, sz)
    failed: tuple[str, ...] = ()
    kw, lost = h.loads(frozenset())[0], 0.0
    for _ in range(min(depth, len(ha.blocks))):
        best = None
        for b in ha.blocks:
            if b.id in failed:
                continue
            load, _bw, gone = h.loads(frozenset(failed + (b.id,)))
            key = (gone, max((v for k, v in load.items() if k not in failed and k != b.id), default=0.0), b.id)
            if best is None or key[:2] > best[0][:2]:
                best = (key, b.id, load, gone)
        failed += (best[1],)
        kw, lost = best[2], best[3]
    return failed, kw, lost


def block_set_findings(plan, at) -> list:
    """HUB766: a block's set above the catalog's largest DCC rating."""
    from hubc.codes import diag

    bs = plan.blocks if plan is not None else None
    if bs is None or bs.fits:
        return []
    return [
        diag(
            "HUB766",
            f"each UPS block needs a {bs.need_kw:,.0f} kW genset (its UPS rating at the UPS efficiency, its {bs.mech_share_kw:,.0f} kW share of the non-UPS load and the sizing margin), "
            f"above the catalog's largest {bs.set_kw:,.0f} kW DCC rating",
            at("electrical", "generator_arrangement"),
            ("electrical", "generator_arrangement"),
            help="use smaller UPS blocks (electrical.ups_system_kw) or paralleling groups (generator_arrangement = \"mv-groups\" or \"lv-groups\")",
        )
    ]


def block_set_equipment(bs: BlockSets, asg, boards: dict[str, float], hz: str) -> list:
    """BOM lines of `lv-per-block`, per hall: a set and a transfer switch per UPS block of every
    copy (`boards`: hall -> its LV boards' rated Icu, which the CB-class switch matches)."""
    from hubc.core.equipment import Equipment

    out = []
    for ha in asg.halls:
        n = len(ha.blocks) * ha.copies
        icu = boards.get(ha.hall)
        kas = f", short-circuit rating {icu:g} kA as its board" if icu else ""
        out.append(Equipment(id=f"{ha.hall}/generator", family="generator", description=f"Diesel generator {bs.set_kw:g} kW DCC{hz}, LV, one per UPS block (block topology redundancy, no spare set)", rating=bs.set_kw, rating_unit="kW", quantity=n, system="electrical", area=ha.hall, spec_path=("electrical", "generator_arrangement")))
        out.append(Equipment(id=f"{ha.hall}/transfer-switch", family="breaker", description=f"Automatic transfer switch {bs.ats_a:g} A, IEC 60947-6-1 {bs.ats_class} class, {bs.utilization_category}, {bs.poles}-pole, {bs.transition} transition{kas}: unit substation / block genset", rating=bs.ats_a, rating_unit="A", quantity=n, system="electrical", area=ha.hall, spec_path=("electrical", "generator_transfer"), catalog_id="ats-cb-class"))
    return out


def generator_group_findings(studies, at, beyond: tuple[str, ...]) -> list:
    """HUB758 (a note): below Tier IV (Uptime Institute Tier Standard: Topology asks fault
    tolerance of Tier IV only), a paralleling group bus failing while the utility is out
    is beyond the design basis; the load it loses is reported, not failed."""
    from hubc.codes import diag

    if "generator-group" not in beyond:
        return []
    bad = [x for x in studies.scenarios if x.kind == "generator-group" and (x.lost_kw > 1e-6 or (x.worst_loading or 0.0) > 1 + 1e-6 or not x.converged)]
    if not bad:
        return []
    x = bad[0]
    what = f"{x.lost_kw:,.0f} kW lost" if x.lost_kw > 1e-6 else f"{x.worst_component} at {x.worst_loading:.0%}" if x.converged else "no load-flow solution"
    groups = x.failed[-1].split(": ", 1)[-1].split(", ")
    which = ", ".join(groups[:3]) + (f" and {len(groups) - 3} more" if len(groups) > 3 else "")
    return [
        diag(
            "HUB758",
            f"with the utility out, one paralleling group bus failing in every island ({which}): {what}; "
            + (x.load_transfers[0] if x.load_transfers else ""),
            at("electrical", "generator_arrangement"),
            ("electrical", "generator_arrangement"),
            help="for fault tolerance give each section two groups with N sets in the others (electrical.generator_group_sets), or tie the generator buses",
        )
    ]


__all__ = ["BlockSets", "GroupPlan", "ParallelingGroup", "PlantConnection", "behind_the_meter", "block_generator_scenarios", "block_set_equipment", "block_set_findings", "generator_group_findings", "max_group_sets", "plan_block_sets", "plan_groups", "plan_plant", "plant_connections", "step_up_equipment"]
