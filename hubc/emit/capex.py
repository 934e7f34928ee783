"""Capex, cash flow and procurement schedule as files and workbook sheets.

In: `Procurement` (its `capex`, `schedule`, `cash_flow` and the lines' phase split). Out:
`capex.csv` (every capex part, the equipment by system and everything else, with its phase
amounts), `bom-phases.csv` (one row per BOM line and phase: quantity and cost, adding up to the
line), `cashflow.csv` (KRW and USD per year, phase and part), `schedule.csv` (order-by and
delivery-by dates per line and phase), and the bom.xlsx sheets "Capex", "Cash flow" and
"Schedule" with the same rows.
"""

from __future__ import annotations

from hubc.emit.safe import csv_bytes
from hubc.procurement.bom import Procurement
from hubc.procurement.capex import PART_NAMES

CAPEX_COLUMNS = ("Part", "Item", "Description", "Quantity", "Unit", "Rate KRW", "Cost KRW", "Cost USD", "Phases",
                 "Estimate", "Source and basis")
PHASE_COLUMNS = ("Line id", "Phase", "Energize on", "Order by", "Qty", "Unit", "Extended cost KRW")
CASH_COLUMNS = ("Year", "Phase", "Part", "KRW", "USD")
SCHEDULE_COLUMNS = ("Line id", "Family", "Phase", "Qty", "Lead time (weeks)", "Installation (weeks)", "Energize on",
                    "Delivery by", "Order by", "Days late")


def _usd(krw: int, rate: float) -> float:
    return round(krw / rate, 0)


def capex_rows(proc: Procurement) -> list[list]:
    c = proc.capex
    rows = []
    for i in c.items:
        phases = "; ".join(f"{pid}: {krw}" for pid, krw in i.phases if krw)
        rows.append([PART_NAMES[i.part], i.id, i.description, i.quantity, i.unit, i.rate_krw, i.cost_krw,
                     _usd(i.cost_krw, c.krw_per_usd), phases, "estimate" if i.estimate else "", i.basis])
    rows.append(["Total", "total", "Total capex", 1, "lot", 0, c.total_krw, _usd(c.total_krw, c.krw_per_usd), "", "",
                 f"KRW/USD {c.krw_per_usd:,.0f}: {c.fx_basis}"])
    return rows


def phase_rows(proc: Procurement) -> list[list]:
    sched = {(r.line_id, r.phase): r for r in proc.schedule.rows} if proc.schedule else {}
    on = {p.phase: p.energize_on for p in proc.schedule.phases} if proc.schedule else {}
    rows = []
    for line in proc.lines:
        for pid, qty, cost in line.phases:
            row = sched.get((line.line_id, pid))
            rows.append([line.line_id, pid, on.get(pid, ""), row.order_by if row else "",
                         int(qty) if float(qty).is_integer() else qty, line.unit, cost])
    return rows


def cash_rows(proc: Procurement) -> list[list]:
    rate = proc.capex.krw_per_usd
    return [[r.year, r.phase, PART_NAMES.get(r.part, r.part), r.krw, _usd(r.krw, rate)] for r in proc.cash_flow.rows]


def schedule_rows(proc: Procurement) -> list[list]:
    return [
        [r.line_id, r.family, r.phase, int(r.quantity) if float(r.quantity).is_integer() else r.quantity,
         r.lead_weeks, r.install_weeks, r.energize_on, r.delivery_by, r.order_by, r.late_days]
        for r in proc.schedule.rows
    ]


def emit_capex_csvs(proc: Procurement) -> dict[str, bytes]:
    if proc.capex is None or proc.schedule is None or proc.cash_flow is None:
        return {}
    return {
        "capex.csv": csv_bytes(CAPEX_COLUMNS, capex_rows(proc), bom=True),
        "bom-phases.csv": csv_bytes(PHASE_COLUMNS, phase_rows(proc), bom=True),
        "cashflow.csv": csv_bytes(CASH_COLUMNS, cash_rows(proc), bom=True),
        "schedule.csv": csv_bytes(SCHEDULE_COLUMNS, schedule_rows(proc), bom=True),
    }


def _number_width(v: float) -> float:
    """Characters a number needs as the sheet shows it: #,##0 when whole, else #,##0.000."""
    return len(f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3f}") + 2


def add_capex_sheets(wb, writer, proc: Procurement) -> None:
    """The "Capex", "Cash flow" and "Schedule" sheets of bom.xlsx (values), laid out like the
    BOM sheet for an A3 printout: long text wraps in capped columns, rows as tall as their text."""
    from hubc.emit.bom import _fit, _header_width, _text_width, print_a3

    if proc.capex is None or proc.schedule is None or proc.cash_flow is None:
        return
    whole = wb.add_format({"num_format": "#,##0", "valign": "top"})
    frac = wb.add_format({"num_format": "#,##0.000", "valign": "top"})
    for name, columns, rows in (
        ("Capex", CAPEX_COLUMNS, capex_rows(proc)),
        ("Cash flow", CASH_COLUMNS, cash_rows(proc)),
        ("Schedule", SCHEDULE_COLUMNS, schedule_rows(proc)),
    ):
        ws = wb.add_worksheet(name)
        widths = [_header_width(c) for c in columns]
        texts = [list(columns)]
        for c, title in enumerate(columns):
            ws.write_string(0, c, title, writer.header)
        for r, row in enumerate(rows, start=1):
            shown = []
            for c, v in enumerate(row):
                if isinstance(v, (int, float)):
                    ws.write_number(r, c, v, whole if float(v).is_integer() else frac)
                    widths[c] = max(widths[c], _number_width(v))
                    shown.append("")
                else:
                    writer.string(ws, r, c, str(v))
                    widths[c] = max(widths[c], _text_width(str(v)) + 2)
                    shown.append(str(v))
            texts.append(shown)
        _fit(ws, columns, widths, texts)
        ws.freeze_panes(1, 0)
        print_a3(ws, max(len(rows), 1), len(columns) - 1)
