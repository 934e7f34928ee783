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


__all__ = ["GroupPlan", "ParallelingGroup", "PlantConnection", "behind_the_meter", "generator_group_findings", "max_group_sets", "plan_groups", "plan_plant", "plant_connections", "step_up_equipment"]
