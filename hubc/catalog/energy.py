"""The energy tables of the catalog (`data/energy.toml`): BESS containers, renewable plants, HV
conductors, annualisation and the synthetic-weather shapes. Every row carries a source, a date and
a tag.

Prices are not here: each BESS container, its PCS, each renewable plant and each line is priced
by its equipment entry (`data/equipment-plant.toml`), the one the BOM prices it by. A container's
entry has the container's id; its PCS is the entry named in `pcs` ("" when the inverter is part
of the container); a renewable kind names its entry in `catalog_id`; a line of voltage class V
and construction C is entry `line-<V>kv-<C>` (`line_entry_id`). The sizes the energy stage buys
in (PCS skid, wind turbine) are those entries' reference ratings.

User files (`[catalog] files`, merged by `hubc.catalog.loader`) may add or override
`[[bess_container]]` (by id), `[renewable_cost.<kind>]` and `[[line_cost]]` (by voltage_kv). An
override gives only the keys it changes and must give its own `source`, `date` and `tag` (HUB422).
The cost keys of those tables are a shorthand for the equipment entries: `cost_usd_per_kwh` and
`pcs_cost_usd_per_kw` of a container, `capex_krw_per_mw` of a renewable kind,
`overhead_krw_per_km` / `underground_krw_per_km` of a line class set the price of the entry that
prices that good (`stage_energy_tables`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import attrs

from hubc.catalog import units
from hubc.spec.model import f, opt

if TYPE_CHECKING:
    from hubc.catalog.equipment import CatalogEntry, EquipmentCatalog
    from hubc.diagnostics import Diagnostic, KeyPath

Tag = Literal["V", "S", "D", "U", "estimate"]
RenewableKind = Literal["solar", "onshore-wind", "offshore-wind", "ppa"]

# Top-level tables of a catalog file that this module reads (user files may carry them).
USER_TABLES = ("bess_container", "renewable_cost", "line_cost")
# Tables of the shipped data/energy.toml read through `data()` only (not extensible).
SHIPPED_ONLY_TABLES = ("conductor", "voltage_class", "annualisation", "weather", "pue_dry_bulb", "line_cost_submarine", "line_route")

# The entry whose lead time prices a container added by a user file without an [[equipment]]
# entry of its own (a generic 20-ft LFP container).
GENERIC_CONTAINER_ENTRY = "bess-container-lfp"
DEFAULT_PCS_ENTRY = "bess-pcs"


@attrs.frozen(kw_only=True)
class BessContainer:
    id: str = f("Container id, referenced by [bess] container; also the id of its equipment entry", id=True)
    name: str = f("Product name")
    vendor: str = f("Maker")
    domestic: bool = f("Made in Korea")
    energy_mwh: float = f("Nameplate energy per container (MWh)", gt=0, le=100)
    c_rate: float = f("Power per container as a fraction of its energy per hour", gt=0, le=4)
    round_trip_efficiency: float = f("AC round-trip efficiency incl. auxiliaries", gt=0, le=1)
    depth_of_discharge: float = f("Usable depth of discharge", gt=0, le=1)
    eol_state_of_health: float = f("End-of-life state of health (share of nameplate)", gt=0, le=1)
    lifetime_years: int = f("Economic life (years)", gt=0, le=60)
    pcs: str = f('Equipment entry of its power conversion skid ("" when built into the container)', DEFAULT_PCS_ENTRY)
    source: str = f("Public source of the figures")
    date: str = f("Date of the figures")
    tag: Tag = f("V, S, D, U or estimate")

    @property
    def power_mw(self) -> float:
        return self.energy_mwh * self.c_rate


@attrs.frozen(kw_only=True)
class BessContainerRow(BessContainer):
    """A `[[bess_container]]` table as written: the container plus the price shorthands."""

    # Price bounds ~60-150x the dearest shipped figures (and in equipment.CatalogEntry): beyond
    # them a figure is a typo, and the energy LP (GLOP) treats coefficients near 1e30 as infinite.
    cost_usd_per_kwh: float | None = f("Shorthand: price of the DC container (USD per kWh)", None, ge=0, le=1e4)
    pcs_cost_usd_per_kw: float | None = f(
        "Shorthand: price of its PCS skid (USD per kW; 0 = built in)", None, ge=0, le=1e4
    )


@attrs.frozen(kw_only=True)
class Conductor:
    voltage_kv: float
    construction: str
    name: str
    ampacity_a: float
    r_ohm_per_km: float
    source: str
    tag: str


@attrs.frozen(kw_only=True)
class LineCost:
    """A `[[line_cost]]` table: shorthand for the prices of `line-<kV>kv-overhead/underground`."""

    voltage_kv: float = f("Voltage class (kV), one of the conductor table's", gt=0, le=800)
    overhead_krw_per_km: float | None = f("Overhead line cost per route-km (KRW)", None, ge=0, le=1e12)
    underground_krw_per_km: float | None = f("Underground cable cost per route-km (KRW)", None, ge=0, le=1e12)
    source: str = f("Public source of the figures")
    date: str = f("Date of the figures")
    tag: Tag = f("V, S, D, U or estimate")


@attrs.frozen(kw_only=True)
class RenewableCost:
    catalog_id: str = f('Equipment entry that prices the plant ("" for a PPA, which buys energy only)', "")
    om_share_per_year: float = f("Fixed O&M per year as a share of capex", ge=0, le=1)
    lifetime_years: int = f("Economic life (years)", gt=0, le=60)
    price_krw_per_mwh: float = f("Energy price per MWh (PPA)", 0.0, ge=0, le=1e7)
    turbine_mw: float | None = opt("Turbine rating (MW), wind only; default the entry's reference rating", gt=0, le=50)
    source: str = f("Public source of the figures")
    date: str = f("Date of the figures")
    tag: Tag = f("V, S, D, U or estimate")


@attrs.frozen(kw_only=True)
class RenewableCostRow(RenewableCost):
    """A `[renewable_cost.<kind>]` table as written: the parameters plus the price shorthand."""

    capex_krw_per_mw: float | None = f("Shorthand: capital cost per MW of nameplate (KRW)", None, ge=0, le=1e11)


# ----------------------------------------------------------------------------- shipped technical data


@functools.cache
def data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "energy.toml").read_text("utf-8"))


_ID_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


def conductors(voltage_kv: float, construction: str) -> tuple[Conductor, ...]:
    """Options for a voltage class, smallest ampacity first (submarine uses the cable table)."""
    kind = "underground" if construction == "submarine" else construction
    rows = [c for c in data()["conductor"] if c["voltage_kv"] == voltage_kv and c["construction"] == kind]
    return tuple(
        sorted(
            (
                Conductor(
                    voltage_kv=c["voltage_kv"],
                    construction=c["construction"],
                    name=c["name"],
                    ampacity_a=float(c["ampacity_a"]),
                    r_ohm_per_km=float(c["r_ohm_per_km"]),
                    source=c["source"],
                    tag=c["tag"],
                )
                for c in rows
            ),
            key=lambda c: c.ampacity_a,
        )
    )


def voltage_classes() -> tuple[float, ...]:
    return tuple(sorted({float(c["voltage_kv"]) for c in data()["conductor"]}))


def voltage_class_ranges() -> tuple[dict, ...]:
    """Each conductor class with the range of system voltages it serves (low_kv < V <= high_kv)."""
    return tuple(data()["voltage_class"])


def line_entry_id(voltage_class_kv: float, construction: str) -> str:
    """The equipment entry that prices a line of this conductor-table class and construction."""
    return f"line-{voltage_class_kv:g}kv-{construction}"


def circuits_per_route() -> int:
    """Circuits one right-of-way carries (double-circuit towers, one trench): the route the line
    prices are quoted per."""
    return int(data()["line_route"]["circuits_per_route"])


def submarine_factor() -> float:
    return float(data()["line_cost_submarine"]["factor_over_underground"])


def annualisation() -> dict:
    return dict(data()["annualisation"])


def weather(kind: str) -> dict:
    return dict(data()["weather"][kind])


def pue_dry_bulb() -> dict:
    return dict(data()["pue_dry_bulb"])


def crf(rate: float, years: int) -> float:
    """Capital recovery factor: the annual payment that repays 1 over `years` at `rate`."""
    if rate == 0:
        return 1.0 / years
    g = (1 + rate) ** years
    return rate * g / (g - 1)


# ----------------------------------------------------------------------------- the merged tables


@attrs.frozen(kw_only=True)
class EnergyCatalog:
    """The energy tables after the shipped data and the spec's user files are merged, with the
    equipment entries (`prices`) that price every energy good."""

    version: str
    containers: dict[str, BessContainer] = attrs.field(eq=False)
    renewables: dict[str, RenewableCost] = attrs.field(eq=False)
    prices: EquipmentCatalog = attrs.field(eq=False)
    user_files: tuple[str, ...] = ()
    # the grid profiles merged with the user files' (the interconnect's supply bands)
    grids: dict = attrs.field(eq=False, factory=dict)

    def bess_containers(self) -> dict[str, BessContainer]:
        return dict(self.containers)

    def renewable_cost(self, kind: str) -> RenewableCost:
        return self.renewables[kind]

    def pcs_unit_mw(self, container: BessContainer) -> float:
        """The PCS skid the stage buys in: its entry's reference rating (0 when built in)."""
        if not container.pcs:
            return 0.0
        entry = self.prices.entries[container.pcs]
        return units.convert(entry.rating, entry.rating_unit, "MW") or 0.0

    def turbine_mw(self, kind: str) -> float:
        """Turbine class of a wind kind: the spec-file value, else its entry's reference rating."""
        cost = self.renewables[kind]
        if cost.turbine_mw is not None:
            return cost.turbine_mw
        entry = self.prices.entries[cost.catalog_id]
        return units.convert(entry.rating, entry.rating_unit, "MW") or 0.0


def load_energy_catalog(
    spec: Any, base_dir: Any = ".", source: Any = None, allowed_roots: tuple = ()
) -> tuple[EnergyCatalog, list]:
    """The energy side of `hubc.catalog.load_catalog` (the one loader)."""
    from hubc.catalog import load_catalog

    catalog, diags = load_catalog(spec, base_dir, source, allowed_roots)
    return catalog.energy, diags


def shipped() -> EnergyCatalog:
    from hubc.catalog import shipped_catalog

    return shipped_catalog().energy


# ----------------------------------------------------------------------------- user tables


@attrs.define
class EnergyStaged:
    """One file's energy tables, checked and ready to merge (nothing is applied on an error)."""

    containers: dict[str, tuple[BessContainer, dict]] = attrs.field(factory=dict)
    renewables: dict[str, tuple[RenewableCost, dict]] = attrs.field(factory=dict)
    # Equipment entries the price shorthands set: id -> raw table (structured by the loader).
    entries: dict[str, tuple[KeyPath, dict]] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Known:
    """What the file's energy tables are checked against: everything merged so far plus the
    file's own equipment entries."""

    entries: Mapping[str, CatalogEntry]
    raw_entries: Mapping[str, dict]
    raw_containers: Mapping[str, dict]
    raw_renewables: Mapping[str, dict]


def stage_energy_tables(src, data: dict, known: Known, *, shipped: bool) -> tuple[EnergyStaged, list[Diagnostic]]:
    """Check one file's energy tables against `known`; the staged rows and entries, and the problems."""
    staged = EnergyStaged()
    out: list[Diagnostic] = []
    out += _stage_containers(src, _array(src, data, "bess_container", out), known, staged, shipped)
    out += _stage_renewables(src, data.get("renewable_cost", {}), known, staged, shipped)
    out += _stage_line_costs(src, _array(src, data, "line_cost", out), known, staged)
    return staged, out


def _array(src, data: dict, key: str, out: list) -> list:
    from hubc.codes import diag

    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        out.append(
            diag("HUB005", f"`{key}` must be an array of tables: write each as [[{key}]]", src.at_value((key,)), (key,))
        )
        return []
    return items


def _needs_provenance(src, path: KeyPath, item: dict, what: str) -> list[Diagnostic]:
    from hubc.codes import diag

    missing = [k for k in ("source", "date", "tag") if k not in item]
    if not missing:
        return []
    return [
        diag(
            "HUB422",
            f"the override of {what} changes shipped figures but gives no " + ", ".join(f"`{k}`" for k in missing),
            src.at_key(path),
            path,
            help="say where the new figures come from: source, date and tag (V, S, D, U or estimate)",
        )
    ]


def _bad(src, path: KeyPath, message: str, help: str, *, at_key: bool = False) -> Diagnostic:
    from hubc.codes import diag

    return diag("HUB422", message, src.at_key(path) if at_key else src.at_value(path), path, help=help)


def _stage_containers(src, items: list, known: Known, staged: EnergyStaged, shipped: bool) -> list[Diagnostic]:
    from hubc.catalog.equipment import _structure

    out: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        path = ("bess_container", i)
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                out.append(_duplicate(src, "bess_container", "id", i, seen[ident], ident))
                continue
            seen[ident] = i
        override = isinstance(ident, str) and ident in known.raw_containers
        if override and not shipped:
            out += _needs_provenance(src, path, item, f'BESS container "{ident}"')
        merged = {**known.raw_containers[ident], **item} if override else item
        row, errs = _structure(src, merged, BessContainerRow, path)
        out += errs
        if row is None:
            continue
        if not _ID_RE.fullmatch(row.id):  # fullmatch: `$` also matches before a final newline
            out.append(
                _bad(
                    src,
                    path + ("id",),
                    f'BESS container id "{row.id}" must be lower-case letters, digits, "-" and "."',
                    "e.g. `acme-bess-5mwh`",
                )
            )
            continue
        out += _container_prices(src, path, row, known, staged)
        technical = {k: v for k, v in merged.items() if k not in ("cost_usd_per_kwh", "pcs_cost_usd_per_kw")}
        pcs = staged_pcs(row)
        technical["pcs"] = pcs
        container = BessContainer(**{a.name: getattr(row, a.name) for a in attrs.fields(BessContainer)} | {"pcs": pcs})
        staged.containers[row.id] = (container, technical)
    return out


def staged_pcs(row: BessContainerRow) -> str:
    """The PCS entry a container row ends up with (the shorthand makes one of its own)."""
    if row.pcs_cost_usd_per_kw is None:
        return row.pcs
    return "" if row.pcs_cost_usd_per_kw == 0 else f"{row.id}-pcs"


def _entry(known: Known, staged: EnergyStaged, ident: str) -> dict | None:
    """The raw table of an entry as it stands after this file's shorthands so far."""
    if ident in staged.entries:
        return staged.entries[ident][1]
    return known.raw_entries.get(ident)


def _container_prices(src, path: KeyPath, row: BessContainerRow, known: Known, staged: EnergyStaged) -> list:
    """The container's price is entry `row.id`; its PCS, entry `row.pcs` (or one the shorthand makes)."""
    cited = {"cost_source": row.source, "cost_date": row.date, "cost_tag": row.tag}
    if row.cost_usd_per_kwh is not None:
        base = _entry(known, staged, row.id) or _new_container_entry(row, known)
        staged.entries[row.id] = (
            path,
            base
            | cited
            | {"cost_usd": row.cost_usd_per_kwh * row.energy_mwh * 1000, "cost_krw": None, "scale_exponent": 0.0},
        )
    elif _entry(known, staged, row.id) is None:
        return [
            _bad(
                src,
                path,
                f'BESS container "{row.id}" has no price',
                f"give `cost_usd_per_kwh`, or an [[equipment]] entry with id {row.id} and family bess-container",
                at_key=True,
            )
        ]
    if row.pcs_cost_usd_per_kw:
        base = _entry(known, staged, row.pcs or DEFAULT_PCS_ENTRY) or {}
        rating_kw = units.convert(base.get("rating", 0), base.get("rating_unit", "kW"), "kW") or 0.0
        staged.entries[f"{row.id}-pcs"] = (
            path,
            base
            | cited
            | {
                "id": f"{row.id}-pcs",
                "cost_usd": row.pcs_cost_usd_per_kw * rating_kw,
                "cost_krw": None,
                "scale_exponent": 1.0,
            },
        )
    pcs = staged_pcs(row)
    if pcs and _family(known, staged, pcs) != "bess-pcs":
        return [
            _bad(
                src,
                path + ("pcs",),
                f'BESS container "{row.id}": "{pcs}" is not an equipment entry of family bess-pcs',
                'name a bess-pcs entry, or "" when the container has its inverter built in',
            )
        ]
    return []


def _family(known: Known, staged: EnergyStaged, ident: str) -> str | None:
    raw = _entry(known, staged, ident)
    return raw.get("family") if raw is not None else None


def _new_container_entry(row: BessContainerRow, known: Known) -> dict:
    """An equipment entry for a container a user file adds with its price shorthand only."""
    generic = known.entries[GENERIC_CONTAINER_ENTRY]
    return {
        "id": row.id,
        "family": "bess-container",
        "description": f"{row.name} battery container",
        "rating": row.energy_mwh,
        "rating_unit": "MWh",
        "rating_min": row.energy_mwh,
        "rating_max": row.energy_mwh,
        "unit": "ea",
        "lead_weeks": generic.lead_weeks,
        "lead_source": f"as {generic.id}: {generic.lead_source}",
        "lead_tag": generic.lead_tag,
        "domestic_vendors": [],
        "import_fallback": [] if row.domestic else [row.vendor],
        "origin": "domestic" if row.domestic else "import",
        "notes": "added by a [[bess_container]] table; an [[equipment]] entry of this id names its vendors",
    }


def _stage_renewables(src, ren: Any, known: Known, staged: EnergyStaged, shipped: bool) -> list[Diagnostic]:
    from hubc.catalog.equipment import _structure
    from hubc.codes import diag

    if not isinstance(ren, dict) or not all(isinstance(v, dict) for v in ren.values()):
        return [
            diag(
                "HUB005",
                "`renewable_cost` must be tables by kind: write each as [renewable_cost.<kind>]",
                src.at_value(("renewable_cost",)),
                ("renewable_cost",),
            )
        ]
    out: list[Diagnostic] = []
    kinds = tuple(RenewableKind.__args__)
    for kind, item in ren.items():
        path = ("renewable_cost", kind)
        if kind not in kinds:
            out.append(
                _bad(
                    src,
                    path,
                    f'unknown renewable kind "{kind}" in [renewable_cost.{kind}]',
                    "kinds: " + ", ".join(kinds),
                    at_key=True,
                )
            )
            continue
        override = kind in known.raw_renewables
        if override and not shipped:
            out += _needs_provenance(src, path, item, f"the {kind} cost")
        merged = {**known.raw_renewables[kind], **item} if override else item
        row, errs = _structure(src, merged, RenewableCostRow, path)
        out += errs
        if row is None:
            continue
        out += _renewable_price(src, path, kind, row, known, staged)
        technical = {k: v for k, v in merged.items() if k != "capex_krw_per_mw"}
        staged.renewables[kind] = (
            RenewableCost(**{a.name: getattr(row, a.name) for a in attrs.fields(RenewableCost)}),
            technical,
        )
    return out


def _renewable_price(src, path: KeyPath, kind: str, row: RenewableCostRow, known: Known, staged: EnergyStaged) -> list:
    """`capex_krw_per_mw` sets the price of the kind's entry (per MW of the plant it prices)."""
    if not row.catalog_id:
        if row.capex_krw_per_mw:
            return [
                _bad(
                    src,
                    path + ("capex_krw_per_mw",),
                    f"a {kind} buys energy, not plant: it has no capex",
                    "give price_krw_per_mwh",
                )
            ]
        return []
    base = _entry(known, staged, row.catalog_id)
    if base is None:
        return [
            _bad(
                src,
                path + ("catalog_id",),
                f'no equipment entry "{row.catalog_id}" prices the {kind} plant',
                "name an entry of family solar-pv or wind-turbine",
            )
        ]
    if row.capex_krw_per_mw is None:
        return []
    # MW of plant one unit of the entry is: its rating for a per-item entry, one quantity unit else.
    per_unit = base["rating"] if units.dimension(base.get("unit", "ea")) == "count" else 1.0
    unit = base["rating_unit"] if units.dimension(base.get("unit", "ea")) == "count" else base["unit"]
    mw = units.convert(per_unit, unit, "MW") or 0.0
    staged.entries[row.catalog_id] = (
        path,
        base
        | {
            "cost_krw": row.capex_krw_per_mw * mw,
            "cost_usd": None,
            "cost_source": row.source,
            "cost_date": row.date,
            "cost_tag": row.tag,
        },
    )
    return []


def _stage_line_costs(src, items: list, known: Known, staged: EnergyStaged) -> list[Diagnostic]:
    from hubc.catalog.equipment import _structure

    out: list[Diagnostic] = []
    classes = voltage_classes()
    seen: dict[float, int] = {}
    for i, item in enumerate(items):
        path = ("line_cost", i)
        kv = item.get("voltage_kv")
        if isinstance(kv, (int, float)) and not isinstance(kv, bool):
            kv = float(kv)
            if kv in seen:
                out.append(_duplicate(src, "line_cost", "voltage_kv", i, seen[kv], kv))
                continue
            seen[kv] = i
            if kv not in classes:
                out.append(
                    _bad(
                        src,
                        path + ("voltage_kv",),
                        f"no {kv:g} kV class in the conductor table: a line cost there would never be used",
                        "voltage classes: " + ", ".join(f"{c:g}" for c in classes) + " kV",
                    )
                )
                continue
            missing = _needs_provenance(src, path, item, f"the {kv:g} kV line cost")
            if missing:
                out += missing
                continue
        row, errs = _structure(src, item, LineCost, path)
        out += errs
        if row is None:
            continue
        for construction, cost in (("overhead", row.overhead_krw_per_km), ("underground", row.underground_krw_per_km)):
            ident = line_entry_id(row.voltage_kv, construction)
            base = _entry(known, staged, ident)
            if cost is None or base is None:
                continue
            cited = {"cost_source": row.source, "cost_date": row.date, "cost_tag": row.tag}
            staged.entries[ident] = (path, base | cited | {"cost_krw": cost, "cost_usd": None, "scale_exponent": 0.0})
    return out


def _duplicate(src, table: str, key: str, i: int, first: int, value):
    from hubc.codes import diag

    return diag(
        "HUB423",
        f'[[{table}]] {key} "{value:g}" is defined twice in this file'
        if isinstance(value, float)
        else f'[[{table}]] {key} "{value}" is defined twice in this file',
        src.at_value((table, i, key)),
        (table, i, key),
        related=((src.at_value((table, first, key)), "first defined here"),),
        help="merge the two entries; to override a shipped entry, define it once",
    )
