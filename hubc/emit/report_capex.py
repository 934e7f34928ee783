"""The report's capex pages: capex by part, cash flow by year, the procurement timeline, and
the tables of what the estimate includes and leaves out.

In: the finished `Design` (its `procurement`). Out: (sections, tables) in the shapes
`hubc.emit.report` renders: sections are (heading, [(name, svg, file)]), tables (heading,
[row dicts]). Every label in the SVGs is escaped here.
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


def capex_sections(design: Design) -> tuple[list, list]:
    """(sections, tables) for the report: charts of capex by part and cash flow by year, the
    timeline; the capex parts, cash flow, included/excluded and benchmark tables."""
    import markupsafe

    from hubc.emit.report import bar_chart_svg

    proc = design.procurement
    if proc is None or proc.capex is None or proc.schedule is None or proc.cash_flow is None:
        return [], []
    c, cash = proc.capex, proc.cash_flow
    parts = [(PART_NAMES[p], v) for p, v in c.by_part().items()]
    years = [(str(y), float(t)) for y, _, t in cash.table()]
    charts = [
        ("capex by part", markupsafe.Markup(bar_chart_svg("Capex by part (estimate)", parts)), "capex.csv"),
        ("cash flow by year", markupsafe.Markup(bar_chart_svg("Capex cash flow by year (estimate)", years)), "cashflow.csv"),
        ("procurement timeline", markupsafe.Markup(timeline_svg(proc.schedule)), "schedule.csv"),
    ]
    rate = c.krw_per_usd
    tables = [
        ("Capex by part (estimate)", [
            {"Part": PART_NAMES[p], "bn KRW": round(v / 1e9, 2), "M USD": round(v / rate / 1e6, 1),
             "Share": f"{v / c.total_krw:.1%}" if c.total_krw else ""}
            for p, v in c.by_part().items()
        ]),
        ("Capex cash flow by year (bn KRW)", [
            {"Year": y, **{PART_NAMES[p]: round(ps.get(p, 0) / 1e9, 2) for p in c.by_part()}, "Total": round(t / 1e9, 2)}
            for y, ps, t in cash.table()
        ]),
        ("Capex per MW against published guides", [
            {"Scope": c.benchmark.scope, "USD per MW IT": f"{c.benchmark.usd_per_mw_it / 1e6:,.1f} M",
             "Published range": f"{c.benchmark.low_usd_per_mw / 1e6:,.1f}-{c.benchmark.high_usd_per_mw / 1e6:,.1f} M",
             "Finding": c.benchmark.note, "Sources": c.benchmark.basis},
        ]),
        ("What the capex includes and leaves out", [
            {"Included": inc, "Excluded": exc}
            for inc, exc in _pairs(c.included, c.excluded)
        ]),
    ]
    return [("Capex, cash flow and schedule (estimate)", [ch for ch in charts if str(ch[1])])], tables


def _pairs(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[str, str]]:
    n = max(len(a), len(b))
    return [(a[i] if i < len(a) else "", b[i] if i < len(b) else "") for i in range(n)]
