"""Power-factor correction: Q_c by hand, bank steps, the load flow after correction, the BESS
choice, IEC 60909 without the banks, and the findings (HUB756 kept with `none`, HUB764/765)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import attrs
import pytest

from hubc.diagnostics import Location
from hubc.electrical.network import Bus, ExternalGrid, Line, Load, Network, StaticGenerator, Switch, Transformer
from hubc.electrical.pf_correction import (
    PfCorrection,
    bank_steps,
    bess_headroom,
    capacitor_equipment,
    make_bank,
    required_mvar,
    section_reactive_load,
    size_pf_correction,
    with_correction,
)
from hubc.electrical.stage import _grid_findings, pf_findings
from hubc.electrical.studies import Grid, GridExchange, _pp, quiet


def test_required_reactive_power_by_hand():
    # tan(acos 0.896) = sqrt(1 - 0.896^2) / 0.896 = 0.444054 / 0.896 = 0.495596
    # tan(acos 0.95) = sqrt(1 - 0.95^2) / 0.95 = 0.312250 / 0.95 = 0.328684
    # Q = 100 x (0.495596 - 0.328684) = 16.691 Mvar
    assert required_mvar(100.0, 0.896, 0.95) == pytest.approx(16.691, abs=1e-3)
    assert required_mvar(100.0, 0.96, 0.95) == 0.0  # already above the target
    assert required_mvar(0.0, 0.5, 0.95) == 0.0


def test_banks_round_up_to_whole_steps_of_the_smallest_step_that_fits():
    # catalog steps 300, 600, 900, ... kvar, at most 8 per bank
    # 5.0 Mvar: 300 kvar needs 17 steps, 600 needs 9, 900 needs ceil(5.556) = 6 -> 5.4 Mvar
    assert bank_steps(5.0) == (900.0, 6, True)
    assert bank_steps(0.127) == (300.0, 1, True)
    assert bank_steps(2.4) == (300.0, 8, True)  # exactly 8 steps
    assert bank_steps(30.0) == (3000.0, 8, False)  # beyond 8 x 3,000 kvar
    b = make_bank("ss.mv-1", 22.9, 60.0, 4.0, 5.0)
    assert (b.id, b.kvar, b.steps) == ("ss.mv-1.cap.bank", 5400.0, 6)
    # capacitor units behind a 7 % reactor: 22.9 / 0.93 = 24.62 -> 24.7 kV; tuned to 60 / sqrt(0.07) = 226.8 Hz
    assert b.capacitor_rated_kv == 24.7
    assert b.tuned_hz == 226.8


def _net(load_p: float = 10.0, load_q: float = 6.0, bess_mva: float = 0.0) -> Network:
    """154 kV utility -> 40 MVA main transformer -> MV section -> a 1 km cable -> a load."""
    buses = (
        Bus(id="grid.utility", vn_kv=154.0, role="utility", section="", area="grid"),
        Bus(id="ss.mv-1", vn_kv=22.9, role="mv-section", section="ss.mv-1", area="ss"),
        Bus(id="hall.c01.mvf-01.rmu", vn_kv=22.9, role="feeder-end", section="ss.mv-1", area="hall", copy=1),
    )
    tx = Transformer(
        id="ss.tx-1", unit="ss.tx-1", hv_bus="grid.utility", lv_bus="ss.mv-1", role="main", sn_mva=40.0, vn_hv_kv=154.0, vn_lv_kv=22.9, vk_percent=12.5, vkr_percent=0.3,
        pfe_kw=20.0, i0_percent=0.05, vector_group="YNd1", tap_side="hv", tap_min=-8, tap_max=8, tap_step_percent=1.25, on_load_tap_changer=True,
    )
    line = Line(id="hall.c01.mvf-01", from_bus="ss.mv-1", to_bus="hall.c01.mvf-01.rmu", kind="cable", type_name="240 mm2", length_km=1.0, r_ohm_per_km=0.0985, x_ohm_per_km=0.11, c_nf_per_km=300.0, max_i_ka=0.5, parallel=1, role="mv-feeder", area="hall", copy=1)
    sgens = (StaticGenerator(id="bess.inv", bus="ss.mv-1", kind="bess", sn_mva=bess_mva, p_mw=0.0, k=1.2),) if bess_mva else ()
    return Network(
        name="pfc",
        f_hz=60.0,
        philosophy="main-tie-main",
        generator_transfer="open",
        buses=buses,
        lines=(line,),
        transformers=(tx,),
        switches=(Switch(id="ss.mv-1.incomer", bus="ss.mv-1", element="ss.tx-1", element_kind="transformer", kind="CB", role="incomer", closed=True),),
        ext_grids=(ExternalGrid(id="grid.source", bus="grid.utility", vm_pu=1.0, s_sc_max_mva=10000.0, s_sc_min_mva=5000.0, rx_max=0.1, rx_min=0.1, fault_level_max_ka=37.5, fault_level_min_ka=18.7, x_r=10.0, source="test"),),
        sgens=sgens,
        loads=(Load(id="hall.c01.ups-01a", bus="hall.c01.mvf-01.rmu", kind="ups", p_mw=load_p, q_mvar=load_q, area="hall", copy=1),),
    )


def _flow(net: Network) -> tuple[float, float]:
    g = Grid(net)
    assert g.solve()
    return float(g.net.res_ext_grid["p_mw"].sum()), float(g.net.res_ext_grid["q_mvar"].sum())


def _spec(means: str, target: float | None = None):
    return SimpleNamespace(electrical=SimpleNamespace(pf_correction=means, pf_target=target))


def test_capacitor_banks_bring_the_load_flow_to_the_target():
    net = _net()
    p, q = _flow(net)
    pf = p / math.hypot(p, q)
    assert pf < 0.9  # 10 MW, 6 Mvar plus the transformer's reactive power
    pfc = size_pf_correction(_spec("auto"), net, {}, p, q)
    assert pfc.means == "capacitors" and pfc.reason.startswith("no BESS")
    assert pfc.required_mvar == pytest.approx(required_mvar(p, pf, 0.95))
    [bank] = pfc.banks
    assert bank.section == "ss.mv-1" and bank.kvar >= pfc.required_mvar * 1000
    assert bank.kvar == bank.steps * bank.step_kvar
    fixed = with_correction(net, pfc)
    assert fixed.problems() == []
    assert [s.role for s in fixed.switches if s.element == "ss.mv-1.cap"] == ["capacitor"]
    p2, q2 = _flow(fixed)
    assert p2 / math.hypot(p2, q2) >= 0.95
    assert pfc.pf_after == pytest.approx(p2 / math.hypot(p2, q2), abs=1e-6)
    assert pfc.met
    # light load (30 %: 3 MW, 1.8 Mvar of load): the controller keeps fewer steps in and holds
    # the target; every step left in makes the campus export reactive power (leading)
    assert pfc.light_load_fraction == 0.3
    assert 0 < pfc.light_load_steps < bank.steps
    assert pfc.light_load_pf >= 0.95
    assert pfc.light_load_all_steps_mvar < 0
    # one BOM line for the bank, rated in kvar
    [item] = capacitor_equipment(fixed)
    assert (item.family, item.rating, item.rating_unit, item.quantity) == ("capacitor-bank", bank.kvar, "kvar", 1)


def test_capacitor_banks_do_not_feed_a_short_circuit():
    """IEC 60909-0 §3.7: shunt capacitors are neglected; the MV section's Ik'' is the same."""
    net = _net()
    p, q = _flow(net)
    fixed = with_correction(net, size_pf_correction(_spec("capacitors"), net, {}, p, q))
    _pp_mod, sc = _pp()
    out = []
    for n in (net, fixed):
        g = Grid(n)
        with quiet():
            sc.calc_sc(g.net, case="max", ip=True)
        out.append(float(g.net.res_bus_sc.at[g.bus["ss.mv-1"], "ikss_ka"]))
    assert out[0] > 1.0
    assert out[1] == pytest.approx(out[0], rel=1e-9)


def test_auto_takes_the_bess_when_its_headroom_covers_the_need():
    net = _net(bess_mva=20.0)
    # 20 MVA at the plant power factor 0.95: 20 x sqrt(1 - 0.95^2) = 6.245 Mvar
    assert bess_headroom(net) == pytest.approx(20.0 * math.sqrt(1 - 0.95**2))
    p, q = _flow(net)
    pfc = size_pf_correction(_spec("auto"), net, {}, p, q)
    assert pfc.means == "bess" and pfc.banks == ()
    assert pfc.bess_q_mvar >= pfc.required_mvar - 1e-6
    p2, q2 = _flow(with_correction(net, pfc))
    assert p2 / math.hypot(p2, q2) >= 0.95 - 1e-4
    # a BESS too small: capacitor banks instead
    small = _net(bess_mva=5.0)
    assert size_pf_correction(_spec("auto"), small, {}, p, q).means == "capacitors"
    # "bess" forced on the small one: short of the target, HUB765
    forced = size_pf_correction(_spec("bess"), small, {}, p, q)
    assert forced.means == "bess" and forced.bess_q_mvar == pytest.approx(bess_headroom(small), abs=1e-3)
    assert not forced.met
    at = lambda *path: Location(file="<spec>")  # noqa: E731
    assert [d.code for d in pf_findings(forced, at)] == ["HUB764", "HUB765"]


def test_none_keeps_the_hub756_warning():
    net = _net()
    p, q = _flow(net)
    pfc = size_pf_correction(_spec("none"), net, {}, p, q)
    assert pfc.means == "none" and pfc.banks == () and not pfc.met
    assert with_correction(net, pfc) is net
    st = SimpleNamespace(grid=GridExchange(import_mw=p, import_mvar=q, power_factor=p / math.hypot(p, q), contract_mw=100.0))
    at = lambda *path: Location(file="<spec>")  # noqa: E731
    found = _grid_findings(st, at, pfc)
    assert [d.code for d in found] == ["HUB756"]
    assert "no power-factor correction" in found[0].message
    assert pf_findings(pfc, at) == []
    # corrected above the reference: no HUB756
    st2 = SimpleNamespace(grid=GridExchange(import_mw=p, import_mvar=0.3 * p, power_factor=0.958, contract_mw=100.0))
    assert _grid_findings(st2, at, pfc) == []


def test_a_target_already_met_corrects_nothing():
    net = _net(load_q=1.0)
    p, q = _flow(net)
    pfc = size_pf_correction(_spec("auto", 0.92), net, {}, p, q)
    assert pfc.means == "none" and pfc.required_mvar == 0.0 and pfc.met and pfc.target == 0.92


def test_reactive_load_by_section():
    net = _net()
    assert section_reactive_load(net) == {"ss.mv-1": 6.0}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("pf_target = 0.90", "HUB319"),  # at the reference
        ("pf_target = 1.2", None),  # above 1: the model's range
        ("pf_target = nan", "HUB006"),
        ("pf_target = inf", "HUB006"),
        ('pf_correction = "bess"', "HUB319"),  # no [bess]
        ('pf_correction = "reactors"', None),
    ],
)
def test_spec_errors(tmp_path, line, code):
    from hubc.pipeline import check_spec
    from tests.conftest import CASES

    text = (CASES / "bad" / "HUB319-power-factor-target.toml").read_text().replace("pf_target = 0.90  # <- HUB319", line)
    path = tmp_path / "spec.toml"
    path.write_text(text)
    checked = check_spec(path, "spec.toml")
    errors = [d for d in checked.diagnostics if d.severity.value == "error"]
    assert errors, line
    assert all(d.location.line == text.splitlines().index(line) + 1 for d in errors)
    if code is not None:
        assert {d.code for d in errors} == {code}


def test_decision_records_inputs_and_result():
    pfc = PfCorrection(requested="auto", means="capacitors", reason="no BESS behind the meter", target=0.95, reference=0.9, import_mw=100.0, import_mvar_before=49.6, pf_before=0.896, required_mvar=16.69, bess_headroom_mvar=0.0, banks=(make_bank("ss.mv-1", 22.9, 60.0, 10.0, 16.69),), pf_after=0.951)
    d = pfc.decision()
    result = dict(d.result)
    assert result["means"] == "capacitors" and result["meets_target"] == "yes"
    # 16.69 Mvar: 2,400 kvar x 7 = 16.8 Mvar (smaller steps need more than 8)
    assert result["installed_mvar"] == 16.8 and result["steps"] == 7


def _electrical(name: str, **electrical):
    """The example through the electrical stage, with `electrical` overriding spec keys."""
    import attrs

    from hubc.design import BuildInput, Design
    from hubc.pipeline import check_spec
    from hubc.stages import BUILD_STAGES
    from tests.conftest import SPECS

    checked = check_spec(SPECS / f"{name}.toml")
    spec = attrs.evolve(checked.spec, electrical=attrs.evolve(checked.spec.electrical, **electrical))
    inp = BuildInput(spec=spec, source=checked.source, base_dir=checked.base_dir, catalog=checked.catalog)
    design, diags = Design(), []
    for stage in BUILD_STAGES:
        result, d = stage.run(inp, design, lambda _msg: None)
        design, diags = attrs.evolve(design, **{stage.fills: result}), diags + list(d)
        if stage.fills == "electrical":
            return design.electrical, diags
    raise AssertionError("no electrical stage")


@pytest.mark.slow
def test_the_1gw_example_is_corrected_and_none_keeps_the_warning():
    el, diags = _electrical("campus-1gw")
    codes = [d.code for d in diags]
    assert "HUB764" in codes and not any(d.code == "HUB756" and "power factor" in d.message for d in diags)
    p = el.pf_correction
    assert p.pf_before < 0.9 and p.pf_after >= 0.95 and p.met
    assert el.studies.grid.power_factor == pytest.approx(p.pf_after, abs=1e-4)
    # Q_c = P (tan phi1 - tan phi2) from the first pass's import
    assert p.required_mvar == pytest.approx(p.import_mw * (math.tan(math.acos(p.pf_before)) - math.tan(math.acos(0.95))), rel=1e-9)
    el2, diags2 = _electrical("campus-1gw", pf_correction="none")
    assert el2.pf_correction.means == "none" and el2.network.shunts == ()
    assert any(d.code == "HUB756" and "power factor" in d.message for d in diags2)
    # capacitor banks instead: one per loaded MV section, the target met
    el3, _d = _electrical("campus-1gw", pf_correction="capacitors")
    p3 = el3.pf_correction
    assert p3.means == "capacitors" and len(p3.banks) == len(section_reactive_load(el3.network)) and p3.met
    assert {b.id for b in p3.banks} == {x.id for x in el3.network.shunts}


def test_every_step_in_at_light_load_above_the_band_is_hub767():
    """The light-load check (30 % load, every capacitor step in: a failed controller) is a
    warning when the highest MV section voltage passes the normal band's 1.05 pu, and only then."""
    net = _net()
    p, q = _flow(net)
    pfc = size_pf_correction(_spec("capacitors"), net, {}, p, q)
    assert pfc.means == "capacitors" and pfc.light_load_all_steps_max_vm_pu is not None
    at = lambda *path: Location(file="<spec>")  # noqa: E731
    codes = [d.code for d in pf_findings(pfc, at)]
    assert ("HUB767" in codes) == (pfc.light_load_all_steps_max_vm_pu > 1.05)
    high = attrs.evolve(pfc, light_load_all_steps_max_vm_pu=1.07)
    found = [d for d in pf_findings(high, at) if d.code == "HUB767"]
    assert len(found) == 1 and "1.070 pu" in found[0].message and "30% load" in found[0].message
    assert [d for d in pf_findings(attrs.evolve(pfc, light_load_all_steps_max_vm_pu=1.049), at) if d.code == "HUB767"] == []
