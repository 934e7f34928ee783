"""User catalog files ([catalog] files) extending the energy catalog: new and overridden BESS
containers, renewable and line costs; bad entries are diagnostics at file:line:col."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bench.catalog_entries import ACME_CONTAINER
from hubc.catalog import energy as cat
from hubc.catalog import load_catalog as load_full
from hubc.catalog.equipment import load_equipment_catalog as load_catalog
from hubc.energy import run_energy
from hubc.pipeline import check_spec
from hubc.spec.convert import structure
from hubc.spec.source import load_path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "bench" / "specs" / "energy-100mw.toml"

NEW_CONTAINER = ACME_CONTAINER


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
    assert res.solver_settings()["energy_catalog"] == "2026.11-2+energy-extra.toml"


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
    catalog = load_full(_spec(tmp_path / "campus.toml"), tmp_path)[0]
    c = catalog.energy.containers["samsung-sdi-sbb-1.5"]
    assert c.energy_mwh == 5.26 and c.tag == "V"
    # The price lives in the container's equipment entry, cited by the override.
    entry = catalog.equipment.entries["samsung-sdi-sbb-1.5"]
    assert entry.cost_usd == pytest.approx(100.0 * 5260) and entry.cost_source == "vendor quote Q-456 (illustrative)"
    # Cheaper storage: the LP buys at least as much of it, each MWh at the new price.
    assert res.bess.lp_energy_mwh >= base.bess.lp_energy_mwh - 1e-6
    containers = next(c for c in res.bess.capex_lines if c.catalog_id == "samsung-sdi-sbb-1.5")
    assert containers.unit_cost_krw / 5.26 == pytest.approx(100.0 * 1000 * 1380.0, rel=1e-9)
    # And the BOM prices the containers exactly so.
    from hubc.procurement import run_procurement

    proc = run_procurement(_spec(tmp_path / "campus.toml"), res.equipment(), catalog.equipment)
    line = next(ln for ln in proc.lines if ln.line_id == containers.line_id)
    assert (line.catalog_id, line.extended_cost_krw) == (containers.catalog_id, containers.cost_krw)


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
    shipped = cat.shipped().prices.entries["line-154kv-overhead"].cost_krw
    assert line.cost_krw == pytest.approx(line0.cost_krw * 1.0e9 / shipped)
    assert line.capex_lines[0].catalog_id == "line-154kv-overhead"


def test_new_container_priced_by_its_own_equipment_entry(tmp_path):
    # No price shorthand: the [[equipment]] entry of the container's id prices it, with its vendors.
    container = NEW_CONTAINER.replace("cost_usd_per_kwh = 120.0\n", "").replace("pcs_cost_usd_per_kw = 60.0\n", "")
    entry = """
    [[equipment]]
    id = "acme-bess-4mwh"
    family = "bess-container"
    description = "ACME 4 MWh container (quoted)"
    rating = 4.0
    rating_unit = "MWh"
    unit = "ea"
    cost_krw = 500_000_000
    scale_exponent = 0.0
    cost_source = "quote Q-9 (illustrative)"
    cost_date = "2026-10"
    cost_tag = "V"
    lead_weeks = 30
    lead_source = "quote Q-9"
    lead_tag = "V"
    domestic_vendors = ["samsung-sdi"]
    origin = "domestic"
    """
    path = campus(tmp_path, container + textwrap.dedent(entry), container="acme-bess-4mwh")
    assert [d for d in check_spec(path).diagnostics if d.severity.name == "ERROR"] == []
    res = run(path)
    line = next(c for c in res.bess.capex_lines if c.line_id.endswith("/container"))
    assert (line.catalog_id, line.unit_cost_krw) == ("acme-bess-4mwh", 500_000_000)
    # The shipped PCS entry prices its power conversion.
    assert next(c for c in res.bess.capex_lines if c.line_id.endswith("/pcs")).catalog_id == "bess-pcs"


def test_price_shorthands_set_the_entries_the_bom_prices_by(tmp_path):
    extra = """
    [renewable_cost.solar]
    capex_krw_per_mw = 1.0e9
    source = "EPC quote (illustrative)"
    date = "2026"
    tag = "V"

    [[line_cost]]
    voltage_kv = 154
    underground_krw_per_km = 10.0e9
    source = "KEPCO 2026 unit cost (illustrative)"
    date = "2026"
    tag = "U"

    [[bess_container]]
    id = "samsung-sdi-sbb-1.5"
    pcs_cost_usd_per_kw = 50.0
    source = "PCS quote (illustrative)"
    date = "2026"
    tag = "V"
    """
    path = campus(tmp_path, extra)
    catalog, diags = load_full(_spec(path), tmp_path)
    assert diags == []
    entries = catalog.equipment.entries
    assert entries["solar-pv-mwp"].cost_krw == 1.0e9 and entries["solar-pv-mwp"].cost_tag == "V"
    assert entries["line-154kv-underground"].cost_krw == 10.0e9
    # The submarine entry follows its underground class.
    assert entries["line-154kv-submarine"].cost_krw == pytest.approx(10.0e9 * cat.submarine_factor())
    # The container gets a PCS entry of its own, the shared bess-pcs entry stays.
    assert catalog.energy.containers["samsung-sdi-sbb-1.5"].pcs == "samsung-sdi-sbb-1.5-pcs"
    assert entries["samsung-sdi-sbb-1.5-pcs"].cost_usd == pytest.approx(50.0 * 2500)
    assert entries["bess-pcs"].cost_usd == cat.shipped().prices.entries["bess-pcs"].cost_usd
    res = run(path)
    solar = next(p for p in res.plants if p.kind == "solar")
    assert solar.capex_lines[0].unit_cost_krw == 1_000_000_000
    assert next(c for c in res.bess.capex_lines if c.line_id.endswith("/pcs")).catalog_id == "samsung-sdi-sbb-1.5-pcs"


def test_integrated_inverter_has_no_pcs_line(tmp_path):
    res = run(campus(tmp_path, "", container="tesla-megapack-2xl"))
    assert [c.catalog_id for c in res.bess.capex_lines] == ["tesla-megapack-2xl"]
    assert res.bess.pcs_units == 0 and not any(e.family == "bess-pcs" for e in res.equipment())


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
        # A new container needs a price: its cost keys or an [[equipment]] entry of its id.
        (
            NEW_CONTAINER.replace("cost_usd_per_kwh = 120.0\n", "").replace("pcs_cost_usd_per_kw = 60.0\n", ""),
            "HUB422",
            "[[bess_container]]",
        ),
        # Its PCS must be a bess-pcs entry.
        (NEW_CONTAINER.replace("pcs_cost_usd_per_kw = 60.0\n", 'pcs = "mv-cable-mm2"\n'), "HUB422", "pcs ="),
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
