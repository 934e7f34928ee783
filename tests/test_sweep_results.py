"""Results without building: rows, Pareto front, CSV neutralisation, Parquet, the HTML page."""

import io
import json

import pyarrow.parquet as pq
import pytest

from hubc import __version__
from hubc.sweep import results
from hubc.sweep.load import load_sweep
from hubc.sweep.page import page
from tests.conftest import SPECS

PAYLOAD = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("\n=cmd", "'\n=cmd"), ("＝1+1", "'＝1+1"),
        ("2N", "2N"), ("a=b", "a=b"), (-1.5, -1.5), (-3, -3), (None, ""), (True, True),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell, written):
    """results.csv goes through hubc's one CSV writer (hubc/emit/safe.py)."""
    import csv
    import io

    row = next(csv.reader(io.StringIO(results.csv_bytes(["c"], [[cell]]).decode("utf-8-sig").split("\r\n", 1)[1], newline="")))
    assert row == [str(written) if written != "" else ""]


def test_csv_is_rfc4180_with_a_bom():
    data = results.csv_bytes(["a", "b"], [["x,y", 'say "hi"'], ["line\nbreak", -2.5]])
    assert data == '\ufeffa,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",-2.5\r\n'.encode()


def test_pareto_front():
    pts = [(10, 0.5), (12, 0.7), (11, 0.4), (10, 0.5), (None, 0.9), (15, 0.7), (9, 0.2)]
    assert results.pareto_front(pts) == [True, True, False, True, False, False, True]


@pytest.fixture
def hostile(tmp_path):
    """A sweep whose labels and values are markup and formulas, and fake results for it."""
    path = tmp_path / "s.toml"
    path.write_text(f"""schema = "hubc-sweep/1"
name = "{PAYLOAD}"
base = "{(SPECS / 'pilot-10mw.toml').as_posix()}"

[[axis]]
name = "site <b>"
keys = ["campus.name", "policy.design_pue"]
values = [["=HYPERLINK(\\"http://x\\")", 1.25], ["{PAYLOAD}", 1.3], ["plain", 1.35]]
labels = ["-cmd", "<i>", "ok"]
""", "utf-8")
    sweep, diags = load_sweep(path)
    assert sweep is not None, diags
    figures = {"it_mw": 9.0, "capex_krw": 270_000_000_000, "capex_krw_per_mw": 3.0e10, "cfe_hourly": 0.0,
               "domestic_share": 0.44, "racks": 82, "gpus": 4608}
    v1, v2, _ = sweep.variants
    records = {
        v1.digest: {"status": "ok", "exit_code": 0, "errors": 0, "warnings": 0, "figures": figures,
                    "diagnostics": [], "build_s": 1.0},
        v2.digest: {"status": "error", "exit_code": 1, "errors": 1, "warnings": 0, "figures": {}, "build_s": 0.2,
                    "diagnostics": [{"code": "HUB005", "severity": "error", "message": f"bad {PAYLOAD}"}]},
    }
    return sweep, records


def test_page_escapes_every_user_string(hostile):
    sweep, records = hostile
    html = page(sweep, results.results_table(sweep, records)).decode()
    assert PAYLOAD not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "site &lt;b&gt;" in html
    assert html.count("<script>") == 1  # the page's own sorting code
    assert "<svg" in html and "Pareto front" not in html.split("<svg")[0]


def test_rows_hold_inputs_status_and_figures(hostile):
    sweep, records = hostile
    table = results.results_table(sweep, records)
    assert table.columns[:6] == ["variant", "digest", "site <b>", "campus.name", "policy.design_pue", "status"]
    assert table.column("status") == ["ok", "error", "pending"]
    assert table.column("first_problem")[1] == f"HUB005 bad {PAYLOAD}"
    assert table.column("pareto") == [True, False, False]
    text = results.csv_bytes(table.columns, table.rows).decode("utf-8-sig").splitlines()
    assert text[1].startswith(f"1,{sweep.variants[0].short},'-cmd,\"'=HYPERLINK(\"\"http://x\"\")\",1.25,ok,0,0,0,,9.0,")


def test_parquet_is_deterministic_and_typed(hostile):
    sweep, records = hostile
    table = results.results_table(sweep, records)
    meta = {"hubc_version": __version__, "sweep": sweep.name}
    a, b = results.parquet_bytes(table, meta), results.parquet_bytes(table, meta)
    assert a == b
    t = pq.read_table(io.BytesIO(a))
    assert str(t.schema.field("racks").type) == "int64" and str(t.schema.field("policy.design_pue").type) == "double"
    assert t.column("racks").to_pylist() == [82, None, None]
    assert t.schema.metadata[b"sweep"] == PAYLOAD.encode()


def test_a_cached_result_must_match_digest_version_and_a_stable_status(tmp_path, hostile):
    sweep, _ = hostile
    v = sweep.variants[0]
    rec = {"schema": results.RESULT_SCHEMA, "digest": v.digest, "hubc_version": __version__, "status": "ok"}
    for change, hit in [({}, True), ({"hubc_version": "0.0.0"}, False), ({"digest": "0" * 64}, False),
                        ({"status": "timeout"}, False), ({"status": "crashed"}, False), ({"status": "error"}, True)]:
        (tmp_path / "result.json").write_text(json.dumps(rec | change))
        assert (results.cached(tmp_path, v) is not None) is hit, change
    (tmp_path / "result.json").write_text("{not json")
    assert results.cached(tmp_path, v) is None
