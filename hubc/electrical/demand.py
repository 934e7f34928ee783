"""Campus demand: split the pods a campus needs over the halls that may host them.

In: a spec with `[[demand]]` (pod, count, halls) and, on each hosting hall, `modules` (copies
available). Out: `CampusSplit` - for every hosting hall the copies built and the demanded pods
per copy - and the spec with that split written into the halls (`apply_demand`), which the
checks and every stage then see as an explicit split.

Two masters over the halls, each solved exactly by dynamic programming (the problem is
separable: the pods allocated so far are the state; ties broken by fewer copies built):

- The bound. A copy holding n demanded pods is priced at the redundancy-reserve lower bound on
  its UPS blocks (`electrical.sizing`'s analytic bound for the spec's topology on the copy's
  UPS load: IT of all its racks plus CDU pumps, which does not depend on where the racks
  stand), so its optimum over all splits is a lower bound on the blocks of any split: the
  campus bound (`bound_blocks`).
- The split. The reserve bound ignores rack granularity (a 4M3 copy of 20 GB200 units is
  bound at 12 blocks and needs 16), so the split is chosen on built prices: a fill is priced
  by building one copy of it - rack placement with a short budget, sizing, the exact rows ->
  blocks -> feeders models - giving its UPS blocks (one unit substation each) and MV feeders,
  compared in that order. Column-generation style (`_priced_split`): the master runs on the
  best price known per fill (built where built, else the larger of the reserve bound and the
  blocks of the largest built smaller fill, with its feeders), the fills it picks are built, and it runs again
  until it picks only built fills or `PRICE_ROUNDS` is reached; the cheapest split over the
  built fills wins (`priced_blocks`, `priced_feeders`). Distinct (hall, fill) pairs are built once
  per process; hall entries identical but for their id share prices.

The exact per-hall models then run on the chosen split as for an explicit one.

A copy holds at most the pods that fit by slots, row busways, row air and the hall's liquid
capacity (a relaxation of the placement: contiguity and keep-outs inside a row are the
placement's to check).
"""

from __future__ import annotations

import attrs

from hubc.core.loads import cdu_capacity_kw, cdu_pump_kw_per_kw
from hubc.electrical.sizing import _min_blocks, topology_of
from hubc.spec.model import Demand, Hall, PodCount, Spec


@attrs.frozen(kw_only=True)
class HallFill:
    hall: str
    pod: str
    copies: int  # copies built
    pods_per_copy: int
    modules: int  # copies available
    blocks_bound: int  # lower bound on UPS blocks per copy (the topology's reserve bound)
    blocks_priced: int | None = None  # UPS blocks of one copy as the per-hall models build it


@attrs.frozen(kw_only=True)
class CampusSplit:
    """The master's split: fills per hall, its objective (lower-bound blocks summed over the
    copies built, optimal over every split the demand allows: a campus lower bound on blocks)."""

    fills: tuple[HallFill, ...]
    bound_blocks: int
    priced_blocks: int | None = None  # blocks of the split chosen, every fill priced as built
    priced_feeders: int | None = None  # MV feeders of that split


def _pod_figures(spec: Spec, pod_id: str) -> tuple[float, float, float, tuple[int, int]]:
    """(kW, liquid kW, air kW, (racks in the first row, racks in the second)) of one pod."""
    rt = spec.rack_types()
    pod = spec.pods()[pod_id]
    kw = liquid = 0.0
    racks = []
    for rc in pod.racks:
        r = rt[rc.rack_type]
        kw += r.power_kw * rc.count
        liquid += r.power_kw * r.liquid_fraction * rc.count
        racks += [r] * rc.count
    n = len(racks)
    head = (n + 1) // 2 if pod.arrangement == "row-pair" else n
    return kw, liquid, kw - liquid, (head, n - head)


def _others(spec: Spec, hall: Hall, pod_id: str) -> tuple[float, float, int]:
    """(kW, liquid kW, racks) of everything else in one copy: other pods and the spine."""
    rt = spec.rack_types()
    pods = spec.pods()
    kw = liquid = 0.0
    racks = 0
    counts = [(rc, 1) for rc in hall.spine] + [(rc, pc.count) for pc in hall.pods if pc.pod != pod_id for rc in pods[pc.pod].racks]
    for rc, mult in counts:
        r = rt[rc.rack_type]
        kw += r.power_kw * rc.count * mult
        liquid += r.power_kw * r.liquid_fraction * rc.count * mult
        racks += rc.count * mult
    return kw, liquid, racks


def capacity(spec: Spec, hall: Hall, pod_id: str) -> int:
    """Most demanded pods one copy can hold (a relaxation of the placement)."""
    kw, liquid, air, (head, tail) = _pod_figures(spec, pod_id)
    o_kw, o_liquid, o_racks = _others(spec, hall, pod_id)
    blocked = {}
    for k in hall.keepout:
        blocked[k.row] = blocked.get(k.row, 0) + 1
    pair = tail > 0

    def per_row(r: int, n_racks: int) -> int:
        share = n_racks / (head + tail)
        by_slots = (hall.slots_per_row - blocked.get(r, 0)) // n_racks
        by_busway = int(hall.row_busway_kw // (kw * share))
        by_air = int(hall.cooling.air_kw_per_row // (air * share)) if air > 0 else by_slots
        return max(0, min(by_slots, by_busway, by_air))

    if pair:
        rows_cap = sum(min(per_row(r, head), per_row(r + 1, tail)) for r in range(1, hall.rows, 2))
    else:
        rows_cap = sum(per_row(r, head) for r in range(1, hall.rows + 1))
    slots = hall.rows * hall.slots_per_row - len(hall.keepout) - o_racks
    caps = [rows_cap, slots // (head + tail), int((hall.rows * hall.row_busway_kw - o_kw) // kw)]
    if liquid > 0:
        caps.append(int((cdu_capacity_kw(hall) - o_liquid) // liquid))
    return max(0, min(caps))


def blocks_bound(spec: Spec, hall: Hall, pod_id: str, n: int) -> int:
    """Lower bound on UPS blocks for one copy holding n demanded pods (the topology's reserve
    bound on the copy's UPS load: IT plus CDU pumps)."""
    kw, liquid, _, _ = _pod_figures(spec, pod_id)
    o_kw, o_liquid, _ = _others(spec, hall, pod_id)
    it = o_kw + n * kw
    cdu = (o_liquid + n * liquid) * cdu_pump_kw_per_kw(hall.cooling)
    topo = topology_of(spec)
    return _min_blocks(topo, it + cdu, spec.electrical.ups_system_kw) if topo is not None else 0


# The placement budget a priced fill gets (CP-SAT deterministic seconds): the block count of a
# fill depends on which rows the pods fill, not on the last centimetres of cable.
PRICE_DET_S = 0.5
# Rounds of pricing: solve the master, price the fills it chose, solve it again.
PRICE_ROUNDS = 6


@attrs.frozen(kw_only=True)
class FillPrice:
    """One copy of a hall holding n demanded pods, built by the per-hall models: UPS blocks
    (= unit substations, one behind each block) and MV feeders."""

    blocks: int
    feeders: int


_PRICES: dict[Spec, FillPrice | None] = {}


def _one_copy(spec: Spec, hall: Hall, pod_id: str, n: int) -> Spec:
    """The spec reduced to one copy of `hall` holding n demanded pods (its id normalised, so
    hall entries identical but for their id share a price)."""
    pods = tuple(pc for pc in hall.pods if pc.pod != pod_id) + (PodCount(pod=pod_id, count=n),)
    h = attrs.evolve(hall, id="priced-copy", copies=1, modules=None, pods=pods)
    return attrs.evolve(spec, hall=(h,), demand=())


def fill_price(spec: Spec, hall: Hall, pod_id: str, n: int) -> FillPrice | None:
    """Blocks and feeders of one copy holding n demanded pods: rack placement (`PRICE_DET_S`),
    sizing and the exact rows -> blocks -> feeders models on the result. None when the
    placement finds no layout (the capacity relaxation let through a fill that does not fit).
    Cached per process: every distinct (hall, fill) is built once."""
    from hubc.diagnostics import HubcError
    from hubc.electrical.feeds import assign_hall
    from hubc.electrical.sizing import size_electrical
    from hubc.racks import SolveParams, run_racks

    one = _one_copy(spec, hall, pod_id, n)
    if one not in _PRICES:
        try:
            layout = run_racks(one, params=SolveParams(workers=1, deterministic_time=PRICE_DET_S))
        except HubcError:
            _PRICES[one] = None
        else:
            sz = size_electrical(one, layout.row_loads())
            ha = assign_hall(sz.halls[0], sz)
            _PRICES[one] = FillPrice(blocks=len(ha.blocks), feeders=len(ha.feeders))
    return _PRICES[one]


def _caps(spec: Spec, hosts: list[Hall], d: Demand) -> list[int]:
    return [min(capacity(spec, h, d.pod), d.count) for h in hosts]


def _dp(hosts: list[Hall], caps: list[int], count: int, price) -> tuple[tuple, tuple] | None:
    """Least-cost split of `count` pods: per hall a fill n (1..cap) and copies m (1..modules),
    cost m x price(hall index, n) (a tuple, compared lexicographically), ties broken by fewer
    copies built. Returns (cost, ((n, m) per hall)) or None."""
    # best[a] = (cost, copies built, choices) for a pods allocated over the halls so far
    best: dict[int, tuple] = {0: ((), 0, ())}
    for i, hall in enumerate(hosts):
        opts = []
        for n in range(1, caps[i] + 1):
            c = price(i, n)
            if c is None:
                continue
            for m in range(1, (hall.modules or hall.copies) + 1):
                if n * m > count:
                    break
                opts.append((n, m, tuple(m * x for x in c)))
        nxt: dict[int, tuple] = {}
        for a, (cost, built, choice) in sorted(best.items()):
            for n, m, c in opts:
                b = a + n * m
                if b > count:
                    continue
                total = tuple(x + y for x, y in zip(cost + (0,) * (len(c) - len(cost)), c))
                cand = (total, built + m, choice + ((n, m),))
                if b not in nxt or cand < nxt[b]:
                    nxt[b] = cand
        best = nxt
    if count not in best:
        return None
    cost, _, choice = best[count]
    return cost, choice


def _priced_split(spec: Spec, hosts: list[Hall], caps: list[int], d: Demand) -> tuple[tuple, tuple] | None:
    """Column-generation-style pricing: solve the master on the best price known per fill (the
    built copy's blocks and feeders where priced; else the larger of the reserve bound and the
    blocks of the largest priced smaller fill, with that fill's feeders), price the fills it
    chose, repeat. Returns the
    cheapest split over the fills priced (cost (blocks, feeders)), or None."""
    lbs = [[blocks_bound(spec, h, d.pod, n) for n in range(cap + 1)] for h, cap in zip(hosts, caps)]
    # The fills this master has priced (not the process cache: the split must not depend on
    # what earlier calls happened to price). Keyed by the one-copy spec: hall entries identical
    # but for their id share their prices.
    priced: dict[Spec, tuple | None] = {}
    keys = [[_one_copy(spec, h, d.pod, n) for n in range(cap + 1)] for h, cap in zip(hosts, caps)]

    def exact(i: int, n: int) -> tuple | None:
        key = keys[i][n]
        if key not in priced:
            fp = fill_price(spec, hosts[i], d.pod, n)
            priced[key] = None if fp is None else (fp.blocks, fp.feeders)
        return priced[key]

    def estimate(i: int, n: int) -> tuple | None:
        if keys[i][n] in priced:
            return priced[keys[i][n]]
        below = [c for m in range(1, n) if (c := priced.get(keys[i][m]))]
        if not below:
            return (lbs[i][n], 0)
        return (max(lbs[i][n], below[-1][0]), below[-1][1])

    for _ in range(PRICE_ROUNDS):
        got = _dp(hosts, caps, d.count, estimate)
        if got is None:
            break
        fresh = [(i, n) for i, (n, _m) in enumerate(got[1]) if keys[i][n] not in priced]
        if not fresh:
            # the master picks only built fills: it is optimal over the prices as estimated (the
            # estimates assume a larger fill needs no fewer blocks than a smaller one: a
            # heuristic for choosing, never used in the bound)
            break
        for i, n in fresh:
            exact(i, n)
    # the cheapest split over the fills built (every split a round picked is among them)
    return _dp(hosts, caps, d.count, lambda i, n: priced.get(keys[i][n]))


def split_demand(spec: Spec, d: Demand, priced: bool = True) -> CampusSplit | None:
    """The master for one demand; None when no split meets the count exactly.

    The bound: the master on the reserve bound of every fill (valid for every split). The
    split: with `priced`, the cheapest split at built prices (`_priced_split`), else the
    bound's own split."""
    halls = spec.halls()
    hosts = [halls[h] for h in d.halls]
    caps = _caps(spec, hosts, d)
    lbs = [[blocks_bound(spec, h, d.pod, n) for n in range(cap + 1)] for h, cap in zip(hosts, caps)]
    lower = _dp(hosts, caps, d.count, lambda i, n: (lbs[i][n],))
    if lower is None:
        return None
    (bound,), choice = lower
    priced_cost = None
    if priced and topology_of(spec) is not None:
        try:
            got = _priced_split(spec, hosts, caps, d)
        except (ValueError, ArithmeticError, KeyError):
            # the demand is split before the spec is checked: a spec the per-hall models cannot
            # build keeps the bound's split, and the checks report what is wrong with it
            got = None
        if got is not None:
            priced_cost, choice = got
    fills = tuple(
        HallFill(
            hall=h.id, pod=d.pod, copies=m, pods_per_copy=n, modules=h.modules or h.copies, blocks_bound=lbs[i][n],
            blocks_priced=fill_price(spec, h, d.pod, n).blocks if priced_cost else None,
        )
        for i, (h, (n, m)) in enumerate(zip(hosts, choice))
    )
    return CampusSplit(
        fills=fills, bound_blocks=bound,
        priced_blocks=priced_cost[0] if priced_cost else None, priced_feeders=priced_cost[1] if priced_cost else None,
    )


def usable(spec: Spec, d: Demand) -> bool:
    """The demand names a known pod and known, distinct halls with `modules` (HUB314 otherwise)."""
    halls = spec.halls()
    return (
        d.pod in spec.pods()
        and len(set(d.halls)) == len(d.halls) > 0
        and all(h in halls and halls[h].modules is not None for h in d.halls)
        and all(rc.rack_type in spec.rack_types() for rc in spec.pods()[d.pod].racks)
        and all(pc.pod in spec.pods() for h in d.halls for pc in halls[h].pods)
        and all(rc.rack_type in spec.rack_types() for h in d.halls for rc in halls[h].spine)
    )


def campus_splits(spec: Spec) -> tuple[CampusSplit | None, ...]:
    """The master's split for each demand (None for a demand that is unusable or has no split)."""
    return tuple(split_demand(spec, d) if usable(spec, d) else None for d in spec.demand)


def demand_splits(spec: Spec) -> tuple[CampusSplit, ...]:
    """The masters' splits of the demands that have one."""
    return tuple(x for x in campus_splits(spec) if x is not None)


def apply_demand(spec: Spec) -> Spec:
    """The spec with each demand's split written into its halls (copies built, the demanded pod
    per copy); halls of a demand that cannot be split are left as written (HUB314 reports it)."""
    if not spec.demand:
        return spec
    fills = {f.hall: f for split in campus_splits(spec) if split is not None for f in split.fills}
    halls = []
    for h in spec.hall:
        f = fills.get(h.id)
        if f is not None:
            pods = tuple(pc for pc in h.pods if pc.pod != f.pod) + (PodCount(pod=f.pod, count=f.pods_per_copy),)
            h = attrs.evolve(h, copies=f.copies, pods=pods)
        halls.append(h)
    return attrs.evolve(spec, hall=tuple(halls))


__all__ = ["CampusSplit", "FillPrice", "HallFill", "apply_demand", "blocks_bound", "campus_splits", "capacity", "demand_splits", "fill_price", "split_demand"]
