"""The KEPCO industrial tariff (catalog `data/tariff.toml`) as hourly prices, and the bill.

In: the supply voltage (kV) and contract demand (MW). Out: a `Tariff` with the energy rate of
every hour of the 8760-hour year (KRW/MWh: season x load period, plus the per-kWh adders), the
demand charge per MW-month and the demand floor, and `bill()`, the month-by-month energy and
demand charges of an hourly grid import. The year starts on 1 January (non-leap); public
holidays and weekends are billed at the weekday periods (KEPCO bills Sundays at light load, so
this slightly overstates the energy charge).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import attrs
import numpy as np

DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_OF_DAY = np.repeat(np.arange(1, 13), DAYS_IN_MONTH)  # day of year (0-based) -> month 1..12
PERIODS = ("light", "mid", "peak")


@functools.cache
def data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "tariff.toml").read_text("utf-8"))


@attrs.frozen(kw_only=True, eq=False)
class MonthBill:
    month: int  # 1..12
    energy_mwh: float
    peak_mw: float  # highest hourly import of the month
    billing_demand_mw: float  # the 12-month ratchet, at least the floor
    energy_krw: float
    demand_krw: float

    @property
    def total_krw(self) -> float:
        return self.energy_krw + self.demand_krw


@attrs.frozen(kw_only=True, eq=False)
class Tariff:
    name: str
    voltage_class: str  # "A", "B" or "C"
    effective: str
    publication: str
    tag: str
    price_krw_per_mwh: np.ndarray  # hourly, adders included
    demand_krw_per_mw_month: float
    demand_floor_mw: float  # the share of the contract demand always billed

    @property
    def demand_krw_per_mw_year(self) -> float:
        return 12.0 * self.demand_krw_per_mw_month

    def bill(self, grid_mw: np.ndarray) -> tuple[MonthBill, ...]:
        """Month by month: energy charge = sum of hourly import x the hour's rate; demand charge =
        rate x the highest hourly import of the 12 months ending with the month (the year repeats,
        so that is the year's peak), at least the floor."""
        grid = np.asarray(grid_mw, dtype=float)
        months = month_of_hour(len(grid))
        billing = max(float(grid.max(initial=0.0)), self.demand_floor_mw)
        out = []
        for m in range(1, 13):
            sel = months == m
            out.append(
                MonthBill(
                    month=m,
                    energy_mwh=float(grid[sel].sum()),
                    peak_mw=float(grid[sel].max(initial=0.0)),
                    billing_demand_mw=billing,
                    energy_krw=float((grid[sel] * self.price_krw_per_mwh[sel]).sum()),
                    demand_krw=billing * self.demand_krw_per_mw_month,
                )
            )
        return tuple(out)


def month_of_hour(hours: int) -> np.ndarray:
    """Month (1..12) of each hour of a year starting on 1 January."""
    return MONTH_OF_DAY[np.minimum(np.arange(hours) // 24, len(MONTH_OF_DAY) - 1)]


def voltage_class(kv: float, table: dict | None = None) -> str:
    """The 고압 class of a supply voltage: the first class whose range holds it (A below 66 kV)."""
    classes = (table or data())["tariff"]["voltage"]
    for name, row in sorted(classes.items()):
        if row["min_kv"] <= kv < row["max_kv"]:
            return name
    return "A" if kv < 66.0 else "C"


def hourly_prices(t: dict, row: dict, hours: int) -> np.ndarray:
    """KRW/MWh each hour: the season's rate for the hour's load period, plus the per-kWh adders."""
    months = month_of_hour(hours)
    hour_of_day = np.arange(hours) % 24
    price = np.empty(hours)
    adders = 1000.0 * (t["climate_krw_per_kwh"] + t["fuel_adjustment_krw_per_kwh"])
    for season, prefix in (("summer", "summer"), ("spring_autumn", "summer"), ("winter", "winter")):
        in_season = np.isin(months, t[f"{season}_months"])
        period = np.zeros(hours, dtype=int)
        period[np.isin(hour_of_day, t[f"{prefix}_mid_hours"])] = 1
        period[np.isin(hour_of_day, t[f"{prefix}_peak_hours"])] = 2
        rates = 1000.0 * np.asarray(row[season], dtype=float)  # KRW/kWh -> KRW/MWh
        price[in_season] = rates[period[in_season]] + adders
    return price


def kepco_tariff(kv: float, contract_mw: float, hours: int = 8760) -> Tariff:
    """The catalog tariff for a supply voltage and contract demand."""
    t = data()["tariff"]
    cls = voltage_class(kv)
    row = t["voltage"][cls]
    return Tariff(
        name=f"{t['name']}, 고압{cls}",
        voltage_class=cls,
        effective=t["effective"],
        publication=t["publication"],
        tag=row["tag"],
        price_krw_per_mwh=hourly_prices(t, row, hours),
        demand_krw_per_mw_month=1000.0 * float(row["demand_krw_per_kw_month"]),
        demand_floor_mw=float(t["demand_floor_share"]) * contract_mw,
    )


def bess_wear_krw_per_mwh() -> float:
    return float(data()["bess_wear"]["krw_per_mwh_discharged"])
