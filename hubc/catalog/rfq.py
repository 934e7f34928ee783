"""Standard technical data for requests for quotation, loaded from `data/rfq.toml` where every
table carries its source, date and S/U tag: insulation levels by Um (IEC 60076-3, IEC 60071-1),
cable voltage classes (IEC 60502-2), and the kinds, cooling classes and rating classes a buyer
states in an enquiry (transformers, switchgear, UPS, generators, CDUs)."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources


@functools.cache
def data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "rfq.toml").read_text("utf-8"))


def table(name: str) -> dict:
    return data()[name]


def tagged(row: dict) -> str:
    """`source [tag, date]` of a table or row."""
    return f"{row['source']} [{row['tag']}, {row['date']}]"


def insulation_level(um_kv: float) -> dict:
    """The insulation row of the smallest standard Um at or above `um_kv` (the largest when none)."""
    rows = sorted(data()["insulation_level"], key=lambda r: r["um_kv"])
    return next((r for r in rows if r["um_kv"] >= um_kv - 1e-9), rows[-1])


def cable_voltage_class(system_kv: float, um_kv: float) -> dict:
    """The smallest IEC 60502-2 class with U >= the system's nominal voltage and Um >= `um_kv`."""
    rows = sorted(data()["cable_voltage_class"], key=lambda r: r["um_kv"])
    return next((r for r in rows if r["u_kv"] >= system_kv - 1e-9 and r["um_kv"] >= um_kv - 1e-9), rows[-1])
