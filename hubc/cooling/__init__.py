"""The cooling stage: heat in the halls -> the cooling plants that reject it, in the site's climate.

In: the checked `Spec` (halls and their cooling, `cooling_plant`, `policy`, phases), the site
climate (`hubc.climate`: station, design dry-/wet-bulb, hourly year) and the placement's row
loads. Out: `CoolingResult` — per hall copy CRAH / fan walls, CDUs and the TCS loop; per plant
heat-rejection units derated at the design condition, the facility-water loop (flow, header,
pumps) and its year (economiser hours, PUE) — each a recorded decision with its rule, inputs and
source, and its `Equipment`. Sizing rules live in `sizing.py`, the hourly plant in `annual.py`.
"""

from hubc.cooling.result import CoolingResult
from hubc.cooling.sizing import size_cooling

__all__ = ["CoolingResult", "size_cooling"]
