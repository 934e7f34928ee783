"""Site climate: stations and design conditions, the hourly year, pvlib solar, windpowerlib wind,
and the plant's economiser hours and PUE following the climate."""

import attrs
import numpy as np
import pandas as pd
import pytest

from hubc import climate
from hubc.cooling import size_cooling
from hubc.energy import profiles
from hubc.pipeline import check_spec
from tests.conftest import CASES

BASE = CASES / "plan" / "base.toml"


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("climate") / "c.toml"
    text = BASE.read_text().replace('kind = "dry-cooler"', 'kind = "hybrid"')
    path.write_text(text.replace('cdu_scope = "row"', 'cdu_scope = "row"\nsupply_temp_c = 30\nreturn_temp_c = 40'))
    checked = check_spec(path)
    assert checked.ok, checked.diagnostics
    return checked.spec


def at(spec, *, region=None, station=None, lat=None, lon=None):
    campus = spec.campus
    return attrs.evolve(spec, campus=attrs.evolve(
        campus,
        region=campus.region if region is None else region,
        climate_station=station,
        latitude_deg=campus.latitude_deg if lat is None else lat,
        longitude_deg=campus.longitude_deg if lon is None else lon,
    ))


# --------------------------------------------------------------------------- design conditions


def test_region_key_picks_the_station_and_its_design_condition(spec):
    site = climate.site_climate(at(spec, region="Haenam-gun, Jeollanam-do", lat=34.57, lon=126.60))
    assert site.station.id == "mokpo" and site.chosen_by == "region"
    assert (site.design_dry_bulb_c, site.design_wet_bulb_c) == (31.8, 26.5)  # ASHRAE 0.4 % values, WMO 471650
    assert site.distance_km == pytest.approx(34, abs=2)
    assert climate.site_climate(at(spec, region="Seongnam-si, Gyeonggi-do")).station.wmo == "471080"
    sg = climate.site_climate(at(spec, region="Singapore", lat=1.35, lon=103.82))
    assert (sg.station.id, sg.station.utc_offset_h, sg.design_dry_bulb_c) == ("singapore", 8, 33.5)


def test_overseas_site_by_coordinates_and_overrides(spec):
    # No region match: the nearest station, e.g. a site near Frankfurt am Main.
    site = climate.site_climate(at(spec, region="Raunheim", lat=50.01, lon=8.45))
    assert (site.station.id, site.chosen_by) == ("frankfurt", "nearest") and not site.far
    far = climate.site_climate(at(spec, region="", lat=-33.9, lon=18.4))  # Cape Town: no station near
    assert far.far
    named = climate.site_climate(at(spec, station="riyadh"))
    assert (named.station.id, named.chosen_by) == ("riyadh", "climate_station")
    over = attrs.evolve(spec, cooling_plant=attrs.evolve(spec.cooling_plant, design_dry_bulb_c=35.0))
    assert climate.site_climate(over).design_dry_bulb_c == 35.0


def test_hourly_year_meets_the_design_percentiles(spec):
    for station in ("seoul", "riyadh", "singapore"):
        site = climate.site_climate(at(spec, station=station))
        year = climate.hourly_year(site, np.random.default_rng(5))
        assert len(year.dry_bulb_c) == 8760
        assert np.quantile(year.dry_bulb_c, 0.996) == pytest.approx(site.design_dry_bulb_c, abs=0.05)
        assert np.quantile(year.wet_bulb_c, 0.996) == pytest.approx(site.design_wet_bulb_c, abs=0.05)
        assert (year.wet_bulb_c <= year.dry_bulb_c + 1e-9).all()
        assert year.dry_bulb_c.mean() == pytest.approx(site.station.annual_mean_c, abs=0.5)


def test_wet_bulb_psychrometrics():
    # Saturated air: wet-bulb = dry-bulb. ASHRAE Handbook—Fundamentals (2017) ch. 1, Example 3:
    # 40 C dry-bulb, 20 C thermodynamic wet-bulb, 101.325 kPa -> W = 0.006485; that W's dew point
    # (pw = W p / (0.621945 + W), Magnus inverse) must give back the 20 C wet-bulb.
    w = 0.006485
    pw = w * 101.325 / (0.621945 + w)
    x = np.log(pw / 0.61094)
    dew = 243.04 * x / (17.625 - x)
    wb = climate.wet_bulb_c(np.array([20.0, 40.0]), np.array([20.0, dew]), 101.325)
    assert wb[0] == pytest.approx(20.0, abs=1e-6)
    assert wb[1] == pytest.approx(20.0, abs=0.1)
    assert climate.pressure_kpa(1500.0) == pytest.approx(84.556, abs=0.01)  # ch. 1, Table 1 at 1,500 m


# --------------------------------------------------------------------------- solar (pvlib)


def test_pvlib_clear_sky_against_the_published_value():
    """Ineichen-Perez clear sky: 1044.12 W/m2 GHI at 10.564 deg apparent zenith, absolute air mass
    0.9353 and Linke turbidity 3 — Tucson/Phoenix, 24 June 2014 at noon (pvlib-python's reference
    values, tests/test_clearsky.py::test_ineichen_series, after Ineichen & Perez, Solar Energy 73(3),
    2002); the Linke turbidity climatology gives 3.118 there that day (test_lookup_linke_turbidity)."""
    from pvlib import clearsky

    out = clearsky.ineichen(np.array([10.56413562]), np.array([0.93527685]), 3.0)
    assert out["ghi"][0] == pytest.approx(1044.1230677, rel=1e-9)
    times = pd.DatetimeIndex(["2014-06-24 12:00"]).tz_localize("America/Phoenix")
    assert clearsky.lookup_linke_turbidity(times, 32.125, -110.875).iloc[0] == pytest.approx(3.11803278689)
    # hubc's year at Tucson (UTC-7): 24 June, 12:00-13:00 (mid-hour 12:30), clear sky.
    _sp, cs, _ = profiles.clear_sky(32.125, -110.875, utc_offset_h=-7)
    hour = (31 + 28 + 31 + 30 + 31 + 23) * 24 + 12
    assert cs["ghi"].iloc[hour] == pytest.approx(1044.1, rel=0.02)


def test_single_axis_trackers_spread_the_day():
    fixed = profiles.solar_pu(34.57, 126.6, 0.16, np.random.default_rng(4))
    tracked = profiles.solar_pu(34.57, 126.6, 0.16, np.random.default_rng(4), tracking="single-axis")
    hours = np.tile(np.arange(24), 365)

    def shoulder(pu):
        return pu[(hours <= 8) | (hours >= 16)].sum() / pu.sum()

    assert shoulder(tracked) > shoulder(fixed) * 1.2
    assert tracked.mean() == pytest.approx(0.16, rel=1e-3)


def test_southern_site_faces_north_by_default(spec):
    south = at(spec, region="", lat=-33.9, lon=151.2)
    plant = attrs.evolve(spec.renewable[0], kind="solar") if spec.renewable else None
    if plant is None:
        from hubc.spec.model import Renewable

        plant = Renewable(id="pv", kind="solar", capacity_mw=10.0, capacity_factor=0.17)
    _, label = profiles.synthetic_solar(south, plant, np.random.default_rng(1))
    assert "azimuth 0 deg" in label and "pvlib" in label


# --------------------------------------------------------------------------- wind (windpowerlib)


def test_turbine_curves_from_windpowerlib():
    off = profiles.turbine_curve("offshore-wind")  # MHI Vestas V164-8.0
    on = profiles.turbine_curve("onshore-wind")  # Enercon E-141 EP4 4.2 MW
    v = np.array([2.0, 8.0, 14.0, 25.0, 26.0])
    assert off(v)[0] == 0.0 and off(v)[2] == 1.0 and off(v)[4] == 0.0  # cut-in, rated (capped), cut-out
    assert 0.4 < off(v)[1] < 0.7 and 0.4 < on(v)[1] < 0.7
    pu = profiles.wind_pu("offshore-wind", 0.30, np.random.default_rng(3))
    assert pu.mean() == pytest.approx(0.30, rel=1e-3) and pu.max() <= 1.0


# --------------------------------------------------------------------------- plant in the climate


def test_economiser_hours_and_pue_follow_the_climate(spec):
    """The same hybrid plant (FWS 27/37 C): the warmer the station, the fewer economiser hours and
    the higher the annual PUE."""
    figures = []
    for station in ("frankfurt", "seoul", "dallas", "singapore"):
        r = size_cooling(at(spec, station=station))
        figures.append((station, r.economiser_hours, r.pue_annual, r.pue_design))
    hours = [f[1] for f in figures]
    pue = [f[2] for f in figures]
    assert hours == sorted(hours, reverse=True), figures
    assert pue == sorted(pue), figures
    assert all(f[2] <= f[3] + 1e-12 for f in figures)  # the design condition is the worst hour's PUE, near enough


def test_warmer_water_buys_economiser_hours(spec):
    warm = attrs.evolve(spec, hall=tuple(
        attrs.evolve(h, cooling=attrs.evolve(h.cooling, supply_temp_c=40.0, return_temp_c=50.0)) for h in spec.hall))
    assert size_cooling(warm).economiser_hours > size_cooling(spec).economiser_hours


def test_unknown_station_or_far_site_is_a_warning(spec):
    from hubc.diagnostics import Severity

    def note(s):
        (d,) = [d for d in size_cooling(s).diagnostics if d.code == "HUB761"]
        return d

    assert note(spec).severity is Severity.NOTE
    assert note(at(spec, station="atlantis")).severity is Severity.WARNING
    assert "seoul" in note(at(spec, station="atlantis")).help
    assert note(at(spec, region="", lat=-33.9, lon=18.4)).severity is Severity.WARNING
