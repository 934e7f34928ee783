"""IEC 60909 short circuit on tiny networks, checked by hand: a transformer on a stiff source gives
Ik'' = c In / (K_T uk); the peak and thermal currents follow kappa and m; the ratings follow."""

import math

import pytest

from hubc.electrical.arrangement import build_arrangement
from hubc.electrical.network import Bus, ExternalGrid, Network, Transformer
from hubc.electrical.ratings import lv_board_needs, required_short_circuit_ka
from hubc.electrical.studies import Grid, _pp, quiet, short_circuit, thermal_current_ka

STIFF_MVA = 1e6  # a source so strong its impedance is negligible


def _one_transformer(sn_mva, hv_kv, lv_kv, vk, x_r, role="main"):
    vkr = vk / math.sqrt(1 + x_r * x_r)
    return Network(
        name="t",
        f_hz=60,
        philosophy="main-tie-main",
        generator_transfer="open",
        buses=(Bus(id="hv", vn_kv=hv_kv, role="utility", section="", area="grid"), Bus(id="lv", vn_kv=lv_kv, role="mv-section" if lv_kv > 1 else "lv-board", section="lv", area="x")),
        lines=(),
        transformers=(Transformer(id="t1", unit="t1", hv_bus="hv", lv_bus="lv", role=role, sn_mva=sn_mva, vn_hv_kv=hv_kv, vn_lv_kv=lv_kv, vk_percent=vk, vkr_percent=vkr, pfe_kw=0.0, i0_percent=0.0, vector_group="Dyn11", tap_side="", vk_min_percent=vk),),
        switches=(),
        ext_grids=(ExternalGrid(id="src", bus="hv", vm_pu=1.0, s_sc_max_mva=STIFF_MVA, s_sc_min_mva=STIFF_MVA, rx_max=0.1, rx_min=0.1, fault_level_max_ka=0, fault_level_min_ka=0, x_r=10, source="test"),),
    )


def _hand_ikss(sn_mva, lv_kv, vk, x_r, c=1.1):
    """IEC 60909-0: Ik'' = c U_n / (sqrt3 K_T Z_T), K_T = 0.95 c_max / (1 + 0.6 x_T)."""
    uk = vk / 100
    x_t = uk * x_r / math.sqrt(1 + x_r * x_r)
    k_t = 0.95 * c / (1 + 0.6 * x_t)
    i_n = sn_mva / (math.sqrt(3) * lv_kv)  # kA
    return c * i_n / (k_t * uk)


def test_transformer_on_a_stiff_source():
    # 60 MVA 154/22.9 kV at the IEC 60076-5 minimum 11 %, X/R 35: In = 1,512.7 A,
    # Ik'' = 1.1 x 1,512.7 / (0.9803 x 0.11) = 15.43 kA
    _pp_mod, sc = _pp()
    net = _one_transformer(60, 154, 22.9, 11.0, 35.0)
    g = Grid(net)
    with quiet():
        sc.calc_sc(g.net, case="max", ip=True, ith=True, tk_s=0.5)
    res = g.net.res_bus_sc
    ikss = float(res.at[g.bus["lv"], "ikss_ka"])
    assert ikss == pytest.approx(_hand_ikss(60, 22.9, 11.0, 35.0), rel=2e-3)
    assert ikss == pytest.approx(15.43, abs=0.02)
    # peak: kappa = 1.02 + 0.98 exp(-3 R/X) = 1.9195 for R/X = 1/35
    kappa = 1.02 + 0.98 * math.exp(-3 / 35)
    ip = float(res.at[g.bus["lv"], "ip_ka"])
    assert ip == pytest.approx(kappa * math.sqrt(2) * ikss, rel=0.01)
    # the thermal equivalent hubc computes (IEC 60909-0 §12, n = 1) matches pandapower's, which
    # evaluates m at 50 Hz whatever the network's frequency; hubc uses the system's 60 Hz
    assert thermal_current_ka(ikss, ip, 0.5, 50) == pytest.approx(float(res.at[g.bus["lv"], "ith_ka"]), rel=1e-3)
    kap, tk, f = ip / (math.sqrt(2) * ikss), 0.5, 60
    m = (math.exp(4 * f * tk * math.log(kap - 1)) - 1) / (2 * f * tk * math.log(kap - 1))
    assert thermal_current_ka(ikss, ip, 0.5, 60) == pytest.approx(ikss * math.sqrt(m + 1), rel=1e-9)
    # rating: Ik'' 15.4 kA alone would take 16 kA, but ip / 2.6 = 16.1 kA > 16: 20 kA (the peak governs)
    need, governing = required_short_circuit_ka(ikss, ip, thermal_current_ka(ikss, ip, 0.5, 60), 0.5, 60)
    assert governing == "ip" and 16 < need < 20


def test_lv_board_at_the_lower_impedance_tolerance():
    # 3,150 kVA 22.9/0.38 kV at 7 % (IEC 60076-5), X/R 6, on a stiff 22.9 kV source. At the lower
    # tolerance (-10 % below 10 %, IEC 60076-1) uk = 6.3 %: Ik'' = 1.1 x 4,786 / (1.0074 x 0.063)
    # = 82.9 kA and ip = 1.614 sqrt2 x 82.9 = 189 kA: above the 187 kA an 85 kA board makes
    # (n = 2.2, IEC 60947-2), so the 100 kA board
    net = _one_transformer(3.15, 22.9, 0.38, 7.0, 6.0, role="unit-substation")
    cases, res = short_circuit(net, build_arrangement("ss", 0, 0, "main-tie-main"))
    lv = res["lv"]
    ikss, ip = lv["ikss_max"][0], lv["ip_max"]
    assert ikss == pytest.approx(_hand_ikss(3.15, 0.38, 7.0 * 0.9, 6.0), rel=5e-3)
    assert ikss == pytest.approx(82.9, abs=0.3)
    assert ip == pytest.approx((1.02 + 0.98 * math.exp(-0.5)) * math.sqrt(2) * ikss, rel=0.01)
    board, governing = lv_board_needs(ikss, ip, thermal_current_ka(ikss, ip, 0.4, 60), 0.4)
    assert (board.icu_ka, governing) == (100.0, "ip")
    # at the rated impedance the 85 kA board would have done: the tolerance decides
    g = Grid(net)
    _pp_mod, sc = _pp()
    with quiet():
        sc.calc_sc(g.net, case="max", ip=True, lv_tol_percent=10)
    rated_ik = float(g.net.res_bus_sc.at[g.bus["lv"], "ikss_ka"])
    rated_ip = float(g.net.res_bus_sc.at[g.bus["lv"], "ip_ka"])
    assert lv_board_needs(rated_ik, rated_ip, rated_ik, 0.4)[0].icu_ka == 85.0
    assert {c.id for c in cases} == {"max/utility", "min/utility"}


def test_minimum_current_uses_c_min():
    # case "min" at MV: c_min = 1.0 instead of 1.1 (and no K_T)
    net = _one_transformer(60, 154, 22.9, 11.0, 35.0)
    _cases, res = short_circuit(net, build_arrangement("ss", 0, 0, "main-tie-main"))
    mv = res["lv"]
    uk = 0.11
    assert mv["ikss_min"] == pytest.approx(1.0 * 60 / (math.sqrt(3) * 22.9) / uk, rel=0.01)


def test_direct_on_line_motors_feed_the_lv_fault():
    # a chiller plant: 30 % of the mechanical load on direct-on-line motors (catalog), which feed
    # an LV fault with ILR/IrM = 5 (IEC 60909-0 §6.8): the mechanical LV boards' duty rises
    import attrs

    from hubc.electrical.stage import run_electrical
    from tests.electrical_fixtures import rows, small_spec

    spec, src = small_spec(topology="2N", rows=4)
    dry = run_electrical(spec, rows("hall-1", [400.0] * 4), src, strict=False)
    chill = attrs.evolve(spec, cooling_plant=attrs.evolve(spec.cooling_plant, kind="chiller"))
    res = run_electrical(chill, rows("hall-1", [400.0] * 4), src, strict=False)
    assert res.network.motors and not dry.network.motors

    def mech_lv(r):
        return max(b.ikss_max_ka for b in r.studies.buses if b.role == "lv-board" and b.area == "campus")

    # each mechanical board: 30 % of its 240 kW on motors, 67 kW shaft at 93 % / PF 0.85 = 84.7 kVA,
    # In = 129 A at 380 V; 1.1 x 5 x 129 A = 0.71 kA more
    m = res.network.motors[0]
    s_m = m.pn_mech_mw / (m.efficiency_percent / 100 * m.cos_phi)
    hand = 1.1 * m.lrc_pu * s_m / (math.sqrt(3) * m.vn_kv)
    assert mech_lv(res) - mech_lv(dry) == pytest.approx(hand, rel=0.05)
    assert all(b.ikss_max_ka for b in res.studies.buses if b.role in ("mv-section", "lv-board"))
    assert {r.kind for r in res.ratings.buses} >= {"mv-switchgear", "lv-board"}
