"""Campus demand: split the pods a campus needs over the halls that may host them.

In: a spec with `[[demand]]` (pod, count, halls) and, on each hosting hall, `modules` (copies
available). Out: `CampusSplit` - for every hosting hall the copies built and the demanded pods
per copy - and the spec with that split written into the halls (`apply_demand`), which the
checks and every stage then see as an explicit split.

The master prices a hall copy holding n demanded pods at the redundancy-reserve lower bound on
its UPS blocks (`electrical.sizing`'s analytic bound for the spec's topology on the copy's UPS
load: IT of all its racks plus CDU pumps, which does not depend on where the racks stand), so
its optimum over all splits is a lower bound on the blocks of any split: the campus bound. It
is solved exactly by dynamic programming over the halls (the problem is separable: the pods
allocated so far are the state), ties broken by fewer copies built. The exact per-hall models
(rack placement, rows -> blocks) then run on the chosen split as for an explicit one.

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
    blocks_bound: int  # the master's price: lower bound on UPS blocks per copy


@attrs.frozen(kw_only=True)
class CampusSplit:
    """The master's split: fills per hall, its objective (lower-bound blocks summed over the
    copies built, optimal over every split the demand allows: a campus lower bound on blocks)."""

    fills: tuple[HallFill, ...]
    bound_blocks: int


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


def _options(spec: Spec, hall: Hall, d: Demand) -> list[tuple[int, int, int]]:
    """(pods, copies, blocks bound of all copies) for every fill of this hall."""
    cap = min(capacity(spec, hall, d.pod), d.count)
    out = []
    price = [blocks_bound(spec, hall, d.pod, n) for n in range(cap + 1)]
    for n in range(1, cap + 1):
        for m in range(1, (hall.modules or hall.copies) + 1):
            if n * m > d.count:
                break
            out.append((n, m, m * price[n]))
    return out


def split_demand(spec: Spec, d: Demand) -> CampusSplit | None:
    """The master for one demand; None when no split meets the count exactly."""
    halls = spec.halls()
    hosts = [halls[h] for h in d.halls]
    # best[a] = (blocks bound, copies built, choices) for a pods allocated over the halls so far
    best: dict[int, tuple[int, int, tuple]] = {0: (0, 0, ())}
    for hall in hosts:
        nxt: dict[int, tuple[int, int, tuple]] = {}
        opts = _options(spec, hall, d)
        for a, (cost, built, choice) in sorted(best.items()):
            for n, m, c in opts:
                b = a + n * m
                if b > d.count:
                    continue
                cand = (cost + c, built + m, choice + ((n, m),))
                if b not in nxt or cand < nxt[b]:
                    nxt[b] = cand
        best = nxt
    if d.count not in best:
        return None
    cost, _, choice = best[d.count]
    fills = tuple(
        HallFill(hall=h.id, pod=d.pod, copies=m, pods_per_copy=n, modules=h.modules or h.copies, blocks_bound=blocks_bound(spec, h, d.pod, n))
        for h, (n, m) in zip(hosts, choice)
    )
    return CampusSplit(fills=fills, bound_blocks=cost)


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


__all__ = ["CampusSplit", "HallFill", "apply_demand", "blocks_bound", "campus_splits", "capacity", "demand_splits", "split_demand"]
