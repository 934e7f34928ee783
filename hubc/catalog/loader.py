"""The one catalog loader: every catalog file read once, parsed once, merged in one pass.

In: the shipped package data (`data/vendors-kr.toml`, `data/equipment-families.toml`,
`data/equipment-*.toml`, `data/energy.toml`, in that order; merged once per process; and
`data/capex.toml`, the capex beyond the equipment, parsed once into `Catalog.capex`) and the
spec's `[catalog] files` (paths relative to the spec file), each read by `read_catalog_file`
through `hubc.spec.files` (inside the spec's folder tree or an --allow-read folder, a regular file,
at most the catalog size limit). Out: one `Catalog` (the
equipment entries, vendors and families; the energy tables, priced by those entries) and
every problem in a user file as a diagnostic at its file:line:col.

Each file is checked whole against everything merged before it (vendors, families, entries,
containers, renewable kinds), and merged only when it has no error: a half-applied quote file
would price some lines from it and some from the shipped catalog without saying which. After
the last file, submarine line entries are derived from the underground ones (see
`_derive_submarine_entries`).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hubc.catalog import capex, energy, equipment, grids
from hubc.catalog.families import FAMILIES
from hubc.diagnostics import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from hubc.catalog import Catalog

SHIPPED_DIR = equipment.SHIPPED_DIR
# Installation, building, land, soft costs, grid connection, milestones (`hubc.catalog.capex`).
CAPEX_FILE = "capex.toml"


def read_catalog_file(
    base_dir: Path | str,
    rel: str,
    allowed_roots: tuple[Path, ...] = (),
    where: Location | None = None,
    path: tuple = (),
) -> bytes | Diagnostic:
    """The bytes of one `[catalog] files` entry (relative to the spec's folder), or the
    diagnostic that refuses it: outside the spec's tree and `allowed_roots` (HUB013), not a
    regular file (HUB014), too large (HUB012), missing or unreadable (HUB601)."""
    from hubc.spec.files import read_referenced_file
    from hubc.spec.limits import limits

    return read_referenced_file(
        base_dir, rel, allowed_roots, limits().catalog_file_max_bytes, where or Location(file="spec"), path,
        unreadable="HUB601", what="catalog file",
    )


def _user_label(source: Any, base_dir: Path | str, rel: str) -> str:
    """A user catalog file's name in diagnostics: beside the spec's own name, so it follows the
    spec's label (see hubc.labels)."""
    from hubc.labels import referenced_label

    if source is None:
        return rel if Path(rel).is_absolute() else str(Path(base_dir) / rel)
    return referenced_label(source.name, rel)


def shipped_file_names() -> list[str]:
    """Vendors, then families, then entries, then the energy tables: each file's checks see
    everything defined before it."""
    folder = resources.files("hubc.catalog") / "data"
    first = ["vendors-kr.toml", "equipment-families.toml"]
    entries = sorted(
        e.name
        for e in folder.iterdir()
        if e.name.startswith("equipment-") and e.name.endswith(".toml") and e.name not in first
    )
    return first + entries + ["energy.toml", "grid-profiles.toml"]


@attrs.define
class _State:
    version: str = ""
    entries: dict[str, equipment.CatalogEntry] = attrs.field(factory=dict)
    raw_entries: dict[str, dict] = attrs.field(factory=dict)
    where: dict[str, Location] = attrs.field(factory=dict)
    vendors: dict[str, equipment.Vendor] = attrs.field(factory=dict)
    families: dict[str, equipment.FamilyInfo] = attrs.field(factory=dict)
    containers: dict[str, energy.BessContainer] = attrs.field(factory=dict)
    raw_containers: dict[str, dict] = attrs.field(factory=dict)
    renewables: dict[str, energy.RenewableCost] = attrs.field(factory=dict)
    raw_renewables: dict[str, dict] = attrs.field(factory=dict)
    derived: set[str] = attrs.field(factory=set)  # entries derived from others, recomputed at the end
    grid_profiles: dict[str, grids.GridProfile] = attrs.field(factory=dict)
    user_files: list[str] = attrs.field(factory=list)
    capex: Any = None  # `capex.CapexCatalog` of data/capex.toml (shipped only)


def load(
    spec: Any, base_dir: Path | str = Path("."), source: Any = None, allowed_roots: tuple[Path, ...] = ()
) -> tuple[Catalog, list[Diagnostic]]:
    """The shipped catalog with the spec's `[catalog] files` merged over it (spec None: shipped only).

    A file that cannot be read, or may not be (`read_catalog_file`), is reported at its entry in
    the spec's `catalog.files` (located through `source`, the spec's `SourceFile`, when given).
    """
    state = _shipped_state()
    diags: list[Diagnostic] = []
    files = spec.catalog.files if spec is not None else ()
    for i, rel in enumerate(files):
        where = source.at_value(("catalog", "files", i)) if source is not None else Location(file="spec")
        raw = read_catalog_file(base_dir, rel, allowed_roots, where, ("catalog", "files", i))
        if isinstance(raw, Diagnostic):
            diags.append(raw)
            continue
        state.user_files.append(rel)
        diags += _merge_file(state, _user_label(source, base_dir, rel), raw, shipped=False)
    _derive_submarine_entries(state)
    return _catalog(state), diags


@functools.cache
def _shipped() -> _State:
    state = _State()
    folder = resources.files("hubc.catalog") / "data"
    for name in shipped_file_names():
        diags = _merge_file(state, f"{SHIPPED_DIR}/{name}", (folder / name).read_bytes(), shipped=True)
        if diags:  # a bug in the package data, not a user mistake
            raise RuntimeError(f"shipped catalog file {name}: " + "; ".join(d.message for d in diags))
    _derive_submarine_entries(state)
    state.capex = capex.parse(tomllib.loads((folder / CAPEX_FILE).read_text("utf-8")))
    return state


def _shipped_state() -> _State:
    """A fresh copy of the merged shipped files (parsed once per process; entries are frozen and
    raw tables are replaced, never changed in place, so copying the tables is enough)."""
    s = _shipped()
    return _State(
        version=s.version,
        entries=dict(s.entries),
        raw_entries=dict(s.raw_entries),
        where=dict(s.where),
        vendors=dict(s.vendors),
        families=dict(s.families),
        containers=dict(s.containers),
        raw_containers=dict(s.raw_containers),
        renewables=dict(s.renewables),
        raw_renewables=dict(s.raw_renewables),
        derived=set(s.derived),
        capex=s.capex,
        grid_profiles=dict(s.grid_profiles),
    )


def _merge_file(state: _State, name: str, raw: bytes, *, shipped: bool) -> list[Diagnostic]:
    """Parse one catalog file, check every table in it, and merge it when it has no error."""
    from hubc.spec.limits import limits
    from hubc.spec.source import load_text

    doc, diags = load_text(name, raw, max_bytes=limits().catalog_file_max_bytes)
    if doc is None:
        return diags
    src, data = doc.source, doc.data
    skipped = (
        equipment.EQUIPMENT_TABLES + energy.USER_TABLES + ("grid_profile",)
        + (energy.SHIPPED_ONLY_TABLES if shipped else ())
    )
    eq, out = equipment.stage_equipment_tables(
        src,
        data,
        raw_entries=state.raw_entries,
        vendors=state.vendors,
        families=state.families,
        header_keys=tuple(k for k in data if k not in skipped),
        shipped=shipped,
    )
    known = energy.Known(
        entries={**state.entries, **{e.id: e for e, _, _ in eq.entries}},
        raw_entries={**state.raw_entries, **{e.id: r for e, r, _ in eq.entries}},
        raw_containers=state.raw_containers,
        raw_renewables=state.raw_renewables,
    )
    en, errs = energy.stage_energy_tables(src, data, known, shipped=shipped)
    out += errs
    profiles, errs = grids.stage_grid_tables(src, data, state.grid_profiles)
    out += errs
    priced = [(e, r, src.at_key(p)) for e, r, p in _structure_priced(src, en, out)]
    if any(d.severity is Severity.ERROR for d in out):
        return out
    _commit(state, eq, en, priced, shipped=shipped)
    state.grid_profiles.update(profiles)
    return out


def _structure_priced(src, en: energy.EnergyStaged, out: list[Diagnostic]) -> list[tuple]:
    """The equipment entries the energy tables' price shorthands set, structured like any entry
    (a problem is located at the energy table that set it)."""
    result = []
    for path, raw in en.entries.values():
        entry, errs = equipment._structure(src, raw, equipment.CatalogEntry, path)
        out += errs
        if entry is not None:
            result.append((entry, raw, path))
    return result


def _commit(state: _State, eq: equipment.EquipmentStaged, en: energy.EnergyStaged, priced, *, shipped: bool) -> None:
    if shipped and not state.version:
        state.version = eq.version
    for fam in eq.families:
        state.families[fam.id] = fam
    for v in eq.vendors:
        state.vendors[v.id] = v
    for entry, raw, where in [*eq.entries, *priced]:
        state.entries[entry.id] = entry
        state.raw_entries[entry.id] = raw
        state.where[entry.id] = where
        if not shipped:
            state.derived.discard(entry.id)
    for ident, (container, raw) in en.containers.items():
        state.containers[ident] = container
        state.raw_containers[ident] = raw
    for kind, (cost, raw) in en.renewables.items():
        state.renewables[kind] = cost
        state.raw_renewables[kind] = raw


def _derive_submarine_entries(state: _State) -> None:
    """`line-<kV>kv-submarine` = the underground entry of the class x the catalog's submarine
    factor, for every class with an underground entry and no submarine entry of its own (a user
    file may give one, whole or as an override of the derived one)."""
    from hubc.spec.convert import converter

    factor = energy.submarine_factor()
    note = energy.data()["line_cost_submarine"]
    for kv in energy.voltage_classes():
        ident = energy.line_entry_id(kv, "submarine")
        under = state.raw_entries.get(energy.line_entry_id(kv, "underground"))
        if under is None or (ident in state.entries and ident not in state.derived):
            continue
        raw = under | {
            "id": ident,
            "description": under["description"].replace("underground", "submarine"),
            "cost_krw": under["cost_krw"] * factor if under.get("cost_krw") is not None else None,
            "cost_usd": under["cost_usd"] * factor if under.get("cost_usd") is not None else None,
            "cost_source": f"{factor:g} x {under['id']} ({under['cost_source']}); factor: {note['source']}",
            "cost_tag": "estimate",
        }
        state.entries[ident] = converter().structure(raw, equipment.CatalogEntry)
        state.raw_entries[ident] = raw
        state.derived.add(ident)


def _catalog(state: _State) -> Catalog:
    from hubc.catalog import Catalog

    version = state.version + "".join(f"+{Path(u).name}" for u in state.user_files)
    families = dict(state.families)
    for fam in FAMILIES:
        families.setdefault(fam, equipment.FamilyInfo(id=fam, name=fam))
    prices = equipment.EquipmentCatalog(
        version=version,
        entries=dict(sorted(state.entries.items())),
        vendors=dict(sorted(state.vendors.items())),
        families=families,
        where=state.where,
        user_files=tuple(state.user_files),
    )
    profiles = dict(sorted(state.grid_profiles.items()))
    tables = energy.EnergyCatalog(
        version=version,
        containers=dict(sorted(state.containers.items())),
        renewables=dict(state.renewables),
        prices=prices,
        user_files=tuple(state.user_files),
        grids=profiles,
    )
    return Catalog(equipment=prices, energy=tables, capex=state.capex, grids=profiles)
