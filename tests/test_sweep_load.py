"""Sweep files: schema and codes at line:col, key paths, variants as substituted base-spec text."""

import re
import tomllib

import pytest
from click.testing import CliRunner

from hubc.cli import main
from hubc.codes import registry
from hubc.spec.source import load_path
from hubc.sweep import keypath
from hubc.sweep.load import load_sweep
from tests.conftest import CASES, SPECS
from tests.test_bad_specs import _expectation  # the same `# expect:` / `# <- CODE` convention

BAD = sorted((CASES / "sweep_bad").glob("*.toml"))
PILOT = SPECS / "pilot-10mw.toml"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_sweep_raises_its_code_at_its_line(path):
    code, lines = _expectation(path)
    assert lines, f"{path.name} marks no line with '# <- {code}'"
    _, diags = load_sweep(path, path.name)
    assert sorted({d.code for d in diags}) == [code], "\n".join(f"{d.location} {d.code} {d.message}" for d in diags)
    for d in diags:
        assert d.location.file == path.name and d.location.line in lines and d.location.col >= 1


def test_every_sweep_file_code_has_a_fixture():
    covered = {_expectation(p)[0] for p in BAD}
    # HUB960-HUB962 are recorded per variant while the sweep runs (tests/test_sweep_task.py).
    file_codes = {c.code for c in registry().values() if c.domain == "sweep" and c.code < "HUB960"}
    assert file_codes and file_codes <= covered, sorted(file_codes - covered)


def _sweep(tmp_path, body, base=PILOT, name="s.toml"):
    path = tmp_path / name
    path.write_text(f'schema = "hubc-sweep/1"\nbase = "{base.as_posix()}"\n{body}', "utf-8")
    return load_sweep(path, name)


# ------------------------------------------------------------------------- key paths


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("bess.energy_mwh", ("bess", "energy_mwh")),
        ("renewable[id=seonam-offshore].capacity_mw", ("renewable", 0, "capacity_mw")),
        ('renewable[id="yeonggwang-solar"].capacity_factor', ("renewable", 1, "capacity_factor")),
        ("hall[id=hall-gb300].cooling.supply_temp_c", ("hall", 1, "cooling", "supply_temp_c")),
        ("hall[0].keepout[2].row", ("hall", 0, "keepout", 2, "row")),
        ("hall[0].keepout", ("hall", 0, "keepout")),
        ("rack_type[id=gb300-nvl72].power_kw", ("rack_type", 1, "power_kw")),
        ("campus.latitude_deg", ("campus", "latitude_deg")),
    ],
)
def test_key_paths_resolve_in_the_1gw_campus(text, path):
    doc, _ = load_path(SPECS / "campus-1gw.toml")
    assert keypath.resolve(keypath.parse(text), doc.data, doc.source) == path


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("bess.energy_mwhh", "no `bess.energy_mwhh`", "did you mean `bess.energy_mwh`?"),
        ("renewable[id=seonam].capacity_mw", 'no `renewable` with id = "seonam"', "seonam-offshore"),
        ("renewable[id=seonam-ofshore].capacity_mw", "with id", "did you mean `renewable[id=seonam-offshore]`?"),
        ("renewable.capacity_mw", "`renewable` is a value, not a table", None),
        ("renewable", "is a table in the base spec", "renewable[id=seonam-offshore]"),
        ("campus", "is a table in the base spec", "campus.id"),
        ("hall[7].rows", "has 2 element(s)", "the last is `[1]`"),
        ("campus.id[0]", "is not a list", None),
    ],
)
def test_key_paths_that_are_not_in_the_base_spec(text, message, hint):
    doc, _ = load_path(SPECS / "campus-1gw.toml")
    with pytest.raises(keypath.KeyPathError) as exc:
        keypath.resolve(keypath.parse(text), doc.data, doc.source)
    assert message in exc.value.message
    if hint:
        assert hint in (exc.value.hint or "")


@pytest.mark.parametrize("text", ["", "a..b", "a[", "a[x]", "a[=y]", "a.b]", "a b", ".a"])
def test_key_path_syntax_errors(text):
    with pytest.raises(keypath.KeyPathError):
        keypath.parse(text)


@pytest.mark.parametrize(
    "value",
    ['"a # ] b"', "'lit]eral'", '[1, [2, 3], "]"]', "[\n  1, # one ]\n  2,\n]", '{ a = 1, b = "}" }',
     '"""multi\nline"""', "1979-05-27 07:32:00", "-1.5e3", "true"],
)
def test_value_span_reads_exactly_the_value(value):
    text = f"x = {value}  # a comment\ny = 2\n"
    start = text.index("=") + 2
    assert text[start:keypath.value_span(text, start)] == value


# -------------------------------------------------------------------------- variants


def test_a_variant_is_the_base_text_with_values_replaced(tmp_path):
    sweep, diags = _sweep(tmp_path, """
[[axis]]
key = "hall[id=hall-gb200].keepout"
values = [[{ row = 1, slot = 1, reason = "stair # core" }]]

[[axis]]
key = "renewable[id=seonam-offshore].capacity_mw"
values = [3000.5]
""", base=SPECS / "campus-1gw.toml")
    assert not diags
    (v,) = sweep.variants
    base = (SPECS / "campus-1gw.toml").read_text("utf-8")
    data = tomllib.loads(v.text)
    assert data["hall"][0]["keepout"] == [{"row": 1, "slot": 1, "reason": "stair # core"}]
    assert data["renewable"][0]["capacity_mw"] == 3000.5
    # Everything else is the base text: comments, the other hall's keepout, line for line
    # before the changed array.
    changed = "keepout = [{ row = 1, slot = 1, reason = \"stair # core\" }]"
    assert v.text.count("building column") == base.count("building column") - 4
    assert v.text.splitlines()[: base.splitlines().index("keepout = [")] == base.splitlines()[: base.splitlines().index("keepout = [")]
    assert changed in v.text and v.text.startswith("# 1 GW renewable-powered AI campus")


def test_product_zip_and_sample(tmp_path):
    axes = """
[[axis]]
key = "rack_type[id=gb200-nvl72].power_kw"
values = [120, 126, 132]

[[axis]]
key = "electrical.topology"
values = ["2N", "N+1", "block-redundant"]
"""
    product, _ = _sweep(tmp_path, axes)
    assert [v.levels for v in product.variants][:4] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert len(product.variants) == 9 and [v.number for v in product.variants] == list(range(1, 10))
    zipped, _ = _sweep(tmp_path, 'combine = "zip"\n' + axes)
    assert [v.levels for v in zipped.variants] == [(0, 0), (1, 1), (2, 2)]
    five, _ = _sweep(tmp_path, 'combine = "sample"\nsamples = 5\nseed = 7\n' + axes)
    three, _ = _sweep(tmp_path, 'combine = "sample"\nsamples = 3\nseed = 7\n' + axes)
    other, _ = _sweep(tmp_path, 'combine = "sample"\nsamples = 5\nseed = 8\n' + axes)
    assert len({v.levels for v in five.variants}) == 5
    # A larger sample keeps the first draws (so its cache is reused); another seed draws others.
    assert [v.digest for v in three.variants] == [v.digest for v in five.variants[:3]]
    assert [v.levels for v in other.variants] != [v.levels for v in five.variants]
    everything, _ = _sweep(tmp_path, 'combine = "sample"\nsamples = 50\n' + axes)
    assert len(everything.variants) == 9


def test_ranges_and_multi_key_axes(tmp_path):
    sweep, diags = _sweep(tmp_path, """
[[axis]]
key = "policy.design_pue"
range = { start = 1.1, stop = 1.3, step = 0.1 }

[[axis]]
name = "site"
keys = ["campus.latitude_deg", "campus.longitude_deg", "campus.region"]
values = [[37.40, 127.11, "Seongnam"], [35.16, 126.85, "Gwangju"]]
labels = ["pangyo", "gwangju"]
""")
    assert not diags
    assert sweep.axes[0].levels == ((1.1,), (1.2,), (1.3,))  # not 1.2000000000000002
    assert sweep.input_columns() == ["policy.design_pue", "site", "campus.latitude_deg", "campus.longitude_deg",
                                     "campus.region"]
    assert sweep.inputs(sweep.variants[-1]) == [("policy.design_pue", 1.3), ("site", "gwangju"),
                                                ("campus.latitude_deg", 35.16), ("campus.longitude_deg", 126.85),
                                                ("campus.region", "Gwangju")]
    data = tomllib.loads(sweep.variants[-1].text)
    assert data["campus"]["region"] == "Gwangju" and data["policy"]["design_pue"] == 1.3


def test_files_the_spec_names_travel_with_the_variant(tmp_path):
    (tmp_path / "data").mkdir()
    profile = tmp_path / "data" / "util.csv"
    profile.write_text("utilisation\n" + "0.8\n" * 8760, "utf-8")
    base = tmp_path / "campus.toml"
    base.write_text(PILOT.read_text("utf-8") + '\n[energy]\nprofile_csv = "data/util.csv"\n', "utf-8")
    body = '[[axis]]\nkey = "electrical.topology"\nvalues = ["2N"]\n'
    sweep, diags = _sweep(tmp_path, body, base=base)
    assert not diags
    (v,) = sweep.variants
    assert [rel for rel, _ in v.files] == ["data/util.csv"]
    profile.write_text("utilisation\n" + "0.7\n" * 8760, "utf-8")
    again, _ = _sweep(tmp_path, body, base=base)
    assert again.variants[0].digest != v.digest  # the digest covers what the build reads


def test_dry_run_lists_the_variants(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(f'schema = "hubc-sweep/1"\nbase = "{PILOT.as_posix()}"\n'
                    '[[axis]]\nkey = "electrical.topology"\nvalues = ["2N", "N+1"]\n', "utf-8")
    result = CliRunner().invoke(main, ["sweep", str(path), "-o", str(tmp_path / "out"), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "s: 2 variants of pilot-10mw.toml (product)"
    assert re.fullmatch(r"#2 [0-9a-f]{16} to build  electrical.topology=N\+1", lines[2])
    assert not (tmp_path / "out").exists()


def test_cli_reports_sweep_file_errors_at_line_col(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(f'schema = "hubc-sweep/1"\nbase = "{PILOT.as_posix()}"\n'
                    '[[axis]]\nkey = "bess.energy_mwh"\nvalues = [1]\n', "utf-8")
    result = CliRunner().invoke(main, ["sweep", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{path}:4:7: HUB954 error: the base spec has no `bess`" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", sorted((SPECS / "sweeps").glob("*.toml")), ids=lambda p: p.stem)
def test_example_sweeps_load_cleanly(path):
    sweep, diags = load_sweep(path)
    assert not diags and sweep is not None
    assert 2 <= len(sweep.variants) <= 20  # each variant is a whole build: keep examples sensible
    assert len({v.digest for v in sweep.variants}) == len(sweep.variants)
