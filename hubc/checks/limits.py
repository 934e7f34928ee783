"""Problem size within hubc's tractability limits (HUB015).

The build's work grows with slots per hall (placement), distinct halls and copies (placement
models, the electrical network), renewables (LP columns) and every other list; a spec beyond
the limits in `[limits]` of the catalog's rules is refused here, at `check`, before any stage
starts work proportional to it. Strings are limited too (descriptions, names and paths reach
every output). Ids have their own, shorter limit (HUB103, `checks/refs.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from hubc.checks import Ctx
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, format_path
from hubc.spec.limits import limits


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    lim = limits()
    for i, hall in enumerate(s.hall):
        h = ("hall", i)
        slots = hall.rows * hall.slots_per_row
        if slots > lim.slots_per_hall_max:
            yield diag(
                "HUB015",
                f"{hall.id} has {hall.rows:,} rows x {hall.slots_per_row:,} slots = {slots:,} slots; hubc places at "
                f"most {lim.slots_per_hall_max:,} slots per hall",
                ctx.at(*h, "slots_per_row"),
                h + ("slots_per_row",),
                related=((ctx.at(*h, "rows"), "rows"),),
                help="check the numbers; a larger building is several halls (use `copies` for identical ones)",
            )
    total = sum(hall.copies for hall in s.hall)
    if total > lim.hall_copies_total_max:
        last = len(s.hall) - 1
        yield diag(
            "HUB015",
            f"the campus has {total:,} halls in all (copies included); hubc designs at most "
            f"{lim.hall_copies_total_max:,}",
            ctx.at("hall", last, "copies"),
            ("hall", last, "copies"),
            help="check the `copies` of each hall",
        )
    yield from _arrays(ctx, s, (), lim)


# The arrays with a limit of their own; every other array has `array_entries_max`.
def _array_limit(path: KeyPath, lim) -> tuple[int, str]:
    names = tuple(p for p in path if isinstance(p, str))
    if names == ("hall",):
        return lim.halls_max, "distinct halls (one placement model each)"
    if names == ("hall", "keepout"):
        return lim.keepouts_per_hall_max, "keep-outs in a hall"
    if names == ("renewable",):
        return lim.renewables_max, "renewables (8,760 energy-year variables each)"
    if names == ("catalog", "files"):
        return lim.catalog_files_max, "catalog files"
    return lim.array_entries_max, "entries"


def _arrays(ctx: Ctx, obj: Any, path: KeyPath, lim) -> Iterator[Diagnostic]:
    """Every array and string of the structured spec against its limit (one finding per array
    or string; the walk visits each value once)."""
    if not attrs.has(type(obj)):
        return
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        here = path + (a.name,)
        if isinstance(value, tuple):
            most, what = _array_limit(here, lim)
            if len(value) > most:
                yield diag(
                    "HUB015",
                    f"`{format_path(here)}` has {len(value):,} entries; hubc reads at most {most:,} {what}",
                    ctx.key(*here, most),
                    here + (most,),
                    help="check for a runaway generator or a pasted list; `hubc explain HUB015` lists the limits",
                )
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield from _string(ctx, here + (i,), item, lim)
                else:
                    yield from _arrays(ctx, item, here + (i,), lim)
        elif isinstance(value, str):
            # Ids have a shorter limit of their own (HUB103).
            if not a.metadata.get("id"):
                yield from _string(ctx, here, value, lim)
        else:
            yield from _arrays(ctx, value, here, lim)


def _string(ctx: Ctx, path: KeyPath, value: str, lim) -> Iterator[Diagnostic]:
    if len(value) > lim.string_max_chars:
        yield diag(
            "HUB015",
            f"`{format_path(path)}` is {len(value):,} characters long; hubc reads strings of at most "
            f"{lim.string_max_chars:,}",
            ctx.at(*path),
            path,
            help="shorten it: names and descriptions reach every output (BOM, report, diagrams)",
        )
