"""BOM outputs: `bom.xlsx` (XlsxWriter, in memory) and `bom.csv` (the same lines).

In: `Procurement` and the spec. Out: {"bom.xlsx": bytes, "bom.csv": bytes}.
The workbook has a Summary sheet (loads, capex by system and phase, domestic share), a BOM
sheet with one row per line item as an Excel table (autofilter, frozen header, number formats,
widths, a total row), and one sheet per build-out phase. Every extended cost and total is a
formula (ROUND(qty x unit cost), SUBTOTAL, SUMIFS) over plain A1 ranges that Excel and
LibreOffice recompute, with the value hubc computed stored as the cached result.
Bytes are deterministic: XlsxWriter's in-memory mode stamps zip members 1980-01-01 and the
document's created date is pinned, so the same design gives the same file.
"""

from __future__ import annotations

import datetime
import io
import re

from hubc import __version__
from hubc.emit.safe import csv_bytes, is_formula_like
from hubc.procurement.bom import OWNER_FURNISHED_SYSTEMS, BomLine, Procurement

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


def emit_bom(proc: Procurement, spec=None) -> dict[str, bytes]:
    from hubc.emit.capex import emit_capex_csvs

    # capex.csv, bom-phases.csv, cashflow.csv, schedule.csv
    return {"bom.xlsx": bom_xlsx(proc), "bom.csv": bom_csv(proc), **emit_capex_csvs(proc)}


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
        self.text = wb.add_format({"valign": "top"})
        # Excel's quote prefix keeps formula-like text as text, also after editing the cell.
        self.text_quoted = wb.add_format({"valign": "top", "quote_prefix": True})
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


def bom_xlsx(proc: Procurement) -> bytes:
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
    widths = [len(c) + 2 for c in COLUMNS]
    ext_range = f"{COL_EXT}2:{COL_EXT}{n + 1}" if n else f"{COL_EXT}2:{COL_EXT}2"
    columns = []
    for name in COLUMNS:
        col: dict = {"header": name}
        if name == "Line id":
            col["total_string"] = "Total"
        elif name == "Extended cost KRW":
            # A plain range (not a structured reference) so every spreadsheet recomputes it.
            col["total_function"] = f"SUBTOTAL(109,{ext_range})"
            col["total_value"] = total
            col["format"] = w.krw_bold
        columns.append(col)
    # Printed by a buyer: A3 landscape, all columns on one page width, header on every page.
    ws.set_landscape()
    ws.set_paper(8)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    # The table spans header, data (at least one row) and the total row.
    ws.add_table(
        0,
        0,
        max(n, 1) + 1,
        len(COLUMNS) - 1,
        {"name": table, "columns": columns, "total_row": True, "style": "Table Style Light 9"},
    )
    for i, (line, qty, extended) in enumerate(rows):
        r = i + 1
        values = _row(line, qty, extended)
        for c, v in enumerate(values):
            name = COLUMNS[c]
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
            shown = f"{v:,.0f}" if isinstance(v, (int, float)) else str(v)
            widths[c] = max(widths[c], len(shown) + 2)
    for c, width in enumerate(widths):
        ws.set_column(c, c, min(width, 60))
    ws.freeze_panes(1, 0)


def _summary(w: _Writer, ws, proc: Procurement, data_rows: tuple[int, int], phase_totals) -> None:
    first, last = data_rows
    ext = f"BOM!${COL_EXT}${first}:${COL_EXT}${max(last, first)}"
    sys_rng = f"BOM!${COL_SYSTEM}${first}:${COL_SYSTEM}${max(last, first)}"
    origin_rng = f"BOM!${COL_ORIGIN}${first}:${COL_ORIGIN}${max(last, first)}"
    ws.set_column(0, 0, 46)
    ws.set_column(1, 3, 22)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
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
    ws.write_string(r, 0, "Costs are planning estimates from the catalog, not quotes.")
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
