"""The equipment and vendor catalog: what each family costs, how long it takes, who makes it.

The classes of `[[equipment]]`, `[[vendor]]` and `[[family]]` tables and the checks one file's
tables get before they are merged (`stage_equipment_tables`, called by the one loader,
`hubc.catalog.loader`). A user file adds entries or overrides shipped ones by id (its keys are
merged over the shipped entry, so an override may give only the keys it changes); it may also
add or replace vendors. Every problem in a user file is a diagnostic at file:line:col in that
file, through the same loader and converter as the spec.

Pricing rule of an entry (`CatalogEntry.cost_krw_at`; the whole rule is
`hubc.catalog.pricing.price_item`): one unit (in `unit`) of equipment at rating R costs
`cost x (R / rating) ** scale_exponent`, with cost in KRW (or USD x campus.krw_per_usd).
Exponent 0 prices per unit whatever the rating; 1 prices per kW/kVA/MWh; 0.6-0.8 is the usual
economy of scale (the "six-tenths rule" of process-plant cost estimating).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

import attrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

from hubc.catalog import units
from hubc.catalog.families import FAMILIES
from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, Location
from hubc.spec.model import f, many, opt

Tag = Literal["V", "S", "D", "U", "estimate"]
Origin = Literal["domestic", "import"]

# Catalog ids may carry a version with dots (`samsung-sdi-sbb-1.5`, `line-22.9kv-overhead`).
CATALOG_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")

SHIPPED_DIR = "hubc/catalog/data"


@attrs.frozen(kw_only=True)
class VendorProduct:
    family: str = f("Product family name, as the vendor sells it")
    categories: tuple[str, ...] = many("Vendor categories this product line belongs to")
    ratings: tuple[str, ...] = many("Ratings copied from public sources")
    domestic: bool = f("False when made abroad or by a foreign subsidiary", True)


@attrs.frozen(kw_only=True)
class Vendor:
    id: str = f("Vendor id", id=True)
    domestic: bool = f("Headquartered in Korea", True)
    name: str = f("Company name")
    name_ko: str = f("Korean name", "")
    categories: tuple[str, ...] = many("Vendor categories (vendors-kr vocabulary)")
    products: tuple[VendorProduct, ...] = many("Product families and ratings")
    hq: str = f("Headquarters", "")
    ticker: str = f("Listing", "")
    source: str = f("Public source of the facts")


@attrs.frozen(kw_only=True)
class FamilyInfo:
    id: str = f("Equipment family (hubc.catalog.families.FAMILIES)")
    name: str = f("Category name in the BOM and supplier lists")
    vendor_categories: tuple[str, ...] = many("Vendor categories that make this family")


@attrs.frozen(kw_only=True)
class CatalogEntry:
    id: str = f("Catalog entry id", id=True)
    family: str = f("Equipment family")
    description: str = f("What the entry is")
    # Upper bounds ~10-400x the largest shipped figures: beyond them a figure is a typo, and
    # sums of such numbers overflow to inf (design.json cannot hold it). Negative costs and
    # ratings are HUB605, with the catalog's own message.
    rating: float = f("Reference rating the cost is quoted at", gt=0, le=1e7)
    rating_unit: str = f("Unit of the rating")
    rating_min: float | None = opt("Lowest rating the entry covers", le=1e7, checked_by="HUB605")
    rating_max: float | None = opt("Highest rating the entry covers", le=1e7, checked_by="HUB605")
    unit: str = f("Unit of quantity the cost is per (ea, m, km, MWp, MW)", "ea")
    ratings: tuple[str, ...] = many("Other ratings, for supplier lists")
    cost_krw: float | None = opt("Cost of one unit at the reference rating (KRW)", le=1e13, checked_by="HUB605")
    cost_usd: float | None = opt("Cost of one unit at the reference rating (USD)", le=1e10, checked_by="HUB605")
    scale_exponent: float = f("Cost scales as (rating / reference) ** exponent", 1.0, ge=0, le=2)
    cost_source: str = f("Where the cost comes from (or the basis of the estimate)")
    cost_date: str = f("Date of the cost figure")
    cost_tag: Tag = f("V, S, D, U or estimate")
    lead_weeks: float = f("Lead time from order to delivery (weeks)", ge=0, le=1040)
    lead_source: str = f("Where the lead time comes from")
    lead_tag: Tag = f("V, S, D, U or estimate")
    domestic_vendors: tuple[str, ...] = many("Ids of domestic vendors that make it")
    import_fallback: tuple[str, ...] = many("Foreign makers to import from")
    origin: Origin = f("Expected origin of supply: domestic or import")
    notes: str = f("Free text", "")

    def cost_krw_at(self, rating: float, krw_per_usd: float) -> float:
        """Cost of one unit at `rating` (in this entry's rating unit)."""
        base = self.cost_krw if self.cost_krw is not None else (self.cost_usd or 0.0) * krw_per_usd
        if self.scale_exponent == 0:
            return base
        return base * (rating / self.rating) ** self.scale_exponent

    def covers(self, rating: float) -> bool:
        lo = self.rating_min if self.rating_min is not None else self.rating
        hi = self.rating_max if self.rating_max is not None else self.rating
        return lo * (1 - 1e-9) <= rating <= hi * (1 + 1e-9)


@attrs.frozen(kw_only=True)
class CatalogFile:
    """One catalog TOML file (shipped or user): any of the three tables may appear."""

    schema: str = f("Vendor file schema tag", "")
    version: str = f("Version of this catalog file", "")
    family: tuple[FamilyInfo, ...] = many("Family metadata")
    equipment: tuple[CatalogEntry, ...] = many("Equipment entries")
    vendor: tuple[Vendor, ...] = many("Vendors")


@attrs.frozen(kw_only=True)
class EquipmentCatalog:
    version: str
    entries: dict[str, CatalogEntry] = attrs.field(eq=False)
    vendors: dict[str, Vendor] = attrs.field(eq=False)
    families: dict[str, FamilyInfo] = attrs.field(eq=False)
    # Where each entry was defined (file:line of its [[equipment]] header), for diagnostics.
    where: dict[str, Location] = attrs.field(eq=False, factory=dict)
    user_files: tuple[str, ...] = ()

    def family_entries(self, family: str) -> list[CatalogEntry]:
        return sorted((e for e in self.entries.values() if e.family == family), key=lambda e: e.id)

    def family_name(self, family: str) -> str:
        info = self.families.get(family)
        return info.name if info else family

    def vendor_products(self, vendor_id: str, family: str) -> list[VendorProduct]:
        """The vendor's domestic products in the categories that make `family`."""
        v = self.vendors.get(vendor_id)
        info = self.families.get(family)
        if v is None or info is None:
            return []
        cats = set(info.vendor_categories)
        return [p for p in v.products if p.domestic and cats.intersection(p.categories)]


# ----------------------------------------------------------------------------- one file's tables


def load_equipment_catalog(
    spec: Any, base_dir: Path | str = Path("."), source: Any = None, allowed_roots: tuple[Path, ...] = ()
) -> tuple[EquipmentCatalog, list[Diagnostic]]:
    """The equipment side of `hubc.catalog.load_catalog` (the one loader)."""
    from hubc.catalog import load_catalog

    catalog, diags = load_catalog(spec, base_dir, source, allowed_roots)
    return catalog.equipment, diags


@attrs.define
class EquipmentStaged:
    """One file's equipment tables, checked and ready to merge (nothing is applied on an error)."""

    version: str = ""
    families: list[FamilyInfo] = attrs.field(factory=list)
    vendors: list[Vendor] = attrs.field(factory=list)
    # (entry, its raw table with any override merged in, where its [[equipment]] header is)
    entries: list[tuple[CatalogEntry, dict, Location]] = attrs.field(factory=list)


EQUIPMENT_TABLES = ("family", "equipment", "vendor")


def stage_equipment_tables(
    src,
    data: dict,
    *,
    raw_entries: dict[str, dict],
    vendors: dict[str, Vendor],
    families: dict[str, FamilyInfo],
    header_keys: tuple[str, ...],
    shipped: bool,
) -> tuple[EquipmentStaged, list[Diagnostic]]:
    """Check one file's header, [[family]], [[vendor]] and [[equipment]] tables against what is
    merged so far (`raw_entries`, `vendors`, `families`); every problem is a diagnostic.

    Each table is structured on its own, so one broken entry does not hide the problems of
    the others. An override names a shipped (or earlier) entry: its keys are merged over that
    entry's.
    """
    staged = EquipmentStaged()
    out: list[Diagnostic] = []
    header = {k: data[k] for k in header_keys}
    _, errs = _structure(src, header, CatalogFile, ())
    out += errs
    staged.version = str(header.get("version", ""))
    tables = {key: _array_of_tables(src, data, key, out) for key in EQUIPMENT_TABLES}
    out += _duplicates(src, tables)
    out += _stage_families(src, tables["family"], staged)
    out += _stage_vendors(src, tables["vendor"], staged)
    known_vendors = {**vendors, **{v.id: v for v in staged.vendors}}
    known_families = {**families, **{fam.id: fam for fam in staged.families}}
    for i, item in enumerate(tables["equipment"]):
        ident = item.get("id")
        if not shipped and isinstance(ident, str) and ident in raw_entries:
            item = {**raw_entries[ident], **item}
        out += _stage_entry(src, ("equipment", i), item, staged, known_vendors, known_families)
    return staged, out


def _array_of_tables(src, data: dict, key: str, out: list[Diagnostic]) -> list[dict]:
    items = data.get(key, [])
    if isinstance(items, list) and all(isinstance(x, dict) for x in items):
        return items
    out.append(
        diag("HUB005", f"`{key}` must be an array of tables: write each as [[{key}]]", src.at_value((key,)), (key,))
    )
    return []


def _stage_families(src, items: list[dict], staged: EquipmentStaged) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, item in enumerate(items):
        fam, errs = _structure(src, item, FamilyInfo, ("family", i))
        out += errs
        if fam is not None:
            if fam.id not in FAMILIES:
                out.append(_unknown_family(src, ("family", i, "id"), fam.id))
            staged.families.append(fam)
    return out


def _stage_vendors(src, items: list[dict], staged: EquipmentStaged) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, item in enumerate(items):
        vendor, errs = _structure(src, item, Vendor, ("vendor", i))
        out += errs
        if vendor is not None:
            staged.vendors.append(vendor)
    return out


def _stage_entry(src, path: KeyPath, item: dict, staged: EquipmentStaged, vendors, families) -> list[Diagnostic]:
    entry, out = _structure(src, item, CatalogEntry, path)
    if entry is not None:
        out += _check_entry(src, path, entry)
        out += _check_vendors(src, path, entry, vendors, families)
        staged.entries.append((entry, item, src.at_key(path)))
    elif isinstance(item.get("family"), str) and item["family"] not in FAMILIES:
        out.append(_unknown_family(src, path + ("family",), item["family"]))
    return out


def _structure(src, data: dict, cls: type, path: KeyPath) -> tuple[Any, list[Diagnostic]]:
    """`data` as `cls` through the spec's converter; errors located under `path`."""
    from hubc.spec.convert import _errors, _range_problems, _to_diagnostic, converter, unknown_key_diagnostics

    try:
        obj = converter().structure(data, cls)
    except ClassValidationError as exc:
        problems: list[tuple[KeyPath, BaseException]] = []
        _errors(exc, path, problems)
        out: list[Diagnostic] = []
        missing: list[str] = []
        for p, err in problems:
            if isinstance(err, ForbiddenExtraKeysError):
                out.extend(unknown_key_diagnostics(src, p, err))
            elif isinstance(err, KeyError):
                missing.append(str(p[-1]))
            else:
                out.append(_to_diagnostic(src, p, err))
        if missing:
            # One finding per table, not one per forgotten key.
            keys = ", ".join(f"`{k}`" for k in sorted(missing))
            table = str(path[0]) if path else "catalog"
            out.append(
                diag(
                    "HUB004",
                    f"missing required key{'s' if len(missing) > 1 else ''} {keys} in [[{table}]]",
                    src.at_key(path),
                    path,
                    help="a new entry needs every required key; an override of a shipped entry needs only its id",
                )
            )
        return None, out
    ranges: list[tuple[KeyPath, str]] = []
    _range_problems(obj, path, ranges)
    return obj, [diag("HUB006", f"`{p[-1]}` {m}", src.at_value(p), p) for p, m in ranges]


def _duplicates(src, tables: dict[str, list]) -> list[Diagnostic]:
    """Duplicate ids within one file (a later file overriding an earlier one is the point)."""
    out = []
    for table, items in tables.items():
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                out.append(
                    diag(
                        "HUB609",
                        f'{table} id "{ident}" is defined twice in this file',
                        src.at_value((table, i, "id")),
                        (table, i, "id"),
                        related=((src.at_value((table, seen[ident], "id")), "first defined here"),),
                        help="merge the two entries; to override a shipped entry, define it once",
                    )
                )
            else:
                seen[ident] = i
    return out


def _unknown_family(src, path: KeyPath, family: str) -> Diagnostic:
    close = difflib.get_close_matches(family, FAMILIES, n=1, cutoff=0.5)
    return diag(
        "HUB603",
        f'unknown equipment family "{family}"',
        src.at_value(path),
        path,
        help=f'did you mean "{close[0]}"?' if close else "families: " + ", ".join(FAMILIES),
    )


def _check_entry(src, path: KeyPath, e: CatalogEntry) -> list[Diagnostic]:
    """Checks one entry can make on its own (vendor checks need the merged vendor table)."""
    out = _check_names(src, path, e) + _check_price(src, path, e)
    if e.origin == "domestic" and not e.domestic_vendors:
        out.append(
            diag(
                "HUB608",
                f'catalog entry "{e.id}" has origin "domestic" but names no domestic vendor',
                src.at_value(path + ("origin",)),
                path + ("origin",),
                help='list the vendors in `domestic_vendors`, or set origin = "import"',
            )
        )
    return out


def _check_names(src, path: KeyPath, e: CatalogEntry) -> list[Diagnostic]:
    """The id is well formed; the family and both units are known."""
    out: list[Diagnostic] = []
    if not CATALOG_ID.fullmatch(e.id):  # fullmatch: `$` also matches before a final newline
        out.append(
            diag(
                "HUB610",
                f'catalog id "{e.id}" must be lower-case letters, digits, "-" and "."',
                src.at_value(path + ("id",)),
                path + ("id",),
                help="e.g. `ups-module-1500kw`",
            )
        )
    if e.family not in FAMILIES:
        out.append(_unknown_family(src, path + ("family",), e.family))
    for key in ("rating_unit", "unit"):
        u = getattr(e, key)
        if units.dimension(u) is None:
            close = difflib.get_close_matches(u, list(units.UNITS), n=1, cutoff=0.5)
            out.append(
                diag(
                    "HUB610",
                    f'unknown unit "{u}" in `{key}`',
                    src.at_value(path + (key,)),
                    path + (key,),
                    help=f'did you mean "{close[0]}"?' if close else "units: " + ", ".join(units.UNITS),
                )
            )
    return out


def _check_price(src, path: KeyPath, e: CatalogEntry) -> list[Diagnostic]:
    """One price, no negative magnitudes, and a range that holds the reference rating."""
    out: list[Diagnostic] = []
    if (e.cost_krw is None) == (e.cost_usd is None):
        which = "neither" if e.cost_krw is None else "both"
        out.append(
            diag(
                "HUB605",
                f'catalog entry "{e.id}" gives {which} `cost_krw` and `cost_usd`',
                src.at_key(path),
                path,
                help="give exactly one price, in KRW or in USD (converted by campus.krw_per_usd)",
            )
        )
    for key in ("cost_krw", "cost_usd", "rating_min", "rating_max"):
        value = getattr(e, key)
        if value is not None and value < 0:
            out.append(
                diag(
                    "HUB605",
                    f"`{key}` must not be negative, found {value:g}",
                    src.at_value(path + (key,)),
                    path + (key,),
                    help="costs and ratings are magnitudes",
                )
            )
    lo, hi = e.rating_min, e.rating_max
    if (lo is not None and lo > e.rating) or (hi is not None and hi < e.rating):
        bad = "rating_min" if lo is not None and lo > e.rating else "rating_max"
        out.append(
            diag(
                "HUB606",
                f"reference rating {e.rating:g} {e.rating_unit} lies outside "
                f"[{lo if lo is not None else e.rating:g}, {hi if hi is not None else e.rating:g}]",
                src.at_value(path + (bad,)),
                path + (bad,),
                help="the range an entry covers must contain the rating its cost is quoted at",
            )
        )
    return out


def _check_vendors(
    src, path: KeyPath, e: CatalogEntry, vendors: dict[str, Vendor], families: dict[str, FamilyInfo]
) -> list[Diagnostic]:
    """The entry's domestic vendors exist, are domestic, and make something in its family."""
    out: list[Diagnostic] = []
    for j, vid in enumerate(e.domestic_vendors):
        vpath = path + ("domestic_vendors", j)
        v = vendors.get(vid)
        if v is None:
            close = difflib.get_close_matches(vid, list(vendors), n=1, cutoff=0.6)
            out.append(
                diag(
                    "HUB604",
                    f'unknown vendor id "{vid}" in catalog entry "{e.id}"',
                    src.at_value(vpath),
                    vpath,
                    help=f'did you mean "{close[0]}"?'
                    if close
                    else "add the vendor as a [[vendor]] table (in this file or an earlier one)",
                )
            )
            continue
        if not v.domestic:
            out.append(
                diag(
                    "HUB608",
                    f'vendor "{vid}" is not domestic but is listed in `domestic_vendors` of "{e.id}"',
                    src.at_value(vpath),
                    vpath,
                    help="foreign makers and foreign subsidiaries go in `import_fallback`",
                )
            )
            continue
        info = families.get(e.family)
        cats = set(info.vendor_categories) if info else set()
        if not any(p.domestic and cats.intersection(p.categories) for p in v.products):
            out.append(
                diag(
                    "HUB607",
                    f'vendor "{vid}" lists no domestic product in {sorted(cats) or "any category"} '
                    f'for family "{e.family}" of "{e.id}"',
                    src.at_value(vpath),
                    vpath,
                    help="check the vendor id, or add the product line to the vendor with its categories",
                )
            )
    return out
