"""BOM outputs: `bom.xlsx` (XlsxWriter, in memory) and `bom.csv` (the same lines).

In: `Procurement` and the spec. Out: {"bom.xlsx": bytes, "bom.csv": bytes}.
The workbook has a Summary sheet (loads, capex by system and phase, domestic share), a BOM
sheet with one row per line item as an Excel table (autofilter, frozen header, number formats,
widths, a total row), one sheet per build-out phase, and a Specifications sheet: the technical
data a buyer puts in a request for quotation, per line and parameter (`hubc.procurement.rfq`),
also written as `bom-specs.csv`. Every sheet prints on A3 landscape, one page wide, with its
header repeated, columns as wide as what they show (long text wraps in a capped column), so a
printout has no "###" and no text running into the next column. Every extended cost and total is a
formula (ROUND(qty x unit cost), SUBTOTAL, SUMIFS) over plain A1 ranges that Excel and
LibreOffice recompute, with the value hubc computed stored as the cached result.
Bytes are deterministic: XlsxWriter's in-memory mode stamps zip members 1980-01-01 and the
document's created date is pinned, so the same design gives the same file.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata

from hubc import __version__
from hubc.emit.safe import csv_bytes, is_formula_like
from hubc.procurement.bom import OWNER_FURNISHED_SYSTEMS, BomLine, Procurement
from hubc.procurement.rfq import SPEC_COLUMNS, SpecRow

# A compiled artefact has no meaningful creation time; a fixed one keeps the bytes stable.
PINNED_CREATED = datetime.datetime(2000, 1, 1, 0, 0, 0)

COLUMNS = (
    "Line id",
    "System",
    "Area",
    "Category",
    "Description",
    "Key rating",
    "Qty",
    "Unit",
    "Unit cost KRW",
    "Extended cost KRW",
    "Lead time (weeks)",
    "Suggested domestic vendors",
    "Import fallback",
    "Origin",
    "Spec reference",
    "Catalog id",
    "Cost basis",
)
# Column letters the formulas use.
COL_QTY, COL_UNIT_COST, COL_EXT, COL_SYSTEM, COL_ORIGIN = "G", "I", "J", "B", "N"
_IDX = {name: i for i, name in enumerate(COLUMNS)}


def _row(line: BomLine, qty: float, extended: int) -> list:
    return [
        line.line_id,
        line.system,
        line.area,
        line.category,
        line.description,
        line.key_rating,
        qty,
        line.unit,
        line.unit_cost_krw,
        extended,
        line.lead_weeks,
        "; ".join(line.domestic_vendor_names),
        "; ".join(line.import_fallback),
        line.origin,
        line.spec_ref,
        line.catalog_id,
        f"[{line.cost_tag}] {line.cost_source}",
    ]


def emit_bom(proc: Procurement, spec=None, specs: tuple[SpecRow, ...] | None = None) -> dict[str, bytes]:
    """`specs`: the RFQ technical data of the design (`hubc.procurement.rfq.rfq_specs`); None:
    what the BOM lines alone give (their key ratings)."""
    if specs is None:
        specs = _line_specs(proc)
    from hubc.emit.capex import emit_capex_csvs

    files = {"bom.xlsx": bom_xlsx(proc, specs), "bom.csv": bom_csv(proc), "bom-specs.csv": bom_specs_csv(specs)}
    return {**files, **emit_capex_csvs(proc)}  # capex.csv, bom-phases.csv, cashflow.csv, schedule.csv


def _line_specs(proc: Procurement) -> tuple[SpecRow, ...]:
    from hubc.design import Design
    from hubc.procurement.rfq import rfq_specs

    return rfq_specs(Design(procurement=proc))


def bom_specs_csv(specs: tuple[SpecRow, ...]) -> bytes:
    return csv_bytes(SPEC_COLUMNS, specs, bom=True)


# ----------------------------------------------------------------------------- CSV


def bom_csv(proc: Procurement) -> bytes:
    # UTF-8 with a byte-order mark: Excel then reads the Korean vendor names correctly.
    rows = ([_csv_value(v) for v in _row(line, line.quantity, line.extended_cost_krw)] for line in proc.lines)
    return csv_bytes(COLUMNS, rows, bom=True)


def _csv_value(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


# ----------------------------------------------------------------------------- XLSX


def _sheet_name(text: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\']", "_", text)[:31] or "Phase"
    base, k = name, 2
    while name.lower() in taken:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    taken.add(name.lower())
    return name


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class _Writer:
    """Formats and the text/number writers shared by the sheets."""

    def __init__(self, wb):
        self.wb = wb
        # Text wraps inside its column: a printout never runs text into the next column.
        self.text = wb.add_format({"valign": "top", "text_wrap": True})
        # Excel's quote prefix keeps formula-like text as text, also after editing the cell.
        self.text_quoted = wb.add_format({"valign": "top", "text_wrap": True, "quote_prefix": True})
        self.header = wb.add_format({"bold": True, "valign": "top", "text_wrap": True})
        self.krw = wb.add_format({"num_format": "#,##0", "valign": "top"})
        self.qty_int = wb.add_format({"num_format": "#,##0", "valign": "top"})
        self.qty_frac = wb.add_format({"num_format": "#,##0.000", "valign": "top"})
        self.weeks = wb.add_format({"num_format": "0", "valign": "top"})
        self.pct = wb.add_format({"num_format": "0.0%"})
        self.mw = wb.add_format({"num_format": "#,##0.0"})
        self.bold = wb.add_format({"bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.head = wb.add_format({"bold": True, "bottom": 1})
        self.krw_bold = wb.add_format({"num_format": "#,##0", "bold": True})

    def string(self, ws, row: int, col: int, text: str) -> None:
        ws.write_string(row, col, text, self.text_quoted if is_formula_like(text) else self.text)


def bom_xlsx(proc: Procurement, specs: tuple[SpecRow, ...] = ()) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {
            "title": f"Bill of materials: {proc.campus_name}",
            "subject": f"hubc BOM for campus {proc.campus_id}",
            "author": "hubc",
            "company": "",
            "comments": f"hubc {__version__}; catalog {proc.catalog_version}; estimates, not quotes",
            "created": PINNED_CREATED,
        }
    )
    w = _Writer(wb)
    taken = {"summary", "bom"}
    summary = wb.add_worksheet("Summary")
    bom = wb.add_worksheet("BOM")
    phase_sheets = [(p, _sheet_name(f"Phase {p.id}", taken)) for p in proc.phases]
    n = len(proc.lines)
    first, last = 2, n + 1  # data rows in A1 numbering
    _table_sheet(w, bom, "BomLines", [(ln, ln.quantity, ln.extended_cost_krw) for ln in proc.lines], proc.total_krw)
    phase_totals = []
    for k, (plan, name) in enumerate(phase_sheets):
        rows = list(proc.phase_lines(plan.id))
        ws = wb.add_worksheet(name)
        total = sum(c for _, _, c in rows)
        _table_sheet(w, ws, f"Phase{k + 1}", rows, total, _cumulative(proc, plan.id))
        phase_totals.append((plan, name, len(rows), total))
    _summary(w, summary, proc, (first, last), phase_totals)
    _specs_sheet(w, wb.add_worksheet(_sheet_name("Specifications", taken)), specs)
    from hubc.emit.capex import add_capex_sheets

    add_capex_sheets(wb, w, proc)  # "Capex", "Cash flow", "Schedule"
    wb.close()
    return out.getvalue()


def _cumulative(proc: Procurement, phase_id: str) -> dict[str, tuple[float, float]]:
    """Line id -> the quantity bought before this phase and up to it (the last phase: the line's
    whole quantity), for the phase sheets' allocation formula (hubc.procurement.bom.allocate_phases)."""
    out = {}
    for line in proc.lines:
        cum = 0.0
        for i, share in enumerate(line.phases):
            before = cum
            cum = line.quantity if i == len(line.phases) - 1 else cum + share.quantity
            if share.phase == phase_id:
                out[line.line_id] = (before, cum)
    return out


def _table_sheet(
    w: _Writer,
    ws,
    table: str,
    rows: list[tuple[BomLine, float, int]],
    total: int,
    cumulative: dict[str, tuple[float, float]] | None = None,
) -> None:
    """A BOM table. `cumulative` (phase sheets): each row's cost is allocated as
    ROUND(up to x unit) - ROUND(before x unit), so phases add up to the BOM line exactly."""
    n = len(rows)
    widths = [_header_width(c) for c in COLUMNS]
    ext_range = f"{COL_EXT}2:{COL_EXT}{n + 1}" if n else f"{COL_EXT}2:{COL_EXT}2"
    columns = []
    for name in COLUMNS:
        col: dict = {"header": name, "header_format": w.header}
        if name == "Line id":
            col["total_string"] = "Total"
        elif name == "Extended cost KRW":
            # A plain range (not a structured reference) so every spreadsheet recomputes it.
            col["total_function"] = f"SUBTOTAL(109,{ext_range})"
            col["total_value"] = total
            col["format"] = w.krw_bold
        columns.append(col)
    # Printed by a buyer: A3 landscape, all columns on one page width, header on every page.
    print_a3(ws, max(n, 1) + 1, len(COLUMNS) - 1)
    # The table spans header, data (at least one row) and the total row.
    ws.add_table(
        0,
        0,
        max(n, 1) + 1,
        len(COLUMNS) - 1,
        {"name": table, "columns": columns, "total_row": True, "style": "Table Style Light 9"},
    )
    texts: list[list[str]] = [list(COLUMNS)]  # what each row shows, for its height
    for i, (line, qty, extended) in enumerate(rows):
        r = i + 1
        values = _row(line, qty, extended)
        texts.append([v if isinstance(v, str) else "" for v in values])
        for c, v in enumerate(values):
            name = COLUMNS[c]
            widths[c] = max(widths[c], _shown_width(name, v))
            if name == "Extended cost KRW":
                unit = f"{COL_UNIT_COST}{r + 1}"
                if cumulative is None:
                    formula = f"=ROUND({COL_QTY}{r + 1}*{unit},0)"
                else:
                    before, upto = cumulative[line.line_id]
                    formula = f"=ROUND({upto!r}*{unit},0)-ROUND({before!r}*{unit},0)"
                ws.write_formula(r, c, formula, w.krw, extended)
            elif name == "Unit cost KRW":
                ws.write_number(r, c, v, w.krw)
            elif name == "Qty":
                ws.write_number(r, c, v, w.qty_int if float(v).is_integer() else w.qty_frac)
            elif name == "Lead time (weeks)":
                ws.write_number(r, c, v, w.weeks)
            else:
                w.string(ws, r, c, str(v))
    widths[_IDX["Extended cost KRW"]] = max(widths[_IDX["Extended cost KRW"]], _shown_width("Extended cost KRW", total, bold=True))
    _fit(ws, COLUMNS, widths, texts)
    ws.freeze_panes(1, 0)


# ----------------------------------------------------------------------------- print layout

# The widest a text column gets (characters) before its text wraps; number columns are always as
# wide as their widest figure, so they never show "###".
MAX_WIDTH = {
    "Line id": 36,
    "System": 12,
    "Area": 18,
    "Category": 22,
    "Description": 40,
    "Key rating": 14,
    "Unit": 8,
    "Suggested domestic vendors": 24,
    "Import fallback": 24,
    "Origin": 10,
    "Spec reference": 22,
    "Catalog id": 22,
    "Cost basis": 36,
    # Specifications sheet
    "Parameter": 40,
    "Value": 40,
    "Basis": 10,
    "Source": 60,
    # Capex, Cash flow and Schedule sheets (hubc.emit.capex)
    "Part": 24,
    "Item": 30,
    "Phases": 30,
    "Estimate": 10,
    "Source and basis": 60,
    "Family": 18,
    "Phase": 12,
}
# Number formats of the number columns, as Python formats (what the cell shows).
_SHOWN = {"Qty": None, "Unit cost KRW": "{:,.0f}", "Extended cost KRW": "{:,.0f}", "Lead time (weeks)": "{:.0f}"}


def _header_width(name: str) -> float:
    """A header wraps at its spaces; it needs its longest word and room for the filter button."""
    return max(len(word) for word in name.split()) + 4


def _shown_width(column: str, value, *, bold: bool = False) -> float:
    """The column width (characters) that shows `value` as its cell format does, with a margin;
    bold digits are about a tenth wider."""
    if isinstance(value, (int, float)) and column in _SHOWN:
        fmt = _SHOWN[column] or ("{:,.0f}" if float(value).is_integer() else "{:,.3f}")
        text = fmt.format(value)
    else:
        text = str(value)
    return _text_width(text) * (1.1 if bold else 1.0) + 2


def _text_width(text: str) -> int:
    """Characters a cell needs: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


ROW_HEIGHT_PT = 15  # one line of 11 pt text


def _wrapped_lines(text: str, width: float) -> int:
    """Lines `text` takes when wrapped at spaces in a column `width` characters wide (a word
    longer than the column breaks across lines). A width unit is one digit; average text is
    about a tenth narrower."""
    room = max(int(width * 1.1) - 1, 1)
    lines = 0
    for para in text.split("\n"):
        used = 0
        lines += 1
        for word in para.split(" "):
            n = _text_width(word)
            if used and used + 1 + n > room:
                lines += 1
                used = 0
            used += (1 if used else 0) + n
            while used > room:
                lines += 1
                used -= room
    return lines


def _fit(ws, columns: tuple[str, ...], widths: list[float], texts: list[list[str]]) -> None:
    """Column widths (capped by MAX_WIDTH: longer text wraps) and row heights that show every
    wrapped line: a printout neither cuts text nor runs it into the next column."""
    final = [min(w, MAX_WIDTH.get(name, w)) for name, w in zip(columns, widths, strict=True)]
    for c, width in enumerate(final):
        ws.set_column(c, c, width)
    for r, row in enumerate(texts):
        lines = max((_wrapped_lines(t, final[c] - (2 if r == 0 else 0)) for c, t in enumerate(row) if t), default=1)
        if lines > 1:
            ws.set_row(r, ROW_HEIGHT_PT * lines)


def print_a3(ws, last_row: int, last_col: int, header_rows: int = 1) -> None:
    """A3 landscape, one page wide, the header rows on every page, the used range as print area,
    the sheet name and page number in the footer."""
    ws.set_landscape()
    ws.set_paper(8)
    ws.fit_to_pages(1, 0)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.print_area(0, 0, last_row, last_col)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RPage &P of &N")


def _specs_sheet(w: _Writer, ws, specs: tuple[SpecRow, ...]) -> None:
    """The RFQ technical data: one row per BOM line and parameter, as an Excel table."""
    n = len(specs)
    widths = [_header_width(c) for c in SPEC_COLUMNS]
    ws.add_table(
        0,
        0,
        max(n, 1),
        len(SPEC_COLUMNS) - 1,
        {
            "name": "Specifications",
            "columns": [{"header": c, "header_format": w.header} for c in SPEC_COLUMNS],
            "style": "Table Style Light 9",
        },
    )
    for r, row in enumerate(specs, start=1):
        for c, text in enumerate(row):
            w.string(ws, r, c, text)
            widths[c] = max(widths[c], _text_width(text) + 2)
    _fit(ws, SPEC_COLUMNS, widths, [list(SPEC_COLUMNS), *(list(row) for row in specs)])
    ws.freeze_panes(1, 0)
    print_a3(ws, max(n, 1), len(SPEC_COLUMNS) - 1)


def _summary(w: _Writer, ws, proc: Procurement, data_rows: tuple[int, int], phase_totals) -> None:
    first, last = data_rows
    ext = f"BOM!${COL_EXT}${first}:${COL_EXT}${max(last, first)}"
    sys_rng = f"BOM!${COL_SYSTEM}${first}:${COL_SYSTEM}${max(last, first)}"
    origin_rng = f"BOM!${COL_ORIGIN}${first}:${COL_ORIGIN}${max(last, first)}"
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, max(26, _shown_width("Extended cost KRW", proc.total_krw, bold=True)))
    ws.set_column(2, 2, 36)
    ws.set_column(3, 3, 24)
    # The title starts with fixed text, so the campus name in it cannot act as a formula.
    ws.write_string(0, 0, f"Bill of materials: {proc.campus_name}", w.title)
    r = 2
    facts = [
        ("Campus id", proc.campus_id, None),
        ("Catalog version", proc.catalog_version, None),
        ("IT load (MW)", proc.it_mw, w.mw),
        ("Facility peak (MW)", proc.facility_mw, w.mw),
        ("GPUs", proc.gpus, w.qty_int),
        ("Racks", proc.racks, w.qty_int),
        ("BOM lines", len(proc.lines), w.qty_int),
    ]
    for label, value, fmt in facts:
        ws.write_string(r, 0, label, w.bold)
        if isinstance(value, str):
            w.string(ws, r, 1, value)
        else:
            ws.write_number(r, 1, value, fmt)
        r += 1
    total_cell = f"$B${r + 1}"
    ws.write_string(r, 0, "Total capex (KRW)", w.bold)
    ws.write_formula(r, 1, f"=SUM({ext})", w.krw_bold, proc.total_krw)
    r += 1
    dom_cell = f"$B${r + 1}"
    ws.write_string(r, 0, "Domestic supply (KRW)", w.bold)
    ws.write_formula(r, 1, f'=SUMIFS({ext},{origin_rng},"domestic")', w.krw, proc.domestic_krw)
    r += 1
    base_cell, base_dom_cell = total_cell, dom_cell
    if proc.share_scope == "facility":
        # Owner-furnished IT and network racks are outside the share's scope.
        minus = "".join(f'-SUMIFS({ext},{sys_rng},"{s}")' for s in OWNER_FURNISHED_SYSTEMS)
        minus_dom = "".join(f'-SUMIFS({ext},{sys_rng},"{s}",{origin_rng},"domestic")' for s in OWNER_FURNISHED_SYSTEMS)
        base_cell = f"$B${r + 1}"
        ws.write_string(r, 0, "Facility equipment, excl. IT and network (KRW)", w.bold)
        ws.write_formula(r, 1, f"={total_cell}{minus}", w.krw, proc.share_base_krw)
        r += 1
        base_dom_cell = f"$B${r + 1}"
        ws.write_string(r, 0, "Domestic facility equipment (KRW)", w.bold)
        ws.write_formula(r, 1, f"={dom_cell}{minus_dom}", w.krw, proc.share_domestic_krw)
        r += 1
    ws.write_string(r, 0, "Domestic share of BOM value", w.bold)
    ws.write_formula(r, 1, f"=IF({base_cell}=0,0,{base_dom_cell}/{base_cell})", w.pct, proc.domestic_share)
    w.string(ws, r, 2, f"scope: {proc.share_scope_label}")
    r += 1
    ws.write_string(r, 0, "Policy minimum domestic share", w.bold)
    ws.write_number(r, 1, proc.min_domestic_share, w.pct)
    r += 1
    below = proc.share_base_krw > 0 and proc.domestic_share < proc.min_domestic_share - 1e-12
    status = f"below minimum ({proc.enforcement})" if below else "meets minimum"
    ws.write_string(r, 0, "Domestic share status", w.bold)
    w.string(ws, r, 1, status)
    r += 1
    longest = proc.longest_lead()
    if longest is not None:
        ws.write_string(r, 0, "Longest lead time (weeks)", w.bold)
        ws.write_number(r, 1, longest.lead_weeks, w.weeks)
        w.string(ws, r, 2, longest.line_id)
        r += 1
    w.string(ws, r, 0, "Costs are planning estimates from the catalog, not quotes.")
    r += 2

    ws.write_string(r, 0, "Capex by system", w.head)
    ws.write_string(r, 1, "Capex KRW", w.head)
    ws.write_string(r, 2, "Share", w.head)
    r += 1
    for system, value in proc.capex_by_system().items():
        w.string(ws, r, 0, system)
        ws.write_formula(r, 1, f"=SUMIFS({ext},{sys_rng},A{r + 1})", w.krw, value)
        ws.write_formula(
            r, 2, f"=IF({total_cell}=0,0,B{r + 1}/{total_cell})", w.pct, value / proc.total_krw if proc.total_krw else 0
        )
        r += 1
    r += 1
    ws.write_string(r, 0, "Capex by phase", w.head)
    ws.write_string(r, 1, "Capex KRW", w.head)
    ws.write_string(r, 2, "Year", w.head)
    ws.write_string(r, 3, "Sheet", w.head)
    r += 1
    for plan, sheet, n, total in phase_totals:
        w.string(ws, r, 0, plan.id)
        rng = f"{_quoted(sheet)}!${COL_EXT}$2:${COL_EXT}${max(n + 1, 2)}"
        ws.write_formula(r, 1, f"=SUM({rng})", w.krw, total)
        ws.write_number(r, 2, plan.year)
        w.string(ws, r, 3, sheet)
        r += 1
    print_a3(ws, r, 3, header_rows=0)
