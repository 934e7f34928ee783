"""Interconnect and transmission sizing: hand-checked currents, losses, costs and findings."""

from __future__ import annotations

import math

import pytest

from hubc.energy.interconnect import size_interconnect
from tests.test_energy_stage import BASE, spec_of


def sized(text: str, hourly=None):
    spec, source = spec_of(text)
    ic, _diags = size_interconnect(spec, lambda *p: source.at_value(p), hourly)
    return ic, source


def test_gb200_line_by_hand():
    ic, _ = sized(BASE)
    (line,) = ic.lines
    # 135 MW / 0.95 = 142.1 MVA; at N-1 one 154 kV circuit carries it: 532.8 A.
    s = 135 / 0.95
    i_n1 = s * 1e6 / (math.sqrt(3) * 154e3)
    assert ic.contract_mva == pytest.approx(s)
    assert line.circuit_current_n1_a == pytest.approx(i_n1)
    assert line.conductor == "ACSR 410 mm2 x 2 bundle"  # the smallest 154 kV OH option >= 533 A
    assert line.n1_ok and line.circuits_needed_n1 == 2
    # Normal operation: two circuits share; 3 I^2 R per circuit, R = 0.036 ohm/km x 8.5 km.
    i_normal = i_n1 / 2
    loss = 2 * 3 * i_normal**2 * 0.036 * 8.5 / 1e6
    assert line.loss_at_contract_mw == pytest.approx(loss)
    # 2 circuits = 1 route x 8.5 km x 2.0 bn KRW/km (154 kV placeholder, tagged U).
    assert line.cost_krw == pytest.approx(8.5 * 2.0e9)
    assert line.cost_tag == "U"
    assert ic.band_voltage_kv == 154


def test_annual_losses_follow_the_hourly_import():
    ic, _ = sized(BASE, [135.0] * 4380 + [0.0] * 4380)
    (line,) = ic.lines
    assert line.annual_loss_mwh == pytest.approx(line.loss_at_contract_mw * 4380)


def test_345kv_underground_cost_and_parallel_cables():
    text = BASE.replace("contract_mw = 135", "contract_mw = 900").replace(
        "interconnect_voltage_kv = 154", "interconnect_voltage_kv = 345"
    )
    text = text.replace(
        'voltage_kv = 154\nlength_km = 8.5\ncircuits = 2\nconstruction = "overhead"',
        'voltage_kv = 345\nlength_km = 3\ncircuits = 2\nconstruction = "underground"',
    )
    ic, _source = sized(text)
    (line,) = ic.lines
    i_n1 = 900 / 0.95 * 1e6 / (math.sqrt(3) * 345e3)  # 1,585 A > 1,500 A -> XLPE 2500 (1,700 A)
    assert line.circuit_current_n1_a == pytest.approx(i_n1)
    assert line.conductor == "XLPE Cu 2500 mm2" and line.parallel_sets == 1
    assert line.cost_krw == pytest.approx(3 * 25.8e9)  # KEPCO 345 kV UG, Chosun Ilbo 2024
    assert line.cost_tag == "S"


def test_too_much_current_uses_parallel_sets_and_warns():
    text = BASE.replace("contract_mw = 135", "contract_mw = 390").replace(
        'construction = "overhead"', 'construction = "underground"'
    )
    ic, source = sized(text)
    (line,) = ic.lines
    # 390/0.95 MVA at 154 kV = 1,539 A > 1,400 A: two sets of the largest cable.
    assert line.parallel_sets == 2 and line.conductor == "XLPE Cu 2000 mm2"
    # Each parallel set is its own trench run: twice the route-km of the 154 kV cable entry.
    item = line.equipment()
    assert (item.catalog_id, item.quantity) == ("line-154kv-underground", 2 * 8.5)
    assert line.cost_krw == pytest.approx(2 * 8.5 * 20.0e9)
    # Three circuits would do it with single cables: 1,539 A over 2 circuits at N-1.
    assert line.circuits_needed_n1 == 3
    _, diags = size_interconnect(spec_of(text)[0], lambda *p: source.at_value(p))
    d = next(d for d in diags if d.code == "HUB417")
    assert "circuits = 2" in source.line_text(d.location.line)


def test_single_circuit_and_band_findings():
    text = BASE.replace("circuits = 2\nconstruction", "circuits = 1\nconstruction").replace(
        "interconnect_voltage_kv = 154", "interconnect_voltage_kv = 22.9"
    )
    spec, source = spec_of(text)
    ic, diags = size_interconnect(spec, lambda *p: source.at_value(p))
    codes = sorted(d.code for d in diags)
    assert codes == ["HUB415", "HUB416"]
    n1 = next(d for d in diags if d.code == "HUB416")
    assert source.line_text(n1.location.line).strip() == "circuits = 1"
    assert not ic.lines[0].n1_ok
    band = next(d for d in diags if d.code == "HUB415")
    assert "154 kV" in band.message


def test_a_voltage_beyond_every_class_uses_the_nearest():
    text = BASE.replace("voltage_kv = 154\nlength_km", "voltage_kv = 500\nlength_km")
    spec, source = spec_of(text)
    ic, diags = size_interconnect(spec, lambda *p: source.at_value(p))
    assert ic.lines[0].voltage_class_kv == 345
    assert any(d.code == "HUB420" for d in diags)


def test_a_69kv_line_uses_69kv_conductors():
    # 69 kV (ANSI C84.1) lies in the 72.5 kV insulation class: 69 kV conductor data, no HUB420.
    text = BASE.replace("voltage_kv = 154\nlength_km", "voltage_kv = 69\nlength_km").replace(
        "contract_mw = 135", "contract_mw = 60"
    ).replace("interconnect_voltage_kv = 154", "interconnect_voltage_kv = 69")
    spec, source = spec_of(text)
    ic, diags = size_interconnect(spec, lambda *p: source.at_value(p))
    (line,) = ic.lines
    assert line.voltage_class_kv == 69 and not any(d.code == "HUB420" for d in diags)
    # 60 MW / 0.95 = 63.2 MVA at 69 kV: 528.5 A on one circuit at N-1 -> ACSR 477 kcmil Hawk (659 A).
    i_n1 = 60 / 0.95 * 1e6 / (math.sqrt(3) * 69e3)
    assert line.circuit_current_n1_a == pytest.approx(i_n1) and 528 < i_n1 < 529
    assert line.conductor == "ACSR 477 kcmil Hawk" and line.r_ohm_per_km == pytest.approx(0.142)
    assert line.catalog_id == "line-69kv-overhead"
    # Under the KEPCO profile 69 kV is outside every band's voltages: HUB415 names the 154 kV band.
    assert any(d.code == "HUB415" and "154 kV" in d.message for d in diags)
    ansi = text.replace("[grid]\n", '[grid]\ncode = "ansi-60hz"\n')
    spec, source = spec_of(ansi)
    ic, diags = size_interconnect(spec, lambda *p: source.at_value(p))
    # ANSI: 60 MW is transmission service at 69-230 kV; 69 kV is inside it.
    assert ic.grid_code == "ansi-60hz" and ic.frequency_hz == 60
    assert not any(d.code == "HUB415" for d in diags)


def test_every_energy_catalog_entry_has_source_date_and_tag():
    from hubc.catalog import energy as cat

    d = cat.data()
    entries = [*d["bess_container"], *d["conductor"], d["line_cost_submarine"], d["line_route"]]
    entries += [d["annualisation"], *d["renewable_cost"].values(), *d["weather"].values()]
    for e in entries:
        assert e["source"] and e["date"], e
        assert e["tag"] in ("V", "S", "D", "U"), e
    # Lines are priced by their equipment entries: the KEPCO 345 kV figures the issue names.
    prices = cat.shipped().prices.entries
    assert (prices["line-345kv-overhead"].cost_krw, prices["line-345kv-underground"].cost_krw) == (3.22e9, 25.8e9)
    assert prices["line-154kv-overhead"].cost_tag == "U"


def test_every_voltage_class_and_construction_has_its_line_entry():
    from hubc.catalog import energy as cat

    prices = cat.shipped().prices.entries
    for kv in cat.voltage_classes():
        for construction in ("overhead", "underground", "submarine"):
            entry = prices[cat.line_entry_id(kv, construction)]
            assert entry.family == "transmission-line" and entry.covers(kv) and entry.unit == "km"
        under = prices[cat.line_entry_id(kv, "underground")]
        sub = prices[cat.line_entry_id(kv, "submarine")]
        assert sub.cost_krw == pytest.approx(under.cost_krw * cat.submarine_factor())
