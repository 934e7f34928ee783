"""The energy catalog (`data/energy.toml`): BESS containers, renewable costs, HV conductors,
KEPCO line costs, annualisation and synthetic-weather shapes. Every entry carries a source,
a date and a tag; costs are estimates.

User extension: the spec's `[catalog] files` (the same files procurement reads for
`[[equipment]]`) may add or override `[[bess_container]]` (by id), `[renewable_cost.<kind>]`
and `[[line_cost]]` (by voltage_kv). An override gives only the keys it changes, merged over the
shipped entry, and must give its own `source`, `date` and `tag`. `load_energy_catalog` returns an
`EnergyCatalog` and diagnostics at file:line:col in the file at fault (the spec's loader,
locator and converter); a file with any error is not merged.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import attrs

from hubc.spec.model import f, opt

Tag = Literal["V", "S", "D", "U", "estimate"]
RenewableKind = Literal["solar", "onshore-wind", "offshore-wind", "ppa"]

# Top-level tables of a user catalog file that this module reads (procurement's loader
# leaves them to it).
USER_TABLES = ("bess_container", "renewable_cost", "line_cost")


@attrs.frozen(kw_only=True)
class BessContainer:
    id: str = f("Container id, referenced by [bess] container", id=True)
    name: str = f("Product name")
    vendor: str = f("Maker")
    domestic: bool = f("Made in Korea")
    energy_mwh: float = f("Nameplate energy per container (MWh)", gt=0, le=100)
    c_rate: float = f("Power per container as a fraction of its energy per hour", gt=0, le=4)
    round_trip_efficiency: float = f("AC round-trip efficiency incl. auxiliaries", gt=0, le=1)
    depth_of_discharge: float = f("Usable depth of discharge", gt=0, le=1)
    eol_state_of_health: float = f("End-of-life state of health (share of nameplate)", gt=0, le=1)
    lifetime_years: int = f("Economic life (years)", gt=0, le=60)
    # Cost bounds ~60-150x the dearest shipped figures: beyond them a figure is a typo, and the
    # energy LP (GLOP) treats coefficients near 1e30 as infinite (design.json then holds inf).
    cost_usd_per_kwh: float = f("DC container cost (USD per kWh)", ge=0, le=1e4)
    pcs_cost_usd_per_kw: float = f("PCS and MV skid cost (USD per kW)", ge=0, le=1e4)
    source: str = f("Public source of the figures")
    date: str = f("Date of the figures")
    tag: Tag = f("V, S, D, U or estimate")

    @property
    def power_mw(self) -> float:
        return self.energy_mwh * self.c_rate


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
    voltage_kv: float = f("Voltage class (kV), one of the conductor table's", gt=0, le=800)
    overhead_krw_per_km: float = f("Overhead line cost per circuit-km (KRW)", ge=0, le=1e12)
    underground_krw_per_km: float = f("Underground cable cost per circuit-km (KRW)", ge=0, le=1e12)
    source: str = f("Public source of the figures")
    date: str = f("Date of the figures")
    tag: Tag = f("V, S, D, U or estimate")


@attrs.frozen(kw_only=True)
class RenewableCost:
    capex_krw_per_mw: float = f("Capital cost per MW of nameplate (KRW)", ge=0, le=1e11)
    om_share_per_year: float = f("Fixed O&M per year as a share of capex", ge=0, le=1)
    lifetime_years: int = f("Economic life (years)", gt=0, le=60)
    price_krw_per_mwh: float = f("Energy price per MWh (PPA)", 0.0, ge=0, le=1e7)
    turbine_mw: float | None = opt("Turbine rating (MW), wind only", gt=0, le=50)
    turbine_source: str = f("Source of the turbine rating", "")
    source: str = f("Public source of the figures")
    date: str = f("Date of the figures")
    tag: Tag = f("V, S, D, U or estimate")

    def as_dict(self) -> dict:
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}


@functools.cache
def data() -> dict:
    return tomllib.loads((resources.files("hubc.catalog") / "data" / "energy.toml").read_text("utf-8"))


_ID_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")

_BESS_FIELDS = tuple(a.name for a in attrs.fields(BessContainer))


def bess_containers() -> dict[str, BessContainer]:
    return {c["id"]: BessContainer(**{k: c[k] for k in _BESS_FIELDS}) for c in data()["bess_container"]}


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


def pcs_unit_mw() -> float:
    return float(data()["bess_pcs"]["unit_mw"])


def voltage_classes() -> tuple[float, ...]:
    return tuple(sorted({float(c["voltage_kv"]) for c in data()["conductor"]}))


def line_cost(voltage_kv: float) -> LineCost:
    for c in data()["line_cost"]:
        if c["voltage_kv"] == voltage_kv:
            return LineCost(
                voltage_kv=c["voltage_kv"],
                overhead_krw_per_km=c["overhead_krw_per_km"],
                underground_krw_per_km=c["underground_krw_per_km"],
                source=c["source"],
                date=c["date"],
                tag=c["tag"],
            )
    raise KeyError(voltage_kv)


def submarine_factor() -> float:
    return float(data()["line_cost_submarine"]["factor_over_underground"])


def renewable_cost(kind: str) -> dict:
    return dict(data()["renewable_cost"][kind])


def annualisation() -> dict:
    return dict(data()["annualisation"])


def weather(kind: str) -> dict:
    return dict(data()["weather"][kind])


# ----------------------------------------------------------------------------- user files


@attrs.frozen(kw_only=True)
class EnergyCatalog:
    """The shipped energy catalog with the spec's user files merged over it."""

    version: str
    containers: dict[str, BessContainer] = attrs.field(eq=False)
    renewables: dict[str, dict] = attrs.field(eq=False)
    line_costs: dict[float, LineCost] = attrs.field(eq=False)
    user_files: tuple[str, ...] = ()

    def bess_containers(self) -> dict[str, BessContainer]:
        return dict(self.containers)

    def renewable_cost(self, kind: str) -> dict:
        return dict(self.renewables[kind])

    def line_cost(self, voltage_kv: float) -> LineCost:
        return self.line_costs[voltage_kv]


def shipped() -> EnergyCatalog:
    return EnergyCatalog(
        version=str(data()["version"]),
        containers=bess_containers(),
        renewables={k: dict(v) for k, v in data()["renewable_cost"].items()},
        line_costs={float(c["voltage_kv"]): line_cost(c["voltage_kv"]) for c in data()["line_cost"]},
    )


def load_energy_catalog(
    spec: Any, base_dir: Path | str = ".", source: Any = None, allowed_roots: tuple[Path, ...] = ()
) -> tuple[EnergyCatalog, list]:
    """The shipped energy catalog with the energy tables of `[catalog] files` merged over it.

    A file that cannot be read (or may not be: outside the spec's tree and `allowed_roots`, not
    a regular file, too large) is procurement's finding (reported once); here it is skipped.
    Every problem in an energy table is a diagnostic in that file.
    """
    from hubc.diagnostics import Diagnostic, Location
    from hubc.spec.files import read_referenced_file
    from hubc.spec.limits import limits
    from hubc.spec.source import load_text

    cap = limits().catalog_file_max_bytes

    cat = shipped()
    containers = dict(cat.containers)
    raw_containers = {c["id"]: dict(c) for c in data()["bess_container"]}
    renewables = {k: dict(v) for k, v in cat.renewables.items()}
    line_costs = dict(cat.line_costs)
    raw_lines = {float(c["voltage_kv"]): dict(c) for c in data()["line_cost"]}
    diags: list = []
    used: list[str] = []
    files = spec.catalog.files if spec is not None else ()
    for rel in files:
        path = Path(base_dir) / rel
        raw = read_referenced_file(base_dir, rel, allowed_roots, cap, Location(file="spec"))
        if isinstance(raw, Diagnostic):
            continue
        doc, _syntax = load_text(str(path) if not Path(rel).is_absolute() else rel, raw, max_bytes=cap)
        if doc is None:
            continue  # a TOML syntax error: procurement's loader reports it with the file
        tables = {k: doc.data[k] for k in USER_TABLES if k in doc.data}
        if not tables:
            continue
        found = _merge_file(doc.source, tables, containers, raw_containers, renewables, line_costs, raw_lines)
        diags += found
        if not found:
            used.append(rel)
    version = cat.version + "".join(f"+{Path(u).name}" for u in used)
    return (
        EnergyCatalog(
            version=version,
            containers=dict(sorted(containers.items())),
            renewables=renewables,
            line_costs=line_costs,
            user_files=tuple(used),
        ),
        diags,
    )


def _merge_file(src, tables, containers, raw_containers, renewables, line_costs, raw_lines) -> list:
    """Check one file's energy tables and, when it has no error, merge them (in place)."""
    from hubc.catalog.equipment import _structure
    from hubc.codes import diag

    out: list = []
    new_containers: dict[str, tuple[BessContainer, dict]] = {}
    new_renewables: dict[str, dict] = {}
    new_lines: dict[float, tuple[LineCost, dict]] = {}

    def array(key: str) -> list:
        items = tables.get(key, [])
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            out.append(
                diag(
                    "HUB005",
                    f"`{key}` must be an array of tables: write each as [[{key}]]",
                    src.at_value((key,)),
                    (key,),
                )
            )
            return []
        return items

    def needs_provenance(path, item: dict, what: str) -> None:
        missing = [k for k in ("source", "date", "tag") if k not in item]
        if missing:
            out.append(
                diag(
                    "HUB422",
                    f"the override of {what} changes shipped figures but gives no "
                    + ", ".join(f"`{k}`" for k in missing),
                    src.at_key(path),
                    path,
                    help="say where the new figures come from: source, date and tag (V, S, D, U or estimate)",
                )
            )

    seen: dict[str, int] = {}
    for i, item in enumerate(array("bess_container")):
        path = ("bess_container", i)
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                out.append(_duplicate(src, "bess_container", "id", i, seen[ident], ident))
                continue
            seen[ident] = i
        override = isinstance(ident, str) and ident in raw_containers
        if override:
            needs_provenance(path, item, f'BESS container "{ident}"')
        merged = {**raw_containers[ident], **item} if override else item
        obj, errs = _structure(src, merged, BessContainer, path)
        out += errs
        if obj is not None:
            if not _ID_RE.fullmatch(obj.id):  # fullmatch: `$` also matches before a final newline
                out.append(
                    diag(
                        "HUB422",
                        f'BESS container id "{obj.id}" must be lower-case letters, digits, "-" and "."',
                        src.at_value(path + ("id",)),
                        path + ("id",),
                        help="e.g. `acme-bess-5mwh`",
                    )
                )
            new_containers[obj.id] = (obj, merged)

    ren = tables.get("renewable_cost", {})
    if not isinstance(ren, dict) or not all(isinstance(v, dict) for v in ren.values()):
        out.append(
            diag(
                "HUB005",
                "`renewable_cost` must be tables by kind: write each as [renewable_cost.<kind>]",
                src.at_value(("renewable_cost",)),
                ("renewable_cost",),
            )
        )
        ren = {}
    kinds = tuple(RenewableKind.__args__)
    for kind, item in ren.items():
        path = ("renewable_cost", kind)
        if kind not in kinds:
            out.append(
                diag(
                    "HUB422",
                    f'unknown renewable kind "{kind}" in [renewable_cost.{kind}]',
                    src.at_key(path),
                    path,
                    help="kinds: " + ", ".join(kinds),
                )
            )
            continue
        needs_provenance(path, item, f"the {kind} cost")
        merged = {**renewables[kind], **item}
        obj, errs = _structure(src, merged, RenewableCost, path)
        out += errs
        if obj is not None:
            new_renewables[kind] = obj.as_dict()

    classes = voltage_classes()
    seen_v: dict[float, int] = {}
    for i, item in enumerate(array("line_cost")):
        path = ("line_cost", i)
        kv = item.get("voltage_kv")
        if isinstance(kv, (int, float)) and not isinstance(kv, bool):
            kv = float(kv)
            if kv in seen_v:
                out.append(_duplicate(src, "line_cost", "voltage_kv", i, seen_v[kv], kv))
                continue
            seen_v[kv] = i
            if kv not in classes:
                out.append(
                    diag(
                        "HUB422",
                        f"no {kv:g} kV class in the conductor table: a line cost there would never be used",
                        src.at_value(path + ("voltage_kv",)),
                        path + ("voltage_kv",),
                        help="voltage classes: " + ", ".join(f"{c:g}" for c in classes) + " kV",
                    )
                )
                continue
        override = isinstance(kv, float) and kv in raw_lines
        if override:
            needs_provenance(path, item, f"the {kv:g} kV line cost")
        merged = {**raw_lines[kv], **item} if override else item
        obj, errs = _structure(src, merged, LineCost, path)
        out += errs
        if obj is not None:
            new_lines[obj.voltage_kv] = (obj, merged)

    from hubc.diagnostics import Severity

    if any(d.severity is Severity.ERROR for d in out):
        return out
    for ident, (obj, merged) in new_containers.items():
        containers[ident] = obj
        raw_containers[ident] = merged
    renewables.update(new_renewables)
    for kv, (obj, merged) in new_lines.items():
        line_costs[kv] = obj
        raw_lines[kv] = merged
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


def pue_dry_bulb() -> dict:
    return dict(data()["pue_dry_bulb"])


def crf(rate: float, years: int) -> float:
    """Capital recovery factor: the annual payment that repays 1 over `years` at `rate`."""
    if rate == 0:
        return 1.0 / years
    g = (1 + rate) ** years
    return rate * g / (g - 1)
