"""The energy catalog (`data/energy.toml`): BESS containers, renewable costs, HV conductors,
KEPCO line costs, annualisation and synthetic-weather shapes. Every entry carries a source,
a date and a tag; costs are estimates."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import attrs


@attrs.frozen(kw_only=True)
class BessContainer:
    id: str
    name: str
    vendor: str
    domestic: bool
    energy_mwh: float
    c_rate: float
    round_trip_efficiency: float
    depth_of_discharge: float
    eol_state_of_health: float
    lifetime_years: int
    cost_usd_per_kwh: float
    pcs_cost_usd_per_kw: float
    source: str
    date: str
    tag: str

    @property
    def power_mw(self) -> float:
        return self.energy_mwh * self.c_rate


@attrs.frozen(kw_only=True)
class Conductor:
    voltage_kv: float
    construction: str
    name: str
    ampacity_a: float
    r_ohm_per_km: float
    source: str
    tag: str


@attrs.frozen(kw_only=True)
class LineCost:
    voltage_kv: float
    overhead_krw_per_km: float
    underground_krw_per_km: float
    source: str
    date: str
    tag: str


@functools.cache
def data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "energy.toml").read_text("utf-8"))


_BESS_FIELDS = tuple(a.name for a in attrs.fields(BessContainer))


def bess_containers() -> dict[str, BessContainer]:
    return {c["id"]: BessContainer(**{k: c[k] for k in _BESS_FIELDS}) for c in data()["bess_container"]}


def conductors(voltage_kv: float, construction: str) -> tuple[Conductor, ...]:
    """Options for a voltage class, smallest ampacity first (submarine uses the cable table)."""
    kind = "underground" if construction == "submarine" else construction
    rows = [c for c in data()["conductor"] if c["voltage_kv"] == voltage_kv and c["construction"] == kind]
    return tuple(
        sorted(
            (
                Conductor(
                    voltage_kv=c["voltage_kv"],
                    construction=c["construction"],
                    name=c["name"],
                    ampacity_a=float(c["ampacity_a"]),
                    r_ohm_per_km=float(c["r_ohm_per_km"]),
                    source=c["source"],
                    tag=c["tag"],
                )
                for c in rows
            ),
            key=lambda c: c.ampacity_a,
        )
    )


def pcs_unit_mw() -> float:
    return float(data()["bess_pcs"]["unit_mw"])


def voltage_classes() -> tuple[float, ...]:
    return tuple(sorted({float(c["voltage_kv"]) for c in data()["conductor"]}))


def line_cost(voltage_kv: float) -> LineCost:
    for c in data()["line_cost"]:
        if c["voltage_kv"] == voltage_kv:
            return LineCost(
                voltage_kv=c["voltage_kv"],
                overhead_krw_per_km=c["overhead_krw_per_km"],
                underground_krw_per_km=c["underground_krw_per_km"],
                source=c["source"],
                date=c["date"],
                tag=c["tag"],
            )
    raise KeyError(voltage_kv)


def submarine_factor() -> float:
    return float(data()["line_cost_submarine"]["factor_over_underground"])


def renewable_cost(kind: str) -> dict:
    return dict(data()["renewable_cost"][kind])


def annualisation() -> dict:
    return dict(data()["annualisation"])


def weather(kind: str) -> dict:
    return dict(data()["weather"][kind])


def crf(rate: float, years: int) -> float:
    """Capital recovery factor: the annual payment that repays 1 over `years` at `rate`."""
    if rate == 0:
        return 1.0 / years
    g = (1 + rate) ** years
    return rate * g / (g - 1)
