"""The one catalog: shipped data plus the spec's `[catalog] files`, merged once per build.

`load_catalog(spec, base_dir, source)` returns a `Catalog` (equipment prices and vendors, the
energy tables: BESS containers, renewable and line costs) and every problem in the user's files
as diagnostics at file:line:col. `hubc check` reports those diagnostics; `hubc build` passes the
same `Catalog` to every stage, so nothing is priced or rated from two places.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from hubc.catalog.energy import EnergyCatalog
    from hubc.catalog.equipment import EquipmentCatalog
    from hubc.diagnostics import Diagnostic


@attrs.frozen(kw_only=True)
class Catalog:
    equipment: EquipmentCatalog = attrs.field(eq=False)
    energy: EnergyCatalog = attrs.field(eq=False)

    @property
    def version(self) -> str:
        return self.equipment.version


def load_catalog(spec: Any, base_dir: Path | str = Path("."), source: Any = None) -> tuple[Catalog, list[Diagnostic]]:
    """The shipped catalog with the spec's `[catalog] files` merged over it (spec None: shipped only)."""
    from hubc.catalog.energy import load_energy_catalog
    from hubc.catalog.equipment import load_equipment_catalog

    equipment, diags = load_equipment_catalog(spec, base_dir, source)
    energy, energy_diags = load_energy_catalog(spec, base_dir, source)
    return Catalog(equipment=equipment, energy=energy), diags + energy_diags
