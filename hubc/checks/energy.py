"""Renewables and BESS in physical range (HUB4xx), and the files the energy year reads."""

from __future__ import annotations

from collections.abc import Iterator

from hubc.catalog import rules
from hubc.checks import Ctx
from hubc.codes import diag
from hubc.core.loads import campus_heat
from hubc.diagnostics import Diagnostic, Severity
from hubc.spec.files import check_referenced_file
from hubc.spec.limits import limits


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    for i, r in enumerate(s.renewable):
        path = ("renewable", i, "capacity_factor")
        hard, typical = rules.renewable_cf_limits(r.kind)
        if r.capacity_factor > hard:
            yield diag(
                "HUB402",
                f'{r.kind} "{r.id}" cannot reach a {r.capacity_factor:.0%} capacity factor (physical limit ~{hard:.0%})',
                ctx.at(*path),
                path,
                help="Korean PV runs at 13-15%, offshore wind 22-30% (sources in catalog/data/rules.toml)",
            )
        elif r.capacity_factor > typical:
            yield diag(
                "HUB402",
                f'{r.kind} "{r.id}" at {r.capacity_factor:.0%} capacity factor is above what Korean sites achieve (~{typical:.0%})',
                ctx.at(*path),
                path,
                severity=Severity.WARNING,
                help="use a measured or bankable figure for the site",
            )
        if r.capacity_mw == "auto" and not s.energy.size_renewables:
            p = ("renewable", i, "capacity_mw")
            yield diag(
                "HUB403",
                f'renewable "{r.id}" has capacity_mw = "auto" but [energy] size_renewables is false',
                ctx.at(*p),
                p,
                help="set size_renewables = true in [energy], or give the capacity in MW",
            )
        if r.profile_csv is not None:
            yield from _file(ctx, ("renewable", i, "profile_csv"), r.profile_csv)
    if s.energy.profile_csv is not None:
        yield from _file(ctx, ("energy", "profile_csv"), s.energy.profile_csv)

    yield from _cfe_bound(ctx)

    if s.energy.cfe_target > 0 and not s.renewable:
        yield diag(
            "HUB403",
            f"a {s.energy.cfe_target:.0%} carbon-free-energy target needs renewables, and the spec has none",
            ctx.at("energy", "cfe_target"),
            ("energy", "cfe_target"),
            help="add [[renewable]] plants or PPAs, or set cfe_target = 0",
        )

    b = s.bess
    if b is None:
        return
    for key, value, what in (
        ("round_trip_efficiency", b.round_trip_efficiency, "AC round-trip efficiency"),
        ("depth_of_discharge", b.depth_of_discharge, "usable depth of discharge"),
        ("eol_state_of_health", b.eol_state_of_health, "end-of-life state of health"),
    ):
        low, high = rules.bess_range(key)
        if value is not None and not (low <= value <= high):
            yield diag(
                "HUB401",
                f"BESS {what} {value:g} is outside {low:g}-{high:g}",
                ctx.at("bess", key),
                ("bess", key),
                help="grid LFP/NCA containers: RTE 0.85-0.91 AC, DoD 0.90-0.95, EoL SoH 0.70-0.80 (typical values, an estimate)",
            )
    if "ride-through" in b.roles and b.ride_through_min <= 0:
        yield diag(
            "HUB401",
            "BESS has the ride-through role but holds no ride-through time in reserve",
            ctx.at("bess", "ride_through_min"),
            ("bess", "ride_through_min"),
            help="set ride_through_min (e.g. 10-15 min to bridge generator start)",
        )
    if isinstance(b.energy_mwh, float) and isinstance(b.power_mw, float):
        hours = b.energy_mwh / b.power_mw
        shortest, longest = rules.bess_range("duration_h")
        if not (shortest <= hours <= longest):
            yield diag(
                "HUB401",
                f"BESS duration {hours:.2f} h ({b.energy_mwh:g} MWh / {b.power_mw:g} MW) is outside {shortest:g}-{longest:g} h",
                ctx.at("bess", "energy_mwh"),
                ("bess", "energy_mwh"),
                severity=Severity.WARNING,
                help="grid containers are 2-4 h (0.25-0.5C); check the units",
            )


def _cfe_bound(ctx: Ctx) -> Iterator[Diagnostic]:
    """Hourly CFE = sum_h min(load_h, CFE_h) / sum_h load_h <= sum_h CFE_h / sum_h load_h: with
    fixed capacities, a target above annual renewable energy over annual load cannot be met by
    any storage, so say so before the LP runs (the energy stage proves the hourly figure)."""
    s = ctx.spec
    e = s.energy
    if e.cfe_target <= 0 or not s.renewable or e.profile_csv is not None:
        return
    if any(r.capacity_mw == "auto" for r in s.renewable):
        return
    pue = s.policy.annual_pue or s.policy.design_pue
    load_mwh = campus_heat(s).it_kw / 1000 * e.utilisation * pue * 8760
    re_mwh = sum(r.capacity_mw * r.capacity_factor * 8760 for r in s.renewable)
    if load_mwh > 0 and re_mwh < e.cfe_target * load_mwh:
        bound = re_mwh / load_mwh
        yield diag(
            "HUB404",
            f"a {e.cfe_target:.0%} hourly carbon-free-energy target is out of reach: renewables supply "
            f"{re_mwh / 1e3:,.0f} GWh a year for a {load_mwh / 1e3:,.0f} GWh load, so even unlimited storage "
            f"reaches at most {bound:.1%}",
            ctx.at("energy", "cfe_target"),
            ("energy", "cfe_target"),
            help=f"lower cfe_target to {bound:.2f} or less, add renewable capacity, or set capacity_mw = \"auto\" "
            "with size_renewables = true",
        )


def _file(ctx: Ctx, path: tuple, name: str) -> Iterator[Diagnostic]:
    """The profile must be one the build may read: inside the spec's folder tree (or an
    --allow-read folder), a regular file, within the size limit (`hubc.spec.files`)."""
    found = check_referenced_file(
        ctx.base_dir, name, ctx.allowed_roots, limits().profile_csv_max_bytes, ctx.at(*path), path, what="profile"
    )
    if found is not None:
        yield found

