"""Capex cash flow by phase and year.

In: the BOM lines (each phase's share), the capex items beyond the equipment (`Capex`), the
schedule's dates and the catalog's payment milestones. Out: `CashFlow`, rows of (year, phase,
part, KRW) adding up to the capex total exactly.

Equipment is paid by milestones of its family (order / delivery / commissioning shares of the
phase's cost, catalog capex.toml): at the order-by date (the as-of date when that has passed),
the delivery-by date and the phase's energisation. Every other item is paid evenly over its
phase's construction window (the catalog's construction weeks up to the energisation, from the
as-of date at the earliest), split by days per calendar year; land, permits and studies at the
start of the window.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import attrs

from hubc.catalog.capex import CapexCatalog
from hubc.catalog.pricing import round_won
from hubc.core.derived import derived
from hubc.procurement.capex import Capex, split_won
from hubc.procurement.schedule import Schedule

UP_FRONT = ("land", "soft/grid-impact-assessment", "soft/environmental-impact", "soft/small-environmental-review",
            "soft/building-permit", "soft/geotechnical-survey")


@attrs.frozen(kw_only=True)
class CashFlowRow:
    year: int
    phase: str
    part: str
    krw: int


@attrs.frozen(kw_only=True)
class CashFlow:
    rows: tuple[CashFlowRow, ...]
    total_krw: int
    basis: str

    @derived
    def by_year(self) -> dict[str, int]:
        """Year -> KRW (keys are years as text, JSON object keys)."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[str(r.year)] = out.get(str(r.year), 0) + r.krw
        return dict(sorted(out.items()))

    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    def table(self) -> list[tuple[int, dict[str, int], int]]:
        """(year, part -> KRW, total) per year, for the CSV and the report."""
        out = []
        for y in self.years():
            parts: dict[str, int] = {}
            for r in self.rows:
                if r.year == y:
                    parts[r.part] = parts.get(r.part, 0) + r.krw
            out.append((y, parts, sum(parts.values())))
        return out


def _date(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)


def _spread(krw: int, start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    """(year, KRW) for an amount paid evenly from `start` to `end`, by days in each year."""
    if end <= start:
        return [(end.year, krw)]
    weights = []
    for year in range(start.year, end.year + 1):
        lo = max(start, datetime.date(year, 1, 1))
        hi = min(end, datetime.date(year + 1, 1, 1))
        weights.append((str(year), float((hi - lo).days)))
    return [(int(y), k) for y, k in split_won(krw, weights)]


def _equipment_payments(lines, schedule: Schedule, cat: CapexCatalog) -> list[tuple[int, str, int]]:
    as_of = _date(schedule.as_of)
    dates = {(r.line_id, r.phase): r for r in schedule.rows}
    out = []
    for line in lines:
        m = cat.milestones_of(line.family)
        for pid, qty, cost in line.phases:
            row = dates.get((line.line_id, pid))
            if row is None or cost == 0:
                if cost:
                    out.append((int(schedule.as_of[:4]), pid, cost))
                continue
            order = round_won(cost * m.order)
            delivery = round_won(cost * (m.order + m.delivery)) - order
            out += [
                (max(_date(row.order_by), as_of).year, pid, order),
                (_date(row.delivery_by).year, pid, delivery),
                (_date(row.energize_on).year, pid, cost - order - delivery),
            ]
    return out


def build_cash_flow(lines, capex: Capex, schedule: Schedule, cat: CapexCatalog) -> CashFlow:
    energize = {p.phase: _date(p.energize_on) for p in schedule.phases}
    weeks = datetime.timedelta(days=round(cat.construction_weeks * 7))
    acc: dict[tuple[int, str, str], int] = {}

    def add(year: int, phase: str, part: str, krw: int) -> None:
        if krw:
            acc[(year, phase, part)] = acc.get((year, phase, part), 0) + krw

    for year, pid, krw in _equipment_payments(lines, schedule, cat):
        add(year, pid, "equipment", krw)
    as_of = _date(schedule.as_of)
    for item in capex.items:
        if item.part == "equipment":
            continue
        for pid, krw in item.phases:
            # what the plan would have spent before the as-of date is spent from it on
            end = max(energize.get(pid, as_of), as_of)
            start = max(end - weeks, as_of)
            if item.id in UP_FRONT:
                add(start.year, pid, item.part, krw)
                continue
            for year, part_krw in _spread(krw, start, end):
                add(year, pid, item.part, part_krw)
    rows = tuple(
        CashFlowRow(year=y, phase=p, part=part, krw=k) for (y, p, part), k in sorted(acc.items(), key=_order)
    )
    return CashFlow(rows=rows, total_krw=sum(r.krw for r in rows), basis=f"{cat.milestones_cited.label}; {cat.timing_cited.label}")


def _order(kv) -> tuple:
    from hubc.procurement.capex import PARTS

    (year, phase, part), _ = kv
    return (year, phase, PARTS.index(part) if part in PARTS else len(PARTS))


def phase_sums(rows: Sequence[CashFlowRow]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.phase] = out.get(r.phase, 0) + r.krw
    return out
