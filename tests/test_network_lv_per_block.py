"""One LV genset per UPS block behind the block's transfer switch (`generator_arrangement =
"lv-per-block"`), and a paralleling group whose sets push the MV duty over the switchgear's
largest rating. Expected values are computed by hand in each test."""

import json
import math

import attrs
import pytest

from hubc.catalog import electrical as cat
from hubc.electrical.build import normal_block_loads
from hubc.electrical.stage import run_electrical
from hubc.electrical.studies import Grid, _lowered, _run_case, short_circuit_cases
from tests.electrical_fixtures import rows, substation_spec

LOADS = [500.0] * 8
PER_BLOCK = 'generator_arrangement = "lv-per-block"'


def _run(transfer="open", extra=PER_BLOCK, **kw):
    spec, src = substation_spec(philosophy="main-tie-main", transfer=transfer, extra=extra, **kw)
    return run_electrical(spec, rows("hall-1", LOADS), src, strict=False)


@pytest.fixture(scope="module")
def res():
    return _run()


def _genset_ikss_ka(sn_mva: float, un_kv: float) -> float:
    """IEC 60909-0 §6.6.1: Z_GK = K_G (R_G + jX''d), K_G = c_max / (1 + x''d sin phi_rG) at
    U_n = U_rG; Ik'' = c U_n / (sqrt3 |Z_GK|): c cancels, Ik'' = U_n (1 + x''d sin phi) / (sqrt3 |R_G + jX''d|)."""
    gi = cat.table("generator_impedance")
    xd = float(gi["xdss_pu"])
    rx = float(gi["r_over_x_lv"] if un_kv <= 1 else gi["r_over_x_mv"])
    sin_phi = math.sqrt(1 - float(cat.table("generator")["power_factor"]) ** 2)
    x = xd * un_kv**2 / sn_mva
    return un_kv * (1 + xd * sin_phi) / (math.sqrt(3) * x * math.hypot(1, rx))


def test_one_set_per_block_sized_for_the_block(res):
    sz, asg = res.sizing, res.assignment
    blocks = sum(len(ha.blocks) * ha.copies for ha in asg.halls)
    # 2 copies x 8 blocks (2N); set >= (P_UPS / eta + P_non-UPS / blocks) x (1 + margin 0)
    assert blocks == 16
    need = 1000 / sz.ups_efficiency + sz.mechanical_kw / blocks
    bs = res.generator_plan.blocks
    assert bs.need_kw == pytest.approx(need)
    assert bs.set_kw == min(s for s in cat.sizes("generator_kw") if s >= need)
    assert res.sizing.generator_kw == bs.set_kw and res.sizing.generators == blocks
    # the typical copy's blocks in the network, each with its set behind its transfer switch
    typical = [x for x in res.network.loads if x.kind == "ups"]
    assert len(res.network.generators) == len(typical) == 8
    for load in typical:
        bid = load.id
        g = res.network.element(f"{bid}.genset")
        assert g.bus == f"{bid}.gen" and g.vn_kv == 0.38 and g.sn_mva == pytest.approx(bs.set_kw / 0.8 / 1000)
        n, s = res.network.element(f"{bid}.ats-n"), res.network.element(f"{bid}.ats-g")
        assert (n.bus, n.element, n.element_kind, n.closed) == (f"{bid}.lv", f"{bid}.uss", "transformer", True)
        assert (s.bus, s.element, s.role, s.closed) == (f"{bid}.lv", f"{bid}.gen", "generator", False)
    # no generator buses, step-up transformers or MV generator bays
    assert not [b for b in res.network.buses if b.role == "generator-bus"]
    assert not [t for t in res.network.transformers if t.role == "generator-step-up"]
    assert not [b for b in res.ratings.bays if b.role in ("generator", "generator-group")]


def test_bom_has_a_set_and_a_transfer_switch_per_block(res):
    eq = {e.id: e for e in res.equipment()}
    gen, ats = eq["hall-1/generator"], eq["hall-1/transfer-switch"]
    assert gen.quantity == ats.quantity == 16 and gen.rating == res.generator_plan.blocks.set_kw
    assert "campus/generator" not in eq and not [e for e in eq.values() if "generator" in e.id and e.family == "mv-switchgear"]
    # the block's LV incomer: 1,500 kVA / (sqrt3 x 380 V) = 2,279 A -> the 2,500 A frame
    assert res.generator_plan.blocks.incomer_a == pytest.approx(1500 / (math.sqrt(3) * 0.38), rel=1e-9)
    assert ats.rating == 2500 and ats.rating_unit == "A" and ats.catalog_id == "ats-cb-class"
    assert "IEC 60947-6-1 CB class" in ats.description and "4-pole" in ats.description and "open transition" in ats.description


def test_utility_loss_transfers_every_block_to_its_set(res):
    from hubc.design_json import unstructure

    doc = json.loads(json.dumps(unstructure(res), allow_nan=False))
    scen = {s["id"]: s for s in doc["studies"]["scenarios"]}
    sc = scen["campus/utility-outage/block-gensets"]
    typical = [x for x in res.network.loads if x.kind == "ups"]
    for load in typical:
        assert f"open {load.id}.ats-n" in sc["switching"] and f"close {load.id}.ats-g" in sc["switching"]
    assert sc["converged"] and sc["lost_kw"] == 0 and sc["ok"]
    # each set carries its block's UPS input and its share of the non-UPS load, at the design PF
    sz, bs = res.sizing, res.generator_plan.blocks
    tan = math.tan(math.acos(sz.power_factor))
    out = normal_block_loads(res.assignment.halls[0], sz)
    hand = max(math.hypot(p := (kw / sz.ups_efficiency + bs.mech_share_kw) / 1000, p * tan) / bs.set_mva for kw in out.values())
    assert sc["worst_component"].endswith(".genset")
    assert sc["worst_loading"] == pytest.approx(hand, abs=2e-4)


def test_a_set_failed_with_the_utility_out_is_its_block_lost(res):
    sc = res.studies.scenario("campus/utility-outage/generator-fails")
    assert sc.converged and sc.lost_kw == 0 and sc.ok
    # 2N: the failed block's partner carries both blocks' load, and the survivors share its
    # part of the non-UPS load (8 blocks' share over 7)
    sz, bs = res.sizing, res.generator_plan.blocks
    tan = math.tan(math.acos(sz.power_factor))

    block_out = max(normal_block_loads(res.assignment.halls[0], sz).values())
    p = (2 * block_out / sz.ups_efficiency + bs.mech_share_kw * 8 / 7) / 1000
    assert sc.worst_component.endswith(".genset")
    assert sc.worst_loading == pytest.approx(math.hypot(p, p * tan) / bs.set_mva, abs=2e-4)
    failed = sc.failed[1].split(": ", 1)[1]
    assert f"close {failed.removesuffix('.genset')}.ats-g" not in sc.switching


def test_lv_board_duty_includes_the_block_set():
    ik_g = _genset_ikss_ka(1.875, 0.38)  # 1,500 kW DCC at PF 0.8 on a 380 V board
    # open transition: the set alone on its board (its ATS has left the unit substation)
    op = _run("open")
    net = op.network
    case, opt = next((c, o) for c, o in short_circuit_cases(net, op.sizing.arrangement()) if c.id == "max/generators")
    g = Grid(_lowered(net), fold_generators=True)
    bid = "hall-1.c01.ups-01a.lv"
    ik, _ip, _r, _x = _run_case(g, case, opt, [g.bus[bid]])
    assert ik[0] == pytest.approx(ik_g, rel=1e-3)
    b_open = next(b for b in op.studies.buses if b.id == bid)
    assert b_open.max_case == "max/utility" and b_open.ikss_max_ka > ik_g  # the larger of the two sources
    # closed transition: both sources on the board at once (and the other sets through the MV)
    cl = _run("closed")
    b_closed = next(b for b in cl.studies.buses if b.id == bid)
    assert b_open.ikss_max_ka + ik_g <= b_closed.ikss_max_ka <= b_open.ikss_max_ka + 1.1 * ik_g
    r = next(x for x in cl.ratings.buses if x.bus == bid)
    assert r.duty_ikss_ka == b_closed.ikss_max_ka and r.rated_short_circuit_ka >= r.duty_ikss_ka


def test_a_block_too_large_for_one_set_is_an_error():
    res = _run(block=3000)
    d = [x for x in res.diagnostics if x.code == "HUB766"]
    assert d and "above the catalog's largest 3,250 kW DCC rating" in d[0].message


def test_paralleling_group_pushes_the_mv_duty_over_the_largest_rating():
    # three 20 MW sets (25 MVA at PF 0.8) per 6.6 kV island, the dry coolers without motors: the
    # group buses see the three sets in parallel, 3 x Ik''_G, above the 40 kA of the class
    spec, src = substation_spec(philosophy="main-tie-main")
    spec = attrs.evolve(spec, electrical=attrs.evolve(spec.electrical, mv_voltage_kv=6.6, generator_kw=20000.0, generator_redundancy="N+2"))
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    assert dict(res.generator_plan.sections) == {"ss.mv-1": 3, "ss.mv-2": 3}
    duty = 3 * _genset_ikss_ka(25.0, 6.6)
    assert duty == pytest.approx(47.56, abs=0.01)
    limit = cat.switchgear_class(6.6).max_short_circuit_ka
    assert duty > limit == 40
    gb = next(b for b in res.studies.buses if b.id == "ss.mv-1.gg-1")
    assert gb.role == "generator-bus" and gb.max_case == "max/generators"
    assert gb.ikss_max_ka == pytest.approx(duty, rel=1e-3)
    msgs = [d.message for d in res.diagnostics if d.code == "HUB753" and "ss.mv-1.gg-1" in d.message]
    assert len(msgs) == 1 and f"duty Ik'' {duty:.1f} kA" in msgs[0] and f"({limit:g} kA)" in msgs[0]
    r = next(x for x in res.ratings.buses if x.bus == "ss.mv-1.gg-1")
    assert not r.ok


def test_sld_draws_each_typical_block_with_its_transfer_switch_and_set():
    from hubc.emit.sld import emit_sld
    from tests.test_sld import SVG, check_drawing, parse

    spec, src = substation_spec(philosophy="main-tie-main", extra=PER_BLOCK)
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    files = emit_sld(res, spec)
    check_drawing(files, res.network)  # every element once, in its normal state, no label over another
    groups = {g.get("id"): g for root in parse(files).values() for g in root.iter(f"{SVG}g") if g.get("id")}
    for load in (x for x in res.network.loads if x.kind == "ups"):
        bid = load.id
        assert groups[f"{bid}.ats-n"].get("data-normal") == "closed" and groups[f"{bid}.ats-n"].get("data-role") == "ats-normal"
        assert groups[f"{bid}.ats-g"].get("data-normal") == "open" and groups[f"{bid}.ats-g"].get("data-role") == "generator"
        assert groups[f"{bid}.genset"].get("class") == "generator"
        # the unit substation's MV breaker and the UPS input breaker are still drawn as such
        assert groups[f"{bid}.uss-cb"].get("data-role") == "unit-substation" and groups[f"{bid}.ups-cb"].get("data-role") == "ups-input"


def test_without_the_studies_the_bom_still_has_a_set_per_block():
    spec, src = substation_spec(philosophy="main-tie-main", extra=PER_BLOCK)
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False, studies=False)
    eq = {e.id: e for e in res.equipment()}
    assert eq["hall-1/generator"].quantity == eq["hall-1/transfer-switch"].quantity == 16
    assert "campus/generator" not in eq and eq["ss/mv-switchgear"].description.endswith(", 0 generator")


def test_tier4_a_set_in_maintenance_and_another_failed_lose_a_2n_pair():
    # Tier IV adds one set in maintenance to the failed one; with no spare set per block, 2N
    # blocks lose their load when both sets of a pair are out: a pair's share of the rows,
    # 8 x 500 kW over the 4 pairs of the copy
    spec, src = substation_spec(tier=4, transformers=4, mva=10, redundancy="N+2", philosophy="reserve-transformer", extra=PER_BLOCK)
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    sc = res.studies.scenario("campus/utility-outage/generator-maintenance/generator-fails")
    assert sc.converged and sc.maintenance and sc.lost_kw == pytest.approx(sum(LOADS) / 4)
    assert "HUB751" in {d.code for d in res.diagnostics}
