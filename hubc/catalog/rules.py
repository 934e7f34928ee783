"""Utility and regulatory rules (KEPCO supply bands, impact-assessment threshold), loaded from
`data/rules.toml` where each figure carries its source."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import attrs


@attrs.frozen(kw_only=True)
class SupplyBand:
    name: str
    voltage_kv: float
    low_mw: float
    high_mw: float
    source: str


@functools.cache
def _data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "rules.toml").read_text("utf-8"))


def bands() -> tuple[SupplyBand, ...]:
    return tuple(
        SupplyBand(name=b["name"], voltage_kv=b["voltage_kv"], low_mw=b["low_mw"], high_mw=b["high_mw"], source=b["source"])
        for b in _data()["kepco_band"]
    )


def kepco_supply_band(contract_mw: float) -> SupplyBand:
    """The band whose range holds the contract (upper bound inclusive)."""
    for band in bands():
        if contract_mw <= band.high_mw:
            return band
    return bands()[-1]


def renewable_cf_limits(kind: str) -> tuple[float, float]:
    """(physical ceiling, top of Korean experience) of a renewable's annual capacity factor."""
    row = _data()["renewable_cf"][kind]
    return float(row["physical_max"]), float(row["korea_typical_max"])


def bess_range(name: str) -> tuple[float, float]:
    low, high = _data()["bess_ranges"][name]
    return float(low), float(high)


def __getattr__(name: str):
    if name == "KEPCO_VOLTAGES_KV":
        return tuple(_data()["kepco"]["voltages_kv"])
    if name == "IMPACT_ASSESSMENT_MW":
        return float(_data()["impact_assessment"]["threshold_mw"])
    raise AttributeError(name)
