"""Hourly profiles of the energy year: campus load, solar, wind, PPAs and user CSVs.

In: the spec (utilisation, PUE, site, plants, seeds) and the profile CSVs it names.
Out: numpy arrays of 8760 hours (local standard time, non-leap year, hour-beginning), loads in
MW and renewable outputs per unit of nameplate (PV on a fixed equator-facing plane). Synthetic weather is seeded, so the same spec
gives the same year; each plant's annual energy is scaled to its stated capacity factor.
"""

from __future__ import annotations

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


def dry_bulb_c(rng: np.random.Generator) -> np.ndarray:
    """Synthetic outdoor dry-bulb temperature (deg C) per hour: seasonal and diurnal cosines
    (catalog `weather.dry-bulb`) plus persistent AR(1) weather noise."""
    w = cat.weather("dry-bulb")
    h = np.arange(HOURS, dtype=float)
    day = h / 24.0
    seasonal = float(w["seasonal_amplitude_c"]) * np.cos(2 * np.pi * (day - float(w["seasonal_peak_day"])) / 365.0)
    diurnal = float(w["diurnal_amplitude_c"]) * np.cos(2 * np.pi * (h % 24 - float(w["diurnal_peak_hour"])) / 24.0)
    noise = _ar1(rng.standard_normal(HOURS), float(w["persistence"])) * float(w["noise_sd_c"])
    return float(w["annual_mean_c"]) + seasonal + diurnal + noise


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


def _sun(latitude_deg: float, longitude_deg: float) -> tuple[np.ndarray, ...]:
    """Sun position at mid-hour of every hour, local standard time: (cos zenith, declination,
    hour angle, day angle), radians.

    Declination and equation of time by Spencer (1971); the standard meridian is the nearest
    multiple of 15 degrees (Korea: 135 E, UTC+9); hour angle from apparent solar time.
    """
    n = np.repeat(np.arange(1, DAYS + 1), 24).astype(float)
    clock = np.tile(np.arange(24), DAYS) + 0.5
    g = 2 * np.pi * (n - 1) / 365.0
    decl = (
        0.006918
        - 0.399912 * np.cos(g)
        + 0.070257 * np.sin(g)
        - 0.006758 * np.cos(2 * g)
        + 0.000907 * np.sin(2 * g)
        - 0.002697 * np.cos(3 * g)
        + 0.00148 * np.sin(3 * g)
    )
    eot_min = 229.18 * (
        0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g) - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g)
    )
    std_meridian = 15.0 * round(longitude_deg / 15.0)
    solar_time = clock + (4.0 * (longitude_deg - std_meridian) + eot_min) / 60.0
    omega = np.radians(15.0 * (solar_time - 12.0))
    phi = math.radians(latitude_deg)
    cos_z = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(omega)
    return cos_z, decl, omega, g


def solar_cos_zenith(latitude_deg: float, longitude_deg: float) -> np.ndarray:
    """cos(zenith) at mid-hour of every hour, local standard time."""
    return _sun(latitude_deg, longitude_deg)[0]


def clear_sky_ghi(cos_z: np.ndarray) -> np.ndarray:
    """Haurwitz (1945) clear-sky global horizontal irradiance, W/m2."""
    c = np.clip(cos_z, 0.0, None)
    out = np.zeros_like(c)
    up = c > 0.01
    out[up] = 1098.0 * c[up] * np.exp(-0.057 / c[up])
    return out


def plane_of_array(
    ghi: np.ndarray, latitude_deg: float, longitude_deg: float, tilt_deg: float, albedo: float
) -> np.ndarray:
    """Irradiance on a fixed, equator-facing plane tilted `tilt_deg`, W/m2.

    Erbs et al. (1982) split global into diffuse and beam by the clearness index against the
    extraterrestrial irradiance (Spencer's eccentricity); the isotropic-sky (Liu-Jordan) model
    transposes beam, sky diffuse and ground-reflected light onto the plane.
    """
    cos_z, decl, omega, g = _sun(latitude_deg, longitude_deg)
    e0 = 1.00011 + 0.034221 * np.cos(g) + 0.00128 * np.sin(g) + 0.000719 * np.cos(2 * g) + 0.000077 * np.sin(2 * g)
    up = cos_z > 0.05  # below ~3 degrees of elevation the beam split is meaningless
    kt = np.zeros_like(ghi)
    kt[up] = np.clip(ghi[up] / (1367.0 * e0[up] * cos_z[up]), 0.0, 1.0)
    fd = np.where(
        kt <= 0.22,
        1.0 - 0.09 * kt,
        np.where(kt <= 0.8, 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4, 0.165),
    )
    dhi = np.where(up, fd * ghi, ghi)
    dni = np.zeros_like(ghi)
    dni[up] = (ghi[up] - dhi[up]) / cos_z[up]
    beta = math.radians(tilt_deg)
    # Equator-facing plane: the incidence angle is the zenith angle at latitude phi -/+ beta.
    phi_eff = math.radians(latitude_deg) - math.copysign(beta, latitude_deg if latitude_deg != 0 else 1.0)
    cos_t = np.sin(phi_eff) * np.sin(decl) + np.cos(phi_eff) * np.cos(decl) * np.cos(omega)
    cos_t = np.where(cos_z > 0, np.clip(cos_t, 0.0, None), 0.0)
    return dni * cos_t + dhi * (1 + math.cos(beta)) / 2 + ghi * albedo * (1 - math.cos(beta)) / 2


def solar_pu(
    latitude_deg: float,
    longitude_deg: float,
    capacity_factor: float,
    rng: np.random.Generator,
    tilt_deg: float | None = None,
) -> np.ndarray:
    """Per-unit PV output: clear-sky irradiance x seeded cloudiness on a fixed tilted plane,
    scaled to the capacity factor."""
    w = cat.weather("solar")
    tilt = float(w["tilt_deg"]) if tilt_deg is None else tilt_deg
    ghi = clear_sky_ghi(solar_cos_zenith(latitude_deg, longitude_deg))
    # Daily clear-sky index: Beta around the month's mean (monsoon months cloudier), then an
    # AR(1) hourly wobble; both clipped to a physical 0.05-1.
    mean = np.repeat(np.asarray(w["monthly_clearness"], dtype=float), MONTH_DAYS)
    spread = float(w["daily_spread"])
    conc = max(mean.mean() * (1 - mean.mean()) / spread**2 - 1.0, 1.0)
    daily = rng.beta(mean * conc, (1 - mean) * conc)
    eps = rng.standard_normal(HOURS) * float(w["hourly_sd"])
    phi = float(w["hourly_persistence"])
    wobble = _ar1(eps, phi)
    k = np.clip(np.repeat(daily, 24) + wobble, 0.05, 1.0)
    poa = plane_of_array(ghi * k, latitude_deg, longitude_deg, tilt, float(w["albedo"]))
    return _scale_clipped(poa / 1000.0, capacity_factor)


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
    """Per-unit wind output: Weibull speeds with seasonal and diurnal shape, through a power curve.

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
    vi, vr, vo = float(w["cut_in_ms"]), float(w["rated_ms"]), float(w["cut_out_ms"])

    def curve(v: np.ndarray) -> np.ndarray:
        p = np.clip((v**3 - vi**3) / (vr**3 - vi**3), 0.0, 1.0)
        p[(v < vi) | (v >= vo)] = 0.0
        return p

    # Mean output rises with the scale until cut-out bites; search below that turning point.
    lo, hi = 0.1, 20.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if curve(mid * speeds).mean() < capacity_factor:
            lo = mid
        else:
            hi = mid
    return curve(hi * speeds)


def ppa_pu(capacity_factor: float) -> np.ndarray:
    """A PPA without a profile is a flat block at its capacity factor."""
    return np.full(HOURS, capacity_factor)
