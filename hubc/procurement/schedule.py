"""Procurement schedule: when each BOM line must be ordered for the phase that first needs it.

In: the priced BOM lines with their phase split, the phase plans (energisation on the first day
of `phase.month` of `phase.year`; a spec without phases: January of `campus.start_year`), the
catalog's installation and commissioning weeks per family, and the "as of" date
(`[procurement] as_of`, else the day of the build, which `HUBC_TODAY` pins). Out: `Schedule`,
one row per (line, phase) with quantity: order-by = energisation - lead time - installation and
commissioning, delivery-by = energisation - installation and commissioning; and HUB624 for every
phase with a line whose order-by date is before the as-of date (a warning, or an error when
`[procurement] late_orders = "error"`), at the phase's line in the spec.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import attrs

from hubc.catalog.capex import CapexCatalog
from hubc.codes import diag
from hubc.core.clock import today
from hubc.core.derived import derived
from hubc.diagnostics import Diagnostic, Location, Severity
from hubc.procurement.phases import UNPHASED, PhasePlan
from hubc.spec.model import Spec


@attrs.frozen(kw_only=True)
class PhaseDate:
    phase: str
    energize_on: str  # ISO date
    long_lead_line: str  # the phase's line with the longest lead + installation
    first_order_by: str  # its earliest order-by date


@attrs.frozen(kw_only=True)
class ScheduleRow:
    line_id: str
    family: str
    phase: str
    quantity: float
    lead_weeks: float
    install_weeks: float
    energize_on: str
    delivery_by: str
    order_by: str
    late_days: int  # as-of minus order-by, when positive: the order is that many days late


@attrs.frozen(kw_only=True)
class Schedule:
    as_of: str
    as_of_basis: str
    late_orders: str  # "warn" or "error"
    phases: tuple[PhaseDate, ...]
    rows: tuple[ScheduleRow, ...]

    @derived
    @property
    def late_lines(self) -> int:
        return sum(1 for r in self.rows if r.late_days > 0)

    @derived
    @property
    def first_energization(self) -> str:
        return min((p.energize_on for p in self.phases), default="")

    def long_lead(self, n: int = 12) -> tuple[ScheduleRow, ...]:
        """The `n` rows with the earliest order-by dates (the timeline chart's items)."""
        return tuple(sorted(self.rows, key=lambda r: (r.order_by, r.line_id, r.phase))[:n])


def energize_dates(spec: Spec, plans: Sequence[PhasePlan]) -> dict[str, datetime.date]:
    """Phase id -> energisation date (the unphased rest: with the last phase)."""
    out = {p.id: datetime.date(p.year, 1, 1) for p in plans}
    for ph in spec.phase:
        out[ph.id] = datetime.date(ph.year, ph.month, 1)
    if UNPHASED in out and spec.phase:
        out[UNPHASED] = max(out[ph.id] for ph in spec.phase)
    return out


def as_of_date(spec: Spec) -> tuple[datetime.date, str]:
    if spec.procurement.as_of is not None:
        return spec.procurement.as_of, "spec procurement.as_of"
    return today(), "the day of the build (set procurement.as_of to pin it)"


def _weeks(d: datetime.date, weeks: float) -> datetime.date:
    return d - datetime.timedelta(days=round(weeks * 7))


def build_schedule(spec: Spec, lines, plans: Sequence[PhasePlan], cat: CapexCatalog) -> Schedule:
    dates = energize_dates(spec, plans)
    as_of, basis = as_of_date(spec)
    rows = []
    for line in lines:
        install = cat.install(line.family).weeks
        for pid, qty, _ in line.phases:
            if qty <= 0:
                continue
            on = dates[pid]
            order_by = _weeks(on, line.lead_weeks + install)
            rows.append(
                ScheduleRow(
                    line_id=line.line_id,
                    family=line.family,
                    phase=pid,
                    quantity=qty,
                    lead_weeks=line.lead_weeks,
                    install_weeks=install,
                    energize_on=on.isoformat(),
                    delivery_by=_weeks(on, install).isoformat(),
                    order_by=order_by.isoformat(),
                    late_days=max(0, (as_of - order_by).days),
                )
            )
    rows.sort(key=lambda r: (r.order_by, r.line_id, r.phase))
    phases = []
    for p in plans:
        mine = [r for r in rows if r.phase == p.id]
        first = mine[0] if mine else None
        phases.append(
            PhaseDate(
                phase=p.id,
                energize_on=dates[p.id].isoformat(),
                long_lead_line=first.line_id if first else "",
                first_order_by=first.order_by if first else dates[p.id].isoformat(),
            )
        )
    return Schedule(
        as_of=as_of.isoformat(),
        as_of_basis=basis,
        late_orders=spec.procurement.late_orders,
        phases=tuple(phases),
        rows=tuple(rows),
    )


def _phase_location(spec: Spec, source, phase_id: str) -> tuple[Location, tuple]:
    """The phase's `year` in the spec; without phases, `campus.start_year` (or the campus table
    when the start year is the default)."""
    index = next((i for i, ph in enumerate(spec.phase) if ph.id == phase_id), None)
    if index is None and spec.phase:  # the unphased rest energizes with the last phase
        index = len(spec.phase) - 1
    path: tuple = ("phase", index, "year") if index is not None else ("campus", "start_year")
    if source is None:
        return Location(file="spec"), path
    if source.positions.value(path) is None:
        return source.at_key(("campus",)), ("campus",)
    return source.at_value(path), path


def late_order_diagnostics(schedule: Schedule, spec: Spec, source) -> list[Diagnostic]:
    """HUB624 per phase that has lines whose order-by date is before the as-of date."""
    out = []
    severity = Severity.ERROR if schedule.late_orders == "error" else Severity.WARNING
    for ph in schedule.phases:
        late = sorted((r for r in schedule.rows if r.phase == ph.phase and r.late_days > 0),
                      key=lambda r: (-r.late_days, r.line_id))
        if not late:
            continue
        loc, path = _phase_location(spec, source, ph.phase)
        worst = late[0]
        shown = ", ".join(f"{r.line_id} (order by {r.order_by}, {r.lead_weeks:g}+{r.install_weeks:g} weeks)"
                          for r in late[:3])
        more = f" and {len(late) - 3} more" if len(late) > 3 else ""
        out.append(
            diag(
                "HUB624",
                f"phase {ph.phase} energizes on {ph.energize_on} but {len(late)} BOM line(s) should have been ordered "
                f"before {schedule.as_of}: {shown}{more}",
                loc,
                path,
                help=f"the latest, {worst.line_id}, is {worst.late_days} days late: move the phase later (phase year "
                "and month), choose shorter-lead equipment, or record a quoted lead time through [catalog] files",
                notes=tuple(f"{r.line_id}: order by {r.order_by}, {r.late_days} days before {schedule.as_of}"
                            for r in late),
                severity=severity,
            )
        )
    return out
