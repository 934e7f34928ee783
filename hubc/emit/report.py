"""report.html: one self-contained page (no network), written for the investor who reads it first.

First the investment headline (IT MW, GPUs, capex in KRW and USD in total, per MW IT and per GPU,
hourly CFE, the domestic share with and without IT, the first energisation and the schedule
risks), then the engineering figures, diagnostics, and whatever the build produced: capex
charts, hall floor plans, the single-line diagram sheets, energy charts, the supplier summary.

Drawings are shown as a fit-to-width view that a click zooms to full size (1:1, scrollable),
with a link to the drawing file beside it: an A1 single-line diagram shrunk to the page width
has ~5 px text, so the page never relies on that view. Drawings are embedded as images (data
URIs), so the page stays one file. Small charts hubc draws are inlined as SVG; every other
string is escaped by jinja2's autoescape, and a missing template variable is an error
(StrictUndefined). The font stack lists CJK fonts so Korean names render, and print styles give
A4 pages (drawings on A3 landscape) with headings kept with their figures.
"""

from __future__ import annotations

import base64
import html
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from hubc import SCHEMA, __version__
from hubc.emit.fonts import PAGE_FONT_STACK
from hubc.emit.report_finance import finance_tables

if TYPE_CHECKING:
    from hubc.design import BuildInput, Design
    from hubc.diagnostics import Diagnostic


def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (resources.files("hubc.emit") / "templates" / name).read_text("utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _svg(data: bytes):
    """Inline an SVG that hubc itself generated (its text is escaped at generation)."""
    import markupsafe

    text = data.decode("utf-8")
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :].lstrip()
    return markupsafe.Markup(text)


FONT_STACK = PAGE_FONT_STACK


def _image(data: bytes) -> str:
    """An SVG file as a data URI for <img>: one file, no id clashes between drawings."""
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


PALETTE = ("#1f6f8b", "#e07a5f", "#3d405b", "#81b29a", "#f2cc8f", "#6d597a", "#b56576", "#4d908e", "#577590", "#9c6644")


def bar_chart_svg(title: str, items: list[tuple[str, float]], unit_div: float = 1e9, unit: str = "bn KRW") -> str:
    """A horizontal bar chart as SVG text (labels escaped)."""
    items = [(k, v) for k, v in items if v > 0]
    if not items:
        return ""
    width, bar_h, gap, left = 760, 22, 8, 190
    height = 40 + len(items) * (bar_h + gap)
    top = max(v for _, v in items)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'font-family="{html.escape(FONT_STACK)}" font-size="12" role="img" aria-label="{html.escape(title)}">'
        ),
        f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 30 + i * (bar_h + gap)
        w = (width - left - 110) * value / top
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{left + w + 6:.1f}" y="{y + 15}">{value / unit_div:,.1f} {unit}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _sheet_name(path: str) -> str:
    """`sld.svg` -> overview; `sld/overview.2.svg` -> overview, part 2; `sld/hall-a.2.svg` ->
    hall hall-a (typical copy), part 2."""
    if path == "sld.svg":
        return "overview"
    name, _, part = path.removeprefix("sld/").removesuffix(".svg").partition(".")
    head = "overview" if name == "overview" else f"hall {name} (typical copy)"
    return head + (f", part {part}" if part else "")


class Figure(NamedTuple):
    """One headline figure: what, the value, and what it covers (the small print)."""

    label: str
    value: str
    note: str = ""


def _money(krw: float, usd: float, *, krw_div: float, krw_unit: str, usd_div: float, usd_unit: str) -> str:
    return f"{krw / krw_div:,.1f} {krw_unit} · USD {usd / usd_div:,.1f} {usd_unit}"


def _capex_figures(design: Design, krw_per_usd: float) -> list[Figure]:
    """Capex in total, per MW IT and per GPU, in KRW and USD (at the spec's exchange rate): the
    complete capex (`Procurement.capex`) when the design has it, else the priced BOM, said so."""
    proc = design.procurement
    summary = design.need("summary")
    if proc is None:
        return []
    it_mw, gpus = summary.it_kw / 1000, summary.gpus
    if proc.capex is not None:
        krw = proc.capex.total_krw
        b = proc.capex.benchmark
        scope = "equipment, installation, building, civil, land, design and studies, KEPCO connection, contingency; no VAT or financing"
        per_mw_note = (f"construction scope {b.usd_per_mw_it / 1e6:,.1f} M USD/MW against {b.low_usd_per_mw / 1e6:,.1f}-"
                       f"{b.high_usd_per_mw / 1e6:,.1f} M published; facility without IT "
                       f"{proc.capex.facility_per_mw_it_usd / 1e6:,.1f} M USD/MW")
    else:
        krw = proc.total_krw
        scope = "equipment (BOM) only; building, site, land, installation, design, grid charges and contingency not included"
        per_mw_note = scope
    usd = krw / krw_per_usd
    out = [Figure("Capex (estimate)", _money(krw, usd, krw_div=1e9, krw_unit="bn KRW", usd_div=1e6, usd_unit="M"), f"{scope}; USD at {krw_per_usd:,.0f} KRW/USD")]
    if it_mw > 0:
        out.append(Figure("Capex per MW IT", _money(krw / it_mw, usd / it_mw, krw_div=1e9, krw_unit="bn KRW", usd_div=1e6, usd_unit="M"), per_mw_note))
    if gpus > 0:
        out.append(Figure("Capex per GPU", _money(krw / gpus, usd / gpus, krw_div=1e6, krw_unit="M KRW", usd_div=1e3, usd_unit="k"), "GPU racks included (owner-furnished IT)"))
    return out


def domestic_shares(design: Design) -> tuple[float, float] | None:
    """(domestic share of the whole BOM, of the BOM without owner-furnished IT and network racks)."""
    proc = design.procurement
    if proc is None or proc.total_krw <= 0:
        return None
    return proc.domestic_share_of("all"), proc.domestic_share_of("facility")


def _schedule_figures(design: Design) -> list[Figure]:
    """The first energisation and the schedule risks: the lines past their order-by date (the
    procurement schedule), else the long-lead items against the phase that first needs them."""
    proc = design.procurement
    if proc is None or not proc.phases:
        return []
    phases = sorted(proc.phases, key=lambda p: (p.year, p.id))
    first, last = phases[0], phases[-1]
    sched = proc.schedule
    if sched is not None:
        late = sorted((r for r in sched.rows if r.late_days > 0), key=lambda r: (-r.late_days, r.line_id))
        risks = "; ".join(f"{r.line_id} for {r.phase}: order by {r.order_by}, {r.late_days} days late" for r in late[:3])
        return [
            Figure("First energisation", f"{sched.first_energization} ({first.id})", f"{len(phases)} phase(s), last in {last.year} ({last.id})"),
            Figure("Schedule risks: orders already late", risks or f"none: every order-by date is after {sched.as_of}",
                   f"{len(late)} BOM line(s) past their order-by date (energisation - lead time - installation) as of {sched.as_of}"),
        ]
    out = [Figure("First energisation", f"{first.year} ({first.id})", f"{len(phases)} phase(s), last in {last.year} ({last.id})")]
    year = {p.id: p.year for p in proc.phases}
    risks = []
    for line in sorted(proc.lines, key=lambda ln: (-ln.lead_weeks, ln.line_id))[:3]:
        need = next((s.phase for s in line.phases if s.quantity > 0), proc.phases[0].id)
        risks.append(f"{line.line_id}: {line.lead_weeks:g} weeks, for {need} ({year.get(need, first.year)})")
    out.append(Figure("Schedule risks: longest lead times", "; ".join(risks), "catalog lead times from order to delivery, before installation and commissioning"))
    return out


def _finance_figures(design: Design, krw_per_usd: float) -> list[Figure]:
    """Opex in the first full year of operation and the levelised cost of the energy the campus
    uses (the finance stage), when the design has them."""
    f = design.finance
    if f is None:
        return []
    opex = f.opex_first_year_krw
    return [
        Figure("Opex per year (year 1)", _money(opex, opex / krw_per_usd, krw_div=1e9, krw_unit="bn KRW", usd_div=1e6, usd_unit="M"),
               "grid energy and demand charges (tariff), PPA payments, BESS wear, O&M, staff; see Opex by year"),
        Figure("LCOE of the energy used", f"{f.lcoe_krw_per_mwh / 1000:,.1f} KRW/kWh",
               f"levelised over {f.horizon_years} years at {f.discount_rate:.1%}; TCO {f.tco_krw / 1e12:,.2f} trillion KRW (present value)"),
    ]


def investor_headline(design: Design, spec, diags: tuple[Diagnostic, ...] = ()) -> list[Figure]:
    """The figures an investor reads first, each read from the design."""
    summary = design.need("summary")
    out = [
        Figure("IT capacity", f"{summary.it_kw / 1000:,.1f} MW IT", f"facility peak {summary.facility_peak_kw / 1000:,.1f} MW at design PUE {spec.policy.design_pue:g}"),
        Figure("GPUs", f"{summary.gpus:,}", f"{summary.racks:,} racks"),
    ]
    out += _capex_figures(design, spec.campus.krw_per_usd)
    if design.energy is not None:
        e = design.energy
        out.append(Figure("Hourly CFE", f"{e.cfe_score:.1%}", f"hourly carbon-free energy score of the energy year; target {e.cfe_target:.0%}"))
    out += _finance_figures(design, spec.campus.krw_per_usd)
    shares = domestic_shares(design)
    if shares is not None:
        with_it, without_it = shares
        out.append(Figure("Domestic share", f"{with_it:.1%} with IT · {without_it:.1%} without IT", f"share of BOM value from Korean suppliers; policy minimum {design.procurement.min_domestic_share:.0%} ({design.procurement.share_scope} scope)"))
    out += _schedule_figures(design)
    errors = sum(1 for d in diags if d.severity.value == "error")
    warnings = sum(1 for d in diags if d.severity.value == "warning")
    out.append(Figure("Open findings", f"{errors} error(s), {warnings} warning(s)", "listed under Diagnostics"))
    return out


def investment_sections(design: Design) -> list:
    """HTML sections of the investment case rendered by other modules of issue 17.

    MERGE POINT - the single call site of `capex_section(design)` (hubc/emit/report_capex.py:
    complete capex, cash flow by phase, procurement schedule) and `finance_section(design)`
    (hubc/emit/report_finance.py: tariff, opex, LCOE, NPV/IRR). When those modules are on main,
    the lead wires them here:

        from hubc.emit.report_capex import capex_section
        from hubc.emit.report_finance import finance_section
        return [markupsafe.Markup(capex_section(design)), markupsafe.Markup(finance_section(design))]

    Each returns one HTML fragment (a <section> or ""), its own text escaped.
    """
    import markupsafe

    from hubc.emit.report_capex import capex_section

    return [f for f in (markupsafe.Markup(capex_section(design)),) if f]


def _drawings(files: dict[str, bytes], keys: list[str], name) -> list[dict]:
    return [{"name": name(k), "src": _image(files[k]), "href": k} for k in keys]


def _sections(design: Design, files: dict[str, bytes]) -> list[dict]:
    """Drawing sections: each drawing a zoomable image with a link to its file."""
    import markupsafe

    out = []
    proc = design.procurement
    if proc is not None:
        charts = [
            markupsafe.Markup(bar_chart_svg("Capex by system (estimate)", sorted(proc.capex_by_system().items(), key=lambda kv: -kv[1]))),
            markupsafe.Markup(bar_chart_svg("Capex by phase (estimate)", list(proc.capex_by_phase().items()))),
        ]
        out.append({"id": "capex", "heading": "Capex (estimate)", "charts": [c for c in charts if str(c)], "drawings": [], "note": "Equipment priced from the catalog (bom.xlsx lists each line and its cost source)."})
    floorplans = sorted(k for k in files if k.startswith("floorplans/") and k.endswith(".svg"))
    if floorplans:
        out.append({"id": "floorplans", "heading": "Hall floor plans", "charts": [], "drawings": _drawings(files, floorplans, lambda k: k.removeprefix("floorplans/").removesuffix(".svg")), "note": ""})
    if "sld.svg" in files:
        # the overview, then each hall typical's sheet; each links to its file, printable at its ISO size
        sheets = ["sld.svg", *sorted((k for k in files if k.startswith("sld/") and k.endswith(".svg")), key=lambda k: (not k.startswith("sld/overview."), k))]
        out.append({"id": "sld", "heading": "Single-line diagram", "charts": [], "drawings": _drawings(files, sheets, _sheet_name), "note": "Each sheet is drawn for its ISO sheet size: open the file, or click the view to zoom to 1:1."})
    if "energy.svg" in files:
        out.append({"id": "energy", "heading": "Energy year", "charts": [], "drawings": _drawings(files, ["energy.svg"], lambda k: "energy"), "note": ""})
    return out


def emit_report(inp: BuildInput, design: Design, diags: tuple[Diagnostic, ...], files: dict[str, bytes]) -> dict[str, bytes]:
    spec = inp.spec
    summary = design.need("summary")
    engineering = [
        ("IT load", f"{summary.it_kw / 1000:,.1f} MW"),
        ("Facility peak", f"{summary.facility_peak_kw / 1000:,.1f} MW ({summary.facility_peak_kva / 1000:,.1f} MVA)"),
        ("Design PUE", f"{spec.policy.design_pue:g}"),
        ("Racks", f"{summary.racks:,}"),
        ("Uptime tier target", f"Tier {spec.policy.tier}"),
        ("Interconnect", f"{spec.grid.interconnect_voltage_kv:g} kV, {spec.grid.contract_mw:,.0f} MW contract"),
    ]
    # the stages' own headline lines, less the capex, domestic share, opex and LCOE the investor headline gives
    engineering.extend((k, v) for k, v in design.report_headline() if not k.startswith(("Capex", "Domestic share", "Opex", "LCOE")))
    proc = design.procurement
    tables = [("Domestic suppliers", proc.supplier_summary())] if proc is not None else []
    tables.extend(finance_tables(design))
    diagnostics = [
        {"code": d.code, "severity": d.severity.value, "where": str(d.location), "message": d.message, "help": d.help or ""}
        for d in diags
    ]
    links = [(k, label) for k, label in DOWNLOADS if k in files]
    page = _env().get_template("report.html.j2").render(
        title=f"{spec.campus.name} ({spec.campus.id})",
        campus=spec.campus,
        version=__version__,
        schema=SCHEMA,
        spec_name=inp.source.name,
        font_stack=FONT_STACK,
        investor=investor_headline(design, spec, diags),
        investment=investment_sections(design),
        headline=engineering,
        sections=_sections(design, files),
        tables=tables,
        diagnostics=diagnostics,
        downloads=links,
        files=sorted(files),
    )
    return {"report.html": page.encode("utf-8")}


# Files an investor or buyer opens from the report, in this order.
DOWNLOADS = (
    ("bom.xlsx", "Bill of materials with RFQ specifications (Excel, prints on A3)"),
    ("bom-specs.csv", "RFQ technical data per line (CSV)"),
    ("bom.csv", "Bill of materials (CSV)"),
    ("suppliers.md", "Domestic suppliers"),
    ("sld.svg", "Single-line diagram, overview sheet"),
    ("design.json", "The whole design (JSON)"),
)
