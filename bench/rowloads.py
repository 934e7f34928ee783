"""Row loads for benches and tests until rack placement hands real ones over: each hall's pods
are laid first-fit into rows (keep-out slots removed), spine racks into the space left.
This is a test fixture, not a production estimate: the pipeline passes rack placement's rows."""

from __future__ import annotations

from hubc.core.loads import pod_heat, pod_length, rack_heat
from hubc.core.types import RowLoad
from hubc.spec.model import Spec


def spread_rows(spec: Spec) -> dict[str, tuple[RowLoad, ...]]:
    rts, pods = spec.rack_types(), spec.pods()
    out = {}
    for hall in spec.hall:
        free = [hall.slots_per_row - sum(1 for k in hall.keepout if k.row == r + 1) for r in range(hall.rows)]
        acc = [[0.0, 0.0, 0.0, 0] for _ in range(hall.rows)]

        def put(length: int, heat) -> None:
            for r in range(hall.rows):
                if free[r] >= length:
                    free[r] -= length
                    a = acc[r]
                    a[0] += heat.it_kw
                    a[1] += heat.liquid_kw
                    a[2] += heat.air_kw
                    a[3] += heat.racks
                    return
            raise ValueError(f"{hall.id}: no row has {length} free slots")

        for pc in hall.pods:
            pod = pods[pc.pod]
            for _ in range(pc.count):
                put(pod_length(pod), pod_heat(pod, rts))
        for rc in hall.spine:
            for _ in range(rc.count):
                put(1, rack_heat(rts[rc.rack_type]))
        out[hall.id] = tuple(
            RowLoad(hall=hall.id, row=r + 1, it_kw=a[0], liquid_kw=a[1], air_kw=a[2], racks=a[3]) for r, a in enumerate(acc)
        )
    return out
