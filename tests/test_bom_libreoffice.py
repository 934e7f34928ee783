"""bom.xlsx opened by LibreOffice: it loads, and the totals it recomputes equal the stored ones.

LibreOffice by default trusts the cached results of an .xlsx; a private user profile sets
"recalculate on load: always" (Calc/Formula/Load/OOXMLRecalcMode = 0) so every formula is
recomputed. A control workbook whose cached result is deliberately wrong proves the setting
takes effect, so the comparison is a real recomputation. CI needs the Debian package
`libreoffice-calc-nogui` (or `libreoffice-calc`); without `soffice` the tests skip.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from hubc.emit.bom import COLUMNS, emit_bom
from tests.proc_helpers import load_spec, procurement

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui"
)

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

# CSV filter: comma, double quote, UTF-8, from line 1, raw values (not as shown), all sheets (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lo-profile")
    (root / "user").mkdir()
    (root / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")
    return root


def convert(xlsx: Path, profile: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of `xlsx` as CSV rows, recomputed by LibreOffice."""
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(outdir),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    sheets = {}
    for f in sorted(outdir.glob(f"{xlsx.stem}-*.csv")):
        sheet = f.stem[len(xlsx.stem) + 1 :]
        sheets[sheet] = list(csv.reader(f.open(encoding="utf-8-sig", newline="")))
    if not sheets:  # a single-sheet workbook is written without the sheet suffix
        f = outdir / f"{xlsx.stem}.csv"
        sheets["*"] = list(csv.reader(f.open(encoding="utf-8-sig", newline="")))
    return sheets


@pytest.mark.slow
def test_profile_forces_recalculation(tmp_path, profile):
    import xlsxwriter

    path = tmp_path / "control.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_number(0, 0, 2)
    ws.write_number(1, 0, 3)
    ws.write_formula(2, 0, "=SUM(A1:A2)", None, 999)  # a wrong cached result
    wb.close()
    sheets = convert(path, profile, tmp_path / "out")
    (rows,) = sheets.values()
    assert rows[2][0] == "5"


@pytest.fixture(scope="module", params=["all", "facility"])
def recomputed(request, tmp_path_factory, profile):
    # Both domestic-share scopes: "facility" has its own SUMIFS formulas to recompute.
    spec, source = load_spec(edit=lambda t: t.replace('domestic_share_scope = "all"', f'domestic_share_scope = "{request.param}"'))
    proc = procurement(spec, source)
    assert proc.share_scope == request.param
    folder = tmp_path_factory.mktemp("bom")
    xlsx = folder / "bom.xlsx"
    xlsx.write_bytes(emit_bom(proc)["bom.xlsx"])
    return proc, convert(xlsx, profile, folder / "out")


def _number(text: str) -> float:
    return float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)


@pytest.mark.slow
def test_libreoffice_opens_every_sheet(recomputed):
    proc, sheets = recomputed
    assert set(sheets) == {"Summary", "BOM", "Specifications", "Capex", "Cash flow", "Schedule"} | {f"Phase {p.id}" for p in proc.phases}
    assert tuple(sheets["BOM"][0]) == COLUMNS


@pytest.mark.slow
def test_recomputed_lines_and_total_match(recomputed):
    proc, sheets = recomputed
    rows = sheets["BOM"]
    ext = COLUMNS.index("Extended cost KRW")
    body, total = rows[1:-1], rows[-1]
    assert total[0] == "Total"
    assert [int(_number(r[ext])) for r in body] == [ln.extended_cost_krw for ln in proc.lines]
    assert int(_number(total[ext])) == proc.total_krw


@pytest.mark.slow
def test_recomputed_phase_totals_match(recomputed):
    proc, sheets = recomputed
    ext = COLUMNS.index("Extended cost KRW")
    for plan, value in proc.capex_by_phase().items():
        rows = sheets[f"Phase {plan}"]
        assert rows[-1][0] == "Total"
        assert int(_number(rows[-1][ext])) == value


@pytest.mark.slow
def test_recomputed_summary_matches(recomputed):
    proc, sheets = recomputed
    summary = {r[0]: r[1:] for r in sheets["Summary"] if r and r[0]}
    assert int(_number(summary["Total capex (KRW)"][0])) == proc.total_krw
    assert int(_number(summary["Domestic supply (KRW)"][0])) == proc.domestic_krw
    assert _number(summary["Domestic share of BOM value"][0]) == pytest.approx(proc.domestic_share, rel=1e-9)
    if proc.share_scope == "facility":
        assert int(_number(summary["Facility equipment, excl. IT and network (KRW)"][0])) == proc.share_base_krw
        assert int(_number(summary["Domestic facility equipment (KRW)"][0])) == proc.share_domestic_krw
    for system, value in proc.capex_by_system().items():
        assert int(_number(summary[system][0])) == value
    for phase, value in proc.capex_by_phase().items():
        assert int(_number(summary[phase][0])) == value
