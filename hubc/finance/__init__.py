"""The finance stage: opex by year of operation, total cost of ownership, the levelised cost of
the energy the campus uses, cost per MW-year of IT and, with a rent in the spec, NPV and IRR.

In: the checked spec (`[finance]`: horizon, discount rate, escalation, rent), the energy
stage's year (`EnergyResult.cost`: grid bill, PPA, BESS wear, renewable O&M; the load) and the
procurement result (capex through `capex_total_krw`, the BOM lines for O&M by system and the
BESS replacement). Catalog: `data/tariff.toml` (O&M shares, staffing) and the energy catalog
(discount rate, container life). Out: a `FinanceResult` (design.json and the report's finance
section). No revenue is invented: without a rent, NPV and IRR are None.

Conventions: capex is spent at year 0; year t of operation is calendar year start_year + t - 1;
cash flows are discounted at the end of each year, (1 + r)^t, and escalated by (1 + e)^(t-1).
Opex ramps with the build-out phases (`ServiceRamp`): each phase is in service from its
energisation date (the schedule's: the first of its month), for the days of the calendar year
after it. The energy year's costs (grid bill, PPA, BESS wear) and the energy used scale with the
share of the IT load in service (the full build-out's dispatch prorated, not re-solved at part
load); fixed O&M follows the capex in service (each BOM line's cost by phase); staff and rent
follow the IT load in service. A spec without phases is in service from its first year.
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING

import attrs

from hubc.core.derived import derived

if TYPE_CHECKING:
    from hubc.energy import EnergyResult
    from hubc.procurement.bom import Procurement
    from hubc.spec.model import Finance, Spec

# BOM systems that supply the campus's energy: their capex and O&M go into the LCOE.
ENERGY_SYSTEMS = ("energy", "grid")
# BOM families whose O&M is the energy catalog's share for the renewable kind (in EnergyCost).
RENEWABLE_FAMILIES = ("solar-pv", "wind-turbine")
BESS_FAMILY = "bess-container"


def capex_total_krw(proc: Procurement) -> int:
    """The campus capex the finance stage counts: the complete capex (equipment, installation,
    building, civil, land, soft costs, grid connection, contingency; `Procurement.capex`) when
    procurement computed it, else the priced BOM."""
    return int(proc.capex.total_krw) if proc.capex is not None else int(proc.total_krw)


@attrs.frozen(kw_only=True)
class OpexYear:
    """One year of operation, KRW (escalated)."""

    year: int  # year of operation, 1 = the first
    calendar_year: int
    grid_energy_krw: float
    grid_demand_krw: float
    ppa_krw: float
    bess_wear_krw: float
    om_krw: float  # facility O&M (shares of capex by system) and renewable O&M
    energy_om_krw: float  # the part of om_krw for the energy supply (grid assets, BESS, lines, renewables)
    staff_krw: float
    replacement_krw: float  # BESS containers at the end of their life
    revenue_krw: float | None  # rent x IT kW in service x 12, only when the spec gives a rent
    it_in_service: float = 1.0  # share of the full build-out's IT load in service over the year

    @derived
    @property
    def opex_krw(self) -> float:
        return (
            self.grid_energy_krw + self.grid_demand_krw + self.ppa_krw + self.bess_wear_krw + self.om_krw + self.staff_krw
        )

    @derived
    @property
    def energy_krw(self) -> float:
        """The energy system's cost: grid bill, PPA, BESS wear and its O&M (for the LCOE)."""
        return self.grid_energy_krw + self.grid_demand_krw + self.ppa_krw + self.bess_wear_krw + self.energy_om_krw


@attrs.frozen(kw_only=True)
class FinanceResult:
    horizon_years: int
    discount_rate: float
    discount_rate_source: str  # "spec" or "catalog"
    escalation: float
    rent_krw_per_kw_month: float | None
    it_mw: float
    capex_krw: int
    capex_energy_krw: int  # BOM lines that supply energy: grid connection, BESS, renewables, lines
    energy_used_mwh_per_year: float  # at full build-out
    om_by_system_krw: tuple[tuple[str, float], ...]  # a year at full build-out, before escalation
    staff_fte: int
    years: tuple[OpexYear, ...]
    tco_krw: float  # capex + present value of opex and replacements
    tco_undiscounted_krw: float
    lcoe_krw_per_mwh: float  # levelised cost of the energy the campus uses
    cost_per_mw_it_year_krw: float  # equivalent annual TCO per MW of IT
    npv_krw: float | None
    irr: float | None  # None without a rent, or when the cash flows have no rate that zeroes them
    notes: tuple[str, ...]

    @derived
    @property
    def opex_first_year_krw(self) -> float:
        return self.years[0].opex_krw if self.years else 0.0

    @derived
    @property
    def full_service_year(self) -> int | None:
        """The first year of operation with every phase in service all year (None if none is)."""
        return next((y.year for y in self.years if y.it_in_service >= 1.0 - 1e-12), None)

    @derived
    @property
    def opex_full_service_krw(self) -> float | None:
        """Opex of that year (escalated to it)."""
        t = self.full_service_year
        return self.years[t - 1].opex_krw if t is not None else None

    def report_headline(self) -> list[tuple[str, str]]:
        lines = [
            ("Opex, first year (estimate)", f"{self.opex_first_year_krw / 1e9:,.1f} bn KRW"),
        ]
        if self.full_service_year not in (None, 1):
            lines.append(
                (
                    f"Opex, year {self.full_service_year} (all phases in service)",
                    f"{self.opex_full_service_krw / 1e9:,.1f} bn KRW",
                )
            )
        lines += [
            ("LCOE of the energy used", f"{self.lcoe_krw_per_mwh / 1e3:,.1f} KRW/kWh"),
            (f"TCO over {self.horizon_years} years", f"{self.tco_krw / 1e9:,.0f} bn KRW (present value)"),
        ]
        if self.npv_krw is not None:
            irr = f", IRR {self.irr:.1%}" if self.irr is not None else ", no IRR"
            lines.append(("NPV at the rent given", f"{self.npv_krw / 1e9:,.0f} bn KRW{irr}"))
        return lines


# ---------------------------------------------------------------- the arithmetic


def discount_factors(rate: float, years: int) -> list[float]:
    """1 / (1 + r)^t for t = 1..years."""
    return [1.0 / (1.0 + rate) ** t for t in range(1, years + 1)]


def crf(rate: float, years: int) -> float:
    """Capital recovery factor: r (1+r)^n / ((1+r)^n - 1); 1/n at r = 0."""
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def npv(rate: float, flows: list[float]) -> float:
    """Net present value of flows at t = 0, 1, 2, ..."""
    return sum(cf / (1.0 + rate) ** t for t, cf in enumerate(flows))


def irr(flows: list[float], lo: float = -0.99, hi: float = 10.0) -> float | None:
    """The rate that zeroes the NPV, by bisection on [lo, hi] (None without a sign change there)."""
    f_lo, f_hi = npv(lo, flows), npv(hi, flows)
    if f_lo == 0:
        return lo
    if f_lo * f_hi > 0:
        return None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = npv(mid, flows)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
        if hi - lo < 1e-10:
            break
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------- the stage


@attrs.frozen(kw_only=True)
class ServiceRamp:
    """When each build-out phase enters service and the IT load it brings: phase id ->
    energisation date and IT kW (procurement's phase plan; a spec without phases is one)."""

    energize: dict[str, datetime.date]
    it_kw: dict[str, float]

    def share(self, phase: str, year: int) -> float:
        """Share of calendar `year` the phase is in service, by days (a phase not in the plan: all)."""
        on = self.energize.get(phase)
        if on is None:
            return 1.0
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        return max(0, (end - max(on, start)).days) / (end - start).days

    def it_share(self, year: int) -> float:
        """Share of the full build-out's IT load in service over calendar `year`."""
        total = sum(self.it_kw.values())
        if total <= 0:
            return 1.0
        return sum(kw * self.share(pid, year) for pid, kw in self.it_kw.items()) / total

    def cost_in_service(self, phases, year: int) -> float:
        """KRW of a BOM line's (phase, quantity, KRW) shares in service over calendar `year`."""
        return sum(cost * self.share(pid, year) for pid, _qty, cost in phases)


def service_ramp(spec: Spec, proc: Procurement) -> ServiceRamp:
    from hubc.procurement.phases import phase_it_kw
    from hubc.procurement.schedule import energize_dates

    return ServiceRamp(energize=energize_dates(spec, proc.phases), it_kw=dict(phase_it_kw(proc.phases, spec)))


def run_finance(spec: Spec, energy: EnergyResult, proc: Procurement) -> FinanceResult:
    from hubc.catalog import energy as ecat_data
    from hubc.energy import tariff

    fin = spec.finance
    cat = tariff.data()
    rate = fin.discount_rate if fin.discount_rate is not None else float(ecat_data.annualisation()["discount_rate"])
    it_mw = energy.it_kw / 1000.0
    years = _years(spec, energy, proc, service_ramp(spec, proc), cat)
    return summarise(
        fin=fin,
        years=years,
        rate=rate,
        it_mw=it_mw,
        capex=capex_total_krw(proc),
        capex_energy=sum(ln.extended_cost_krw for ln in proc.lines if ln.system in ENERGY_SYSTEMS),
        energy_mwh=energy.load_annual_mwh,
        om=_om_by_system(proc, cat["om"]),
        fte=staff_fte(cat["staffing"], it_mw),
    )


def staff_fte(staff: dict, it_mw: float) -> int:
    """Operations staff for the IT load: the catalog's FTE per 10 MW, at least its minimum."""
    return max(int(staff["min_fte"]), math.ceil(float(staff["fte_per_10mw_it"]) * it_mw / 10.0 - 1e-9))


def _om_by_system(proc: Procurement, om_cat: dict, cost=None) -> tuple[tuple[str, float], ...]:
    """Fixed O&M a year: each BOM line's capex (or `cost(line)`: the part in service) x its
    system's share (renewable plants are in the energy year's cost at their own share)."""
    shares = om_cat.get("share_by_system", {})
    out: dict[str, float] = {}
    for ln in proc.lines:
        if ln.family in RENEWABLE_FAMILIES:
            continue
        share = float(shares.get(ln.system, om_cat["default_share"]))
        out[ln.system] = out.get(ln.system, 0.0) + share * (ln.extended_cost_krw if cost is None else cost(ln))
    return tuple(sorted(out.items()))


def _bess_replacement(energy: EnergyResult, proc: Procurement, start_year: int, ramp: ServiceRamp) -> tuple[int, float]:
    """(year of operation, KRW) of the BESS containers' replacement at the end of their life,
    counted from the year its phase energises it."""
    from hubc.catalog import energy as ecat_data

    if energy.bess is None:
        return 0, 0.0
    life = next(
        (int(c["lifetime_years"]) for c in ecat_data.data()["bess_container"] if c["id"] == energy.bess.container), 0
    )
    lines = [ln for ln in proc.lines if ln.family == BESS_FAMILY]
    cost = sum(ln.extended_cost_krw for ln in lines)
    on = [ramp.energize[pid].year for ln in lines for pid, _q, krw in ln.phases if krw and pid in ramp.energize]
    first = max(min(on, default=start_year) - start_year, 0)
    return (first + life + 1, float(cost)) if life > 0 else (0, 0.0)


def _renewable_in_service(proc: Procurement, ramp: ServiceRamp, year: int) -> float:
    """Share of the renewable plants' capex in service (their O&M follows it); 1 without plants."""
    lines = [ln for ln in proc.lines if ln.family in RENEWABLE_FAMILIES]
    total = sum(ln.extended_cost_krw for ln in lines)
    return sum(ramp.cost_in_service(ln.phases, year) for ln in lines) / total if total > 0 else 1.0


def _years(spec: Spec, energy: EnergyResult, proc: Procurement, ramp: ServiceRamp, cat: dict) -> tuple[OpexYear, ...]:
    """The opex table, year by year as the phases enter service: the energy year's costs x the
    IT share in service, O&M on the capex in service, staff and rent on the IT in service."""
    c = energy.cost
    repl_year, repl_cost = _bess_replacement(energy, proc, spec.campus.start_year, ramp)
    rent = spec.finance.rent_krw_per_kw_month
    krw_per_fte = float(cat["staffing"]["krw_per_fte_year"])
    out = []
    for t in range(1, spec.finance.horizon_years + 1):
        year = spec.campus.start_year + t - 1
        g = (1.0 + spec.finance.escalation) ** (t - 1)
        it = ramp.it_share(year)
        om = _om_by_system(proc, cat["om"], lambda ln, y=year: ramp.cost_in_service(ln.phases, y))
        renewable_om = (c.renewable_om_krw if c else 0.0) * _renewable_in_service(proc, ramp, year)
        out.append(
            OpexYear(
                year=t,
                calendar_year=year,
                grid_energy_krw=g * it * c.grid_energy_krw if c else 0.0,
                grid_demand_krw=g * it * c.grid_demand_krw if c else 0.0,
                ppa_krw=g * it * c.ppa_krw if c else 0.0,
                bess_wear_krw=g * it * c.bess_wear_krw if c else 0.0,
                om_krw=g * (sum(v for _, v in om) + renewable_om),
                energy_om_krw=g * (sum(v for k, v in om if k in ENERGY_SYSTEMS) + renewable_om),
                staff_krw=g * staff_fte(cat["staffing"], energy.it_kw / 1000.0 * it) * krw_per_fte,
                replacement_krw=repl_cost if t == repl_year else 0.0,
                revenue_krw=rent * energy.it_kw * it * 12.0 if rent is not None else None,
                it_in_service=it,
            )
        )
    return tuple(out)


def summarise(
    *, fin: Finance, years, rate: float, it_mw: float, capex: int, capex_energy: int, energy_mwh: float, om, fte: int
) -> FinanceResult:
    """TCO, LCOE, cost per MW-year and, with revenue, NPV and IRR from the yearly table:
    TCO = capex + sum_t (opex_t + replacement_t) / (1+r)^t;
    LCOE = (energy-supply capex + sum_t (energy cost_t + replacement_t) / (1+r)^t)
           / sum_t (MWh used_t / (1+r)^t), MWh used_t = the full build-out's x the IT in service;
    cost per MW-year of IT = TCO x CRF(r, N) / IT MW;
    NPV = -capex + sum_t (revenue_t - opex_t - replacement_t) / (1+r)^t, IRR its zero."""
    df = discount_factors(rate, len(years))
    pv_costs = sum(d * (y.opex_krw + y.replacement_krw) for d, y in zip(df, years, strict=True))
    tco = capex + pv_costs
    pv_energy_cost = sum(d * y.energy_krw for d, y in zip(df, years, strict=True))
    pv_mwh = energy_mwh * sum(d * y.it_in_service for d, y in zip(df, years, strict=True))
    bess_repl = sum(d * y.replacement_krw for d, y in zip(df, years, strict=True))
    lcoe = (capex_energy + pv_energy_cost + bess_repl) / pv_mwh if pv_mwh > 0 else 0.0
    cost_mw_year = tco * crf(rate, len(years)) / it_mw if it_mw > 0 else 0.0
    npv_v = irr_v = None
    if fin.rent_krw_per_kw_month is not None:
        flows = [-float(capex)] + [y.revenue_krw - y.opex_krw - y.replacement_krw for y in years]
        npv_v = npv(rate, flows)
        irr_v = irr(flows)
    notes = (
        (
            "opex ramps with the phases: the full build-out's energy year (the energy stage's basis) prorated by the "
            "IT load in service, O&M on the capex in service, staff and rent on the IT load in service"
        ),
        "IT hardware refresh and its vendor support are not included; racks carry no facility O&M",
        "tariff rates, O&M shares and staffing are catalog estimates (data/tariff.toml)",
    )
    return FinanceResult(
        horizon_years=len(years),
        discount_rate=rate,
        discount_rate_source="spec" if fin.discount_rate is not None else "catalog",
        escalation=fin.escalation,
        rent_krw_per_kw_month=fin.rent_krw_per_kw_month,
        it_mw=it_mw,
        capex_krw=capex,
        capex_energy_krw=capex_energy,
        energy_used_mwh_per_year=energy_mwh,
        om_by_system_krw=om,
        staff_fte=fte,
        years=years,
        tco_krw=tco,
        tco_undiscounted_krw=capex + sum(y.opex_krw + y.replacement_krw for y in years),
        lcoe_krw_per_mwh=lcoe,
        cost_per_mw_it_year_krw=cost_mw_year,
        npv_krw=npv_v,
        irr=irr_v,
        notes=notes,
    )
