"""The report's finance tables: the financial summary, the opex by year of operation and the
energy year's bill by month (rows of plain values; the report's template escapes them).

In: the finished `Design` (its `finance` and `energy` results). Out: (heading, rows) pairs for
report.html's tables, none when the build has no finance result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hubc.design import Design
    from hubc.finance import FinanceResult


def _bn(krw: float) -> float:
    return round(krw / 1e9, 2)


def summary_rows(fin: FinanceResult) -> list[dict]:
    rows = [
        ("Horizon", f"{fin.horizon_years} years of operation"),
        ("Discount rate (real)", f"{fin.discount_rate:.1%} ({fin.discount_rate_source})"),
        ("Escalation (real)", f"{fin.escalation:.1%} a year"),
        ("Capex", f"{_bn(fin.capex_krw):,.1f} bn KRW"),
        ("Opex, first year", f"{_bn(fin.opex_first_year_krw):,.1f} bn KRW"),
        *(
            [(f"Opex, year {fin.full_service_year} (all phases in service)", f"{_bn(fin.opex_full_service_krw):,.1f} bn KRW")]
            if fin.full_service_year not in (None, 1)
            else []
        ),
        ("Total cost of ownership (present value)", f"{_bn(fin.tco_krw):,.0f} bn KRW"),
        ("Total cost of ownership (undiscounted)", f"{_bn(fin.tco_undiscounted_krw):,.0f} bn KRW"),
        ("Levelised cost of the energy used", f"{fin.lcoe_krw_per_mwh / 1e3:,.1f} KRW/kWh"),
        ("Cost per MW-year of IT capacity", f"{fin.cost_per_mw_it_year_krw / 1e6:,.0f} M KRW"),
        ("Staff", f"{fin.staff_fte} FTE"),
    ]
    if fin.npv_krw is None:
        rows.append(("NPV, IRR", "not computed: the spec gives no revenue basis ([finance] rent_krw_per_kw_month)"))
    else:
        rows.append(("Rent", f"{fin.rent_krw_per_kw_month:,.0f} KRW per kW-month of IT"))
        rows.append(("NPV", f"{_bn(fin.npv_krw):,.0f} bn KRW"))
        rows.append(("IRR", f"{fin.irr:.1%}" if fin.irr is not None else "none (the cash flows never break even)"))
    rows.extend(("Note", n) for n in fin.notes)
    return [{"figure": k, "value": v} for k, v in rows]


def year_rows(fin: FinanceResult) -> list[dict]:
    out = []
    for y in fin.years:
        row = {
            "year": y.year,
            "calendar": y.calendar_year,
            "IT in service": f"{y.it_in_service:.0%}",
            "grid energy (bn KRW)": _bn(y.grid_energy_krw),
            "demand charge": _bn(y.grid_demand_krw),
            "PPA": _bn(y.ppa_krw),
            "BESS wear": _bn(y.bess_wear_krw),
            "O&M": _bn(y.om_krw),
            "staff": _bn(y.staff_krw),
            "opex": _bn(y.opex_krw),
            "replacement": _bn(y.replacement_krw),
        }
        if y.revenue_krw is not None:
            row["revenue"] = _bn(y.revenue_krw)
        out.append(row)
    return out


def month_rows(design: Design) -> list[dict]:
    energy = design.energy
    if energy is None or energy.cost is None:
        return []
    return [
        {
            "month": m.month,
            "grid import (MWh)": round(m.energy_mwh),
            "peak (MW)": round(m.peak_mw, 1),
            "billed demand (MW)": round(m.billing_demand_mw, 1),
            "energy charge (bn KRW)": _bn(m.energy_krw),
            "demand charge (bn KRW)": _bn(m.demand_krw),
        }
        for m in energy.cost.months
    ]


def finance_tables(design: Design) -> list[tuple[str, list[dict]]]:
    """The finance section's tables, in reading order."""
    fin = design.finance
    if fin is None:
        return []
    tables = [("Financial summary (estimate)", summary_rows(fin))]
    energy = design.energy
    if energy is not None and energy.cost is not None:
        c = energy.cost
        heading = f"Grid bill by month: {c.tariff} (rates effective {c.tariff_effective}, estimate)"
        tables.append((heading, month_rows(design)))
    tables.append(("Opex by year of operation (bn KRW, estimate)", year_rows(fin)))
    return tables
