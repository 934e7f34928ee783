"""Campus-level checks: block-pair redundancy shapes (HUB313) and campus demand (HUB314).

A block-pair topology (`pairs-k`, `pairs-axb`) puts each row's A and B feeds on two different
UPS blocks of one group; the group shape must leave a partner for every block and the rows must
be dual-corded. A campus `[[demand]]` names a pod and the halls (with `modules`) that may host
it; those halls must be able to hold the count exactly.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubc.checks import Ctx
from hubc.codes import diag
from hubc.diagnostics import Diagnostic
from hubc.spec.model import MAX_PAIR_GROUP, pairs_shape_problem, parse_topology


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    yield from _pairs(ctx)
    yield from _demand(ctx)


def _pairs(ctx: Ctx) -> Iterator[Diagnostic]:
    e = ctx.spec.electrical
    parsed = parse_topology(e.topology)
    if parsed is None or parsed[0] != "pairs":
        return
    problem = pairs_shape_problem(e.topology)
    if problem is not None:
        yield diag(
            "HUB313",
            f'block-pair topology "{e.topology}": {problem}',
            ctx.at("electrical", "topology"),
            ("electrical", "topology"),
            help=f'use "pairs-k" with 2 <= k <= {MAX_PAIR_GROUP} or "pairs-axb" with a, b >= 1 and a + b <= {MAX_PAIR_GROUP}, e.g. "pairs-3x3"',
        )
    if e.distribution_paths < 2:
        yield diag(
            "HUB313",
            f'block-pair topology "{e.topology}" feeds each row from two blocks, but electrical.distribution_paths = {e.distribution_paths}',
            ctx.at("electrical", "distribution_paths"),
            ("electrical", "distribution_paths"),
            help="set distribution_paths = 2 (A and B busways per row)",
            related=((ctx.at("electrical", "topology"), "block-pair topology"),),
        )


def _demand_refs(ctx: Ctx, i: int, d, seen: dict[str, int]) -> Iterator[Diagnostic]:
    s = ctx.spec
    halls = s.halls()
    if d.pod not in s.pods():
        yield diag("HUB314", f'demand {i + 1} names pod "{d.pod}", which the spec does not define', ctx.at("demand", i, "pod"), ("demand", i, "pod"),
                   help="name a [[pod]] id")
    if not d.halls:
        yield diag("HUB314", f"demand {i + 1} names no hall to host its pods", ctx.at("demand", i, "halls"), ("demand", i, "halls"),
                   help="list the halls (with `modules`) that may host them")
    for j, h in enumerate(d.halls):
        where = ctx.at("demand", i, "halls", j)
        if h not in halls:
            yield diag("HUB314", f'demand {i + 1} names hall "{h}", which the spec does not define', where, ("demand", i, "halls", j), help="name a [[hall]] id")
        elif h in seen:
            yield diag("HUB314", f'hall "{h}" hosts more than one demand (also demand {seen[h] + 1})', where, ("demand", i, "halls", j),
                       help="give each demand its own halls (list a hall module twice under two ids to share it)")
        elif halls[h].modules is None:
            yield diag("HUB314", f'hall "{h}" hosts demand {i + 1} but has no `modules` (the copies available)', where, ("demand", i, "halls", j),
                       help=f'add modules = N to hall "{h}"')
        seen.setdefault(h, i)


def _demand(ctx: Ctx) -> Iterator[Diagnostic]:
    from hubc.electrical.demand import capacity, splittable, usable

    s = ctx.spec
    seen: dict[str, int] = {}
    for i, d in enumerate(s.demand):
        found = list(_demand_refs(ctx, i, d, seen))
        yield from found
        if found or not usable(s, d):
            continue
        if not splittable(s, d):  # whether any split exists (no master run: `hubc check` stays fast)
            halls = s.halls()
            most = sum(capacity(s, halls[h], d.pod) * (halls[h].modules or 0) for h in d.halls)
            yield diag(
                "HUB314",
                f'no split of {d.count:,} "{d.pod}" pods over {", ".join(d.halls)} fits: their modules hold at most {most:,} '
                f"(by slots, row busways, row air and liquid capacity), a hall holds none, or the count is below one per hall listed ({len(d.halls)}: each is built at least once)",
                ctx.at("demand", i, "count"),
                ("demand", i, "count"),
                help="add hall modules or halls to the demand, or lower the count",
            )
    for k, h in enumerate(s.hall):
        if h.modules is not None and h.id not in seen:
            yield diag("HUB314", f'hall "{h.id}" has `modules` but hosts no [[demand]]', ctx.at("hall", k, "modules"), ("hall", k, "modules"),
                       help="name the hall in a demand's `halls`, or write its copies and pods instead")
