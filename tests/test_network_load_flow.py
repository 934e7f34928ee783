"""AC load flow on tiny networks, checked by hand: a radial feeder's losses and voltage drop, and
the main transformer's OLTC holding its MV section at the set point."""

import math

import pytest

from hubc.electrical.network import Bus, ExternalGrid, Line, Load, Network, Transformer
from hubc.electrical.studies import Grid


def _radial(length_km=2.0, p_mw=10.0, pf=0.95, r=0.0987, x=0.12):
    q = p_mw * math.tan(math.acos(pf))
    return Network(
        name="radial",
        f_hz=60,
        philosophy="main-tie-main",
        generator_transfer="open",
        buses=(Bus(id="src", vn_kv=22.9, role="mv-section", section="src", area="x"), Bus(id="end", vn_kv=22.9, role="feeder-end", section="src", area="x")),
        lines=(Line(id="f1", from_bus="src", to_bus="end", kind="cable", type_name="240 mm2", length_km=length_km, r_ohm_per_km=r, x_ohm_per_km=x, c_nf_per_km=0.0, max_i_ka=0.396, size_mm2=240),),
        transformers=(),
        switches=(),
        ext_grids=(ExternalGrid(id="s", bus="src", vm_pu=1.0, s_sc_max_mva=1e4, s_sc_min_mva=1e4, rx_max=0.1, rx_min=0.1, fault_level_max_ka=0, fault_level_min_ka=0, x_r=10, source="test"),),
        loads=(Load(id="l", bus="end", kind="ups", p_mw=p_mw, q_mvar=q),),
    ), q


def test_radial_feeder_losses_and_voltage_drop():
    # 10 MW at PF 0.95 (3.287 Mvar) over 2 km of 240 mm2 Cu (R 0.1974 ohm, X 0.24 ohm) at 22.9 kV.
    # The receiving voltage solves V1^2 V2^2 = (V2^2 + R P + X Q)^2 + (X P - R Q)^2 (kV, MW, ohm);
    # the losses are R (P^2 + Q^2) / V2^2 = 42 kW; the drop about (R P + X Q) / V^2 = 0.53 %.
    net, q = _radial()
    p, r, x, v1 = 10.0, 0.1974, 0.24, 22.9
    a = r * p + x * q
    b = x * p - r * q
    # V2^4 + (2a - V1^2) V2^2 + a^2 + b^2 = 0, the larger root
    s = (v1**2 - 2 * a) ** 2 - 4 * (a * a + b * b)
    v2 = math.sqrt(((v1**2 - 2 * a) + math.sqrt(s)) / 2)
    losses_kw = r * (p * p + q * q) / v2**2 * 1000
    g = Grid(net)
    assert g.solve(regulate=False)
    vm = float(g.net.res_bus.at[g.bus["end"], "vm_pu"])
    assert vm == pytest.approx(v2 / v1, abs=1e-6)
    assert 100 * (1 - vm) == pytest.approx(100 * a / v1**2, abs=0.01)  # the usual approximation
    assert float(g.net.res_line.at[g.line["f1"], "pl_mw"]) * 1000 == pytest.approx(losses_kw, rel=1e-4)
    assert losses_kw == pytest.approx(42.2, abs=0.3)
    # loading: I = S / (sqrt3 V2) against the installed 396 A
    i_a = math.hypot(p, q) / (math.sqrt(3) * v2) * 1000
    assert float(g.net.res_line.at[g.line["f1"], "loading_percent"]) / 100 == pytest.approx(i_a / 396, rel=1e-4)


def test_oltc_holds_the_mv_section():
    # a 60 MVA unit at 11 % carrying 45 MW + 14.8 Mvar drops the MV bus about 3.5 %; the OLTC
    # (HV side, 1.25 % steps) moves down until the bus is within half a step of 1.0 pu
    net = Network(
        name="oltc",
        f_hz=60,
        philosophy="main-tie-main",
        generator_transfer="open",
        buses=(Bus(id="hv", vn_kv=154, role="hv-section", section="hv", area="x"), Bus(id="mv", vn_kv=22.9, role="mv-section", section="mv", area="x")),
        lines=(),
        transformers=(Transformer(id="tx", unit="tx", hv_bus="hv", lv_bus="mv", role="main", sn_mva=60, vn_hv_kv=154, vn_lv_kv=22.9, vk_percent=11, vkr_percent=0.31, pfe_kw=30, i0_percent=0.1, vector_group="YNyn0", tap_side="hv", tap_min=-8, tap_max=8, tap_step_percent=1.25, on_load_tap_changer=True, vk_min_percent=11),),
        switches=(),
        ext_grids=(ExternalGrid(id="s", bus="hv", vm_pu=1.0, s_sc_max_mva=1e4, s_sc_min_mva=1e4, rx_max=0.1, rx_min=0.1, fault_level_max_ka=0, fault_level_min_ka=0, x_r=10, source="test"),),
        loads=(Load(id="l", bus="mv", kind="mechanical", p_mw=45, q_mvar=45 * math.tan(math.acos(0.95))),),
    )
    g = Grid(net)
    assert g.solve(regulate=False)
    unregulated = float(g.net.res_bus.at[g.bus["mv"], "vm_pu"])
    assert 0.95 < unregulated < 0.975
    assert g.solve(regulate=True)
    assert abs(float(g.net.res_bus.at[g.bus["mv"], "vm_pu"]) - 1.0) <= 0.0125 / 2 + 1e-3
    assert g.taps()["tx"] < 0  # fewer HV turns raise the MV voltage
