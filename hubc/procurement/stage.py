"""Procurement as a build stage: gather every earlier stage's equipment and price it.

In: the checked spec, the equipment catalog and every earlier stage's `Equipment` items
(`Design.equipment()`). When no stage hands over racks, the racks come from the spec
(`racks.rack_equipment`). Out: `Procurement` and its diagnostics (unpriced items, the
domestic-share finding). Catalog problems are `hubc check` findings, reported before any stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubc.core.equipment import Equipment
from hubc.diagnostics import Diagnostic

if TYPE_CHECKING:
    from hubc.catalog.capex import CapexCatalog
    from hubc.catalog.equipment import EquipmentCatalog
    from hubc.procurement.bom import Procurement
    from hubc.spec.model import Spec
    from hubc.spec.source import SourceFile

RACK_FAMILIES = ("gpu-rack", "network-rack", "storage-rack")


def collect_equipment(spec, items: tuple[Equipment, ...]) -> tuple[Equipment, ...]:
    from hubc.procurement.racks import rack_equipment

    if not any(e.family in RACK_FAMILIES for e in items):
        items = items + tuple(rack_equipment(spec))
    return items


def procurement_stage(
    spec: Spec,
    source: SourceFile | None,
    catalog: EquipmentCatalog,
    items: tuple[Equipment, ...],
    capex_catalog: CapexCatalog | None = None,
) -> tuple[Procurement, list[Diagnostic]]:
    from hubc.procurement.bom import run_procurement

    proc = run_procurement(spec, collect_equipment(spec, items), catalog, source, capex_catalog)
    return proc, list(proc.diagnostics)
