"""Generation connected as built: gensets in paralleling groups (MV sets on a generator bus, or LV
sets through their own step-up transformers), the group-bus failure with the utility out,
behind-the-meter plants on collector buses with step-up transformers (converters as current
sources in IEC 60909), grid-delivered PPAs outside the network, the export case, and the load
flow's losses in the energy year. Expected values are computed by hand in each test."""

import math

import attrs
import numpy as np
import pytest

from hubc.electrical.generator_groups import max_group_sets, plan_plant
from hubc.electrical.losses import LossModel
from hubc.electrical.stage import run_electrical
from hubc.energy.network_losses import with_network_losses
from hubc.spec.model import Renewable
from tests.electrical_fixtures import rows, substation_spec

LOADS = [500.0] * 8


def _bus(res, bid):
    return next(b for b in res.studies.buses if b.id == bid)


def test_most_sets_per_group_from_the_group_breaker_rated_current():
    # 3,000 kW DCC at PF 0.8 = 3.75 MVA: 3.75e3 / (sqrt3 x 22.9) = 94.5 A; 4,000 A / 94.5 A = 42.3
    assert max_group_sets(3.75, 22.9, None)[0] == 42
    assert max_group_sets(3.75, 22.9, 12) == (12, "electrical.generator_group_sets = 12")
    # at 11 kV the same set draws 196.8 A: 20 sets
    assert max_group_sets(3.75, 11.0, None)[0] == 20


def test_groups_per_section_and_the_group_bus_on_its_section():
    spec, src = substation_spec(philosophy="main-tie-main", extra="generator_group_sets = 2")
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    plan = res.generator_plan
    for sec, n in plan.sections:
        groups = plan.groups.of_section(sec)
        # ceil(n / 2) groups, the first ones one set larger
        assert len(groups) == math.ceil(n / 2)
        assert sum(g.sets for g in groups) == n
        for g in groups:
            cb = res.network.element(f"{g.id}.cb")
            assert (cb.bus, cb.element, cb.role, cb.closed) == (sec, g.id, "generator-group", False)
            sets = [x for x in res.network.generators if x.paralleling_group == g.id]
            assert len(sets) == g.sets
            assert all(res.network.element(f"{x.id}.cb").bus == g.id for x in sets)
    # each group's bay: rated current of its sets (2 x 2.5 MVA at 22.9 kV = 126 A) -> 630 A
    bay = next(b for b in res.ratings.bays if b.role == "generator-group")
    sets = sum(1 for x in res.network.generators if x.paralleling_group == bay.switch.removesuffix(".cb"))
    assert bay.duty_current_a == pytest.approx(sets * 2.5e3 / (math.sqrt(3) * 22.9), abs=0.1)
    assert bay.rated_current_a == 630


def test_group_bus_failure_tier3_is_a_warning_and_tier4_survives_it():
    spec, src = substation_spec(philosophy="main-tie-main")
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    sc = res.studies.scenario("campus/utility-outage/generator-group-fails")
    # one group per section: every island loses its only group -> its whole load is lost
    assert all(len(res.generator_plan.groups.of_section(s)) == 1 for s, _n in res.generator_plan.sections)
    load = sum(res.assignment.section_kva) * res.sizing.power_factor
    assert sc.lost_kw == pytest.approx(load, rel=1e-6)
    assert [d.code for d in res.diagnostics if d.code in ("HUB751", "HUB758")] == ["HUB758"]
    # Tier IV: at least two groups per section, none larger than the island's spares (N+2: 2)
    spec4, src4 = substation_spec(tier=4, transformers=4, mva=10, redundancy="N+2", philosophy="reserve-transformer")
    res4 = run_electrical(spec4, rows("hall-1", LOADS), src4, strict=False)
    for sec, n in res4.generator_plan.sections:
        gs = res4.generator_plan.groups.of_section(sec)
        assert len(gs) >= 2 and max(g.sets for g in gs) <= 2
    sc4 = res4.studies.scenario("campus/utility-outage/generator-group-fails")
    assert sc4.converged and sc4.lost_kw == 0 and sc4.ok


def test_lv_sets_reach_the_generator_bus_through_their_step_up_transformers():
    # the utility lost, every set on its island: an MV set feeds c In / X''d; an LV set (2,000 kW
    # DCC at PF 0.8 = 2.5 MVA) behind its own 2.5 MVA step-up (1,251-2,500 kVA: 6 % per IEC
    # 60076-5) feeds about c In / (X''d + uk)
    mv, src = substation_spec(philosophy="main-tie-main")
    lv, src2 = substation_spec(philosophy="main-tie-main", extra='generator_arrangement = "lv-groups"')
    a = run_electrical(mv, rows("hall-1", LOADS), src, strict=False)
    b = run_electrical(lv, rows("hall-1", LOADS), src2, strict=False)
    steps = [t for t in b.network.transformers if t.role == "generator-step-up"]
    assert len(steps) == len(b.network.generators) and {(t.sn_mva, t.vk_percent) for t in steps} == {(2.5, 6.0)}
    assert {g.vn_kv for g in b.network.generators} == {0.38}
    gbus = a.generator_plan.groups.groups[0].id
    ik_mv, ik_lv = _bus(a, gbus).ikss_max_ka, _bus(b, gbus).ikss_max_ka
    sets = a.generator_plan.groups.groups[0].sets
    by_hand = sets * 1.1 * (2.5 / (math.sqrt(3) * 22.9)) / 0.15
    assert _bus(a, gbus).max_case == "max/generators"
    assert ik_mv == pytest.approx(by_hand, rel=0.1)
    assert ik_lv / ik_mv == pytest.approx(0.15 / (0.15 + 0.06), rel=0.1)


def _with_plants(spec, *plants):
    return attrs.evolve(spec, renewable=tuple(plants))


def test_behind_the_meter_plant_collector_step_up_export_and_converter_current():
    spec, src = substation_spec(philosophy="main-tie-main")
    pv = Renewable(id="pv-1", kind="solar", capacity_mw=60.0, capacity_factor=0.14)
    ppa = Renewable(id="wind-ppa", kind="offshore-wind", capacity_mw=500.0, capacity_factor=0.3, delivery="grid")
    base = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    res = run_electrical(_with_plants(spec, pv, ppa), rows("hall-1", LOADS), src, strict=False)
    net = res.network
    # 60 MW / 0.95 = 63.2 MVA: one collector bus (within 200 MVA and 4,000 A at 22.9 kV = 158.7 MVA),
    # the next standard step-up rating 80 MVA; the PPA is not in the network
    pc = plan_plant("pv-1", "solar", 60.0, None, 154.0)
    assert (pc.units, pc.unit_mva) == (1, 80.0)
    assert [t.sn_mva for t in net.transformers if t.role == "plant-step-up"] == [80.0]
    assert [x.id for x in net.sgens] == ["pv-1.col-1.inv"] and not any("wind-ppa" in b.id for b in net.buses)
    # IEC 60909: the converters add k In = 1.2 x 63.2 MVA / (sqrt3 x 154 kV) = 0.284 kA at the HV bus
    hv = "ss.hv-1"
    extra = _bus(res, hv).ikss_max_ka - _bus(base, hv).ikss_max_ka
    assert extra == pytest.approx(1.2 * (60 / 0.95) / (math.sqrt(3) * 154), rel=0.05)
    # export: 57 MW of PV against a campus of about 8 MW -> about 49 MW back to the utility
    ex = res.studies.scenario("campus/export")
    assert ex.converged and "export" in ex.load_transfers[0]
    exported = float(ex.load_transfers[0].split("export ")[1].split(" MW")[0].replace(",", ""))
    facility = res.studies.facility_with_losses_kw / 1000
    assert exported == pytest.approx(60 - facility, rel=0.05)


def test_losses_in_the_energy_year_by_hand():
    m = LossModel(design_load_kw=100_000.0, proportional_kw=4000.0, no_load_kw=500.0, load_squared_kw=1500.0, allowance_kw_per_kw_it=0.04, allowance_source="test")
    it = np.array([80.0, 40.0])
    load = np.array([100.0 + 0.04 * 80.0, 50.0 + 0.04 * 40.0])  # facility 100 and 50 MW plus the allowance
    out, label = with_network_losses(load, it, m)
    # x = 1: 100 + 4 + 0.5 + 1.5; x = 0.5: 50 + 2 + 0.5 + 0.375
    assert out == pytest.approx([106.0, 52.875])
    assert "in place of the PUE's 4% allowance" in label
