"""Electrical rating tables (transformer, frame, cable, UPS and generator sizes), loaded from
`data/electrical.toml` where every table carries its source, date and S/V/U tag."""

from __future__ import annotations

import bisect
import functools
import tomllib
from importlib import resources

import attrs


@attrs.frozen(kw_only=True)
class MvCable:
    size_mm2: float
    ampacity_a: float
    r_ohm_per_km: float
    x_ohm_per_km: float


@functools.cache
def data() -> dict:
    text = (resources.files("hubc.catalog") / "data" / "electrical.toml").read_text("utf-8")
    return tomllib.loads(text)


def table(name: str) -> dict:
    """A named table (with its `source`, `date`, `tag`)."""
    return data()[name]


def source(name: str) -> str:
    t = data()[name]
    return f"{t['source']} [{t['tag']}, {t['date']}]"


def sizes(name: str) -> tuple[float, ...]:
    return tuple(float(x) for x in data()[name]["sizes"])


def next_size(name: str, need: float) -> float | None:
    """The smallest standard size >= need (None when the table ends below it)."""
    s = sizes(name)
    i = bisect.bisect_left(s, need - 1e-9)
    return s[i] if i < len(s) else None


def transformer_z_pu(kva: float) -> float:
    for band in data()["transformer_impedance"]:
        if kva <= band["up_to_kva"]:
            return band["z_percent"] / 100.0
    return data()["transformer_impedance"][-1]["z_percent"] / 100.0


def mv_cables() -> tuple[MvCable, ...]:
    return tuple(MvCable(**{k: float(v) for k, v in c.items()}) for c in data()["mv_cable_cu_xlpe"])


def lv_cables() -> tuple[dict, ...]:
    return tuple(data()["lv_cable_cu_xlpe"])
