"""One catalog: every user catalog file is read and parsed once, and every cost design.json shows
is its BOM line (same catalog entry, same arithmetic) in every example."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SPECS

EXAMPLES = sorted(SPECS.glob("*.toml"))

EXTRA = """
[[equipment]]
id = "line-22.9kv-underground"
cost_krw = 2_000_000_000
cost_source = "quote Q-1 (illustrative)"
cost_date = "2026-10"
cost_tag = "V"

[[bess_container]]
id = "samsung-sdi-sbb-1.5"
cost_usd_per_kwh = 120.0
source = "quote Q-2 (illustrative)"
date = "2026-10"
tag = "V"
"""


def test_each_catalog_file_is_read_and_parsed_once(tmp_path, monkeypatch):
    from hubc.catalog import loader
    from hubc.pipeline import check_spec
    from hubc.spec import source

    text = (SPECS / "pilot-10mw.toml").read_text("utf-8") + '\n[catalog]\nfiles = ["extra.toml"]\n'
    (tmp_path / "campus.toml").write_text(text, "utf-8")
    (tmp_path / "extra.toml").write_text(textwrap.dedent(EXTRA), "utf-8")
    reads: list[str] = []
    parses: list[str] = []
    read, parse = loader.read_catalog_file, source.load_text
    monkeypatch.setattr(loader, "read_catalog_file", lambda base, rel, *a: reads.append(rel) or read(base, rel, *a))
    monkeypatch.setattr(
        source, "load_text", lambda name, raw, **kw: parses.append(Path(name).name) or parse(name, raw, **kw)
    )
    checked = check_spec(tmp_path / "campus.toml")
    assert checked.ok, [d.message for d in checked.diagnostics]
    assert reads == ["extra.toml"]
    assert parses.count("extra.toml") == 1
    # Both tables of the file reach the one catalog, in the equipment entries that price them.
    entries = checked.catalog.equipment.entries
    assert entries["line-22.9kv-underground"].cost_krw == 2e9
    assert entries["samsung-sdi-sbb-1.5"].cost_usd == pytest.approx(120.0 * 5260)
    assert checked.catalog.energy.prices is checked.catalog.equipment


@pytest.fixture
def outputs(example_outputs) -> dict[str, dict[str, bytes]]:
    return example_outputs


def _capex_objects(node, path="energy"):
    """(path, object) for every design.json object that carries capex lines."""
    if isinstance(node, dict):
        if "capex_lines" in node:
            yield path, node
        for key, value in node.items():
            yield from _capex_objects(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _capex_objects(value, f"{path}[{i}]")


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_priced_design_item_equals_its_bom_line(outputs, name):
    design = json.loads(outputs[name]["design.json"])
    bom = {ln["line_id"]: ln for ln in design["procurement"]["lines"]}
    rows = list(csv.DictReader(io.StringIO(outputs[name]["bom.csv"].decode("utf-8-sig"))))
    csv_rows = {r["Line id"]: r for r in rows}
    priced = list(_capex_objects(design["energy"]))
    assert priced, "no priced item in design.json"
    for path, obj in priced:
        total = obj.get("cost_krw", obj.get("capex_krw"))
        assert total == sum(c["cost_krw"] for c in obj["capex_lines"]), path
        for c in obj["capex_lines"]:
            line = bom[c["line_id"]]
            assert (line["catalog_id"], line["unit_cost_krw"], line["extended_cost_krw"]) == (
                c["catalog_id"],
                c["unit_cost_krw"],
                c["cost_krw"],
            ), path
            row = csv_rows[c["line_id"]]
            assert (row["Catalog id"], int(row["Extended cost KRW"])) == (c["catalog_id"], c["cost_krw"]), path
    lines = design["energy"]["interconnect"]["lines"]
    assert design["energy"]["interconnect"]["total_cost_krw"] == sum(ln["cost_krw"] for ln in lines)


def test_pilot_underground_line_costs_the_same_everywhere(outputs):
    design = json.loads(outputs["pilot-10mw"]["design.json"])
    (line,) = design["energy"]["interconnect"]["lines"]
    assert line["construction"] == "underground" and line["catalog_id"] == "line-22.9kv-underground"
    bom = {ln["line_id"]: ln for ln in design["procurement"]["lines"]}["feeder-pangyo/line"]
    # 3.2 km, one route of two circuits, at the 22.9 kV duct-bank entry's 1.5 bn KRW per route-km.
    assert line["cost_krw"] == bom["extended_cost_krw"] == 4_800_000_000
