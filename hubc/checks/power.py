"""Grid, substation and topology checks (HUB3xx).

Facility peak = IT x design-day PUE against the interconnect contract and the main transformers
under their redundancy; every voltage of the supply chain against the standard series of the
spec's grid profile (`[grid] code`: KEPCO/KEC, IEC 60038, ANSI C84.1; catalog
`data/grid-profiles.toml`) and the supply voltage against the profile's band for the contract;
the system impact assessment where the profile applies one (Korea: 분산에너지 활성화 특별법
시행령 §25, >= 10 MW); Uptime tier against the electrical topology (Uptime Institute Tier
Standard: Topology).
"""

from __future__ import annotations

from collections.abc import Iterator

from hubc.catalog import electrical as ecat
from hubc.catalog.grids import GridProfile, kv_list
from hubc.checks import Ctx
from hubc.checks.common import at_value
from hubc.core.loads import campus_heat, facility_peak_kva, facility_peak_kw, firm_units, main_transformer_rule
from hubc.diagnostics import Diagnostic, Severity
from hubc.spec.model import parse_topology


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    it_kw = campus_heat(s).it_kw
    peak_mw = facility_peak_kw(s, it_kw) / 1000
    peak_mva = facility_peak_kva(s, it_kw) / 1000
    yield from _contract(ctx, it_kw, peak_mw)
    profile = ctx.the_catalog().grids.get(s.grid.code)
    if profile is None:
        yield _unknown_code(ctx)
    else:
        yield from _supply_voltage(ctx, profile)
        yield from _impact_assessment(ctx, profile)
        yield from _chain_standard(ctx, profile)
    yield from _chain_voltages(ctx)
    yield from _circuits(ctx)
    yield from _main_transformers(ctx, peak_mva)
    yield from _hv_stage(ctx, profile, peak_mva)
    e = s.electrical
    topo = parse_topology(e.topology)
    if topo is None:
        yield at_value(
            ctx,
            "HUB309",
            f'unknown UPS topology "{e.topology}"',
            ("electrical", "topology"),
            help='use "2N", "N+1", "block-redundant" or a distributed-redundant "xMy" with y < x, e.g. "4M3"',
        )
    else:
        yield from _tier(ctx, topo[0])
    yield from _ups_chain(ctx)


def _contract(ctx: Ctx, it_kw: float, peak_mw: float) -> Iterator[Diagnostic]:
    s = ctx.spec
    pue_note = f"{it_kw / 1000:,.1f} MW IT x design PUE {s.policy.design_pue:g}"
    if peak_mw > s.grid.contract_mw + 1e-9:
        yield at_value(
            ctx,
            "HUB301",
            f"facility peak {peak_mw:,.1f} MW ({pue_note}) exceeds the {s.grid.contract_mw:,.1f} MW interconnect contract",
            ("grid", "contract_mw"),
            help=f"contract at least {peak_mw:,.1f} MW, lower the design PUE, or phase the IT load",
            related=((("policy", "design_pue"), "design PUE"),),
        )


def _unknown_code(ctx: Ctx) -> Diagnostic:
    known = sorted(ctx.the_catalog().grids)
    return at_value(
        ctx,
        "HUB312",
        f'unknown grid code "{ctx.spec.grid.code}"',
        ("grid", "code"),
        help="grid profiles in the catalog: " + ", ".join(known) + " (a catalog file may add one with [[grid_profile]])",
    )


def _supply_voltage(ctx: Ctx, profile: GridProfile) -> Iterator[Diagnostic]:
    """The supply voltage is in the profile's series, and within its band for the contract."""
    g = ctx.spec.grid
    v = g.interconnect_voltage_kv
    path = ("grid", "interconnect_voltage_kv")
    band = profile.supply_band(g.contract_mw) if "supply-band" in profile.checks else None
    if not profile.standard(v):
        hint = f"nearest standard {profile.id} supply voltages: {kv_list(profile.nearest(v))} kV"
        if band is not None:
            hint += f"; a {g.contract_mw:,.0f} MW contract is usually supplied at {band.voltage_kv:g} kV ({band.name})"
        yield at_value(ctx, "HUB303", f"{v:g} kV is not a standard supply voltage under {profile.name} ({kv_list(profile.voltages_kv)} kV)", path, help=hint)
    elif band is not None and v < band.min_kv - 1e-9:
        yield at_value(
            ctx, "HUB303",
            f"a {g.contract_mw:,.0f} MW contract cannot be supplied at {v:g} kV: under {profile.name} "
            f"{band.low_mw:g}-{band.high_mw:g} MW is supplied at {_band_kv(band)} ({band.name})",
            path,
            severity=Severity.ERROR if profile.band_below == "error" else Severity.WARNING,
            help=f"connect at {band.voltage_kv:g} kV ({band.source})",
            related=((("grid", "contract_mw"), "contract"),),
        )
    elif band is not None and v > band.max_kv + 1e-9:
        yield at_value(
            ctx, "HUB303",
            f"{v:g} kV is above the {profile.id} band for a {g.contract_mw:,.0f} MW contract "
            f"({_band_kv(band)}, {band.name}); expect higher connection cost",
            path,
            severity=Severity.WARNING,
            help="keep it if later phases will raise the contract into the higher band",
        )


def _band_kv(band) -> str:
    return f"{band.voltage_kv:g} kV" if band.min_kv == band.max_kv else f"{band.min_kv:g}-{band.max_kv:g} kV"


def _impact_assessment(ctx: Ctx, profile: GridProfile) -> Iterator[Diagnostic]:
    g = ctx.spec.grid
    if "impact-assessment" not in profile.checks or profile.impact_assessment_mw is None:
        return
    if g.contract_mw >= profile.impact_assessment_mw:
        yield at_value(
            ctx,
            "HUB304",
            f"a {g.contract_mw:,.0f} MW load needs a {profile.impact_assessment_name or 'system impact assessment'} "
            f"({profile.impact_assessment_local + ', ' if profile.impact_assessment_local else ''}>= {profile.impact_assessment_mw:g} MW)",
            ("grid", "contract_mw"),
            help=profile.impact_assessment_help or f"plan for the assessment ({profile.impact_assessment_source}); waive this once filed",
        )


def _chain_standard(ctx: Ctx, profile: GridProfile) -> Iterator[Diagnostic]:
    """Line and substation voltages other than the supply voltage (reported by `_supply_voltage`)
    are standard under the profile; the campus MV is one of its medium voltages."""
    s = ctx.spec
    v = s.grid.interconnect_voltage_kv
    hv = [(("transmission", i, "voltage_kv"), t.voltage_kv, f'line "{t.id}"') for i, t in enumerate(s.transmission)]
    hv.append((("substation", "hv_voltage_kv"), s.substation.hv_voltage_kv, "the substation HV side"))
    for path, kv, what in hv:
        if abs(kv - v) > 1e-9 and not profile.standard(kv):
            yield at_value(
                ctx, "HUB303",
                f"{what} at {kv:g} kV: not a standard voltage under {profile.name}",
                path,
                help=f"nearest standard {profile.id} voltages: {kv_list(profile.nearest(kv))} kV",
            )
    mv = s.electrical.mv_voltage_kv
    if not profile.standard(mv, mv=True):
        yield at_value(
            ctx, "HUB303",
            f"{mv:g} kV is not a standard medium voltage under {profile.name} ({kv_list(profile.mv_voltages_kv)} kV)",
            ("electrical", "mv_voltage_kv"),
            help=f"nearest standard {profile.id} medium voltages: {kv_list(profile.nearest(mv, mv=True))} kV ({profile.mv_voltages_source})",
        )


def _chain_voltages(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    v = s.grid.interconnect_voltage_kv
    for i, t in enumerate(s.transmission):
        if t.voltage_kv != v:
            yield at_value(
                ctx,
                "HUB305",
                f'line "{t.id}" runs at {t.voltage_kv:g} kV but the interconnect is {v:g} kV',
                ("transmission", i, "voltage_kv"),
                related=((("grid", "interconnect_voltage_kv"), "interconnect voltage"),),
            )
    sub = s.substation
    if sub.hv_voltage_kv != v:
        yield at_value(
            ctx,
            "HUB305",
            f"substation HV side is {sub.hv_voltage_kv:g} kV but the interconnect is {v:g} kV",
            ("substation", "hv_voltage_kv"),
            related=((("grid", "interconnect_voltage_kv"), "interconnect voltage"),),
        )
    if sub.mv_voltage_kv != s.electrical.mv_voltage_kv:
        yield at_value(
            ctx,
            "HUB305",
            f"substation MV side is {sub.mv_voltage_kv:g} kV but the MV distribution is {s.electrical.mv_voltage_kv:g} kV",
            ("electrical", "mv_voltage_kv"),
            related=((("substation", "mv_voltage_kv"), "substation MV voltage"),),
        )


def _circuits(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    sev = None if s.policy.tier >= 3 else Severity.WARNING
    if s.grid.circuits < 2:
        yield at_value(
            ctx,
            "HUB306",
            f"one utility circuit is a single point of failure (Tier {s.policy.tier} target)",
            ("grid", "circuits"),
            severity=sev,
            help="take supply over 2 circuits (N-1), or from 2 utility substations",
        )
    for i, t in enumerate(s.transmission):
        if t.circuits < 2:
            yield at_value(
                ctx,
                "HUB306",
                f'line "{t.id}" has one circuit: its failure disconnects the campus',
                ("transmission", i, "circuits"),
                severity=sev,
                help="use a double-circuit line (N-1)",
            )


def _main_transformers(ctx: Ctx, peak_mva: float) -> Iterator[Diagnostic]:
    s = ctx.spec
    sub = s.substation
    if sub.hv_voltage_kv == sub.mv_voltage_kv:
        if sub.transformers:
            yield at_value(
                ctx,
                "HUB307",
                f"substation takes supply at its MV voltage ({sub.mv_voltage_kv:g} kV) but lists {sub.transformers} main transformers",
                ("substation", "transformers"),
                help="set transformers = 0 for an MV switching station",
            )
        return
    if sub.transformers == 0 or sub.transformer_mva <= 0:
        yield at_value(
            ctx,
            "HUB307",
            f"a {sub.hv_voltage_kv:g}/{sub.mv_voltage_kv:g} kV substation needs main transformers",
            ("substation", "transformers"),
            help="give transformers and transformer_mva",
        )
        return
    short = _firm_short(ctx, ("substation",), "main transformers", sub, peak_mva)
    if short is not None:
        yield short
        return
    rule = main_transformer_rule(peak_mva, sub.transformer_mva, sub.redundancy, s.policy.transformer_max_loading)
    loading, limit = rule.loading(sub.transformers), rule.loading_limit
    if loading > limit + 1e-9:
        yield at_value(
            ctx,
            "HUB302",
            f"main transformers run at {loading:.0%} of nameplate in normal operation, above the "
            f"{limit:.0%} policy limit",
            ("substation", "transformer_mva"),
            severity=Severity.WARNING,
            help="thermal cycling shortens transformer life (IEC 60076-7); add capacity or raise the policy limit",
            related=((("policy", "transformer_max_loading"), "policy limit"),),
        )


def _firm_short(ctx: Ctx, table: tuple, what: str, t, peak_mva: float) -> Diagnostic | None:
    """HUB302 when the transformers of `table` (transformers, transformer_mva, redundancy) left
    with the redundant ones out cannot carry the facility peak."""
    firm = firm_units(t.transformers, t.redundancy)
    firm_mva = firm * t.transformer_mva
    if peak_mva <= firm_mva + 1e-9:
        return None
    return at_value(
        ctx, "HUB302",
        f"facility peak {peak_mva:,.1f} MVA exceeds the {firm_mva:,.0f} MVA left when the redundant "
        f"{what} are out ({t.transformers} x {t.transformer_mva:g} MVA, {t.redundancy})",
        table + ("transformer_mva",),
        help=f"use at least {peak_mva / max(firm, 1):,.1f} MVA units or add transformers",
        related=(((*table, "transformers"), "transformer count"),),
    )


def _hv_stage(ctx: Ctx, profile: GridProfile | None, peak_mva: float) -> Iterator[Diagnostic]:
    """A two-stage chain: its intermediate voltage lies between the supply and the MV and is
    standard under the grid code; its HV/HV transformers carry the peak with the redundant ones out."""
    sub = ctx.spec.substation
    st = sub.hv_stage
    if st is None:
        return
    path = ("substation", "hv_stage", "voltage_kv")
    if not sub.mv_voltage_kv < st.voltage_kv < sub.hv_voltage_kv:
        yield at_value(
            ctx, "HUB305",
            f"the HV/HV stage steps {sub.hv_voltage_kv:g} kV to {st.voltage_kv:g} kV, which is not between the supply "
            f"and the {sub.mv_voltage_kv:g} kV MV",
            path,
            related=((("substation", "hv_voltage_kv"), "substation HV voltage"),),
        )
    elif profile is not None and not profile.standard(st.voltage_kv):
        yield at_value(
            ctx, "HUB303",
            f"the HV/HV stage's {st.voltage_kv:g} kV is not a standard voltage under {profile.name}",
            path,
            help=f"nearest standard {profile.id} voltages: {kv_list(profile.nearest(st.voltage_kv))} kV",
        )
    if sub.transformers == 0:
        yield at_value(
            ctx, "HUB307",
            f"a two-stage chain ({sub.hv_voltage_kv:g}/{st.voltage_kv:g}/{sub.mv_voltage_kv:g} kV) needs main transformers below its HV/HV stage",
            ("substation", "transformers"),
            help="give transformers and transformer_mva for the intermediate/MV stage",
        )
    short = _firm_short(ctx, ("substation", "hv_stage"), "HV/HV transformers", st, peak_mva)
    if short is not None:
        yield short


def _ups_chain(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    e = s.electrical
    if e.ups_module_kw > e.ups_system_kw:
        yield at_value(
            ctx,
            "HUB310",
            f"a {e.ups_module_kw:g} kW UPS module is larger than the {e.ups_system_kw:g} kW UPS system it sits in",
            ("electrical", "ups_module_kw"),
        )
    ups_kva = e.ups_system_kw / s.policy.power_factor
    if ups_kva > e.unit_substation_kva + 1e-9:
        yield at_value(
            ctx,
            "HUB310",
            f"a {e.ups_system_kw:g} kW UPS system draws {ups_kva:,.0f} kVA but its unit substation is "
            f"{e.unit_substation_kva:g} kVA",
            ("electrical", "unit_substation_kva"),
            help=f"use a unit substation of at least {ups_kva:,.0f} kVA or smaller UPS systems",
            related=((("electrical", "ups_system_kw"), "UPS system rating"),),
        )
    yield from _fault_levels(ctx)
    yield from _pf_correction(ctx)
    for i, hall in enumerate(s.hall):
        if hall.row_busway_kw > e.ups_system_kw:
            yield at_value(
                ctx,
                "HUB310",
                f"{hall.id}'s {hall.row_busway_kw:g} kW row busway could draw more than one "
                f"{e.ups_system_kw:g} kW UPS system supplies",
                ("hall", i, "row_busway_kw"),
                severity=Severity.WARNING,
                help="each row feed comes from one UPS system; keep row busways within a UPS system's rating",
            )


def _fault_levels(ctx: Ctx) -> Iterator[Diagnostic]:
    """HUB311: the minimum fault level at the point of connection above the maximum (the spec's,
    or the catalog's planning value for the supply voltage when only one is given)."""
    g = ctx.spec.grid
    if g.fault_level_min_ka is None:
        return
    plan = ecat.grid_fault_level(g.interconnect_voltage_kv)
    top = g.fault_level_ka if g.fault_level_ka is not None else plan.max_ka
    if g.fault_level_min_ka > top + 1e-9:
        what = "grid.fault_level_ka" if g.fault_level_ka is not None else f"the catalog's planning maximum for {plan.voltage_kv:g} kV ({plan.source})"
        yield at_value(
            ctx,
            "HUB311",
            f"the minimum fault level {g.fault_level_min_ka:g} kA is above the maximum {top:g} kA ({what})",
            ("grid", "fault_level_min_ka"),
            help="take both figures from the utility's point-of-connection study: the minimum (one circuit out, weakest source) is at most the maximum",
            related=((("grid", "fault_level_ka"), "maximum fault level"),) if g.fault_level_ka is not None else (),
        )


def _pf_correction(ctx: Ctx) -> Iterator[Diagnostic]:
    """HUB319: a power-factor target at or below the utility's reference (catalog
    grid_power_factor), or a BESS correction without a BESS."""
    e = ctx.spec.electrical
    ref = float(ecat.table("grid_power_factor")["reference"])
    if e.pf_target is not None and e.pf_target <= ref + 1e-9:
        yield at_value(
            ctx,
            "HUB319",
            f"pf_target {e.pf_target:g} is not above the utility's reference power factor {ref:g} ({ecat.source('grid_power_factor')})",
            ("electrical", "pf_target"),
            help=f"set a target in ({ref:g}, 1], e.g. {float(ecat.table('pf_correction')['target']):g}",
        )
    if e.pf_correction == "bess" and ctx.spec.bess is None:
        yield at_value(
            ctx,
            "HUB319",
            'pf_correction = "bess" but the spec has no [bess] to supply the reactive power',
            ("electrical", "pf_correction"),
            help='use "capacitors" or "auto", or add a [bess]',
        )


def _tier(ctx: Ctx, kind: str) -> Iterator[Diagnostic]:
    s = ctx.spec
    e = s.electrical
    tier = s.policy.tier
    tier_loc = ((("policy", "tier"), f"Tier {tier} target"),)
    if tier >= 3 and e.distribution_paths < 2:
        need = "two simultaneously active paths" if tier == 4 else "an active and an alternate path"
        yield at_value(
            ctx,
            "HUB308",
            f"Tier {tier} needs {need} to every rack; the spec has {e.distribution_paths}",
            ("electrical", "distribution_paths"),
            help="feed racks from A and B busways (distribution_paths = 2)",
            related=tier_loc,
        )
    if tier == 4 and kind in ("N+1", "block-redundant"):
        yield at_value(
            ctx,
            "HUB308",
            f'Tier IV must be fault tolerant: "{e.topology}" shares one UPS path that a single fault removes',
            ("electrical", "topology"),
            help='use "2N" or a distributed-redundant "xMy" topology',
            related=tier_loc,
        )
    if tier >= 2:
        plant = (
            (("electrical", "generator_redundancy"), e.generator_redundancy, "generators"),
            (("substation", "redundancy"), s.substation.redundancy, "main transformers"),
            (("hall", None, "cooling", "cdu_redundancy"), None, "CDUs"),
            (("cooling_plant", "redundancy"), s.cooling_plant.redundancy, "heat rejection"),
        )
        for path, red, what in plant:
            if what == "CDUs":
                for i, hall in enumerate(s.hall):
                    if hall.cooling.cdu_redundancy == "N":
                        p = ("hall", i, "cooling", "cdu_redundancy")
                        yield _n_only(ctx, p, f"{hall.id}'s CDUs", tier, tier_loc)
            elif red == "N" and not (what == "main transformers" and s.substation.transformers == 0):
                yield _n_only(ctx, path, what, tier, tier_loc)


def _n_only(ctx: Ctx, path, what: str, tier: int, related) -> Diagnostic:
    return at_value(
        ctx, "HUB308",
        f"Tier {tier} needs redundant capacity components (N+1 or better), but {what} are N",
        path,
        help='use "N+1" (or "2N")',
        related=related,
    )
