"""Grid profiles (`data/grid-profiles.toml`, and `[[grid_profile]]` in a user catalog file): the
grid code a campus is designed to: its frequency, standard voltage series, supply bands and the
checks that apply. The spec names one with `[grid] code` (default `kepco`).

Merged by the one catalog loader (`hubc.catalog.loader`): a user file's profile with a shipped
id replaces it whole; a new id adds a profile.
"""

from __future__ import annotations

from typing import Literal

import attrs

from hubc.spec.model import f, many

DEFAULT_CODE = "kepco"
CHECKS = ("supply-band", "impact-assessment")


@attrs.frozen(kw_only=True)
class SupplyBand:
    name: str = f("Band name")
    voltage_kv: float = f("Usual supply voltage of the band (kV)", gt=0, le=1200)
    min_kv: float = f("Lowest supply voltage a contract of the band is connected at (kV)", gt=0, le=1200)
    max_kv: float = f("Highest supply voltage usual for the band (kV); above it costs more", gt=0, le=1200)
    low_mw: float = f("Contracts above this (MW)", ge=0)
    high_mw: float = f("Contracts up to this (MW, inclusive)", gt=0)
    source: str = f("Where the band comes from")
    tag: str = f("Provenance tag (V, S, D, U)")


@attrs.frozen(kw_only=True)
class GridProfile:
    id: str = f("Profile id, the spec's [grid] code", id=True)
    name: str = f("Name of the grid code")
    frequency_hz: float = f("System frequency (Hz)", ge=45, le=65)
    frequency_source: str = f("Where the frequency is set")
    voltages_kv: tuple[float, ...] = f("Standard supply (transmission and sub-transmission) voltages (kV)")
    voltages_source: str = f("Standard the supply voltages come from")
    mv_voltages_kv: tuple[float, ...] = f("Standard medium voltages (kV) for campus MV distribution")
    mv_voltages_source: str = f("Standard the medium voltages come from")
    checks: tuple[Literal["supply-band", "impact-assessment"], ...] = f("Checks that apply (supply-band, impact-assessment)", ())
    band_below: Literal["error", "warning"] = f("Severity of a supply below its band's lowest voltage", "error")
    impact_assessment_mw: float | None = f("Load from which the system impact assessment applies (MW)", None, gt=0)
    impact_assessment_name: str = f("Name of the system impact assessment", "")
    impact_assessment_local: str = f("Its name in the local language", "")
    impact_assessment_help: str = f("What to do about it (the finding's hint)", "")
    impact_assessment_source: str = f("Where the impact-assessment threshold comes from", "")
    tag: str = f("Provenance tag (V, S, D, U)", "U")
    band: tuple[SupplyBand, ...] = many("Supply bands, by contract size")

    def supply_band(self, contract_mw: float) -> SupplyBand | None:
        """The band whose range holds the contract (upper bound inclusive); None without bands."""
        for b in sorted(self.band, key=lambda b: b.high_mw):
            if contract_mw <= b.high_mw:
                return b
        return max(self.band, key=lambda b: b.high_mw) if self.band else None

    def standard(self, kv: float, *, mv: bool = False) -> bool:
        series = self.mv_voltages_kv if mv else self.voltages_kv
        return any(abs(kv - x) < 1e-6 for x in series)

    def nearest(self, kv: float, *, mv: bool = False, n: int = 3) -> tuple[float, ...]:
        """The `n` standard values closest to `kv`, in ascending order."""
        series = self.mv_voltages_kv if mv else self.voltages_kv
        return tuple(sorted(sorted(series, key=lambda x: (abs(x - kv), x))[:n]))


def profile_for(spec, catalog=None) -> GridProfile:
    """The grid profile of a spec's `[grid] code` from `catalog` (the shipped catalog if None);
    the default profile when the code is unknown (the check reports that, HUB312)."""
    if catalog is None:
        from hubc.catalog import shipped_catalog

        catalog = shipped_catalog()
    return catalog.grid_profile(spec.grid.code)


def band_or_own(profile: GridProfile, contract_mw: float, voltage_kv: float) -> SupplyBand:
    """The profile's band for the contract, or (a profile without bands) the supply voltage itself."""
    band = profile.supply_band(contract_mw)
    if band is not None:
        return band
    return SupplyBand(
        name="no supply bands in the grid profile", voltage_kv=voltage_kv, min_kv=voltage_kv, max_kv=voltage_kv,
        low_mw=0, high_mw=contract_mw, source=profile.voltages_source, tag=profile.tag,
    )


def kv_list(values) -> str:
    return ", ".join(f"{x:g}" for x in values)


def stage_grid_tables(src, data: dict, known: dict[str, GridProfile]) -> tuple[dict[str, GridProfile], list]:
    """Structure one file's `[[grid_profile]]` tables; every problem a diagnostic at its table."""
    from hubc.catalog.equipment import _array_of_tables, _structure
    from hubc.codes import diag

    out: list = []
    staged: dict[str, GridProfile] = {}
    for i, item in enumerate(_array_of_tables(src, data, "grid_profile", out)):
        profile, errs = _structure(src, item, GridProfile, ("grid_profile", i))
        out += errs
        if profile is None:
            continue
        problems = _profile_problems(profile)
        if profile.id in staged:
            problems.append(f'grid profile "{profile.id}" is defined twice in this file')
        for msg in problems:
            out.append(diag("HUB611", msg, src.at_key(("grid_profile", i)), ("grid_profile", i)))
        if not problems:
            staged[profile.id] = profile
    return staged, out


def _profile_problems(p: GridProfile) -> list[str]:
    out = []
    if not p.voltages_kv or not p.mv_voltages_kv:
        out.append(f'grid profile "{p.id}" needs voltages_kv and mv_voltages_kv')
    if any(v <= 0 for v in (*p.voltages_kv, *p.mv_voltages_kv)):
        out.append(f'grid profile "{p.id}": voltages must be positive')
    for b in p.band:
        if not b.min_kv <= b.voltage_kv <= b.max_kv or b.low_mw >= b.high_mw:
            out.append(f'grid profile "{p.id}" band "{b.name}": needs min_kv <= voltage_kv <= max_kv and low_mw < high_mw')
    if "supply-band" in p.checks and not p.band:
        out.append(f'grid profile "{p.id}" applies supply-band but has no [[grid_profile.band]]')
    if "impact-assessment" in p.checks and p.impact_assessment_mw is None:
        out.append(f'grid profile "{p.id}" applies impact-assessment but has no impact_assessment_mw')
    return out
