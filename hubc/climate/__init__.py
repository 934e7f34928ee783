"""Site climate: the weather station for a campus, its design conditions and an hourly year.

In: the spec's campus (latitude, longitude, region key; optional `climate_station`) and the
climate catalog (`hubc/catalog/data/climate.toml`, ASHRAE Handbook—Fundamentals style design
conditions per station). Out: `SiteClimate` — the station, why it was chosen, the design dry- and
wet-bulb the cooling plant is sized at — and `hourly_year()`: 8760 hours of dry-bulb and wet-bulb
(local standard time, non-leap), seeded and fitted so the year's 0.4 % values equal the station's.

A package of its own because both the cooling stage (design condition, economiser hours) and the
energy stage (hourly PUE, solar time zone) read it; it imports only the catalog and the spec.
"""

from __future__ import annotations

import functools
import math
import tomllib
from importlib import resources
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import numpy as np

    from hubc.spec.model import Spec

HOURS = 8760
EARTH_RADIUS_KM = 6371.0
# Fraction of the year the 0.4 % design values are exceeded (ASHRAE annual percentiles).
DESIGN_EXCEEDANCE = 0.004


@functools.cache
def data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "climate.toml").read_text("utf-8"))


@attrs.frozen(kw_only=True)
class Station:
    id: str
    station: str
    wmo: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    utc_offset_h: float
    cooling_db_c: float  # 0.4 % annual cooling dry-bulb
    cooling_mcwb_c: float  # mean coincident wet-bulb
    evaporation_wb_c: float  # 0.4 % annual evaporation wet-bulb
    heating_db_c: float  # 99.6 % annual heating dry-bulb
    daily_range_c: float
    annual_mean_c: float
    coldest_month_mean_c: float
    warmest_month_mean_c: float
    warmest_month: int
    pv_tilt_deg: float
    monthly_clearness: tuple[float, ...]
    source: str
    tag: str


def stations() -> dict[str, Station]:
    fields = {a.name for a in attrs.fields(Station)}
    out = {}
    for raw in data()["station"]:
        values = {k: v for k, v in raw.items() if k in fields}
        values["monthly_clearness"] = tuple(float(x) for x in raw["monthly_clearness"])
        out[raw["id"]] = Station(**values)
    return out


def _names() -> dict[str, tuple[str, ...]]:
    return {raw["id"]: tuple(n.lower() for n in raw.get("names", ())) for raw in data()["station"]}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@attrs.frozen(kw_only=True)
class SiteClimate:
    """The station a campus is designed to, and the design condition its plant is sized at."""

    station: Station
    chosen_by: str  # "climate_station", "region", or "nearest"
    distance_km: float  # site to station
    design_dry_bulb_c: float  # what the plant is sized at (the station's, or the spec's override)
    design_wet_bulb_c: float
    design_basis: str

    @property
    def far(self) -> bool:
        return self.distance_km > float(data()["nearest_station"]["warn_beyond_km"])

    def describe(self) -> str:
        s = self.station
        how = {
            "climate_station": "named by campus.climate_station",
            "region": "matched by campus.region",
            "nearest": "nearest station (no region match)",
        }[self.chosen_by]
        return f"{s.station} (WMO {s.wmo}), {self.distance_km:.0f} km from the site, {how}"


def site_climate(spec: Spec) -> SiteClimate:
    """The campus's station: the one named by `campus.climate_station`, else the nearest station
    whose names match the region key, else the nearest station of all."""
    c = spec.campus
    all_stations = stations()
    named = c.climate_station
    if named is not None and named in all_stations:
        chosen, how = all_stations[named], "climate_station"
    else:
        region = (c.region or "").lower()
        matches = [sid for sid, names in _names().items() if any(n in region for n in names)] if region else []
        pool = matches or list(all_stations)
        how = "region" if matches else "nearest"
        chosen = min(
            (all_stations[sid] for sid in pool),
            key=lambda s: (distance_km(c.latitude_deg, c.longitude_deg, s.latitude_deg, s.longitude_deg), s.id),
        )
    plant = spec.cooling_plant
    db_override, wb_override = plant.design_dry_bulb_c, plant.design_wet_bulb_c
    basis = "ASHRAE-style 0.4 % annual cooling dry-bulb and 0.4 % evaporation wet-bulb of the station"
    if db_override is not None or wb_override is not None:
        basis = "cooling_plant.design_dry_bulb_c / design_wet_bulb_c (spec), else the station's 0.4 % values"
    return SiteClimate(
        station=chosen,
        chosen_by=how,
        distance_km=distance_km(c.latitude_deg, c.longitude_deg, chosen.latitude_deg, chosen.longitude_deg),
        design_dry_bulb_c=chosen.cooling_db_c if db_override is None else float(db_override),
        design_wet_bulb_c=chosen.evaporation_wb_c if wb_override is None else float(wb_override),
        design_basis=basis,
    )


# ------------------------------------------------------------------------------ psychrometrics


def pressure_kpa(elevation_m: float) -> float:
    """Standard-atmosphere pressure at elevation (ASHRAE Handbook—Fundamentals 2017, ch. 1 eq. 3)."""
    return 101.325 * (1.0 - 2.25577e-5 * elevation_m) ** 5.2559


def saturation_kpa(t_c: np.ndarray) -> np.ndarray:
    """Saturation vapour pressure over water (Magnus form, Alduchov & Eskridge 1996)."""
    import numpy as np

    return 0.61094 * np.exp(17.625 * t_c / (t_c + 243.04))


def wet_bulb_c(dry_bulb_c: np.ndarray, dew_point_c: np.ndarray, p_kpa: float) -> np.ndarray:
    """Thermodynamic wet-bulb from dry-bulb and dew point: the root t* of the psychrometric
    balance (ASHRAE Handbook—Fundamentals 2017, ch. 1 eqs. 33-35), by bisection between the dew
    point and the dry-bulb (the balance is monotonic in t*)."""
    import numpy as np

    t = np.asarray(dry_bulb_c, dtype=float)
    td = np.minimum(np.asarray(dew_point_c, dtype=float), t)
    pw = saturation_kpa(td)
    w = 0.621945 * pw / (p_kpa - pw)
    lo, hi = td.copy(), t.copy()
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        ws = 0.621945 * saturation_kpa(mid) / (p_kpa - saturation_kpa(mid))
        w_mid = ((2501.0 - 2.326 * mid) * ws - 1.006 * (t - mid)) / (2501.0 + 1.86 * t - 4.186 * mid)
        too_wet = w_mid > w  # t* too high
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return 0.5 * (lo + hi)


# ------------------------------------------------------------------------------ the hourly year


@attrs.frozen(kw_only=True, eq=False)
class HourlyClimate:
    dry_bulb_c: np.ndarray
    wet_bulb_c: np.ndarray
    dry_bulb_noise_sd_c: float  # fitted
    dew_point_depression_c: float  # fitted

    def percentile_exceeded(self, series: np.ndarray, fraction: float = DESIGN_EXCEEDANCE) -> float:
        import numpy as np

        return float(np.quantile(series, 1.0 - fraction))


def _ar1(eps: np.ndarray, phi: float) -> np.ndarray:
    """Unit-variance AR(1) series from white noise (persistent weather)."""
    import numpy as np

    out = np.empty_like(eps)
    acc = 0.0
    for i, e in enumerate(eps.tolist()):
        acc = phi * acc + e
        out[i] = acc
    return out * math.sqrt(1 - phi * phi)


def _bisect(f, lo: float, hi: float, target: float, iterations: int = 60) -> float:
    """x in [lo, hi] with f(x) = target, f increasing; the nearer bound when out of reach."""
    if f(lo) >= target:
        return lo
    if f(hi) <= target:
        return hi
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# Random stream of the climate year (the energy stage's renewables use [seed, plant seed, index]);
# the value the dry-bulb PUE model always used, so its year keeps its seed.
CLIMATE_STREAM = 0xD2B


def site_year(spec: Spec) -> HourlyClimate:
    """The campus's hourly climate year: the same for the cooling and the energy stage."""
    return _site_year(site_climate(spec), int(spec.energy.seed))


@functools.lru_cache(maxsize=8)
def _site_year(site: SiteClimate, seed: int) -> HourlyClimate:
    import numpy as np

    return hourly_year(site, np.random.default_rng([seed, CLIMATE_STREAM]))


def hourly_year(site: SiteClimate, rng: np.random.Generator) -> HourlyClimate:
    """A seeded synthetic year around the station's climate: seasonal and diurnal cosines of dry-
    bulb with AR(1) weather whose spread is fitted so the 0.4 % dry-bulb is the design dry-bulb;
    a dew point below the day's mean dry-bulb by a depression fitted so the 0.4 % wet-bulb is the
    design wet-bulb. Deterministic for a seed."""
    import numpy as np

    s = site.station
    y = data()["hourly_year"]
    h = np.arange(HOURS, dtype=float)
    day = np.floor(h / 24.0)
    # Mid of the warmest month (day of year, 0-based), for the seasonal cosine's peak.
    month_starts = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])
    peak_day = float(month_starts[s.warmest_month - 1]) + 15.0
    # Centred on the annual mean (what the energy year integrates), swinging half the difference
    # between the warmest and coldest monthly means.
    amplitude = 0.5 * (s.warmest_month_mean_c - s.coldest_month_mean_c)
    seasonal = s.annual_mean_c + amplitude * np.cos(2 * np.pi * (day - peak_day) / 365.0)
    diurnal = 0.5 * s.daily_range_c * np.cos(2 * np.pi * (h % 24 + 0.5 - float(y["diurnal_peak_hour"])) / 24.0)
    weather = _ar1(rng.standard_normal(HOURS), float(y["persistence"]))
    base = seasonal + diurnal

    def q_db(sd: float) -> float:
        return float(np.quantile(base + sd * weather, 1.0 - DESIGN_EXCEEDANCE))

    sd = _bisect(q_db, 0.0, 15.0, site.design_dry_bulb_c)
    dry = base + sd * weather
    # Dew point: daily mean dry-bulb less a depression, with its own daily AR(1) weather.
    daily_mean = np.repeat(dry.reshape(-1, 24).mean(axis=1), 24)
    td_weather = np.repeat(
        _ar1(rng.standard_normal(HOURS // 24), float(y["dew_point_persistence"])), 24
    ) * float(y["dew_point_noise_sd_c"])
    p = pressure_kpa(s.elevation_m)

    def q_wb(neg_depression: float) -> float:
        wb = wet_bulb_c(dry, np.minimum(daily_mean + neg_depression + td_weather, dry), p)
        return float(np.quantile(wb, 1.0 - DESIGN_EXCEEDANCE))

    neg = _bisect(q_wb, -40.0, 5.0, site.design_wet_bulb_c, iterations=40)
    wet = wet_bulb_c(dry, np.minimum(daily_mean + neg + td_weather, dry), p)
    return HourlyClimate(dry_bulb_c=dry, wet_bulb_c=wet, dry_bulb_noise_sd_c=sd, dew_point_depression_c=-neg)
