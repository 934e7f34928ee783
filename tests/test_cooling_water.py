"""WUE: cooling-tower evaporation and blowdown over the climate year, hand-checked."""

from __future__ import annotations

import pytest

from hubc.cooling import annual


def _overheads(heat: float) -> annual.Overheads:
    return annual.Overheads(cdu_pump=0.01, crah_fan=0.005, losses=0.05, house=0.01, fws_pump=0.005, heat=heat)


def test_tower_plant_water_by_hand():
    p = annual.PlantPhysics(kind="cooling-tower", supply_c=27.0, return_c=37.0, economiser=False)
    evap, blow = annual.water_l_per_kwh_it(p, _overheads(1.1), [30.0, 10.0], [24.0, 5.0])
    # A tower rejects all the heat: 1.1 kW per kW IT x 3600 s = 3,960 kJ per kWh IT; 85 % of it
    # evaporates at 2,430 kJ/kg: 1.3852 kg = 1.3852 L; blowdown at 4 cycles: E / 3 = 0.4617 L.
    e = 1.1 * 3600 * 0.85 / 2430
    assert evap == pytest.approx([e, e]) and e == pytest.approx(1.38519, abs=1e-5)
    assert blow == pytest.approx([e / 3, e / 3])
    assert (evap + blow)[0] == pytest.approx(1.8469, abs=1e-4)  # WUE L/kWh


def test_water_cooled_chillers_reject_their_compressor_work_too():
    p = annual.PlantPhysics(kind="chiller", supply_c=27.0, return_c=37.0, economiser=True)
    db, wb = [35.0], [28.0]
    phi = float(annual.free_fraction(p, db, wb)[0])
    cop = float(annual.chiller_cop(p, db, wb)[0])
    # wet-bulb 28 + tower approach 3.9 + HX 1.5 = 33.4 C: the economiser carries (37 - 33.4) / 10 = 36 %.
    assert phi == pytest.approx(0.36)
    evap, _ = annual.water_l_per_kwh_it(p, _overheads(1.0), db, wb)
    assert evap[0] == pytest.approx((phi + (1 - phi) * (1 + 1 / cop)) * 3600 * 0.85 / 2430)


def test_dry_plants_use_no_water():
    for kind in ("dry-cooler", "hybrid"):
        p = annual.PlantPhysics(kind=kind, supply_c=27.0, return_c=37.0, economiser=False)
        evap, blow = annual.water_l_per_kwh_it(p, _overheads(1.1), [30.0], [24.0])
        assert evap[0] == 0 and blow[0] == 0


def test_campus_wue_is_the_it_weighted_year_of_its_plants():
    from hubc.cooling.sizing import size_cooling
    from hubc.pipeline import check_spec
    from tests.conftest import SPECS

    spec = check_spec(SPECS / "johor-iec-50mw.toml").spec
    result = size_cooling(spec)
    it = sum(p.it_kw * p.count for p in result.plants)
    water = sum((p.year.evaporation_l_per_kwh + p.year.blowdown_l_per_kwh) * p.it_kw * p.count for p in result.plants)
    assert result.wue_l_per_kwh == pytest.approx(water / it)
    for p in result.plants:
        assert p.year.blowdown_l_per_kwh == pytest.approx(p.year.evaporation_l_per_kwh / 3)
    # Water-cooled chillers in Johor's climate: towers reject heat + compressor work all year.
    assert 1.5 < result.wue_l_per_kwh < 2.5
    assert result.water_m3_per_year == pytest.approx(result.wue_l_per_kwh * it * 8760 / 1000)
    assert any("WUE" in d.item for d in result.decisions)
