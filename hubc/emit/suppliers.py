"""Supplier lists: `suppliers.md` and `suppliers.csv`.

In: `Procurement` (its `suppliers`, one group per BOM category) and the spec. Out:
{"suppliers.md": bytes, "suppliers.csv": bytes}. Per category: the domestic vendors with their
product families and ratings and the BOM lines they can bid on; a category no domestic vendor
makes is flagged with its import fallback. Markdown text is HTML-escaped, CSV text neutralised
against formula injection.
"""

from __future__ import annotations

from hubc.emit.safe import csv_bytes, md_text
from hubc.procurement.bom import Procurement

CSV_COLUMNS = (
    "Category",
    "Family",
    "Status",
    "Vendor id",
    "Vendor",
    "Vendor (Korean)",
    "Products and ratings",
    "BOM lines",
    "BOM value KRW",
    "Category value KRW",
    "Import fallback",
    "Source",
)


def emit_suppliers(proc: Procurement, spec=None) -> dict[str, bytes]:
    return {"suppliers.md": suppliers_md(proc).encode("utf-8"), "suppliers.csv": suppliers_csv(proc)}


def _products(products) -> str:
    return "; ".join(f"{fam} ({', '.join(r)})" if r else fam for fam, r in products)


def suppliers_csv(proc: Procurement) -> bytes:
    rows: list[list] = []
    for cat in proc.suppliers:
        fallback = "; ".join(cat.import_fallback)
        if not cat.offers:
            row = [
                cat.category,
                cat.family,
                "no domestic vendor",
                "",
                "",
                "",
                "",
                " ".join(cat.lines),
                0,
                cat.value_krw,
                fallback,
                "",
            ]
            rows.append(row)
            continue
        for o in cat.offers:
            row = [
                cat.category,
                cat.family,
                "domestic",
                o.vendor_id,
                o.name,
                o.name_ko,
                _products(o.products),
                " ".join(o.lines),
                o.value_krw,
                cat.value_krw,
                fallback,
                o.source,
            ]
            rows.append(row)
    return csv_bytes(CSV_COLUMNS, rows, bom=True)


def _krw(x: int) -> str:
    return f"{x:,}"


def suppliers_md(proc: Procurement) -> str:
    out: list[str] = []
    out.append(f"# Domestic supplier list: {md_text(proc.campus_name)}")
    out.append("")
    below = proc.share_base_krw > 0 and proc.domestic_share < proc.min_domestic_share - 1e-12
    verdict = f"**below** the policy minimum ({proc.enforcement})" if below else "meets the policy minimum"
    out.append(
        f"Domestic share of {proc.share_scope_label} BOM value: **{proc.domestic_share:.1%}** "
        f"({_krw(proc.share_domestic_krw)} of {_krw(proc.share_base_krw)} KRW); policy minimum "
        f"{proc.min_domestic_share:.1%}: {verdict}. Whole BOM: {_krw(proc.domestic_krw)} of "
        f"{_krw(proc.total_krw)} KRW domestic."
    )
    out.append("")
    out.append(
        f"Catalog {md_text(proc.catalog_version)}. Costs are planning estimates, not quotes; vendor facts come "
        "from public sources (re-verify before issuing requests for quotation). A vendor is domestic when "
        "headquartered in Korea; products made by foreign subsidiaries are not counted."
    )
    out.append("")
    out.append("| Category | BOM value KRW | Lines | Domestic vendors | Status |")
    out.append("|---|---:|---:|---|---|")
    for cat in proc.suppliers:
        names = ", ".join(md_text(o.name) for o in cat.offers) or "none"
        status = "domestic supply" if cat.offers else "**import** (no domestic vendor)"
        out.append(f"| {md_text(cat.category)} | {_krw(cat.value_krw)} | {len(cat.lines)} | {names} | {status} |")
    for cat in proc.suppliers:
        out.append("")
        out.append(f"## {md_text(cat.category)} (`{md_text(cat.family)}`)")
        out.append("")
        out.append(f"BOM lines: {', '.join(f'`{md_text(x)}`' for x in cat.lines)}; value {_krw(cat.value_krw)} KRW.")
        out.append("")
        if not cat.offers:
            out.append("**No domestic vendor.** Import fallback: " + md_text("; ".join(cat.import_fallback)) + ".")
        else:
            out.append("| Vendor | Products and ratings | Can bid on | Value KRW | Source |")
            out.append("|---|---|---|---:|---|")
            for o in cat.offers:
                name = md_text(o.name) + (f" ({md_text(o.name_ko)})" if o.name_ko else "")
                products = md_text(_products(o.products)) or "(no listed product in this category)"
                lines = ", ".join(f"`{md_text(x)}`" for x in o.lines)
                out.append(f"| {name} | {products} | {lines} | {_krw(o.value_krw)} | {md_text(o.source)} |")
            out.append("")
            out.append("Import fallback: " + md_text("; ".join(cat.import_fallback)) + ".")
        for note in cat.notes:
            out.append("")
            out.append(f"Note: {md_text(note)}")
    out.append("")
    return "\n".join(out)
