"""The shipped catalog, and user catalog files merged over it (errors at file:line:col)."""

from __future__ import annotations

import textwrap
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from bench.catalog_entries import QUOTED_SWITCHGEAR
from hubc.catalog.equipment import load_equipment_catalog as load_catalog
from hubc.catalog.families import FAMILIES
from hubc.diagnostics import Severity
from tests.proc_helpers import CAMPUS, load_spec


def shipped():
    catalog, diags = load_catalog(None)
    assert diags == []
    return catalog


def test_shipped_catalog_is_clean_and_versioned():
    catalog = shipped()
    assert catalog.version == "2026.11-2"
    assert len(catalog.entries) >= len(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_a_priced_entry_with_sources(family):
    catalog = shipped()
    entries = catalog.family_entries(family)
    assert entries, f"no catalog entry for {family}"
    assert catalog.family_name(family) != family  # a category name for the BOM
    for e in entries:
        assert (e.cost_krw is None) != (e.cost_usd is None)
        assert e.cost_source and e.cost_date and e.lead_source
        assert e.cost_tag in ("V", "S", "D", "U", "estimate")
        assert e.lead_weeks > 0
        assert e.domestic_vendors or e.import_fallback
        if e.origin == "domestic":
            assert e.domestic_vendors


def test_large_transformer_lead_time_follows_the_reference():
    # pv magazine USA (11 May 2026): large power transformers 128-144 weeks.
    e = shipped().entries["main-transformer-154kv"]
    assert 128 <= e.lead_weeks <= 144
    assert e.lead_tag == "S"


SHARED_VENDORS = Path(__file__).resolve().parents[2] / "shared" / "data" / "vendors-kr.toml"


@pytest.mark.skipif(not SHARED_VENDORS.exists(), reason="shared/ is not beside the repository")
def test_vendor_copy_keeps_every_vendor_and_source():
    shared = tomllib.loads(SHARED_VENDORS.read_text("utf-8"))
    catalog = shipped()
    assert {v["id"]: v["source"] for v in shared["vendor"]} == {v.id: v.source for v in catalog.vendors.values()}
    for v in shared["vendor"]:
        ours = catalog.vendors[v["id"]]
        assert [p["family"] for p in v["products"]] == [p.family for p in ours.products]
        assert all(p.categories for p in ours.products)


def test_vendor_copy_marks_foreign_subsidiaries():
    catalog = shipped()
    hynix = catalog.vendors["sk-hynix"]
    solidigm = [p for p in hynix.products if p.family.startswith("Solidigm")]
    assert solidigm and not solidigm[0].domestic
    flakt = [p for p in catalog.vendors["samsung-electronics"].products if "FlaktGroup" in p.family]
    assert flakt and not flakt[0].domestic
    # Samsung's air handling is foreign-made, so it offers nothing domestic for CRAHs.
    assert catalog.vendor_products("samsung-electronics", "crah") == []
    assert catalog.vendor_products("lg-electronics", "crah")


def test_vendor_data_file_is_package_data():
    text = (resources.files("hubc.catalog") / "data" / "vendors-kr.toml").read_text("utf-8")
    assert "domestic = false" in text


# ----------------------------------------------------------------------------- extensions


def _spec_with(tmp_path: Path, ext_text: str | None, files=("ext.toml",)):
    """The test campus with `[catalog] files`, and the extension written next to it."""
    spec_text = CAMPUS.read_text("utf-8") + "\n[catalog]\nfiles = [" + ", ".join(f'"{f}"' for f in files) + "]\n"
    (tmp_path / "campus.toml").write_text(spec_text, "utf-8")
    if ext_text is not None:
        (tmp_path / "ext.toml").write_text(textwrap.dedent(ext_text).lstrip("\n"), "utf-8")
    from hubc.spec.convert import structure
    from hubc.spec.source import load_path

    doc, diags = load_path(tmp_path / "campus.toml", display="campus.toml")
    spec, diags = structure(doc)
    assert spec is not None, diags
    return spec, doc.source


GOOD_ENTRY = QUOTED_SWITCHGEAR


def test_extension_adds_and_overrides_entries(tmp_path):
    ext = (
        GOOD_ENTRY
        + """
[[equipment]]
id = "main-transformer-154kv"
cost_krw = 5_000_000_000
cost_usd = 0
lead_weeks = 100
"""
    )
    spec, source = _spec_with(tmp_path, ext)
    catalog, diags = load_catalog(spec, tmp_path, source)
    # The override gives a USD price on top of the KRW one: one price per entry.
    assert [(d.code, d.location.line) for d in diags] == [("HUB605", 21)]
    assert diags[0].location.file == "ext.toml"  # labelled beside the spec's own label (hubc.labels)
    # The file is not merged while it has errors.
    assert "mv-switchgear-quote" not in catalog.entries


def test_good_extension_is_merged(tmp_path):
    spec, source = _spec_with(tmp_path, GOOD_ENTRY)
    catalog, diags = load_catalog(spec, tmp_path, source)
    assert diags == []
    e = catalog.entries["mv-switchgear-quote"]
    assert e.cost_krw == 110_000_000 and e.domestic_vendors == ("ls-electric",)
    assert catalog.where["mv-switchgear-quote"].file == "ext.toml"  # labelled beside the spec's own label (hubc.labels)


def test_partial_override_keeps_the_shipped_keys(tmp_path):
    ext = """
[[equipment]]
id = "main-transformer-154kv"
lead_weeks = 100
notes = "quoted by the utility"
"""
    spec, source = _spec_with(tmp_path, ext)
    catalog, diags = load_catalog(spec, tmp_path, source)
    assert diags == []
    e = catalog.entries["main-transformer-154kv"]
    assert e.lead_weeks == 100 and e.notes == "quoted by the utility"
    assert e.cost_usd == shipped().entries["main-transformer-154kv"].cost_usd
    assert catalog.version == "2026.11-2+ext.toml"


def test_added_entry_and_vendor(tmp_path):
    ext = (
        GOOD_ENTRY.replace('["ls-electric"]', '["kr-switchgear"]')
        + """
[[vendor]]
id = "kr-switchgear"
name = "Korea Switchgear Co."
categories = ["switchgear"]
products = [{ family = "KSG-24", categories = ["switchgear"], ratings = ["24 kV, 25 kA"] }]
source = "https://example.kr/ksg"
"""
    )
    spec, source = _spec_with(tmp_path, ext)
    catalog, diags = load_catalog(spec, tmp_path, source)
    assert diags == []
    assert catalog.entries["mv-switchgear-quote"].domestic_vendors == ("kr-switchgear",)
    assert [p.family for p in catalog.vendor_products("kr-switchgear", "mv-switchgear")] == ["KSG-24"]


def _good_with(old: str, new: str) -> str:
    """GOOD_ENTRY with one value changed (the change must happen)."""
    text = GOOD_ENTRY.replace(old, new)
    assert text != GOOD_ENTRY
    return text


# (extension text, expected code, line, col): each bad file names the code it must raise.
BAD = [
    ("[[equipment]\nid = 1\n", "HUB001", 1, 12),
    ('[[equipment]]\nid = "x"\nfamly = "ups-module"\n', "HUB003", 3, 1),
    (_good_with("rating = 24", 'rating = "24"'), "HUB005", 5, 10),
    (_good_with('"mv-switchgear"', '"mv-switchgaer"'), "HUB603", 3, 10),
    (_good_with('["ls-electric"]', '["ls-electrc"]'), "HUB604", 17, 21),
    (_good_with("110_000_000", "-110_000_000"), "HUB605", 9, 12),
    (_good_with("rating_max = 36", "rating_max = 20"), "HUB606", 8, 14),
    (_good_with('"kV"', '"KV"'), "HUB610", 6, 15),
    (_good_with('["ls-electric"]', "[]"), "HUB608", 19, 10),
    (_good_with('["ls-electric"]', '["samsung-sdi"]'), "HUB607", 17, 21),
    (GOOD_ENTRY + GOOD_ENTRY, "HUB609", 22, 6),
]


@pytest.mark.parametrize("ext,code,line,col", BAD, ids=[b[1] for b in BAD])
def test_bad_extension_is_a_diagnostic_in_that_file(tmp_path, ext, code, line, col):
    spec, source = _spec_with(tmp_path, ext)
    catalog, diags = load_catalog(spec, tmp_path, source)
    found = [d for d in diags if d.code == code]
    assert found, [(d.code, d.message) for d in diags]
    d = found[0]
    assert d.location.file == "ext.toml"  # labelled beside the spec's own label (hubc.labels)
    assert (d.location.line, d.location.col) == (line, col), d.message
    # A broken file never poisons the catalog: the shipped entries are all still there.
    assert "main-transformer-154kv" in catalog.entries


def test_foreign_vendor_listed_as_domestic(tmp_path):
    ext = (
        GOOD_ENTRY.replace('["ls-electric"]', '["acme-kr"]')
        + """
[[vendor]]
id = "acme-kr"
domestic = false
name = "Acme Korea (subsidiary of Acme Inc., US)"
categories = ["switchgear"]
source = "https://example.com"
"""
    )
    spec, source = _spec_with(tmp_path, ext)
    _, diags = load_catalog(spec, tmp_path, source)
    assert [(d.code, d.location.line) for d in diags] == [("HUB608", 17)]


def test_missing_extension_file_points_at_the_spec(tmp_path):
    spec, source = _spec_with(tmp_path, None, files=("nowhere.toml",))
    catalog, diags = load_catalog(spec, tmp_path, source)
    assert [d.code for d in diags] == ["HUB601"]
    d = diags[0]
    assert d.location.file == "campus.toml"
    assert source.line_text(d.location.line).startswith("files = ")
    assert d.severity is Severity.ERROR
    assert catalog.entries  # the shipped catalog is still usable


def test_spec_without_catalog_section_uses_shipped():
    spec, source = load_spec()
    catalog, diags = load_catalog(spec, CAMPUS.parent, source)
    assert diags == [] and catalog.user_files == ()


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    ext = """
[[equipment]]
id = "main-transformer-154kv"
lead_weeks = -3
domestic_vendors = ["hyosung-heavy", "ls-electrc"]

[[equipment]]
id = "my-ups"
family = "ups"
"""
    spec, source = _spec_with(tmp_path, ext)
    catalog, diags = load_catalog(spec, tmp_path, source)
    got = [(d.code, d.location.line, d.location.col) for d in diags]
    assert got == [("HUB006", 3, 14), ("HUB604", 4, 38), ("HUB004", 6, 3), ("HUB603", 8, 10)]
    assert 'did you mean "ls-electric"' in diags[1].help
    # Missing keys are one finding per table, naming each key.
    assert "`cost_source`" in diags[2].message and "`rating_unit`" in diags[2].message
    # Nothing of the broken file is merged.
    assert (
        catalog.entries["main-transformer-154kv"].lead_weeks == shipped().entries["main-transformer-154kv"].lead_weeks
    )


def test_hubc_check_reports_catalog_problems(tmp_path):
    from hubc.pipeline import check_spec

    _spec_with(tmp_path, '[[equipment]]\nid = "x"\nfamily = "ups"\n')
    checked = check_spec(tmp_path / "campus.toml")
    codes = {(d.code, d.location.file) for d in checked.diagnostics}
    assert ("HUB603", str(tmp_path / "ext.toml")) in codes
    assert not checked.ok


def test_readme_example_extension_is_valid(tmp_path):
    import re

    readme = (Path(__file__).resolve().parents[1] / "hubc" / "catalog" / "README.md").read_text("utf-8")
    spec_block, ext_block = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert 'files = ["quotes-2026.toml"]' in spec_block
    (tmp_path / "ext.toml").write_text(ext_block, "utf-8")
    spec, source = _spec_with(tmp_path, None)
    catalog, diags = load_catalog(spec, tmp_path, source)
    assert diags == []
    assert catalog.entries["ups-module-kr-1000"].domestic_vendors == ("kr-ups",)
    assert catalog.entries["main-transformer-154kv"].lead_weeks == 110
