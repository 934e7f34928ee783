"""`hubc build` end to end: every example builds, every output reads back, and the same spec
gives byte-identical files in separate processes (different hash seeds)."""

import copy
import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from tests.conftest import ROOT, SPECS

EXAMPLES = sorted(SPECS.glob("*.toml"))
STAGES = ("summary", "racks", "cooling", "electrical", "energy", "procurement")


def _build(spec: Path, out: Path, seed: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-m", "hubc", "build", str(spec), "-o", str(out), "-q"],
                          cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    out = {}
    for spec in EXAMPLES:
        folder = tmp_path_factory.mktemp(spec.stem)
        proc = _build(spec, folder, "1")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out[spec.stem] = folder
    return out


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_example_builds_and_outputs_read_back(builds, name):
    out = builds[name]
    design = json.loads((out / "design.json").read_text("utf-8"))
    assert set(STAGES) <= set(design)
    assert design["racks"]["halls"] and all(h["gap"] <= 0.01 for h in design["racks"]["halls"])
    assert design["electrical"]["verification"]["worst"]["worst_loading"] <= 1.0
    assert design["energy"]["hours"] == 8760
    for svg in [out / "sld.svg", out / "energy.svg", *sorted((out / "floorplans").glob("*.svg"))]:
        ET.parse(svg)  # well-formed XML
    rows = list(csv.reader(io.StringIO((out / "energy.csv").read_text("utf-8-sig"))))
    assert len(rows) == 8760 + 1
    wb = openpyxl.load_workbook(out / "bom.xlsx")
    assert {"Summary", "BOM"} <= set(wb.sheetnames)
    bom_lines = list(csv.reader(io.StringIO((out / "bom.csv").read_text("utf-8-sig"))))
    total = sum(int(r[9]) for r in bom_lines[1:])
    assert total == design["procurement"]["total_krw"]
    html = (out / "report.html").read_text("utf-8")
    for heading in ("Headline figures", "Hall floor plans", "Single-line diagram", "Energy year", "Capex", "Domestic suppliers"):
        assert heading in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # self-contained: no external resources
    assert (out / "sld.dot").read_text("utf-8").lstrip().startswith(("digraph", "graph", "strict", "//"))


@pytest.fixture(scope="module")
def design_validator():
    from hubc.design_json import design_schema

    schema = design_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_design_json_matches_its_schema(builds, design_validator, name):
    design = json.loads((builds[name] / "design.json").read_text("utf-8"))
    design_validator.validate(design)


def test_design_schema_rejects_unknown_missing_and_mistyped_keys(builds, design_validator):
    design = json.loads((builds["pilot-10mw"] / "design.json").read_text("utf-8"))
    rack = ("racks", "halls", 0, "racks", 0)
    section = ("electrical", "bus_sections", 0)

    def at(doc, path):
        for part in path:
            doc = doc[part]
        return doc

    def error(edit) -> tuple[str, tuple] | None:
        """The most relevant error of the design after `edit`: (validator, where), or None."""
        bad = copy.deepcopy(design)
        edit(bad)
        e = jsonschema.exceptions.best_match(design_validator.iter_errors(bad))
        return None if e is None else (e.validator, tuple(e.absolute_path))

    assert error(lambda d: None) is None
    assert error(lambda d: at(d, rack).update(colour="red")) == ("additionalProperties", rack)
    assert error(lambda d: d.update(notes="x")) == ("additionalProperties", ())
    assert error(lambda d: at(d, rack).pop("power_kw")) == ("required", rack)
    assert error(lambda d: at(d, rack).update(power_kw="132")) == ("type", (*rack, "power_kw"))
    # nullable where the model says so (the pilot has no main transformer), and only there
    assert at(design, section)["normal_loading"] is None
    assert error(lambda d: at(d, section).update(normal_loading=0.57)) is None
    assert error(lambda d: at(d, section).update(normal_kva=None)) == ("type", (*section, "normal_kva"))


def test_same_spec_same_bytes(builds, tmp_path):
    spec = SPECS / "gb200-100mw.toml"
    again = tmp_path / "again"
    proc = _build(spec, again, "12345")
    assert proc.returncode == 0, proc.stderr
    first = builds["gb200-100mw"]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (again / rel).read_bytes(), rel


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_no_equipment_line_is_counted_twice(builds, name):
    """Each (family, area) comes from one stage: two stages pricing the same busways or CDUs
    would double the BOM."""
    rows = list(csv.DictReader(io.StringIO((builds[name] / "bom.csv").read_text("utf-8-sig"))))
    seen: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["Category"], r["Area"])
        assert key not in seen or not r["Line id"].endswith("#2"), f"{r['Line id']} duplicates {seen[key]}"
        seen.setdefault(key, r["Line id"])
