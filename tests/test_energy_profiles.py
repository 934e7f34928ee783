"""Hourly profile CSVs: good files load, bad ones give HUB410 at file:line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hubc.diagnostics import HubcError
from hubc.energy import profiles, run_energy
from tests.test_energy_stage import BASE, PLANTS, spec_of


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", "utf-8")
    return p


def test_good_csv_with_header_and_comments(tmp_path):
    rows = ["# utilisation, per unit", "hour,pu"] + [f"{h},{0.5 + 0.4 * (h % 24 >= 8)}" for h in range(8760)]
    v = profiles.read_profile_csv(write(tmp_path, "u.csv", rows), "u.csv")
    assert v.shape == (8760,)
    assert v[0] == 0.5 and v[8] == pytest.approx(0.9)


def test_bad_cells_are_reported_at_their_line(tmp_path):
    rows = ["hour,pu"] + [f"{h},0.8" for h in range(8760)]
    rows[1 + 10] = "10,abc"
    rows[1 + 5000] = "5000,85"
    rows[1 + 7000] = "7000,-0.2"
    with pytest.raises(HubcError) as err:
        profiles.read_profile_csv(write(tmp_path, "u.csv", rows), "u.csv")
    d = err.value.diagnostics
    assert [x.code for x in d] == ["HUB410"] * 3
    assert [x.location.line for x in d] == [12, 5002, 7002]
    assert all(x.location.file == "u.csv" for x in d)
    assert d[0].location.col == 4  # the cell, after "10,"
    assert "not a number" in d[0].message
    assert "0.85, not 85" in d[1].help
    assert "outside 0-1" in d[2].message


def test_wrong_row_count(tmp_path):
    with pytest.raises(HubcError) as err:
        profiles.read_profile_csv(write(tmp_path, "u.csv", ["0.5"] * 8784), "u.csv")
    d = err.value.diagnostics[0]
    assert d.code == "HUB410" and "8784" in d.message and "29 February" in d.help


def test_many_errors_are_capped_with_a_count(tmp_path):
    with pytest.raises(HubcError) as err:
        profiles.read_profile_csv(write(tmp_path, "u.csv", ["x", *(["bad"] * 8760)]), "u.csv")
    d = err.value.diagnostics
    assert len(d) == 20
    assert "8740 more" in d[-1].notes[0]


def test_not_utf8_is_a_diagnostic(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(HubcError) as err:
        profiles.read_profile_csv(p, "u.csv")
    assert err.value.diagnostics[0].code == "HUB410"


def test_spec_profiles_drive_the_year(tmp_path):
    # Utilisation: 1.0 in the day, 0.5 at night; PV from a CSV (square wave, 50% of hours at 0.3).
    h = np.arange(8760) % 24
    util = np.where((h >= 8) & (h < 20), 1.0, 0.5)
    pv = np.where((h >= 6) & (h < 18), 0.3, 0.0)
    write(tmp_path, "util.csv", [f"{x:.3f}" for x in util])
    write(tmp_path, "pv.csv", [f"{x:.3f}" for x in pv])
    text = (
        (BASE + PLANTS)
        .replace("utilisation = 0.85", 'utilisation = 0.85\nprofile_csv = "util.csv"')
        .replace("capacity_factor = 0.145", 'capacity_factor = 0.15\nprofile_csv = "pv.csv"')
    )
    spec, source = spec_of(text)
    res = run_energy(spec, tmp_path, source)
    it_mw = res.it_kw / 1000
    assert res.load_mw[12] == pytest.approx(it_mw * 1.0 * 1.18)
    assert res.load_mw[2] == pytest.approx(it_mw * 0.5 * 1.18)
    pv_plant = next(p for p in res.plants if p.id == "pv")
    assert pv_plant.output_mw[12] == pytest.approx(250 * 0.3)
    assert pv_plant.capacity_factor == pytest.approx(0.15)
    assert "csv pv.csv" in pv_plant.profile
    assert not any(d.code == "HUB421" for d in res.diagnostics)


def test_profile_disagreeing_with_capacity_factor_warns(tmp_path):
    write(tmp_path, "pv.csv", ["0.25"] * 8760)
    text = (BASE + PLANTS).replace("capacity_factor = 0.145", 'capacity_factor = 0.145\nprofile_csv = "pv.csv"')
    spec, source = spec_of(text)
    res = run_energy(spec, tmp_path, source)
    d = next(d for d in res.diagnostics if d.code == "HUB421")
    assert "capacity_factor = 0.145" in source.line_text(d.location.line)


def test_bad_spec_csv_raises_with_origin(tmp_path):
    write(tmp_path, "util.csv", ["0.5"] * 100)
    text = (BASE + PLANTS).replace("utilisation = 0.85", 'utilisation = 0.85\nprofile_csv = "util.csv"')
    spec, source = spec_of(text)
    with pytest.raises(HubcError) as err:
        run_energy(spec, tmp_path, source)
    d = err.value.diagnostics[0]
    assert d.code == "HUB410" and d.location.file == "util.csv"
    assert d.related and 'profile_csv = "util.csv"' in source.line_text(d.related[0][0].line)
