"""The RFQ-ready BOM: the Specifications sheet and bom-specs.csv carry the design's technical
data (the network's transformer %Z and vector group, the switchgear ratings chosen from the
short-circuit duty, the cable sections), and every sheet prints legibly on A3 landscape."""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import subprocess

import openpyxl
import pytest

from hubc.emit.bom import MAX_WIDTH, ROW_HEIGHT_PT, _wrapped_lines
from hubc.procurement.rfq import SPEC_COLUMNS


@pytest.fixture(scope="module")
def wb(built_100mw):
    return openpyxl.load_workbook(io.BytesIO(built_100mw.plan["bom.xlsx"]))


@pytest.fixture(scope="module")
def specs(wb):
    """(line id, parameter) -> (value, unit, basis, source) from the Specifications sheet."""
    rows = list(wb["Specifications"].iter_rows(values_only=True))
    assert tuple(rows[0]) == SPEC_COLUMNS
    return {(r[0], r[2]): (r[3], r[4], r[5], r[6]) for r in rows[1:]}


def test_transformer_data_come_from_the_network(built_100mw, specs):
    net = built_100mw.design.electrical.network
    (main,) = {(t.vector_group, t.vk_percent, t.sn_mva, t.vkr_percent, t.pfe_kw) for t in net.transformers if t.role == "main"}
    group, vk, mva, vkr, pfe = main
    assert (group, vk, mva) == ("YNyn0", 11.0, 60.0)  # what the 100 MW example's network holds
    line = "ss-main/main-transformer"
    assert specs[(line, "Vector group")][0] == "YNyn0"
    assert specs[(line, "Short-circuit impedance %Z (at rated power of a winding)")][:3] == ("11", "%", "design")
    assert specs[(line, "Rated voltages HV / LV")][0] == "154 / 22.9"
    # load loss = vkr % x rated power: 0.314158 % x 60 MVA = 188.49 kW
    assert specs[(line, "Load loss at rated current (planning value, to be guaranteed)")][0] == f"{round(vkr / 100 * mva * 1000, 1):g}"
    assert specs[(line, "No-load loss (planning value, to be guaranteed)")][0] == f"{pfe:g}"
    # 154 kV -> Um 170 kV -> LI 750 kV (IEC 60076-3 Table 2); 22.9 kV -> Um 24 kV -> LI 125 kV
    assert specs[(line, "HV lightning impulse withstand (BIL)")][:2] == ("750", "kV peak")
    assert specs[(line, "LV lightning impulse withstand (BIL)")][:2] == ("125", "kV peak")
    assert specs[(line, "Tap changer")][0] == "on-load (OLTC) on the HV winding, +/-10 % in 17 positions of 1.25 %"
    assert specs[(line, "Cooling class")][:3] == ("ONAN/ONAF", "", "estimate")
    uss = "hall-a/unit-substation"
    assert specs[(uss, "Vector group")][0] == "Dyn11"
    assert specs[(uss, "Short-circuit impedance %Z (at rated power of a winding)")][0] == "7"


def test_switchgear_ratings_come_from_the_duty(built_100mw, specs):
    rat = built_100mw.design.electrical.ratings
    bays = [b for b in rat.bays if b.role == "incomer" and b.rated_current_a == 1600]
    boards = {b.bus for b in bays}
    (board,) = [b for b in rat.buses if b.bus in boards][:1]
    line = "ss-main/mv-switchgear-incomer-1600a"
    assert board.rated_short_circuit_ka == 16.0 and board.rated_voltage_kv == 24.0
    assert specs[(line, "Rated short-circuit breaking current Isc")][:2] == ("16", "kA")
    assert specs[(line, "Rated short-time withstand current Ik / duration tk")][0] == "16 kA / 1 s"
    assert specs[(line, "Rated voltage Ur")][:2] == ("24", "kV")
    assert specs[(line, "Rated normal current Ir (bay)")][:2] == ("1,600", "A")
    # peak withstand at 60 Hz = 2.6 x 16 kA
    assert specs[(line, "Rated peak withstand current Ip")][0] == f"{2.6 * 16:g}"
    gis = "ss-main/hv-gis-line-1250a"
    assert specs[(gis, "Rated short-circuit breaking current Isc")][0] == "31.5"
    assert specs[(gis, "Rated voltage Ur")][0] == "170"


def test_cable_data(specs):
    line = "hall-a/mv-cable"
    assert specs[(line, "Cores x section")][:2] == ("3 x 1C 150", "mm2")
    assert specs[(line, "Insulation")][0] == "XLPE"
    # the smallest IEC 60502-2 class with U >= 22.9 kV is 18/30 (36) kV
    assert specs[(line, "Rated voltage Uo/U (Um)")][:2] == ("18/30 (36)", "kV")
    assert specs[(line, "Feeders")][0] == "16"
    assert specs[(line, "Circuit length (3 cores per circuit-metre)")][:2] == ("6,400", "m")  # 16 x 400 m


def test_ups_generator_cdu_data(built_100mw, specs):
    assert specs[("hall-a/ups-module", "Topology and IEC 62040-3 classification")][0] == "double conversion, VFI-SS-111"
    assert specs[("hall-a/ups-module", "Battery autonomy at block rating")][:2] == ("5", "min")
    assert specs[("campus/generator", "Rating class (ISO 8528-1)")][0].startswith("DCC")
    assert specs[("campus/generator", "Rated apparent power / power factor")][0] == "3,750 kVA / 0.8"  # 3000 kW / 0.8
    # TCS supply 30 degC - FWS supply 27 degC
    assert specs[("hall-a/cdu", "Approach temperature (TCS supply - FWS supply)")][:2] == ("3", "K")


def test_specs_csv_equals_the_sheet(built_100mw, wb):
    rows = list(csv.reader(io.StringIO(built_100mw.plan["bom-specs.csv"].decode("utf-8-sig"))))
    sheet = [[c or "" for c in r] for r in wb["Specifications"].iter_rows(values_only=True)]
    assert rows == sheet
    assert {r[0] for r in rows[1:]} == {ln.line_id for ln in built_100mw.design.procurement.lines}


def test_every_sheet_prints_on_a3_landscape(wb):
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 8, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1), ws.title  # 1 is the default, left out of the XML
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_area, ws.title
        if ws.title != "Summary":
            assert ws.print_title_rows == "$1:$1", ws.title


def _width(ws, column: int) -> float:
    """A column's width: XlsxWriter writes neighbours of equal width as one <col min max>."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= column <= dim.max:
            return dim.width
    raise AssertionError(f"{ws.title}: column {column} has no width")


# Excel number formats the workbook uses -> the Python format of what the cell shows.
SHOWN = {"#,##0.000": "{:,.3f}", "0.0%": "{:.1%}", "#,##0.0": "{:,.1f}", "#,##0": "{:,.0f}", "0": "{:.0f}"}


def _shown(cell) -> str:
    v = cell.value
    if isinstance(v, (int, float)):
        return SHOWN.get(cell.number_format, "{:,.0f}").format(v)
    return str(v)


def test_numbers_fit_and_text_wraps_in_rows_tall_enough(built_100mw, wb):
    values = openpyxl.load_workbook(io.BytesIO(built_100mw.plan["bom.xlsx"]), data_only=True)
    for ws in wb.worksheets:
        shown = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                width = _width(ws, cell.column)
                text = _shown(shown[cell.coordinate])
                if isinstance(shown[cell.coordinate].value, (int, float)):
                    assert len(text) + 1 <= width, (ws.title, cell.coordinate, text, width)  # never "###"
                elif len(text) + 1 > width:
                    assert cell.alignment.wrap_text, (ws.title, cell.coordinate)
                    if ws.title != "Summary":
                        height = ws.row_dimensions[cell.row].height or ROW_HEIGHT_PT
                        assert height >= ROW_HEIGHT_PT * _wrapped_lines(text, width), (ws.title, cell.coordinate)


def test_wrapped_lines_by_hand():
    # room = int(width x 1.1) - 1 characters per line
    assert _wrapped_lines("abc def", 10) == 1  # 7 characters, room 10
    assert _wrapped_lines("abc def ghi", 7) == 3  # room 6: "abc def" is 7 > 6, so one word a line
    assert _wrapped_lines("ab cd ef", 7) == 2  # room 6: "ab cd" (5) / "ef"
    # room 7: "abcdefg" / "h" / "abcdefg" / "h": a word longer than the room breaks
    assert _wrapped_lines("abcdefgh abcdefgh", 8) == 4
    assert _wrapped_lines("", 5) == 1
    assert MAX_WIDTH["Description"] >= 40


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_prints_every_sheet_on_a3(built_100mw, tmp_path):
    xlsx = tmp_path / "bom.xlsx"
    xlsx.write_bytes(built_100mw.plan["bom.xlsx"])
    profile = tmp_path / "profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = (tmp_path / "bom.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    assert boxes
    for w, h in boxes:  # A3 landscape: 420 x 297 mm = 1190.55 x 841.89 pt
        assert math.isclose(float(w), 1190.55, abs_tol=1) and math.isclose(float(h), 841.89, abs_tol=1)
    gs = shutil.which("gs")
    if gs:
        text = subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-sOutputFile=-", str(tmp_path / "bom.pdf")], capture_output=True, check=True, timeout=300).stdout
        assert b"###" not in text
        assert b"Rated voltage Ur" in text  # the Specifications sheet printed


def test_bidders_cite_their_datasheet_or_say_unconfirmed(wb):
    rows = [r for r in wb["Specifications"].iter_rows(min_row=2, values_only=True) if r[2] == "Domestic bidder"]
    bidders = {(r[0], r[3]): r[6] for r in rows}
    ls = bidders[("hall-a/lv-switchboard", "LS ELECTRIC Co., Ltd. (LS일렉트릭)")]
    assert ls.startswith("datasheets (manufacturer catalogues") and "Susol/Metasol ACB catalogue" in ls
    for source in bidders.values():
        assert source.startswith(("datasheet", "product page", "product documentation", "manufacturer", "company site", "unconfirmed:")), source
