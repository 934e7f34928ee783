"""Procurement as a build stage: gather every earlier stage's equipment and price it.

In: the checked spec and the earlier stages' results (any result with `equipment()` hands
over its `Equipment` items). Until the halls stage hands over racks, the racks come from the
spec (`racks.rack_equipment`). Out: `Procurement` and its diagnostics (catalog problems in
`[catalog] files`, unpriced items, the domestic-share finding).
"""

from __future__ import annotations

from typing import Any

from hubc.core.equipment import Equipment
from hubc.diagnostics import Diagnostic, has_errors

RACK_FAMILIES = ("gpu-rack", "network-rack", "storage-rack")


def collect_equipment(spec, results: dict[str, Any]) -> tuple[Equipment, ...]:
    from hubc.procurement.racks import rack_equipment

    items: list[Equipment] = []
    for result in results.values():
        if hasattr(result, "equipment"):
            items.extend(result.equipment())
    if not any(e.family in RACK_FAMILIES for e in items):
        items.extend(rack_equipment(spec))
    return tuple(items)


def procurement_stage(checked, results: dict[str, Any], progress=None) -> tuple[Any, list[Diagnostic]]:
    from hubc.catalog.equipment import load_catalog
    from hubc.procurement.bom import run_procurement

    spec = checked.spec
    catalog, diags = load_catalog(spec, checked.base_dir, checked.source, checked.allowed_roots)
    if has_errors(diags):
        return None, diags
    proc = run_procurement(spec, collect_equipment(spec, results), catalog, checked.source)
    return proc, diags + list(proc.diagnostics)


def catalog_diagnostics(spec, source, base_dir, allowed_roots=()) -> list[Diagnostic]:
    """For `hubc check`: the catalog extension problems alone, without pricing anything."""
    from hubc.catalog.equipment import load_catalog

    return load_catalog(spec, base_dir, source, allowed_roots)[1]
