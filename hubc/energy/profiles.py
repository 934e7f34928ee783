"""Hourly profiles of the energy year: campus load, solar, wind, PPAs and user CSVs.

In: the spec (utilisation, PUE, site, plants, seeds) and the profile CSVs it names.
Out: numpy arrays of 8760 hours (local standard time, non-leap year, hour-beginning), loads in
MW and renewable outputs per unit of nameplate (PV on a fixed equator-facing plane). Synthetic weather is seeded, so the same spec
gives the same year; each plant's annual energy is scaled to its stated capacity factor.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from hubc.catalog import energy as cat
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, HubcError, Location, quote

HOURS = 8760
DAYS = 365
# Days per month of a non-leap year (the energy year has 8760 hours).
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_of_hour() -> np.ndarray:
    """Month (1-12) of every hour of the year."""
    return np.repeat(np.repeat(np.arange(1, 13), MONTH_DAYS), 24)


# ------------------------------------------------------------------------------------ CSV


def read_profile_csv(
    path: Path,
    display: str,
    *,
    low: float = 0.0,
    high: float = 1.0,
    origin: Location | None = None,
    roots: tuple[Path, ...] | None = None,
) -> np.ndarray:
    """Read 8760 per-unit values; every problem is a HUB410 diagnostic at file:line.

    One value per line, in the last comma-separated column (so `hour,value` works); blank lines
    and `#` comments are skipped; a first line that is not a number is a header. The file must
    lie inside `roots` (a spec's folder and its --allow-read folders; default: the file's own
    folder), be a regular file and within the profile size limit (`hubc.spec.files`).
    """
    from hubc.spec.files import read_confined
    from hubc.spec.limits import limits

    problems: list[Diagnostic] = []
    where = origin or Location(file=display)
    data = read_confined(path, roots if roots is not None else (path.parent,), limits().profile_csv_max_bytes,
                         display, where, what="profile")
    if isinstance(data, Diagnostic):
        raise HubcError([data], 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HubcError(
            [
                diag(
                    "HUB410",
                    f'profile "{display}" cannot be read: {exc.__class__.__name__}',
                    origin or Location(file=display),
                    help="save the profile as UTF-8 text, one value per line",
                )
            ],
            1,
        ) from None
    values: list[float] = []
    first_data = True
    # Only the first 20 problems become diagnostics (the rest are counted): a file of a million
    # bad lines must not build a million findings.
    more = 0

    def report(d_code: str, message: str, loc: Location, help: str) -> None:
        nonlocal more
        if len(problems) < 20:
            problems.append(diag(d_code, message, loc, help=help))
        else:
            more += 1

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        cell = line.rsplit(",", 1)[-1].strip()
        col = len(raw) - len(raw.lstrip()) + line.rfind(cell) + 1
        loc = Location(file=display, line=lineno, col=col, length=max(1, len(cell)))
        try:
            v = float(cell)
        except ValueError:
            if first_data and not values:
                first_data = False  # a header line
                continue
            report("HUB410", f"{quote(cell)} is not a number", loc, "one numeric value per hour")
            values.append(float("nan"))
            continue
        first_data = False
        if not math.isfinite(v):
            report("HUB410", f"{quote(cell)} is not a finite number", loc, "one numeric value per hour")
        elif not (low <= v <= high):
            hint = (
                "per-unit values: 0.85, not 85" if v > high and v <= 100 * high else f"values lie in {low:g}-{high:g}"
            )
            report("HUB410", f"value {v:g} is outside {low:g}-{high:g}", loc, hint)
        values.append(v)
    if len(values) != HOURS and not problems:
        n = len(values)
        hint = "drop 29 February (24 rows) in a leap year" if n == HOURS + 24 else "one row per hour of a 365-day year"
        problems.append(
            diag(
                "HUB410",
                f'profile "{display}" has {n} hourly values, expected {HOURS}',
                Location(file=display, line=max(1, len(text.splitlines())), col=1),
                help=hint,
                related=((origin, "named here"),) if origin else (),
            )
        )
    if problems:
        if more:
            extra = more
            last = problems[-1]
            problems[-1] = Diagnostic(
                code=last.code,
                severity=last.severity,
                message=last.message,
                location=last.location,
                help=last.help,
                notes=(f"... and {extra} more problems in this file",),
            )
        raise HubcError(problems, 1)
    return np.asarray(values, dtype=float)


# ------------------------------------------------------------------------------------ load


def load_mw(it_kw: float, pue: float, utilisation: np.ndarray | float) -> np.ndarray:
    """Campus load = IT design load x utilisation x PUE (cooling and losses by PUE)."""
    u = np.broadcast_to(np.asarray(utilisation, dtype=float), (HOURS,))
    return it_kw / 1000.0 * pue * u


def dry_bulb_c(rng: np.random.Generator, site=None) -> np.ndarray:
    """Synthetic outdoor dry-bulb temperature (deg C) per hour of a station's climate year
    (`hubc.climate.hourly_year`: seasonal and diurnal cosines plus AR(1) weather fitted to the
    station's 0.4 % design dry-bulb); the Seoul station unless `site` (a SiteClimate) is given."""
    from hubc import climate

    if site is None:
        st = climate.stations()["seoul"]
        site = climate.SiteClimate(station=st, chosen_by="climate_station", distance_km=0.0,
                                   design_dry_bulb_c=st.cooling_db_c, design_wet_bulb_c=st.evaporation_wb_c,
                                   design_basis="station")
    return climate.hourly_year(site, rng).dry_bulb_c


def site_dry_bulb_c(spec) -> np.ndarray:
    """The campus's climate year dry-bulb (the cooling stage designs to the same year)."""
    from hubc import climate

    return climate.site_year(spec).dry_bulb_c


def climate_pue(spec) -> tuple[np.ndarray, np.ndarray, str]:
    """Hourly PUE of the campus's cooling plants in the site's climate year, the dry-bulb, a label."""
    from hubc import climate
    from hubc.cooling import size_cooling

    plant = size_cooling(spec)
    pue_h = plant.pue_hourly()
    label = (
        f"PUE {float(pue_h.min()):.3f}-{float(pue_h.max()):.3f} by the cooling plant in the "
        f"{plant.climate.station} climate year (mean {float(pue_h.mean()):.3f}, "
        f"{plant.economiser_hours} economiser hours)"
    )
    return pue_h, climate.site_year(spec).dry_bulb_c, label


def pue_from_dry_bulb(temp_c: np.ndarray, annual_pue: float, design_pue: float) -> tuple[np.ndarray, int]:
    """Hourly PUE rising `slope_per_c` per degree above `knee_c` (catalog `pue_dry_bulb`),
    within [1, design_pue] (the design day is the peak the electrical plant is sized for), and
    shifted so the year averages the annual PUE: the shift is found by bisection, as the mean
    of the clipped curve grows monotonically with it. Returns the PUE and the hours capped."""
    c = cat.pue_dry_bulb()
    shape = float(c["slope_per_c"]) * np.maximum(0.0, np.asarray(temp_c, dtype=float) - float(c["knee_c"]))
    hi = max(design_pue, annual_pue)

    def curve(shift: float) -> np.ndarray:
        return np.clip(annual_pue + shape + shift, 1.0, hi)

    lo_s, hi_s = 1.0 - annual_pue - float(shape.max()), hi - annual_pue
    for _ in range(200):
        mid = 0.5 * (lo_s + hi_s)
        if curve(mid).mean() < annual_pue:
            lo_s = mid
        else:
            hi_s = mid
        if hi_s - lo_s < 1e-15:
            break
    shift = 0.5 * (lo_s + hi_s)
    return curve(shift), int((annual_pue + shape + shift > hi).sum())


# ------------------------------------------------------------------------------------ solar
# pvlib: NREL SPA solar position (Reda & Andreas 2004), Ineichen-Perez clear sky (Ineichen &
# Perez 2002) with the Linke turbidity climatology pvlib ships (Remund et al. 2003, SoDa), Erbs
# et al. (1982) beam/diffuse split, Perez et al. (1990) transposition onto the modules; single-
# axis trackers by Marion & Dobos (2013) with backtracking.


def _times(utc_offset_h: float):
    """Mid-hour timestamps of the energy year in local standard time (a fixed UTC offset)."""
    import datetime as dt

    import pandas as pd

    from hubc import climate

    year = int(climate.data()["hourly_year"]["reference_year"])
    tz = dt.timezone(dt.timedelta(hours=utc_offset_h))
    return pd.date_range(f"{year}-01-01 00:30", periods=HOURS, freq="h", tz=tz)


def _standard_offset(longitude_deg: float) -> float:
    """Standard time of a site with no station: the nearest 15-degree meridian."""
    return float(round(longitude_deg / 15.0))


def clear_sky(latitude_deg: float, longitude_deg: float, utc_offset_h: float | None = None, altitude_m: float | None = None):
    """(solar position DataFrame, clear-sky DataFrame ghi/dni/dhi, dni_extra) for the year, by pvlib."""
    from pvlib import atmosphere, clearsky, irradiance, location, solarposition

    off = _standard_offset(longitude_deg) if utc_offset_h is None else utc_offset_h
    times = _times(off)
    alt = float(location.lookup_altitude(latitude_deg, longitude_deg)) if altitude_m is None else altitude_m
    sp = solarposition.get_solarposition(times, latitude_deg, longitude_deg, altitude=alt)
    tl = clearsky.lookup_linke_turbidity(times, latitude_deg, longitude_deg)
    am_abs = atmosphere.get_absolute_airmass(atmosphere.get_relative_airmass(sp["apparent_zenith"]), atmosphere.alt2pres(alt))
    dni_extra = irradiance.get_extra_radiation(times)
    cs = clearsky.ineichen(sp["apparent_zenith"], am_abs, tl, altitude=alt, dni_extra=dni_extra)
    return sp, cs.fillna(0.0), dni_extra


def solar_cos_zenith(latitude_deg: float, longitude_deg: float) -> np.ndarray:
    """cos(zenith) at mid-hour of every hour, local standard time (NREL SPA via pvlib)."""
    from pvlib import solarposition

    sp = solarposition.get_solarposition(_times(_standard_offset(longitude_deg)), latitude_deg, longitude_deg)
    return np.cos(np.radians(sp["zenith"].to_numpy()))


def clearness_index(rng: np.random.Generator, monthly_clearness=None) -> np.ndarray:
    """Seeded hourly clear-sky index: a daily Beta draw around the month's mean clearness (monsoon
    months cloudier), then an AR(1) hourly wobble; clipped to a physical 0.05-1."""
    w = cat.weather("solar")
    months = w["monthly_clearness"] if monthly_clearness is None else monthly_clearness
    mean = np.repeat(np.asarray(months, dtype=float), MONTH_DAYS)
    spread = float(w["daily_spread"])
    conc = max(mean.mean() * (1 - mean.mean()) / spread**2 - 1.0, 1.0)
    daily = rng.beta(mean * conc, (1 - mean) * conc)
    wobble = _ar1(rng.standard_normal(HOURS) * float(w["hourly_sd"]), float(w["hourly_persistence"]))
    return np.clip(np.repeat(daily, 24) + wobble, 0.05, 1.0)


def plane_of_array(sp, ghi, dni_extra, *, latitude_deg: float, tilt_deg: float, azimuth_deg: float,
                   tracking: str, albedo: float) -> np.ndarray:
    """Irradiance on the modules (W/m2): Erbs split of the cloudy GHI, Perez transposition onto a
    fixed plane or a single-axis tracker (north-south axis, +-60 degrees, backtracking, GCR 0.35)."""
    import pandas as pd
    from pvlib import atmosphere, irradiance
    from pvlib import tracking as trk

    ghi_s = pd.Series(ghi, index=sp.index)
    split = irradiance.erbs(ghi_s, sp["zenith"], sp.index)
    if tracking == "single-axis":
        t = trk.singleaxis(sp["apparent_zenith"], sp["azimuth"], axis_tilt=0.0, axis_azimuth=180.0,
                           max_angle=60.0, backtrack=True, gcr=0.35)
        surface_tilt, surface_azimuth = t["surface_tilt"].fillna(0.0), t["surface_azimuth"].fillna(180.0)
    else:
        surface_tilt, surface_azimuth = tilt_deg, azimuth_deg
    poa = irradiance.get_total_irradiance(
        surface_tilt, surface_azimuth, sp["apparent_zenith"], sp["azimuth"], split["dni"], ghi_s, split["dhi"],
        dni_extra=dni_extra, airmass=atmosphere.get_relative_airmass(sp["apparent_zenith"]), albedo=albedo,
        model="perez",
    )
    out = poa["poa_global"].fillna(0.0).to_numpy()
    out[sp["zenith"].to_numpy() >= 90.0] = 0.0
    return np.clip(out, 0.0, None)


def solar_pu(
    latitude_deg: float,
    longitude_deg: float,
    capacity_factor: float,
    rng: np.random.Generator,
    tilt_deg: float | None = None,
    *,
    azimuth_deg: float | None = None,
    tracking: str = "fixed",
    utc_offset_h: float | None = None,
    altitude_m: float | None = None,
    monthly_clearness=None,
) -> np.ndarray:
    """Per-unit PV output: pvlib clear sky x seeded cloudiness, transposed onto the modules,
    scaled to the capacity factor (never above nameplate)."""
    w = cat.weather("solar")
    sp, cs, dni_extra = clear_sky(latitude_deg, longitude_deg, utc_offset_h, altitude_m)
    ghi = cs["ghi"].to_numpy() * clearness_index(rng, monthly_clearness)
    tilt = float(w["tilt_deg"]) if tilt_deg is None else tilt_deg
    azimuth = (180.0 if latitude_deg >= 0 else 0.0) if azimuth_deg is None else azimuth_deg
    poa = plane_of_array(sp, ghi, dni_extra, latitude_deg=latitude_deg, tilt_deg=tilt, azimuth_deg=azimuth,
                         tracking=tracking, albedo=float(w["albedo"]))
    return _scale_clipped(poa / 1000.0, capacity_factor)


def synthetic_solar(spec, plant, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """A spec's solar plant at the campus: its station's time zone, cloud climatology and PV tilt
    unless the plant gives tilt, azimuth or tracking; (per-unit year, label)."""
    from hubc import climate

    c = spec.campus
    st = climate.site_climate(spec).station
    tilt = st.pv_tilt_deg if plant.tilt_deg is None else plant.tilt_deg
    azimuth = (180.0 if c.latitude_deg >= 0 else 0.0) if plant.azimuth_deg is None else plant.azimuth_deg
    pu = solar_pu(c.latitude_deg, c.longitude_deg, plant.capacity_factor, rng, tilt, azimuth_deg=azimuth,
                  tracking=plant.tracking, utc_offset_h=st.utc_offset_h, monthly_clearness=st.monthly_clearness)
    mount = "single-axis trackers" if plant.tracking == "single-axis" else f"fixed tilt {tilt:g} deg, azimuth {azimuth:g} deg"
    return pu, (
        "synthetic: pvlib NREL SPA solar position, Ineichen-Perez clear sky (Linke turbidity climatology), "
        f"seeded cloudiness ({st.station} climatology), Erbs split, Perez transposition, {mount}"
    )


def _ar1(eps: np.ndarray, phi: float) -> np.ndarray:
    out = np.empty_like(eps)
    acc = 0.0
    for i, e in enumerate(eps.tolist()):
        acc = phi * acc + e
        out[i] = acc
    return out * math.sqrt(1 - phi * phi)


def _scale_clipped(raw: np.ndarray, cf: float) -> np.ndarray:
    """min(1, a x raw) with `a` found by bisection so the mean is `cf` (or as close as the
    shape allows: output never exceeds nameplate)."""
    if raw.max() <= 0:
        return np.zeros_like(raw)
    lo, hi = 0.0, 1.0 / raw[raw > 0].min() * 2
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.minimum(1.0, mid * raw).mean() < cf:
            lo = mid
        else:
            hi = mid
    return np.minimum(1.0, hi * raw)


# ------------------------------------------------------------------------------------- wind


def wind_pu(kind: str, capacity_factor: float, rng: np.random.Generator) -> np.ndarray:
    """Per-unit wind output: Weibull speeds with seasonal and diurnal shape, through the kind's
    turbine power curve (windpowerlib's library).

    Persistent hourly weather comes from an AR(1) Gaussian series mapped to Weibull quantiles
    (Gaussian copula); the Weibull scale is found by bisection so the power curve's annual mean
    equals the capacity factor.
    """
    w = cat.weather(kind)
    z = _ar1(rng.standard_normal(HOURS), float(w["persistence"]))
    u = np.asarray([0.5 * (1.0 + math.erf(x / math.sqrt(2.0))) for x in z.tolist()])
    u = np.clip(u, 1e-9, 1 - 1e-9)
    base = (-np.log1p(-u)) ** (1.0 / float(w["weibull_k"]))
    day = np.repeat(np.arange(DAYS), 24)
    hour = np.tile(np.arange(24), DAYS)
    shape = (
        1.0 + float(w["seasonal_amplitude"]) * np.cos(2 * np.pi * (day - float(w["seasonal_peak_day"])) / DAYS)
    ) * (1.0 + float(w["diurnal_amplitude"]) * np.cos(2 * np.pi * (hour - float(w["diurnal_peak_hour"])) / 24.0))
    speeds = base * shape
    curve = turbine_curve(kind)

    # Mean output rises with the scale until cut-out bites; search below that turning point.
    lo, hi = 0.1, 20.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if curve(mid * speeds).mean() < capacity_factor:
            lo = mid
        else:
            hi = mid
    return curve(hi * speeds)


def turbine_curve(kind: str):
    """Per-unit power curve of the kind's turbine from windpowerlib's turbine library (catalog
    climate.toml `turbine.<kind>`): linear between the library's points, zero beyond the last
    (cut-out), as windpowerlib.power_output.power_curve does."""
    speeds, pu = _library_curve(kind)

    def curve(v: np.ndarray) -> np.ndarray:
        return np.minimum(np.interp(v, speeds, pu, left=0.0, right=0.0), 1.0)  # never above nameplate

    return curve


def _library_curve(kind: str) -> tuple[np.ndarray, np.ndarray]:
    return _library_curve_of(turbine_type(kind))


def turbine_type(kind: str) -> str:
    """windpowerlib turbine type of a wind kind (catalog climate.toml `turbine.<kind>`)."""
    from hubc import climate

    return str(climate.data()["turbine"][kind]["turbine_type"])


@functools.cache
def _library_curve_of(turbine_type: str) -> tuple[np.ndarray, np.ndarray]:
    from windpowerlib import WindTurbine

    t = WindTurbine(hub_height=100.0, turbine_type=turbine_type)
    pc = t.power_curve.sort_values("wind_speed")
    return pc["wind_speed"].to_numpy(dtype=float), pc["value"].to_numpy(dtype=float) / float(t.nominal_power)


def ppa_pu(capacity_factor: float) -> np.ndarray:
    """A PPA without a profile is a flat block at its capacity factor."""
    return np.full(HOURS, capacity_factor)
