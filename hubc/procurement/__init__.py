"""Procurement: price every sized equipment item from the catalog into a BOM.

In: the spec, the `Equipment` items of every sizing stage, the merged catalog
(`hubc.catalog.load_catalog`). Out: `Procurement` (BOM lines split over the build-out phases,
capex by system and by phase, domestic share, the complete capex beyond the equipment
(`capex.py`), the order-by schedule (`schedule.py`), the cash flow by phase and year
(`cashflow.py`), HUB62x diagnostics); emitters in `hubc.emit.bom`, `hubc.emit.capex` and
`hubc.emit.suppliers` turn it into bom.xlsx / bom.csv, capex.csv, bom-phases.csv, cashflow.csv,
schedule.csv and suppliers.md / suppliers.csv.
"""

from hubc.procurement.bom import BomLine, Procurement, run_procurement

__all__ = ["BomLine", "Procurement", "run_procurement"]
