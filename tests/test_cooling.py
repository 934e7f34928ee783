"""Cooling plant sizing, checked against hand arithmetic on the starter campus."""

import pytest

from hubc.cooling.sizing import size_cooling
from hubc.pipeline import check_spec
from tests.conftest import CASES

BASE = CASES / "plan" / "base.toml"  # the starter: 4 GB200 SUs + 2 spine racks, 4.524 MW IT


def _spec(tmp_path, edit=None):
    text = BASE.read_text()
    if edit:
        text = edit(text)
    path = tmp_path / "c.toml"
    path.write_text(text)
    checked = check_spec(path)
    assert checked.ok, checked.diagnostics
    return checked.spec


def test_dry_cooler_plant_by_hand(tmp_path):
    r = size_cooling(_spec(tmp_path))
    (h,) = r.halls
    it = 4 * (8 * 132 + 2 * 30) + 2 * 30
    q = it * 1.30 / 1.08  # design PUE 1.30, power_kw_per_kw default 0.08
    assert h.heat_reject_kw == pytest.approx(q)
    assert h.rejection_units == (("dry-cooler", 1500.0, 4 + 1),)  # ceil(q x 1.1 / 1500) = 4, N+1
    assert h.crah_units == 7 + 1  # ceil(4 rows x 400 kW / 250 kW) = 7, N+1
    flow = 60 * q / (1.0 * 4.18 * 10)  # supply 25 C, return 35 C
    assert h.fws_flow_l_per_min == pytest.approx(flow)
    assert h.pump_shaft_kw == pytest.approx(flow / 60 * 9.80665 * 35 / 0.75 / 1000)
    assert h.pumps == 1 + 1  # ~60 kW on 75 kW pumps, N+1
    families = {e.family: e.quantity for e in r.equipment()}
    assert families == {"crah": 8, "dry-cooler": 5, "pump": 2}


def test_chiller_plant_has_towers_and_copies_multiply(tmp_path):
    def edit(t):
        t = t.replace('kind = "dry-cooler"', 'kind = "chiller"').replace('id = "hall-a"', 'id = "hall-a"\ncopies = 3')
        return t.replace("contract_mw = 7", "contract_mw = 19")

    r = size_cooling(_spec(tmp_path, edit))
    (h,) = r.halls
    assert [f for f, _u, _n in h.rejection_units] == ["chiller", "cooling-tower"]
    eq = {e.family: e.quantity for e in r.equipment()}
    assert eq["chiller"] == eq["cooling-tower"] == 5 * 3
    assert all(d.rule and d.inputs and d.result for d in r.decisions)


def test_hybrid_plant_trims_with_chillers(tmp_path):
    r = size_cooling(_spec(tmp_path, lambda t: t.replace('kind = "dry-cooler"', 'kind = "hybrid"')))
    units = dict((f, n) for f, _u, n in r.halls[0].rejection_units)
    q = (4 * (8 * 132 + 2 * 30) + 2 * 30) * 1.30 / 1.08 * 1.1
    assert units == {"dry-cooler": 5, "chiller": -(-q * 0.30 // 1500) + 1}
