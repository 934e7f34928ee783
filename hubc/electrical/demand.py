"""Campus demand: split the pods a campus needs over the halls that may host them.

In: a spec with `[[demand]]` (pod, count, halls) and, on each hosting hall, `modules` (copies
available). Out: `CampusSplit` - for every hosting hall the copies built and the demanded pods
per copy - and the spec with that split written into the halls (`apply_demand`), which the
checks and every stage then see as an explicit split.

Two masters over the halls, each solved exactly by dynamic programming (the problem is
separable: the pods allocated so far are the state). Each copy of a hall may take its own
fill: per hall, a knapsack over 1..modules copies gives the best multiset of fills for every
total (ties broken by fewer copies built, then fewer distinct fills). A hall whose copies take
several fills keeps its id for the first; `apply_demand` adds an entry "<id>-fill-<n>" for
each other fill.

- The bound. A copy holding n demanded pods is priced at a lower bound on its UPS blocks valid
  for every placement: the larger of the topology's redundancy-reserve bound on the copy's UPS
  load (`electrical.sizing`'s analytic bound: IT of all its racks plus CDU pumps) and the
  rack-granularity bound on its indivisible row loads (`electrical.granularity`), so the
  optimum over all splits is a lower bound on the blocks of any split: the campus bound
  (`bound_blocks`; `reserve_bound_blocks` is the same master on the reserve bound alone, which
  bounds a 4M3 copy of 20 GB200 units at 12 blocks where rows of whole half-units need 16).
- The split. Chosen on built prices: a fill is priced
  by building one copy of it - rack placement with a short budget, sizing, the exact rows ->
  blocks -> feeders models - giving its UPS blocks (one unit substation each) and MV feeders,
  compared in that order. Column-generation style (`_priced_split`): the master runs on the
  best price known per fill (built where built, else the larger of the bound and the
  blocks of the largest built smaller fill, with its feeders), the fills it picks are built, and it runs again
  until it picks only built fills or `PRICE_ROUNDS` is reached; the cheapest split over the
  built fills wins (`priced_blocks`, `priced_feeders`). Distinct (hall, fill) pairs are built once
  per process; hall entries identical but for their id share prices. `hubc check` takes the
  bound's split and builds no fill (`apply_demand(priced=False)`).

The exact per-hall models then run on the chosen split as for an explicit one.

A copy holds at most the pods that fit by slots, row busways, row air and the hall's liquid
capacity (a relaxation of the placement: contiguity and keep-outs inside a row are the
placement's to check).
"""

from __future__ import annotations

import math
from collections import Counter

import attrs

from hubc.core.loads import cdu_capacity_kw, cdu_pump_kw_per_kw
from hubc.electrical.distributed import Shape
from hubc.electrical.granularity import granular_blocks
from hubc.electrical.sizing import _min_blocks, topology_of
from hubc.spec.model import Demand, Hall, PhaseHall, PodCount, Spec


@attrs.frozen(kw_only=True)
class HallFill:
    """Copies of one demand hall built with one fill. A hall whose copies take several fills
    has one HallFill per fill: the first under the hall's id, the others under hall entries
    `apply_demand` adds ("<id>-fill-<n>")."""

    hall: str  # the hall entry the copies are built under
    module: str  # the demand's hall they are copies of
    pod: str
    copies: int  # copies built
    pods_per_copy: int
    modules: int  # copies available (of `module`, over all its fills)
    blocks_bound: int  # lower bound on UPS blocks per copy (reserve and rack granularity)
    blocks_reserve: int  # the topology's reserve bound alone
    blocks_priced: int | None = None  # UPS blocks of one copy as the per-hall models build it


@attrs.frozen(kw_only=True)
class CampusSplit:
    """The master's split: fills per hall, its objective (lower-bound blocks summed over the
    copies built, optimal over every split the demand allows: a campus lower bound on blocks),
    and the same bound with the reserve bound alone per copy (blind to rack granularity)."""

    fills: tuple[HallFill, ...]
    bound_blocks: int
    reserve_bound_blocks: int
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


def _rack_units(r) -> tuple[float, float]:
    return r.power_kw, r.power_kw * r.liquid_fraction


def copy_pieces(spec: Spec, hall: Hall, pod_id: str, n: int) -> Counter:
    """The indivisible row loads of one copy holding n demanded pods, in 0.1 kW (floored, so
    each sums to no more than the rows -> blocks model's rounded rows): a row pod, each half of
    a row-pair pod, the spine block; and the CDUs on UPS - the hall's CDUs as installed
    (`cdu_scope = "hall"`), else one share per piece of its row's CDU."""
    from hubc.core.loads import cdus_installed
    from hubc.electrical.feeds import SCALE

    rt, pods = spec.rack_types(), spec.pods()
    groups: list[tuple[list, int]] = []  # (racks of one piece, how many)
    for pc in tuple(pc for pc in hall.pods if pc.pod != pod_id) + (PodCount(pod=pod_id, count=n),):
        racks = [rt[rc.rack_type] for rc in pods[pc.pod].racks for _ in range(rc.count)]
        head = (len(racks) + 1) // 2 if pods[pc.pod].arrangement == "row-pair" else len(racks)
        groups += [(part, pc.count) for part in (racks[:head], racks[head:]) if part]
    spine = [rt[rc.rack_type] for rc in hall.spine for _ in range(rc.count)]
    if spine:
        groups.append((spine, 1))
    ratio = cdu_pump_kw_per_kw(hall.cooling)
    row_cdu = hall.cooling.cdu_scope == "row"

    def units(kw: float) -> int:
        return math.floor(kw * SCALE + 1e-6)

    out: Counter = Counter()
    liquid = 0.0
    for racks, count in groups:
        kw, liq = (sum(v) for v in zip(*map(_rack_units, racks)))
        out[units(kw)] += count
        liquid += liq * count
        if row_cdu and liq > 0:
            out[units(liq * ratio)] += count
    if not row_cdu and liquid > 0:
        n_cdu = cdus_installed(hall.cooling, liquid)
        out[units(liquid * ratio / n_cdu)] += n_cdu
    return out


def reserve_bound(spec: Spec, hall: Hall, pod_id: str, n: int) -> int:
    """The topology's redundancy-reserve bound on the UPS blocks of one copy holding n
    demanded pods (on the copy's UPS load: IT plus CDU pumps; blind to rack granularity)."""
    kw, liquid, _, _ = _pod_figures(spec, pod_id)
    o_kw, o_liquid, _ = _others(spec, hall, pod_id)
    it = o_kw + n * kw
    cdu = (o_liquid + n * liquid) * cdu_pump_kw_per_kw(hall.cooling)
    topo = topology_of(spec)
    return _min_blocks(topo, it + cdu, spec.electrical.ups_system_kw) if topo is not None else 0


def blocks_bound(spec: Spec, hall: Hall, pod_id: str, n: int) -> int:
    """Lower bound on UPS blocks for one copy holding n demanded pods, valid for every placement:
    the larger of the reserve bound and the rack-granularity bound (`hubc.electrical.granularity`)
    on the copy's indivisible row loads."""
    from hubc.electrical.feeds import SCALE

    topo = topology_of(spec)
    if topo is None:
        return 0
    p = int(round(spec.electrical.ups_system_kw * SCALE))
    partners = Shape.of(topo).most_partners() if topo.kind != "block-redundant" else 1
    granular = granular_blocks(topo.kind, topo.x, topo.y, partners, p, copy_pieces(spec, hall, pod_id, n))
    return max(reserve_bound(spec, hall, pod_id, n), granular)


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


def splittable(spec: Spec, d: Demand) -> bool:
    """Whether some split meets the count exactly (what `split_demand` returns None for, without
    running its masters): every hall listed is built at least once, and a hall of M modules
    holding at most c pods per copy takes any total from 1 to M c (each copy its own fill)."""
    halls = spec.halls()
    hosts = [halls[h] for h in d.halls]
    caps = _caps(spec, hosts, d)
    return min(caps, default=0) >= 1 and len(hosts) <= d.count <= sum(c * (h.modules or h.copies) for c, h in zip(caps, hosts))


# The DP's costs are packed into one integer, compared and added at once: the price's terms
# (blocks, feeders...), then copies built, then distinct fills, each in its own field of
# `_FIELD` (every term stays far below it).
_FIELD = 1 << 24


def _pack(terms: tuple) -> int:
    key = 0
    for t in terms:
        key = key * _FIELD + t
    return key


def _unpack(key: int, n: int) -> tuple:
    out = []
    for _ in range(n):
        key, t = divmod(key, _FIELD)
        out.append(t)
    return tuple(reversed(out))


def _with(fills: tuple, n: int) -> tuple[tuple, bool]:
    """The multiset `fills` ((n, copies), ... largest n first) with one more copy at n, and
    whether n is a new fill in it."""
    for j, (f, c) in enumerate(fills):
        if f == n:
            return fills[:j] + ((n, c + 1),) + fills[j + 1:], False
        if f < n:
            return fills[:j] + ((n, 1),) + fills[j:], True
    return fills + ((n, 1),), True


def _hall_options(modules: int, count: int, prices: dict[int, int]) -> dict[int, tuple[int, tuple]]:
    """Every way to build 1..`modules` copies of one hall, each copy with its own fill n (a
    multiset of fills): for each total of pods a <= count, the least packed cost (price terms,
    copies, distinct fills) found and its fills ((n, copies at n), ... largest n first). Layer
    j holds the best j copies per total (the price is additive, so exact; the tie-breaks are
    greedy). `prices`: packed price of one copy at fill n, with its copy counted."""
    layer: dict[int, tuple[int, tuple]] = {0: (0, ())}
    out: dict[int, tuple[int, tuple]] = {}
    for _ in range(modules):
        nxt: dict[int, tuple[int, tuple]] = {}
        for a, (key, fills) in layer.items():
            for n, c in prices.items():
                b = a + n
                if b > count:
                    break
                grown, new = _with(fills, n)
                cand = key + c + new
                if b not in nxt or cand < nxt[b][0]:
                    nxt[b] = (cand, grown)
        layer = nxt
        for a, got in layer.items():
            if a not in out or got[0] < out[a][0]:
                out[a] = got
    return out


def _dp(hosts: list[Hall], caps: list[int], count: int, price) -> tuple[tuple, tuple] | None:
    """Least-cost split of `count` pods: every hall built at least once and at most `modules`
    times, each copy with a fill n (1..cap) of cost price(hall index, n) (a tuple, compared
    lexicographically; None: not buildable), ties broken by fewer copies, then fewer distinct
    fills. Returns (cost, per hall ((n, copies at n), ...)) or None."""
    width = None
    # best[a] = (packed cost, choices) for a pods over the halls so far
    best: dict[int, tuple[int, tuple]] = {0: (0, ())}
    for i, hall in enumerate(hosts):
        prices = {}
        for n in range(1, caps[i] + 1):
            c = price(i, n)
            if c is not None:
                width = len(c)
                prices[n] = _pack(tuple(c) + (1, 0))
        opts = sorted(_hall_options(hall.modules or hall.copies, count, prices).items())
        nxt: dict[int, tuple[int, tuple]] = {}
        for a, (key, choice) in sorted(best.items()):
            for pods, (c, fills) in opts:
                b = a + pods
                if b > count:
                    break
                cand = key + c
                if b not in nxt or cand < nxt[b][0]:
                    nxt[b] = (cand, choice + (fills,))
        best = nxt
    if count not in best or width is None:
        return None
    key, choice = best[count]
    return _unpack(key, width + 2)[:width], choice


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
        fresh = [(i, n) for i, fills in enumerate(got[1]) for n, _m in fills if keys[i][n] not in priced]
        if not fresh:
            # the master picks only built fills: it is optimal over the prices as estimated (the
            # estimates assume a larger fill needs no fewer blocks than a smaller one: a
            # heuristic for choosing, never used in the bound)
            break
        for i, n in fresh:
            exact(i, n)
    # the cheapest split over the fills built (every split a round picked is among them)
    return _dp(hosts, caps, d.count, lambda i, n: priced.get(keys[i][n]))


def _entry_ids(spec: Spec, hall: Hall, fills: tuple) -> list[str]:
    """The hall entry each fill of `hall` is built under: the first (the most copies) keeps the
    hall's id, each other fill n gets "<id>-fill-<n>" (suffixed until no other hall has it)."""
    taken = {h.id for h in spec.hall}
    out = []
    for k, (n, _m) in enumerate(fills):
        if k == 0:
            out.append(hall.id)
            continue
        name, j = f"{hall.id}-fill-{n}", 1
        while name in taken and not _derived_from(spec, name, hall.id):
            j += 1
            name = f"{hall.id}-fill-{n}-{j}"
        out.append(name)
    return out


def _derived_from(spec: Spec, name: str, hall_id: str) -> bool:
    """`name` is an entry `apply_demand` derived from `hall_id` (a spec already split): the same
    hall but for its id, copies, pods and modules."""
    h, src = spec.halls().get(name), spec.halls()[hall_id]
    return h is not None and h.modules is None and attrs.evolve(h, id=src.id, copies=src.copies, pods=src.pods, modules=src.modules) == src


def split_demand(spec: Spec, d: Demand, priced: bool = True) -> CampusSplit | None:
    """The master for one demand; None when no split meets the count exactly.

    The bound: the master on the lower bound of every fill (`blocks_bound`: reserve and rack
    granularity; valid for every split), beside the same master on the reserve bound alone.
    The split: with `priced`, the cheapest split at built prices (`_priced_split`), else the
    bound's own split. Each hall's copies may take different fills."""
    halls = spec.halls()
    hosts = [halls[h] for h in d.halls]
    caps = _caps(spec, hosts, d)
    lbs = [[blocks_bound(spec, h, d.pod, n) for n in range(cap + 1)] for h, cap in zip(hosts, caps)]
    lower = _dp(hosts, caps, d.count, lambda i, n: (lbs[i][n],))
    if lower is None:
        return None
    (bound,), choice = lower
    rbs = [[reserve_bound(spec, h, d.pod, n) for n in range(cap + 1)] for h, cap in zip(hosts, caps)]
    (reserve,), _ = _dp(hosts, caps, d.count, lambda i, n: (rbs[i][n],))
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
    fills = []
    for i, (h, hall_fills) in enumerate(zip(hosts, choice)):
        ordered = tuple(sorted(hall_fills, key=lambda f: (-f[1], -f[0])))
        for entry, (n, m) in zip(_entry_ids(spec, h, ordered), ordered):
            fills.append(HallFill(
                hall=entry, module=h.id, pod=d.pod, copies=m, pods_per_copy=n, modules=h.modules or h.copies,
                blocks_bound=lbs[i][n], blocks_reserve=rbs[i][n],
                blocks_priced=fill_price(spec, h, d.pod, n).blocks if priced_cost else None,
            ))
    return CampusSplit(
        fills=tuple(fills), bound_blocks=bound, reserve_bound_blocks=reserve,
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


def campus_splits(spec: Spec, priced: bool = True) -> tuple[CampusSplit | None, ...]:
    """The master's split for each demand (None for a demand that is unusable or has no split)."""
    return tuple(split_demand(spec, d, priced) if usable(spec, d) else None for d in spec.demand)


def demand_splits(spec: Spec) -> tuple[CampusSplit, ...]:
    """The masters' splits of the demands that have one."""
    return tuple(x for x in campus_splits(spec) if x is not None)


def apply_demand(spec: Spec, priced: bool = True) -> Spec:
    """The spec with each demand's split written into its halls (copies built, the demanded pod
    per copy): a hall whose copies take several fills keeps the first and gets one more entry
    per other fill, after the spec's halls (a spec already split keeps its entries); halls of a
    demand that cannot be split are left as written (HUB314 reports it). `priced`: the split at
    built prices (the build), else the bound master's own split (validation alone, no fill
    built: `hubc check`)."""
    if not spec.demand:
        return spec
    fills = [f for split in campus_splits(spec, priced) if split is not None for f in split.fills]
    halls = {h.id: h for h in spec.hall}
    order = [h.id for h in spec.hall]
    for f in fills:
        src = halls[f.module]
        pods = tuple(pc for pc in src.pods if pc.pod != f.pod) + (PodCount(pod=f.pod, count=f.pods_per_copy),)
        if f.hall not in halls:
            order.append(f.hall)
        extra = {} if f.hall == f.module else {"id": f.hall, "modules": None}
        halls[f.hall] = attrs.evolve(src, copies=f.copies, pods=pods, **extra)
    derived = {f.hall: f.module for f in fills if f.hall != f.module}
    return attrs.evolve(spec, hall=tuple(halls[i] for i in order), phase=_phases(spec, derived))


def _phases(spec: Spec, derived: dict[str, str]) -> tuple:
    """The phases, a phase that energizes every copy of a demand hall (no `copies`) also
    energizing every copy of the entries derived from it (the copies at its other fills)."""
    out = []
    for ph in spec.phase:
        named = {x.hall for x in ph.halls}
        whole = {x.hall for x in ph.halls if x.copies is None}
        more = tuple(PhaseHall(hall=e) for e, m in derived.items() if m in whole and e not in named)
        out.append(attrs.evolve(ph, halls=ph.halls + more) if more else ph)
    return tuple(out)


__all__ = ["CampusSplit", "FillPrice", "HallFill", "apply_demand", "blocks_bound", "campus_splits", "capacity", "demand_splits", "fill_price", "split_demand", "splittable"]
