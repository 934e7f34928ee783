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
    c_nf_per_km: float = 0.0


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


def _band(name: str, kva: float) -> dict:
    """The first row of a banded table (`up_to_kva` ascending) that covers `kva`."""
    rows = data()[name]
    return next((b for b in rows if kva <= b["up_to_kva"] + 1e-9), rows[-1])


def tagged(row: dict) -> str:
    """`source [tag, date]` of a table row or table."""
    return f"{row['source']} [{row['tag']}, {row['date']}]"


def transformer_z_pu(kva: float) -> float:
    """Short-circuit impedance of a two-winding transformer: the IEC 60076-5 Table 1 minimum."""
    return _band("transformer_impedance", kva)["z_percent"] / 100.0


def transformer_z_source(kva: float) -> str:
    return tagged(_band("transformer_impedance", kva))


def transformer_x_r(kva: float) -> tuple[float, str]:
    row = _band("transformer_x_r", kva)
    return float(row["x_r"]), tagged(row)


def transformer_no_load(kva: float) -> tuple[float, float, str]:
    """(no-load loss %, magnetising current %, source) of a transformer rating."""
    row = _band("transformer_no_load", kva)
    return float(row["pfe_percent"]), float(row["i0_percent"]), tagged(row)


def impedance_tolerance(z_percent: float) -> float:
    """Lower tolerance of a declared impedance as a fraction (IEC 60076-1 Table 1 item 1 c)."""
    t = data()["transformer_impedance_tolerance"]
    pct = t["percent_at_or_above_10"] if z_percent >= 10.0 - 1e-9 else t["percent_below_10"]
    return float(pct) / 100.0


@attrs.frozen(kw_only=True)
class GridFaultLevel:
    voltage_kv: float
    max_ka: float
    min_ka: float
    x_r: float
    source: str


def grid_fault_level(voltage_kv: float) -> GridFaultLevel:
    """The catalog's planning fault level for the nearest supply voltage class."""
    row = min(data()["grid_fault_level"], key=lambda r: (abs(r["voltage_kv"] - voltage_kv), r["voltage_kv"]))
    return GridFaultLevel(voltage_kv=float(row["voltage_kv"]), max_ka=float(row["max_ka"]), min_ka=float(row["min_ka"]), x_r=float(row["x_r"]), source=tagged(row))


@attrs.frozen(kw_only=True)
class SwitchgearClass:
    rated_voltage_kv: float
    min_current_a: float
    max_current_a: float
    max_short_circuit_ka: float
    source: str


def switchgear_class(system_kv: float) -> SwitchgearClass:
    """The switchgear class for a system voltage (the lowest rated voltage that covers it)."""
    rows = sorted(data()["switchgear_class"], key=lambda r: r["system_kv_up_to"])
    row = next((r for r in rows if system_kv <= r["system_kv_up_to"] + 1e-9), rows[-1])
    return SwitchgearClass(
        rated_voltage_kv=float(row["rated_voltage_kv"]),
        min_current_a=float(row["min_current_a"]),
        max_current_a=float(row["max_current_a"]),
        max_short_circuit_ka=float(row["max_short_circuit_ka"]),
        source=tagged(row),
    )


@attrs.frozen(kw_only=True)
class LvBoardRating:
    icu_ka: float
    icw_ka: float
    source: str


def lv_board_ratings() -> tuple[LvBoardRating, ...]:
    return tuple(
        LvBoardRating(icu_ka=float(r["icu_ka"]), icw_ka=float(r["icw_ka"]), source=tagged(r))
        for r in sorted(data()["lv_board_rating"], key=lambda r: r["icu_ka"])
    )


def lv_making_factor(icu_ka: float) -> float:
    """n = rated making capacity (peak) / Icu (IEC 60947-2 Table 2)."""
    rows = sorted(data()["lv_making_factor"], key=lambda r: -r["above_ka"])
    return float(next((r["n"] for r in rows if icu_ka > r["above_ka"] + 1e-9), rows[-1]["n"]))


def line_reactance(voltage_kv: float, name: str) -> tuple[float, float, str]:
    """(x ohm/km, c nF/km, source) of an energy-catalog conductor."""
    for r in data()["line_reactance"]:
        if abs(r["voltage_kv"] - voltage_kv) < 1e-6 and r["name"] == name:
            return float(r["x_ohm_per_km"]), float(r["c_nf_per_km"]), tagged(r)
    raise KeyError(f"no reactance for the {voltage_kv:g} kV conductor {name!r} in electrical.toml [[line_reactance]]")


def motor_share(plant_kind: str) -> tuple[float, str]:
    """Share of the mechanical load on direct-on-line motors for a heat-rejection plant kind."""
    for r in data()["motor_contribution"]:
        if r["plant"] == plant_kind:
            return float(r["dol_share"]), tagged(r)
    return 0.0, "no motor contribution listed for this plant kind"


def mv_cables() -> tuple[MvCable, ...]:
    return tuple(MvCable(**{k: float(v) for k, v in c.items()}) for c in data()["mv_cable_cu_xlpe"])


def lv_cables() -> tuple[dict, ...]:
    return tuple(data()["lv_cable_cu_xlpe"])
