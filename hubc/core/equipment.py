"""Equipment items: the contract between the sizing stages and procurement.

Every stage that sizes something (racks, electrical chain, cooling, BESS, renewables, lines)
returns `Equipment` items. Where the stage picks a catalog entry (the BESS container and its PCS,
a renewable plant, an interconnect line by voltage class and construction) the item carries it
in `catalog_id`, and every cost of the item - the stage's own capex figure and its BOM line - is
that entry priced by `hubc.catalog.pricing.price_item`. Items no stage chose an entry for are
priced by `family` and `rating`. Procurement also finds domestic vendors for the family, and
splits quantities over build-out phases by `area` (a hall id: by the hall's copies per phase; a
plant id: the phase that energizes it; "campus": the first phase).
"""

from __future__ import annotations

import attrs

from hubc.catalog.families import FAMILIES
from hubc.diagnostics import KeyPath


@attrs.frozen(kw_only=True)
class Equipment:
    id: str  # stable line id, e.g. "hall-a/ups-module"
    family: str  # one of FAMILIES
    description: str
    rating: float  # key rating, in rating_unit
    rating_unit: str  # "kW", "kVA", "MVA", "MWh", "A", "mm2", "kV"...
    quantity: float
    unit: str = "ea"  # "ea", "m", "km", "MWp", "MW"
    system: str  # "it", "network", "electrical", "mechanical", "energy", "grid"
    area: str  # hall id, plant id, or "campus"
    spec_path: KeyPath = ()  # the spec key that made this item (for "spec reference file:line")
    catalog_id: str | None = None  # the catalog entry the sizing stage chose (None: by family and rating)
    notes: str = ""

    def __attrs_post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown equipment family {self.family!r}")
