"""Build-out phases (HUB5xx): a hall is not energized before the plant that feeds it, copies
add up, phases run forward in time."""

from __future__ import annotations

from collections.abc import Iterator

from hubc.checks import Ctx
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, Severity


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    if not s.phase:
        return
    # Year each plant item is energized (first phase that names it).
    energized: dict[str, tuple[int, int, int]] = {}
    for i, ph in enumerate(s.phase):
        for j, ident in enumerate(ph.energize):
            if ident not in energized or ph.year < energized[ident][0]:
                energized[ident] = (ph.year, i, j)

    sub = s.substation.id
    for i, ph in enumerate(s.phase):
        for j, ph_hall in enumerate(ph.halls):
            path = ("phase", i, "halls", j, "hall")
            if sub not in energized:
                yield diag(
                    "HUB501",
                    f'phase "{ph.id}" energizes {ph_hall.hall} but no phase energizes substation "{sub}" that feeds it',
                    ctx.at(*path),
                    path,
                    help=f'add "{sub}" to the `energize` list of this phase or an earlier one',
                )
            elif energized[sub][0] > ph.year:
                year, pi, pj = energized[sub]
                yield diag(
                    "HUB501",
                    f'phase "{ph.id}" energizes {ph_hall.hall} in {ph.year}, before substation "{sub}" '
                    f"that feeds it ({year})",
                    ctx.at(*path),
                    path,
                    help="energize the substation in the same phase or an earlier one",
                    related=((ctx.at("phase", pi, "energize", pj), "substation energized here"),),
                )
    # The substation needs its lines.
    if sub in energized:
        year, pi, pj = energized[sub]
        for t in s.transmission:
            if t.id not in energized or energized[t.id][0] > year:
                yield diag(
                    "HUB501",
                    f'substation "{sub}" is energized in {year} before line "{t.id}" that supplies it',
                    ctx.at("phase", pi, "energize", pj),
                    ("phase", pi, "energize", pj),
                    help=f'energize "{t.id}" in the same phase or an earlier one',
                )

    # Copies add up to what each hall declares.
    for hi, hall in enumerate(s.hall):
        total = 0
        places = []
        for i, ph in enumerate(s.phase):
            for j, ph_hall in enumerate(ph.halls):
                if ph_hall.hall == hall.id:
                    total += ph_hall.copies if ph_hall.copies is not None else hall.copies
                    places.append(("phase", i, "halls", j))
        if total > hall.copies:
            last = places[-1]
            yield diag(
                "HUB502",
                f"phases energize {total} copies of {hall.id}, which has {hall.copies}",
                ctx.at(*last),
                last,
                help="give each phase's `copies` so they add up to the hall's copies",
                related=((ctx.at("hall", hi, "copies"), "copies declared here"),),
            )
        elif total < hall.copies:
            yield diag(
                "HUB502",
                f"{hall.copies - total} of {hall.copies} copies of {hall.id} are in no phase, so they never energize",
                ctx.at("hall", hi, "copies"),
                ("hall", hi, "copies"),
                severity=Severity.WARNING,
                help="add them to a phase, or lower `copies`",
            )

    for i, ph in enumerate(s.phase):
        if ph.year < s.campus.start_year:
            yield diag(
                "HUB503",
                f'phase "{ph.id}" ({ph.year}) is before the campus start year {s.campus.start_year}',
                ctx.at("phase", i, "year"),
                ("phase", i, "year"),
                help="move the phase, or the campus start_year",
            )
        if i and ph.year < s.phase[i - 1].year:
            yield diag(
                "HUB503",
                f'phase "{ph.id}" ({ph.year}) is listed after "{s.phase[i - 1].id}" ({s.phase[i - 1].year})',
                ctx.at("phase", i, "year"),
                ("phase", i, "year"),
                help="list phases in energization order",
            )
