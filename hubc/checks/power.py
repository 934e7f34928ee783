"""Grid, substation and topology checks (HUB3xx).

Facility peak = IT x design-day PUE against the interconnect contract and the main transformers
under their redundancy; the interconnect voltage against KEPCO's supply bands (기본공급약관, the
bands of catalog/data/rules.toml); the power-system impact assessment for >= 10 MW (분산에너지
활성화 특별법 시행령 §25); Uptime tier against the electrical topology (Uptime Institute Tier
Standard: Topology).
"""

from __future__ import annotations

from collections.abc import Iterator

from hubc.catalog import rules
from hubc.checks import Ctx
from hubc.codes import diag
from hubc.core.loads import campus_heat, facility_peak_kva, facility_peak_kw, firm_units, main_transformer_rule
from hubc.diagnostics import Diagnostic, Severity
from hubc.spec.model import parse_topology


def check(ctx: Ctx) -> Iterator[Diagnostic]:
    s = ctx.spec
    it_kw = campus_heat(s).it_kw
    peak_kw = facility_peak_kw(s, it_kw)
    peak_mva = facility_peak_kva(s, it_kw) / 1000
    peak_mw = peak_kw / 1000
    pue_note = f"{it_kw / 1000:,.1f} MW IT x design PUE {s.policy.design_pue:g}"

    # -- interconnect contract
    if peak_mw > s.grid.contract_mw + 1e-9:
        yield diag(
            "HUB301",
            f"facility peak {peak_mw:,.1f} MW ({pue_note}) exceeds the {s.grid.contract_mw:,.1f} MW interconnect contract",
            ctx.at("grid", "contract_mw"),
            ("grid", "contract_mw"),
            help=f"contract at least {peak_mw:,.1f} MW, lower the design PUE, or phase the IT load",
            related=((ctx.at("policy", "design_pue"), "design PUE"),),
        )

    # -- KEPCO supply band
    band = rules.kepco_supply_band(s.grid.contract_mw)
    v = s.grid.interconnect_voltage_kv
    if v not in rules.KEPCO_VOLTAGES_KV:
        yield diag(
            "HUB303",
            f"{v:g} kV is not a KEPCO supply voltage ({', '.join(f'{x:g}' for x in rules.KEPCO_VOLTAGES_KV)} kV)",
            ctx.at("grid", "interconnect_voltage_kv"),
            ("grid", "interconnect_voltage_kv"),
            help=f"a {s.grid.contract_mw:,.0f} MW contract is supplied at {band.voltage_kv:g} kV ({band.name})",
        )
    elif v < band.voltage_kv:
        yield diag(
            "HUB303",
            f"a {s.grid.contract_mw:,.0f} MW contract cannot be supplied at {v:g} kV: KEPCO supplies "
            f"{band.low_mw:g}-{band.high_mw:g} MW at {band.voltage_kv:g} kV ({band.name})",
            ctx.at("grid", "interconnect_voltage_kv"),
            ("grid", "interconnect_voltage_kv"),
            help=f"connect at {band.voltage_kv:g} kV",
            related=((ctx.at("grid", "contract_mw"), "contract"),),
        )
    elif v > band.voltage_kv:
        yield diag(
            "HUB303",
            f"{v:g} kV is above KEPCO's band for a {s.grid.contract_mw:,.0f} MW contract "
            f"({band.voltage_kv:g} kV, {band.name}); expect higher connection cost",
            ctx.at("grid", "interconnect_voltage_kv"),
            ("grid", "interconnect_voltage_kv"),
            severity=Severity.WARNING,
            help="keep it if later phases will raise the contract into the higher band",
        )
    if s.grid.contract_mw >= rules.IMPACT_ASSESSMENT_MW:
        yield diag(
            "HUB304",
            f"a {s.grid.contract_mw:,.0f} MW load needs a power-system impact assessment "
            f"(전력계통영향평가, >= {rules.IMPACT_ASSESSMENT_MW:g} MW)",
            ctx.at("grid", "contract_mw"),
            ("grid", "contract_mw"),
            help="plan for the assessment (score >= 70 of 100) before the KEPCO supply agreement; waive this once filed",
        )

    # -- voltages along the chain
    for i, t in enumerate(s.transmission):
        if t.voltage_kv != v:
            yield diag(
                "HUB305",
                f'line "{t.id}" runs at {t.voltage_kv:g} kV but the interconnect is {v:g} kV',
                ctx.at("transmission", i, "voltage_kv"),
                ("transmission", i, "voltage_kv"),
                related=((ctx.at("grid", "interconnect_voltage_kv"), "interconnect voltage"),),
            )
    sub = s.substation
    if sub.hv_voltage_kv != v:
        yield diag(
            "HUB305",
            f"substation HV side is {sub.hv_voltage_kv:g} kV but the interconnect is {v:g} kV",
            ctx.at("substation", "hv_voltage_kv"),
            ("substation", "hv_voltage_kv"),
            related=((ctx.at("grid", "interconnect_voltage_kv"), "interconnect voltage"),),
        )
    if sub.mv_voltage_kv != s.electrical.mv_voltage_kv:
        yield diag(
            "HUB305",
            f"substation MV side is {sub.mv_voltage_kv:g} kV but the MV distribution is {s.electrical.mv_voltage_kv:g} kV",
            ctx.at("electrical", "mv_voltage_kv"),
            ("electrical", "mv_voltage_kv"),
            related=((ctx.at("substation", "mv_voltage_kv"), "substation MV voltage"),),
        )

    # -- N-1 circuits
    tier3 = s.policy.tier >= 3
    sev = None if tier3 else Severity.WARNING
    if s.grid.circuits < 2:
        yield diag(
            "HUB306",
            f"one utility circuit is a single point of failure (Tier {s.policy.tier} target)",
            ctx.at("grid", "circuits"),
            ("grid", "circuits"),
            severity=sev,
            help="take supply over 2 circuits (N-1), or from 2 utility substations",
        )
    for i, t in enumerate(s.transmission):
        if t.circuits < 2:
            yield diag(
                "HUB306",
                f'line "{t.id}" has one circuit: its failure disconnects the campus',
                ctx.at("transmission", i, "circuits"),
                ("transmission", i, "circuits"),
                severity=sev,
                help="use a double-circuit line (N-1)",
            )

    # -- main transformers
    if sub.hv_voltage_kv == sub.mv_voltage_kv:
        if sub.transformers:
            yield diag(
                "HUB307",
                f"substation takes supply at its MV voltage ({sub.mv_voltage_kv:g} kV) but lists {sub.transformers} main transformers",
                ctx.at("substation", "transformers"),
                ("substation", "transformers"),
                help="set transformers = 0 for an MV switching station",
            )
    elif sub.transformers == 0 or sub.transformer_mva <= 0:
        yield diag(
            "HUB307",
            f"a {sub.hv_voltage_kv:g}/{sub.mv_voltage_kv:g} kV substation needs main transformers",
            ctx.at("substation", "transformers"),
            ("substation", "transformers"),
            help="give transformers and transformer_mva",
        )
    else:
        rule = main_transformer_rule(peak_mva, sub.transformer_mva, sub.redundancy, s.policy.transformer_max_loading)
        firm = firm_units(sub.transformers, sub.redundancy)
        firm_mva = rule.firm_mva(sub.transformers)
        if peak_mva > firm_mva + 1e-9:
            yield diag(
                "HUB302",
                f"facility peak {peak_mva:,.1f} MVA exceeds the {firm_mva:,.0f} MVA left when the redundant "
                f"main transformers are out ({sub.transformers} x {sub.transformer_mva:g} MVA, {sub.redundancy})",
                ctx.at("substation", "transformer_mva"),
                ("substation", "transformer_mva"),
                help=f"use at least {peak_mva / max(firm, 1):,.1f} MVA units or add transformers",
                related=((ctx.at("substation", "transformers"), "transformer count"),),
            )
        else:
            loading, limit = rule.loading(sub.transformers), rule.loading_limit
            if loading > limit + 1e-9:
                yield diag(
                    "HUB302",
                    f"main transformers run at {loading:.0%} of nameplate in normal operation, above the "
                    f"{limit:.0%} policy limit",
                    ctx.at("substation", "transformer_mva"),
                    ("substation", "transformer_mva"),
                    severity=Severity.WARNING,
                    help="thermal cycling shortens transformer life (IEC 60076-7); add capacity or raise the policy limit",
                    related=((ctx.at("policy", "transformer_max_loading"), "policy limit"),),
                )

    # -- tier vs topology
    e = s.electrical
    topo = parse_topology(e.topology)
    if topo is None:
        yield diag(
            "HUB309",
            f'unknown UPS topology "{e.topology}"',
            ctx.at("electrical", "topology"),
            ("electrical", "topology"),
            help='use "2N", "N+1", "block-redundant" or a distributed-redundant "xMy" with y < x, e.g. "4M3"',
        )
    else:
        yield from _tier(ctx, topo[0])

    # -- UPS system vs its modules and its unit substation
    if e.ups_module_kw > e.ups_system_kw:
        yield diag(
            "HUB310",
            f"a {e.ups_module_kw:g} kW UPS module is larger than the {e.ups_system_kw:g} kW UPS system it sits in",
            ctx.at("electrical", "ups_module_kw"),
            ("electrical", "ups_module_kw"),
        )
    ups_kva = e.ups_system_kw / s.policy.power_factor
    if ups_kva > e.unit_substation_kva + 1e-9:
        yield diag(
            "HUB310",
            f"a {e.ups_system_kw:g} kW UPS system draws {ups_kva:,.0f} kVA but its unit substation is "
            f"{e.unit_substation_kva:g} kVA",
            ctx.at("electrical", "unit_substation_kva"),
            ("electrical", "unit_substation_kva"),
            help=f"use a unit substation of at least {ups_kva:,.0f} kVA or smaller UPS systems",
            related=((ctx.at("electrical", "ups_system_kw"), "UPS system rating"),),
        )
    for i, hall in enumerate(s.hall):
        if hall.row_busway_kw > e.ups_system_kw:
            yield diag(
                "HUB310",
                f"{hall.id}'s {hall.row_busway_kw:g} kW row busway could draw more than one "
                f"{e.ups_system_kw:g} kW UPS system supplies",
                ctx.at("hall", i, "row_busway_kw"),
                ("hall", i, "row_busway_kw"),
                severity=Severity.WARNING,
                help="each row feed comes from one UPS system; keep row busways within a UPS system's rating",
            )


def _tier(ctx: Ctx, kind: str) -> Iterator[Diagnostic]:
    s = ctx.spec
    e = s.electrical
    tier = s.policy.tier
    tier_loc = ((ctx.at("policy", "tier"), f"Tier {tier} target"),)
    if tier >= 3 and e.distribution_paths < 2:
        need = "two simultaneously active paths" if tier == 4 else "an active and an alternate path"
        yield diag(
            "HUB308",
            f"Tier {tier} needs {need} to every rack; the spec has {e.distribution_paths}",
            ctx.at("electrical", "distribution_paths"),
            ("electrical", "distribution_paths"),
            help="feed racks from A and B busways (distribution_paths = 2)",
            related=tier_loc,
        )
    if tier == 4 and kind in ("N+1", "block-redundant"):
        yield diag(
            "HUB308",
            f'Tier IV must be fault tolerant: "{e.topology}" shares one UPS path that a single fault removes',
            ctx.at("electrical", "topology"),
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
    return diag(
        "HUB308",
        f"Tier {tier} needs redundant capacity components (N+1 or better), but {what} are N",
        ctx.at(*path),
        path,
        help='use "N+1" (or "2N")',
        related=related,
    )
