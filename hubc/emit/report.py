"""report.html: one self-contained page (no network) for everyone who is not reading JSON.

Headline figures, diagnostics, then whatever the build produced: hall floor plans, the
single-line diagram, energy charts, a capex breakdown by system and by phase, the supplier
summary. SVGs made by hubc's own emitters are inlined; every other string is escaped by
jinja2's autoescape, and a missing template variable is an error (StrictUndefined).
"""

from __future__ import annotations

import html
from importlib import resources
from typing import TYPE_CHECKING

from hubc import SCHEMA, __version__

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
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="{html.escape(title)}">',
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


def emit_report(inp: BuildInput, design: Design, diags: tuple[Diagnostic, ...], files: dict[str, bytes]) -> dict[str, bytes]:
    import markupsafe

    from hubc.emit.report_finance import finance_tables

    spec = inp.spec
    summary = design.need("summary")
    headline = [
        ("IT load", f"{summary.it_kw / 1000:,.1f} MW"),
        ("Facility peak", f"{summary.facility_peak_kw / 1000:,.1f} MW ({summary.facility_peak_kva / 1000:,.1f} MVA)"),
        ("Design PUE", f"{spec.policy.design_pue:g}"),
        ("Racks", f"{summary.racks:,}"),
        ("GPUs", f"{summary.gpus:,}"),
        ("Uptime tier target", f"Tier {spec.policy.tier}"),
        ("Interconnect", f"{spec.grid.interconnect_voltage_kv:g} kV, {spec.grid.contract_mw:,.0f} MW contract"),
    ]
    headline.extend(design.report_headline())

    sections = []
    floorplans = sorted(k for k in files if k.startswith("floorplans/") and k.endswith(".svg"))
    if floorplans:
        sections.append(("Hall floor plans", [(k.removeprefix("floorplans/").removesuffix(".svg"), _svg(files[k]), k) for k in floorplans]))
    if "sld.svg" in files:
        # the overview, then each hall typical's sheet; each links to its file, printable at its ISO size
        sheets = ["sld.svg", *sorted((k for k in files if k.startswith("sld/") and k.endswith(".svg")), key=lambda k: (not k.startswith("sld/overview."), k))]
        sections.append(("Single-line diagram", [(_sheet_name(k), _svg(files[k]), k) for k in sheets]))
    if "energy.svg" in files:
        sections.append(("Energy year", [("energy", _svg(files["energy.svg"]), "energy.svg")]))
    proc = design.procurement
    tables = []
    if proc is not None:
        charts = [
            ("capex by system", markupsafe.Markup(bar_chart_svg("Capex by system (estimate)", sorted(proc.capex_by_system().items(), key=lambda kv: -kv[1]))), ""),
            ("capex by phase", markupsafe.Markup(bar_chart_svg("Capex by phase (estimate)", list(proc.capex_by_phase().items()))), ""),
        ]
        sections.append(("Capex (estimate)", [c for c in charts if str(c[1])]))
        tables.append(("Domestic suppliers", proc.supplier_summary()))
    tables.extend(finance_tables(design))
    diagnostics = [
        {"code": d.code, "severity": d.severity.value, "where": str(d.location), "message": d.message, "help": d.help or ""}
        for d in diags
    ]
    page = _env().get_template("report.html.j2").render(
        title=f"{spec.campus.name} ({spec.campus.id})",
        campus=spec.campus,
        version=__version__,
        schema=SCHEMA,
        spec_name=inp.source.name,
        headline=headline,
        sections=sections,
        tables=tables,
        diagnostics=diagnostics,
        files=sorted(files),
    )
    return {"report.html": page.encode("utf-8")}
