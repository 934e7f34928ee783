"""bom.xlsx read back with openpyxl, bom.csv and the supplier lists (snapshots)."""

from __future__ import annotations

import csv
import datetime
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from hubc.emit.bom import COLUMNS, emit_bom
from hubc.emit.suppliers import emit_suppliers
from hubc.procurement.bom import round_won
from tests.proc_helpers import procurement

INJECTIONS = {
    "hall-a/rack/gb200-nvl72": '=HYPERLINK("http://evil.example","GB200 NVL72")',
    "hall-a/rack/ib-leaf": "@SUM(1+1) leaf switch rack",
    "hall-a/rack/ib-spine": "-2+3 spine <script>alert(1)</script> | rack",
}


@pytest.fixture(scope="module")
def proc():
    return procurement()


@pytest.fixture(scope="module")
def outputs(proc):
    out = emit_bom(proc)
    out.update(emit_suppliers(proc))
    return out


@pytest.fixture(scope="module")
def wb(outputs):
    return openpyxl.load_workbook(io.BytesIO(outputs["bom.xlsx"]))


@pytest.fixture(scope="module")
def wb_values(outputs):
    # data_only: the cached formula results hubc stored
    return openpyxl.load_workbook(io.BytesIO(outputs["bom.xlsx"]), data_only=True)


def _data_rows(ws):
    """Rows between the header and the table's total row."""
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[-1][0] == "Total"
    return rows[:-1], rows[-1]


def test_sheets(wb, proc):
    assert wb.sheetnames == (
        ["Summary", "BOM"] + [f"Phase {p.id}" for p in proc.phases] + ["Specifications", "Capex", "Cash flow", "Schedule"]
    )


def test_bom_sheet_is_a_real_table(wb, proc):
    ws = wb["BOM"]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert ws.freeze_panes == "A2"
    (table,) = ws.tables.values()
    assert table.ref == f"A1:Q{len(proc.lines) + 2}"
    assert table.autoFilter is not None
    assert table.totalsRowCount == 1
    col = {name: i for i, name in enumerate(COLUMNS)}
    rows, _ = _data_rows(ws)
    for r, row in enumerate(rows, start=2):
        assert row[col["Extended cost KRW"]] == f"=ROUND(G{r}*I{r},0)"
    assert ws.cell(2, col["Unit cost KRW"] + 1).number_format == "#,##0"
    assert ws.column_dimensions["E"].width > 20  # descriptions get room


def test_lines_match_the_procurement(wb_values, proc):
    rows, total = _data_rows(wb_values["BOM"])
    col = {name: i for i, name in enumerate(COLUMNS)}
    assert [r[col["Line id"]] for r in rows] == [ln.line_id for ln in proc.lines]
    assert [r[col["Extended cost KRW"]] for r in rows] == [ln.extended_cost_krw for ln in proc.lines]
    assert total[col["Extended cost KRW"]] == sum(r[col["Extended cost KRW"]] for r in rows) == proc.total_krw
    for r in rows:
        assert r[col["Extended cost KRW"]] == round_won(r[col["Qty"]] * r[col["Unit cost KRW"]])


def test_total_row_formula_covers_every_line(wb, proc):
    _, total = _data_rows(wb["BOM"])
    assert total[COLUMNS.index("Extended cost KRW")] == f"=SUBTOTAL(109,J2:J{len(proc.lines) + 1})"


def test_phase_sheets_total_to_capex_by_phase(wb_values, proc):
    by_phase = proc.capex_by_phase()
    ext = COLUMNS.index("Extended cost KRW")
    for plan in proc.phases:
        rows, total = _data_rows(wb_values[f"Phase {plan.id}"])
        assert total[ext] == sum(r[ext] for r in rows) == by_phase[plan.id]
    assert sum(by_phase.values()) == proc.total_krw


def test_summary_figures(wb, wb_values, proc):
    labels = {row[0]: row[1:] for row in wb_values["Summary"].iter_rows(values_only=True) if row[0]}
    formulas = {row[0]: row[1:] for row in wb["Summary"].iter_rows(values_only=True) if row[0]}
    assert labels["IT load (MW)"][0] == pytest.approx(98.688)
    assert labels["GPUs"][0] == 50688
    assert labels["Total capex (KRW)"][0] == proc.total_krw
    assert formulas["Total capex (KRW)"][0] == f"=SUM(BOM!$J$2:$J${len(proc.lines) + 1})"
    assert labels["Domestic supply (KRW)"][0] == proc.domestic_krw
    assert labels["Domestic share of BOM value"][0] == pytest.approx(proc.domestic_share)
    for system, value in proc.capex_by_system().items():
        assert labels[system][0] == value
        assert formulas[system][0].startswith("=SUMIFS(BOM!$J$2:")
    for plan in proc.phases:
        assert labels[plan.id][0] == proc.capex_by_phase()[plan.id]
    assert labels["Domestic share status"][0] == "below minimum (warn)"


def test_injection_strings_stay_text(wb, outputs):
    ws = wb["BOM"]
    desc = COLUMNS.index("Description") + 1
    cells = {ws.cell(r, 1).value: ws.cell(r, desc) for r in range(2, ws.max_row)}
    for line_id, text in INJECTIONS.items():
        cell = cells[line_id]
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix  # Excel keeps it text even after the cell is edited
    ordinary = cells["hall-a/cdu"]
    assert ordinary.data_type == "s" and not ordinary.quotePrefix

    rows = list(csv.reader(io.StringIO(outputs["bom.csv"].decode("utf-8-sig"))))
    by_id = {r[0]: r for r in rows[1:]}
    for line_id, text in INJECTIONS.items():
        assert by_id[line_id][COLUMNS.index("Description")] == "'" + text


def test_markdown_escapes_html(outputs):
    md = outputs["suppliers.md"].decode("utf-8")
    assert "LS Cable &amp; System" in md and "LS Cable & System" not in md


def test_hostile_vendor_text_is_neutralised():
    import attrs

    from hubc.catalog.equipment import load_equipment_catalog as load_catalog

    catalog, _ = load_catalog(None)
    evil = "=<img src=x onerror=alert(1)> | LS"
    vendors = dict(catalog.vendors)
    vendors["ls-electric"] = attrs.evolve(vendors["ls-electric"], name=evil)
    p = procurement(catalog=attrs.evolve(catalog, vendors=vendors))
    out = emit_suppliers(p)
    out.update(emit_bom(p))
    md = out["suppliers.md"].decode("utf-8")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt; \\| LS" in md
    rows = list(csv.DictReader(io.StringIO(out["suppliers.csv"].decode("utf-8-sig"))))
    assert {r["Vendor"] for r in rows if r["Vendor id"] == "ls-electric"} == {"'" + evil}
    ws = openpyxl.load_workbook(io.BytesIO(out["bom.xlsx"]))["BOM"]
    vend = COLUMNS.index("Suggested domestic vendors") + 1
    cells = [ws.cell(r, vend) for r in range(2, ws.max_row) if (ws.cell(r, vend).value or "").startswith("=")]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_document_properties_are_pinned(wb):
    assert wb.properties.created == datetime.datetime(2000, 1, 1, 0, 0, 0)
    assert wb.properties.creator == "hubc"


def test_bytes_are_deterministic_across_processes(outputs):
    # A fresh interpreter (new hash seed, new clock) must write the same bytes.
    script = (
        "import sys, hashlib; sys.path.insert(0, 'tests');"
        "from proc_helpers import procurement; from hubc.emit.bom import emit_bom;"
        "from hubc.emit.suppliers import emit_suppliers;"
        "p = procurement(); o = emit_bom(p); o.update(emit_suppliers(p));"
        "print({k: hashlib.sha256(v).hexdigest() for k, v in sorted(o.items())})"
    )
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={"PYTHONPATH": str(root), "PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    import hashlib

    here = {k: hashlib.sha256(v).hexdigest() for k, v in sorted(outputs.items())}
    assert run.stdout.strip() == str(here)


def test_csv_holds_the_same_lines(outputs, proc):
    rows = list(csv.reader(io.StringIO(outputs["bom.csv"].decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(proc.lines) + 1
    ext = COLUMNS.index("Extended cost KRW")
    assert sum(int(r[ext]) for r in rows[1:]) == proc.total_krw


def test_suppliers_flag_categories_without_domestic_vendor(outputs, proc):
    rows = list(csv.DictReader(io.StringIO(outputs["suppliers.csv"].decode("utf-8-sig"))))
    ups = [r for r in rows if r["Family"] == "ups-module"]
    assert len(ups) == 1 and ups[0]["Status"] == "no domestic vendor"
    assert "Vertiv" in ups[0]["Import fallback"]
    transformers = {r["Vendor id"] for r in rows if r["Family"] == "main-transformer"}
    assert transformers == {"hd-hyundai-electric", "hyosung-heavy", "iljin-electric", "ls-electric"}
    lsel = next(r for r in rows if r["Family"] == "main-transformer" and r["Vendor id"] == "ls-electric")
    assert "154 kV" in lsel["Products and ratings"] and lsel["BOM lines"] == "ss-main/main-transformer"


def test_bom_csv_snapshot(outputs, snapshot):
    assert outputs["bom.csv"].decode("utf-8") == snapshot


def test_suppliers_md_snapshot(outputs, snapshot):
    assert outputs["suppliers.md"].decode("utf-8") == snapshot


def test_suppliers_csv_snapshot(outputs, snapshot):
    assert outputs["suppliers.csv"].decode("utf-8") == snapshot


def test_build_writes_the_procurement_outputs():
    from hubc.pipeline import build_spec, check_spec

    checked = check_spec(Path(__file__).parent / "data" / "procurement" / "campus.toml")
    built = build_spec(checked)
    for name in ("bom.xlsx", "bom.csv", "suppliers.md", "suppliers.csv"):
        assert built.plan[name]
    assert "HUB623" in {d.code for d in built.diagnostics}
    proc = built.design.procurement
    from hubc.design_json import unstructure

    assert unstructure(proc)["total_krw"] == proc.total_krw > 0


def test_phase_sheet_names_are_valid_and_unique():
    from hubc.emit.bom import _sheet_name

    taken = {"summary", "bom"}
    long = "phase-" + "x" * 40
    a = _sheet_name(f"Phase {long}", taken)
    b = _sheet_name(f"Phase {long}", taken)
    c = _sheet_name("Phase a/b:c*d?[e]'f", taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert b.endswith("(2)")
    assert not set("[]:*?/\\'") & set(c)
