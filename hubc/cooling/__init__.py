"""The cooling stage: heat in the halls -> the cooling plant that rejects it.

In: the checked `Spec` (halls and their cooling, `cooling_plant`, `policy`). Out: `CoolingResult`
(CRAH/fan walls, heat-rejection units, facility-water pumps, each a recorded decision with its
rule and inputs, and its `Equipment`). Sizing rules live in `sizing.py`.
"""

from hubc.cooling.sizing import CoolingResult, size_cooling

__all__ = ["CoolingResult", "size_cooling"]
