"""The report's capex pages: capex by part, cash flow by year, the procurement timeline, and
the tables of what the estimate includes and leaves out.

In: the finished `Design` (its `procurement`). Out: `capex_section(design)`, one HTML
fragment (a <section>, or "" without a priced design) that `hubc.emit.report` places among the
investment sections. Every text in it, the SVGs' labels included, is escaped here.
"""

from __future__ import annotations

import datetime
import html
from typing import TYPE_CHECKING

from hubc.procurement.capex import PART_NAMES

if TYPE_CHECKING:
    from hubc.design import Design
    from hubc.procurement.schedule import Schedule

LATE, LEAD, INSTALL, PHASE = "#c0392b", "#1f6f8b", "#81b29a", "#3d405b"


def _x(d: datetime.date, start: datetime.date, days: int, left: float, width: float) -> float:
    return left + width * (d - start).days / max(days, 1)


def timeline_svg(schedule: Schedule, n_items: int = 12) -> str:
    """Phases (order of their first line to energisation) and the longest-lead items (lead time,
    then installation), with the as-of date; late items in red."""
    iso = datetime.date.fromisoformat
    items = schedule.long_lead(n_items)
    as_of = iso(schedule.as_of)
    dates = [as_of, *(iso(p.first_order_by) for p in schedule.phases), *(iso(p.energize_on) for p in schedule.phases)]
    dates += [iso(r.order_by) for r in items]
    start = datetime.date(min(dates).year, 1, 1)
    end = datetime.date(max(dates).year + 1, 1, 1)
    days = (end - start).days
    left, width, bar_h, gap = 350, 520, 16, 6
    rows = len(schedule.phases) + len(items)
    height = 60 + rows * (bar_h + gap)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 40} {height}" width="{left + width + 40}" '
        f'height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img" '
        'aria-label="Procurement timeline">',
        '<text x="0" y="14" font-size="14" font-weight="bold">Procurement timeline: phases and long-lead items</text>',
    ]
    for year in range(start.year, end.year + 1):
        x = _x(datetime.date(year, 1, 1), start, days, left, width)
        out.append(f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="{height - 10}" stroke="#ddd"/>')
        if year < end.year:
            out.append(f'<text x="{x + 2:.1f}" y="34" fill="#666">{year}</text>')
    y = 42
    for p in schedule.phases:
        x0, x1 = (_x(iso(d), start, days, left, width) for d in (p.first_order_by, p.energize_on))
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-weight="bold">'
                   f'{html.escape(p.phase)} energizes {html.escape(p.energize_on)}</text>')
        out.append(f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" height="{bar_h - 8}" fill="{PHASE}"/>')
        out.append(f'<path d="M{x1:.1f} {y} l6 {bar_h / 2} l-6 {bar_h / 2} l-6 -{bar_h / 2} z" fill="{PHASE}"/>')
        y += bar_h + gap
    for r in items:
        x0, x1, x2 = (_x(iso(d), start, days, left, width) for d in (r.order_by, r.delivery_by, r.energize_on))
        colour = LATE if r.late_days > 0 else LEAD
        name = r.line_id if len(r.line_id) <= 40 else r.line_id[:39] + "…"
        label = f"{name} ({r.phase})" + (f", {r.late_days} d late" if r.late_days > 0 else "")
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end"'
                   f'{" fill=" + chr(34) + LATE + chr(34) if r.late_days > 0 else ""}>{html.escape(label)}</text>')
        out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" fill="{colour}">'
                   f'<title>order by {html.escape(r.order_by)}, {r.lead_weeks:g} weeks lead</title></rect>')
        out.append(f'<rect x="{x1:.1f}" y="{y}" width="{max(x2 - x1, 0):.1f}" height="{bar_h}" fill="{INSTALL}"/>')
        y += bar_h + gap
    xa = _x(as_of, start, days, left, width)
    out.append(f'<line x1="{xa:.1f}" y1="24" x2="{xa:.1f}" y2="{height - 10}" stroke="{LATE}" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{xa + 3:.1f}" y="{height - 2}" fill="{LATE}">as of {html.escape(schedule.as_of)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _table(heading: str, rows: list[dict]) -> str:
    """An HTML table with its heading; every cell escaped, numbers right-aligned."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{v:,}</td>' if isinstance(v, (int, float)) else f"<td>{html.escape(str(v))}</td>"
            for v in row.values()
        ) + "</tr>"
        for row in rows
    )
    return f"<h3>{html.escape(heading)}</h3><table><tr>{head}</tr>{body}</table>"


def _chart(caption: str, svg: str, href: str) -> str:
    if not svg:
        return ""
    return (f'<figure class="chart"><figcaption>{html.escape(caption)}<a href="{html.escape(href)}">'
            f"{html.escape(href)}</a></figcaption>{svg}</figure>")


def capex_tables(design: Design) -> list[tuple[str, list[dict]]]:
    """(heading, rows): capex by part, cash flow by year, the per-MW check, included / excluded."""
    proc = design.procurement
    c, cash = proc.capex, proc.cash_flow
    rate = c.krw_per_usd
    b = c.benchmark
    return [
        ("Capex by part (estimate)", [
            {"Part": PART_NAMES[p], "bn KRW": round(v / 1e9, 2), "M USD": round(v / rate / 1e6, 1),
             "Share": f"{v / c.total_krw:.1%}" if c.total_krw else ""}
            for p, v in c.by_part().items()
        ]),
        ("Capex cash flow by year (bn KRW)", [
            {"Year": str(y), **{PART_NAMES[p]: round(ps.get(p, 0) / 1e9, 2) for p in c.by_part()}, "Total": round(t / 1e9, 2)}
            for y, ps, t in cash.table()
        ]),
        ("Capex per MW IT against published construction cost guides", [
            {"Scope": b.scope, "USD per MW IT": f"{b.usd_per_mw_it / 1e6:,.1f} M",
             "Published range": f"{b.low_usd_per_mw / 1e6:,.1f}-{b.high_usd_per_mw / 1e6:,.1f} M", "Finding": b.note,
             "Sources": b.basis},
        ]),
        ("What the capex includes and leaves out", [
            {"Included": inc, "Excluded": exc} for inc, exc in _pairs(c.included, c.excluded)
        ]),
    ]


def capex_section(design: Design) -> str:
    """The report's capex section (HTML, its own text escaped): charts of capex by part and cash
    flow by year, the procurement timeline, and the capex tables; "" without a priced design."""
    from hubc.emit.report import bar_chart_svg

    proc = design.procurement
    if proc is None or proc.capex is None or proc.schedule is None or proc.cash_flow is None:
        return ""
    c, cash = proc.capex, proc.cash_flow
    parts = [(PART_NAMES[p], v) for p, v in c.by_part().items()]
    years = [(str(y), float(t)) for y, _, t in cash.table()]
    charts = [
        _chart("Capex by part", bar_chart_svg("Capex by part (estimate)", parts), "capex.csv"),
        _chart("Cash flow by year", bar_chart_svg("Capex cash flow by year (estimate)", years), "cashflow.csv"),
        _chart("Procurement timeline", timeline_svg(proc.schedule), "schedule.csv"),
    ]
    tables = "".join(_table(h, rows) for h, rows in capex_tables(design))
    note = (f"Complete capex: {html.escape(', '.join(c.included[:-1]))}. USD at {c.krw_per_usd:,.0f} KRW/USD "
            f"({html.escape(c.fx_basis)}). Order-by dates as of {html.escape(proc.schedule.as_of)} "
            f"({html.escape(proc.schedule.as_of_basis)}).")
    return (f'<section id="capex-case"><h2>Capex, cash flow and procurement schedule (estimate)</h2>'
            f'<p class="note">{note}</p>{"".join(charts)}{tables}</section>')


def _pairs(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[str, str]]:
    n = max(len(a), len(b))
    return [(a[i] if i < len(a) else "", b[i] if i < len(b) else "") for i in range(n)]
