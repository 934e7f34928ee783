"""User catalog files ([catalog] files) extending the energy catalog: new and overridden BESS
containers, renewable and line costs; bad entries are diagnostics at file:line:col."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hubc.catalog import energy as cat
from hubc.catalog.equipment import load_equipment_catalog as load_catalog
from hubc.energy import run_energy
from hubc.pipeline import check_spec
from hubc.spec.convert import structure
from hubc.spec.source import load_path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "bench" / "specs" / "energy-100mw.toml"

NEW_CONTAINER = """
[[bess_container]]
id = "acme-bess-4mwh"
name = "ACME 4 MWh (20-ft, LFP)"
vendor = "ACME"
domestic = true
energy_mwh = 4.0
c_rate = 0.5
round_trip_efficiency = 0.90
depth_of_discharge = 0.95
eol_state_of_health = 0.80
lifetime_years = 20
cost_usd_per_kwh = 120.0
pcs_cost_usd_per_kw = 60.0
source = "vendor quote Q-123 (illustrative)"
date = "2026-10"
tag = "V"
"""


def campus(tmp_path: Path, extra: str, *, container: str | None = None) -> Path:
    text = BASE.read_text("utf-8")
    if container is not None:
        text = text.replace('container = "samsung-sdi-sbb-1.5"', f'container = "{container}"')
    text += '\n[catalog]\nfiles = ["energy-extra.toml"]\n'
    (tmp_path / "energy-extra.toml").write_text(textwrap.dedent(extra), "utf-8")
    path = tmp_path / "campus.toml"
    path.write_text(text, "utf-8")
    return path


def run(path: Path):
    doc, _ = load_path(path)
    spec, diags = structure(doc)
    assert spec is not None, diags
    return run_energy(spec, path.parent, doc.source)


def line_of(path: Path, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(path.read_text().splitlines()) if needle in line)


@pytest.mark.slow
def test_user_container_is_used_for_sizing(tmp_path):
    path = campus(tmp_path, NEW_CONTAINER, container="acme-bess-4mwh")
    assert [d for d in check_spec(path).diagnostics if d.severity.name == "ERROR"] == []
    res = run(path)
    b = res.bess
    assert b.container == "acme-bess-4mwh" and b.container_mwh == 4.0
    # Whole 4 MWh containers, at the 0.90 RTE and 0.95 x 0.80 usable fraction of the new entry.
    assert b.installed_energy_mwh == pytest.approx(4.0 * b.containers)
    assert b.round_trip_efficiency == pytest.approx(0.90)
    assert b.usable_fraction == pytest.approx(0.95 * 0.80)
    assert res.solver_settings()["energy_catalog"] == "2026.11+energy-extra.toml"


@pytest.mark.slow
def test_override_changes_only_the_keys_it_gives(tmp_path):
    override = """
    [[bess_container]]
    id = "samsung-sdi-sbb-1.5"
    cost_usd_per_kwh = 100.0
    source = "vendor quote Q-456 (illustrative)"
    date = "2026-10"
    tag = "V"
    """
    base = run(campus(tmp_path, ""))
    res = run(campus(tmp_path, override))
    c = cat.load_energy_catalog(_spec(tmp_path / "campus.toml"), tmp_path)[0].containers["samsung-sdi-sbb-1.5"]
    assert c.cost_usd_per_kwh == 100.0 and c.energy_mwh == 5.26 and c.tag == "V"
    # Cheaper storage: the LP buys at least as much of it, each MWh at the new price.
    assert res.bess.lp_energy_mwh >= base.bess.lp_energy_mwh - 1e-6
    per_mwh = (res.bess.capex_krw - res.bess.installed_power_mw * 70.0 * 1000 * 1380.0) / res.bess.installed_energy_mwh
    assert per_mwh == pytest.approx(100.0 * 1000 * 1380.0, rel=1e-9)


def _spec(path: Path):
    doc, _ = load_path(path)
    return structure(doc)[0]


@pytest.mark.slow
def test_renewable_and_line_cost_overrides(tmp_path):
    extra = """
    [renewable_cost.offshore-wind]
    turbine_mw = 15.0
    source = "Doosan 15 MW class (illustrative)"
    date = "2026"
    tag = "U"

    [[line_cost]]
    voltage_kv = 154
    overhead_krw_per_km = 1.0e9
    source = "KEPCO 2026 unit cost (illustrative)"
    date = "2026"
    tag = "U"
    """
    base = run(campus(tmp_path, ""))
    res = run(campus(tmp_path, extra))
    turbines = {e.family: e for e in res.equipment()}["wind-turbine"]
    assert turbines.rating == 15.0
    line, line0 = res.interconnect.lines[0], base.interconnect.lines[0]
    assert line.cost_krw == pytest.approx(line0.cost_krw * 1.0e9 / cat.line_cost(154).overhead_krw_per_km)


@pytest.mark.parametrize(
    ("extra", "code", "needle"),
    [
        # An override must cite its new figures.
        ('[[bess_container]]\nid = "catl-tener"\ncost_usd_per_kwh = 90.0\n', "HUB422", "[[bess_container]]"),
        # A new container needs every key.
        ('[[bess_container]]\nid = "acme-x"\nenergy_mwh = 4.0\n', "HUB004", "[[bess_container]]"),
        (NEW_CONTAINER.replace("c_rate = 0.5", "c_rate = 9.0"), "HUB006", "c_rate"),
        (NEW_CONTAINER.replace('tag = "V"', 'tag = "verified"'), "HUB007", "tag ="),
        # The misspelt key, at the key (the missing `vendor` is reported too, at the entry).
        (NEW_CONTAINER.replace("vendor = ", "vendr = "), "HUB003", "vendr"),
        (NEW_CONTAINER.replace('id = "acme-bess-4mwh"', 'id = "ACME 4"'), "HUB422", "ACME 4"),
        (
            NEW_CONTAINER + NEW_CONTAINER.replace('id = "acme-bess-4mwh"', 'id = "acme-bess-4mwh"  # again'),
            "HUB423",
            "# again",
        ),
        ('[renewable_cost.tidal]\ncapex_krw_per_mw = 9e9\nsource = "x"\ndate = "2026"\ntag = "U"\n', "HUB422", "tidal"),
        (
            (
                "[[line_cost]]\nvoltage_kv = 100\noverhead_krw_per_km = 1e9\nunderground_krw_per_km = 2e9\n"
                'source = "x"\ndate = "2026"\ntag = "U"\n'
            ),
            "HUB422",
            "voltage_kv = 100",
        ),
    ],
)
def test_bad_energy_entries_are_located_in_their_file(tmp_path, extra, code, needle):
    path = campus(tmp_path, extra)
    found = [d for d in check_spec(path).diagnostics if d.severity.name == "ERROR"]
    assert found, "no error reported"
    if code == "HUB003":
        found = [d for d in found if d.code != "HUB004"]
    assert {d.code for d in found} == {code}, [(d.code, d.message) for d in found]
    user = tmp_path / "energy-extra.toml"
    for d in found:
        assert Path(d.location.file).name == "energy-extra.toml"
        assert d.location.line == line_of(user, needle), (d.location, d.message)
        assert d.location.col >= 1
    # The stage refuses the file too (a direct call, without `hubc check` first).
    from hubc.diagnostics import HubcError

    with pytest.raises(HubcError) as err:
        run(path)
    assert err.value.exit_code == 1


def test_procurement_reads_the_same_file_without_complaint(tmp_path):
    # Energy tables and equipment entries side by side: each loader takes its own tables.
    path = campus(tmp_path, NEW_CONTAINER)
    spec = _spec(path)
    catalog, diags = load_catalog(spec, tmp_path)
    assert [d for d in diags if d.severity.name == "ERROR"] == []
    assert catalog.user_files == ("energy-extra.toml",)
    # And a misspelt table name is still an unknown key there.
    (tmp_path / "energy-extra.toml").write_text("[[bess_containers]]\nid = 'x'\n")
    _, diags = load_catalog(spec, tmp_path)
    assert any(d.code == "HUB003" for d in diags)
