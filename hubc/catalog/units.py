"""Units the catalog and the `Equipment` contract use, grouped by dimension.

A rating or a quantity can be converted only within its dimension (kW <-> MW, m <-> km);
pricing refuses anything else rather than guess. Factors are exact unit definitions, except
the refrigeration ton (1 usRT = 3.517 kW, ASHRAE definition 12,000 BTU/h).
"""

from __future__ import annotations

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "W": ("power", 0.001),
    "kW": ("power", 1.0),
    "MW": ("power", 1000.0),
    "GW": ("power", 1_000_000.0),
    "kWp": ("power", 1.0),
    "MWp": ("power", 1000.0),
    "RT": ("power", 3.517),
    "VA": ("apparent-power", 0.001),
    "kVA": ("apparent-power", 1.0),
    "MVA": ("apparent-power", 1000.0),
    "kvar": ("reactive-power", 1.0),
    "Mvar": ("reactive-power", 1000.0),
    "kWh": ("energy", 1.0),
    "MWh": ("energy", 1000.0),
    "GWh": ("energy", 1_000_000.0),
    "A": ("current", 1.0),
    "kA": ("current", 1000.0),
    "V": ("voltage", 0.001),
    "kV": ("voltage", 1.0),
    "mm2": ("section", 1.0),
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "Gbps": ("bandwidth", 1.0),
    "GPU": ("count-gpu", 1.0),
    "ea": ("count", 1.0),
    "set": ("count", 1.0),
    "lot": ("count", 1.0),
    "L/min": ("flow", 1.0),
    "m3/h": ("flow", 1000.0 / 60.0),
}


def dimension(unit: str) -> str | None:
    entry = UNITS.get(unit)
    return entry[0] if entry else None


def convert(value: float, from_unit: str, to_unit: str) -> float | None:
    """`value` in `from_unit` expressed in `to_unit`; None when the dimensions differ."""
    a, b = UNITS.get(from_unit), UNITS.get(to_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return value * a[1] / b[1]
