"""Rack line items straight from the spec, until the halls stage hands over its own.

In: the spec. Out: one `Equipment` item per (hall, rack type): pods x racks per pod plus spine
racks, times the hall's copies (quantities are campus totals). Compute racks are `gpu-rack`,
storage racks `storage-rack`, network / spine / management racks `network-rack`.
The halls stage replaces this with the racks it places; the items have the same shape.
"""

from __future__ import annotations

from hubc.core.equipment import Equipment
from hubc.spec.model import Spec

_FAMILY = {
    "compute": "gpu-rack",
    "storage": "storage-rack",
    "network": "network-rack",
    "spine": "network-rack",
    "management": "network-rack",
}
_SYSTEM = {"gpu-rack": "it", "storage-rack": "it", "network-rack": "network"}


def rack_equipment(spec: Spec) -> tuple[Equipment, ...]:
    index = {rt.id: i for i, rt in enumerate(spec.rack_type)}
    rts, pods = spec.rack_types(), spec.pods()
    out: list[Equipment] = []
    for hall in spec.hall:
        counts: dict[str, int] = {}
        for pc in hall.pods:
            pod = pods.get(pc.pod)
            for rc in pod.racks if pod else ():
                counts[rc.rack_type] = counts.get(rc.rack_type, 0) + rc.count * pc.count
        for rc in hall.spine:
            counts[rc.rack_type] = counts.get(rc.rack_type, 0) + rc.count
        for rt_id in sorted(counts):
            rt = rts.get(rt_id)
            if rt is None:
                continue  # a dangling reference; `check` reports it (HUB102)
            family = _FAMILY[rt.role]
            out.append(
                Equipment(
                    id=f"{hall.id}/rack/{rt.id}",
                    family=family,
                    description=rt.description or f"{rt.role} rack {rt.id}",
                    rating=rt.power_kw,
                    rating_unit="kW",
                    quantity=float(counts[rt_id] * hall.copies),
                    unit="ea",
                    system=_SYSTEM[family],
                    area=hall.id,
                    spec_path=("rack_type", index[rt_id]),
                )
            )
    return tuple(out)
