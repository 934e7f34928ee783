"""Checking rules (renewable capacity-factor limits and tolerances, BESS plausibility ranges, the scope of the
domestic share), loaded from `data/rules.toml` where each figure carries its source."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources


@functools.cache
def _data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "rules.toml").read_text("utf-8"))


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
