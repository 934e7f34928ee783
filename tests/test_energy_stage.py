"""The energy stage end to end on small specs: results, determinism, diagnostics."""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import numpy as np
import pytest

from hubc.design_json import unstructure
from hubc.diagnostics import HubcError
from hubc.emit.energy import emit_energy
from hubc.energy import profiles, run_energy
from hubc.spec.convert import structure
from hubc.spec.source import load_text

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "specs" / "gb200-100mw.toml").read_text("utf-8")

PLANTS = """
[energy]
utilisation = 0.85
cfe_target = 0.6
seed = 2027

[[renewable]]
id = "pv"
kind = "solar"
capacity_mw = 250
capacity_factor = 0.145

[[renewable]]
id = "wind"
kind = "offshore-wind"
capacity_mw = 150
capacity_factor = 0.28

[bess]
id = "bess-main"
roles = ["firming"]
"""


def spec_of(text: str, name: str = "campus.toml"):
    doc, diags = load_text(name, text.encode())
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, [d.message for d in diags]
    return spec, doc.source


@pytest.fixture(scope="module")
def campus():
    spec, source = spec_of(BASE + PLANTS)
    return spec, source, run_energy(spec, ROOT / "specs", source)


def test_energy_year_figures(campus):
    spec, _, res = campus
    j = unstructure(res)
    it_mw = res.it_kw / 1000
    # Flat utilisation: load = IT x utilisation x annual PUE in every hour.
    assert j["load_annual_mwh"] == pytest.approx(it_mw * 0.85 * 1.18 * 8760, rel=1e-6)
    assert j["hours"] == 8760
    # Each synthetic plant delivers its capacity factor.
    for p in j["plants"]:
        cf = {"pv": 0.145, "wind": 0.28}[p["id"]]
        assert p["annual_mwh"] == pytest.approx(p["capacity_mw"] * cf * 8760, rel=1e-3)
    assert j["cfe_score"] >= 0.6 - 1e-4
    # The load is served exactly by renewables, BESS and grid (no grid charging here).
    assert j["renewable_direct_mwh"] + j["bess_discharge_mwh"] + j["grid_import_mwh"] == pytest.approx(
        j["load_annual_mwh"], rel=1e-6
    )
    assert j["scope2_location_tco2"] == pytest.approx(j["grid_import_mwh"] * 0.4173, rel=1e-6)
    assert j["grid_import_peak_mw"] <= spec.grid.contract_mw
    b = j["bess"]
    # Container count is the larger of the energy and power limits (SBB 1.5: 5.26 MWh, 0.5C).
    assert b["containers"] == max(
        math.ceil(b["lp_energy_mwh"] / 5.26 - 1e-6), math.ceil(b["lp_power_mw"] / 2.63 - 1e-6)
    )
    assert b["installed_energy_mwh"] == pytest.approx(b["containers"] * 5.26)
    assert j["replay_agrees_with_lp"] is True
    assert j["interconnect"]["lines"][0]["cost_label"] == "estimate"
    # the hourly series go to energy.csv, not design.json
    assert not {"load_mw", "grid_mw", "soc_mwh", "pue_hourly"} & set(j)
    assert "output_mw" not in j["plants"][0]


def test_equipment_families_and_areas(campus):
    _, _, res = campus
    eq = {e.family: e for e in res.equipment()}
    assert eq["bess-container"].area == "bess-main"
    assert eq["bess-container"].quantity == res.bess.containers
    # PCS skids of 2.5 MW for the LP's power.
    assert eq["bess-pcs"].quantity == math.ceil(res.bess.lp_power_mw / 2.5 - 1e-6)
    assert eq["bess-pcs"].rating == 2.5
    assert eq["solar-pv"].area == "pv" and eq["solar-pv"].quantity == pytest.approx(250)
    assert eq["wind-turbine"].area == "wind"
    # 150 MW offshore in 8 MW turbines (Doosan class): 19 turbines.
    assert (eq["wind-turbine"].rating, eq["wind-turbine"].quantity) == (8.0, 19)
    assert eq["transmission-line"].area == "tl-haenam-154"
    assert eq["transmission-line"].quantity == pytest.approx(8.5)


def test_outputs_are_deterministic(campus):
    spec, source, res = campus
    again = run_energy(spec, ROOT / "specs", source)
    a, b = emit_energy(res, spec), emit_energy(again, spec)
    assert a["energy.csv"] == b["energy.csv"]
    assert a["energy.svg"] == b["energy.svg"]
    assert unstructure(res) == unstructure(again)
    lines = a["energy.csv"].decode().splitlines()
    assert len(lines) == 8761
    assert lines[0].startswith("hour,month,day,hour_of_day,load_mw,pv_mw,wind_mw")
    assert lines[-1].startswith("8759,12,31,23,")
    assert a["energy.svg"].startswith(b"<svg") and b"Monthly balance" in a["energy.svg"]


def test_solar_is_zero_at_night_and_peaks_at_noon():
    pu = profiles.solar_pu(34.57, 126.6, 0.14, np.random.default_rng(1))
    by_hour = pu.reshape(365, 24).mean(axis=0)
    assert by_hour[0] == 0 and by_hour[23] == 0
    assert int(np.argmax(by_hour)) in (11, 12)  # 126.6 E is ~34 min behind the 135 E meridian
    assert pu.mean() == pytest.approx(0.14, rel=1e-3)
    assert pu.max() <= 1.0
    # Summer days are longer than winter days.
    daylight = (pu.reshape(365, 24) > 0).sum(axis=1)
    assert daylight[172] > daylight[355]


def test_tilted_array_shifts_energy_to_winter():
    # Same weather, horizontal vs 30 degrees south: the tilt favours the low winter sun.
    months = profiles.month_of_hour()

    def winter_share(tilt):
        pu = profiles.solar_pu(34.57, 126.6, 0.14, np.random.default_rng(7), tilt_deg=tilt)
        return pu[np.isin(months, (11, 12, 1))].sum() / pu[np.isin(months, (5, 6, 7))].sum()

    assert winter_share(30.0) > 1.2 * winter_share(0.0)


def test_wind_profile_shape():
    pu = profiles.wind_pu("onshore-wind", 0.25, np.random.default_rng(3))
    assert pu.mean() == pytest.approx(0.25, rel=1e-3)
    assert 0.0 <= pu.min() and pu.max() <= 1.0
    months = profiles.month_of_hour()
    winter = pu[(months == 1) | (months == 12)].mean()
    summer = pu[(months == 7) | (months == 8)].mean()
    assert winter > summer  # the winter monsoon
    # Hour-to-hour persistence (synthetic weather is not white noise).
    assert np.corrcoef(pu[:-1], pu[1:])[0, 1] > 0.8


def test_same_seed_same_weather_other_seed_other_weather():
    a = profiles.wind_pu("offshore-wind", 0.3, np.random.default_rng([1, 2]))
    b = profiles.wind_pu("offshore-wind", 0.3, np.random.default_rng([1, 2]))
    c = profiles.wind_pu("offshore-wind", 0.3, np.random.default_rng([1, 3]))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_unreachable_cfe_target_is_a_diagnostic():
    text = (
        (BASE + PLANTS)
        .replace("cfe_target = 0.6", "cfe_target = 0.95")
        .replace("capacity_mw = 250", "capacity_mw = 50")
    )
    spec, source = spec_of(text)
    with pytest.raises(HubcError) as err:
        run_energy(spec, ROOT / "specs", source)
    assert err.value.exit_code == 3
    d = err.value.diagnostics[0]
    assert d.code == "HUB411"
    assert source.line_text(d.location.line).strip().startswith("cfe_target = 0.95")


def test_contract_too_small_is_a_diagnostic():
    # No BESS, no renewables: the 99 MW load cannot fit a 60 MW contract.
    text = BASE.replace("contract_mw = 135", "contract_mw = 60")
    spec, source = spec_of(text)
    with pytest.raises(HubcError) as err:
        run_energy(spec, ROOT / "specs", source)
    assert err.value.exit_code == 3
    assert err.value.diagnostics[0].code == "HUB412"
    assert "contract_mw = 60" in source.line_text(err.value.diagnostics[0].location.line)


@pytest.mark.slow
def test_peak_shaving_bess_keeps_import_within_a_tight_contract():
    text = (
        (BASE + PLANTS)
        .replace("contract_mw = 135", "contract_mw = 90")
        .replace('roles = ["firming"]', 'roles = ["firming", "peak-shaving"]')
    )
    spec, source = spec_of(text)
    res = run_energy(spec, ROOT / "specs", source)
    assert res.grid_mw.max() <= 90 + 1e-3
    assert res.bess.lp_power_mw >= res.load_mw.max() - 90 - 1e-3


def test_ride_through_reserve_is_held_every_hour():
    text = (BASE + PLANTS).replace('roles = ["firming"]', 'roles = ["firming", "ride-through"]\nride_through_min = 10')
    spec, source = spec_of(text)
    res = run_energy(spec, ROOT / "specs", source)
    crit = res.it_kw / 1000
    assert res.bess.reserve_mwh == pytest.approx(crit * 10 / 60 / math.sqrt(0.88))
    assert res.soc_mwh.min() >= res.bess.reserve_mwh - 1e-3
    assert res.bess.lp_power_mw >= crit - 1e-6


def test_unknown_container_is_a_diagnostic():
    spec, source = spec_of((BASE + PLANTS).replace('id = "bess-main"', 'id = "bess-main"\ncontainer = "samsung-sbb"'))
    with pytest.raises(HubcError) as err:
        run_energy(spec, ROOT / "specs", source)
    d = err.value.diagnostics[0]
    assert d.code == "HUB414" and "samsung-sdi-sbb-1.5" in d.help


def test_fixed_bess_too_small_for_target():
    text = (
        (BASE + PLANTS)
        .replace('id = "bess-main"', 'id = "bess-main"\nenergy_mwh = 10.0\npower_mw = 5.0')
        .replace("cfe_target = 0.6", "cfe_target = 0.75")
    )
    spec, source = spec_of(text)
    with pytest.raises(HubcError) as err:
        run_energy(spec, ROOT / "specs", source)
    assert err.value.diagnostics[0].code == "HUB411"
    assert "BESS size given" in err.value.diagnostics[0].message


def test_csv_rows_balance_and_sum_to_the_reported_figures(campus):
    spec, _, res = campus
    text = emit_energy(res, spec)["energy.csv"].decode()
    head, *rows = text.splitlines()
    cols = head.split(",")
    data = np.array([[float(x) for x in row.split(",")] for row in rows])
    c = {name: data[:, i] for i, name in enumerate(cols)}
    # Every hour: the load is served by renewables, BESS and grid; renewables go to the load,
    # the battery or curtailment (3-decimal rounding of four columns: 2 kW slack).
    served = c["direct_mw"] + c["bess_discharge_mw"] + c["grid_mw"] - c["bess_grid_charge_mw"]
    assert np.abs(served - c["load_mw"]).max() <= 0.002
    used = c["direct_mw"] + c["bess_charge_mw"] + c["curtail_mw"]
    assert np.abs(used - c["renewable_mw"]).max() <= 0.002
    assert np.abs(c["pv_mw"] + c["wind_mw"] - c["renewable_mw"]).max() <= 0.002
    j = unstructure(res)
    assert c["cfe_mw"].sum() / c["load_mw"].sum() == pytest.approx(j["cfe_score"], abs=1e-4)
    assert c["grid_mw"].max() == pytest.approx(j["grid_import_peak_mw"], abs=1e-3)
    assert c["soc_mwh"].max() <= j["bess"]["usable_mwh_end_of_life"] + 1e-3


@pytest.mark.slow
def test_square_wave_year_snapshot(tmp_path, snapshot):
    # No synthetic weather: flat load and a square-wave PV CSV, so the whole chain (LP, replay,
    # CSV, SVG) is reviewable in one snapshot.
    h = np.arange(8760) % 24
    (tmp_path / "pv.csv").write_text("".join(f"{0.4 if 6 <= x < 18 else 0.0}\n" for x in h), "utf-8")
    text = (BASE + PLANTS).replace("capacity_factor = 0.145", 'capacity_factor = 0.2\nprofile_csv = "pv.csv"')
    text = (
        text.replace("capacity_mw = 250", "capacity_mw = 400")
        .replace("capacity_mw = 150", "capacity_mw = 1")
        .replace("capacity_factor = 0.28", "capacity_factor = 0.3")
    )
    spec, source = spec_of(text.replace('kind = "offshore-wind"', 'kind = "ppa"'))
    res = run_energy(spec, tmp_path, source)
    # By hand: direct use covers the 12 sunny hours plus the 0.3 MW PPA at night. The 60 % CFE
    # target alone needs the BESS to supply the rest of the 60 % every night (the smallest
    # battery); with the tariff in the objective a stored MWh saves a night-time grid MWh worth
    # more than its share of the battery's cost, so the battery grows until it takes the whole
    # daytime surplus (160 + 0.3 - load MW for 12 h) and nothing is curtailed.
    load = res.load_mw[0]
    eta = math.sqrt(0.88)
    from_bess_for_cfe = (0.6 - (12 * load + 12 * 0.3) / (24 * load)) * 24 * load  # MWh a day
    surplus = 12 * (160 + 0.3 - load)  # MWh a day into the battery
    assert res.bess.lp_energy_mwh > from_bess_for_cfe / eta / (0.95 * 0.70)
    assert res.bess.lp_energy_mwh == pytest.approx(surplus * eta / (0.95 * 0.70), rel=1e-5)
    assert res.bess.lp_power_mw == pytest.approx(160 + 0.3 - load, rel=1e-5)
    assert res.curtailment_mwh == pytest.approx(0.0, abs=1e-3)
    files = emit_energy(res, spec)
    assert unstructure(res) == snapshot(name="design-json")
    assert files["energy.svg"].decode() == snapshot(name="energy-svg")
    assert "\n".join(files["energy.csv"].decode().splitlines()[:30]) == snapshot(name="energy-csv-head")


def test_build_fails_when_the_replay_disagrees_with_the_lp(monkeypatch):
    # A solver answer whose schedule breaks the physics (one extra discharge hour) must stop
    # the build with HUB413, whatever the LP claimed.
    from hubc.energy import lp

    real = lp.solve

    def tampered(problem, **kw):
        sol = real(problem, **kw)
        dis = sol.discharge_mw.copy()
        dis[int(np.argmax(problem.load_mw - problem.fixed_re_mw))] += 5.0
        return attrs.evolve(sol, discharge_mw=dis)

    monkeypatch.setattr(lp, "solve", tampered)
    spec, source = spec_of(BASE + PLANTS)
    with pytest.raises(HubcError) as err:
        run_energy(spec, ROOT / "specs", source)
    d = err.value.diagnostics[0]
    assert err.value.exit_code == 1
    assert d.code == "HUB413"
    assert "replay disagrees" in d.message


def test_without_bess_renewables_serve_the_load_directly():
    text = (BASE + PLANTS).split("[bess]")[0].replace("cfe_target = 0.6", "cfe_target = 0.3")
    spec, source = spec_of(text)
    res = run_energy(spec, ROOT / "specs", source)
    j = unstructure(res)
    direct = np.minimum(res.load_mw, res.renewable_mw)
    assert j["bess"] is None and j["bess_equivalent_full_cycles"] is None
    assert j["cfe_score"] == pytest.approx(direct.sum() / res.load_mw.sum(), abs=1e-4)
    assert j["curtailment_mwh"] == pytest.approx((res.renewable_mw - direct).sum(), rel=1e-6)
    assert not any(e.family.startswith("bess") for e in res.equipment())
    # Above what direct use reaches, and with nothing to store surplus in: HUB411.
    spec, source = spec_of(text.replace("cfe_target = 0.3", "cfe_target = 0.7"))
    with pytest.raises(HubcError) as err:
        run_energy(spec, ROOT / "specs", source)
    assert err.value.diagnostics[0].code == "HUB411"
    assert "without a BESS" in err.value.diagnostics[0].notes[0]


# ----------------------------------------------------------------------- weather-dependent PUE


def test_dry_bulb_pue_keeps_the_annual_mean_and_follows_temperature(tmp_path):
    from hubc.energy import profiles

    rng = np.random.default_rng(1)
    temp = profiles.dry_bulb_c(rng)
    assert temp.mean() == pytest.approx(12.5, abs=1.0)
    summer = profiles.month_of_hour() == 8
    winter = profiles.month_of_hour() == 1
    assert temp[summer].mean() > temp[winter].mean() + 20
    pue, capped = profiles.pue_from_dry_bulb(temp, 1.25, 1.40)
    assert capped == 0
    assert pue.mean() == pytest.approx(1.25, abs=1e-9)
    assert pue[summer].mean() > pue[winter].mean()
    assert pue.min() >= 1.0 and pue.max() <= 1.40
    # Below the knee the PUE is flat (fans only): every cold hour has the same PUE.
    cold = temp < 10
    assert np.ptp(pue[cold]) == pytest.approx(0.0, abs=1e-12)


def test_dry_bulb_pue_capped_at_design_pue_keeps_the_mean():
    from hubc.energy import profiles

    temp = profiles.dry_bulb_c(np.random.default_rng(2))
    pue, capped = profiles.pue_from_dry_bulb(temp, 1.18, 1.20)
    assert capped > 0
    assert pue.max() == pytest.approx(1.20)
    assert pue.mean() == pytest.approx(1.18, abs=1e-9)


@pytest.mark.slow
def test_dry_bulb_model_in_the_stage(campus):
    import attrs

    spec, source, base = campus
    dry = run_energy(attrs.evolve(spec, energy=attrs.evolve(spec.energy, pue_model="dry-bulb")), ROOT / "specs", source)
    # Same annual energy (the mean PUE is kept), but a summer-heavy load shape.
    assert dry.load_mw.sum() == pytest.approx(base.load_mw.sum(), rel=1e-9)
    assert dry.load_mw.max() > base.load_mw.max()
    j = unstructure(dry)
    assert j["pue_model"] == "dry-bulb" and unstructure(base)["pue_model"] == "constant"
    assert j["pue_hourly_range"]["mean"] == pytest.approx(base.pue, abs=1e-4)
    assert unstructure(base)["pue_hourly_range"] is None
    assert "by dry-bulb" in next(d.message for d in dry.diagnostics if d.code == "HUB418")
    # The replay still proves the design against the new load.
    assert dry.cfe_score >= spec.energy.cfe_target - 1e-6
    # Deterministic: same spec, same year.
    again = run_energy(
        attrs.evolve(spec, energy=attrs.evolve(spec.energy, pue_model="dry-bulb")), ROOT / "specs", source
    )
    assert np.array_equal(again.load_mw, dry.load_mw)


@pytest.mark.slow
def test_dry_bulb_pue_above_design_is_a_located_warning(campus):
    spec, source, _ = campus
    tight = attrs.evolve(
        spec,
        policy=attrs.evolve(spec.policy, annual_pue=1.18, design_pue=1.19),
        energy=attrs.evolve(spec.energy, pue_model="dry-bulb"),
    )
    res = run_energy(tight, ROOT / "specs", source)
    warn = [d for d in res.diagnostics if d.code == "HUB424"]
    assert len(warn) == 1 and warn[0].severity.name == "WARNING"
    assert warn[0].location == source.at_value(("energy", "pue_model"))
    assert res.pue_hourly.max() == pytest.approx(1.19)
    assert res.pue_hourly.mean() == pytest.approx(1.18, abs=1e-9)
