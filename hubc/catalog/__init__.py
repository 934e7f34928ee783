"""The one catalog: shipped data plus the spec's `[catalog] files`, merged once per build.

`load_catalog(spec, base_dir, source)` (`hubc.catalog.loader`) reads and parses each file once
and merges it in one pass. It returns a `Catalog` (equipment entries with their prices, vendors
and families; the energy tables: BESS containers, renewable plants, conductors) and every problem
in the user's files as diagnostics at file:line:col. `hubc check` reports those diagnostics;
`hubc build` passes the same `Catalog` to every stage. Every good is priced by one equipment
entry through one rule (`hubc.catalog.pricing.price_item`), so it costs the same in design.json
and in the BOM.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from hubc.catalog.capex import CapexCatalog
    from hubc.catalog.energy import EnergyCatalog
    from hubc.catalog.equipment import EquipmentCatalog
    from hubc.catalog.grids import GridProfile
    from hubc.diagnostics import Diagnostic


@attrs.frozen(kw_only=True)
class Catalog:
    equipment: EquipmentCatalog = attrs.field(eq=False)
    energy: EnergyCatalog = attrs.field(eq=False)  # its `prices` are `equipment`
    # installation, building, land, soft costs, grid connection, milestones (data/capex.toml)
    capex: CapexCatalog = attrs.field(eq=False)
    # Grid profiles by id (`[grid] code`): frequency, standard voltages, supply bands, checks.
    grids: dict[str, GridProfile] = attrs.field(eq=False, factory=dict)

    @property
    def version(self) -> str:
        return self.equipment.version

    def grid_profile(self, code: str) -> GridProfile:
        """The profile a spec's `[grid] code` names (the check reports an unknown one)."""
        from hubc.catalog.grids import DEFAULT_CODE

        return self.grids.get(code) or self.grids[DEFAULT_CODE]


def load_catalog(
    spec: Any, base_dir: Path | str = Path("."), source: Any = None, allowed_roots: tuple[Path, ...] = ()
) -> tuple[Catalog, list[Diagnostic]]:
    """The shipped catalog with the spec's `[catalog] files` merged over it (spec None: shipped only).
    User files are read only inside `base_dir`'s tree or `allowed_roots` (`hubc.spec.files`)."""
    from hubc.catalog.loader import load

    return load(spec, base_dir, source, allowed_roots)


@functools.cache
def shipped_catalog() -> Catalog:
    """The shipped catalog alone (for direct calls of a stage without a spec's catalog)."""
    catalog, diags = load_catalog(None)
    assert not diags, diags
    return catalog
