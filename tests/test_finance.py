"""Opex and the cost of energy: a tariff month, the finance arithmetic and the economic dispatch,
each against figures computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hubc.energy import lp, simulate, tariff
from hubc.finance import OpexYear, crf, irr, npv, summarise
from hubc.spec.model import Finance

# A test tariff (not the catalog's figures), KRW/kWh [light, mid, peak] and KRW per kW-month.
TABLE = {
    "climate_krw_per_kwh": 9.0,
    "fuel_adjustment_krw_per_kwh": 5.0,
    "summer_months": [6, 7, 8],
    "spring_autumn_months": [3, 4, 5, 9, 10],
    "winter_months": [11, 12, 1, 2],
    "summer_mid_hours": [8, 9, 10, 12, 18, 19, 20, 21],
    "summer_peak_hours": [11, 13, 14, 15, 16, 17],
    "winter_mid_hours": [8, 12, 13, 14, 15, 19, 20, 21],
    "winter_peak_hours": [9, 10, 11, 16, 17, 18],
}
ROW = {"summer": [100.0, 150.0, 200.0], "spring_autumn": [100.0, 120.0, 140.0], "winter": [110.0, 160.0, 210.0]}


def test_tariff_month_energy_and_demand_charges_by_hand():
    prices = tariff.hourly_prices(TABLE, ROW, 8760)
    t = tariff.Tariff(
        name="test",
        voltage_class="B",
        effective="2024-10-24",
        publication="test",
        tag="U",
        price_krw_per_mwh=prices,
        demand_krw_per_mw_month=8_000_000.0,  # 8,000 KRW/kW-month
        demand_floor_mw=6.0,  # 30 % of a 20 MW contract
    )
    grid = np.full(8760, 10.0)
    grid[24 * 31 + 9] = 15.0  # 1 February, 09:00-10:00 (a winter peak hour): the year's peak
    bills = t.bill(grid)
    jan, feb = bills[0], bills[1]
    # January: 31 days x 10 MW x (10 h x 110 + 8 h x 160 + 6 h x 210) KRW/kWh, plus 14 KRW/kWh on 7,440 MWh.
    assert jan.energy_mwh == pytest.approx(7440.0)
    assert jan.energy_krw == pytest.approx(31 * 10 * (1100 + 1280 + 1260) * 1000 + 14_000 * 7440)
    assert jan.energy_krw == pytest.approx(1_232_560_000.0)
    # February: 28 days at 10 MW plus 5 MW more in one peak hour, at 210 + 14 KRW/kWh.
    assert feb.energy_krw == pytest.approx(28 * 10 * 3640 * 1000 + 14_000 * 6720 + 5 * 224_000)
    # Demand: the 12-month peak (15 MW, above the 6 MW floor) x 8,000 KRW/kW in every month.
    assert jan.demand_krw == pytest.approx(15 * 8_000_000)
    assert sum(b.demand_krw for b in bills) == pytest.approx(12 * 120_000_000)
    # A summer day: 10 h light at 100, 8 h mid at 150, 6 h peak at 200 (+14 each), KRW/kWh.
    july = prices[24 * 181 : 24 * 182]
    assert july.sum() == pytest.approx((10 * 114 + 8 * 164 + 6 * 214) * 1000)
    # Below the floor the floor is billed.
    low = t.bill(np.full(8760, 2.0))
    assert low[0].billing_demand_mw == 6.0 and low[0].demand_krw == pytest.approx(48_000_000)


def test_catalog_tariff_picks_the_voltage_class():
    assert tariff.voltage_class(22.9) == "A"
    assert tariff.voltage_class(154) == "B"
    assert tariff.voltage_class(345) == "C"
    t = tariff.kepco_tariff(154, 100)
    assert t.demand_floor_mw == pytest.approx(30.0)
    assert len(t.price_krw_per_mwh) == 8760 and t.price_krw_per_mwh.min() > 0


def test_npv_irr_crf_by_hand():
    flows = [-1000.0, 600.0, 600.0]
    # -1000 + 600/1.1 + 600/1.21
    assert npv(0.10, flows) == pytest.approx(41.322314, rel=1e-7)
    # 600 x^2 + 600 x - 1000 = 0, x = 1/(1+r): x = (-600 + sqrt(600^2 + 4 x 600 x 1000)) / 1200
    x = (-600 + math.sqrt(600**2 + 2_400_000)) / 1200
    assert irr(flows) == pytest.approx(1 / x - 1, abs=1e-8)
    assert irr(flows) == pytest.approx(0.130662, abs=1e-6)
    assert crf(0.10, 2) == pytest.approx(0.1 * 1.21 / 0.21)
    assert crf(0.0, 4) == 0.25
    assert irr([-1000.0, 100.0, 100.0]) < 0  # never pays back: a negative rate
    assert irr([1000.0, 100.0]) is None  # no sign change: no rate zeroes it


def _year(t: int, revenue: float | None) -> OpexYear:
    # 100 of energy cost (grid energy 60, demand 20, O&M of the energy supply 20) and 50 of staff.
    return OpexYear(
        year=t,
        calendar_year=2030 + t,
        grid_energy_krw=60.0,
        grid_demand_krw=20.0,
        ppa_krw=0.0,
        bess_wear_krw=0.0,
        om_krw=20.0,
        energy_om_krw=20.0,
        staff_krw=50.0,
        replacement_krw=0.0,
        revenue_krw=revenue,
    )


def test_tco_lcoe_and_returns_by_hand():
    years = (_year(1, 750.0), _year(2, 750.0))
    fin = summarise(
        fin=Finance(horizon_years=2, discount_rate=0.10, rent_krw_per_kw_month=1.0),
        years=years,
        rate=0.10,
        it_mw=2.0,
        capex=1000,
        capex_energy=500,
        energy_mwh=10.0,
        om=(("energy", 20.0),),
        fte=12,
    )
    annuity = 1 / 1.1 + 1 / 1.21  # 1.7355372
    assert fin.tco_krw == pytest.approx(1000 + 150 * annuity)  # 1,260.33
    assert fin.tco_undiscounted_krw == pytest.approx(1300.0)
    # LCOE: (500 + 100 x annuity) / (10 x annuity) = 10 + 50 / annuity = 38.81 KRW/MWh
    assert fin.lcoe_krw_per_mwh == pytest.approx(10 + 50 / annuity)
    assert fin.lcoe_krw_per_mwh == pytest.approx(38.80952, rel=1e-6)
    # cost per MW-year: TCO x CRF(10 %, 2) / 2 MW = 1,260.33 x 0.5761905 / 2
    assert fin.cost_per_mw_it_year_krw == pytest.approx(363.0952, rel=1e-6)
    # NPV and IRR of -1000, 600, 600 (revenue 750 less opex 150 each year)
    assert fin.npv_krw == pytest.approx(41.322314, rel=1e-7)
    assert fin.irr == pytest.approx(0.130662, abs=1e-6)


def _summary(years, rate: float, **kw):
    args = {"it_mw": 1.0, "capex": 100, "capex_energy": 0, "energy_mwh": 1.0, "om": (), "fte": 12, **kw}
    return summarise(fin=Finance(horizon_years=len(years), discount_rate=rate), years=years, rate=rate, **args)


def test_no_revenue_no_npv():
    fin = _summary((_year(1, None),), 0.05)
    assert fin.npv_krw is None and fin.irr is None
    assert fin.tco_krw == pytest.approx(100 + 150 / 1.05)


# ---------------------------------------------------------------- economic dispatch

H = 48  # two days
LOAD = 10.0


def _battery(energy_mwh: float, wear: float) -> lp.BessParams:
    """A fixed battery of `energy_mwh` (all usable), 50 MW, RTE 0.81, sizes costing 1 each."""
    return lp.BessParams(
        eta_charge=0.9,
        eta_discharge=0.9,
        usable_fraction=1.0,
        energy_cost_per_mwh_year=1.0,
        power_cost_per_mw_year=1.0,
        energy_mwh=energy_mwh,
        power_mw=50.0,
        reserve_mwh=0.0,
        min_power_mw=0.0,
        grid_charging=False,
        wear_cost_per_mwh=wear,
    )


def _two_days(price: float, wear: float) -> tuple[lp.EnergyProblem, lp.LpSolution]:
    """10 MW load; 30 MW of output 06:00-18:00 (20 MW surplus), none at night; a fixed 100 MWh,
    50 MW battery (RTE 0.81) that no CFE target asks to use; a flat grid price."""
    hour = np.arange(H) % 24
    re = np.where((hour >= 6) & (hour < 18), 30.0, 0.0)
    b = _battery(100.0, wear)
    problem = lp.EnergyProblem(
        load_mw=np.full(H, LOAD),
        fixed_re_mw=re,
        auto_plants=(),
        bess=b,
        contract_mw=100.0,
        cfe_target=0.0,
        price_per_mwh=np.full(H, price),
        demand_cost_per_mw_year=0.0,
        demand_floor_mw=0.0,
    )
    sol = lp.solve(problem)
    assert sol.status == "optimal"
    return problem, sol


def _replay(problem: lp.EnergyProblem, sol: lp.LpSolution) -> simulate.Replay:
    b = problem.bess
    limits = simulate.Limits(
        energy_mwh=sol.energy_mwh,
        power_mw=sol.power_mw,
        usable_fraction=b.usable_fraction,
        reserve_mwh=0.0,
        eta_charge=b.eta_charge,
        eta_discharge=b.eta_discharge,
        contract_mw=problem.contract_mw,
        cfe_target=0.0,
    )
    rep = simulate.replay(
        problem.load_mw,
        problem.fixed_re_mw,
        limits,
        charge_re_mw=sol.charge_re_mw,
        charge_grid_mw=sol.charge_grid_mw,
        discharge_mw=sol.discharge_mw,
        soc_start_mwh=sol.soc_start_mwh,
    )
    assert rep.ok, rep.violations
    return rep


def test_battery_absorbs_would_be_curtailment_when_the_grid_has_a_price():
    problem, sol = _two_days(price=0.1, wear=0.01)
    rep = _replay(problem, sol)
    # Each night needs 120 MWh; the battery stores at most 100 MWh and returns 0.9 of it, so
    # it discharges 90 MWh a night (180 over the two) and the grid supplies 2 x 30 MWh.
    assert sol.discharge_mw.sum() == pytest.approx(180.0, abs=1e-4)
    assert rep.grid_mw.sum() == pytest.approx(60.0, abs=1e-4)
    # It stores 100 / 0.9 = 111.1 MWh of each day's 240 MWh surplus: 2 x 128.9 MWh curtailed.
    assert rep.curtail_mw.sum() == pytest.approx(2 * (240 - 100 / 0.9), abs=1e-4)
    # Never curtails while it could still charge: not at its power limit and not full.
    room = (sol.charge_re_mw < problem.bess.power_mw - 1e-6) & (rep.soc_mwh < 100.0 - 1e-6)
    assert not np.any((rep.curtail_mw > 1e-6) & room)


def test_battery_stays_idle_when_wear_costs_more_than_the_energy_it_saves():
    # A discharged MWh saves 0.1 of grid energy but wears 0.2 of cells: the numbers say idle.
    problem, sol = _two_days(price=0.1, wear=0.2)
    rep = _replay(problem, sol)
    assert sol.discharge_mw.sum() == pytest.approx(0.0, abs=1e-6)
    assert rep.grid_mw.sum() == pytest.approx(240.0, abs=1e-4)


def test_demand_charge_makes_the_battery_shave_the_peak():
    # One 30 MW hour a day above the 10 MW load; the demand charge pays for shaving it.
    hour = np.arange(H) % 24
    load = np.where(hour == 20, 30.0, 10.0)
    re = np.where((hour >= 6) & (hour < 18), 30.0, 0.0)
    b = _battery(30.0, 0.5)  # wear dearer than the energy saved: only the demand charge pays
    problem = lp.EnergyProblem(
        load_mw=load,
        fixed_re_mw=re,
        auto_plants=(),
        bess=b,
        contract_mw=100.0,
        cfe_target=0.0,
        price_per_mwh=np.full(H, 0.1),
        demand_cost_per_mw_year=100.0,
        demand_floor_mw=3.0,
    )
    sol = lp.solve(problem)
    rep = _replay(problem, sol)
    # Each night: 11 h at 10 MW and one at 30 MW (140 MWh); the battery delivers 0.9 x 30 =
    # 27 MWh. Shaving the peak to P takes (30 - P) + 11 (10 - P) MWh, so the best peak is
    # (140 - 27) / 12 = 9.4167 MW: each MW less saves 100 of demand charge for 24 MWh of
    # discharge at a net 0.5 - 0.1 (wear less energy saved), 9.6.
    peak = (140 - 27) / 12
    assert rep.grid_peak_mw == pytest.approx(peak, abs=1e-4)
    assert sol.discharge_mw.sum() == pytest.approx(54.0, abs=1e-4)
    assert rep.grid_mw.sum() == pytest.approx(280 - 54, abs=1e-4)
    # objective: demand 100 x P + energy 0.1 x 226 MWh + wear 0.5 x 54 + the fixed sizes 30 + 50
    assert sol.objective == pytest.approx(100 * peak + 0.1 * 226 + 0.5 * 54 + 30 + 50, abs=0.1)


def test_a_plant_delivered_over_the_grid_is_paid_per_mwh_and_buys_nothing():
    """Offshore wind delivered over the grid (a PPA) pays its kind's price on its energy and has
    no capex or O&M; the same plant behind the meter has capex and O&M and no PPA payment."""
    from types import SimpleNamespace

    from hubc.catalog import shipped_catalog
    from hubc.energy.cost import energy_cost

    ecat = shipped_catalog().energy
    price = ecat.renewable_cost("offshore-wind").price_krw_per_mwh
    assert price > 0
    t = tariff.kepco_tariff(154, 100)
    grid = np.zeros(8760)
    ppa = SimpleNamespace(id="w", kind="offshore-wind", annual_mwh=1000.0, catalog_id="", capex_krw=0.0)
    own = SimpleNamespace(id="w", kind="offshore-wind", annual_mwh=1000.0, catalog_id="wind-offshore", capex_krw=1e9)
    cost = energy_cost(t, grid, np.zeros(8760), [ppa], ecat, 0.0, 0.0)
    assert cost.ppa_krw == pytest.approx(1000.0 * price) and cost.plants[0].om_krw == 0.0
    cost = energy_cost(t, grid, np.zeros(8760), [own], ecat, 0.0, 0.0)
    om = ecat.renewable_cost("offshore-wind").om_share_per_year
    assert cost.ppa_krw == 0.0 and cost.plants[0].om_krw == pytest.approx(om * 1e9)


def test_an_auto_sized_grid_plant_is_priced_per_mwh_not_as_plant():
    from types import SimpleNamespace

    from hubc.catalog import shipped_catalog
    from hubc.energy import _plants_for_lp

    ecat = shipped_catalog().energy
    pu = np.full(8760, 0.4)
    rates = {"discount_rate": 0.07}
    grid_pl = SimpleNamespace(id="w", kind="offshore-wind", capacity_mw="auto", delivery="grid")
    own_pl = SimpleNamespace(id="w", kind="offshore-wind", capacity_mw="auto", delivery="behind-the-meter")
    _, (a,) = _plants_for_lp([(grid_pl, pu, "x")], ecat, rates, 1380.0)
    # 0.4 x 8,760 h = 3,504 MWh per MW a year at the PPA price, in M KRW per MW-year
    assert a.cost_per_mw_year == pytest.approx(3504.0 * ecat.renewable_cost("offshore-wind").price_krw_per_mwh / 1e6)
    _, (b,) = _plants_for_lp([(own_pl, pu, "x")], ecat, rates, 1380.0)
    assert b.cost_per_mw_year != pytest.approx(a.cost_per_mw_year)


def test_a_campus_on_another_grid_code_is_told_its_tariff_is_kepcos():
    from pathlib import Path

    from hubc.diagnostics import Location
    from hubc.energy import _tariff_proxy
    from hubc.pipeline import check_spec

    specs = Path(__file__).resolve().parents[1] / "specs"
    at = lambda *path: Location(file="x")
    (note,) = _tariff_proxy(check_spec(specs / "johor-iec-50mw.toml").spec, at)
    assert note.code == "HUB426" and note.severity.value == "note" and "'iec-50hz'" in note.message
    assert _tariff_proxy(check_spec(specs / "gb200-100mw.toml").spec, at) == []


def test_opex_ramps_with_the_phases_in_service_by_hand():
    # Two phases: p1 (30 MW IT) energises 1 July 2028, p2 (10 MW IT) 1 January 2029; the first
    # year of operation is 2028. One transformer line of 1,000 KRW bought 600 in p1, 400 in p2.
    import datetime
    from types import SimpleNamespace

    from hubc.finance import ServiceRamp, _years

    ramp = ServiceRamp(
        energize={"p1": datetime.date(2028, 7, 1), "p2": datetime.date(2029, 1, 1)},
        it_kw={"p1": 30_000.0, "p2": 10_000.0},
    )
    # 2028 is a leap year: p1 serves 184 of its 366 days, p2 none
    half = 184 / 366
    assert ramp.share("p1", 2028) == pytest.approx(half)
    assert ramp.share("p2", 2028) == 0.0 and ramp.share("p2", 2029) == 1.0
    it_2028 = 0.75 * half  # 30 of 40 MW for 184 days: 0.37705
    assert ramp.it_share(2028) == pytest.approx(0.377049, abs=1e-6)
    assert ramp.it_share(2029) == 1.0
    spec = SimpleNamespace(
        campus=SimpleNamespace(start_year=2028),
        finance=SimpleNamespace(horizon_years=2, escalation=0.10, rent_krw_per_kw_month=1.0),
    )
    cost = SimpleNamespace(grid_energy_krw=1000.0, grid_demand_krw=200.0, ppa_krw=300.0, bess_wear_krw=0.0, renewable_om_krw=0.0)
    energy = SimpleNamespace(cost=cost, it_kw=40_000.0, bess=None)
    line = SimpleNamespace(system="electrical", family="transformer", extended_cost_krw=1000, phases=(("p1", 1, 600), ("p2", 1, 400)))
    cat = {
        "om": {"default_share": 0.02, "share_by_system": {}},
        "staffing": {"min_fte": 2, "fte_per_10mw_it": 1.0, "krw_per_fte_year": 100.0},
    }
    y1, y2 = _years(spec, energy, SimpleNamespace(lines=(line,)), ramp, cat)
    assert y1.calendar_year == 2028 and y1.it_in_service == pytest.approx(it_2028)
    # energy costs prorated by the IT in service
    assert (y1.grid_energy_krw, y1.grid_demand_krw, y1.ppa_krw) == pytest.approx((1000 * it_2028, 200 * it_2028, 300 * it_2028))
    # O&M: 2 % of the 600 KRW in service for 184 / 366 of the year
    assert y1.om_krw == pytest.approx(0.02 * 600 * half)
    # staff: 40 MW x 0.377 = 15.1 MW -> ceil(1.51) = 2 FTE (the minimum), 100 KRW each
    assert y1.staff_krw == pytest.approx(200.0)
    assert y1.revenue_krw == pytest.approx(1.0 * 40_000 * it_2028 * 12)
    # 2029: everything in service, escalated once by 10 %
    assert y2.it_in_service == 1.0
    assert (y2.grid_energy_krw, y2.om_krw, y2.staff_krw) == pytest.approx((1100.0, 22.0, 440.0))
    assert y2.revenue_krw == pytest.approx(480_000.0)
    # the first year with every phase in service all year is year 2
    fin = _summary((y1, y2), 0.0)
    assert fin.full_service_year == 2 and fin.opex_full_service_krw == pytest.approx(y2.opex_krw)
    assert fin.opex_first_year_krw == pytest.approx(y1.opex_krw)


def test_lcoe_counts_the_energy_used_as_the_phases_ramp():
    # Year 1 at 40 % of the IT load, year 2 at full load, 10 MWh a year at full build-out, r = 0:
    # LCOE = (500 + 100 + 100) / (4 + 10) = 50 KRW/MWh.
    import attrs

    years = (attrs.evolve(_year(1, None), it_in_service=0.4), _year(2, None))
    fin = _summary(years, 0.0, capex=1000, capex_energy=500, energy_mwh=10.0)
    assert fin.lcoe_krw_per_mwh == pytest.approx(700 / 14)
