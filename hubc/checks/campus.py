"""Campus-level checks (HUB311): block-pair redundancy shapes.

A block-pair topology (`pairs-k`, `pairs-axb`) puts each row's A and B feeds on two different
UPS blocks of one group; the group shape must leave a partner for every block and the rows must
be dual-corded.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubc.checks import Ctx
from hubc.codes import diag
from hubc.diagnostics import Diagnostic
from hubc.spec.model import MAX_PAIR_GROUP, pairs_shape_problem, parse_topology


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    e = ctx.spec.electrical
    parsed = parse_topology(e.topology)
    if parsed is None or parsed[0] != "pairs":
        return
    problem = pairs_shape_problem(e.topology)
    if problem is not None:
        yield diag(
            "HUB311",
            f'block-pair topology "{e.topology}": {problem}',
            ctx.at("electrical", "topology"),
            ("electrical", "topology"),
            help=f'use "pairs-k" with 2 <= k <= {MAX_PAIR_GROUP} or "pairs-axb" with a, b >= 1 and a + b <= {MAX_PAIR_GROUP}, e.g. "pairs-3x3"',
        )
    if e.distribution_paths < 2:
        yield diag(
            "HUB311",
            f'block-pair topology "{e.topology}" feeds each row from two blocks, but electrical.distribution_paths = {e.distribution_paths}',
            ctx.at("electrical", "distribution_paths"),
            ("electrical", "distribution_paths"),
            help="set distribution_paths = 2 (A and B busways per row)",
            related=((ctx.at("electrical", "topology"), "block-pair topology"),),
        )
