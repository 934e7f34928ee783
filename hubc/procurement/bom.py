"""Pricing: sized `Equipment` items + the catalog -> BOM lines, capex and the domestic share.

In: the spec, every stage's `Equipment` items, the merged `Catalog`, and optionally the spec's
`SourceFile` (for "spec reference file:line"). Out: `Procurement`, a frozen, sorted record with
one `BomLine` per item, capex by system and by build-out phase, the domestic share of BOM value,
and diagnostics (HUB620-HUB623).

Pricing is `hubc.catalog.pricing.price_item`, the one rule the energy stage's capex figures use
too: the item's `catalog_id` when the stage that sized it chose an entry (the BESS container and
PCS, the renewable plants, the interconnect lines), else the entry of its family whose range
covers the rating and whose reference rating is closest; with no covering entry the closest one
prices it, with a warning (HUB622). Costs are whole won per unit; a line's extended cost is
qty x unit cost rounded half away from zero, the ROUND(..., 0) the workbook's formulas recompute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import attrs

from hubc.catalog import rules
from hubc.catalog.capex import CapexCatalog
from hubc.catalog.equipment import CatalogEntry, EquipmentCatalog
from hubc.catalog.pricing import Price, price_item, round_won
from hubc.codes import diag
from hubc.core.derived import NOT_IN_JSON, derived
from hubc.core.equipment import Equipment
from hubc.diagnostics import Diagnostic, Location, Severity
from hubc.procurement.capex import Capex, run_capex
from hubc.procurement.cashflow import CashFlow, build_cash_flow
from hubc.procurement.phases import PhasePlan, phase_plan, split_quantity
from hubc.procurement.schedule import Schedule, build_schedule, late_order_diagnostics
from hubc.spec.model import Spec


class PhaseShare(NamedTuple):
    """The part of a BOM line bought in one build-out phase."""

    phase: str
    quantity: float
    extended_cost_krw: int


@attrs.frozen(kw_only=True)
class BomLine:
    line_id: str
    system: str
    area: str
    family: str
    category: str
    description: str
    rating: float
    rating_unit: str
    quantity: float
    unit: str
    unit_cost_krw: int
    extended_cost_krw: int
    lead_weeks: float
    domestic_vendors: tuple[str, ...]
    domestic_vendor_names: tuple[str, ...]
    import_fallback: tuple[str, ...]
    origin: str
    catalog_id: str
    cost_tag: str
    cost_source: str
    spec_ref: str
    # the phases this line is built in
    phases: tuple[PhaseShare, ...]

    @property
    def key_rating(self) -> str:
        return f"{_num(self.rating)} {self.rating_unit}"


class Product(NamedTuple):
    """A product family a vendor makes, with the ratings it lists."""

    family: str
    ratings: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SupplierOffer:
    """One domestic vendor's bid for a category: its products there and the lines it can bid on."""

    vendor_id: str
    name: str
    name_ko: str
    hq: str
    source: str
    products: tuple[Product, ...]
    lines: tuple[str, ...]
    value_krw: int


@attrs.frozen(kw_only=True)
class SupplierCategory:
    family: str
    category: str
    lines: tuple[str, ...]
    value_krw: int
    offers: tuple[SupplierOffer, ...]
    import_fallback: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def has_domestic(self) -> bool:
        return bool(self.offers)


# Systems whose equipment the owner furnishes (GPU, network and storage racks): left out of the
# facility-scope domestic share, as construction cost guides leave out IT (OFCI); the list and
# its source are in catalog/data/rules.toml.
OWNER_FURNISHED_SYSTEMS = rules.owner_furnished_systems()


@attrs.frozen(kw_only=True)
class Procurement:
    campus_id: str
    campus_name: str
    catalog_version: str
    it_mw: float
    facility_mw: float
    gpus: int
    racks: int
    lines: tuple[BomLine, ...]
    phases: tuple[PhasePlan, ...]
    total_krw: int
    domestic_krw: int
    min_domestic_share: float
    enforcement: str
    share_scope: str = "facility"
    share_base_krw: int = 0  # BOM value in the scope of the domestic share
    share_domestic_krw: int = 0
    suppliers: tuple[SupplierCategory, ...] = ()
    # everything else it takes to build: installation, building, land, soft costs, grid, contingency
    capex: Capex | None = None
    # order-by dates per line and phase, and the capex paid per year
    schedule: Schedule | None = None
    cash_flow: CashFlow | None = None
    diagnostics: tuple[Diagnostic, ...] = attrs.field(eq=False, default=(), metadata=NOT_IN_JSON)  # in the build's list

    @derived
    @property
    def currency(self) -> str:
        return "KRW"

    @derived
    @property
    def domestic_share(self) -> float:
        """Domestic share of the BOM value in scope (see `share_scope`)."""
        return self.share_domestic_krw / self.share_base_krw if self.share_base_krw else 0.0

    def domestic_share_of(self, scope: str) -> float:
        """Domestic share of the BOM value: of every line ("all"), or of the facility lines,
        owner-furnished IT and network racks left out ("facility")."""
        lines = [ln for ln in self.lines if scope == "all" or ln.system not in OWNER_FURNISHED_SYSTEMS]
        base = sum(ln.extended_cost_krw for ln in lines)
        return sum(ln.extended_cost_krw for ln in lines if ln.origin == "domestic") / base if base else 0.0

    @property
    def share_scope_label(self) -> str:
        return "facility equipment (IT and network racks left out)" if self.share_scope == "facility" else "whole BOM"

    @derived
    def capex_by_system(self) -> dict[str, int]:
        """System -> KRW, sorted by system."""
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.system] = out.get(line.system, 0) + line.extended_cost_krw
        return dict(sorted(out.items()))

    @derived
    def capex_by_phase(self) -> dict[str, int]:
        """Phase id -> KRW, in build-out order."""
        out = {p.id: 0 for p in self.phases}
        for line in self.lines:
            for pid, _, cost in line.phases:
                out[pid] = out.get(pid, 0) + cost
        return out

    def report_headline(self) -> list[tuple[str, str]]:
        below = self.share_base_krw > 0 and self.domestic_share < self.min_domestic_share - 1e-12
        out = []
        c = self.capex
        if c is not None:
            out += [
                ("Capex (estimate)", f"{c.total_krw / 1e9:,.1f} bn KRW ({c.total_usd / 1e6:,.0f} M USD)"),
                ("Capex per MW IT", f"{c.per_mw_it_krw / 1e9:,.2f} bn KRW ({c.per_mw_it_usd / 1e6:,.1f} M USD); "
                 f"facility without IT {c.facility_per_mw_it_usd / 1e6:,.1f} M USD"),
                ("Capex per GPU", f"{c.per_gpu_krw / 1e6:,.1f} M KRW ({c.per_gpu_usd:,.0f} USD)"),
            ]
        else:
            out.append(("Capex (estimate)", f"{self.total_krw / 1e9:,.1f} bn KRW"))
        out.append((
            f"Domestic share ({self.share_scope} scope)",
            f"{self.domestic_share:.1%} (policy minimum {self.min_domestic_share:.0%}" + (", below)" if below else ")"),
        ))
        s = self.schedule
        if s is not None:
            out += [
                ("First energisation", s.first_energization),
                ("Schedule risk", f"{s.late_lines} BOM line(s) past their order-by date as of {s.as_of}"
                 if s.late_lines else f"every order-by date is after {s.as_of}"),
            ]
        return out

    def supplier_summary(self) -> list[dict]:
        """One row per BOM category for the report: value, domestic vendors or the import fallback."""
        return [
            {
                "Category": c.category,
                "BOM value (bn KRW)": round(c.value_krw / 1e9, 2),
                "Domestic vendors": ", ".join(o.name for o in c.offers) or "none",
                "Import fallback": "" if c.offers else "; ".join(c.import_fallback),
            }
            for c in self.suppliers
        ]

    def phase_lines(self, phase_id: str) -> tuple[tuple[BomLine, float, int], ...]:
        return tuple((line, q, c) for line in self.lines for pid, q, c in line.phases if pid == phase_id and q > 0)

    def longest_lead(self) -> BomLine | None:
        return max(self.lines, key=lambda ln: (ln.lead_weeks, ln.line_id), default=None)

    @derived
    @property
    def longest_lead_line_id(self) -> str | None:
        """The BOM line with the longest lead time (its `lead_weeks`)."""
        longest = self.longest_lead()
        return longest.line_id if longest else None


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}" if abs(x) < 1000 else f"{x:,.2f}"


# ----------------------------------------------------------------------------- pricing


def run_procurement(
    spec: Spec,
    equipment: Iterable[Equipment],
    catalog: EquipmentCatalog,
    source=None,
    capex_catalog: CapexCatalog | None = None,
) -> Procurement:
    from hubc.core.loads import campus_heat, facility_peak_kw

    if capex_catalog is None:
        from hubc.catalog import shipped_catalog

        capex_catalog = shipped_catalog().capex

    items = sorted(equipment, key=lambda e: (e.system, e.id))
    plans = phase_plan(spec)
    diags: list[Diagnostic] = []
    lines: list[BomLine] = []
    used_ids: dict[str, int] = {}

    def where(item: Equipment) -> Location:
        if source is None:
            return Location(file="spec")
        return source.at_key(item.spec_path)

    for item in items:
        price, code = price_item(item, catalog, spec.campus.krw_per_usd)
        if price is None:
            diags.append(_no_price(item, code or "HUB620", catalog, where(item)))
            continue
        if price.extrapolated:
            e = price.entry
            diags.append(
                diag(
                    "HUB622",
                    f"{item.id}: {item.family} rated {_num(item.rating)} {item.rating_unit} is outside every "
                    f'catalog range; priced by "{e.id}" ({_range(e)})',
                    where(item),
                    item.spec_path,
                    help="add a catalog entry covering this rating through [catalog] files",
                )
            )
        n = used_ids.get(item.id, 0)
        used_ids[item.id] = n + 1
        line_id = item.id if n == 0 else f"{item.id}#{n + 1}"
        lines.append(_line(spec, item, line_id, price, catalog, plans, source))

    total = sum(ln.extended_cost_krw for ln in lines)
    domestic = sum(ln.extended_cost_krw for ln in lines if ln.origin == "domestic")
    scope = spec.policy.domestic_share_scope
    in_scope = [ln for ln in lines if scope == "all" or ln.system not in OWNER_FURNISHED_SYSTEMS]
    heat = campus_heat(spec)
    proc = Procurement(
        campus_id=spec.campus.id,
        campus_name=spec.campus.name,
        catalog_version=catalog.version,
        it_mw=heat.it_kw / 1000.0,
        facility_mw=facility_peak_kw(spec, heat.it_kw) / 1000.0,
        gpus=heat.gpus,
        racks=heat.racks,
        lines=tuple(lines),
        phases=plans,
        total_krw=total,
        domestic_krw=domestic,
        min_domestic_share=spec.policy.min_domestic_share,
        enforcement=spec.policy.domestic_share_enforcement,
        share_scope=scope,
        share_base_krw=sum(ln.extended_cost_krw for ln in in_scope),
        share_domestic_krw=sum(ln.extended_cost_krw for ln in in_scope if ln.origin == "domestic"),
        suppliers=supplier_categories(lines, catalog),
    )
    capex = run_capex(spec, lines, plans, capex_catalog, heat.it_kw / 1000.0, heat.gpus)
    schedule = build_schedule(spec, lines, plans, capex_catalog)
    proc = attrs.evolve(
        proc, capex=capex, schedule=schedule, cash_flow=build_cash_flow(lines, capex, schedule, capex_catalog)
    )
    diags += _domestic_share_check(proc, source)
    diags += late_order_diagnostics(schedule, spec, source)
    return attrs.evolve(proc, diagnostics=tuple(diags))


def _line(spec: Spec, item: Equipment, line_id: str, price: Price, catalog: EquipmentCatalog, plans, source) -> BomLine:
    e = price.entry
    unit_cost = price.unit_cost_krw
    return BomLine(
        line_id=line_id,
        system=item.system,
        area=item.area,
        family=item.family,
        category=catalog.family_name(item.family),
        description=item.description or e.description,
        rating=item.rating,
        rating_unit=item.rating_unit,
        quantity=item.quantity,
        unit=item.unit,
        unit_cost_krw=unit_cost,
        extended_cost_krw=price.extended_cost_krw,
        lead_weeks=e.lead_weeks,
        domestic_vendors=e.domestic_vendors,
        domestic_vendor_names=tuple(catalog.vendors[v].name if v in catalog.vendors else v for v in e.domestic_vendors),
        import_fallback=e.import_fallback,
        origin=e.origin,
        catalog_id=e.id,
        cost_tag=e.cost_tag,
        cost_source=f"{e.cost_source} ({e.cost_date})",
        spec_ref=_ref(source, item),
        phases=allocate_phases(split_quantity(item, plans, spec), item.quantity, unit_cost, price.extended_cost_krw),
    )


def allocate_phases(
    split: list[tuple[str, float]], quantity: float, unit_cost: float, extended_krw: int
) -> tuple[PhaseShare, ...]:
    """Money rounded once: phase k costs ROUND(cumulative quantity x unit cost) less the same for
    the phases before it, so the phases add up to the line's extended cost exactly (a phase rounded
    on its own would drift by a won per phase). The workbook's phase sheets use the same formula."""
    out, cum, before = [], 0.0, 0
    for i, (pid, q) in enumerate(split):
        cum += q
        upto = extended_krw if i == len(split) - 1 else round_won(cum * unit_cost)
        out.append(PhaseShare(pid, q, upto - before))
        before = upto
    return tuple(out)


def _range(e: CatalogEntry) -> str:
    lo = e.rating_min if e.rating_min is not None else e.rating
    hi = e.rating_max if e.rating_max is not None else e.rating
    return f"{_num(lo)}-{_num(hi)} {e.rating_unit}"


def _ref(source, item: Equipment) -> str:
    if source is None or not item.spec_path:
        return ""
    loc = source.at_key(item.spec_path)
    return f"{loc.file}:{loc.line}"


def _no_price(item: Equipment, code: str, catalog: EquipmentCatalog, loc: Location) -> Diagnostic:
    entries = catalog.family_entries(item.family)
    offered = ", ".join(f"{e.id} ({e.rating_unit} per {e.unit})" for e in entries) or "none"
    if code == "HUB621":
        entry = catalog.entries.get(item.catalog_id or "")
        if entry is None:
            why = f'no catalog entry "{item.catalog_id}"'
        elif entry.family != item.family:
            why = f'catalog entry "{entry.id}" is a {entry.family}, not a {item.family}'
        else:
            why = (
                f'catalog entry "{entry.id}" is rated in {entry.rating_unit} per {entry.unit}, '
                f"the item in {item.rating_unit} per {item.unit}"
            )
        return diag(
            "HUB621",
            f"{item.id}: {why}",
            loc,
            item.spec_path,
            help=f"entries of family {item.family}: {offered}",
        )
    return diag(
        "HUB620",
        f"{item.id}: no catalog entry prices a {item.family} rated in {item.rating_unit} per {item.unit}",
        loc,
        item.spec_path,
        help=f"entries of family {item.family}: {offered}; add one through [catalog] files",
    )


def _domestic_share_check(proc: Procurement, source) -> list[Diagnostic]:
    if proc.share_base_krw <= 0 or proc.domestic_share >= proc.min_domestic_share - 1e-12:
        return []
    path = ("policy", "min_domestic_share")
    loc = source.at_value(path) if source is not None else Location(file="spec")
    # The largest imported lines are what would move the share: name the top three.
    imported = sorted(
        (
            ln
            for ln in proc.lines
            if ln.origin != "domestic" and (proc.share_scope == "all" or ln.system not in OWNER_FURNISHED_SYSTEMS)
        ),
        key=lambda ln: (-ln.extended_cost_krw, ln.line_id),
    )[:3]
    top = ", ".join(f"{ln.line_id} ({ln.extended_cost_krw / proc.share_base_krw:.0%})" for ln in imported)
    return [
        diag(
            "HUB623",
            f"domestic share of {proc.share_scope_label} BOM value is {proc.domestic_share:.1%}, below the policy minimum "
            f"{proc.min_domestic_share:.1%}",
            loc,
            path,
            help=f"largest imported lines: {top}" if top else None,
            severity=Severity.ERROR if proc.enforcement == "error" else Severity.WARNING,
        )
    ]


def supplier_categories(lines: Sequence[BomLine], catalog: EquipmentCatalog) -> tuple[SupplierCategory, ...]:
    """Per BOM category (family): the domestic vendors that can bid, or the import fallback."""
    by_family: dict[str, list[BomLine]] = {}
    for ln in lines:
        by_family.setdefault(ln.family, []).append(ln)
    out = []
    for family in sorted(by_family):
        group = by_family[family]
        bids: dict[str, list[BomLine]] = {}
        for ln in group:
            for vid in ln.domestic_vendors:
                bids.setdefault(vid, []).append(ln)
        offers = []
        for vid in sorted(bids):
            v = catalog.vendors.get(vid)
            if v is None:
                continue
            offers.append(
                SupplierOffer(
                    vendor_id=vid,
                    name=v.name,
                    name_ko=v.name_ko,
                    hq=v.hq,
                    source=v.source,
                    products=tuple((p.family, p.ratings) for p in catalog.vendor_products(vid, family)),
                    lines=tuple(ln.line_id for ln in bids[vid]),
                    value_krw=sum(ln.extended_cost_krw for ln in bids[vid]),
                )
            )
        fallback: list[str] = []
        for ln in group:
            fallback += [m for m in ln.import_fallback if m not in fallback]
        notes = sorted({catalog.entries[ln.catalog_id].notes for ln in group if catalog.entries[ln.catalog_id].notes})
        out.append(
            SupplierCategory(
                family=family,
                category=catalog.family_name(family),
                lines=tuple(ln.line_id for ln in group),
                value_krw=sum(ln.extended_cost_krw for ln in group),
                offers=tuple(offers),
                import_fallback=tuple(fallback),
                notes=tuple(notes),
            )
        )
    return tuple(out)
