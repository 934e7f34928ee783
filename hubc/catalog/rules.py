"""Utility, regulatory and checking rules (KEPCO supply bands, impact-assessment threshold,
renewable capacity-factor limits and tolerances, BESS plausibility ranges, the scope of the
domestic share), loaded from `data/rules.toml` where each figure carries its source."""

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


def capacity_factor_tolerance() -> tuple[float, float]:
    """(relative gap of a profile CSV's mean, absolute gap of a synthetic year) before HUB421."""
    row = _data()["capacity_factor_tolerance"]
    return float(row["profile_csv_relative"]), float(row["synthetic_absolute"])


def owner_furnished_systems() -> tuple[str, ...]:
    """Systems left out of the facility-scope domestic share (owner-furnished IT)."""
    return tuple(_data()["domestic_share"]["owner_furnished_systems"])


def __getattr__(name: str):
    if name == "KEPCO_VOLTAGES_KV":
        return tuple(_data()["kepco"]["voltages_kv"])
    if name == "IMPACT_ASSESSMENT_MW":
        return float(_data()["impact_assessment"]["threshold_mw"])
    raise AttributeError(name)
