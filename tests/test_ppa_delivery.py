"""Renewables delivered over the grid (PPAs): not on-site supply at the campus's grid connection,
and, sized by the LP, paid per MWh rather than bought as equipment (hand-computed)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from hubc.energy import _plants_for_lp, connection_import_mw, grid_delivered


def _plant(kind, delivery, out):
    return SimpleNamespace(kind=kind, delivery=delivery, output_mw=np.array(out, dtype=float))


def test_connection_import_adds_back_the_grid_delivered_share():
    # hour 0: 30 MW on-site PV + 10 MW wind over the grid, 36 MW of it used directly, 2 MW to the
    # BESS: the grid-delivered share is 10/40, so 0.25 x 38 = 9.5 MW flows in over the connection
    # on top of a 20 MW grid import -> 29.5 MW. hour 1: no renewables: the grid import alone.
    plants = [_plant("solar", "behind-the-meter", [30, 0]), _plant("offshore-wind", "grid", [10, 0])]
    got = connection_import_mw(np.array([20.0, 50.0]), np.array([36.0, 0.0]), np.array([2.0, 0.0]), plants)
    assert got.tolist() == pytest.approx([29.5, 50.0])
    # behind the meter only: the connection carries the grid import
    got = connection_import_mw(np.array([20.0, 50.0]), np.array([36.0, 0.0]), np.array([2.0, 0.0]), plants[:1])
    assert got.tolist() == [20.0, 50.0]


def test_a_grid_delivered_plant_sized_auto_is_paid_per_mwh_not_bought():
    from hubc.catalog import energy as cat

    ecat = cat.shipped()
    rates = cat.annualisation()
    pu = np.full(8760, 0.4)
    wind = SimpleNamespace(id="wind", kind="offshore-wind", delivery="grid", capacity_mw="auto")
    assert grid_delivered(wind) and grid_delivered(SimpleNamespace(kind="ppa", delivery="behind-the-meter"))
    _fixed, (auto,) = _plants_for_lp([(wind, pu, "")], ecat, rates, 1400.0)
    # 0.4 x 8760 h = 3,504 MWh per MW a year at its kind's PPA price, no capex or O&M
    price = ecat.renewable_cost("offshore-wind").price_krw_per_mwh
    assert auto.cost_per_mw_year == pytest.approx(price * 3504 / 1e6)
    # the same plant behind the meter carries its capex (far more per MW-year than the energy alone)
    own = SimpleNamespace(id="wind", kind="offshore-wind", delivery="behind-the-meter", capacity_mw="auto")
    _fixed, (bought,) = _plants_for_lp([(own, pu, "")], ecat, rates, 1400.0)
    assert bought.cost_per_mw_year != pytest.approx(auto.cost_per_mw_year)
