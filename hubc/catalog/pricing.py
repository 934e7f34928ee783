"""The one pricing rule: an `Equipment` item and the catalog -> the entry that prices it and its cost.

Every figure of cost hubc reports goes through `price_item`: the BOM lines (procurement) and the
capex the energy stage shows for the interconnect lines, the BESS and the renewables, so the
same item costs the same everywhere.

Choosing an entry: the item's `catalog_id` when the stage that sized it chose one; otherwise,
among the entries of its family whose rating unit and quantity unit convert to the item's,
those whose range covers the rating, the one whose reference rating is closest (in ratio), then
the narrowest range, then the id. With no covering entry the closest one prices it
(`Price.extrapolated`; procurement warns, HUB622).

Cost: one unit at rating R costs `cost x (R / rating) ** scale_exponent` (KRW, or USD x
campus.krw_per_usd), rounded to whole won per unit; the extended cost is quantity x unit cost
rounded half away from zero, the ROUND(..., 0) the BOM workbook's formulas recompute.
"""

from __future__ import annotations

import math
from typing import Protocol

import attrs

from hubc.catalog import units
from hubc.catalog.equipment import CatalogEntry, EquipmentCatalog


class Equipment(Protocol):
    """What pricing reads of an item (`hubc.core.equipment.Equipment`; the catalog sits below core)."""

    @property
    def id(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def rating(self) -> float: ...
    @property
    def rating_unit(self) -> str: ...
    @property
    def quantity(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def catalog_id(self) -> str | None: ...


@attrs.frozen
class Choice:
    entry: CatalogEntry
    rating: float  # the item's rating in the entry's rating unit


@attrs.frozen(kw_only=True)
class Price:
    """What one item costs, and which entry says so."""

    entry: CatalogEntry
    rating: float  # the item's rating in the entry's rating unit
    unit_cost_krw: int  # per item unit (`Equipment.unit`)
    extended_cost_krw: int
    extrapolated: bool  # chosen by family with no entry covering the rating

    @property
    def catalog_id(self) -> str:
        return self.entry.id


def round_won(x: float) -> int:
    """Half away from zero, as the workbook's ROUND(..., 0) does (Python's round() is half-even)."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def compatible(entry: CatalogEntry, item: Equipment) -> Choice | None:
    """The entry can price the item when both its rating and its quantity units convert."""
    r = units.convert(item.rating, item.rating_unit, entry.rating_unit)
    if r is None or units.dimension(item.unit) != units.dimension(entry.unit):
        return None
    return Choice(entry, r)


def _rank(c: Choice) -> tuple:
    e = c.entry
    lo = e.rating_min if e.rating_min is not None else e.rating
    hi = e.rating_max if e.rating_max is not None else e.rating
    closeness = abs(math.log(c.rating / e.rating)) if c.rating > 0 else math.inf
    width = math.log(hi / lo) if lo > 0 else math.inf
    return (closeness, width, e.id)


def choose_entry(item: Equipment, catalog: EquipmentCatalog) -> tuple[Choice | None, str | None]:
    """The entry that prices `item`, and why none does (code) when it is None."""
    if item.catalog_id is not None:
        entry = catalog.entries.get(item.catalog_id)
        if entry is None or entry.family != item.family:
            return None, "HUB621"
        choice = compatible(entry, item)
        return (choice, None) if choice else (None, "HUB621")
    choices = [c for e in catalog.family_entries(item.family) if (c := compatible(e, item)) is not None]
    if not choices:
        return None, "HUB620"
    covering = [c for c in choices if c.entry.covers(c.rating)]
    return min(covering or choices, key=_rank), None


def unit_cost_krw(entry: CatalogEntry, rating: float, item_unit: str, krw_per_usd: float) -> int:
    """Cost of one `item_unit` of the entry's goods at `rating` (in the entry's rating unit)."""
    per_item_unit = units.convert(1.0, item_unit, entry.unit) or 0.0  # entry priced per km, item in m -> 0.001
    return round_won(entry.cost_krw_at(rating, krw_per_usd) * per_item_unit)


def price_item(item: Equipment, catalog: EquipmentCatalog, krw_per_usd: float) -> tuple[Price | None, str | None]:
    """The item's price, or None and the code saying why it has none (HUB620, HUB621)."""
    choice, code = choose_entry(item, catalog)
    if choice is None:
        return None, code
    unit_cost = unit_cost_krw(choice.entry, choice.rating, item.unit, krw_per_usd)
    return (
        Price(
            entry=choice.entry,
            rating=choice.rating,
            unit_cost_krw=unit_cost,
            extended_cost_krw=round_won(item.quantity * unit_cost),
            extrapolated=item.catalog_id is None and not choice.entry.covers(choice.rating),
        ),
        None,
    )


@attrs.frozen(kw_only=True)
class CapexLine:
    """A cost a stage reports in design.json, priced exactly as its BOM line (`line_id`)."""

    line_id: str  # the item's id, which is its BOM line id
    catalog_id: str  # "" when no entry prices it (procurement then reports HUB620/HUB621)
    quantity: float
    unit: str
    unit_cost_krw: int
    cost_krw: int


def capex_line(item: Equipment, catalog: EquipmentCatalog, krw_per_usd: float) -> CapexLine:
    """The item priced by `price_item` (cost 0 when nothing prices it)."""
    price, _ = price_item(item, catalog, krw_per_usd)
    return CapexLine(
        line_id=item.id,
        catalog_id=price.catalog_id if price else "",
        quantity=item.quantity,
        unit=item.unit,
        unit_cost_krw=price.unit_cost_krw if price else 0,
        cost_krw=price.extended_cost_krw if price else 0,
    )
