"""Procurement: price every sized equipment item from the catalog into a BOM.

In: the spec, the `Equipment` items of every sizing stage, the merged catalog
(`hubc.catalog.load_catalog`). Out: `Procurement` (BOM lines, capex by system and
by phase, domestic share, HUB62x diagnostics); emitters in `hubc.emit.bom` and
`hubc.emit.suppliers` turn it into bom.xlsx / bom.csv and suppliers.md / suppliers.csv.
"""

from hubc.procurement.bom import BomLine, Procurement, run_procurement

__all__ = ["BomLine", "Procurement", "run_procurement"]
